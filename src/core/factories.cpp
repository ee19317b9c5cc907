#include <cstring>

#include "core/internal.h"
#include "core/operand_rules.h"
#include "kernels/loop.h"
#include "tensorgrad/autograd.h"

namespace tg {

namespace {
Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}
/// Names the factory the user called when a size is negative (make_empty would say "empty").
void check_sizes(IntArrayRef size, const char* op) {
  for (int64_t s : size)
    TG_CHECK(s >= 0, op, ": negative dimension ", s, " in size ", detail::shape_str(size),
             "; sizes must be non-negative");
}
}  // namespace

Tensor empty(IntArrayRef size, const TensorOptions& options) {
  return finish(detail::make_empty(size, detail::factory_dtype("empty", options)), options);
}

Tensor full(IntArrayRef size, const Scalar& fill_value, const TensorOptions& options) {
  // libtorch infers the dtype from the value when none is given: the default dtype for a
  // floating value.
  const ScalarType given = detail::factory_dtype("full", options);
  const ScalarType dtype = options.has_dtype()            ? given
                           : fill_value.isFloatingPoint() ? detail::default_floating_dtype()
                                                          : fill_value.type();
  check_sizes(size, "full");
  detail::check_fits("full", fill_value, dtype);
  Tensor t = detail::make_empty(size, dtype);
  // Written by the kernel, not fill_: a new tensor starts at version 0, as libtorch's.
  kernels::dispatch(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::fill_loop<T>(t, fill_value.to<T>());
  });
  return finish(std::move(t), options);
}

Tensor zeros(IntArrayRef size, const TensorOptions& options) {
  check_sizes(size, "zeros");
  Tensor t = detail::make_empty(size, detail::factory_dtype("zeros", options));
  std::memset(t.data_ptr(), 0, t.nbytes());
  return finish(std::move(t), options);
}

Tensor ones(IntArrayRef size, const TensorOptions& options) {
  return full(size, 1, options.dtype(detail::factory_dtype("ones", options)));
}

namespace {
TensorOptions like(const Tensor& t, const TensorOptions& options) {
  return options.has_dtype() ? options : options.dtype(t.dtype());
}
}  // namespace

Tensor empty_like(const Tensor& t, const TensorOptions& o) { return empty(t.sizes(), like(t, o)); }
Tensor zeros_like(const Tensor& t, const TensorOptions& o) { return zeros(t.sizes(), like(t, o)); }
Tensor ones_like(const Tensor& t, const TensorOptions& o) { return ones(t.sizes(), like(t, o)); }
Tensor full_like(const Tensor& t, const Scalar& v, const TensorOptions& o) {
  return full(t.sizes(), v, like(t, o));
}

Tensor scalar_tensor(const Scalar& value, const TensorOptions& options) {
  // As libtorch: the default dtype unless told otherwise, whatever the value.
  return full({}, value, options.dtype(detail::factory_dtype("scalar_tensor", options)));
}

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options) {
  return from_blob(data, sizes, detail::contiguous_strides(sizes), options);
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options) {
  TG_CHECK(sizes.size() == strides.size(), "from_blob: sizes ", detail::shape_str(sizes),
           " and strides ", detail::shape_str(strides), " must have the same length");
  int64_t extent = 1;
  for (size_t d = 0; d < sizes.size(); ++d) {
    TG_CHECK(sizes[d] >= 0 && strides[d] >= 0, "from_blob: negative size or stride in ",
             detail::shape_str(sizes));
    if (sizes[d] == 0) extent = 0;
    if (extent) extent += (sizes[d] - 1) * strides[d];
  }
  const ScalarType dtype = detail::factory_dtype("from_blob", options);
  auto* impl = new TensorImpl();
  TensorImplPtr ptr(impl);
  impl->dtype = dtype;
  impl->storage = Storage::wrap(data, static_cast<size_t>(extent) * element_size(impl->dtype),
                                nullptr, nullptr);
  impl->sizes = DimVector(sizes);
  impl->strides = DimVector(strides);
  impl->compute_numel();
  return finish(Tensor(std::move(ptr)), options);
}

}  // namespace tg
