#pragma once
// Declarations shared by the benchmark suite's translation units. The workloads live in
// workloads.cpp, which is compiled once against tensorgrad and, when libtorch is installed, once
// more against libtorch; the two compilations define the same functions in different namespaces
// (bench::tensorgrad and bench::libtorch), so both link into one binary and run in one process.
#include <string>

namespace bench {

// Sizes fixed by the workload definitions (docs/benchmarks.md).
inline constexpr int kChainOps = 10000;              // scalar_chain: ops per iteration
inline constexpr long kElementwiseNumel = 1L << 24;  // elementwise: floats
inline constexpr long kMatmulN = 1024;               // matmul: square size
inline constexpr int kRssSteps = 20;                 // peak RSS: mlp_step iterations
/// Array passes (one read or one write of 2^24 floats) that tanh(x * 2 + 1) forward and backward
/// must make in an eager library: forward, three ops that each read their input and write their
/// output (6); backward, tanh's derivative reads the incoming gradient and the saved output and
/// writes its result (3), mul's reads and writes one array (2), add's passes the gradient
/// through and the leaf keeps the last gradient without a copy (0).
inline constexpr int kElementwisePasses = 11;

#define BENCH_DECLARE_LIBRARY(ns)                                                           \
  namespace ns {                                                                            \
  /** The library's name as it appears in benchmark names ("tensorgrad", "libtorch"). */    \
  extern const char* const kName;                                                           \
  /** Registers every workload the build has, as "<workload>/<label>", run at `threads`. */ \
  void register_workloads(const std::string& label, int threads);                           \
  /** Runs `steps` SGD steps of mlp_step (for the peak resident memory measurement). */     \
  void run_mlp_steps(int steps, int threads);                                               \
  /** Whether this build has the nn and optim workloads (tiny_mlp, mlp_step, cnn_step). */  \
  bool has_nn();                                                                            \
  }

BENCH_DECLARE_LIBRARY(tensorgrad)
BENCH_DECLARE_LIBRARY(libtorch)
#undef BENCH_DECLARE_LIBRARY

/// Registers the machine limits: copy bandwidth over the bytes of one elementwise array
/// ("limit_copy") and oneDNN's raw sgemm on kMatmulN matrices ("limit_sgemm"), at `threads`.
void register_machine_limits(int threads);

}  // namespace bench
