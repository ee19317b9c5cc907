// Activation checkpointing: same gradients to the bit, less memory, random numbers replayed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "tensorgrad/tensorgrad.h"

using namespace tg;
namespace ag = tg::autograd;

namespace {
// A deep MLP block: `depth` layers of tanh(h @ W_i), as one function of (h, W_0..W_{d-1}).
variable_list block(const variable_list& v) {
  Tensor h = v[0];
  for (size_t i = 1; i < v.size(); ++i) h = tanh(matmul(h, v[i]));
  return {h};
}

struct Mlp {
  std::vector<Tensor> weights;
  Tensor x;
  Mlp(int depth, int64_t width, int64_t batch) {
    manual_seed(0);
    x = randn({batch, width});
    for (int i = 0; i < depth; ++i)
      weights.push_back((randn({width, width}) / std::sqrt(double(width))).requires_grad_());
  }
  // Runs the network as `segments` checkpointed segments (0 = no checkpointing).
  Tensor loss(int segments) {
    Tensor h = x;
    const size_t per = segments ? weights.size() / segments : weights.size();
    for (size_t start = 0; start < weights.size(); start += per) {
      variable_list args{h};
      for (size_t i = start; i < start + per && i < weights.size(); ++i) args.push_back(weights[i]);
      h = segments ? ag::checkpoint(block, args)[0] : block(args)[0];
    }
    return (h * h).mean();
  }
};

bool bit_equal(const Tensor& a, const Tensor& b) {
  return a.sizes().equals(b.sizes()) &&
         std::memcmp(a.contiguous().data_ptr(), b.contiguous().data_ptr(), a.nbytes()) == 0;
}
}  // namespace

TEST(Checkpoint, GradientsEqualThePlainRunToTheLastBit) {
  Mlp net(8, 64, 16);
  net.loss(0).backward();
  std::vector<Tensor> plain;
  for (Tensor& w : net.weights) {
    plain.push_back(w.grad().clone());
    w.mutable_grad() = Tensor();
  }
  net.loss(4).backward();
  for (size_t i = 0; i < plain.size(); ++i)
    EXPECT_TRUE(bit_equal(plain[i], net.weights[i].grad())) << i;
}

TEST(Checkpoint, PeakMemoryDrops) {
  // 32 layers 256 wide for a batch of 1024: each activation is 1 MiB, each weight 256 KiB. A
  // plain run keeps the 32 tanh outputs for its backward; a run in 8 checkpointed segments keeps
  // the 8 segment outputs and recomputes one segment (4 layers) at a time. Both also hold a few
  // gradients in flight.
  auto peak_of = [](int segments) {
    Mlp net(32, 256, 1024);
    reset_peak_memory_stats();
    const int64_t before = memory_stats().current_bytes;
    net.loss(segments).backward();
    return memory_stats().peak_bytes - before;
  };
  const int64_t plain = peak_of(0), checkpointed = peak_of(8);
  std::printf(
      "peak memory above the parameters, 32-layer MLP 256 wide, batch 1024: plain "
      "%.1f MiB, checkpointed (8 segments) %.1f MiB\n",
      plain / 1048576.0, checkpointed / 1048576.0);
  EXPECT_GT(plain, int64_t(32) << 20);
  EXPECT_LT(checkpointed * 2, plain);
}

TEST(Checkpoint, RandomOpsReplayTheSameNumbers) {
  // A dropout-like mask drawn inside fn: backward must see the forward's mask.
  auto noisy = [](const variable_list& v) -> variable_list {
    Tensor mask = (rand_like(v[0]) > 0.5).to(kDouble);
    return {v[0] * mask * 2};
  };
  manual_seed(7);
  Tensor x = ones({64}, kDouble).requires_grad_();
  Tensor y = ag::checkpoint(noisy, {x})[0];
  y.sum().backward();
  // Where the mask kept an element, y is 2 and its gradient 2; where it dropped it, both are 0.
  EXPECT_TRUE(equal(x.grad(), y.detach()));
  EXPECT_GT(y.sum().item<double>(), 0);
  EXPECT_LT(y.sum().item<double>(), 128);
}

TEST(Checkpoint, GradcheckAndDoubleBackward) {
  auto fn = [](const variable_list& v) -> variable_list {
    return ag::checkpoint(
        [](const variable_list& u) -> variable_list {
          return {tanh(u[0] * u[1]), u[0] * 2};
        },
        v);
  };
  Tensor a = tensor({0.5, -1.0, 2.0}, kDouble).requires_grad_();
  Tensor b = tensor({1.5, 0.3, -0.7}, kDouble).requires_grad_();
  EXPECT_TRUE(ag::gradcheck(fn, {a, b}));
  EXPECT_TRUE(ag::gradgradcheck(fn, {a, b}));
}

TEST(Checkpoint, NoGraphWhenNothingRequiresGrad) {
  Tensor x = ones({3});
  Tensor y = ag::checkpoint(block, {x, ones({3, 3})})[0];
  EXPECT_FALSE(y.requires_grad());
}
