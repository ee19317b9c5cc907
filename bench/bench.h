#pragma once
// Declarations shared by the benchmark suite's translation units. The workloads live in
// workloads.cpp, which is compiled once against tensorgrad and, when libtorch is installed, once
// more against libtorch; the two compilations define the same functions in different namespaces
// (bench::tensorgrad and bench::libtorch), so both link into one binary and run in one process.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

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
  /** One step of "elementwise" or "cnn_step" per call (null when the build lacks it), made \
      at `threads`; for timing outside Google Benchmark (the load table). */                \
  std::function<void()> make_step(const std::string& workload, int threads);                \
  /** Sets the library's thread count. */                                                   \
  void set_threads(int threads);                                                            \
  /** Whether this build has the nn and optim workloads (tiny_mlp, mlp_step, cnn_step). */  \
  bool has_nn();                                                                            \
  }

BENCH_DECLARE_LIBRARY(tensorgrad)
BENCH_DECLARE_LIBRARY(libtorch)
#undef BENCH_DECLARE_LIBRARY

/// Registers the machine limits: copy bandwidth over the bytes of one elementwise array
/// ("limit_copy") and oneDNN's raw sgemm on kMatmulN matrices ("limit_sgemm"), at `threads`.
void register_machine_limits(int threads);

/// A table printed as Markdown, its first row the header.
struct Table {
  std::vector<std::vector<std::string>> rows;
  void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }
  void print() const {
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& r : rows)
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (size_t k = 0; k < rows.size(); ++k) {
      std::string line = "|";
      for (size_t i = 0; i < rows[k].size(); ++i)
        line += " " + rows[k][i] + std::string(width[i] - rows[k][i].size(), ' ') + " |";
      std::printf("%s\n", line.c_str());
      if (k == 0) {
        line = "|";
        for (size_t w : width) line += std::string(w + 2, '-') + "|";
        std::printf("%s\n", line.c_str());
      }
    }
  }
};

/// Times cnn_step and elementwise on 1 and `threads` threads while 0, 1 and 2 CPU-bound
/// processes compete for the CPUs, and prints the table (load.cpp).
void print_load_table(int threads, bool have_libtorch);

}  // namespace bench
