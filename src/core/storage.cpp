#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <vector>

#include "autograd/meta.h"
#include "core/deferred.h"
#include "core/internal.h"
#include "core/small_pool.h"
#include "tensorgrad/error.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/tensor_impl.h"

namespace tg {

namespace {
constexpr size_t kAlignment = 64;
constexpr size_t kHeader = (sizeof(Storage) + kAlignment - 1) / kAlignment * kAlignment;

// Note [Storage pool]
// Blocks (header + data) up to 1 MiB are rounded up to a power of two and, when freed, kept in
// a small per-thread cache for reuse: the malloc/free pair, and the page faults of fresh
// memory, cost more than a small op itself. A block freed on another thread joins that
// thread's cache. The cache is bounded, so memory held back stays small. Under a sanitizer
// blocks are exact-size and never reused: see Note [Pools under sanitizers].
constexpr int kMinClassLog2 = 7;   // 128 bytes
constexpr int kMaxClassLog2 = 20;  // 1 MiB
constexpr int kNumClasses = kMaxClassLog2 - kMinClassLog2 + 1;

int class_of(size_t block) {
  int c = kMinClassLog2;
  while ((size_t(1) << c) < block) ++c;
  return c;
}

struct BlockCache {
  std::vector<void*> free[kNumClasses];
  ~BlockCache();
};
thread_local bool cache_alive = false;  // trivially destructible: valid during thread exit
thread_local BlockCache cache;
BlockCache::~BlockCache() {
  cache_alive = false;
  for (auto& list : free)
    for (void* p : list) std::free(p);
}
size_t cache_limit(int c) { return c <= 14 ? 256 : 16; }  // many small blocks, few large ones

// Blocks above 1 MiB are rounded up to 2 MiB multiples, backed by transparent huge pages where
// the kernel allows (one page fault per 2 MiB instead of 512), and kept after free in one
// process-wide cache of at most kLargeCacheBytes, reused for a block of the same size: a fresh
// 64 MiB buffer costs more in page faults than an elementwise op over it.
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kLargeCacheBytes = size_t(512) << 20;

size_t large_block_bytes(size_t block_bytes) {
  return (block_bytes + kHugePage - 1) / kHugePage * kHugePage;
}

struct LargeBlockCache {
  std::mutex mutex;
  std::multimap<size_t, void*> blocks;
  size_t bytes = 0;
};
LargeBlockCache& large_cache() {
  static auto* cache = new LargeBlockCache();  // lives until exit: blocks may be freed late
  return *cache;
}

void* allocate_large(size_t bytes) {
  LargeBlockCache& c = large_cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.blocks.find(bytes);
    if (it != c.blocks.end()) {
      void* p = it->second;
      c.blocks.erase(it);
      c.bytes -= bytes;
      return p;
    }
  }
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (p) madvise(p, bytes, MADV_HUGEPAGE);  // a hint: ignored where huge pages are off
  return p;
}

void free_large(void* p, size_t bytes) {
  LargeBlockCache& c = large_cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.bytes + bytes <= kLargeCacheBytes) {
      c.blocks.emplace(bytes, p);
      c.bytes += bytes;
      return;
    }
  }
  std::free(p);
}

void* allocate_block(size_t block_bytes, int cls) {
  if constexpr (detail::kExactBlocks) {
    void* p = nullptr;
    return posix_memalign(&p, kAlignment, block_bytes) == 0 ? p : nullptr;
  }
  if (cls > kMaxClassLog2) return allocate_large(large_block_bytes(block_bytes));
  if (!cache_alive) {
    cache.free[0].reserve(0);  // constructs the thread's cache
    cache_alive = true;
  }
  auto& list = cache.free[cls - kMinClassLog2];
  if (!list.empty()) {
    void* p = list.back();
    list.pop_back();
    return p;
  }
  return std::aligned_alloc(kAlignment, size_t(1) << cls);
}

void free_block(void* p, int cls, size_t block_bytes) {
  if constexpr (detail::kExactBlocks) {
    std::free(p);
    return;
  }
  if (cls > kMaxClassLog2) {
    free_large(p, large_block_bytes(block_bytes));
    return;
  }
  if (cache_alive) {
    auto& list = cache.free[cls - kMinClassLog2];
    if (list.size() < cache_limit(cls)) {
      list.push_back(p);
      return;
    }
  }
  std::free(p);
}
}  // namespace

namespace {
std::atomic<int64_t> live_bytes{0}, peak_bytes{0};
void count_allocation(int64_t n) {
  const int64_t now = live_bytes.fetch_add(n, std::memory_order_relaxed) + n;
  int64_t peak = peak_bytes.load(std::memory_order_relaxed);
  while (now > peak && !peak_bytes.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}
}  // namespace

MemoryStats memory_stats() {
  return {live_bytes.load(std::memory_order_relaxed), peak_bytes.load(std::memory_order_relaxed)};
}
void reset_peak_memory_stats() { peak_bytes = live_bytes.load(); }

// The Storage header and its buffer live in one block: the header first, the data at the next
// 64-byte boundary. See Note [Storage pool].
StoragePtr Storage::allocate(size_t nbytes) {
  TG_CHECK(nbytes <= (size_t(1) << 62), "allocate: cannot allocate ", nbytes,
           " bytes (the size overflows); check the tensor's shape");
  const size_t block_bytes = kHeader + nbytes;
  const int cls = class_of(block_bytes);
  void* block = allocate_block(block_bytes, cls);
  TG_CHECK(block != nullptr, "allocate: out of memory allocating ", nbytes,
           " bytes; reduce the tensor sizes or the batch size");
  auto* s = new (block) Storage();
  s->data = static_cast<char*>(block) + kHeader;
  s->nbytes = nbytes;
  s->size_class = cls;
  count_allocation(static_cast<int64_t>(nbytes));
  return StoragePtr(s);
}

namespace {
/// A Storage of nbytes in a block of its own, with no buffer yet; `op` names the caller in errors.
StoragePtr header_only(size_t nbytes, const char* op) {
  const int cls = class_of(kHeader);
  void* block = allocate_block(kHeader, cls);
  TG_CHECK(block != nullptr, op, ": out of memory");
  auto* s = new (block) Storage();
  s->size_class = cls;
  s->nbytes = nbytes;
  return StoragePtr(s);
}
}  // namespace

StoragePtr Storage::allocate_later(size_t nbytes) { return header_only(nbytes, "allocate"); }

void Storage::allocate_data() {
  if (data != nullptr) return;
  const int cls = class_of(nbytes);
  data = allocate_block(nbytes, cls);
  TG_CHECK(data != nullptr, "allocate: out of memory allocating ", nbytes,
           " bytes; reduce the tensor sizes or the batch size");
  data_class = cls;
  count_allocation(static_cast<int64_t>(nbytes));
}

StoragePtr Storage::wrap(void* data, size_t nbytes, void (*deleter)(void*, void*), void* context) {
  StoragePtr s = header_only(nbytes, "from_blob");
  s->data = data;
  s->external_deleter = deleter;
  s->external_context = context;
  s->exposed.store(true, std::memory_order_relaxed);  // its owner writes it when it likes
  return s;
}

void Storage::destroy(Storage* s) {
  if (s->deferred.load(std::memory_order_acquire) != nullptr) detail::forget_deferred(*s);
  if (s->external_deleter) s->external_deleter(s->external_context, s->data);
  if (s->data_class != 0) {
    live_bytes.fetch_sub(static_cast<int64_t>(s->nbytes), std::memory_order_relaxed);
    free_block(s->data, s->data_class, s->nbytes);
    s->data = nullptr;
  }
  const int cls = s->size_class;
  const bool owned = s->data == reinterpret_cast<char*>(s) + kHeader;  // not from_blob memory
  if (owned) live_bytes.fetch_sub(static_cast<int64_t>(s->nbytes), std::memory_order_relaxed);
  const size_t block_bytes = kHeader + (owned ? s->nbytes : 0);
  s->~Storage();
  free_block(s, cls, block_bytes);
}

bool detail::storage_is_resizable(const Storage& storage) {
  return storage.data == reinterpret_cast<const char*>(&storage) + kHeader ||
         storage.data_class != 0;
}

void TensorImpl::destroy(TensorImpl* t) { delete t; }
void* TensorImpl::operator new(size_t bytes) { return detail::pool_allocate(bytes); }
void TensorImpl::operator delete(void* p, size_t bytes) { detail::pool_free(p, bytes); }

bool TensorImpl::is_contiguous() const {
  int64_t expected = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    if (sizes[d] == 1) continue;
    if (strides[d] != expected) return numel == 0;
    expected *= sizes[d];
  }
  return true;
}

}  // namespace tg
