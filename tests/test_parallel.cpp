// The kernels' parallel regions (src/kernels/parallel.h): every task runs once whatever the team,
// a task's exception comes out of the region, and the team policy of Note [Busy machines]
// shrinks the team after stalls and restores it after the hold.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kernels/parallel.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;
using namespace tg::kernels;

namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// A stall by the policy's measure: the calling thread waited 10 ms at the join after 1 ms of
// work over 4 tasks.
void record_stall(int team) { record_region(team, 1'000'000, 4, 10'000'000); }

}  // namespace

TEST(ParallelRegions, EveryTaskRunsOnceOnAnyTeam) {
  for (int team : {1, 2, 3, 8}) {
    for (int64_t ntasks : {0, 1, 2, 7, 100}) {
      std::vector<std::atomic<int>> runs(static_cast<size_t>(ntasks));
      run_tasks(team, ntasks, [&](int64_t t) {
        if (t % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
        ++runs[static_cast<size_t>(t)];
      });
      for (int64_t t = 0; t < ntasks; ++t)
        EXPECT_EQ(runs[static_cast<size_t>(t)].load(), 1) << "team " << team << ", task " << t;
    }
  }
}

TEST(ParallelRegions, ParallelForCoversTheRangeInPieces) {
  set_num_threads(2);
  for (int64_t n : {int64_t(0), int64_t(5), int64_t(1) << 12, (int64_t(1) << 16) + 3}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    std::atomic<int> pieces{0};
    parallel_for(n, 1024, [&](int64_t begin, int64_t end) {
      EXPECT_LT(begin, end);
      ++pieces;
      for (int64_t i = begin; i < end; ++i) ++hits[static_cast<size_t>(i)];
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << i;
    // Below two grains one piece; above, several (never more than the tasks per thread allow).
    if (n == 0) EXPECT_EQ(pieces.load(), 0);
    if (n > 0 && n < 2048) EXPECT_EQ(pieces.load(), 1);
    if (n >= 2048) {
      EXPECT_GT(pieces.load(), 1);
      EXPECT_LE(pieces.load(), kTasksPerThread * 2);
    }
  }
}

TEST(ParallelRegions, ATaskExceptionLeavesTheRegion) {
  for (int team : {1, 2, 4}) {
    std::atomic<int> ran{0};
    try {
      run_tasks(team, 64, [&](int64_t t) {
        ++ran;
        if (t == 5) throw std::runtime_error("task 5 failed");
      });
      ADD_FAILURE() << "expected the task's exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "task 5 failed");
    }
    EXPECT_GE(ran.load(), 6);
    EXPECT_LE(ran.load(), 64);
  }
}

TEST(ParallelRegions, ATeamShrinksAfterStallsAndGrowsBackAfterTheHold) {
  set_num_threads(4);
  EXPECT_EQ(team_size(), 4);
  // A wait of a few tasks' length, or under the floor, is not a stall.
  record_region(4, 1'000'000, 4, 600'000);
  record_region(4, 40'000, 4, 150'000);
  EXPECT_EQ(team_size(), 4);
  // One stall alone is a hiccup; a second within 100 ms shrinks the team by half.
  record_stall(4);
  EXPECT_EQ(team_size(), 4);
  record_stall(4);
  EXPECT_EQ(team_size(), 2);
  // A stall of the shrunk team halves it again; the team never goes below one thread.
  record_stall(2);
  EXPECT_EQ(team_size(), 1);
  record_stall(1);
  EXPECT_EQ(team_size(), 1);
  // The first hold is 50 ms.
  sleep_ms(120);
  EXPECT_EQ(team_size(), 4);
  // A stall right after the full team is tried again shrinks it at once and doubles the hold:
  // 100 ms.
  record_stall(4);
  sleep_ms(70);
  EXPECT_EQ(team_size(), 2);
  sleep_ms(100);
  EXPECT_EQ(team_size(), 4);
  // Long after the last retry and the last stall, a stall is a hiccup again; a second one starts
  // again from the shortest hold.
  sleep_ms(250);
  record_stall(4);
  EXPECT_EQ(team_size(), 4);
  record_stall(4);
  EXPECT_EQ(team_size(), 2);
  sleep_ms(120);
  EXPECT_EQ(team_size(), 4);
  // Inside a region, a region runs on its own thread.
  std::atomic<int> inner{0};
  run_tasks(2, 2, [&](int64_t) { inner = std::max(inner.load(), team_size()); });
  EXPECT_EQ(inner.load(), 1);
}

TEST(ParallelRegions, TheTeamNeverChangesAResult) {
  // A reduction, a matrix product and a convolution's weight gradient, on teams of 2 and 1 (what
  // a stall shrinks the team to): the same bits.
  set_num_threads(2);
  manual_seed(0);
  const Tensor x = randn({1 << 18}), a = randn({300, 200}), b = randn({200, 100});
  const Tensor img = randn({16, 3, 20, 20}), w = randn({8, 3, 3, 3}, requires_grad());
  auto compute = [&] {
    Tensor gw = autograd::grad({conv2d(img, w).square().sum()}, {w})[0];
    return std::vector<Tensor>{x.sum(), matmul(a, b), gw};
  };
  const std::vector<Tensor> full_team = compute();
  set_num_threads(1);
  const std::vector<Tensor> one_thread = compute();
  for (size_t i = 0; i < full_team.size(); ++i)
    EXPECT_TRUE(equal(full_team[i], one_thread[i])) << "result " << i;
}
