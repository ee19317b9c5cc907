// sum and sum_to: the reduction the engine itself needs (broadcast gradients are summed back).
#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/reduce.h"

namespace tg {

using autograd::BackwardArgs;
using autograd::needs_grad;
using autograd::record;
using autograd::save;

namespace {

std::vector<bool> reduced_dims(const Tensor& x, IntArrayRef dim, const char* op) {
  const int64_t nd = x.dim();
  TG_CHECK(nd <= kernels::kMaxReduceDims, op, ": tensors with more than ", kernels::kMaxReduceDims,
           " dimensions are not supported (got ", nd, ")");
  std::vector<bool> reduce(static_cast<size_t>(std::max<int64_t>(nd, 1)), dim.empty());
  for (int64_t d : dim) {
    const int64_t w = detail::wrap_dim(d, nd, op);
    TG_CHECK(!reduce[w] || dim.empty(), op, ": dim ", w,
             " appears multiple times in the list of dims");
    reduce[w] = true;
  }
  reduce.resize(static_cast<size_t>(nd));
  return reduce;
}

}  // namespace

Tensor sum(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  std::vector<bool> reduce = reduced_dims(x, dim, "sum");
  kernels::DimMask mask = 0;
  DimVector kept;
  for (int64_t d = 0; d < x.dim(); ++d) {
    kept.push_back(reduce[d] ? 1 : x.size(d));
    if (reduce[d]) mask |= kernels::DimMask(1) << d;
  }
  const ScalarType out_type = dtype.value_or(is_integral(x.dtype(), true) ? kLong : x.dtype());
  Tensor src = dtype && *dtype != x.dtype() ? x.to(*dtype) : x;
  Tensor result =
      kernels::reduce_sum(src, mask, keepdim, is_integral(src.dtype(), true) ? kLong : src.dtype());
  if (result.dtype() != out_type) result = detail::cast(result, out_type);
  if (needs_grad(src)) {
    record(dim.empty() ? "SumBackward0" : "SumBackward1", {src}, {result}, save(),
           [kept, full = DimVector(x.sizes())](BackwardArgs<0>& a) -> variable_list {
             return {a.grad().reshape(kept).expand(full)};
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
