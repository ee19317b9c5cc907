// The machine's limits, measured in the same run as the workloads: the bandwidth of a plain copy
// (what an elementwise op that streams memory can at best reach) and oneDNN's sgemm rate on the
// matmul workload's matrices (what a GEMM through oneDNN can at best reach). Neither uses
// tensorgrad or libtorch.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench.h"
#include "sgemm.h"

namespace bench {
namespace {

using benchmark::Counter;

// Copies one elementwise operand (2^24 floats) with memcpy, split across the threads; counts the
// bytes read plus the bytes written.
void copy_bandwidth(benchmark::State& state, int threads) {
  const size_t bytes = kElementwiseNumel * sizeof(float);
  std::vector<char> src(bytes, 1), dst(bytes, 0);  // touched, so no page faults are timed
  for (auto _ : state) {
#pragma omp parallel num_threads(threads)
    {
      const size_t parts = static_cast<size_t>(omp_get_num_threads());
      const size_t part = static_cast<size_t>(omp_get_thread_num());
      const size_t begin = bytes / parts * part;
      const size_t end = part + 1 == parts ? bytes : bytes / parts * (part + 1);
      std::memcpy(dst.data() + begin, src.data() + begin, end - begin);
    }
    benchmark::ClobberMemory();
  }
  state.counters["bytes"] =
      Counter(2.0 * bytes, Counter::kIsIterationInvariantRate, Counter::kIs1024);
}

// The same copy, but each iteration copies between the next two of 16 such buffers (1 GiB in
// all), so that neither is still in the last-level cache: the bandwidth of main memory. On a
// machine whose cache holds the two buffers of copy_bandwidth, this one is the lower figure.
void copy_bandwidth_uncached(benchmark::State& state, int threads) {
  const size_t bytes = kElementwiseNumel * sizeof(float);
  std::vector<std::vector<char>> buffers;
  for (int i = 0; i < 16; ++i) buffers.emplace_back(bytes, static_cast<char>(i));
  size_t next = 0;
  for (auto _ : state) {
    const char* src = buffers[next].data();
    char* dst = buffers[next + 1].data();
    next = (next + 2) % buffers.size();
#pragma omp parallel num_threads(threads)
    {
      const size_t parts = static_cast<size_t>(omp_get_num_threads());
      const size_t part = static_cast<size_t>(omp_get_thread_num());
      const size_t begin = bytes / parts * part;
      const size_t end = part + 1 == parts ? bytes : bytes / parts * (part + 1);
      std::memcpy(dst + begin, src + begin, end - begin);
    }
    benchmark::ClobberMemory();
  }
  state.counters["bytes"] =
      Counter(2.0 * bytes, Counter::kIsIterationInvariantRate, Counter::kIs1024);
}

// dnnl_sgemm on preallocated kMatmulN x kMatmulN matrices: C = A B.
void sgemm(benchmark::State& state, int threads) {
  Sgemm product(kMatmulN, threads);
  for (auto _ : state) {
    if (!product.run()) {
      state.SkipWithError("dnnl_sgemm failed");
      break;
    }
    benchmark::DoNotOptimize(product.result());
  }
  state.counters["flops"] = Counter(product.flops(), Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_machine_limits(int threads) {
  benchmark::RegisterBenchmark("limit_copy/machine", copy_bandwidth, threads)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("limit_copy_uncached/machine", copy_bandwidth_uncached, threads)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("limit_sgemm/machine", sgemm, threads)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace bench
