// Neural-network losses, activations and linear: values against references computed here with
// plain loops, every reduction, class weights, ignore_index, label smoothing, class-probability
// targets, Float and non-contiguous inputs, empty inputs, graph names, the fused and the
// differentiable derivative paths agreeing, the Options classes and nn::functional wrappers, and
// every error message.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "tensor_values.h"
#include "tensorgrad/nn/functional/activation.h"
#include "tensorgrad/nn/functional/linear.h"
#include "tensorgrad/nn/functional/loss.h"
#include "tensorgrad/nn/ops_loss.h"
#include "tensorgrad/tensorgrad.h"
#include "tensorgrad/torch.h"

namespace tg {
namespace {

namespace F = nn::functional;

using tg::testing::values;

double value(const Tensor& t) {
  EXPECT_EQ(t.numel(), 1);
  return values(t).at(0);
}

void expect_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-10) {
  const std::vector<double> got = values(t);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "element " << i;
}

/// Expects fn to throw a tg::Error whose message contains every part.
void expect_error(const std::function<void()>& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected a tg::Error containing \"" << *parts.begin() << "\"";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& part : parts)
      EXPECT_NE(message.find(part), std::string::npos)
          << "message \"" << message << "\" lacks \"" << part << "\"";
  }
}

Tensor doubles(std::vector<int64_t> shape, std::vector<double> v, bool grad = false) {
  Tensor t = empty(shape, kDouble);
  for (size_t i = 0; i < v.size(); ++i) t.data_ptr<double>()[i] = v[i];
  return t.requires_grad_(grad);
}

Tensor longs(std::vector<int64_t> shape, std::vector<int64_t> v) {
  Tensor t = empty(shape, kLong);
  for (size_t i = 0; i < v.size(); ++i) t.data_ptr<int64_t>()[i] = v[i];
  return t;
}

/// A [rows, cols] double tensor with distinct values.
Tensor grid(int64_t rows, int64_t cols, double seed, bool grad = false) {
  std::vector<double> v;
  for (int64_t i = 0; i < rows * cols; ++i) v.push_back(std::sin(seed + 1.7 * i) * 2);
  return doubles({rows, cols}, v, grad);
}

/// log_softmax of each row of a row-major [rows, cols] array.
std::vector<double> log_softmax_rows(const std::vector<double>& x, int64_t rows, int64_t cols) {
  std::vector<double> out(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0;
    for (int64_t c = 0; c < cols; ++c) m = std::max(m, x[r * cols + c]);
    for (int64_t c = 0; c < cols; ++c) s += std::exp(x[r * cols + c] - m);
    for (int64_t c = 0; c < cols; ++c) out[r * cols + c] = x[r * cols + c] - m - std::log(s);
  }
  return out;
}

std::string grad_fn_name(const Tensor& t) { return t.grad_fn() ? t.grad_fn()->name() : "none"; }

// ---- enums and options --------------------------------------------------------------------------

TEST(NnLossOptions, ReductionEnumsAndDefaults) {
  EXPECT_EQ(Reduction::None, 0);
  EXPECT_EQ(Reduction::Mean, 1);
  EXPECT_EQ(Reduction::Sum, 2);
  EXPECT_EQ(enumtype::reduction_get_enum(kNone), Reduction::None);
  EXPECT_EQ(enumtype::reduction_get_enum(kMean), Reduction::Mean);
  EXPECT_EQ(enumtype::reduction_get_enum(kSum), Reduction::Sum);
  EXPECT_EQ(enumtype::get_enum_name(kSum), "kSum");

  EXPECT_TRUE(std::holds_alternative<enumtype::kMean>(nn::MSELossOptions().reduction()));
  EXPECT_TRUE(std::holds_alternative<enumtype::kSum>(nn::MSELossOptions(kSum).reduction()));
  EXPECT_TRUE(std::holds_alternative<enumtype::kNone>(nn::L1LossOptions(kNone).reduction()));
  EXPECT_TRUE(
      std::holds_alternative<enumtype::kSum>(nn::BCELossOptions().reduction(kSum).reduction()));
  EXPECT_FALSE(nn::BCELossOptions().weight().defined());
  const nn::NLLLossOptions nll;
  EXPECT_EQ(nll.ignore_index(), -100);
  EXPECT_FALSE(nll.weight().defined());
  EXPECT_TRUE(std::holds_alternative<enumtype::kMean>(nll.reduction()));
  const auto ce = nn::CrossEntropyLossOptions().label_smoothing(0.1).ignore_index(3);
  EXPECT_EQ(ce.label_smoothing(), 0.1);
  EXPECT_EQ(ce.ignore_index(), 3);
  EXPECT_EQ(nn::CrossEntropyLossOptions().label_smoothing(), 0.0);
  EXPECT_FALSE(nn::BCEWithLogitsLossOptions().pos_weight().defined());

  EXPECT_EQ(nn::LeakyReLUOptions().negative_slope(), 0.01);
  EXPECT_FALSE(nn::LeakyReLUOptions().inplace());
  EXPECT_EQ(nn::GELUOptions().approximate(), "none");
  EXPECT_FALSE(nn::ReLUOptions().inplace());
  EXPECT_TRUE(nn::ReLUOptions(true).inplace());
  EXPECT_EQ(nn::SoftplusOptions().beta(), 1.0);
  EXPECT_EQ(nn::SoftplusOptions().threshold(), 20.0);
  EXPECT_EQ(nn::SoftmaxOptions(1).dim(), 1);
  EXPECT_EQ(nn::LogSoftmaxOptions(-1).dim(), -1);
  EXPECT_FALSE(F::SoftmaxFuncOptions(0).dtype().has_value());
  EXPECT_EQ(F::LogSoftmaxFuncOptions(0).dtype(kDouble).dtype(), kDouble);

  const nn::LinearOptions lin(3, 4);
  EXPECT_EQ(lin.in_features(), 3);
  EXPECT_EQ(lin.out_features(), 4);
  EXPECT_TRUE(lin.bias());
  EXPECT_FALSE(nn::LinearOptions(3, 4).bias(false).bias());
  EXPECT_EQ(nn::FlattenOptions().start_dim(), 1);
  EXPECT_EQ(nn::FlattenOptions().end_dim(), -1);
}

TEST(NnLossOptions, LibtorchSpellingsCompile) {
  const torch::Tensor x = doubles({2}, {1, 2}), y = doubles({2}, {0, 4});
  EXPECT_DOUBLE_EQ(value(torch::nn::functional::mse_loss(x, y, torch::kSum)), 5.0);
  EXPECT_DOUBLE_EQ(value(torch::mse_loss(x, y, at::Reduction::Sum)), 5.0);
  EXPECT_DOUBLE_EQ(value(F::l1_loss(x, y, F::L1LossFuncOptions().reduction(torch::kMean))), 1.5);
}

// ---- nll_loss -----------------------------------------------------------------------------------

struct NllExpect {
  std::vector<double> none;
  double sum = 0, total_weight = 0;
};

/// nll_loss of a row-major [N, C] input by hand.
NllExpect nll_by_hand(const std::vector<double>& x, int64_t C, const std::vector<int64_t>& t,
                      const std::vector<double>& w, int64_t ignore_index) {
  NllExpect e;
  for (size_t n = 0; n < t.size(); ++n) {
    if (t[n] == ignore_index) {
      e.none.push_back(0);
      continue;
    }
    const double wv = w.empty() ? 1.0 : w[t[n]];
    e.none.push_back(-wv * x[n * C + t[n]]);
    e.sum += e.none.back();
    e.total_weight += wv;
  }
  return e;
}

TEST(NllLoss, EveryReductionWithWeightsAndIgnoreIndex) {
  const Tensor x = grid(4, 5, 0.3);
  const std::vector<double> xv = values(x);
  const std::vector<double> w{0.5, 1.0, 2.0, 1.5, 0.25};
  const Tensor weight = doubles({5}, w);
  for (int64_t ignore : {int64_t(-100), int64_t(2)}) {
    const std::vector<int64_t> tv{1, ignore == 2 ? 2 : -100, 4, 2};
    const Tensor target = longs({4}, tv);
    for (bool weighted : {false, true}) {
      SCOPED_TRACE("ignore_index " + std::to_string(ignore) + (weighted ? " weighted" : ""));
      const NllExpect e = nll_by_hand(xv, 5, tv, weighted ? w : std::vector<double>{}, ignore);
      const Tensor wt = weighted ? weight : Tensor();
      expect_values(nll_loss(x, target, wt, Reduction::None, ignore), e.none);
      expect_values(nll_loss(x, target, wt, Reduction::Sum, ignore), {e.sum});
      expect_values(nll_loss(x, target, wt, Reduction::Mean, ignore), {e.sum / e.total_weight});
      // The functional form with options gives the same.
      auto opts = nn::NLLLossOptions().ignore_index(ignore).reduction(kMean);
      if (weighted) opts.weight(weight);
      expect_values(F::nll_loss(x, target, opts), {e.sum / e.total_weight});
    }
  }
  // By hand, with round numbers: rows pick x[0][1] = -1 and x[1][0] = -3, weights 2 and 1.
  const Tensor simple = doubles({2, 3}, {-5, -1, -2, -3, -4, -6});
  const Tensor t2 = longs({2}, {1, 0});
  EXPECT_DOUBLE_EQ(value(nll_loss(simple, t2)), 2.0);
  EXPECT_DOUBLE_EQ(value(nll_loss(simple, t2, doubles({3}, {1, 2, 9}))), (2 * 1 + 1 * 3) / 3.0);
  EXPECT_DOUBLE_EQ(value(nll_loss(simple, t2, doubles({3}, {1, 2, 9}), Reduction::Sum)), 5.0);
}

TEST(NllLoss, ShapesOneDAndNdInputs) {
  const Tensor x1 = doubles({4}, {-1, -2, -3, -4});
  const Tensor n1 = nll_loss(x1, longs({}, {2}), {}, Reduction::None);
  EXPECT_EQ(n1.dim(), 0);
  EXPECT_DOUBLE_EQ(value(n1), 3.0);
  EXPECT_DOUBLE_EQ(value(nll_loss(x1, longs({}, {3}))), 4.0);

  // [N=2, C=3, d=2]: x[n, c, k] = -(10 n + 3 c + k + 1).
  std::vector<double> xv;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 2; ++k) xv.push_back(-(10.0 * n + 3 * c + k + 1));
  const Tensor x3 = doubles({2, 3, 2}, xv);
  const Tensor t3 = longs({2, 2}, {2, 0, -100, 1});
  const Tensor none = nll_loss(x3, t3, {}, Reduction::None);
  EXPECT_EQ(none.sizes().vec(), (std::vector<int64_t>{2, 2}));
  // (0,k=0) class 2: 7; (0,k=1) class 0: 2; ignored; (1,k=1) class 1: 10 + 3 + 1 + 1 = 15.
  expect_values(none, {7, 2, 0, 15});
  EXPECT_DOUBLE_EQ(value(nll_loss(x3, t3)), (7 + 2 + 15) / 3.0);
  EXPECT_DOUBLE_EQ(value(nll_loss_nd(x3, t3, {}, Reduction::Sum)), 24.0);
  EXPECT_DOUBLE_EQ(value(F::nll_loss(x3, t3)), 8.0);
}

TEST(NllLoss, FloatNonContiguousAndEmpty) {
  const Tensor xd = grid(5, 3, 1.1);
  const Tensor xt = xd.t();  // [3, 5], non-contiguous
  ASSERT_FALSE(xt.is_contiguous());
  const std::vector<int64_t> tv{4, 0, 2};
  const NllExpect e = nll_by_hand(values(xt), 5, tv, {}, -100);
  expect_values(nll_loss(xt, longs({3}, tv), {}, Reduction::None), e.none);
  const Tensor xf = xt.to(kFloat);
  const Tensor lf = nll_loss(xf, longs({3}, tv));
  EXPECT_EQ(lf.dtype(), kFloat);
  EXPECT_NEAR(value(lf), e.sum / 3, 1e-6);

  // Mean of nothing is NaN, as libtorch; Sum is 0.
  const Tensor all_ignored = longs({3}, {-100, -100, -100});
  EXPECT_TRUE(std::isnan(value(nll_loss(xt, all_ignored))));
  EXPECT_EQ(value(nll_loss(xt, all_ignored, {}, Reduction::Sum)), 0.0);
  const Tensor empty_x = zeros({0, 5}, kDouble);
  const Tensor empty_t = zeros({0}, kLong);
  EXPECT_TRUE(std::isnan(value(nll_loss(empty_x, empty_t))));
  EXPECT_EQ(value(nll_loss(empty_x, empty_t, {}, Reduction::Sum)), 0.0);
  EXPECT_EQ(nll_loss(empty_x, empty_t, {}, Reduction::None).sizes().vec(), std::vector<int64_t>{0});
}

// An empty class dim (C = 0), as libtorch: any target but ignore_index is out of bounds; with
// every target ignored Mean is NaN, Sum 0, and the gradient is the empty input's shape (the
// backward must write nothing: there is no class to scatter into).
TEST(NllLoss, NoClasses) {
  const Tensor ignored = longs({3}, {-100, -100, -100});
  for (int64_t r : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
    SCOPED_TRACE("reduction " + std::to_string(r));
    const Tensor x = zeros({3, 0}, kDouble).requires_grad_();
    const Tensor loss = nll_loss(x, ignored, {}, r);
    if (r == Reduction::None) expect_values(loss, {0, 0, 0});
    if (r == Reduction::Mean) EXPECT_TRUE(std::isnan(value(loss)));
    if (r == Reduction::Sum) EXPECT_EQ(value(loss), 0.0);
    const Tensor g = (ones_like(loss) * 0.5).requires_grad_();
    // Without create_graph (the one-pass loop) and with it (the differentiable formula).
    for (bool create_graph : {false, true}) {
      const Tensor gx = autograd::grad({loss}, {x}, {g}, true, create_graph).at(0);
      EXPECT_EQ(gx.sizes().vec(), (std::vector<int64_t>{3, 0}));
      EXPECT_EQ(gx.requires_grad(), create_graph);
    }
    loss.sum().backward();
    EXPECT_EQ(x.grad().sizes().vec(), (std::vector<int64_t>{3, 0}));
  }
  // [N, 0, d] and a 1-D [0] input with its 0-d target.
  const Tensor x3 = zeros({2, 0, 3}, kDouble).requires_grad_();
  nll_loss(x3, full({2, 3}, -100, kLong), {}, Reduction::Sum).backward();
  EXPECT_EQ(x3.grad().sizes().vec(), (std::vector<int64_t>{2, 0, 3}));
  const Tensor x1 = zeros({0}, kDouble).requires_grad_();
  nll_loss(x1, full({}, -100, kLong), {}, Reduction::None).backward();
  EXPECT_EQ(x1.grad().sizes().vec(), std::vector<int64_t>{0});
  // cross_entropy goes through log_softmax over the empty class dim, then the same backward.
  const Tensor xc = zeros({3, 0}, kDouble).requires_grad_();
  cross_entropy_loss(xc, ignored, {}, Reduction::Sum).backward();
  EXPECT_EQ(xc.grad().sizes().vec(), (std::vector<int64_t>{3, 0}));
  expect_error(
      [] {
        nll_loss(zeros({2, 0}, kDouble), longs({2}, {0, -100}));
      },
      {"nll_loss", "target 0 is out of bounds for 0 classes"});
}

TEST(NllLoss, GradientScattersIntoTheTargets) {
  const Tensor x = grid(3, 4, 0.7, true);
  const Tensor w = doubles({4}, {1, 2, 3, 4});
  const Tensor loss = nll_loss(x, longs({3}, {3, -100, 1}), w);
  EXPECT_EQ(grad_fn_name(loss), "NllLossBackward0");
  loss.backward();
  // d/dx[n, t_n] = -w[t_n] / (w[3] + w[1]) for the counted rows, 0 elsewhere.
  std::vector<double> expected(12, 0.0);
  expected[0 * 4 + 3] = -4.0 / 6;
  expected[2 * 4 + 1] = -2.0 / 6;
  expect_values(x.grad(), expected);
}

TEST(NllLoss, Errors) {
  const Tensor x = grid(4, 5, 0.1);
  const Tensor t = longs({4}, {1, 0, 4, 2});
  expect_error(
      [&] {
        nll_loss(x, longs({4}, {1, 0, 7, 2}));
      },
      {"nll_loss: target 7 is out of bounds for 5 classes"});
  expect_error(
      [&] {
        nll_loss(x, longs({4}, {1, -1, 0, 2}));
      },
      {"nll_loss", "target -1 is out of bounds for 5 classes", "ignore_index (-100)"});
  expect_error([&] { nll_loss(x, t.to(kDouble)); },
               {"nll_loss", "dtype Long", "Double", "to(tg::kLong)"});
  expect_error(
      [&] {
        nll_loss(x, longs({3}, {1, 0, 4}));
      },
      {"nll_loss", "batch_size (4)", "batch_size (3)"});
  expect_error([&] { nll_loss(x, longs({}, {1})); }, {"nll_loss", "batch_size (4)", "0-d"});
  expect_error(
      [&] {
        nll_loss(zeros({2, 3, 4}, kDouble), longs({2, 3}, {0, 0, 0, 0, 0, 0}));
      },
      {"nll_loss", "target of shape [2, 4]", "[2, 3, 4]", "got [2, 3]"});
  expect_error(
      [&] {
        nll_loss(doubles({3}, {1, 2, 3}), longs({1}, {0}));
      },
      {"nll_loss", "0-d target", "[3]", "[N, C]"});
  expect_error(
      [&] {
        nll_loss(x, t, doubles({4}, {1, 1, 1, 1}));
      },
      {"nll_loss", "weight tensor should be defined either for all 5 classes", "[4]"});
  expect_error([&] { nll_loss(x, t, ones({5}, kFloat)); },
               {"nll_loss", "weight of dtype Double", "Float"});
  expect_error([&] { nll_loss(x, t, ones({5}, kDouble).requires_grad_()); },
               {"nll_loss", "not differentiable with respect to weight", "detach()"});
  expect_error([&] { nll_loss(x, t, {}, 3); }, {"nll_loss", "reduction must be", "got 3"});
  expect_error([&] { nll_loss(scalar_tensor(1.0, kDouble), longs({}, {0})); },
               {"nll_loss", "0-d tensor"});
  expect_error([&] { nll_loss(x.to(kLong), t); }, {"nll_loss", "floating-point input", "Long"});
  expect_error(
      [&] {
        F::nll_loss(doubles({3}, {1, 2, 3}), longs({}, {0}));
      },
      {"nll_loss", "Expected 2 or more dimensions (got 1)"});
  expect_error(
      [&] {
        F::nll_loss(x, longs({2}, {0, 1}));
      },
      {"nll_loss", "Expected input batch_size (4) to match target batch_size (2)"});
}

// ---- cross_entropy ------------------------------------------------------------------------------

TEST(CrossEntropy, ClassIndicesMatchLogSoftmaxByHand) {
  const Tensor x = grid(4, 5, 0.9);
  const std::vector<double> lp = log_softmax_rows(values(x), 4, 5);
  const std::vector<int64_t> tv{1, 0, 4, 2};
  const Tensor t = longs({4}, tv);
  const NllExpect e = nll_by_hand(lp, 5, tv, {}, -100);
  expect_values(cross_entropy_loss(x, t), {e.sum / 4});
  expect_values(cross_entropy_loss(x, t, {}, Reduction::None), e.none);
  expect_values(F::cross_entropy(x, t, nn::CrossEntropyLossOptions().reduction(kSum)), {e.sum});
  EXPECT_EQ(grad_fn_name(cross_entropy_loss(x.detach().requires_grad_(), t)), "NllLossBackward0");

  // Float logits; the gradient of the mean is (softmax - onehot) / N.
  const Tensor xf = x.to(kFloat).requires_grad_();
  const Tensor lf = F::cross_entropy(xf, t);
  EXPECT_EQ(lf.dtype(), kFloat);
  EXPECT_NEAR(value(lf), e.sum / 4, 1e-5);
  lf.backward();
  std::vector<double> expected(20);
  for (int64_t n = 0; n < 4; ++n)
    for (int64_t c = 0; c < 5; ++c)
      expected[n * 5 + c] = (std::exp(lp[n * 5 + c]) - (c == tv[n] ? 1.0 : 0.0)) / 4;
  expect_values(xf.grad(), expected, 1e-5);
}

TEST(CrossEntropy, LabelSmoothingWithWeightsAndIgnoreIndex) {
  const Tensor x = grid(4, 5, 1.4);
  const std::vector<double> lp = log_softmax_rows(values(x), 4, 5);
  const std::vector<double> w{0.5, 1.0, 2.0, 1.5, 0.25};
  const std::vector<int64_t> tv{1, -100, 4, 2};
  const double ls = 0.2;
  for (bool weighted : {false, true}) {
    SCOPED_TRACE(weighted ? "weighted" : "unweighted");
    std::vector<double> none;
    double sum = 0, total = 0;
    for (int64_t n = 0; n < 4; ++n) {
      if (tv[n] == -100) {
        none.push_back(0);
        continue;
      }
      auto wc = [&](int64_t c) { return weighted ? w[c] : 1.0; };
      double smooth = 0;
      for (int64_t c = 0; c < 5; ++c) smooth -= wc(c) * lp[n * 5 + c];
      none.push_back((1 - ls) * -wc(tv[n]) * lp[n * 5 + tv[n]] + ls / 5 * smooth);
      sum += none.back();
      total += wc(tv[n]);
    }
    const Tensor weight = weighted ? doubles({5}, w) : Tensor();
    const Tensor t = longs({4}, tv);
    expect_values(cross_entropy_loss(x, t, weight, Reduction::None, -100, ls), none);
    expect_values(cross_entropy_loss(x, t, weight, Reduction::Sum, -100, ls), {sum});
    expect_values(cross_entropy_loss(x, t, weight, Reduction::Mean, -100, ls), {sum / total});
    auto opts = nn::CrossEntropyLossOptions().label_smoothing(ls);
    if (weighted) opts.weight(weight);
    expect_values(F::cross_entropy(x, t, opts), {sum / total});
  }
  // ls = 1 leaves only the uniform part; a negative ls is no smoothing (as libtorch).
  const Tensor t = longs({4}, {1, 0, 4, 2});
  double uniform = 0;
  for (double v : lp) uniform -= v / 5;
  expect_values(cross_entropy_loss(x, t, {}, Reduction::Sum, -100, 1.0), {uniform});
  expect_values(cross_entropy_loss(x, t, {}, Reduction::Mean, -100, -0.5),
                {values(cross_entropy_loss(x, t))[0]});
  // Every target ignored: the mean is NaN.
  EXPECT_TRUE(std::isnan(value(cross_entropy_loss(x, longs({4}, {-100, -100, -100, -100}), {},
                                                  Reduction::Mean, -100, 0.1))));
}

TEST(CrossEntropy, ClassProbabilities) {
  const Tensor x = grid(3, 4, 2.2);
  const std::vector<double> lp = log_softmax_rows(values(x), 3, 4);
  std::vector<double> q{0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25};
  const Tensor target = doubles({3, 4}, q);
  const std::vector<double> w{2, 1, 0.5, 1};
  const double ls = 0.1;
  std::vector<double> none_plain, none_weighted_smoothed;
  for (int64_t n = 0; n < 3; ++n) {
    double a = 0, b = 0;
    for (int64_t c = 0; c < 4; ++c) {
      a -= q[n * 4 + c] * lp[n * 4 + c];
      b -= w[c] * (q[n * 4 + c] * (1 - ls) + ls / 4) * lp[n * 4 + c];
    }
    none_plain.push_back(a);
    none_weighted_smoothed.push_back(b);
  }
  expect_values(cross_entropy_loss(x, target, {}, Reduction::None), none_plain);
  expect_values(cross_entropy_loss(x, target),
                {(none_plain[0] + none_plain[1] + none_plain[2]) / 3});
  const Tensor weight = doubles({4}, w);
  expect_values(cross_entropy_loss(x, target, weight, Reduction::None, -100, ls),
                none_weighted_smoothed);
  // Mean divides by the number of samples, not by the weights.
  expect_values(
      F::cross_entropy(x, target, nn::CrossEntropyLossOptions().weight(weight).label_smoothing(ls)),
      {(none_weighted_smoothed[0] + none_weighted_smoothed[1] + none_weighted_smoothed[2]) / 3});
  // A one-hot probability target gives the class-index loss.
  const Tensor onehot = doubles({2, 3}, {0, 1, 0, 0, 0, 1});
  const Tensor x2 = grid(2, 3, 0.5);
  EXPECT_NEAR(value(cross_entropy_loss(x2, onehot)),
              value(cross_entropy_loss(x2, longs({2}, {1, 2}))), 1e-12);
  // Empty input: NaN mean.
  EXPECT_TRUE(
      std::isnan(value(cross_entropy_loss(zeros({0, 3}, kDouble), zeros({0, 3}, kDouble)))));
}

TEST(CrossEntropy, Errors) {
  const Tensor x = grid(4, 5, 0.1);
  expect_error(
      [&] {
        cross_entropy_loss(x, longs({4}, {1, 0, 7, 2}));
      },
      {"cross_entropy: target 7 is out of bounds for 5 classes"});
  expect_error(
      [&] {
        cross_entropy_loss(x, zeros({4, 5}, kLong));
      },
      {"cross_entropy", "class probabilities", "floating point", "Long"});
  expect_error([&] { cross_entropy_loss(x, zeros({4}, kDouble)); },
               {"cross_entropy", "dtype Long", "Double"});
  expect_error(
      [&] {
        cross_entropy_loss(x, zeros({4, 5}, kDouble), {}, Reduction::Mean, 2);
      },
      {"cross_entropy", "ignore_index is not supported for floating point target"});
  expect_error(
      [&] {
        cross_entropy_loss(x, longs({4}, {0, 0, 0, 0}), {}, Reduction::Mean, -100, 1.5);
      },
      {"cross_entropy", "label_smoothing must be between 0.0 and 1.0", "1.5"});
  expect_error(
      [&] {
        cross_entropy_loss(x, zeros({4, 5}, kDouble), ones({3}, kDouble));
      },
      {"cross_entropy", "weight tensor should be defined either for all 5 classes"});
  expect_error(
      [&] {
        cross_entropy_loss(x, longs({3}, {0, 0, 0}));
      },
      {"cross_entropy", "batch_size (4)", "batch_size (3)"});
  expect_error(
      [&] {
        cross_entropy_loss(x.to(kLong), longs({4}, {0, 0, 0, 0}));
      },
      {"cross_entropy", "floating-point input", "Long"});
  expect_error(
      [&] {
        cross_entropy_loss(x, longs({4}, {0, 0, 0, 0}), {}, -1);
      },
      {"cross_entropy", "reduction must be", "-1"});
}

// ---- mse_loss, l1_loss --------------------------------------------------------------------------

TEST(MseL1Loss, ValuesEveryReductionAndBroadcast) {
  const Tensor x = doubles({2, 3}, {1, -2, 3, 0.5, 4, -1});
  const Tensor y = doubles({2, 3}, {0, 1, 3, 1.5, 2, 2});
  const std::vector<double> sq{1, 9, 0, 1, 4, 9}, ab{1, 3, 0, 1, 2, 3};
  expect_values(mse_loss(x, y, Reduction::None), sq);
  expect_values(mse_loss(x, y, Reduction::Sum), {24});
  expect_values(mse_loss(x, y), {4});
  expect_values(l1_loss(x, y, Reduction::None), ab);
  expect_values(l1_loss(x, y, Reduction::Sum), {10});
  expect_values(l1_loss(x, y), {10.0 / 6});
  // A target [3] broadcasts over the rows.
  const Tensor yb = doubles({3}, {0, 1, 3});
  expect_values(mse_loss(x, yb, Reduction::None), {1, 9, 0, 0.25, 9, 16});
  expect_values(l1_loss(x, yb, Reduction::Sum), {1 + 3 + 0 + 0.5 + 3 + 4});
  // Non-contiguous and Float.
  expect_values(mse_loss(x.t(), y.t(), Reduction::None), {1, 1, 9, 4, 0, 9});
  const Tensor mf = mse_loss(x.to(kFloat), y.to(kFloat));
  EXPECT_EQ(mf.dtype(), kFloat);
  EXPECT_FLOAT_EQ(static_cast<float>(value(mf)), 4.0f);
  EXPECT_TRUE(std::isnan(value(mse_loss(zeros({0}, kDouble), zeros({0}, kDouble)))));
  EXPECT_EQ(value(mse_loss(zeros({0}, kDouble), zeros({0}, kDouble), Reduction::Sum)), 0.0);
}

TEST(MseL1Loss, GradientsAndGraphNames) {
  const Tensor x = doubles({2, 2}, {1, -2, 3, 0.5}, true);
  const Tensor y = doubles({2}, {0, 1}, true);
  const Tensor loss = mse_loss(x, y);
  EXPECT_EQ(grad_fn_name(loss), "MseLossBackward0");
  loss.backward();
  // d/dx = 2 (x - y) / 4; d/dy sums -2 (x - y) / 4 over the rows.
  expect_values(x.grad(), {0.5, -1.5, 1.5, -0.25});
  expect_values(y.grad(), {-(0.5 + 1.5), -(-1.5 - 0.25)});
  // l1_loss is composite, as in libtorch 1.13.
  EXPECT_EQ(grad_fn_name(l1_loss(x, y)), "MeanBackward0");
  EXPECT_EQ(grad_fn_name(l1_loss(x, y, Reduction::None)), "AbsBackward0");
  const Tensor x2 = doubles({3}, {1, -2, 3}, true);
  l1_loss(x2, doubles({3}, {0, 1, 5}), Reduction::Sum).backward();
  expect_values(x2.grad(), {1, -1, -1});
}

TEST(MseL1Loss, FunctionalWarnsAndBroadcastsOnShapeMismatch) {
  const Tensor x = doubles({2, 1}, {1, 2});
  const Tensor y = doubles({2}, {0, 1});
  ::testing::internal::CaptureStderr();
  const Tensor l = F::mse_loss(x, y, F::MSELossFuncOptions(kSum));
  const std::string warning = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(warning.find("mse_loss"), std::string::npos) << warning;
  EXPECT_NE(warning.find("target size ([2])"), std::string::npos) << warning;
  EXPECT_NE(warning.find("input size ([2, 1])"), std::string::npos) << warning;
  // [2, 1] against [2] broadcasts to [2, 2]: (1-0)^2 + (1-1)^2 + (2-0)^2 + (2-1)^2.
  EXPECT_DOUBLE_EQ(value(l), 6.0);
  ::testing::internal::CaptureStderr();
  F::mse_loss(y, y);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(MseL1Loss, Errors) {
  const Tensor x = zeros({3, 4}, kDouble);
  expect_error([&] { mse_loss(x, zeros({5}, kDouble)); },
               {"mse_loss", "[3, 4]", "[5]", "broadcast"});
  expect_error([&] { l1_loss(x, zeros({5}, kDouble)); }, {"l1_loss", "[3, 4]", "[5]"});
  expect_error([&] { mse_loss(zeros({2}, kLong), zeros({2}, kLong)); },
               {"mse_loss", "floating-point input", "Long"});
  expect_error(
      [&] {
        l1_loss(x, zeros({3, 4}, kLong));
      },
      {"l1_loss", "floating-point target", "Long"});
  expect_error([&] { mse_loss(x, x, 7); }, {"mse_loss", "reduction must be", "7"});
  expect_error([&] { l1_loss(x, x, 7); }, {"l1_loss", "reduction must be", "7"});
}

// ---- binary cross entropy
// ------------------------------------------------------------------------

TEST(BinaryCrossEntropy, ValuesWeightsAndClamp) {
  const Tensor p = doubles({2, 2}, {0.9, 0.2, 0.5, 0.7});
  const Tensor t = doubles({2, 2}, {1, 0, 0.3, 1});
  std::vector<double> none;
  for (int i = 0; i < 4; ++i) {
    const double pv = values(p)[i], tv = values(t)[i];
    none.push_back(-(tv * std::log(pv) + (1 - tv) * std::log(1 - pv)));
  }
  expect_values(binary_cross_entropy(p, t, {}, Reduction::None), none);
  expect_values(binary_cross_entropy(p, t), {(none[0] + none[1] + none[2] + none[3]) / 4});
  // A weight [2] broadcasts over the rows.
  const Tensor w = doubles({2}, {2, 0.5});
  expect_values(binary_cross_entropy(p, t, w, Reduction::Sum),
                {2 * none[0] + 0.5 * none[1] + 2 * none[2] + 0.5 * none[3]});
  expect_values(F::binary_cross_entropy(p, t, nn::BCELossOptions().weight(w).reduction(kNone)),
                {2 * none[0], 0.5 * none[1], 2 * none[2], 0.5 * none[3]});
  // log is clamped to >= -100: certain and wrong costs 100, certain and right costs 0.
  expect_values(binary_cross_entropy(doubles({4}, {0, 1, 0, 1}), doubles({4}, {1, 0, 0, 1}), {},
                                     Reduction::None),
                {100, 100, 0, 0});
  const Tensor pf = binary_cross_entropy(p.to(kFloat), t.to(kFloat));
  EXPECT_EQ(pf.dtype(), kFloat);
}

TEST(BinaryCrossEntropy, Gradients) {
  const Tensor p = doubles({3}, {0.9, 0.2, 0.5}, true);
  const Tensor t = doubles({3}, {1, 0, 0.3}, true);
  const Tensor loss = binary_cross_entropy(p, t, doubles({3}, {1, 2, 3}), Reduction::Sum);
  EXPECT_EQ(grad_fn_name(loss), "BinaryCrossEntropyBackward0");
  loss.backward();
  const std::vector<double> pv{0.9, 0.2, 0.5}, tv{1, 0, 0.3}, wv{1, 2, 3};
  std::vector<double> gp, gt;
  for (int i = 0; i < 3; ++i) {
    gp.push_back(wv[i] * (pv[i] - tv[i]) / (pv[i] * (1 - pv[i])));
    gt.push_back(wv[i] * (std::log(1 - pv[i]) - std::log(pv[i])));
  }
  expect_values(p.grad(), gp);
  expect_values(t.grad(), gt);
}

TEST(BinaryCrossEntropy, WithLogitsStableAndPosWeight) {
  const Tensor x = doubles({3}, {-2, 0.5, 3});
  const Tensor t = doubles({3}, {0, 0.3, 1});
  const Tensor pw = doubles({3}, {2, 0.5, 3});
  std::vector<double> plain, weighted;
  for (int i = 0; i < 3; ++i) {
    const double s = 1 / (1 + std::exp(-values(x)[i])), tv = values(t)[i], pwv = values(pw)[i];
    plain.push_back(-(tv * std::log(s) + (1 - tv) * std::log(1 - s)));
    weighted.push_back(-(pwv * tv * std::log(s) + (1 - tv) * std::log(1 - s)));
  }
  expect_values(binary_cross_entropy_with_logits(x, t, {}, {}, Reduction::None), plain);
  expect_values(binary_cross_entropy_with_logits(x, t, {}, pw, Reduction::None), weighted);
  expect_values(binary_cross_entropy_with_logits(x, t, doubles({1}, {2}), pw, Reduction::Sum),
                {2 * (weighted[0] + weighted[1] + weighted[2])});
  expect_values(
      F::binary_cross_entropy_with_logits(x, t, nn::BCEWithLogitsLossOptions().pos_weight(pw)),
      {(weighted[0] + weighted[1] + weighted[2]) / 3});
  // Huge logits stay finite: softplus(100) = 100.
  expect_values(binary_cross_entropy_with_logits(doubles({2}, {100, -100}), doubles({2}, {0, 1}),
                                                 {}, {}, Reduction::None),
                {100, 100});
  // pos_weight [C] broadcasts along the last dim of [N, C].
  const Tensor x2 = doubles({2, 3}, {-2, 0.5, 3, -2, 0.5, 3});
  const Tensor t2 = doubles({2, 3}, {0, 0.3, 1, 0, 0.3, 1});
  expect_values(binary_cross_entropy_with_logits(x2, t2, {}, pw, Reduction::None),
                {weighted[0], weighted[1], weighted[2], weighted[0], weighted[1], weighted[2]});
}

TEST(BinaryCrossEntropy, WithLogitsGradients) {
  const std::vector<double> xv{-2, 0.5, 3}, tv{0, 0.3, 1}, pwv{2, 0.5, 3};
  for (bool with_pw : {false, true}) {
    SCOPED_TRACE(with_pw ? "pos_weight" : "plain");
    const Tensor x = doubles({3}, xv, true), t = doubles({3}, tv, true);
    const Tensor loss = binary_cross_entropy_with_logits(
        x, t, {}, with_pw ? doubles({3}, pwv) : Tensor(), Reduction::Mean);
    EXPECT_EQ(grad_fn_name(loss), "BinaryCrossEntropyWithLogitsBackward0");
    loss.backward();
    std::vector<double> gx, gt;
    for (int i = 0; i < 3; ++i) {
      const double pw = with_pw ? pwv[i] : 1.0;
      const double s = 1 / (1 + std::exp(-xv[i]));
      gx.push_back(((1 + (pw - 1) * tv[i]) * s - pw * tv[i]) / 3);
      gt.push_back((-xv[i] + (pw - 1) * std::log1p(std::exp(-xv[i]))) / 3);
    }
    expect_values(x.grad(), gx);
    expect_values(t.grad(), gt);
  }
}

// As libtorch's torch::binary_cross_entropy: shapes equal up to size-1 dims match (a [N, 1]
// output with a [N] target), with the input's shape and each gradient in its tensor's shape.
TEST(BinaryCrossEntropy, ShapesEqualUpToSizeOneDims) {
  const Tensor p = doubles({3, 1}, {0.25, 0.5, 0.875}).requires_grad_();
  const Tensor t = doubles({3}, {0, 1, 0.5}).requires_grad_();
  const Tensor p_same = p.detach().reshape({3}).requires_grad_();
  const Tensor t_same = t.detach().clone().requires_grad_();
  for (int64_t reduction : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
    const Tensor loss = binary_cross_entropy(p, t, std::nullopt, reduction);
    const Tensor expected = binary_cross_entropy(p_same, t_same, std::nullopt, reduction);
    EXPECT_EQ(loss.sizes().vec(),
              reduction == Reduction::None ? (std::vector<int64_t>{3, 1}) : std::vector<int64_t>{});
    expect_values(loss.reshape({-1}), values(expected.reshape({-1})));
    loss.sum().backward();
    expected.sum().backward();
    EXPECT_EQ(p.grad().sizes().vec(), (std::vector<int64_t>{3, 1}));
    EXPECT_EQ(t.grad().sizes().vec(), (std::vector<int64_t>{3}));
    expect_values(p.grad().reshape({3}), values(p_same.grad()));
    expect_values(t.grad(), values(t_same.grad()));
    for (const Tensor* x : {&p, &t, &p_same, &t_same}) x->grad().zero_();
  }
}

TEST(BinaryCrossEntropy, Errors) {
  const Tensor p = doubles({2}, {0.5, 1.5});
  const Tensor t = doubles({2}, {0, 1});
  expect_error([&] { binary_cross_entropy(p, t); },
               {"binary_cross_entropy", "between 0 and 1", "1.5", "with_logits"});
  expect_error([&] { binary_cross_entropy(doubles({1}, {NAN}), doubles({1}, {1})); },
               {"binary_cross_entropy", "between 0 and 1", "nan"});
  const Tensor ok = doubles({2}, {0.5, 0.25});
  expect_error(
      [&] {
        binary_cross_entropy(ok, doubles({1, 2, 2}, {0, 1, 1, 0}));
      },
      {"binary_cross_entropy", "[1, 2, 2]", "[2]", "shape"});
  expect_error(
      [&] {
        binary_cross_entropy(ok, t, doubles({3}, {1, 1, 1}));
      },
      {"binary_cross_entropy", "[2]", "[3]"});
  expect_error(
      [&] {
        binary_cross_entropy(ok, t, doubles({2, 2}, {1, 1, 1, 1}));
      },
      {"binary_cross_entropy", "weight of shape [2, 2]", "input's shape [2]"});
  expect_error(
      [&] {
        binary_cross_entropy(ok, t, doubles({2}, {1, 1}, true));
      },
      {"binary_cross_entropy", "not differentiable with respect to weight"});
  expect_error(
      [&] {
        binary_cross_entropy(ok, longs({2}, {0, 1}));
      },
      {"binary_cross_entropy", "floating-point target", "Long"});
  expect_error(
      [&] {
        F::binary_cross_entropy(ok, doubles({2, 1}, {0, 1}));
      },
      {"binary_cross_entropy", "Using a target size ([2, 1])", "input size ([2])"});
  expect_error(
      [&] {
        binary_cross_entropy_with_logits(ok, t, {}, doubles({2}, {1, 1}, true));
      },
      {"binary_cross_entropy_with_logits", "not differentiable with respect to pos_weight"});
  expect_error(
      [&] {
        binary_cross_entropy_with_logits(ok, t, doubles({2}, {1, 1}, true));
      },
      {"binary_cross_entropy_with_logits", "not differentiable with respect to weight"});
  expect_error(
      [&] {
        binary_cross_entropy_with_logits(ok, doubles({3}, {0, 1, 1}));
      },
      {"binary_cross_entropy_with_logits", "[2]", "[3]", "broadcast"});
  expect_error([&] { F::binary_cross_entropy_with_logits(ok, doubles({1}, {1})); },
               {"binary_cross_entropy_with_logits", "Target size ([1])",
                "must be the same as input size ([2])"});
  expect_error([&] { binary_cross_entropy_with_logits(ok, t, {}, {}, 4); },
               {"binary_cross_entropy_with_logits", "reduction must be"});
}

// ---- activations --------------------------------------------------------------------------------

TEST(Activations, LeakyRelu) {
  const Tensor x = doubles({4}, {-2, -0.5, 0.5, 3}, true);
  const Tensor y = leaky_relu(x, 0.1);
  EXPECT_EQ(grad_fn_name(y), "LeakyReluBackward0");
  expect_values(y, {-0.2, -0.05, 0.5, 3});
  y.sum().backward();
  expect_values(x.grad(), {0.1, 0.1, 1, 1});
  expect_values(leaky_relu(doubles({2}, {-1, 1})), {-0.01, 1});
  expect_values(F::leaky_relu(doubles({2}, {-1, 1}), nn::LeakyReLUOptions().negative_slope(0.5)),
                {-0.5, 1});
  // In place, also through the functional form.
  Tensor z = doubles({3}, {-1, 0, 2});
  Tensor& r = leaky_relu_(z, 0.25);
  EXPECT_TRUE(r.is_same(z));
  expect_values(z, {-0.25, 0, 2});
  Tensor z2 = doubles({2}, {-4, 4});
  const Tensor r2 = F::leaky_relu(z2, F::LeakyReLUFuncOptions().negative_slope(0.5).inplace(true));
  expect_values(z2, {-2, 4});
  EXPECT_TRUE(r2.is_same(z2));
  // In place on a non-leaf with history records the op.
  const Tensor a = doubles({2}, {-1, 2}, true);
  Tensor b = a * 1.0;
  leaky_relu_(b, 0.5);
  b.sum().backward();
  expect_values(a.grad(), {0.5, 1});
  // Non-contiguous and Float.
  const Tensor m = doubles({2, 2}, {-1, 2, -3, 4}).t();
  expect_values(leaky_relu(m, 0.5), {-0.5, -1.5, 2, 4});
  EXPECT_EQ(leaky_relu(m.to(kFloat)).dtype(), kFloat);
  EXPECT_EQ(leaky_relu(zeros({0, 3}, kDouble)).sizes().vec(), (std::vector<int64_t>{0, 3}));
  expect_error([] { leaky_relu(zeros({2}, kLong)); }, {"leaky_relu", "floating-point", "Long"});
  expect_error(
      [] {
        Tensor l = zeros({2}, kLong);
        leaky_relu_(l);
      },
      {"leaky_relu_", "Long"});
}

TEST(Activations, GeluSiluSoftplus) {
  const std::vector<double> xv{-3, -1, -0.3, 0, 0.5, 2};
  const Tensor x = doubles({6}, xv);
  std::vector<double> exact, approx, si, sp, sp2;
  for (double v : xv) {
    exact.push_back(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
    approx.push_back(0.5 * v *
                     (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v))));
    si.push_back(v / (1 + std::exp(-v)));
    sp.push_back(std::log1p(std::exp(v)));
    sp2.push_back(2 * v > 1 ? v : std::log1p(std::exp(2 * v)) / 2);
  }
  expect_values(gelu(x), exact);
  expect_values(gelu(x, "tanh"), approx);
  expect_values(F::gelu(x, nn::GELUOptions().approximate("tanh")), approx);
  // Spot values (libtorch 1.13): gelu(2) = 1.9545, tanh form 1.9546.
  EXPECT_NEAR(values(gelu(x))[5], 1.9545, 1e-4);
  EXPECT_NEAR(values(gelu(x, "tanh"))[5], 1.9546, 1e-4);
  expect_values(silu(x), si);
  expect_values(F::silu(x), si);
  expect_values(softplus(x), sp);
  expect_values(softplus(x, 2, 1), sp2);
  expect_values(F::softplus(x, nn::SoftplusOptions().beta(2).threshold(1)), sp2);
  // Above the threshold softplus is x itself (no overflow).
  expect_values(softplus(doubles({1}, {1000})), {1000});

  const Tensor xg = doubles({6}, xv, true);
  EXPECT_EQ(grad_fn_name(gelu(xg)), "GeluBackward0");
  EXPECT_EQ(grad_fn_name(gelu(xg, "tanh")), "GeluBackward0");
  EXPECT_EQ(grad_fn_name(silu(xg)), "SiluBackward0");
  EXPECT_EQ(grad_fn_name(softplus(xg)), "SoftplusBackward0");
  gelu(xg).sum().backward();
  std::vector<double> dgelu;
  for (double v : xv)
    dgelu.push_back(0.5 * (1 + std::erf(v / std::sqrt(2.0))) +
                    v * std::exp(-v * v / 2) / std::sqrt(2 * std::numbers::pi));
  expect_values(xg.grad(), dgelu);

  EXPECT_EQ(gelu(x.to(kFloat)).dtype(), kFloat);
  expect_error([&] { gelu(x, "foo"); },
               {"gelu", "approximate argument must be either none or tanh", "foo"});
  expect_error([] { silu(zeros({1}, kLong)); }, {"silu", "Long"});
  expect_error([] { softplus(zeros({1}, kBool)); }, {"softplus", "Bool"});
  expect_error([] { gelu(Tensor()); }, {"gelu", "undefined"});
}

TEST(Activations, FunctionalReluSoftmax) {
  Tensor x = doubles({2, 2}, {-1, 2, 3, -4});
  expect_values(F::relu(x), {0, 2, 3, 0});
  expect_values(x, {-1, 2, 3, -4});
  F::relu(x, F::ReLUFuncOptions().inplace(true));
  expect_values(x, {0, 2, 3, 0});
  const Tensor s = doubles({2, 2}, {0, 0, 1, 3});
  const double e2 = std::exp(2.0);
  expect_values(F::softmax(s, F::SoftmaxFuncOptions(1)), {0.5, 0.5, 1 / (1 + e2), e2 / (1 + e2)});
  expect_values(F::softmax(s, 0),
                {1 / (1 + std::exp(1.0)), 1 / (1 + std::exp(3.0)),
                 std::exp(1.0) / (1 + std::exp(1.0)), std::exp(3.0) / (1 + std::exp(3.0))});
  const Tensor ls = F::log_softmax(s.to(kFloat), F::LogSoftmaxFuncOptions(1).dtype(kDouble));
  EXPECT_EQ(ls.dtype(), kDouble);
  expect_values(ls, {std::log(0.5), std::log(0.5), -std::log1p(e2), 2 - std::log1p(e2)});
}

// ---- linear -------------------------------------------------------------------------------------

TEST(Linear, ValuesEveryRankAndGraphNames) {
  const Tensor w = doubles({2, 3}, {1, 2, 3, -1, 0, 1}, true);
  const Tensor b = doubles({2}, {0.5, -0.5}, true);
  const Tensor x = doubles({2, 3}, {1, 1, 1, 2, 0, -1}, true);
  // rows: [1+2+3, -1+0+1] + b, [2+0-3, -2+0-1] + b
  const Tensor y = linear(x, w, b);
  expect_values(y, {6.5, -0.5, -0.5, -3.5});
  EXPECT_EQ(grad_fn_name(y), "AddmmBackward0");
  EXPECT_EQ(grad_fn_name(linear(x, w)), "MmBackward0");
  expect_values(linear(x, w), {6, 0, -1, -3});
  expect_values(F::linear(x, w, b), {6.5, -0.5, -0.5, -3.5});
  expect_values(F::linear(x, w), {6, 0, -1, -3});
  // 1-D and 3-D inputs, and a non-contiguous 3-D input.
  expect_values(linear(doubles({3}, {1, 1, 1}), w, b), {6.5, -0.5});
  const Tensor x3 = doubles({2, 1, 3}, {1, 1, 1, 2, 0, -1});
  const Tensor y3 = linear(x3, w, b);
  EXPECT_EQ(y3.sizes().vec(), (std::vector<int64_t>{2, 1, 2}));
  expect_values(y3, {6.5, -0.5, -0.5, -3.5});
  const Tensor x3t = doubles({3, 2}, {1, 2, 1, 0, 1, -1}).t().unsqueeze(1);  // [2, 1, 3]
  ASSERT_FALSE(x3t.is_contiguous());
  expect_values(linear(x3t, w, b), {6.5, -0.5, -0.5, -3.5});
  EXPECT_EQ(linear(zeros({0, 3}, kDouble), w.detach(), b.detach()).sizes().vec(),
            (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(linear(zeros({2, 0, 3}, kDouble), w.detach(), b.detach()).sizes().vec(),
            (std::vector<int64_t>{2, 0, 2}));
  // Gradients: dW = g^T x, db = sum g, dx = g W.
  y.sum().backward();
  expect_values(w.grad(), {3, 1, 0, 3, 1, 0});
  expect_values(b.grad(), {2, 2});
  expect_values(x.grad(), {0, 2, 4, 0, 2, 4});
  // Float.
  EXPECT_EQ(linear(x.detach().to(kFloat), w.detach().to(kFloat)).dtype(), kFloat);
}

TEST(Linear, Errors) {
  const Tensor w = zeros({2, 3}, kDouble);
  expect_error(
      [&] {
        linear(zeros({4, 3}, kDouble), zeros({3}, kDouble));
      },
      {"linear", "weight must be 2-D", "[3]"});
  expect_error(
      [&] {
        linear(zeros({4, 5}, kDouble), w);
      },
      {"linear", "[4, 5]", "in_features = 3", "[2, 3]"});
  expect_error(
      [&] {
        linear(zeros({4, 3}, kDouble), w, zeros({3}, kDouble));
      },
      {"linear", "bias must have shape [2]", "[3]"});
  expect_error([&] { linear(zeros({4, 3}, kFloat), w); }, {"linear", "Float", "Double"});
  expect_error(
      [&] {
        linear(zeros({4, 3}, kDouble), w, zeros({2}, kFloat));
      },
      {"linear", "bias", "Float", "Double"});
  expect_error([&] { linear(scalar_tensor(1.0, kDouble), w); }, {"linear", "0-d"});
  expect_error([&] { linear(Tensor(), w); }, {"linear", "undefined"});
}

// ---- the two derivative paths -------------------------------------------------------------------

/// The gradient with respect to each input, computed once without create_graph (the fused
/// loops) and once with it (the differentiable formulas): both must agree.
void expect_paths_agree(const std::function<Tensor(const variable_list&)>& fn,
                        const variable_list& inputs) {
  const Tensor out = fn(inputs);
  // g requires grad so that even derivatives that do not depend on the inputs (nll_loss is
  // linear) build a graph when asked to.
  const Tensor g = (ones_like(out) * 0.7).requires_grad_();
  const variable_list plain = autograd::grad({out}, inputs, {g}, true, false);
  const variable_list graph = autograd::grad({out}, inputs, {g}, true, true);
  ASSERT_EQ(plain.size(), graph.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    SCOPED_TRACE("input " + std::to_string(i));
    EXPECT_FALSE(plain[i].requires_grad());
    EXPECT_TRUE(graph[i].requires_grad());
    expect_values(plain[i], values(graph[i]), 1e-12);
  }
}

TEST(DerivativePaths, FusedAndDifferentiableAgree) {
  const Tensor x = grid(3, 4, 0.2, true);
  const Tensor p =
      doubles({3, 4}, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.15, 0.25, 0.35}, true);
  const Tensor q = doubles({3, 4}, {0, 1, 0.5, 0.2, 1, 0, 0.3, 0.8, 0.6, 0.1, 1, 0}, true);
  const Tensor w = doubles({4}, {1, 2, 0.5, 1.5});
  const Tensor t = longs({3}, {1, -100, 3});
  for (int64_t r : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
    SCOPED_TRACE("reduction " + std::to_string(r));
    expect_paths_agree([&](const variable_list& v) { return nll_loss(v[0], t, w, r); }, {x});
    expect_paths_agree([&](const variable_list& v) { return mse_loss(v[0], v[1], r); }, {x, q});
    expect_paths_agree(
        [&](const variable_list& v) { return binary_cross_entropy(v[0], v[1], w, r); }, {p, q});
    expect_paths_agree(
        [&](const variable_list& v) {
          return binary_cross_entropy_with_logits(v[0], v[1], w, {}, r);
        },
        {x, q});
  }
  expect_paths_agree([](const variable_list& v) { return leaky_relu(v[0], 0.3); }, {x});
  expect_paths_agree([](const variable_list& v) { return gelu(v[0]); }, {x});
  expect_paths_agree([](const variable_list& v) { return gelu(v[0], "tanh"); }, {x});
  expect_paths_agree([](const variable_list& v) { return silu(v[0]); }, {x});
  expect_paths_agree([](const variable_list& v) { return softplus(v[0], 2, 1); }, {x});
  // Float: the fused loops run in float.
  const Tensor xf = x.detach().to(kFloat).requires_grad_();
  expect_paths_agree([&](const variable_list& v) { return nll_loss(v[0], t); }, {xf});
}

}  // namespace
}  // namespace tg
