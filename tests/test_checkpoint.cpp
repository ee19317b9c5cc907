// Activation checkpointing: same gradients to the bit, less memory, random numbers replayed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "expect_error.h"
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

// ---- Parameters the checkpointed function captures ----

TEST(Checkpoint, CapturedWeightGetsThePlainGradient) {
  manual_seed(3);
  Tensor x = randn({8, 8}, kDouble).requires_grad_(true);
  Tensor W = randn({8, 8}, kDouble).requires_grad_(true);
  auto block = [&](const variable_list& in) -> variable_list {
    return {matmul(in[0], W).tanh().sigmoid()};
  };
  block({x})[0].sum().backward();
  const Tensor plain_x = x.grad().clone(), plain_W = W.grad().clone();
  x.mutable_grad() = Tensor();
  W.mutable_grad() = Tensor();
  ag::checkpoint(block, {x})[0].sum().backward();
  ASSERT_TRUE(W.grad().defined());
  EXPECT_TRUE(bit_equal(plain_W, W.grad()));
  EXPECT_TRUE(bit_equal(plain_x, x.grad()));
}

TEST(Checkpoint, CapturedWeightGetsItsGradientWhenNoInputRequiresGrad) {
  // The first segment of a model: its input is data, only the captured weight is trained.
  manual_seed(4);
  Tensor x = randn({4, 5}, kDouble);
  Tensor W = randn({5, 3}, kDouble).requires_grad_(true);
  auto block = [&](const variable_list& in) -> variable_list { return {matmul(in[0], W).exp()}; };
  Tensor y = ag::checkpoint(block, {x})[0];
  EXPECT_TRUE(y.requires_grad());
  y.sum().backward();
  // d/dW sum(exp(x W)) = x^T exp(x W)
  EXPECT_TRUE(allclose(W.grad(), matmul(x.t(), matmul(x, W).exp()).detach()));
}

namespace {
// Three segments of a small CNN whose layers are captured, as a model checkpoints its blocks.
struct SegmentedNet {
  nn::Conv2d conv1{nn::Conv2dOptions(2, 3, 3).padding(1)};
  nn::Conv2d conv2{nn::Conv2dOptions(3, 2, 3)};
  nn::Linear fc1{2 * 4 * 4, 6};
  nn::Linear fc2{6, 3};
  Tensor scale = full({3}, 0.5, kDouble).requires_grad_(true);  // a trained buffer-like leaf

  SegmentedNet() {
    for (nn::Module* m :
         {static_cast<nn::Module*>(conv1.get()), static_cast<nn::Module*>(conv2.get()),
          static_cast<nn::Module*>(fc1.get()), static_cast<nn::Module*>(fc2.get())})
      m->to(kDouble);
  }
  std::vector<Tensor> parameters() {
    std::vector<Tensor> p;
    for (auto* params : {&conv1->weight, &conv1->bias, &conv2->weight, &conv2->bias, &fc1->weight,
                         &fc1->bias, &fc2->weight, &fc2->bias})
      p.push_back(*params);
    p.push_back(scale);
    return p;
  }
  variable_list convs(const variable_list& in) { return {conv2(conv1(in[0]).tanh()).sigmoid()}; }
  variable_list head(const variable_list& in) { return {fc1(in[0].flatten(1)).tanh()}; }
  variable_list out(const variable_list& in) { return {fc2(in[0]) * scale}; }

  Tensor loss(const Tensor& x, bool checkpointed) {
    variable_list h{x};
    for (auto segment : {&SegmentedNet::convs, &SegmentedNet::head, &SegmentedNet::out}) {
      auto fn = [this, segment](const variable_list& in) { return (this->*segment)(in); };
      h = checkpointed ? ag::checkpoint(fn, h) : fn(h);
    }
    return (h[0] * h[0]).sum();
  }
};
}  // namespace

TEST(Checkpoint, SegmentedModelMatchesThePlainModelGradientByGradient) {
  manual_seed(5);
  SegmentedNet net;
  Tensor x = randn({2, 2, 6, 6}, kDouble);
  for (bool input_requires_grad : {false, true}) {
    Tensor input = x.detach().requires_grad_(input_requires_grad);
    variable_list targets = net.parameters();
    if (input_requires_grad) targets.push_back(input);
    variable_list plain = ag::grad({net.loss(input, false)}, targets);
    variable_list checkpointed = ag::grad({net.loss(input, true)}, targets);
    for (size_t i = 0; i < targets.size(); ++i) {
      ASSERT_TRUE(checkpointed[i].defined()) << i;
      EXPECT_TRUE(bit_equal(plain[i], checkpointed[i])) << "target " << i;
      EXPECT_FALSE(targets[i].grad().defined()) << "grad() must not accumulate, target " << i;
    }
  }
}

TEST(Checkpoint, SegmentedModelDoubleBackwardMatchesThePlainModel) {
  // create_graph: a gradient penalty sum(g^2) differentiated again with respect to every weight.
  manual_seed(6);
  SegmentedNet net;
  Tensor x = randn({2, 2, 6, 6}, kDouble).requires_grad_(true);
  auto penalty_grads = [&](bool checkpointed) {
    variable_list params = net.parameters();
    variable_list g =
        ag::grad({net.loss(x, checkpointed)}, params, {}, true, /*create_graph=*/true);
    Tensor penalty = zeros({}, kDouble);
    for (const Tensor& gi : g) penalty = penalty + (gi * gi).sum();
    params.push_back(x);
    return ag::grad({penalty}, params);
  };
  variable_list plain = penalty_grads(false), checkpointed = penalty_grads(true);
  for (size_t i = 0; i < plain.size(); ++i) {
    ASSERT_TRUE(checkpointed[i].defined()) << i;
    EXPECT_TRUE(allclose(plain[i], checkpointed[i], 1e-12, 1e-12)) << "target " << i;
  }
}

TEST(Checkpoint, TrainingStepsEndWithEqualParameters) {
  auto train = [](bool checkpointed) {
    manual_seed(8);
    SegmentedNet net;
    optim::Adam opt(net.parameters(), optim::AdamOptions(1e-2));
    for (int step = 0; step < 4; ++step) {
      Tensor x = randn({2, 2, 6, 6}, kDouble);
      opt.zero_grad();
      net.loss(x, checkpointed).backward();
      opt.step();
    }
    return net.parameters();
  };
  std::vector<Tensor> plain = train(false), checkpointed = train(true);
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_TRUE(bit_equal(plain[i], checkpointed[i])) << i;
}

TEST(Checkpoint, HooksOnCapturedParametersFireOnce) {
  Tensor W = ones({3, 3}, kDouble).requires_grad_(true);
  int calls = 0;
  W.register_hook([&](const Tensor&) { ++calls; });
  auto fn = [&](const variable_list& in) -> variable_list {
    Tensor h = matmul(in[0], W);
    return {matmul(h.tanh(), W)};  // W used twice: one gradient, summed before its hook
  };
  ag::checkpoint(fn, {ones({2, 3}, kDouble)})[0].sum().backward();
  EXPECT_EQ(calls, 1);
}

TEST(Checkpoint, RetainGraphBackwardTwiceRecomputesAndAccumulates) {
  manual_seed(9);
  Tensor x = randn({4, 4}, kDouble).requires_grad_(true);
  Tensor W = randn({4, 4}, kDouble).requires_grad_(true);
  auto fn = [&](const variable_list& in) -> variable_list { return {matmul(in[0], W).tanh()}; };
  Tensor plain = fn({x})[0].sum();
  plain.backward({}, /*retain_graph=*/true);
  plain.backward();
  const Tensor plain_W = W.grad().clone();
  W.mutable_grad() = Tensor();
  Tensor y = ag::checkpoint(fn, {x})[0].sum();
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  EXPECT_TRUE(bit_equal(plain_W, W.grad()));
  // Without retain_graph the saved values are gone, as in a plain graph.
  Tensor z = ag::checkpoint(fn, {x})[0].sum();
  z.backward();
  EXPECT_ERROR(z.backward(), "backward through the graph a second time");
}

TEST(Checkpoint, RefusesAnInputChangedInPlaceBeforeBackward) {
  Tensor x = ones({3}, kDouble);
  Tensor W = ones({3}, kDouble).requires_grad_(true);
  auto fn = [&](const variable_list& in) -> variable_list { return {(in[0] * W).exp()}; };
  Tensor y = ag::checkpoint(fn, {x})[0].sum();
  x.add_(1);
  EXPECT_ERROR(y.backward(), "checkpoint", "input 0", "modified in place");
}

TEST(Checkpoint, RefusesFnThatChangesItsInputInPlace) {
  Tensor x = ones({3}, kDouble);
  Tensor W = ones({3}, kDouble).requires_grad_(true);
  auto fn = [&](const variable_list& in) -> variable_list {
    in[0].mul_(2);
    return {(in[0] * W).exp()};
  };
  EXPECT_ERROR(ag::checkpoint(fn, {x}), "checkpoint", "input 0", "in place", "clone");
}

TEST(Checkpoint, RefusesARecomputationThatSavesDifferentTensors) {
  Tensor W = ones({3}, kDouble).requires_grad_(true);
  int runs = 0;
  auto fn = [&](const variable_list& in) -> variable_list {
    // Not a function of its inputs: the second run takes another path.
    return {++runs == 1 ? (in[0] * W).exp() : (in[0] * W).exp().exp()};
  };
  Tensor y = ag::checkpoint(fn, {ones({3}, kDouble)})[0].sum();
  EXPECT_ERROR(y.backward(), "checkpoint", "recomput", "saved");
}

TEST(Checkpoint, AnInPlaceChangeInsideFnIsCaughtAsWithoutCheckpoint) {
  Tensor W = ones({3}, kDouble).requires_grad_(true);
  auto fn = [&](const variable_list& in) -> variable_list {
    Tensor h = (in[0] * W).exp();  // exp saves its output
    h.mul_(2);                     // ... which this changes: backward cannot be right
    return {h};
  };
  EXPECT_ERROR(fn({ones({3}, kDouble)})[0].sum().backward(), "modified by an inplace operation");
  EXPECT_ERROR(ag::checkpoint(fn, {ones({3}, kDouble)})[0].sum().backward(),
               "modified by an inplace operation");
}

TEST(Checkpoint, BatchNormRunningStatisticsUpdateOnce) {
  // Recomputing a segment for backward must not count its batch a second time.
  for (std::optional<double> momentum : {std::optional<double>(0.1), std::optional<double>()}) {
    auto run = [&](bool checkpointed) {
      manual_seed(10);
      nn::BatchNorm1d bn(nn::BatchNorm1dOptions(3).momentum(momentum));
      bn->to(kDouble);
      Tensor x = randn({5, 3}, kDouble);
      auto fn = [&](const variable_list& in) -> variable_list { return {bn(in[0]).tanh()}; };
      Tensor y = checkpointed ? ag::checkpoint(fn, {x})[0] : fn({x})[0];
      y.sum().backward();
      return std::vector<Tensor>{bn->running_mean, bn->running_var, bn->num_batches_tracked,
                                 bn->weight.grad()};
    };
    std::vector<Tensor> plain = run(false), checkpointed = run(true);
    for (size_t i = 0; i < plain.size(); ++i)
      EXPECT_TRUE(bit_equal(plain[i], checkpointed[i])) << i;
  }
}

TEST(Checkpoint, RunsFnAgainInBackwardAndShowsRecomputedValues) {
  Tensor W = full({3, 3}, 0.5, kDouble).requires_grad_(true);
  int runs = 0;
  auto fn = [&](const variable_list& in) -> variable_list {
    ++runs;
    return {matmul(in[0], W).tanh()};
  };
  Tensor y = ag::checkpoint(fn, {ones({2, 3}, kDouble)})[0].sum();
  EXPECT_EQ(runs, 1);
  // tanh's output is held by the frame, not the graph; W is kept as it is.
  EXPECT_NE(ag::to_dot({y}).find("(recomputed)"), std::string::npos) << ag::to_dot({y});
  y.backward();
  EXPECT_EQ(runs, 2);
}

TEST(Checkpoint, NestedCheckpointsMatchThePlainGradients) {
  manual_seed(11);
  Tensor x = randn({3, 4}, kDouble).requires_grad_(true);
  Tensor W1 = randn({4, 4}, kDouble).requires_grad_(true);
  Tensor W2 = randn({4, 4}, kDouble).requires_grad_(true);
  auto inner = [&](const variable_list& in) -> variable_list { return {matmul(in[0], W2).sin()}; };
  auto outer = [&](bool checkpointed) {
    return [&, checkpointed](const variable_list& in) -> variable_list {
      Tensor h = matmul(in[0], W1).tanh();
      return {checkpointed ? ag::checkpoint(inner, {h})[0] : inner({h})[0]};
    };
  };
  variable_list plain = ag::grad({outer(false)({x})[0].sum()}, {x, W1, W2});
  variable_list nested = ag::grad({ag::checkpoint(outer(true), {x})[0].sum()}, {x, W1, W2});
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_TRUE(bit_equal(plain[i], nested[i])) << i;
}
