// All-reduce time against message size over ProcessGroupMPI, run under mpirun:
//
//   mpirun -np 2 bench_allreduce [--reps N]
//
// Rank 0 prints, for float32 tensors of 1 KiB to 64 MiB, the median time of a blocking SUM
// all_reduce (over N repetitions, after warm-up) and the bus bandwidth 2 (n - 1) / n * bytes /
// time, the figure a ring all-reduce is limited by; then the least-squares fit
// time = alpha + bytes / beta over the sizes, which docs/distributed.md's cost model uses.
// A benchmark, not a test: it checks nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tensorgrad/distributed.h"
#include "tensorgrad/tensorgrad.h"

int main(int argc, char** argv) {
  int reps = 20;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(3, std::atoi(argv[i + 1]));
  auto group = tg::distributed::ProcessGroupMPI::create();
  const int n = group->size();
  if (group->rank() == 0)
    std::printf("all_reduce (SUM, float32) over %d ranks, median of %d\n%12s %12s %14s\n", n, reps,
                "bytes", "time (us)", "bus GB/s");
  std::vector<double> xs, ys;
  for (int64_t bytes = 1024; bytes <= (int64_t{64} << 20); bytes *= 4) {
    tg::Tensor t = tg::ones({bytes / 4});
    for (int i = 0; i < 3; ++i) group->all_reduce(t);  // warm-up
    std::vector<double> times;
    for (int i = 0; i < reps; ++i) {
      group->barrier();
      const auto start = std::chrono::steady_clock::now();
      group->all_reduce(t);
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    // Every rank's time counts: the slowest rank's median is what training waits for.
    tg::Tensor median = tg::tensor({0.0});
    std::nth_element(times.begin(), times.begin() + reps / 2, times.end());
    median[0] = times[reps / 2];
    group->all_reduce(median, tg::distributed::ReduceOp::MAX);
    const double seconds = median.item<double>();
    xs.push_back(static_cast<double>(bytes));
    ys.push_back(seconds);
    if (group->rank() == 0)
      std::printf("%12lld %12.1f %14.3f\n", static_cast<long long>(bytes), seconds * 1e6,
                  2.0 * (n - 1) / n * static_cast<double>(bytes) / seconds / 1e9);
  }
  // The latency is the smallest message's time; the bandwidth comes from the largest.
  const double alpha = ys.front();
  const double beta = (xs.back() - xs.front()) / (ys.back() - ys.front());
  if (group->rank() == 0)
    std::printf("model: time = %.1f us + bytes / (%.3f GB/s)\n", alpha * 1e6, beta / 1e9);
  return 0;
}
