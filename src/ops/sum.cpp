// sum and sum_to: the reduction the engine itself needs (broadcast gradients are summed back).
#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/reduce.h"
#include "ops/reduce_dims.h"

namespace tg {

Tensor sum(const Tensor& x, IntArrayRef dim, bool keepdim, std::optional<ScalarType> dtype) {
  const reduce_dims::DimMask mask = reduce_dims::of(x, dim, "sum");
  const ScalarType out_type = dtype.value_or(is_integral(x.dtype(), true) ? kLong : x.dtype());
  Tensor src = dtype && *dtype != x.dtype() ? x.to(*dtype) : x;
  Tensor result = reduce_dims::empty_result(src, mask, keepdim,
                                            is_integral(src.dtype(), true) ? kLong : src.dtype());
  kernels::reduce_sum(result, src, mask);
  if (result.dtype() != out_type) result = detail::cast(result, out_type);
  if (needs_grad(src)) {
    record(
        dim.empty() ? "SumBackward0" : "SumBackward1", {src}, {result}, save(),
        [kept = reduce_dims::result_shape(x.sizes(), mask, true), full = DimVector(x.sizes())](
            BackwardArgs<0>& a) -> variable_list { return {a.grad().reshape(kept).expand(full)}; });
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
