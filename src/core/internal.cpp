#include "core/internal.h"

#include <iostream>
#include <sstream>

#include "kernels/loop.h"
#include "tensorgrad/autograd.h"

namespace tg::detail {

DimVector contiguous_strides(IntArrayRef sizes) {
  DimVector strides(sizes.size());
  int64_t s = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    strides[d] = s;
    s *= std::max<int64_t>(sizes[d], 1);
  }
  return strides;
}

Tensor make_empty(IntArrayRef sizes, ScalarType dtype, bool allocate) {
  int64_t numel = 1;
  for (int64_t s : sizes) {
    TG_CHECK(s >= 0, "empty: negative dimension in size ", shape_str(sizes),
             "; sizes must be non-negative");
    TG_CHECK(!__builtin_mul_overflow(numel, s, &numel), "empty: the number of elements of size ",
             shape_str(sizes), " overflows int64; check the tensor's shape");
  }
  // The byte count must fit too: otherwise the storage would silently be smaller than numel.
  int64_t nbytes = 0;
  TG_CHECK(!__builtin_mul_overflow(numel, static_cast<int64_t>(element_size(dtype)), &nbytes),
           "empty: size ", shape_str(sizes), " of ", dtype, " needs ", numel, " elements of ",
           element_size(dtype), " bytes, which overflows int64; check the tensor's shape");
  auto* impl = new TensorImpl();
  TensorImplPtr ptr(impl);
  impl->dtype = dtype;
  impl->sizes = DimVector(sizes);
  impl->strides = contiguous_strides(sizes);
  impl->numel = numel;
  impl->storage = allocate ? Storage::allocate(static_cast<size_t>(nbytes))
                           : Storage::allocate_later(static_cast<size_t>(nbytes));
  impl->is_inference = InferenceMode::is_enabled();
  return Tensor(std::move(ptr));
}

Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  const TensorImpl* b = base.unsafeGetTensorImpl();
  auto* impl = new TensorImpl();
  TensorImplPtr ptr(impl);
  impl->dtype = b->dtype;
  impl->storage = b->storage;
  impl->offset = offset;
  impl->sizes = DimVector(sizes);
  impl->strides = DimVector(strides);
  int64_t numel = 1;
  for (int64_t s : sizes)
    TG_CHECK(!__builtin_mul_overflow(numel, s, &numel), "view: the number of elements of size ",
             shape_str(sizes), " overflows int64; check the target shape");
  impl->numel = numel;
  impl->is_view = true;
  impl->is_inference = b->is_inference;
  // See Note [Views and in-place] in src/autograd/view.cpp. Views of inference tensors are plain
  // inference tensors.
  if (!b->is_inference) {
    using autograd::CreationMeta;
    impl->base = b->base ? b->base : base.impl();
    const CreationMeta now = InferenceMode::is_enabled() ? CreationMeta::INFERENCE_MODE
                             : GradMode::is_enabled()    ? CreationMeta::DEFAULT
                                                         : CreationMeta::NO_GRAD_MODE;
    // A view of a view keeps the restriction its input had, unless it adds one; a view made in
    // inference mode stays one.
    const CreationMeta before = b->base ? b->creation_meta : CreationMeta::DEFAULT;
    impl->creation_meta =
        now == CreationMeta::DEFAULT || before == CreationMeta::INFERENCE_MODE ? before : now;
    impl->view_version = b->storage->version.load(std::memory_order_relaxed);
  }
  return Tensor(std::move(ptr));
}

Tensor shallow_copy(const Tensor& t) {
  const TensorImpl* s = t.unsafeGetTensorImpl();
  auto* impl = new TensorImpl();
  TensorImplPtr ptr(impl);
  share_data(*impl, *s);
  impl->is_inference = s->is_inference;
  impl->creation_meta = s->creation_meta;
  impl->view_version = s->view_version;
  impl->base = s->base;
  return Tensor(std::move(ptr));
}

void share_data(TensorImpl& dst, const TensorImpl& src) {
  dst.dtype = src.dtype;
  dst.storage = src.storage;
  dst.offset = src.offset;
  dst.numel = src.numel;
  dst.sizes = src.sizes;
  dst.strides = src.strides;
  dst.is_view = src.is_view;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = std::max<int64_t>(ndim, 1);  // a 0-d tensor accepts dim 0 and -1
  TG_CHECK(dim >= -n && dim < n, op, ": dimension out of range (expected to be in range of [", -n,
           ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

std::string shape_str(IntArrayRef sizes) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < sizes.size(); ++i) out << (i ? ", " : "") << sizes[i];
  out << ']';
  return out.str();
}

void check_device(const char* op, const Device& device) {
  TG_CHECK(device.is_cpu(), op, ": tensorgrad runs on the CPU only and cannot place a tensor on ",
           device,
           " (Torch not compiled with CUDA enabled; torch::cuda::is_available() is false); use "
           "tg::kCPU");
}

ScalarType factory_dtype(const char* op, const TensorOptions& options) {
  if (options.has_device()) check_device(op, options.device());
  TG_CHECK(options.layout() == kStrided, op, ": tensorgrad has strided tensors only, not the ",
           options.layout(),
           " layout (sparse and mkldnn tensors are not supported); use tg::kStrided");
  return options.dtype();
}

void copy_into(const Tensor& dst, const Tensor& src) {
  kernels::dispatch(dst.dtype(), [&](auto dtag) {
    using D = typename decltype(dtag)::type;
    kernels::dispatch(src.dtype(), [&](auto stag) {
      using S = typename decltype(stag)::type;
      kernels::unary_loop<D, S>(dst, src, [](S v) { return kernels::convert<D>(v); });
    });
  });
}

Tensor cast(const Tensor& t, ScalarType dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = make_empty(t.sizes(), dtype);
  copy_into(out, t);
  return out;
}

Tensor contiguous_data(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor out = make_empty(t.sizes(), t.dtype());
  copy_into(out, t);
  return out;
}

void warn(const std::string& message, const char* file, int line) {
  std::ostringstream out;
  if (file) out << "[W " << file << ":" << line << "] ";
  out << "Warning: " << message << "\n";
  std::cerr << out.str();  // one write, so that warnings from threads do not interleave
}

}  // namespace tg::detail
