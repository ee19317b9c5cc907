#pragma once
// Helpers shared by the op implementations (private to the library).
#include <string>

#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg::detail {

/// A new contiguous tensor, uninitialised. `allocate` false: its buffer is allocated later
/// (Storage::allocate_data), as a deferred op's is.
Tensor make_empty(IntArrayRef sizes, ScalarType dtype, bool allocate = true);
/// A view of base's storage with the given geometry (offset in elements). No autograd: the
/// calling op records its own node.
Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
/// A new handle on t's data with t's geometry and view relation (is_view, base), without
/// autograd metadata.
Tensor shallow_copy(const Tensor& t);
/// Points dst at src's data: dtype, storage, offset and geometry, and whether it is a view.
void share_data(TensorImpl& dst, const TensorImpl& src);
DimVector contiguous_strides(IntArrayRef sizes);
/// Wraps a possibly negative dim into [0, ndim); throws naming `op` when out of range.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
/// "[2, 3]"
std::string shape_str(IntArrayRef sizes);
/// Throws naming `op` unless `device` is the CPU (tensorgrad is CPU-only).
void check_device(const char* op, const Device& device);
/// What a factory named `op` makes of `options`: their dtype (the default dtype when unset),
/// after refusing a device other than the CPU and a layout other than strided.
ScalarType factory_dtype(const char* op, const TensorOptions& options);
/// t converted to dtype without autograd (t itself when it already has that dtype).
Tensor cast(const Tensor& t, ScalarType dtype);
/// t's data as a contiguous tensor without autograd (t itself when already contiguous).
Tensor contiguous_data(const Tensor& t);
/// Copies src (broadcast, converting dtype) into dst. No autograd, no version bump.
void copy_into(const Tensor& dst, const Tensor& src);
/// Increments the version counter shared by t's views (call after writing t's data in place).
inline void bump_version(const Tensor& t) {
  t.unsafeGetTensorImpl()->storage->version.fetch_add(1, std::memory_order_relaxed);
}

/// False for memory the caller lent (from_blob), which libtorch will not reallocate (resize_).
bool storage_is_resizable(const Storage& storage);

/// The global generator's state (see Note [Global generator] in random.cpp), to replay the
/// random numbers of a computation (checkpointing).
std::string rng_state();
void set_rng_state(const std::string& state);

/// Throws when `self` may not be written in place now: an inference tensor outside InferenceMode.
/// inplace() checks it; ops that write into a tensor without inplace() call it themselves.
void check_inplace_allowed(const Tensor& self, const char* op);

/// Runs an in-place op `op` (e.g. "mul_") on self. `out_of_place(self)` computes the result with
/// autograd; `in_place_kernel()` writes the result into self without autograd. See
/// Note [In-place ops] in src/core/inplace.cpp.
Tensor& inplace(const Tensor& self, const char* op, bool other_requires_grad,
                const std::function<Tensor(const Tensor&)>& out_of_place,
                const std::function<void()>& in_place_kernel);

}  // namespace tg::detail
