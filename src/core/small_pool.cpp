#include "core/small_pool.h"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace tg::detail {

namespace {

// Note [Small-object pool]
// Every recorded op makes a TensorImpl, its AutogradMeta and a Node, and backward frees them
// again, thousands per graph. Blocks of up to 512 bytes are rounded up to a multiple of 16 and,
// when freed, kept on a per-thread free list of their size for the next object: a push or a
// pop instead of malloc's bins, and the objects of one graph stay close together in memory.
// A block freed on another thread joins that thread's list. Each list keeps at most
// kMaxCachedBytes, so memory held back after a large graph stays bounded; the rest goes back to
// malloc, as does everything when the thread exits.
constexpr size_t kGranule = 16;
constexpr size_t kMaxPooled = 512;
constexpr size_t kNumClasses = kMaxPooled / kGranule;
constexpr size_t kMaxCachedBytes = size_t(4) << 20;

struct FreeBlock {
  FreeBlock* next;
};

// Trivially destructible, so it stays usable while other thread-locals are destroyed.
struct FreeLists {
  FreeBlock* head[kNumClasses];
  uint32_t count[kNumClasses];
  bool alive;     // the drainer below is registered and has not run
  bool finished;  // the drainer has run: frees go straight to malloc
};
thread_local FreeLists lists;

struct Drainer {
  bool constructed = false;
  ~Drainer() {
    lists.alive = false;
    lists.finished = true;
    for (size_t c = 0; c < kNumClasses; ++c) {
      while (FreeBlock* b = lists.head[c]) {
        lists.head[c] = b->next;
        std::free(b);
      }
      lists.count[c] = 0;
    }
  }
};
thread_local Drainer drainer;

size_t class_of(size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }

// Whether this thread's lists take blocks; registers their draining at thread exit.
bool lists_ready() {
  if (!lists.alive && !lists.finished) {
    drainer.constructed = true;  // the first use of a thread_local constructs it
    lists.alive = true;
  }
  return lists.alive;
}

}  // namespace

void* pool_allocate(size_t bytes) {
  if (kExactBlocks || bytes > kMaxPooled || bytes == 0) return ::operator new(bytes);
  const size_t c = class_of(bytes);
  if (FreeBlock* b = lists.head[c]) {
    lists.head[c] = b->next;
    --lists.count[c];
    return b;
  }
  void* p = std::malloc((c + 1) * kGranule);
  if (!p) throw std::bad_alloc();
  return p;
}

void pool_free(void* p, size_t bytes) noexcept {
  if (!p) return;
  if (kExactBlocks || bytes > kMaxPooled || bytes == 0) {
    ::operator delete(p);
    return;
  }
  const size_t c = class_of(bytes);
  if (lists_ready() && (lists.count[c] + 1) * (c + 1) * kGranule <= kMaxCachedBytes) {
    auto* b = static_cast<FreeBlock*>(p);
    b->next = lists.head[c];
    lists.head[c] = b;
    ++lists.count[c];
    return;
  }
  std::free(p);
}

}  // namespace tg::detail
