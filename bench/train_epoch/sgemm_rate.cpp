// oneDNN's raw sgemm rate on 1024 x 1024 matrices (as the suite's limit_sgemm measures it), the
// ceiling against which scripts/bench_train.sh puts an epoch's GFLOP/s.
//
//   sgemm_rate --threads 2
//
// prints one line: "SGEMM threads=... gflops=...", the median of 5 repetitions of at least
// 0.2 s each, after one product to warm up (as the suite's Google Benchmark method).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../sgemm.h"

int main(int argc, char** argv) {
  int threads = 1;
  if (argc == 3 && std::string(argv[1]) == "--threads") threads = std::atoi(argv[2]);
  if (argc != 3 || threads < 1) {
    std::fprintf(stderr, "sgemm_rate: --threads N (N >= 1)\n");
    return 2;
  }
  constexpr long kN = 1024;
  constexpr int kRepetitions = 5;
  constexpr double kMinSeconds = 0.2;
  bench::Sgemm product(kN, threads);
  if (!product.run()) {
    std::fprintf(stderr, "sgemm_rate: dnnl_sgemm failed\n");
    return 1;
  }
  std::vector<double> rates;
  for (int r = 0; r < kRepetitions; ++r) {
    const auto start = std::chrono::steady_clock::now();
    double seconds = 0;
    long products = 0;
    do {
      if (!product.run()) {
        std::fprintf(stderr, "sgemm_rate: dnnl_sgemm failed\n");
        return 1;
      }
      ++products;
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (seconds < kMinSeconds);
    rates.push_back(product.flops() * double(products) / seconds * 1e-9);
  }
  std::nth_element(rates.begin(), rates.begin() + kRepetitions / 2, rates.end());
  std::printf("SGEMM threads=%d gflops=%.1f\n", threads, rates[kRepetitions / 2]);
  return 0;
}
