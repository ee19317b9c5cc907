#pragma once
/// The data behind a Tensor handle: Storage (a refcounted, 64-byte aligned buffer shared by all
/// views of it, with the version counter that in-place checks read) and TensorImpl (sizes,
/// strides, offset, dtype, and the autograd metadata when there is any).
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/dtype.h"

namespace tg {

/// Intrusive reference-counted pointer: one word, one atomic per copy.
template <class T>
class IntrusivePtr {
 public:
  IntrusivePtr() = default;
  explicit IntrusivePtr(T* p) : p_(p) {}  // takes the initial reference
  IntrusivePtr(const IntrusivePtr& o) : p_(o.p_) { retain(); }
  IntrusivePtr(IntrusivePtr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  IntrusivePtr& operator=(const IntrusivePtr& o) {
    if (p_ != o.p_) {
      T* old = p_;
      p_ = o.p_;
      retain();
      release(old);
    }
    return *this;
  }
  IntrusivePtr& operator=(IntrusivePtr&& o) noexcept {
    if (this != &o) {
      T* old = p_;
      p_ = std::exchange(o.p_, nullptr);
      release(old);
    }
    return *this;
  }
  ~IntrusivePtr() { release(p_); }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  void reset() {
    release(p_);
    p_ = nullptr;
  }
  uint32_t use_count() const { return p_ ? p_->refcount_.load(std::memory_order_relaxed) : 0; }

 private:
  void retain() {
    if (p_) p_->refcount_.fetch_add(1, std::memory_order_relaxed);
  }
  static void release(T* p) {
    if (p && p->refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1) T::destroy(p);
  }
  T* p_ = nullptr;
};

struct Storage;
namespace detail {
struct Deferred;
/// Computes a deferred storage and the deferred ops that read one (Note [Deferred elementwise
/// chains], src/core/deferred.cpp).
void settle(const Storage& storage);
}  // namespace detail

/// A buffer of bytes. Views share one Storage; its version counts in-place modifications.
struct Storage {
  std::atomic<uint32_t> refcount_{1};
  std::atomic<uint32_t> version{0};
  void* data = nullptr;
  size_t nbytes = 0;
  /// Frees external memory (from_blob with a deleter); null for memory owned by the Storage.
  void (*external_deleter)(void*, void*) = nullptr;
  void* external_context = nullptr;
  int size_class = 0;  // of the allocation; see Note [Storage pool] in storage.cpp
  int data_class = 0;  // of a buffer allocated apart from the header (allocate_later), or 0
  // Note [Deferred elementwise chains]: the op that will compute `data` (null once computed),
  // how many deferred ops read this storage, and whether a pointer to the data was handed out
  // (through data_ptr or from_blob), after which no op defers reading it.
  std::atomic<detail::Deferred*> deferred{nullptr};
  std::atomic<uint32_t> deferred_readers{0};
  std::atomic<bool> exposed{false};

  /// True when data is ready to be read and written as it is.
  bool settled() const {
    return deferred.load(std::memory_order_acquire) == nullptr &&
           deferred_readers.load(std::memory_order_acquire) == 0;
  }

  /// A new buffer of nbytes, 64-byte aligned. Throws tg::Error naming the size if memory is out.
  static IntrusivePtr<Storage> allocate(size_t nbytes);
  /// A Storage of nbytes whose buffer allocate_data() allocates when it is first written.
  static IntrusivePtr<Storage> allocate_later(size_t nbytes);
  void allocate_data();
  /// Wraps memory the caller owns; `deleter(context, data)` is called when the last view dies.
  static IntrusivePtr<Storage> wrap(void* data, size_t nbytes, void (*deleter)(void*, void*),
                                    void* context);
  static void destroy(Storage* s);
};
using StoragePtr = IntrusivePtr<Storage>;

namespace autograd {
struct AutogradMeta;

/// How a view was made, as libtorch records it: an in-place change to a view that was not made
/// in plain grad mode by a single-output view op cannot be tracked by autograd, so it throws.
enum class CreationMeta : uint8_t {
  DEFAULT,             // by a view op in grad mode
  IN_CUSTOM_FUNCTION,  // returned by a custom Function's forward
  MULTI_OUTPUT_NODE,   // one of several views a single op returned (split, chunk, unbind)
  NO_GRAD_MODE,        // while grad mode was off
  INFERENCE_MODE       // inside InferenceMode (a view of a normal tensor)
};
}  // namespace autograd

/// Sizes, strides and offset (in elements) into a Storage, plus the autograd metadata.
struct TensorImpl {
  std::atomic<uint32_t> refcount_{1};
  ScalarType dtype = kFloat;
  bool is_view = false;       // made by a view op: shares storage with its base
  bool is_inference = false;  // made under InferenceMode
  bool is_grad = false;       // stored in a .grad() by backward: prints as the seed's Variable
  autograd::CreationMeta creation_meta = autograd::CreationMeta::DEFAULT;  // of a view
  // The storage's version when this view's grad_fn was last set: a view whose storage was
  // changed in place since then gets a new grad_fn from its base (Note [Views and in-place]).
  uint32_t view_version = 0;
  StoragePtr storage;
  int64_t offset = 0;
  int64_t numel = 0;
  DimVector sizes;
  DimVector strides;
  std::shared_ptr<autograd::AutogradMeta> autograd;  // null for plain data
  // The tensor a view op's result views (never itself a view): set for the views of normal
  // tensors, null for everything else (views of inference tensors included).
  IntrusivePtr<TensorImpl> base;

  static void destroy(TensorImpl* t);
  // From the library's per-thread pool of small blocks.
  static void* operator new(size_t bytes);
  static void operator delete(void* p, size_t bytes);
  void compute_numel() {
    numel = 1;
    for (int64_t s : sizes) numel *= s;
  }
  bool is_contiguous() const;
  /// The data, computed first if an op deferred it; see Note [Deferred elementwise chains].
  char* data_bytes() const {
    if (!storage->settled()) detail::settle(*storage);
    return static_cast<char*>(storage->data) + offset * static_cast<int64_t>(element_size(dtype));
  }
  /// data_bytes() for a pointer that leaves the library: the storage is marked exposed.
  char* exposed_data_bytes() const {
    storage->exposed.store(true, std::memory_order_relaxed);
    return data_bytes();
  }
};
using TensorImplPtr = IntrusivePtr<TensorImpl>;

}  // namespace tg
