#pragma once
// oneDNN's raw sgemm on square matrices: the ceiling for a GEMM through oneDNN. Shared by the
// suite's machine limits (machine_limits.cpp) and the training-epoch figures
// (train_epoch/sgemm_rate.cpp). Uses neither tensorgrad nor libtorch.
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <random>
#include <vector>

namespace bench {

/// C = A B with dnnl_sgemm on preallocated n x n matrices of seeded normal numbers.
class Sgemm {
 public:
  /// Also sets OpenMP's thread count to `threads`: oneDNN's OpenMP build takes its own from it.
  Sgemm(long n, int threads) : n_(n), a_(n * n), b_(n * n), c_(n * n) {
    omp_set_num_threads(threads);
    std::mt19937 gen(0);
    std::normal_distribution<float> normal;
    for (auto& v : a_) v = normal(gen);
    for (auto& v : b_) v = normal(gen);
  }
  /// One product; false when dnnl_sgemm fails.
  bool run() {
    return dnnl_sgemm('N', 'N', n_, n_, n_, 1.f, a_.data(), n_, b_.data(), n_, 0.f, c_.data(),
                      n_) == dnnl_success;
  }
  /// Floating-point operations of one product (a multiply-add counts 2).
  double flops() const { return 2.0 * double(n_) * double(n_) * double(n_); }
  const float* result() const { return c_.data(); }

 private:
  long n_;
  std::vector<float> a_, b_, c_;
};

}  // namespace bench
