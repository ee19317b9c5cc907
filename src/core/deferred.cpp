// Note [Deferred elementwise chains]
// tanh(x * 2 + 1) computed op by op makes three passes over memory forward (each reads a large
// array and writes one) and as many backward. The values of an elementwise op on a large
// contiguous Float or Double tensor are therefore computed only when something needs them:
//
//   - The op (detail::map, and the op table's rows) returns a tensor whose storage has no buffer
//     yet; Storage::deferred holds what computes it: a loop over a range of elements (ChunkFn)
//     and the storages it reads, which may themselves be deferred.
//   - Whatever reads or writes the data goes through TensorImpl::data_bytes(), which settles
//     the storage first (settle below): the deferred ops that lead to it, a graph of at most
//     kMaxNodes ops, run as one pass over kChunk-element pieces, each op writing its piece to a
//     buffer that stays in cache, while the next piece of the inputs is prefetched. Only the
//     storage asked for, and the deferred ones that something else still holds (a tensor, a saved
//     tensor, another deferred op), are written to memory, and only they get a buffer:
//     intermediates that nothing else holds are never written and take no memory.
//   - The backward of these ops is made of the same ops, so gradient chains defer as well: for
//     tanh(x * 2 + 1), forward and backward read x and the seed gradient and write y and the
//     gradient, four passes where eleven were made.
//
// The values are exactly those of the ops run one by one: each op runs the loop its eager form
// runs (kernels::flat_*_vectorised, the op table's vector loops), whose elements do not depend on
// where a range starts, in the same order.
//
// What keeps it exact when the inputs change:
//   - A deferred op holds its inputs' storages, and each of them counts it as a reader. Reading
//     or writing a storage that has readers settles the readers first, so an in-place op on x
//     after y = x * 2 cannot change y.
//   - A pointer to the data that leaves the library (data_ptr, from_blob) marks the storage
//     exposed: the caller may write through it at any time, so no op defers reading it.
//   - Errors are raised when the op is called: only Float and Double ops defer, whose loops
//     cannot fail.
// A global (recursive) mutex orders settling, registering and forgetting; the fast path, a
// settled storage, takes no lock.
#include "core/deferred.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "kernels/parallel.h"

namespace tg {
namespace detail {

namespace {

// Below this many elements a tensor stays in cache between two ops, and deferring saves little.
constexpr int64_t kMinNumel = int64_t(1) << 16;
// A graph settled in one pass has at most this many ops (counted along every path); a longer
// chain settles its inputs first.
constexpr int kMaxNodes = 16;
// Elements of each op computed at a time: 32 KiB of floats, so a graph's buffers stay in L2
// (4,096 and 16,384 measured the same for tanh(x * 2 + 1), 2,048 17% slower).
constexpr int64_t kChunk = 8192;

bool fusion_from_environment() {
  const char* v = std::getenv("TG_FUSION");
  return v == nullptr || std::strcmp(v, "0") != 0;
}
std::atomic<bool> fusion_on{fusion_from_environment()};

// Both live until exit, never destroyed: a tensor destroyed at exit may still be deferred.
std::recursive_mutex& deferred_mutex() {
  static auto* m = new std::recursive_mutex();
  return *m;
}

// For each storage that deferred ops read, the storages those ops will compute.
std::unordered_map<const Storage*, std::vector<Storage*>>& readers_of() {
  static auto* readers = new std::unordered_map<const Storage*, std::vector<Storage*>>();
  return *readers;
}

}  // namespace

struct Deferred {
  struct Input {
    StoragePtr storage;
    int64_t offset = 0;  // in elements
  };
  ScalarType dtype = kFloat;
  int64_t numel = 0;
  int nodes = 1;  // ops in its graph, counted along every path
  std::vector<Input> inputs;
  ChunkFn fn;
};

namespace {

/// Unregisters `owner` from what its op reads and frees the op (which may free deferred
/// storages only it held, through forget). Under the mutex.
void release(Deferred* d, Storage* owner) {
  for (const Deferred::Input& in : d->inputs) {
    auto it = readers_of().find(in.storage.get());
    if (it == readers_of().end()) continue;
    auto& list = it->second;
    list.erase(std::find(list.begin(), list.end(), owner));
    in.storage->deferred_readers.fetch_sub(1, std::memory_order_release);
    if (list.empty()) readers_of().erase(it);
  }
  delete d;
}

struct GraphNode {
  Storage* storage;
  Deferred* op;
  int refs_inside = 0;  // references from the graph's other ops
  bool written = false;
};

/// The deferred ops that lead to root, inputs before the ops that read them.
std::vector<GraphNode> collect(Storage& root) {
  std::vector<GraphNode> order;
  std::vector<std::pair<Storage*, size_t>> stack{{&root, 0}};
  std::vector<Storage*> seen{&root};
  while (!stack.empty()) {
    auto& [s, next] = stack.back();
    Deferred* d = s->deferred.load(std::memory_order_acquire);
    if (next < d->inputs.size()) {
      Storage* in = d->inputs[next++].storage.get();
      if (in->deferred.load(std::memory_order_acquire) != nullptr &&
          std::find(seen.begin(), seen.end(), in) == seen.end()) {
        seen.push_back(in);
        stack.emplace_back(in, 0);
      }
      continue;
    }
    order.push_back({s, d});
    stack.pop_back();
  }
  for (GraphNode& n : order)
    for (const Deferred::Input& in : n.op->inputs)
      for (GraphNode& m : order)
        if (m.storage == in.storage.get()) ++m.refs_inside;
  return order;
}

/// Runs the graph that leads to root in one pass and writes root, and every op of it that
/// something outside the graph holds, to its storage. Under the mutex.
void compute(Storage& root) {
  std::vector<GraphNode> graph = collect(root);
  const Deferred& top = *graph.back().op;
  const size_t esize = element_size(top.dtype);
  // Each op that is not written computes its piece into a buffer of its own. The written ones
  // store straight to memory: streaming them from a buffer (Note [Streaming stores] in
  // kernels/loop.h) made tanh(x * 2 + 1) forward and backward slower, 13.1 ms against 11.6.
  int buffers = 0;
  std::vector<int> buffer_of(graph.size(), -1);
  for (size_t i = 0; i < graph.size(); ++i) {
    GraphNode& n = graph[i];
    n.written = n.storage == &root ||
                n.storage->refcount_.load(std::memory_order_acquire) > uint32_t(n.refs_inside);
    if (n.written)
      n.storage->allocate_data();
    else
      buffer_of[i] = buffers++;
  }
  // Where each op's inputs come from: an earlier op of the graph, or memory.
  struct Source {
    int op = -1;
    const char* memory = nullptr;
  };
  std::vector<std::array<Source, 2>> sources(graph.size());
  std::vector<const char*> memory_inputs;
  for (size_t i = 0; i < graph.size(); ++i) {
    for (size_t k = 0; k < graph[i].op->inputs.size(); ++k) {
      const Deferred::Input& input = graph[i].op->inputs[k];
      size_t j = 0;
      while (j < i && graph[j].storage != input.storage.get()) ++j;
      if (j < i) {
        sources[i][k].op = static_cast<int>(j);
      } else {
        sources[i][k].memory = static_cast<const char*>(input.storage->data) +
                               input.offset * static_cast<int64_t>(esize);
        memory_inputs.push_back(sources[i][k].memory);
      }
    }
  }
  const int64_t chunks = (top.numel + kChunk - 1) / kChunk;
  kernels::parallel_for(chunks, 1, [&](int64_t first, int64_t last) {
    thread_local std::vector<char> scratch;
    scratch.resize(static_cast<size_t>(buffers) * kChunk * esize + 64);
    char* buffer0 = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) &
                                            ~uintptr_t(63));
    std::vector<char*> out(graph.size());
    for (int64_t c = first; c < last; ++c) {
      const int64_t begin = c * kChunk, n = std::min(kChunk, top.numel - begin);
      // The next piece of what is read from memory, asked for while this one computes.
      if (c + 1 < last)
        for (const char* m : memory_inputs)
          for (int64_t b = (begin + kChunk) * int64_t(esize),
                       e = std::min(begin + 2 * kChunk, top.numel) * int64_t(esize);
               b < e; b += 64)
            __builtin_prefetch(m + b);
      for (size_t i = 0; i < graph.size(); ++i) {
        const GraphNode& node = graph[i];
        out[i] = node.written ? static_cast<char*>(node.storage->data) + begin * esize
                              : buffer0 + buffer_of[i] * kChunk * esize;
        const char* in[2] = {nullptr, nullptr};
        for (size_t k = 0; k < node.op->inputs.size(); ++k) {
          const Source& from = sources[i][k];
          in[k] = from.op >= 0 ? out[size_t(from.op)] : from.memory + begin * int64_t(esize);
        }
        node.op->fn(out[i], in, n);
      }
    }
  });
  // Settled storages first, then free their ops: freeing may cascade to the unwritten ones.
  std::vector<std::pair<Deferred*, Storage*>> done;
  for (GraphNode& n : graph)
    if (n.written) done.emplace_back(n.storage->deferred.exchange(nullptr), n.storage);
  for (auto [d, s] : done) release(d, s);
}

}  // namespace

void settle(const Storage& storage) {
  std::lock_guard<std::recursive_mutex> guard(deferred_mutex());
  auto& s = const_cast<Storage&>(storage);
  if (s.deferred.load(std::memory_order_acquire) != nullptr) compute(s);
  // Each settling unregisters that reader; a reader freed meanwhile has unregistered itself.
  for (auto it = readers_of().find(&s); it != readers_of().end(); it = readers_of().find(&s))
    compute(*it->second.back());
}

void forget_deferred(Storage& s) {
  std::lock_guard<std::recursive_mutex> guard(deferred_mutex());
  if (Deferred* d = s.deferred.exchange(nullptr)) release(d, &s);
}

bool can_defer(ScalarType t, std::initializer_list<const Tensor*> inputs) {
  if (!fusion_on.load(std::memory_order_relaxed) || (t != kFloat && t != kDouble)) return false;
  const int64_t numel = (*inputs.begin())->numel();
  if (numel < kMinNumel) return false;
  for (const Tensor* t_in : inputs) {
    const TensorImpl& in = *t_in->unsafeGetTensorImpl();
    if (in.dtype != t || in.numel != numel || !in.is_contiguous() ||
        in.storage->exposed.load(std::memory_order_relaxed))
      return false;
    // A deferred input is read whole: a view into part of one settles it instead.
    if (in.storage->deferred.load(std::memory_order_acquire) != nullptr &&
        (in.offset != 0 || in.storage->nbytes != size_t(numel) * element_size(t)))
      return false;
  }
  return true;
}

Tensor defer(ScalarType t, std::initializer_list<const Tensor*> inputs, ChunkFn fn) {
  int nodes = 1;
  for (const Tensor* in : inputs)
    if (Deferred* d = in->unsafeGetTensorImpl()->storage->deferred.load(std::memory_order_acquire))
      nodes += d->nodes;
  if (nodes > kMaxNodes) {
    for (const Tensor* in : inputs) settle(*in->unsafeGetTensorImpl()->storage);
    nodes = 1;
  }
  const Tensor& first = **inputs.begin();
  Tensor out = make_empty(first.sizes(), t, /*allocate=*/false);
  Storage* target = out.unsafeGetTensorImpl()->storage.get();
  auto op = std::make_unique<Deferred>();
  op->dtype = t;
  op->numel = first.numel();
  op->nodes = nodes;
  op->fn = std::move(fn);
  std::lock_guard<std::recursive_mutex> guard(deferred_mutex());
  for (const Tensor* in : inputs) {
    const TensorImpl& impl = *in->unsafeGetTensorImpl();
    op->inputs.push_back({impl.storage, impl.offset});
    readers_of()[impl.storage.get()].push_back(target);
    impl.storage->deferred_readers.fetch_add(1, std::memory_order_release);
  }
  target->deferred.store(op.release(), std::memory_order_release);
  return out;
}

}  // namespace detail

void set_fusion_enabled(bool on) { detail::fusion_on.store(on, std::memory_order_relaxed); }
bool fusion_enabled() { return detail::fusion_on.load(std::memory_order_relaxed); }

}  // namespace tg
