#include "ops/reduce_dims.h"

namespace tg::reduce_dims {
namespace {

void check_ndim(const Tensor& x, const char* op) {
  TG_CHECK(x.dim() <= kernels::kMaxReduceDims, op, "(): reductions support at most ",
           kernels::kMaxReduceDims, " dims but the input has ", x.dim(),
           "; reshape it to fewer dims first");
}

}  // namespace

DimMask all(const Tensor& x, const char* op) {
  check_ndim(x, op);
  return x.dim() >= 64 ? ~DimMask(0) : (DimMask(1) << x.dim()) - 1;
}

DimMask of(const Tensor& x, IntArrayRef dims, const char* op) {
  if (dims.empty()) return all(x, op);
  check_ndim(x, op);
  DimMask mask = 0;
  for (int64_t dim : dims) {
    const int64_t d = detail::wrap_dim(dim, x.dim(), op);
    TG_CHECK(!reduces(mask, d), op, "(): dim ", d, " appears multiple times in the list of dims ",
             detail::shape_str(dims), "; pass each dim once");
    mask |= DimMask(1) << d;
  }
  return x.dim() == 0 ? 0 : mask;
}

DimMask one(const Tensor& x, int64_t dim, const char* op) {
  check_ndim(x, op);
  const int64_t d = detail::wrap_dim(dim, x.dim(), op);
  return x.dim() == 0 ? 0 : DimMask(1) << d;
}

DimVector list(DimMask mask, int64_t ndim) {
  DimVector dims;
  for (int64_t d = 0; d < ndim; ++d)
    if (reduces(mask, d)) dims.push_back(d);
  return dims;
}

DimVector result_shape(IntArrayRef sizes, DimMask mask, bool keepdim) {
  DimVector shape;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (!reduces(mask, static_cast<int64_t>(d)))
      shape.push_back(sizes[d]);
    else if (keepdim)
      shape.push_back(1);
  }
  return shape;
}

int64_t reduced_numel(IntArrayRef sizes, DimMask mask) {
  int64_t n = 1;
  for (size_t d = 0; d < sizes.size(); ++d)
    if (reduces(mask, static_cast<int64_t>(d))) n *= sizes[d];
  return n;
}

Tensor empty_result(const Tensor& x, DimMask mask, bool keepdim, ScalarType dtype) {
  return detail::make_empty(result_shape(x.sizes(), mask, keepdim), dtype);
}

}  // namespace tg::reduce_dims
