// Threads: independent graphs in parallel, concurrent backward into shared leaves, per-thread
// grad mode, and OpenMP kernels called from several threads at once.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

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
  // [Deterministic convolution]), and each call must give the bits of a call made alone.
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
