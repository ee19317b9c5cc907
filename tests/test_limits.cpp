// Scale and limits: tensors of more than 2^31 elements index with int64 arithmetic, a
// million-node graph builds, runs backward and is freed in a small, bounded stack, and an
// allocation that cannot succeed throws tg::Error naming the size instead of crashing.
#include <gtest/gtest.h>
#include <pthread.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <fstream>
#include <functional>
#include <string>

#include "expect_error.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

// Under AddressSanitizer an impossible allocation must return null (which tensorgrad turns into
// tg::Error) instead of aborting the process: this is what the allocator does without ASan.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

namespace {

constexpr int64_t k2To31 = int64_t(1) << 31;

/// Runs f on a thread whose stack is `stack_bytes` (std::thread cannot choose its stack size),
/// and rethrows what f threw.
void run_with_stack(size_t stack_bytes, const std::function<void()>& f) {
  struct Job {
    const std::function<void()>* f;
    std::exception_ptr error;
  } job{&f, nullptr};
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t thread;
  const int rc = pthread_create(
      &thread, &attr,
      [](void* p) -> void* {
        auto* j = static_cast<Job*>(p);
        try {
          (*j->f)();
        } catch (...) {
          j->error = std::current_exception();
        }
        return nullptr;
      },
      &job);
  pthread_attr_destroy(&attr);
  ASSERT_EQ(rc, 0);
  pthread_join(thread, nullptr);
  if (job.error) std::rethrow_exception(job.error);
}

constexpr size_t kSmallStack = 256 * 1024;

}  // namespace

// ---- more than 2^31 elements ----

TEST(Limits, BoolTensorPast2To31ElementsIndexesWithInt64) {
  const int64_t n = k2To31 + 10;  // 2 GiB + 10 bytes of kBool
  Tensor x = zeros({n}, kBool);
  ASSERT_EQ(x.numel(), n);
  ASSERT_EQ(x.nbytes(), static_cast<size_t>(n));
  // Writes past 2^31 through three kinds of views: narrow, select (x[i]) and a strided slice.
  x.narrow(0, n - 3, 1).fill_(true);
  x[k2To31 + 1].fill_(true);
  x.slice(0, k2To31 + 4, k2To31 + 9, 4).fill_(true);  // k2To31 + 4 and k2To31 + 8
  x[k2To31 - 1].fill_(true);                          // just below the boundary
  // A wrapped 32-bit offset would have written near the start (or crashed): it stays zero.
  const bool* p = x.data_ptr<bool>();
  EXPECT_TRUE(p[n - 3]);
  EXPECT_TRUE(p[k2To31 + 1]);
  EXPECT_TRUE(p[k2To31 + 4]);
  EXPECT_TRUE(p[k2To31 + 8]);
  EXPECT_TRUE(p[k2To31 - 1]);
  EXPECT_FALSE(p[k2To31 + 5]);
  for (int64_t i = 0; i < 16; ++i) EXPECT_FALSE(p[i]) << i;
  // Reads through views and a full reduction (bool sums to Long) agree.
  EXPECT_EQ(x.sum().item<int64_t>(), 5);
  EXPECT_EQ(x.narrow(0, k2To31, 10).sum().item<int64_t>(), 4);
  EXPECT_TRUE(x[n - 3].item<bool>());
  EXPECT_FALSE(x[-1].item<bool>());
  EXPECT_TRUE(x[-3].item<bool>());
  // Two dims, each below 2^31, whose flat offsets are beyond it: row 1 starts at n / 2 = 2^30 + 5
  // and holds all five set elements; its last 8 hold n - 6, n - 3 and n - 2.
  Tensor m = x.view({2, n / 2});
  EXPECT_TRUE(m[1][n / 2 - 3].item<bool>());
  EXPECT_TRUE(m.t()[n / 2 - 3][1].item<bool>());
  EXPECT_EQ(m.select(0, 1).narrow(0, n / 2 - 8, 8).sum().item<int64_t>(), 3);
  Tensor rows = m.sum(1);
  EXPECT_EQ(rows[0].item<int64_t>(), 0);
  EXPECT_EQ(rows[1].item<int64_t>(), 5);
  // An elementwise kernel over a window past 2^31 (strided and offset).
  Tensor w = x.slice(0, k2To31, n, 2);  // k2To31 + {0, 2, 4, 6, 8}
  EXPECT_EQ(w.numel(), 5);
  EXPECT_EQ(w.eq(true).sum().item<int64_t>(), 2);
}

// ---- a million-node graph in a small stack ----

TEST(Limits, MillionNodeGraphBuildsRunsBackwardAndFreesIn256KiBStack) {
  // 256 KiB holds a few thousand frames at most: any recursion over the graph's depth (in
  // building, in the engine, or in the destructors) overflows it and crashes.
  run_with_stack(kSmallStack, [] {
    Tensor x = tensor({1.0}, kDouble).requires_grad_();
    Tensor y = x;
    for (int i = 0; i < 1000000; ++i) y = y * 1.000001;
    EXPECT_EQ(y.grad_fn()->name(), "MulBackward1");
    y.backward();
    // d/dx of x * c^n is c^n = exp(n log c).
    EXPECT_NEAR(x.grad().item<double>(), std::exp(1e6 * std::log1p(1e-6)), 1e-9);
    y = Tensor();  // frees the graph: a million nodes, each owning the next
  });
}

TEST(Limits, DeepGraphsAreFreedIterativelyInASmallStack) {
  run_with_stack(kSmallStack, [] {
    Tensor x = tensor({2.0}, kDouble).requires_grad_();
    // Never run: destroyed from the root.
    {
      Tensor y = x;
      for (int i = 0; i < 300000; ++i) y = y + 1.0;
    }
    // Run with retain_graph (the saved tensors stay alive), run again, then dropped.
    {
      Tensor y = x;
      for (int i = 0; i < 300000; ++i) y = y * 1.0;
      y.backward({}, /*retain_graph=*/true);
      y.backward();
      EXPECT_EQ(x.grad().item<double>(), 2.0);
    }
    // A deep graph with a branch at every level: two paths into every node.
    {
      x.mutable_grad() = Tensor();
      Tensor y = x;
      for (int i = 0; i < 100000; ++i) y = (y + y) * 0.5;
      y.backward();
      EXPECT_EQ(x.grad().item<double>(), 1.0);
    }
    // grad() with create_graph builds a second deep graph (the gradient depends on x at every
    // level), which is freed as well.
    {
      Tensor y = x;
      for (int i = 0; i < 50000; ++i) y = y * x / x;
      variable_list g = autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true);
      EXPECT_EQ(g[0].item<double>(), 1.0);
      EXPECT_TRUE(g[0].requires_grad());
    }
  });
}

// ---- allocations that cannot succeed ----

TEST(Limits, ImpossibleAllocationThrowsWithTheRequestedSize) {
  // 2^47 floats = 512 TiB: beyond the 128 TiB of user address space on x86-64, so it fails
  // whatever the overcommit policy; the message names the byte count.
  const int64_t huge = int64_t(1) << 47;
  const MemoryStats before = memory_stats();
  EXPECT_ERROR(empty({huge}), "out of memory", "562949953421312 bytes");
  EXPECT_ERROR(zeros({huge, 1}), "out of memory", "562949953421312 bytes");
  EXPECT_ERROR(ones({1, huge}, kFloat), "out of memory", "562949953421312");
  EXPECT_ERROR(full({huge}, 2.5), "out of memory", "562949953421312");
  EXPECT_ERROR(randn({huge}), "out of memory", "562949953421312");
  EXPECT_ERROR(empty({int64_t(1) << 45}, kDouble), "out of memory", "281474976710656 bytes");
  // An op whose output is what cannot be allocated: the inputs are untouched.
  Tensor small = ones({1 << 24}, requires_grad());
  const uint32_t version = small._version();
  EXPECT_ERROR(small.expand({1 << 24, 1 << 24}).contiguous(), "out of memory",
               "1125899906842624 bytes");
  EXPECT_ERROR(small.repeat({1 << 24}), "out of memory", "1125899906842624 bytes");
  EXPECT_EQ(small._version(), version);
  EXPECT_FALSE(small.grad().defined());
  // Nothing leaked into the live-byte count.
  EXPECT_EQ(memory_stats().current_bytes - before.current_bytes,
            static_cast<int64_t>(small.nbytes()));
}

TEST(Limits, AllocationOfMoreThanTheMachineThrowsWhereOvercommitIsHeuristic) {
  // The brief's 2^40 floats (4 TiB): more than RAM + swap, which Linux's default (heuristic)
  // overcommit refuses. Where overcommit is "always" (1) the kernel would hand out the address
  // space and only fail on first touch, so the check only makes sense under 0 or 2.
  std::ifstream policy("/proc/sys/vm/overcommit_memory");
  int mode = -1;
  policy >> mode;
  if (mode == 1) GTEST_SKIP() << "vm.overcommit_memory = 1: allocations never fail up front";
  EXPECT_ERROR(empty({int64_t(1) << 40}), "out of memory", "4398046511104 bytes");
  EXPECT_ERROR(empty({int64_t(1) << 40}, kDouble), "out of memory", "8796093022208 bytes");
}

TEST(Limits, SizesWhoseByteCountOverflowsThrow) {
  // numel fits in int64 but numel * 8 bytes does not: a wrapped byte count would have
  // allocated a tiny buffer for a huge tensor.
  EXPECT_ERROR(empty({int64_t(1) << 61}, kDouble), "empty", "overflows");
  EXPECT_ERROR(zeros({int64_t(1) << 61}, kDouble), "empty", "overflows");
  EXPECT_ERROR(ones({int64_t(1) << 62, 4}, kFloat), "empty", "overflows");
  // numel itself overflows.
  EXPECT_ERROR(empty({int64_t(1) << 32, int64_t(1) << 32}, kBool), "empty", "overflows");
  EXPECT_ERROR(empty({int64_t(1) << 62, 3, 5}), "empty", "overflows");
  // 2^62 bytes of kBool fits int64 but not in any memory.
  EXPECT_ERROR(empty({int64_t(1) << 62}, kBool), "allocate");
  // A view whose element count overflows int64.
  EXPECT_ERROR(ones({1, 1}).expand({int64_t(1) << 62, int64_t(1) << 62}), "overflows");
}

TEST(Limits, InteropThreadsAreSetOnceAndPositive) {
  EXPECT_ERROR(tg::set_num_interop_threads(0), "set_num_interop_threads", "positive", "0");
  tg::set_num_interop_threads(3);
  EXPECT_EQ(tg::get_num_interop_threads(), 3);
  EXPECT_ERROR(tg::set_num_interop_threads(2), "set_num_interop_threads", "only be set once");
}
