// Threads: independent graphs in parallel, concurrent backward into shared leaves, per-thread
// grad mode, OpenMP kernels called from several threads at once, and the worker threads of the
// data loaders (and the preloaders of chunk datasets).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

namespace {
constexpr int kThreads = 8;
constexpr int kRepetitions = 50;

template <class F>
void run_threads(int n, F f) {
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) threads.emplace_back(f, t);
  for (auto& th : threads) th.join();
}
}  // namespace

TEST(Threads, IndependentGraphsInParallel) {
  std::atomic<int> wrong{0};
  run_threads(kThreads, [&](int t) {
    for (int r = 0; r < kRepetitions; ++r) {
      Tensor x = full({3, 4}, double(t + 1), kDouble).requires_grad_();
      Tensor y = (x * x * 3 + x).sum(1).mean();  // d/dx = (6x + 1) / 3
      y.backward();
      const double expected = (6.0 * (t + 1) + 1) / 3;
      const double* g = x.grad().data_ptr<double>();
      for (int i = 0; i < 12; ++i)
        if (std::abs(g[i] - expected) > 1e-12) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Threads, ConcurrentBackwardIntoSharedLeavesAccumulatesExactly) {
  Tensor w = ones({16}, kDouble).requires_grad_();
  Tensor b = zeros({16}, kDouble).requires_grad_();
  run_threads(kThreads, [&](int t) {
    for (int r = 0; r < kRepetitions; ++r) {
      Tensor y = (w * double(t + 1) + b).sum();
      y.backward();
    }
  });
  // Each thread adds (t + 1) to every element of w.grad, kRepetitions times.
  double expected = 0;
  for (int t = 0; t < kThreads; ++t) expected += (t + 1) * kRepetitions;
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(w.grad().data_ptr<double>()[i], expected);
    EXPECT_EQ(b.grad().data_ptr<double>()[i], double(kThreads * kRepetitions));
  }
}

TEST(Threads, SharedGraphWithRetainGraphFromManyThreads) {
  Tensor x = tensor({2.0}, kDouble).requires_grad_();
  Tensor y = x * x * x;  // one graph, backward from every thread
  std::atomic<int> wrong{0};
  run_threads(kThreads, [&](int) {
    for (int r = 0; r < kRepetitions; ++r) {
      auto g = autograd::grad({y}, {x}, {}, /*retain_graph=*/true);
      if (g[0].item<double>() != 12.0) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Threads, GradModeIsPerThread) {
  std::atomic<bool> inner_enabled{false};
  NoGradGuard guard;
  std::thread other([&] { inner_enabled = GradMode::is_enabled(); });
  other.join();
  EXPECT_TRUE(inner_enabled.load());
  EXPECT_FALSE(GradMode::is_enabled());
}

TEST(Threads, ParallelKernelsFromSeveralThreads) {
  // Large enough to take the OpenMP path inside each call.
  const int64_t n = 1 << 18;
  std::atomic<int> wrong{0};
  run_threads(4, [&](int t) {
    for (int r = 0; r < 5; ++r) {
      Tensor a = full({n}, double(t), kDouble);
      Tensor s = (a * 2 + 1).sum();
      if (s.item<double>() != double(n) * (2 * t + 1)) ++wrong;
      Tensor m = matmul(ones({64, 64}), full({64, 64}, float(t)));
      if (m[3][5].item<float>() != 64.f * t) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Threads, MatmulAndConvolutionGradientsFromSeveralThreads) {
  // Both split their work into tasks run by OpenMP threads (Note [Deterministic GEMM], Note
  // [Convolution in batch chunks]), and each call must give the bits of a call made alone.
  manual_seed(3);
  const Tensor a = randn({256, 256}), b = randn({256, 256});
  const Tensor x = randn({64, 8, 14, 14}), w = randn({16, 8, 3, 3});
  auto weight_grad = [&] {
    Tensor wv = w.clone().requires_grad_();
    conv2d(x, wv, {}, 1, 1).sum().backward();
    return wv.grad();
  };
  const Tensor product = matmul(a, b), gradient = weight_grad();
  std::atomic<int> wrong{0};
  run_threads(4, [&](int) {
    for (int r = 0; r < 3; ++r) {
      if (!equal(matmul(a, b), product)) ++wrong;
      if (!equal(weight_grad(), gradient)) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

// ---- the worker threads of the libtorch-style data loaders ----

namespace {

/// 1 + index; get may be called from several workers at once.
struct Numbers : data::datasets::Dataset<Numbers, int> {
  explicit Numbers(size_t n = 100) : n(n) {}
  int get(size_t index) override { return 1 + static_cast<int>(index); }
  std::optional<size_t> size() const override { return n; }
  size_t n;
};

/// A gate that a test opens once: threads wait at it (at most 10 s, so a failing test ends).
struct Gate {
  void wait() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(10), [this] { return open; });
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      open = true;
    }
    cv.notify_all();
  }
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
};

}  // namespace

// The flush mode is per thread: it must reach the OpenMP threads that run the kernel's chunks,
// those of the team when it was set and those the team gains after.
TEST(Threads, DeferredResultsSharedBetweenThreads) {
  // Note [Deferred elementwise chains]: several threads settle the same deferred tensors, and
  // write an input that another thread's deferred ops read, at once.
  const int64_t n = 1 << 17;
  std::atomic<int> wrong{0};
  for (int r = 0; r < 5; ++r) {
    Tensor x = full({n}, 1.0f);
    Tensor y = x * 2 + 1;
    Tensor z = y * y;
    run_threads(4, [&](int t) {
      if (t == 0) {
        Tensor own = full({n}, 2.0f);
        Tensor derived = own * 3;
        own.add_(1);
        if (derived[n - 1].item<float>() != 6.f) ++wrong;
      }
      const Tensor& read = t % 2 ? y : z;
      if (read.sum().item<float>() != float(n) * (t % 2 ? 3.f : 9.f)) ++wrong;
    });
  }
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Threads, FlushDenormalReachesEveryThreadOfTheTeam) {
  const int before = get_num_threads();
  const Tensor tiny = full({1 << 20}, 1e-39f);  // a denormal float, written before the mode is set
  ASSERT_GT(tiny[0].item<float>(), 0.0f);
  set_num_threads(2);
  ASSERT_TRUE(set_flush_denormal(true));
  for (int threads : {2, 4}) {
    set_num_threads(threads);
    EXPECT_EQ((tiny * 1.5).ne(0).sum().item<int64_t>(), 0) << threads << " threads";
  }
  EXPECT_TRUE(set_flush_denormal(false));
  EXPECT_EQ((tiny * 1.5).ne(0).sum().item<int64_t>(), 1 << 20);
  set_num_threads(before);
}

TEST(DataLoaderWorkers, EveryBatchOnceInEveryEpoch) {
  for (size_t workers : {1, 3}) {
    for (bool ordered : {true, false}) {
      auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
          Numbers(100),
          data::DataLoaderOptions(7).workers(workers).enforce_ordering(ordered).drop_last(true));
      for (int epoch = 0; epoch < 3; ++epoch) {
        std::vector<int> seen;
        for (auto& batch : *loader) {
          EXPECT_EQ(batch.size(), 7u);
          seen.insert(seen.end(), batch.begin(), batch.end());
        }
        if (!ordered) std::sort(seen.begin(), seen.end());
        std::vector<int> expected(98);
        std::iota(expected.begin(), expected.end(), 1);
        EXPECT_EQ(seen, expected) << workers << " workers, ordered " << ordered;
      }
    }
  }
}

namespace {
constexpr size_t kReversedBatches = 6;
}  // namespace

TEST(DataLoaderWorkers, EnforceOrderingReordersResults) {
  // Batch i (of n) finishes only after batches i + 1, ..., n - 1: the results arrive in reverse.
  constexpr size_t n = kReversedBatches;
  struct Reverse {
    std::mutex mutex;
    std::condition_variable cv;
    size_t finished = 0;
  };
  struct D : data::datasets::BatchDataset<D, size_t> {
    explicit D(std::shared_ptr<Reverse> r) : r(std::move(r)) {}
    size_t get_batch(ArrayRef<size_t> indices) override {
      const size_t i = indices.front();
      std::unique_lock<std::mutex> lock(r->mutex);
      r->cv.wait_for(lock, std::chrono::seconds(10),
                     [&] { return r->finished == kReversedBatches - 1 - i; });
      ++r->finished;
      r->cv.notify_all();
      return i;
    }
    std::optional<size_t> size() const override { return kReversedBatches; }
    std::shared_ptr<Reverse> r;
  };
  for (bool ordered : {true, false}) {
    auto loader =
        data::make_data_loader(D(std::make_shared<Reverse>()), data::samplers::SequentialSampler(n),
                               data::DataLoaderOptions(1).workers(n).enforce_ordering(ordered));
    std::vector<size_t> out;
    for (size_t value : *loader) out.push_back(value);
    // Without ordering they come as they are pushed, roughly in reverse.
    if (!ordered) std::sort(out.begin(), out.end());
    std::vector<size_t> expected(n);
    std::iota(expected.begin(), expected.end(), size_t{0});
    EXPECT_EQ(out, expected) << "enforce_ordering " << ordered;
  }
}

TEST(DataLoaderWorkers, TimeoutExceptionsAndOneEpochAtATime) {
  // A dataset that waits at a gate: the reader times out.
  struct Blocked : data::datasets::Dataset<Blocked, int> {
    explicit Blocked(std::shared_ptr<Gate> gate) : gate(std::move(gate)) {}
    int get(size_t) override {
      gate->wait();
      return 0;
    }
    std::optional<size_t> size() const override { return 4; }
    std::shared_ptr<Gate> gate;
  };
  auto gate = std::make_shared<Gate>();
  {
    auto loader = data::make_data_loader(
        Blocked(gate), data::DataLoaderOptions().workers(1).timeout(std::chrono::milliseconds(5)));
    auto it = loader->begin();
    EXPECT_ERROR(*it,
                 "Timeout in DataLoader queue while waiting for next batch (timeout was 5 ms)");
    // Work is in flight: no second epoch until this one is over.
    EXPECT_ERROR(loader->begin(),
                 "Attempted to get a new DataLoader iterator while another "
                 "iterator is not yet exhausted");
    gate->release();
  }  // the destructor waits for the batches in flight and stops the worker

  // A dataset that throws: the exception reaches the reader.
  struct Throws : data::datasets::Dataset<Throws, int> {
    int get(size_t index) override {
      if (index == 3) throw std::invalid_argument("no example 3");
      return 0;
    }
    std::optional<size_t> size() const override { return 8; }
  };
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
      Throws(), data::DataLoaderOptions(2).workers(2));
  auto it = loader->begin();
  EXPECT_EQ(it->size(), 2u);
  try {
    ++it;
    ADD_FAILURE() << "expected a WorkerException";
  } catch (const data::WorkerException& e) {
    EXPECT_EQ(std::string(e.what()),
              "Caught exception in DataLoader worker thread. Original message: no example 3");
    EXPECT_THROW(std::rethrow_exception(e.original_exception), std::invalid_argument);
  }
}

TEST(DataLoaderWorkers, StatefulAndChunkDatasetsShareOneDataset) {
  // A thread-safe stateful dataset that ends its epoch after 20 examples.
  struct Twenty : data::datasets::StatefulDataset<Twenty, int> {
    std::optional<int> get_batch(size_t) override {
      std::lock_guard<std::mutex> lock(mutex);
      if (count >= 20) return std::nullopt;
      return count++;
    }
    std::optional<size_t> size() const override { return 20; }
    void reset() override { count = 0; }
    void save(serialize::OutputArchive&) const override {}
    void load(serialize::InputArchive&) override {}
    std::mutex mutex;
    int count = 0;
  };
  auto loader = data::make_data_loader(data::datasets::make_shared_dataset<Twenty>(),
                                       data::DataLoaderOptions().workers(4));
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int> seen(loader->begin(), loader->end());
    std::sort(seen.begin(), seen.end());
    std::vector<int> expected(20);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(seen, expected) << "epoch " << epoch;
  }

  // Chunks read by three preloaders, batches taken by two workers.
  struct Chunks : data::datasets::ChunkDataReader<int> {
    std::vector<int> read_chunk(size_t c) override {
      std::vector<int> chunk(10);
      std::iota(chunk.begin(), chunk.end(), static_cast<int>(c) * 10);
      return chunk;
    }
    size_t chunk_count() override { return 7; }
    void reset() override {}
  };
  auto chunks = data::datasets::make_shared_dataset<data::datasets::ChunkDataset<Chunks>>(
      Chunks(), data::samplers::RandomSampler(0), data::samplers::RandomSampler(0),
      data::datasets::ChunkDatasetOptions(3, 4, 12));
  auto chunk_loader = data::make_data_loader(chunks, data::DataLoaderOptions(4).workers(2));
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<int> seen;
    for (auto& batch : *chunk_loader) seen.insert(seen.end(), batch.begin(), batch.end());
    std::sort(seen.begin(), seen.end());
    std::vector<int> expected(70);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(seen, expected) << "epoch " << epoch;
  }
  // A loader destroyed in the middle of an epoch stops its workers and the preloaders.
  auto early = data::make_data_loader(chunks, data::DataLoaderOptions(4).workers(2));
  EXPECT_EQ(early->begin()->size(), 4u);
}
