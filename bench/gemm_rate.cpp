// GFLOP/s of a 1024 x 1024 x 1024 float matrix product through tg::matmul, next to oneDNN's
// dnnl_sgemm called directly on preallocated buffers (the ceiling), with 2 threads. Also times
// matmul forward + backward (three GEMMs, two of them on transposed operands, counted as 3x the
// flops). Prints the best and the median of interleaved runs.
//
// Not a test: timings are noisy on a shared machine. Build against a Release library, e.g.
//   g++ -std=c++20 -O2 -fopenmp bench/gemm_rate.cpp -Iinclude -Lbuild -ltensorgrad -ldnnl \
//       -o gemm_rate && ./gemm_rate [threads, default 2]
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "tensorgrad/tensorgrad.h"

namespace {

constexpr int64_t kN = 1024;
constexpr int kReps = 15;

double seconds(const std::function<void()>& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double gflops(double flops, double seconds) { return flops / seconds * 1e-9; }

struct Timing {
  const char* name;
  double flops;
  std::function<void()> run;
  std::vector<double> times;
};

}  // namespace

int main(int argc, char** argv) {
  tg::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 2);  // optional: thread count
  tg::manual_seed(0);
  const double flops = 2.0 * kN * kN * kN;

  tg::Tensor a = tg::randn({kN, kN}), b = tg::randn({kN, kN});
  tg::Tensor c;
  std::vector<float> c_raw(static_cast<size_t>(kN * kN));
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  tg::Tensor ga = a.detach().requires_grad_(), gb = b.detach().requires_grad_();
  tg::Tensor grad = tg::randn({kN, kN});

  std::vector<Timing> timings = {
      {"raw dnnl_sgemm", flops,
       [&] { dnnl_sgemm('N', 'N', kN, kN, kN, 1.f, pa, kN, pb, kN, 0.f, c_raw.data(), kN); }},
      {"tg::matmul", flops, [&] { c = tg::matmul(a, b); }},
      {"tg::matmul fwd+bwd", 3 * flops,
       [&] {
         ga.mutable_grad() = tg::Tensor();
         gb.mutable_grad() = tg::Tensor();
         tg::matmul(ga, gb).backward(grad);
       }},
  };
  // Interleaved, so that load from other processes hits every variant alike.
  for (auto& t : timings) t.run();  // warm-up
  for (int rep = 0; rep < kReps; ++rep)
    for (auto& t : timings) t.times.push_back(seconds(t.run));

  std::printf("threads: %d, %lld x %lld x %lld float, %d interleaved runs each\n",
              tg::get_num_threads(), static_cast<long long>(kN), static_cast<long long>(kN),
              static_cast<long long>(kN), kReps);
  std::printf("%-20s %14s %14s\n", "", "best GFLOP/s", "median GFLOP/s");
  for (auto& t : timings) {
    std::sort(t.times.begin(), t.times.end());
    std::printf("%-20s %14.1f %14.1f\n", t.name, gflops(t.flops, t.times.front()),
                gflops(t.flops, t.times[t.times.size() / 2]));
  }
  return 0;
}
