// Optimisers, learning-rate schedules and gradient clipping: a few steps of each optimiser
// against values computed by libtorch 1.13, options' defaults, parameter groups and their
// learning rates, per-parameter state, zero_grad, closures, non-contiguous parameters, and every
// error message.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

using Values = std::vector<double>;

using tg::testing::values;

void expect_near(const Tensor& t, const Values& expected, double tol) {
  const Values got = values(t);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], tol * (1 + std::abs(expected[i]))) << "at " << i;
}

Tensor start(ScalarType dtype) {
  return tg::tensor({0.5, -1.25, 2.0, 0.0, -0.3, 1.7}, dtype).requires_grad_(true);
}

/// The gradient used by the reference program: g = 0.3 p^2 - p + 0.05 k at step k.
void set_grad(Tensor& p, int k) {
  NoGradGuard no_grad;
  Tensor d = p.detach();
  p.mutable_grad() = d * d * 0.3 - d + 0.05 * k;
}

template <class Opt, class Options>
Tensor run_five_steps(Options options, ScalarType dtype = kDouble, int64_t repeats = 1) {
  Tensor p = repeats == 1 ? start(dtype) : start(dtype).detach().repeat({repeats}).requires_grad_();
  Opt opt(std::vector<Tensor>{p}, options);
  for (int k = 1; k <= 5; ++k) {
    set_grad(p, k);
    opt.step();
  }
  return p;
}

// Reference values: the parameter after five steps, printed with %.17g by a program built
// against libtorch 1.13.1 (Debian's libtorch-dev) that runs the same gradients and options.
const Values kSgdPlain = {0.6608990166900004,    -2.6134397648707597,  2.3072825192430511,
                          -0.085915859855664092, -0.59718361452094504, 2.035388233055262};
const Values kSgdMomentum = {0.93012566382924988,  -4.627750620632149,   2.7531486096612476,
                             -0.16746742299663492, -0.98740497078002376, 2.5270421174740525};
const Values kSgdNesterov = {1.1423379865024572,   -8.5683580767633369, 2.9339421048723193,
                             -0.28778996142208957, -1.5120841367342277, 2.7614291884822229};
const Values kAdamDefault = {0.74864576808361549,  -1.5010060297686927,  2.2469820323934839,
                             -0.23554048744432846, -0.55012517494318836, 1.9477393066948576};
const Values kAdamAmsgrad = {0.74660794149623677,  -1.5019907477469987,  2.2422693796983992,
                             -0.24260038467273909, -0.55276353049705718, 1.9447342308428117};
const Values kAdamWDefault = {0.74713083646687295,  -1.4976300881568965,  2.2417602373999501,
                              -0.23530564246675079, -0.54913175920168378, 1.9432505853116711};
const Values kAdamWAmsgrad = {0.73291954194981268, -1.4674038213569911,  2.1948586073279324,
                              -0.2312610509297334, -0.53975780199406687, 1.9029041654570293};
const Values kRmspropDefault = {0.82164327984293528,  -1.5973767557118832,  2.2961173363626504,
                                -0.43192842844448731, -0.68283386966372639, 2.0031263814863975};
const Values kRmspropCentered = {0.83102637409267921,  -1.609473719683377,   2.3153313341605402,
                                 -0.41943330374549903, -0.68288854734756543, 2.0233825453218697};
const Values kAdagradDefault = {0.82031102084518204,  -1.5961124991047844,  2.2948721452833523,
                                -0.43129427459065717, -0.68175277156814118, 2.001854816443088};
const Values kAdagradDecay = {0.69584761378712667,  -1.5646438178750071,  2.2211289549711788,
                              -0.15097136369837058, -0.57756233187835138, 1.9374447182581997};
const Values kAdagradFloat = {0.81328493356704712,  -1.5967501401901245,  2.2770018577575684,
                              -0.43062412738800049, -0.68272727727890015, 1.9906952381134033};
const Values kAdamFloat = {0.74864578247070312, -1.501006007194519,   2.2469818592071533,
                           -0.2355404794216156, -0.55012524127960205, 1.9477392435073853};
const Values kSgdFloat = {1.1554672718048096,   -8.6574039459228516, 2.9652025699615479,
                          -0.28857317566871643, -1.5251098871231079, 2.7906014919281006};

constexpr double kDoubleTol = 1e-12;
constexpr double kFloatTol = 2e-6;

TEST(Optim, SgdMatchesLibtorch) {
  expect_near(run_five_steps<optim::SGD>(optim::SGDOptions(0.1)), kSgdPlain, kDoubleTol);
  expect_near(run_five_steps<optim::SGD>(
                  optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).weight_decay(0.01)),
              kSgdMomentum, kDoubleTol);
  expect_near(run_five_steps<optim::SGD>(
                  optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.01)),
              kSgdNesterov, kDoubleTol);
  expect_near(
      run_five_steps<optim::SGD>(optim::SGDOptions(0.1).momentum(0.9).nesterov(true), kFloat),
      kSgdFloat, kFloatTol);
}

TEST(Optim, AdamMatchesLibtorch) {
  expect_near(run_five_steps<optim::Adam>(optim::AdamOptions(0.05)), kAdamDefault, kDoubleTol);
  expect_near(run_five_steps<optim::Adam>(
                  optim::AdamOptions(0.05).betas({0.8, 0.95}).weight_decay(0.1).amsgrad(true)),
              kAdamAmsgrad, kDoubleTol);
  expect_near(run_five_steps<optim::Adam>(optim::AdamOptions(0.05), kFloat), kAdamFloat, kFloatTol);
}

TEST(Optim, AdamWMatchesLibtorch) {
  expect_near(run_five_steps<optim::AdamW>(optim::AdamWOptions(0.05)), kAdamWDefault, kDoubleTol);
  expect_near(run_five_steps<optim::AdamW>(
                  optim::AdamWOptions(0.05).weight_decay(0.1).amsgrad(true).eps(1e-3)),
              kAdamWAmsgrad, kDoubleTol);
}

TEST(Optim, RmspropMatchesLibtorch) {
  expect_near(run_five_steps<optim::RMSprop>(optim::RMSpropOptions(0.01)), kRmspropDefault,
              kDoubleTol);
  expect_near(
      run_five_steps<optim::RMSprop>(
          optim::RMSpropOptions(0.01).momentum(0.9).centered(true).weight_decay(0.1).alpha(0.9)),
      kRmspropCentered, kDoubleTol);
}

TEST(Optim, AdagradMatchesLibtorch) {
  expect_near(run_five_steps<optim::Adagrad>(optim::AdagradOptions(0.1)), kAdagradDefault,
              kDoubleTol);
  expect_near(run_five_steps<optim::Adagrad>(optim::AdagradOptions(0.1)
                                                 .lr_decay(0.05)
                                                 .weight_decay(0.1)
                                                 .initial_accumulator_value(0.2)
                                                 .eps(1e-3)),
              kAdagradDecay, kDoubleTol);
  expect_near(run_five_steps<optim::Adagrad>(optim::AdagradOptions(0.1).weight_decay(0.1), kFloat),
              kAdagradFloat, kFloatTol);
}

TEST(Optim, AdagradMakesItsStateAtConstructionAndForLaterGroups) {
  Tensor a = tg::ones({3}, kDouble).requires_grad_(true);
  Tensor b = tg::ones({2}, kDouble).requires_grad_(true);
  optim::Adagrad opt({a}, optim::AdagradOptions(0.1).initial_accumulator_value(0.5));
  auto& state = static_cast<optim::AdagradParamState&>(*opt.state().at(opt.param_key(a)));
  EXPECT_EQ(state.step(), 0);
  EXPECT_TRUE(tg::equal(state.sum(), tg::full({3}, 0.5, kDouble)));
  opt.add_param_group(optim::OptimizerParamGroup({b}));
  a.mutable_grad() = tg::full({3}, 2.0, kDouble);
  b.mutable_grad() = tg::full({2}, 2.0, kDouble);
  opt.step();
  // sum = 0.5 + 4 for a, 0.5 + 4 for b (its group took the defaults); p -= 0.1 * 2 / sqrt(4.5).
  const double expected = 1 - 0.1 * 2 / (std::sqrt(4.5) + 1e-10);
  expect_near(a, {expected, expected, expected}, 1e-15);
  expect_near(b, {expected, expected}, 1e-15);
  EXPECT_EQ(state.step(), 1);
}

TEST(Optim, LargeParametersGiveTheSameValuesPerElement) {
  // 120000 elements: many blocks of the update loops, split across threads when there are
  // several; each element follows its own trajectory, so the pattern of six repeats.
  set_num_threads(2);
  auto check = [](const Tensor& p, const Values& expected) {
    const Values got = values(p);
    ASSERT_EQ(got.size(), 120000u);
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], expected[i % 6], 1e-12 * (1 + std::abs(expected[i % 6]))) << i;
  };
  check(run_five_steps<optim::Adam>(
            optim::AdamOptions(0.05).betas({0.8, 0.95}).weight_decay(0.1).amsgrad(true), kDouble,
            20000),
        kAdamAmsgrad);
  check(run_five_steps<optim::AdamW>(optim::AdamWOptions(0.05), kDouble, 20000), kAdamWDefault);
  check(run_five_steps<optim::RMSprop>(
            optim::RMSpropOptions(0.01).momentum(0.9).centered(true).weight_decay(0.1).alpha(0.9),
            kDouble, 20000),
        kRmspropCentered);
  check(run_five_steps<optim::SGD>(
            optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.01), kDouble, 20000),
        kSgdNesterov);
  check(run_five_steps<optim::Adagrad>(optim::AdagradOptions(0.1)
                                           .lr_decay(0.05)
                                           .weight_decay(0.1)
                                           .initial_accumulator_value(0.2)
                                           .eps(1e-3),
                                       kDouble, 20000),
        kAdagradDecay);
  const Values f = values(run_five_steps<optim::Adam>(optim::AdamOptions(0.05), kFloat, 20000));
  for (size_t i = 0; i < f.size(); ++i)
    ASSERT_NEAR(f[i], kAdamFloat[i % 6], kFloatTol * (1 + std::abs(kAdamFloat[i % 6]))) << i;
}

TEST(Optim, AdamFirstStepByHand) {
  // At step 1 the bias corrections cancel: p -= lr * g / (|g| + eps * sqrt(1 - beta2)) ... which
  // is lr * sign(g) up to eps.
  Tensor p = tg::tensor({1.0, -2.0, 3.0}, kDouble).requires_grad_(true);
  p.mutable_grad() = tg::tensor({0.5, -4.0, 0.0}, kDouble);
  optim::Adam opt({p}, optim::AdamOptions(0.1));
  opt.step();
  const double eps = 1e-8;
  // m = 0.1 g, v = 0.001 g^2; denom = sqrt(v)/sqrt(0.001) + eps = |g| + eps; step = lr / 0.1.
  const Values expected = {1.0 - 0.1 / 0.1 * (0.1 * 0.5) / (0.5 + eps),
                           -2.0 - 0.1 / 0.1 * (0.1 * -4.0) / (4.0 + eps), 3.0};
  expect_near(p, expected, 1e-14);
}

TEST(Optim, SgdStepByHand) {
  Tensor p = tg::tensor({1.0, 2.0}, kDouble).requires_grad_(true);
  optim::SGD opt({p}, optim::SGDOptions(0.5).momentum(0.5));
  p.mutable_grad() = tg::tensor({1.0, -1.0}, kDouble);
  opt.step();  // buf = g; p = p - 0.5 g
  expect_near(p, {0.5, 2.5}, 0);
  opt.step();  // buf = 0.5 g + g = 1.5 g; p -= 0.75 g
  expect_near(p, {-0.25, 3.25}, 0);
}

TEST(Optim, OptionDefaultsAreLibtorchs) {
  optim::AdamOptions adam;
  EXPECT_EQ(adam.lr(), 1e-3);
  EXPECT_EQ(std::get<0>(adam.betas()), 0.9);
  EXPECT_EQ(std::get<1>(adam.betas()), 0.999);
  EXPECT_EQ(adam.eps(), 1e-8);
  EXPECT_EQ(adam.weight_decay(), 0);
  EXPECT_FALSE(adam.amsgrad());
  optim::AdamWOptions adamw;
  EXPECT_EQ(adamw.lr(), 1e-3);
  EXPECT_EQ(adamw.weight_decay(), 1e-2);
  EXPECT_EQ(adamw.eps(), 1e-8);
  optim::RMSpropOptions rms;
  EXPECT_EQ(rms.lr(), 1e-2);
  EXPECT_EQ(rms.alpha(), 0.99);
  EXPECT_EQ(rms.eps(), 1e-8);
  EXPECT_EQ(rms.momentum(), 0);
  EXPECT_FALSE(rms.centered());
  optim::AdagradOptions adagrad;
  EXPECT_EQ(adagrad.lr(), 1e-2);
  EXPECT_EQ(adagrad.lr_decay(), 0);
  EXPECT_EQ(adagrad.weight_decay(), 0);
  EXPECT_EQ(adagrad.initial_accumulator_value(), 0);
  EXPECT_EQ(adagrad.eps(), 1e-10);
  EXPECT_TRUE(optim::AdagradOptions(0.1) == optim::AdagradOptions(0.1));
  EXPECT_FALSE(optim::AdagradOptions(0.1) == optim::AdagradOptions(0.1).lr_decay(1));
  optim::SGDOptions sgd(0.1);
  EXPECT_EQ(sgd.lr(), 0.1);
  EXPECT_EQ(sgd.momentum(), 0);
  EXPECT_EQ(sgd.dampening(), 0);
  EXPECT_EQ(sgd.weight_decay(), 0);
  EXPECT_FALSE(sgd.nesterov());
  EXPECT_TRUE(optim::AdamOptions(0.1) == optim::AdamOptions(0.1));
  EXPECT_FALSE(optim::AdamOptions(0.1) == optim::AdamOptions(0.2));
}

TEST(Optim, ParamGroupsHaveTheirOwnLearningRates) {
  Tensor a = tg::tensor({1.0}, kDouble).requires_grad_(true);
  Tensor b = tg::tensor({1.0}, kDouble).requires_grad_(true);
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{a});
  groups.emplace_back(std::vector<Tensor>{b}, std::make_unique<optim::SGDOptions>(0.5));
  optim::SGD opt(groups, optim::SGDOptions(0.1));
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.param_groups()[0].options().get_lr(), 0.1);  // the defaults
  EXPECT_EQ(opt.param_groups()[1].options().lr(), 0.5);
  EXPECT_EQ(opt.size(), 2u);
  EXPECT_TRUE(opt.parameters()[0].is_same(a));
  a.mutable_grad() = tg::ones({1}, kDouble);
  b.mutable_grad() = tg::ones({1}, kDouble);
  opt.step();
  EXPECT_DOUBLE_EQ(a.item<double>(), 0.9);
  EXPECT_DOUBLE_EQ(b.item<double>(), 0.5);
  // The learning rate is settable per group, through the base options or the typed ones.
  opt.param_groups()[0].options().lr(1.0);
  static_cast<optim::SGDOptions&>(opt.param_groups()[1].options()).lr(0.25);
  opt.step();
  EXPECT_DOUBLE_EQ(a.item<double>(), -0.1);
  EXPECT_DOUBLE_EQ(b.item<double>(), 0.25);
  // Changing a group's options leaves the defaults alone.
  EXPECT_EQ(opt.defaults().get_lr(), 0.1);
}

TEST(Optim, AddParamGroupAndParameters) {
  Tensor a = tg::ones({2}, requires_grad());
  Tensor b = tg::ones({3}, requires_grad());
  Tensor c = tg::ones({1}, requires_grad());
  optim::Adam opt({a});
  opt.add_param_group(optim::OptimizerParamGroup({b}, std::make_unique<optim::AdamOptions>(0.5)));
  opt.add_parameters({c});
  EXPECT_EQ(opt.size(), 3u);
  EXPECT_EQ(opt.parameters().size(), 2u);
  EXPECT_EQ(opt.param_groups()[1].options().get_lr(), 0.5);
}

TEST(Optim, StateIsPerParameter) {
  Tensor a = tg::zeros({2, 3}, requires_grad());
  Tensor b = tg::zeros({4}, requires_grad());
  optim::Adam opt({a, b});
  a.mutable_grad() = tg::ones({2, 3});
  for (int i = 0; i < 3; ++i) opt.step();
  // b has no gradient: it is skipped and gets no state.
  EXPECT_EQ(opt.state().size(), 1u);
  EXPECT_EQ(opt.state().count(optim::Optimizer::param_key(b)), 0u);
  const auto& state =
      static_cast<const optim::AdamParamState&>(*opt.state().at(optim::Optimizer::param_key(a)));
  EXPECT_EQ(state.step(), 3);
  EXPECT_EQ(state.exp_avg().sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(state.max_exp_avg_sq().defined());
  EXPECT_TRUE(values(b) == Values(4, 0.0));
  // m after three steps of g = 1: 1 - 0.9^3.
  EXPECT_NEAR(values(state.exp_avg())[0], 1 - std::pow(0.9, 3), 1e-6);
}

TEST(Optim, StepWritesInPlaceAndBumpsTheVersion) {
  Tensor p = tg::ones({3}, requires_grad());
  Tensor alias = p;
  const float* data = p.data_ptr<float>();
  const auto version = p._version();
  optim::SGD opt({p}, optim::SGDOptions(0.5));
  p.mutable_grad() = tg::ones({3});
  opt.step();
  EXPECT_EQ(p.data_ptr<float>(), data);
  EXPECT_GT(p._version(), version);
  EXPECT_FLOAT_EQ(alias.data_ptr<float>()[2], 0.5f);
  EXPECT_TRUE(p.requires_grad());
  EXPECT_TRUE(p.is_leaf());
}

TEST(Optim, NonContiguousParametersAreUpdatedInPlace) {
  Tensor base = tg::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, kDouble).view({2, 3});
  Tensor p = base.t().detach().requires_grad_(true);  // 3x2, not contiguous
  ASSERT_FALSE(p.is_contiguous());
  Tensor q = p.detach().contiguous().requires_grad_(true);
  Tensor g = tg::tensor({0.5, -1.0, 2.0, 0.25, -0.5, 1.5}, kDouble).view({3, 2});
  p.mutable_grad() = g;
  q.mutable_grad() = g.clone();
  optim::Adam opt_p({p}, optim::AdamOptions(0.1).weight_decay(0.1));
  optim::Adam opt_q({q}, optim::AdamOptions(0.1).weight_decay(0.1));
  for (int i = 0; i < 3; ++i) {
    opt_p.step();
    opt_q.step();
  }
  EXPECT_TRUE(values(p) == values(q));
  // The update landed in the storage p shares with base.
  EXPECT_TRUE(values(base.t()) == values(q));
}

TEST(Optim, NonContiguousGradient) {
  Tensor p = tg::zeros({2, 2}, kDouble).requires_grad_(true);
  p.mutable_grad() = tg::tensor({1.0, 2.0, 3.0, 4.0}, kDouble).view({2, 2}).t();
  optim::SGD opt({p}, optim::SGDOptions(1.0));
  opt.step();
  expect_near(p, {-1.0, -3.0, -2.0, -4.0}, 0);
}

TEST(Optim, ZeroGradZerosAndKeepsGradientsDefined) {
  Tensor a = tg::ones({2}, requires_grad());
  Tensor b = tg::ones({2}, requires_grad());
  (a * b * 3).sum().backward();
  optim::SGD opt({a, b}, optim::SGDOptions(0.1));
  Tensor c = tg::ones({1}, requires_grad());
  opt.add_parameters({c});  // c has no gradient: zero_grad leaves it undefined
  opt.zero_grad();
  ASSERT_TRUE(a.grad().defined());
  EXPECT_TRUE(values(a.grad()) == Values(2, 0.0));
  EXPECT_TRUE(values(b.grad()) == Values(2, 0.0));
  EXPECT_FALSE(c.grad().defined());
  // Gradients accumulate afresh from zero.
  (a * 2).sum().backward();
  EXPECT_TRUE(values(a.grad()) == Values(2, 2.0));
}

TEST(Optim, ZeroGradDetachesAGradientWithHistory) {
  Tensor x = tg::tensor({1.0, 2.0}, kDouble).requires_grad_(true);
  (x * x).sum().backward({}, std::nullopt, /*create_graph=*/true);
  ASSERT_TRUE(x.grad().requires_grad());
  optim::SGD opt({x}, optim::SGDOptions(0.1));
  opt.zero_grad();
  EXPECT_FALSE(x.grad().requires_grad());
  EXPECT_TRUE(values(x.grad()) == Values(2, 0.0));
}

TEST(Optim, ClosureRunsWithGradModeAndReturnsTheLoss) {
  Tensor w = tg::tensor({2.0}, kDouble).requires_grad_(true);
  optim::SGD opt({w}, optim::SGDOptions(0.25));
  NoGradGuard outer;  // the closure still records its graph
  Tensor loss = opt.step([&] {
    opt.zero_grad();
    Tensor l = (w * w).sum();
    l.backward();
    return l;
  });
  EXPECT_DOUBLE_EQ(loss.item<double>(), 4.0);
  EXPECT_DOUBLE_EQ(w.item<double>(), 2.0 - 0.25 * 4.0);
  EXPECT_FALSE(opt.step().defined());
}

TEST(Optim, TrainsALinearRegression) {
  manual_seed(0);
  Tensor x = tg::randn({64, 3});
  Tensor true_w = tg::tensor({1.5f, -2.0f, 0.5f}).view({3, 1});
  Tensor y = x.matmul(true_w) + 0.3;
  for (int which = 0; which < 4; ++which) {
    Tensor w = tg::zeros({3, 1}, requires_grad());
    Tensor b = tg::zeros({1}, requires_grad());
    std::unique_ptr<optim::Optimizer> opt;
    if (which == 0)
      opt = std::make_unique<optim::SGD>(std::vector<Tensor>{w, b},
                                         optim::SGDOptions(0.1).momentum(0.9));
    if (which == 1)
      opt = std::make_unique<optim::Adam>(std::vector<Tensor>{w, b}, optim::AdamOptions(0.05));
    if (which == 2)
      opt = std::make_unique<optim::AdamW>(std::vector<Tensor>{w, b},
                                           optim::AdamWOptions(0.05).weight_decay(0));
    if (which == 3)
      opt =
          std::make_unique<optim::RMSprop>(std::vector<Tensor>{w, b}, optim::RMSpropOptions(0.01));
    double loss_value = 0;
    for (int step = 0; step < 400; ++step) {
      opt->zero_grad();
      Tensor loss = (x.matmul(w) + b - y).square().mean();
      loss.backward();
      opt->step();
      loss_value = loss.item<double>();
    }
    EXPECT_LT(loss_value, 1e-3) << "optimizer " << which;
  }
}

TEST(Optim, StepLrMatchesLibtorch) {
  Tensor p = tg::ones({1}, requires_grad());
  optim::SGD opt({p}, optim::SGDOptions(1.0));
  optim::StepLR scheduler(opt, 2, 0.5);
  // libtorch 1.13 (same program as above): the rate after each of 8 calls of step().
  const Values expected = {1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125};
  for (double lr : expected) {
    scheduler.step();
    EXPECT_DOUBLE_EQ(opt.param_groups()[0].options().get_lr(), lr);
  }
}

TEST(Optim, CosineAnnealingLr) {
  Tensor a = tg::ones({1}, requires_grad());
  Tensor b = tg::ones({1}, requires_grad());
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{a});
  groups.emplace_back(std::vector<Tensor>{b}, std::make_unique<optim::AdamOptions>(0.2));
  optim::Adam opt(groups, optim::AdamOptions(0.1));
  optim::CosineAnnealingLR scheduler(opt, 4, 0.01);
  // eta_min + (base - eta_min) (1 + cos(pi t / 4)) / 2 for t = 1..5, computed by hand.
  const double c = std::sqrt(0.5);  // cos(pi / 4)
  const Values first = {0.01 + 0.09 * (1 + c) / 2, 0.055, 0.01 + 0.09 * (1 - c) / 2, 0.01,
                        0.01 + 0.09 * (1 - c) / 2};
  const Values second = {0.01 + 0.19 * (1 + c) / 2, 0.105, 0.01 + 0.19 * (1 - c) / 2, 0.01,
                         0.01 + 0.19 * (1 - c) / 2};
  for (size_t t = 0; t < first.size(); ++t) {
    scheduler.step();
    EXPECT_NEAR(opt.param_groups()[0].options().get_lr(), first[t], 1e-15) << t;
    EXPECT_NEAR(opt.param_groups()[1].options().get_lr(), second[t], 1e-15) << t;
  }
  EXPECT_EQ(scheduler.base_lrs(), (Values{0.1, 0.2}));
}

TEST(Optim, ClipGradNormMatchesLibtorch) {
  struct Case {
    double norm_type, total;
    Values a, b;
  };
  // From libtorch 1.13's torch::nn::utils::clip_grad_norm_ with max_norm 1.5.
  const std::vector<Case> cases = {
      {2.0,
       9.1563813574195354,
       {-0.061432559065666248, 0.28975690359305917, -0.1228651181313325, 0.0081910078754221672,
        0.06176019938068314, -0.12827118332911114},
       {-0.03276403150168871, 1.4579994018251456}},
      {1.0,
       13.203750000000001,
       {-0.042601530428739529, 0.20093721852222143, -0.085203060857479057, 0.0056802040571652702,
        0.042828738591026136, -0.088951995535208134},
       {-0.022720816228661112, 1.0110763221754182}},
      {std::numeric_limits<double>::infinity(),
       8.9000000000000004,
       {-0.063202240089635944, 0.29810389908944956, -0.12640448017927189, 0.0084269653452847936,
        0.063539318703447339, -0.13196627730715985},
       {-0.033707861381139216, 1.499999831460693}},
      {3.0,
       8.9274783393857469,
       {-0.063007706723934312, 0.29718635004789018, -0.12601541344786862, 0.0084010275631912421,
        0.06334374782646196, -0.13156009163957486},
       {-0.03360411025276501, 1.495382906248041}},
  };
  for (const Case& c : cases) {
    Tensor a = start(kDouble);
    Tensor b = tg::tensor({3.0, -4.0}, kDouble).requires_grad_(true);
    set_grad(a, 1);
    set_grad(b, 2);
    const double total = nn::utils::clip_grad_norm_({a, b}, 1.5, c.norm_type);
    EXPECT_NEAR(total, c.total, 1e-12) << c.norm_type;
    expect_near(a.grad(), c.a, 1e-12);
    expect_near(b.grad(), c.b, 1e-12);
  }
}

TEST(Optim, ClipGradNormEdgeCases) {
  Tensor a = tg::ones({4}, requires_grad());
  EXPECT_EQ(nn::utils::clip_grad_norm_(a, 1.0), 0.0);  // no gradient
  a.mutable_grad() = tg::full({4}, 0.25);
  EXPECT_NEAR(nn::utils::clip_grad_norm_(a, 10.0), 0.5, 1e-7);  // below max_norm: unchanged
  EXPECT_FLOAT_EQ(a.grad().data_ptr<float>()[0], 0.25f);
  a.mutable_grad() = tg::full({4}, std::nan(""));
  EXPECT_ERROR(nn::utils::clip_grad_norm_({a}, 1.0, 2.0, /*error_if_nonfinite=*/true),
               "clip_grad_norm_", "non-finite", "error_if_nonfinite");
  EXPECT_ERROR(nn::utils::clip_grad_norm_(a, -1.0), "clip_grad_norm_", "max_norm", "-1");
  Tensor b = tg::tensor({-3.0, 0.5, 4.0}, kDouble).requires_grad_(true);
  b.mutable_grad() = b.detach().clone();
  nn::utils::clip_grad_value_(b, 1.0);
  expect_near(b.grad(), {-1.0, 0.5, 1.0}, 0);
  EXPECT_ERROR(nn::utils::clip_grad_value_(b, -1.0), "clip_grad_value_", "clip_value");
}

TEST(Optim, InvalidOptionsThrow) {
  Tensor p = tg::ones({1}, requires_grad());
  EXPECT_ERROR(optim::SGD({p}, optim::SGDOptions(-0.1)), "SGD", "learning rate", "-0.1");
  EXPECT_ERROR(optim::SGD({p}, optim::SGDOptions(0.1).momentum(-1)), "SGD", "momentum");
  EXPECT_ERROR(optim::SGD({p}, optim::SGDOptions(0.1).weight_decay(-1)), "SGD", "weight_decay");
  EXPECT_ERROR(optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)), "SGD", "Nesterov",
               "momentum");
  EXPECT_ERROR(optim::SGD({p}, optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)),
               "SGD", "Nesterov", "dampening");
  EXPECT_ERROR(optim::Adam({p}, optim::AdamOptions(-1)), "Adam", "learning rate");
  EXPECT_ERROR(optim::Adam({p}, optim::AdamOptions().eps(-1)), "Adam", "epsilon");
  EXPECT_ERROR(optim::Adam({p}, optim::AdamOptions().betas({1.0, 0.999})), "Adam",
               "beta parameter at index 0", "[0, 1)");
  EXPECT_ERROR(optim::Adam({p}, optim::AdamOptions().betas({0.9, -0.1})), "Adam",
               "beta parameter at index 1");
  EXPECT_ERROR(optim::Adam({p}, optim::AdamOptions().weight_decay(-1)), "Adam", "weight_decay");
  EXPECT_ERROR(optim::AdamW({p}, optim::AdamWOptions(-1)), "AdamW", "learning rate");
  EXPECT_ERROR(optim::AdamW({p}, optim::AdamWOptions().betas({0.9, 1.5})), "AdamW", "index 1");
  EXPECT_ERROR(optim::RMSprop({p}, optim::RMSpropOptions(-1)), "RMSprop", "learning rate");
  EXPECT_ERROR(optim::RMSprop({p}, optim::RMSpropOptions().alpha(-1)), "RMSprop", "alpha");
  EXPECT_ERROR(optim::RMSprop({p}, optim::RMSpropOptions().momentum(-1)), "RMSprop", "momentum");
  EXPECT_ERROR(optim::RMSprop({p}, optim::RMSpropOptions().eps(-1)), "RMSprop", "epsilon");
  EXPECT_ERROR(optim::Adagrad({p}, optim::AdagradOptions(-1)), "Adagrad", "learning rate");
  EXPECT_ERROR(optim::Adagrad({p}, optim::AdagradOptions().lr_decay(-1)), "Adagrad", "lr_decay");
  EXPECT_ERROR(optim::Adagrad({p}, optim::AdagradOptions().weight_decay(-1)), "Adagrad",
               "weight_decay");
  EXPECT_ERROR(optim::Adagrad({p}, optim::AdagradOptions().initial_accumulator_value(-1)),
               "Adagrad", "initial_accumulator_value");
  EXPECT_ERROR(optim::Adagrad({p}, optim::AdagradOptions().eps(-1)), "Adagrad", "epsilon");
}

TEST(Optim, InvalidParametersThrow) {
  Tensor leaf = tg::ones({2}, requires_grad());
  Tensor computed = leaf * 2;
  EXPECT_ERROR(optim::SGD({computed}, optim::SGDOptions(0.1)), "Optimizer", "non-leaf",
               "MulBackward", "detach");
  EXPECT_ERROR(optim::Adam({leaf, leaf}), "Optimizer", "more than one parameter group");
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{leaf});
  groups.emplace_back(std::vector<Tensor>{leaf});
  EXPECT_ERROR(optim::Adam(groups, optim::AdamOptions()), "more than one parameter group");
  EXPECT_ERROR(optim::Adam({tg::ones({2}, kLong)}), "Optimizer", "Long", "floating-point");
  EXPECT_ERROR(optim::Adam({Tensor()}), "Optimizer", "undefined");
  optim::Adam opt({leaf});
  EXPECT_ERROR(opt.add_parameters({leaf}), "more than one parameter group");
  optim::OptimizerParamGroup no_options(std::vector<Tensor>{leaf});
  EXPECT_ERROR(no_options.options(), "OptimizerParamGroup", "no options");
}

TEST(Optim, GradientOfTheWrongShapeThrows) {
  Tensor p = tg::ones({2, 2}, requires_grad());
  p.mutable_grad() = tg::ones({4});
  optim::Adam opt({p});
  EXPECT_ERROR(opt.step(), "Adam", "[4]", "[2, 2]", "shape");
}

TEST(Optim, InvalidSchedulersThrow) {
  Tensor p = tg::ones({1}, requires_grad());
  optim::SGD opt({p}, optim::SGDOptions(0.1));
  EXPECT_ERROR(optim::StepLR(opt, 0), "StepLR", "step_size");
  EXPECT_ERROR(optim::CosineAnnealingLR(opt, 0), "CosineAnnealingLR", "T_max");
  EXPECT_ERROR(optim::CosineAnnealingLR(opt, 5, -1.0), "CosineAnnealingLR", "eta_min");
}

TEST(Optim, DoubleAndFloatParametersInOneOptimizer) {
  Tensor f = tg::ones({3}, requires_grad());
  Tensor d = tg::ones({3}, kDouble).requires_grad_(true);
  f.mutable_grad() = tg::full({3}, 0.5);
  d.mutable_grad() = tg::full({3}, 0.5, kDouble);
  optim::RMSprop opt({f, d}, optim::RMSpropOptions(0.01).centered(true).momentum(0.5));
  for (int i = 0; i < 4; ++i) opt.step();
  EXPECT_EQ(f.dtype(), kFloat);
  EXPECT_EQ(d.dtype(), kDouble);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(values(f)[i], values(d)[i], 1e-6);
  EXPECT_LT(values(d)[0], 1.0);
}

}  // namespace
}  // namespace tg
