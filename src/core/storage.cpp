#include <cstdlib>
#include <new>
#include <vector>

#include "autograd/meta.h"
#include "tensorgrad/tensor_impl.h"
#include "tensorgrad/error.h"
#include "tensorgrad/functions.h"

namespace tg {

namespace {
constexpr size_t kAlignment = 64;
constexpr size_t kHeader = (sizeof(Storage) + kAlignment - 1) / kAlignment * kAlignment;

// Note [Storage pool]
// Blocks (header + data) up to 1 MiB are rounded up to a power of two and, when freed, kept in
// a small per-thread cache for reuse: the malloc/free pair, and the page faults of fresh
// memory, cost more than a small op itself. A block freed on another thread joins that
// thread's cache. The cache is bounded, so memory held back stays small.
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

void* allocate_block(size_t block_bytes, int cls) {
  if (cls <= kMaxClassLog2) {
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
    block_bytes = size_t(1) << cls;
  }
  return std::aligned_alloc(kAlignment, (block_bytes + kAlignment - 1) / kAlignment * kAlignment);
}

void free_block(void* p, int cls) {
  if (cls <= kMaxClassLog2 && cache_alive) {
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

StoragePtr Storage::wrap(void* data, size_t nbytes, void (*deleter)(void*, void*),
                         void* context) {
  const int cls = class_of(kHeader);
  void* block = allocate_block(kHeader, cls);
  TG_CHECK(block != nullptr, "from_blob: out of memory");
  auto* s = new (block) Storage();
  s->size_class = cls;
  s->data = data;
  s->nbytes = nbytes;
  s->external_deleter = deleter;
  s->external_context = context;
  return StoragePtr(s);
}

void Storage::destroy(Storage* s) {
  if (s->external_deleter) s->external_deleter(s->external_context, s->data);
  if (s->data == reinterpret_cast<char*>(s) + kHeader)  // owned memory
    live_bytes.fetch_sub(static_cast<int64_t>(s->nbytes), std::memory_order_relaxed);
  const int cls = s->size_class;
  s->~Storage();
  free_block(s, cls);
}

void TensorImpl::destroy(TensorImpl* t) { delete t; }

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
