#pragma once
// A per-thread pool for the library's small, short-lived objects: see Note [Small-object pool].
#include <cstddef>

namespace tg::detail {

// Note [Pools under sanitizers]
// The pools round blocks up and reuse them, so AddressSanitizer (and the like) would not see a
// write past the end of an object or a use after free: under a sanitizer every block is an
// exact-size allocation of its own, freed at once.
#if defined(__SANITIZE_ADDRESS__)
#define TG_EXACT_BLOCKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define TG_EXACT_BLOCKS 1
#endif
#endif
#ifdef TG_EXACT_BLOCKS
constexpr bool kExactBlocks = true;
#else
constexpr bool kExactBlocks = false;
#endif

/// A block of at least `bytes` (16-byte aligned); throws std::bad_alloc when memory is out.
void* pool_allocate(size_t bytes);
/// Returns a block from pool_allocate(bytes), on any thread.
void pool_free(void* p, size_t bytes) noexcept;

/// For std::allocate_shared and containers.
template <class T>
struct PoolAllocator {
  static_assert(alignof(T) <= 16, "pool blocks are 16-byte aligned");
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}  // NOLINT
  T* allocate(size_t n) { return static_cast<T*>(pool_allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { pool_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const {
    return true;
  }
};

}  // namespace tg::detail
