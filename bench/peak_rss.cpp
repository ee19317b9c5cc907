// Peak resident memory of mlp_step: runs kRssSteps SGD steps and prints this process's resident
// memory after loading (before any work) and at its peak (getrusage's ru_maxrss, what
// /usr/bin/time -v reports as "Maximum resident set size"). Built once per library
// (bench_peak_rss_tensorgrad, bench_peak_rss_libtorch), so that neither process loads the other
// library; tensorgrad_bench runs both.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "bench.h"

#if BENCH_LIBTORCH
namespace library = bench::libtorch;
#else
namespace library = bench::tensorgrad;
#endif

namespace {
long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}
}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;  // optional: thread count
  if (!library::has_nn()) {
    std::printf("%s: mlp_step is not built (no nn/optim)\n", library::kName);
    return 1;
  }
  const long start = max_rss_kib();
  library::run_mlp_steps(bench::kRssSteps, threads > 0 ? threads : 2);
  std::printf("start_kib=%ld peak_kib=%ld\n", start, max_rss_kib());
  return 0;
}
