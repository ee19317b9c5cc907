// Source compatibility with libtorch: the program between the markers below is written for
// libtorch's C++ API and compiles against tensorgrad unchanged but for the include. The numbers
// it computes must equal the ones it computes against real libtorch 1.13 (kExpected).
//
// To regenerate kExpected: copy the lines between the markers into a file after
// `#include <torch/torch.h>` and `#include <vector>`, add a main that prints compute() with
// "%.17g", and build it with
//   g++ -std=c++17 prog.cpp -I/usr/include/torch/csrc/api/include -ltorch -ltorch_cpu -lc10
#include <gtest/gtest.h>
#include <tensorgrad/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace {

// ---- BEGIN libtorch program ----
// A small program written against libtorch's C++ API. Every number it computes is appended to
// `out`, in order.
std::vector<double> compute() {
  std::vector<double> out;
  auto push = [&](const torch::Tensor& t) {
    auto flat = t.detach().to(torch::kDouble).contiguous().view({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) out.push_back(flat[i].item<double>());
  };

  // Shapes of random tensors (values differ between generators, shapes do not).
  torch::manual_seed(0);
  torch::Tensor noise = torch::randn({2, 3});
  out.push_back(static_cast<double>(noise.size(0) * 10 + noise.size(1)));

  // A linear layer and a loss, by hand.
  torch::Tensor x = torch::arange(1, 7, torch::kFloat).reshape({2, 3});
  torch::Tensor w = torch::ones({3, 2}, torch::requires_grad());
  torch::Tensor b = torch::tensor({0.5f, -1.0f}, torch::requires_grad());
  torch::Tensor y = torch::matmul(x / 10, w * 0.5) + b;
  torch::Tensor loss = (y * y).mean() + y.sum() / 4 - (1 - y).mean();
  push(y);
  out.push_back(loss.item<float>());
  loss.backward();
  push(w.grad());
  push(b.grad());
  out.push_back(w.grad().sum().item<float>());

  // Gradients accumulate across backward calls.
  torch::Tensor again = (w * b).sum();
  again.backward();
  push(w.grad());
  push(b.grad());

  // Higher-order derivatives with create_graph.
  torch::Tensor z = torch::tensor({1.5, -2.0}, torch::dtype(torch::kDouble).requires_grad(true));
  torch::Tensor f = (z * z * z).sum() + (z * 2).mean();
  torch::Tensor dz = torch::autograd::grad({f}, {z}, /*grad_outputs=*/{}, /*retain_graph=*/true,
                                           /*create_graph=*/true)[0];
  push(dz);
  torch::Tensor d2z = torch::autograd::grad({dz.sum()}, {z})[0];
  push(d2z);
  out.push_back(dz.requires_grad() ? 1 : 0);

  // A vector-Jacobian product with an explicit grad_output.
  torch::Tensor m = torch::arange(4, torch::TensorOptions().dtype(torch::kDouble))
                        .reshape({2, 2})
                        .requires_grad_(true);
  torch::Tensor v = torch::matmul(m, m.t());
  torch::Tensor vjp = torch::autograd::grad({v}, {m}, {torch::ones({2, 2}, torch::kDouble)})[0];
  push(vjp);

  // No history under NoGradGuard.
  {
    torch::NoGradGuard no_grad;
    torch::Tensor q = w * 2 + 1;
    out.push_back(q.requires_grad() ? 1 : 0);
    push(q.sum());
  }
  out.push_back(torch::ones({1}, torch::requires_grad()).requires_grad() ? 1 : 0);

  // Mean and sum over dims, broadcasting, scalars on the left.
  torch::Tensor s = torch::arange(6, torch::kDouble).reshape({2, 3});
  push(s.sum(1));
  push(s.mean({0}, /*keepdim=*/true));
  push(2.0 / (s + 1) - s.sum(0, true));
  return out;
}
// ---- END libtorch program ----

// Printed by the program above built against libtorch 1.13 (Debian 12's libtorch-dev).
const std::vector<double> kExpected = {
    // randn({2, 3}) shape as 10 * rows + cols
    23,
    // y
    0.80000001192092896,
    -0.69999998807907104,
    1.25,
    -0.25,
    // loss.item<float>()
    0.23874998092651367,
    // w.grad()
    0.27000001072883606,
    0.082500003278255463,
    0.37125000357627869,
    0.10875000059604645,
    0.4725000262260437,
    0.13500000536441803,
    // b.grad()
    2.0250000953674316,
    0.52499997615814209,
    // w.grad().sum().item<float>()
    1.440000057220459,
    // w.grad() after the second backward
    0.76999998092651367,
    -0.91750001907348633,
    0.87125003337860107,
    -0.89125001430511475,
    0.9725000262260437,
    -0.86500000953674316,
    // b.grad() after the second backward
    5.0250000953674316,
    3.5250000953674316,
    // dz = d f / d z
    7.75,
    13,
    // d2z = d sum(dz) / d z
    9,
    -12,
    // dz.requires_grad()
    1,
    // vjp of m m^T
    4,
    8,
    4,
    8,
    // q.requires_grad() under NoGradGuard
    0,
    // q.sum()
    18,
    // ones(requires_grad).requires_grad()
    1,
    // s.sum(1)
    3,
    12,
    // s.mean({0}, true)
    1.5,
    2.5,
    3.5,
    // 2.0 / (s + 1) - s.sum(0, true)
    -1,
    -4,
    -6.333333333333333,
    -2.5,
    -4.5999999999999996,
    -6.666666666666667,
};

TEST(LibtorchCompat, ComputesWhatLibtorchComputes) {
  const std::vector<double> actual = compute();
  ASSERT_EQ(actual.size(), kExpected.size());
  for (size_t i = 0; i < kExpected.size(); ++i) {
    // Most values are float computations: a different summation order may change the last bits.
    EXPECT_NEAR(actual[i], kExpected[i], 1e-6 * std::max(1.0, std::abs(kExpected[i])))
        << "value " << i;
  }
}

}  // namespace
