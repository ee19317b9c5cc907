// The benchmark workloads, written once against libtorch's C++ API. This file is compiled twice:
// with BENCH_LIBTORCH=0 against <tensorgrad/torch.h> (where `torch` names tensorgrad) as C++20,
// and with BENCH_LIBTORCH=1 against <torch/torch.h> as C++17. Each compilation puts its
// functions in its own namespace (bench::tensorgrad, bench::libtorch), so one process runs both
// and the ratios come from one run. Definitions of the workloads: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench.h"

#if BENCH_LIBTORCH
#include <torch/torch.h>
#define BENCH_NS libtorch
#define BENCH_HAS_NN 1
#else
#include <tensorgrad/torch.h>
// The nn and optim layers are optional until they exist; the other workloads need only the core.
#if __has_include(<tensorgrad/nn.h>) && __has_include(<tensorgrad/optim.h>)
#include <tensorgrad/nn.h>
#include <tensorgrad/optim.h>
#define BENCH_HAS_NN 1
#else
#define BENCH_HAS_NN 0
#endif
#define BENCH_NS tensorgrad
#endif

namespace bench::BENCH_NS {

#if BENCH_LIBTORCH
const char* const kName = "libtorch";
#else
const char* const kName = "tensorgrad";
#endif

bool has_nn() { return BENCH_HAS_NN; }

namespace {

using benchmark::Counter;

// Stops the benchmark with a message when a workload computed something wrong, so that a broken
// op cannot look fast.
bool check(benchmark::State& state, bool ok, const char* what) {
  if (!ok) state.SkipWithError(what);
  return ok;
}

float first(const torch::Tensor& t) { return t.reshape({-1})[0].item<float>(); }

// The first member of a workload's state: sets the thread count and seeds the generator before
// the other members are made.
struct Setup {
  explicit Setup(int threads) {
    torch::set_num_threads(threads);
    torch::manual_seed(0);
  }
};

// ---- scalar_chain: the cost of one small op, with and without autograd ----

void scalar_chain(benchmark::State& state, int threads) {
  torch::set_num_threads(threads);
  torch::Tensor x = torch::ones({1}, torch::requires_grad());
  for (auto _ : state) {
    x.mutable_grad() = torch::Tensor();
    torch::Tensor y = x;
    for (int i = 0; i < kChainOps; i += 2) {
      y = y * 1.0001;
      y = y + 0.5;
    }
    y.backward();
  }
  // dy/dx = 1.0001^(kChainOps / 2)
  const double expected = std::pow(1.0001, kChainOps / 2);
  check(state, x.grad().defined() && std::abs(first(x.grad()) - expected) < 1e-2 * expected,
        "scalar_chain: wrong gradient");
  state.counters["per_op"] =
      Counter(kChainOps, Counter::kIsIterationInvariantRate | Counter::kInvert);
}

void scalar_chain_nograd(benchmark::State& state, int threads) {
  torch::set_num_threads(threads);
  torch::Tensor x = torch::ones({1}, torch::requires_grad());
  torch::Tensor y;
  for (auto _ : state) {
    torch::NoGradGuard no_grad;
    y = x;
    for (int i = 0; i < kChainOps; i += 2) {
      y = y * 1.0001;
      y = y + 0.5;
    }
  }
  check(state, !y.requires_grad() && std::isfinite(first(y)), "scalar_chain_nograd: wrong result");
  state.counters["per_op"] =
      Counter(kChainOps, Counter::kIsIterationInvariantRate | Counter::kInvert);
}

// ---- tutorial: the seed's cells, ones(2, 2) to backward ----

void tutorial(benchmark::State& state, int threads) {
  torch::set_num_threads(threads);
  torch::Tensor last_x;
  for (auto _ : state) {
    torch::Tensor x = torch::ones({2, 2}, torch::requires_grad());
    torch::Tensor y = x + 2;
    benchmark::DoNotOptimize(y.grad_fn().get());
    torch::Tensor z = y * y * 3;
    torch::Tensor out = z.mean();
    out.backward();
    benchmark::DoNotOptimize(x.grad().data_ptr());
    last_x = x;
  }
  check(state, last_x.grad().defined() && first(last_x.grad()) == 4.5f,
        "tutorial: x.grad() is not 4.5");
}

// ---- elementwise: tanh(x * 2 + 1) on 2^24 floats, forward and backward ----

struct ElementwiseStep {
  explicit ElementwiseStep(int threads) : setup(threads) {}
  void step() {
    x.mutable_grad() = torch::Tensor();
    torch::Tensor y = torch::tanh(x * 2 + 1);
    y.backward(seed);
    // The gradient and y computed, as an optimizer would need them: tensorgrad defers
    // elementwise chains, and would otherwise never compute what nothing reads.
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
  bool correct() const {
    const float x0 = first(x.detach());
    const float t = std::tanh(2 * x0 + 1);
    return x.grad().defined() && std::abs(first(x.grad()) - 2 * (1 - t * t)) < 1e-4f;
  }
  Setup setup;
  torch::Tensor x = torch::randn({kElementwiseNumel}, torch::requires_grad());
  torch::Tensor seed = torch::ones({kElementwiseNumel});
};

void elementwise(benchmark::State& state, int threads) {
  ElementwiseStep s(threads);
  for (auto _ : state) s.step();
  check(state, s.correct(), "elementwise: wrong gradient");
  state.counters["bytes"] = Counter(double(kElementwisePasses) * kElementwiseNumel * sizeof(float),
                                    Counter::kIsIterationInvariantRate, Counter::kIs1024);
}

// ---- matmul: 1024 x 1024, forward and backward (three GEMMs) ----

void matmul(benchmark::State& state, int threads) {
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  torch::Tensor a = torch::randn({kMatmulN, kMatmulN}, torch::requires_grad());
  torch::Tensor b = torch::randn({kMatmulN, kMatmulN}, torch::requires_grad());
  torch::Tensor g = torch::randn({kMatmulN, kMatmulN});
  for (auto _ : state) {
    a.mutable_grad() = torch::Tensor();
    b.mutable_grad() = torch::Tensor();
    torch::matmul(a, b).backward(g);
  }
  check(state, a.grad().defined() && b.grad().defined(), "matmul: no gradient");
  state.counters["flops"] =
      Counter(3 * 2.0 * kMatmulN * kMatmulN * kMatmulN, Counter::kIsIterationInvariantRate);
}

// One GEMM without autograd: tells the cost of the product itself from that of the backward's.
void matmul_fwd(benchmark::State& state, int threads) {
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  torch::Tensor a = torch::randn({kMatmulN, kMatmulN});
  torch::Tensor b = torch::randn({kMatmulN, kMatmulN});
  for (auto _ : state) benchmark::DoNotOptimize(torch::matmul(a, b).data_ptr());
  state.counters["flops"] =
      Counter(2.0 * kMatmulN * kMatmulN * kMatmulN, Counter::kIsIterationInvariantRate);
}

// ---- hvp: f = sum(tanh(W x)^2), W 256 x 256; gradient with create_graph, then H v ----

void hvp(benchmark::State& state, int threads) {
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  torch::Tensor w = torch::randn({256, 256}) / 16;
  torch::Tensor x = torch::randn({256}, torch::requires_grad());
  torch::Tensor v = torch::randn({256});
  torch::Tensor hv;
  for (auto _ : state) {
    torch::Tensor f = torch::sum(torch::square(torch::tanh(torch::matmul(w, x))));
    torch::Tensor g = torch::autograd::grad({f}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/{},
                                            /*create_graph=*/true)[0];
    hv = torch::autograd::grad({g}, {x}, /*grad_outputs=*/{v})[0];
  }
  check(state, hv.defined() && hv.numel() == 256 && std::isfinite(first(hv)), "hvp: wrong result");
}

#if BENCH_HAS_NN
namespace F = torch::nn::functional;

// ---- tiny_mlp: Linear(16, 16), Tanh, Linear(16, 1), MSE, SGD step, batch 1 ----

struct TinyMlp : torch::nn::Module {
  TinyMlp()
      : fc1(register_module("fc1", torch::nn::Linear(16, 16))),
        fc2(register_module("fc2", torch::nn::Linear(16, 1))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    return fc2->forward(torch::tanh(fc1->forward(x)));
  }
  torch::nn::Linear fc1, fc2;
};

void tiny_mlp(benchmark::State& state, int threads) {
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  TinyMlp model;
  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.01));
  torch::Tensor input = torch::randn({1, 16});
  torch::Tensor target = torch::randn({1, 1});
  torch::Tensor loss;
  for (auto _ : state) {
    optimizer.zero_grad();
    loss = F::mse_loss(model.forward(input), target);
    loss.backward();
    optimizer.step();
  }
  check(state, std::isfinite(loss.item<float>()), "tiny_mlp: loss is not finite");
}

// ---- mlp_step: 784-512-512-10, ReLU, batch 256, cross-entropy, SGD step ----

struct Mlp : torch::nn::Module {
  Mlp()
      : fc1(register_module("fc1", torch::nn::Linear(784, 512))),
        fc2(register_module("fc2", torch::nn::Linear(512, 512))),
        fc3(register_module("fc3", torch::nn::Linear(512, 10))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    return fc3->forward(torch::relu(fc2->forward(torch::relu(fc1->forward(x)))));
  }
  torch::nn::Linear fc1, fc2, fc3;
};

struct MlpStep {
  explicit MlpStep(int threads) : setup(threads) {}
  float step() {
    optimizer.zero_grad();
    torch::Tensor loss = F::cross_entropy(model.forward(input), labels);
    loss.backward();
    optimizer.step();
    return loss.item<float>();
  }
  Setup setup;
  Mlp model;
  torch::optim::SGD optimizer{model.parameters(), torch::optim::SGDOptions(0.01)};
  torch::Tensor input = torch::randn({256, 784});
  torch::Tensor labels = torch::randint(0, 10, {256}, torch::kLong);
};

void mlp_step(benchmark::State& state, int threads) {
  MlpStep s(threads);
  float loss = 0;
  for (auto _ : state) loss = s.step();
  check(state, std::isfinite(loss), "mlp_step: loss is not finite");
}

// ---- cnn_step: conv(1->16, 3) ReLU pool conv(16->32, 3) ReLU pool Linear(800, 10), batch 64 ----

struct Cnn : torch::nn::Module {
  Cnn()
      : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 3)))),
        conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3)))),
        fc(register_module("fc", torch::nn::Linear(800, 10))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = F::max_pool2d(torch::relu(conv1->forward(x)), F::MaxPool2dFuncOptions(2));  // 16x13x13
    x = F::max_pool2d(torch::relu(conv2->forward(x)), F::MaxPool2dFuncOptions(2));  // 32x5x5
    return fc->forward(x.reshape({x.size(0), 800}));
  }
  torch::nn::Conv2d conv1, conv2;
  torch::nn::Linear fc;
};

struct CnnStep {
  explicit CnnStep(int threads) : setup(threads) {}
  float step() {
    optimizer.zero_grad();
    torch::Tensor loss = F::cross_entropy(model.forward(input), labels);
    loss.backward();
    optimizer.step();
    return loss.item<float>();
  }
  Setup setup;
  Cnn model;
  torch::optim::SGD optimizer{model.parameters(), torch::optim::SGDOptions(0.01)};
  torch::Tensor input = torch::randn({64, 1, 28, 28});
  torch::Tensor labels = torch::randint(0, 10, {64}, torch::kLong);
};

void cnn_step(benchmark::State& state, int threads) {
  CnnStep s(threads);
  float loss = 0;
  for (auto _ : state) loss = s.step();
  check(state, std::isfinite(loss), "cnn_step: loss is not finite");
}
#endif  // BENCH_HAS_NN

}  // namespace

void register_workloads(const std::string& label, int threads) {
  using Fn = void (*)(benchmark::State&, int);
  auto add = [&](const char* workload, Fn fn, benchmark::TimeUnit unit) {
    benchmark::RegisterBenchmark((std::string(workload) + "/" + label).c_str(), fn, threads)
        ->UseRealTime()
        ->Unit(unit);
  };
  add("scalar_chain", scalar_chain, benchmark::kMillisecond);
  add("scalar_chain_nograd", scalar_chain_nograd, benchmark::kMillisecond);
  add("tutorial", tutorial, benchmark::kMicrosecond);
#if BENCH_HAS_NN
  add("tiny_mlp", tiny_mlp, benchmark::kMicrosecond);
#endif
  add("elementwise", elementwise, benchmark::kMillisecond);
  add("matmul", matmul, benchmark::kMillisecond);
  add("matmul_fwd", matmul_fwd, benchmark::kMillisecond);
#if BENCH_HAS_NN
  add("mlp_step", mlp_step, benchmark::kMillisecond);
  add("cnn_step", cnn_step, benchmark::kMillisecond);
#endif
  add("hvp", hvp, benchmark::kMicrosecond);
}

std::function<void()> make_step(const std::string& workload, int threads) {
  if (workload == "elementwise") {
    auto s = std::make_shared<ElementwiseStep>(threads);
    return [s] { s->step(); };
  }
#if BENCH_HAS_NN
  if (workload == "cnn_step") {
    auto s = std::make_shared<CnnStep>(threads);
    return [s] { s->step(); };
  }
#endif
  return nullptr;
}

void set_threads(int threads) { torch::set_num_threads(threads); }

void run_mlp_steps(int steps, int threads) {
#if BENCH_HAS_NN
  MlpStep s(threads);
  for (int i = 0; i < steps; ++i) s.step();
#else
  (void)steps;
  (void)threads;
#endif
}

}  // namespace bench::BENCH_NS
