#pragma once
// What a kernel sees of a tensor: its data, element type and geometry, nothing of autograd or of
// the differentiable API. A View converts implicitly from a tg::Tensor (anything with
// unsafeGetTensorImpl()), so ops pass their tensors to kernels as they are.
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/dtype.h"
#include "tensorgrad/error.h"
#include "tensorgrad/tensor_impl.h"

namespace tg::kernels {

class View {
 public:
  View(const TensorImpl& impl) : impl_(&impl) {}  // NOLINT
  template <class T, class = decltype(std::declval<const T&>().unsafeGetTensorImpl())>
  View(const T& tensor) : impl_(tensor.unsafeGetTensorImpl()) {}  // NOLINT

  ScalarType dtype() const { return impl_->dtype; }
  int64_t dim() const { return static_cast<int64_t>(impl_->sizes.size()); }
  IntArrayRef sizes() const { return impl_->sizes; }
  IntArrayRef strides() const { return impl_->strides; }
  /// Size and stride of dim d, 0 <= d < dim().
  int64_t size(int64_t d) const { return impl_->sizes[static_cast<size_t>(d)]; }
  int64_t stride(int64_t d) const { return impl_->strides[static_cast<size_t>(d)]; }
  int64_t numel() const { return impl_->numel; }
  size_t element_size() const { return tg::element_size(impl_->dtype); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  void* data_ptr() const { return impl_->data_bytes(); }
  /// The data as T*. Not checked: kernels are called by ops that dispatched on dtype().
  template <class T>
  T* data_ptr() const {
    return reinterpret_cast<T*>(impl_->data_bytes());
  }

 private:
  const TensorImpl* impl_;
};

}  // namespace tg::kernels
