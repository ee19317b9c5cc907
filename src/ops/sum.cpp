// sum and sum_to: the reduction the engine itself needs (broadcast gradients are summed back).
#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"

namespace tg {

using autograd::BackwardArgs;
using autograd::needs_grad;
using autograd::record;
using autograd::save;

namespace {

// Accumulate in double for floating types, int64 for integers: exact for integers, and the
// order of additions is fixed so results do not depend on the thread count.
template <class T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

/// Sums x over the dims marked in `reduce` into `out` (shape of x with reduced dims kept as 1).
void sum_kernel(const Tensor& out, const Tensor& x, const std::vector<bool>& reduce) {
  const int64_t nd = x.dim();
  // Move the reduced dims last and make the data contiguous: each output is one contiguous run.
  DimVector perm;
  int64_t inner = 1;
  for (int64_t d = 0; d < nd; ++d)
    if (!reduce[d]) perm.push_back(d);
  for (int64_t d = 0; d < nd; ++d)
    if (reduce[d]) {
      perm.push_back(d);
      inner *= x.size(d);
    }
  Tensor src = x;
  {
    NoGradGuard no_grad;
    src = detail::contiguous_data(x.detach().permute(perm));
  }
  const int64_t outer = out.numel();
  kernels::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using O = std::conditional_t<std::is_same_v<T, bool>, int64_t, T>;
    const T* in = static_cast<const T*>(src.data_ptr());
    O* o = static_cast<O*>(out.data_ptr());
    if (outer == 1 && inner >= 2 * kernels::kGrainSize) {
      // A full reduction of a large tensor: fixed-size blocks summed in order (deterministic).
      const int64_t block = kernels::kGrainSize;
      const int64_t nblocks = (inner + block - 1) / block;
      std::vector<acc_t<T>> partial(static_cast<size_t>(nblocks));
#pragma omp parallel for
      for (int64_t b = 0; b < nblocks; ++b) {
        acc_t<T> acc = 0;
        const int64_t end = std::min(inner, (b + 1) * block);
        for (int64_t j = b * block; j < end; ++j) acc += in[j];
        partial[b] = acc;
      }
      acc_t<T> total = 0;
      for (auto p : partial) total += p;
      o[0] = static_cast<O>(total);
      return;
    }
#pragma omp parallel for if (outer * inner >= 2 * kernels::kGrainSize && outer > 1)
    for (int64_t i = 0; i < outer; ++i) {
      acc_t<T> acc = 0;
      const T* row = in + i * inner;
      for (int64_t j = 0; j < inner; ++j) acc += row[j];
      o[i] = static_cast<O>(acc);
    }
  });
}

std::vector<bool> reduced_dims(const Tensor& x, IntArrayRef dim, const char* op) {
  const int64_t nd = x.dim();
  std::vector<bool> reduce(static_cast<size_t>(std::max<int64_t>(nd, 1)), dim.empty());
  for (int64_t d : dim) {
    const int64_t w = detail::wrap_dim(d, nd, op);
    TG_CHECK(!reduce[w] || dim.empty(), op, ": dim ", w, " appears multiple times in the list of dims");
    reduce[w] = true;
  }
  reduce.resize(static_cast<size_t>(nd));
  return reduce;
}

}  // namespace

Tensor sum(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  std::vector<bool> reduce = reduced_dims(x, dim, "sum");
  DimVector kept, squeezed;
  for (int64_t d = 0; d < x.dim(); ++d) {
    kept.push_back(reduce[d] ? 1 : x.size(d));
    if (!reduce[d]) squeezed.push_back(x.size(d));
  }
  const ScalarType out_type = dtype.value_or(is_integral(x.dtype(), true) ? kLong : x.dtype());
  Tensor src = dtype && *dtype != x.dtype() ? x.to(*dtype) : x;
  Tensor result = detail::make_empty(keepdim ? kept : squeezed,
                                     is_integral(src.dtype(), true) ? kLong : src.dtype());
  sum_kernel(result, src, reduce);
  if (result.dtype() != out_type) result = detail::cast(result, out_type);
  if (needs_grad(src)) {
    DimVector kept_shape = kept;
    record(dim.empty() ? "SumBackward0" : "SumBackward1", {src}, {result}, save(),
           [kept_shape, full = DimVector(x.sizes())](BackwardArgs<0>& a) -> variable_list {
             return {a.grad().reshape(kept_shape).expand(full)};
           });
  }
  return result;
}

Tensor sum(const Tensor& x, std::optional<ScalarType> dtype) { return sum(x, {}, false, dtype); }

Tensor Tensor::sum(std::optional<ScalarType> dtype) const { return tg::sum(*this, dtype); }
Tensor Tensor::sum(IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) const {
  return tg::sum(*this, dim, keepdim, dtype);
}

Tensor sum_to(const Tensor& x, IntArrayRef shape) {
  if (x.sizes().equals(shape)) return x;
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  TG_CHECK(lead >= 0, "sum_to: cannot sum a tensor of shape ", detail::shape_str(x.sizes()),
           " to the larger shape ", detail::shape_str(shape));
  DimVector dims;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d < lead) {
      dims.push_back(d);
      continue;
    }
    const int64_t want = shape[d - lead];
    TG_CHECK(want == x.size(d) || want == 1, "sum_to: shape ", detail::shape_str(x.sizes()),
             " cannot be summed to ", detail::shape_str(shape));
    if (want == 1 && x.size(d) != 1) dims.push_back(d);
  }
  Tensor r = dims.empty() ? x : tg::sum(x, dims, true);
  return r.view(shape);
}

}  // namespace tg
