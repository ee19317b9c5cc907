// The tensor-level nn ops (conv2d, pooling, batch_norm, dropout, embedding), their options and
// functional wrappers: values against direct loops, Float (oneDNN) against Double (direct
// loops) for values and gradients, output shapes for every parameter, unbatched and
// non-contiguous inputs, node names, running-stat updates, randomness, and every error message.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tensor_values.h"
#include "tensorgrad/nn/expanding_array.h"
#include "tensorgrad/nn/functional/batchnorm.h"
#include "tensorgrad/nn/functional/conv.h"
#include "tensorgrad/nn/functional/dropout.h"
#include "tensorgrad/nn/functional/embedding.h"
#include "tensorgrad/nn/functional/pooling.h"
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

namespace F = nn::functional;
using Shape = std::vector<int64_t>;
using Values = std::vector<double>;

using tg::testing::values;

Shape shape(const Tensor& t) { return t.sizes().vec(); }

/// A contiguous tensor holding v.
Tensor make(const Shape& sizes, const Values& v, ScalarType dtype = kFloat) {
  Tensor t = empty(sizes, kDouble);
  for (size_t i = 0; i < v.size(); ++i) t.data_ptr<double>()[i] = v[i];
  return dtype == kDouble ? t : t.to(dtype);
}

/// Deterministic values in [-1, 1).
Tensor random(const Shape& sizes, uint64_t seed, ScalarType dtype = kFloat) {
  std::mt19937_64 gen(seed);
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  Values v(static_cast<size_t>(n));
  for (double& x : v) x = -1.0 + 2.0 * (static_cast<double>(gen() >> 11) * 0x1.0p-53);
  return make(sizes, v, dtype);
}

void expect_near(const Values& a, const Values& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  int bad = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double scale = std::max(1.0, std::abs(b[i]));
    if (!(std::abs(a[i] - b[i]) <= tol * scale) && ++bad <= 5)
      ADD_FAILURE() << "element " << i << ": " << a[i] << " vs " << b[i];
  }
  EXPECT_EQ(bad, 0);
}

/// Runs f, expects a tg::Error whose message contains every one of `parts`.
template <class Fn>
void expect_error(Fn&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "expected a tg::Error containing '" << parts.at(0) << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const std::string& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "message '" << msg << "' lacks '" << p << "'";
  }
}

// ---------------------------------------------------------------------------------------------
// ExpandingArray and the options classes.

TEST(ExpandingArray, OneValueExpandsAndListsMustHaveDValues) {
  ExpandingArray<2> one(3);
  EXPECT_EQ((*one)[0], 3);
  EXPECT_EQ((*one)[1], 3);
  EXPECT_EQ(one.size(), 2u);
  ExpandingArray<2> two({4, 5});
  EXPECT_EQ(two->at(0), 4);
  EXPECT_EQ(two->at(1), 5);
  ExpandingArray<3> vec(std::vector<int64_t>{1, 2, 3});
  EXPECT_EQ((*vec)[2], 3);
  IntArrayRef view = two;
  EXPECT_EQ(view.vec(), (Shape{4, 5}));
  expect_error(
      [] {
        ExpandingArray<2> bad({1, 2, 3});
      },
      {"ExpandingArray", "Expected 2 values", "got 3"});
  expect_error([] { ExpandingArray<2> bad(std::vector<int64_t>{7}); }, {"Expected 2", "got 1"});
  std::ostringstream out;
  out << two << " " << ExpandingArray<1>(9);
  EXPECT_EQ(out.str(), "[4, 5] 9");
}

TEST(ExpandingArray, OptionalElements) {
  ExpandingArrayWithOptionalElem<2> both(7);
  EXPECT_EQ(*(*both)[0], 7);
  EXPECT_EQ(*(*both)[1], 7);
  ExpandingArrayWithOptionalElem<2> partial({std::nullopt, std::optional<int64_t>(3)});
  EXPECT_FALSE((*partial)[0].has_value());
  EXPECT_EQ(*(*partial)[1], 3);
  std::ostringstream out;
  out << partial;
  EXPECT_EQ(out.str(), "[None, 3]");
}

TEST(NnOptions, DefaultsAndChainingAsLibtorch) {
  nn::Conv2dOptions conv(1, 32, 3);
  EXPECT_EQ(conv.in_channels(), 1);
  EXPECT_EQ(conv.out_channels(), 32);
  EXPECT_EQ(*conv.kernel_size(), (std::array<int64_t, 2>{3, 3}));
  EXPECT_EQ(*conv.stride(), (std::array<int64_t, 2>{1, 1}));
  // padding is a variant of explicit sizes, kValid and kSame, as in libtorch.
  EXPECT_EQ(*std::get<ExpandingArray<2>>(conv.padding()), (std::array<int64_t, 2>{0, 0}));
  EXPECT_EQ(*conv.dilation(), (std::array<int64_t, 2>{1, 1}));
  EXPECT_EQ(conv.groups(), 1);
  EXPECT_TRUE(conv.bias());
  conv.stride(2).padding({1, 2}).dilation(3).groups(1).bias(false);
  EXPECT_EQ(*std::get<ExpandingArray<2>>(conv.padding()), (std::array<int64_t, 2>{1, 2}));
  EXPECT_EQ(*conv.dilation(), (std::array<int64_t, 2>{3, 3}));
  EXPECT_FALSE(conv.bias());
  F::Conv2dFuncOptions fconv;
  EXPECT_FALSE(fconv.bias().defined());
  EXPECT_EQ(fconv.groups(), 1);

  nn::MaxPool2dOptions maxp(3);
  EXPECT_EQ(*maxp.stride(), (std::array<int64_t, 2>{3, 3}));  // stride defaults to kernel_size
  EXPECT_EQ(*maxp.padding(), (std::array<int64_t, 2>{0, 0}));
  EXPECT_EQ(*maxp.dilation(), (std::array<int64_t, 2>{1, 1}));
  EXPECT_FALSE(maxp.ceil_mode());
  nn::AvgPool2dOptions avgp({2, 4});
  EXPECT_EQ(*avgp.stride(), (std::array<int64_t, 2>{2, 4}));
  EXPECT_TRUE(avgp.count_include_pad());
  EXPECT_FALSE(avgp.divisor_override().has_value());
  nn::AdaptiveAvgPool2dOptions adaptive(5);
  EXPECT_EQ(*(*adaptive.output_size())[1], 5);

  nn::BatchNormOptions bn = 16;  // implicit, as libtorch
  EXPECT_EQ(bn.num_features(), 16);
  EXPECT_DOUBLE_EQ(bn.eps(), 1e-5);
  EXPECT_DOUBLE_EQ(*bn.momentum(), 0.1);
  EXPECT_TRUE(bn.affine());
  EXPECT_TRUE(bn.track_running_stats());
  F::BatchNormFuncOptions fbn;
  EXPECT_FALSE(fbn.training());
  EXPECT_DOUBLE_EQ(fbn.eps(), 1e-5);

  nn::DropoutOptions drop;
  EXPECT_DOUBLE_EQ(drop.p(), 0.5);
  EXPECT_FALSE(drop.inplace());
  nn::DropoutOptions drop2 = 0.2;
  EXPECT_DOUBLE_EQ(drop2.p(), 0.2);
  F::DropoutFuncOptions fdrop;
  EXPECT_TRUE(fdrop.training());

  nn::EmbeddingOptions emb(10, 3);
  EXPECT_EQ(emb.num_embeddings(), 10);
  EXPECT_EQ(emb.embedding_dim(), 3);
  EXPECT_FALSE(emb.padding_idx().has_value());
  EXPECT_FALSE(emb.max_norm().has_value());
  EXPECT_DOUBLE_EQ(emb.norm_type(), 2.0);
  EXPECT_FALSE(emb.scale_grad_by_freq());
  EXPECT_FALSE(emb.sparse());
  EXPECT_TRUE(nn::EmbeddingFromPretrainedOptions().freeze());
}

// ---------------------------------------------------------------------------------------------
// conv2d

struct ConvCfg {
  Shape x, w;
  Shape stride{1}, padding{0}, dilation{1};
  int64_t groups = 1;
  bool bias = true;
};

/// Direct-loop reference in double: [N, C, H, W] input only.
Values conv_naive(const Tensor& x, const Tensor& w, const Tensor& b, const ConvCfg& c,
                  Shape* out_shape) {
  const Values xv = values(x), wv = values(w);
  const Values bv = b.defined() ? values(b) : Values();
  auto pick = [](const Shape& v, int d) { return v.size() == 1 ? v[0] : v[d]; };
  const int64_t sh = pick(c.stride, 0), sw = pick(c.stride, 1), ph = pick(c.padding, 0),
                pw = pick(c.padding, 1), dh = pick(c.dilation, 0), dw = pick(c.dilation, 1);
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), Cg = w.size(1), KH = w.size(2), KW = w.size(3);
  const int64_t OH = (H + 2 * ph - dh * (KH - 1) - 1) / sh + 1;
  const int64_t OW = (W + 2 * pw - dw * (KW - 1) - 1) / sw + 1;
  *out_shape = {N, O, OH, OW};
  Values out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double acc = bv.empty() ? 0 : bv[o];
          for (int64_t ci = 0; ci < Cg; ++ci)
            for (int64_t i = 0; i < KH; ++i)
              for (int64_t j = 0; j < KW; ++j) {
                const int64_t iy = oy * sh - ph + i * dh, ix = ox * sw - pw + j * dw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const int64_t cin = (o / (O / c.groups)) * Cg + ci;
                acc +=
                    xv[((n * C + cin) * H + iy) * W + ix] * wv[((o * Cg + ci) * KH + i) * KW + j];
              }
          out.push_back(acc);
        }
  return out;
}

const std::vector<ConvCfg>& conv_configs() {
  static const std::vector<ConvCfg> configs = {
      {{2, 3, 7, 6}, {4, 3, 3, 3}},
      {{2, 1, 28, 28}, {8, 1, 3, 3}, {1}, {1}},                 // a first layer
      {{3, 16, 9, 9}, {24, 16, 3, 3}, {1}, {1}},                // blocked layouts
      {{2, 3, 9, 8}, {5, 3, 3, 2}, {2, 3}, {1, 0}},             // stride skips rows
      {{1, 4, 11, 10}, {6, 4, 3, 3}, {2}, {2}, {2, 1}},         // dilation
      {{2, 8, 6, 6}, {8, 2, 3, 3}, {1}, {1}, {1}, 4, false},    // groups
      {{2, 32, 8, 8}, {64, 16, 3, 3}, {1}, {1}, {1}, 2, true},  // groups, blocked
      {{1, 3, 5, 5}, {2, 3, 5, 5}},                             // kernel = input
      {{2, 3, 4, 5}, {4, 3, 1, 1}, {1}, {0}, {1}, 1, false},    // 1x1
  };
  return configs;
}

Tensor conv_of(const Tensor& x, const Tensor& w, const Tensor& b, const ConvCfg& c) {
  return conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
}

TEST(Conv2d, FloatAndDoubleMatchDirectLoops) {
  uint64_t seed = 1;
  for (const ConvCfg& c : conv_configs()) {
    for (ScalarType dtype : {kFloat, kDouble}) {
      SCOPED_TRACE(::testing::Message()
                   << "x " << IntArrayRef(c.x) << " w " << IntArrayRef(c.w) << " dtype " << dtype);
      Tensor x = random(c.x, seed, dtype), w = random(c.w, seed + 1, dtype);
      Tensor b = c.bias ? random({c.w[0]}, seed + 2, dtype) : Tensor();
      Shape expected_shape;
      const Values expected = conv_naive(x, w, b, c, &expected_shape);
      Tensor y = conv_of(x, w, b, c);
      EXPECT_EQ(shape(y), expected_shape);
      EXPECT_EQ(y.dtype(), dtype);
      expect_near(values(y), expected, dtype == kFloat ? 1e-5 : 1e-12);
    }
    seed += 3;
  }
}

// The Float gradients come from oneDNN's backward primitives, the Double ones from direct loops
// (themselves checked against finite differences by the op-case table).
TEST(Conv2d, FloatGradientsMatchDoubleGradients) {
  uint64_t seed = 100;
  for (const ConvCfg& c : conv_configs()) {
    SCOPED_TRACE(::testing::Message() << "x " << IntArrayRef(c.x) << " w " << IntArrayRef(c.w));
    variable_list grads[2];
    int k = 0;
    for (ScalarType dtype : {kFloat, kDouble}) {
      Tensor x = random(c.x, seed, dtype).requires_grad_(true);
      Tensor w = random(c.w, seed + 1, dtype).requires_grad_(true);
      Tensor b = c.bias ? random({c.w[0]}, seed + 2, dtype).requires_grad_(true) : Tensor();
      Tensor y = conv_of(x, w, b, c);
      Tensor g = random(shape(y), seed + 3, dtype);
      (y * g).sum().backward();
      grads[k++] = {x.grad(), w.grad(), c.bias ? b.grad() : Tensor()};
    }
    for (int i = 0; i < 3; ++i) {
      if (!grads[1][i].defined()) continue;
      EXPECT_EQ(grads[0][i].dtype(), kFloat);
      expect_near(values(grads[0][i]), values(grads[1][i]), 1e-4);
    }
    seed += 4;
  }
}

// Only one of input and weight requiring grad takes other kernel paths than both together; and
// a double backward (a gradient penalty) runs the backward convolutions forward again.
TEST(Conv2d, SingleGradientsAndDoubleBackwardFloatMatchDouble) {
  const ConvCfg c{{2, 16, 9, 8}, {8, 16, 3, 3}, {2, 1}, {1}, {1}, 1, true};
  for (int mode = 0; mode < 3; ++mode) {
    SCOPED_TRACE(mode == 0 ? "input only" : mode == 1 ? "weight only" : "gradient penalty");
    Values result[2];
    int k = 0;
    for (ScalarType dtype : {kFloat, kDouble}) {
      Tensor x = random(c.x, 200, dtype).requires_grad_(mode != 1);
      Tensor w = random(c.w, 201, dtype).requires_grad_(mode != 0);
      Tensor b = random({8}, 202, dtype).requires_grad_(mode == 2);
      Tensor y = conv_of(x, w, b, c);
      Tensor g = random(shape(y), 203, dtype);
      if (mode < 2) {
        (y * g).sum().backward();
        result[k++] = values(mode == 0 ? x.grad() : w.grad());
      } else {
        variable_list gx = autograd::grad({(y * g).sum()}, {x}, {}, std::nullopt, true);
        (gx[0].square().sum() + y.square().sum()).backward();
        Values all = values(w.grad());
        for (double v : values(x.grad())) all.push_back(v);
        for (double v : values(b.grad())) all.push_back(v);
        result[k++] = all;
      }
    }
    expect_near(result[0], result[1], 1e-4);
  }
}

TEST(Conv2d, OutputShapes) {
  struct Case {
    Shape x, w, stride, padding, dilation;
    int64_t groups;
    Shape expected;
  };
  const std::vector<Case> cases = {
      {{2, 3, 28, 28}, {32, 3, 3, 3}, {1}, {1}, {1}, 1, {2, 32, 28, 28}},
      {{2, 3, 28, 28}, {32, 3, 3, 3}, {1}, {0}, {1}, 1, {2, 32, 26, 26}},
      {{2, 3, 28, 28}, {32, 3, 3, 3}, {2}, {1}, {1}, 1, {2, 32, 14, 14}},
      {{2, 3, 28, 27}, {32, 3, 3, 3}, {2, 3}, {0, 1}, {1}, 1, {2, 32, 13, 9}},
      {{1, 3, 10, 10}, {4, 3, 3, 3}, {1}, {0}, {2}, 1, {1, 4, 6, 6}},
      {{1, 3, 10, 10}, {4, 3, 3, 3}, {1}, {2}, {2, 1}, 1, {1, 4, 10, 12}},
      {{1, 6, 5, 5}, {9, 2, 3, 3}, {1}, {1}, {1}, 3, {1, 9, 5, 5}},
      {{1, 6, 5, 5}, {6, 1, 3, 3}, {1}, {1}, {1}, 6, {1, 6, 5, 5}},  // depthwise
  };
  for (const Case& c : cases) {
    Tensor y = conv2d(zeros(c.x), zeros(c.w), {}, c.stride, c.padding, c.dilation, c.groups);
    EXPECT_EQ(shape(y), c.expected) << "x " << IntArrayRef(c.x) << " w " << IntArrayRef(c.w);
  }
}

TEST(Conv2d, UnbatchedNonContiguousAndEmptyInputs) {
  Tensor x = random({1, 3, 6, 7}, 7), w = random({4, 3, 3, 3}, 8), b = random({4}, 9);
  Tensor batched = conv2d(x, w, b, 1, 1);
  Tensor single = conv2d(x[0], w, b, 1, 1);
  EXPECT_EQ(shape(single), (Shape{4, 6, 7}));
  expect_near(values(single), values(batched), 1e-6);
  // The same data through a permuted (non-contiguous) view.
  Tensor nhwc = x.permute({0, 2, 3, 1}).contiguous();
  Tensor view = nhwc.permute({0, 3, 1, 2});
  ASSERT_FALSE(view.is_contiguous());
  expect_near(values(conv2d(view, w, b, 1, 1)), values(batched), 1e-6);
  Tensor wt = w.transpose(0, 1).contiguous().transpose(0, 1);  // non-contiguous weight
  expect_near(values(conv2d(x, wt, b, 1, 1)), values(batched), 1e-6);
  // An empty batch gives an empty output and zero weight gradients.
  Tensor we = random({4, 3, 3, 3}, 10).requires_grad_(true);
  Tensor empty_out = conv2d(zeros({0, 3, 5, 5}), we, {}, 1, 0);
  EXPECT_EQ(shape(empty_out), (Shape{0, 4, 3, 3}));
  empty_out.sum().backward();
  EXPECT_EQ(values(we.grad()), Values(108, 0.0));
}

TEST(Conv2d, ThreadCountsGiveTheSameResult) {
  const int threads = get_num_threads();
  Tensor x = random({8, 16, 12, 12}, 21), w = random({32, 16, 3, 3}, 22);
  set_num_threads(1);
  const Values one = values(conv2d(x, w, {}, 1, 1));
  set_num_threads(2);
  const Values two = values(conv2d(x, w, {}, 1, 1));
  const Values again = values(conv2d(x, w, {}, 1, 1));  // from the cache
  set_num_threads(threads);
  expect_near(two, one, 1e-5);
  EXPECT_EQ(again, two);
}

TEST(Conv2d, NodeNamesAndDoubleBackward) {
  Tensor x = random({1, 2, 5, 5}, 31, kDouble).requires_grad_(true);
  Tensor w = random({3, 2, 3, 3}, 32, kDouble).requires_grad_(true);
  Tensor y = conv2d(x, w, {}, 1, 1);
  ASSERT_TRUE(y.grad_fn());
  EXPECT_EQ(y.grad_fn()->name(), "ConvolutionBackward0");
  variable_list g = autograd::grad({y.square().sum()}, {x, w}, {}, std::nullopt, true);
  ASSERT_TRUE(g[0].grad_fn());
  ASSERT_TRUE(g[1].grad_fn());
  // The second derivative of sum(conv(x, w)^2) with respect to w, along a direction, is
  // 2 <conv(x, d), conv(x, d)> > 0 for d = w: check d/dw <g_w, w> against that identity.
  Tensor gw_dot_w = (g[1] * w.detach()).sum();
  variable_list h = autograd::grad({gw_dot_w}, {w});
  // <d/dw <g_w(w), w0>, w0> = 2 |conv(x, w0)|^2 (with w0 = w, held fixed).
  const double lhs = (h[0] * w.detach()).sum().item<double>();
  const double rhs = 2 * conv2d(x.detach(), w.detach(), {}, 1, 1).square().sum().item<double>();
  EXPECT_NEAR(lhs, rhs, 1e-9 * std::abs(rhs));
}

TEST(Conv2d, ErrorMessages) {
  Tensor x = zeros({1, 4, 5, 5}), w = zeros({8, 3, 3, 3});
  expect_error([&] { conv2d(x, w); },
               {"conv2d: expected input with 3 channels (weight [8, 3, 3, 3], groups 1) but got "
                "4 channels"});
  expect_error([&] { conv2d(zeros({4, 5}), w); }, {"conv2d", "3-D", "4-D", "[4, 5]"});
  expect_error([&] { conv2d(zeros({1, 1, 3, 4, 5}), w); }, {"conv2d", "[1, 1, 3, 4, 5]"});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 5, 5}), zeros({8, 3, 3}));
      },
      {"conv2d", "4-D weight", "[8, 3, 3]"});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 2, 2}), w);
      },
      {"conv2d", "kernel (3 x 3", "bigger than the padded input (2 x 2)"});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 4, 4}), w, {}, 1, 0, 2);
      },
      {"conv2d", "dilation 2 x 2", "bigger than the padded input (4 x 4)"});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 5, 5}), w, zeros({7}));
      },
      {"conv2d", "bias of shape [8]", "[7]"});
  expect_error([&] { conv2d(zeros({1, 3, 5, 5}), w, {}, 0); }, {"conv2d", "stride", "positive"});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 5, 5}), w, {}, {1, 1, 1});
      },
      {"conv2d", "stride", "1 or 2 values"});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 5, 5}), w, {}, 1, -1);
      },
      {"conv2d", "padding", "non-negative"});
  expect_error(
      [&] {
        conv2d(zeros({1, 6, 5, 5}), zeros({8, 3, 3, 3}), {}, 1, 0, 1, 3);
      },
      {"conv2d", "out_channels 8", "divisible by groups 3"});
  expect_error(
      [&] {
        conv2d(zeros({1, 6, 5, 5}), zeros({8, 3, 3, 3}), {}, 1, 0, 1, 0);
      },
      {"conv2d", "groups must be positive"});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 5, 5}, kDouble), w);
      },
      {"conv2d", "Double", "Float", ".to("});
  expect_error(
      [&] {
        conv2d(zeros({1, 3, 5, 5}, kLong), zeros({8, 3, 3, 3}, kLong));
      },
      {"conv2d", "Float or Double"});
}

TEST(Conv2d, FunctionalWrapper) {
  Tensor x = random({2, 3, 6, 6}, 41), w = random({4, 3, 3, 3}, 42), b = random({4}, 43);
  Tensor y = F::conv2d(x, w, F::Conv2dFuncOptions().bias(b).stride(2).padding(1));
  expect_near(values(y), values(conv2d(x, w, b, 2, 1)), 0);
  EXPECT_EQ(shape(F::conv2d(x, w)), (Shape{2, 4, 4, 4}));
}

// ---------------------------------------------------------------------------------------------
// Pooling

TEST(MaxPool2d, ValuesIndicesAndShapes) {
  // One 4x4 plane with distinct values.
  Tensor x = make({1, 1, 4, 4}, {1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 1, 2, 0, 3, 4, 11});
  auto [y, idx] = max_pool2d_with_indices(x, 2);
  EXPECT_EQ(values(y), (Values{5, 9, 7, 11}));
  EXPECT_EQ(values(idx), (Values{1, 6, 8, 15}));
  EXPECT_EQ(idx.dtype(), kLong);
  // Overlapping windows, stride 1.
  EXPECT_EQ(values(max_pool2d(x, 3, 1)), (Values{9, 9, 9, 11}));
  // Padding: windows at the border see only real elements.
  EXPECT_EQ(values(max_pool2d(x, 2, 2, 1)), (Values{1, 5, 0, 7, 9, 8, 0, 4, 11}));
  // ceil_mode keeps a last, partial window.
  Tensor x5 = random({2, 3, 5, 5}, 51);
  EXPECT_EQ(shape(max_pool2d(x5, 2)), (Shape{2, 3, 2, 2}));
  EXPECT_EQ(shape(max_pool2d(x5, 2, 2, 0, 1, true)), (Shape{2, 3, 3, 3}));
  EXPECT_EQ(shape(max_pool2d(x5, 3, 2, 1, 1, true)), (Shape{2, 3, 3, 3}));
  EXPECT_EQ(shape(max_pool2d(random({1, 1, 6, 6}, 52), 2, 2, 1, 1, true)), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(shape(max_pool2d(x5, 2, 1, 0, 2)), (Shape{2, 3, 3, 3}));  // dilation 2
  EXPECT_EQ(shape(max_pool2d(x5, {3, 1}, {1, 2})), (Shape{2, 3, 3, 3}));
  // Unbatched.
  EXPECT_EQ(shape(max_pool2d(x5[0], 2)), (Shape{3, 2, 2}));
  expect_near(values(max_pool2d(x5[1], 2)), values(max_pool2d(x5, 2)[1]), 0);
}

TEST(MaxPool2d, MatchesDirectLoopsForEveryParameter) {
  struct Case {
    Shape x;
    int64_t kh, kw, sh, sw, ph, pw, dh, dw;
    bool ceil;
    Shape expected;
  };
  const std::vector<Case> cases = {
      {{2, 3, 9, 8}, 3, 2, 2, 1, 1, 1, 2, 3, true, {2, 3, 4, 7}},
      {{1, 2, 10, 11}, 3, 3, 3, 3, 1, 1, 1, 1, false, {1, 2, 4, 4}},  // stride 3
      {{1, 2, 10, 11}, 3, 3, 3, 3, 1, 1, 1, 1, true, {1, 2, 4, 4}},
      {{1, 2, 7, 12}, 2, 4, 1, 5, 0, 2, 2, 1, true, {1, 2, 5, 3}},  // stride 5, dilation
      {{2, 1, 6, 6}, 2, 2, 2, 2, 1, 1, 1, 1, true, {2, 1, 4, 4}},
  };
  for (const Case& c : cases) {
    for (ScalarType dtype : {kFloat, kDouble}) {
      SCOPED_TRACE(::testing::Message() << "x " << IntArrayRef(c.x) << " dtype " << dtype);
      Tensor x = random(c.x, 53, dtype);
      auto [y, idx] = max_pool2d_with_indices(x, {c.kh, c.kw}, {c.sh, c.sw}, {c.ph, c.pw},
                                              {c.dh, c.dw}, c.ceil);
      ASSERT_EQ(shape(y), c.expected);
      const int64_t H = c.x[2], W = c.x[3], OH = y.size(2), OW = y.size(3);
      const Values xv = values(x), iv = values(idx);
      Values expected;
      for (int64_t q = 0; q < c.x[0] * c.x[1]; ++q)
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            double m = -INFINITY;
            for (int64_t i = 0; i < c.kh; ++i)
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t iy = oy * c.sh - c.ph + i * c.dh, ix = ox * c.sw - c.pw + j * c.dw;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                  m = std::max(m, xv[(q * H + iy) * W + ix]);
              }
            expected.push_back(m);
            // The index points at the maximum, inside the plane.
            const double k = iv[(q * OH + oy) * OW + ox];
            ASSERT_TRUE(k >= 0 && k < H * W);
            EXPECT_EQ(xv[q * H * W + static_cast<int64_t>(k)], m);
          }
      expect_near(values(y), expected, 0);
    }
  }
}

TEST(MaxPool2d, WindowsOfMinusInfinityPointAtTheirFirstElement) {
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = make({1, 1, 2, 4}, {-inf, -inf, 1, -inf, -inf, -inf, -inf, 2});
  auto [y, idx] = max_pool2d_with_indices(x, 2, 2, 1);  // padding: windows start at -1
  EXPECT_EQ(values(y), (Values{-inf, 1, -inf, -inf, -inf, 2}));
  EXPECT_EQ(values(idx), (Values{0, 2, 3, 4, 5, 7}));
}

TEST(MaxPool2d, NaNIsTheMaximum) {
  Tensor x = make({1, 1, 2, 2}, {1, NAN, 3, 2});
  EXPECT_TRUE(std::isnan(max_pool2d(x, 2).item<float>()));
}

TEST(MaxPool2d, GradientGoesToTheArgmaxAndOverlapsAdd) {
  Tensor x = make({1, 1, 3, 3}, {1, 2, 3, 4, 9, 5, 6, 7, 8}, kDouble).requires_grad_(true);
  Tensor y = max_pool2d(x, 2, 1);  // every window's max is the centre
  EXPECT_EQ(y.grad_fn()->name(), "MaxPool2DWithIndicesBackward0");
  (y * make({1, 1, 2, 2}, {1, 2, 3, 4}, kDouble)).sum().backward();
  EXPECT_EQ(values(x.grad()), (Values{0, 0, 0, 0, 10, 0, 0, 0, 0}));
  // Float gradient of a larger case matches Double.
  Values g[2];
  int k = 0;
  for (ScalarType dtype : {kFloat, kDouble}) {
    Tensor xs = random({2, 3, 7, 7}, 54, dtype).requires_grad_(true);
    Tensor ys = max_pool2d(xs, 3, 2, 1);
    (ys * random(shape(ys), 55, dtype)).sum().backward();
    g[k++] = values(xs.grad());
  }
  expect_near(g[0], g[1], 1e-6);
}

TEST(MaxPool2d, DisjointTwoByTwoWindowsMatchTheGeneralKernel) {
  // Float with 2 x 2 windows and stride 2 has its own kernels (Note [Pooling 2 x 2 windows]);
  // Double runs the general ones. Values from a small set make ties, and NaN and -inf are mixed
  // in; rows of 1 to 40 windows cover the masked steps, odd sizes the row and column no window
  // covers.
  const float inf = std::numeric_limits<float>::infinity();
  for (const Shape& s : {Shape{3, 2, 28, 28}, Shape{2, 3, 14, 14}, Shape{1, 2, 7, 9},
                         Shape{1, 1, 5, 80}, Shape{2, 1, 2, 2}, Shape{1, 1, 3, 35}}) {
    SCOPED_TRACE(::testing::Message() << "x " << IntArrayRef(s));
    std::mt19937 gen(57);
    std::uniform_int_distribution<int> pick(0, 19);
    Tensor x = empty(s, kFloat);
    float* p = x.data_ptr<float>();
    for (int64_t k = 0; k < x.numel(); ++k) {
      const int r = pick(gen);
      p[k] = r == 0 ? NAN : r == 1 ? -inf : static_cast<float>(r % 4);
    }
    Tensor xf = x.clone().requires_grad_(true), xd = x.to(kDouble).requires_grad_(true);
    auto [yf, idf] = max_pool2d_with_indices(xf, 2, 2);
    auto [yd, idd] = max_pool2d_with_indices(xd, 2, 2);
    EXPECT_EQ(values(idf), values(idd));
    const Values vf = values(yf), vd = values(yd);
    ASSERT_EQ(vf.size(), vd.size());
    for (size_t k = 0; k < vf.size(); ++k)
      EXPECT_TRUE(vf[k] == vd[k] || (std::isnan(vf[k]) && std::isnan(vd[k]))) << "output " << k;
    Tensor g = random(shape(yf), 58, kDouble);
    (yf * g.to(kFloat)).sum().backward();
    (yd * g).sum().backward();
    EXPECT_EQ(values(xf.grad()), values(xd.grad().to(kFloat)));
  }
}

TEST(MaxPool2d, ErrorMessages) {
  Tensor x = zeros({1, 2, 4, 4});
  expect_error([&] { max_pool2d(x, 0); }, {"max_pool2d", "kernel_size", "greater than zero"});
  expect_error([&] { max_pool2d(x, 2, 0); }, {"max_pool2d", "stride", "greater than zero"});
  expect_error([&] { max_pool2d(x, 2, 2, 0, 0); }, {"max_pool2d", "dilation"});
  expect_error([&] { max_pool2d(x, 2, 2, 2); },
               {"max_pool2d", "padding", "at most half of the kernel size"});
  expect_error([&] { max_pool2d(x, 5); }, {"max_pool2d", "output would be empty", "[1, 2, 4, 4]"});
  expect_error([&] { max_pool2d(zeros({4, 4}), 2); }, {"max_pool2d", "3-D", "4-D", "[4, 4]"});
  expect_error([&] { max_pool2d(zeros({1, 0, 4, 4}), 2); }, {"max_pool2d", "non-zero"});
  expect_error([&] { max_pool2d(x, {2, 2, 2}); }, {"max_pool2d", "kernel_size", "pair"});
  expect_error([&] { max_pool2d(zeros({1, 1, 4, 4}, kLong), 2); }, {"max_pool2d", "Float"});
}

TEST(AvgPool2d, DivisorRules) {
  Tensor x = make({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(values(avg_pool2d(x, 2, 1)), (Values{3, 4, 6, 7}));
  // Padding 1, kernel 2, stride 2: windows [pad, 1], [2, 3] ... counted with the padding.
  EXPECT_EQ(values(avg_pool2d(x, 2, 2, 1)), (Values{0.25, 1.25, 2.75, 7}));
  EXPECT_EQ(values(avg_pool2d(x, 2, 2, 1, false, false)), (Values{1, 2.5, 5.5, 7}));
  EXPECT_EQ(values(avg_pool2d(x, 2, 1, 0, false, true, 1)), (Values{12, 16, 24, 28}));
  // ceil_mode: the last window hangs past the input and counts only what it covers.
  Tensor c = avg_pool2d(x, 2, 2, 0, true);
  EXPECT_EQ(shape(c), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values(c), (Values{3, 4.5, 7.5, 9}));
  EXPECT_EQ(shape(avg_pool2d(x[0], 2)), (Shape{1, 1, 1}));
}

TEST(AvgPool2d, GradientAndNodeName) {
  Tensor x = make({1, 1, 3, 3}, Values(9, 1.0), kDouble).requires_grad_(true);
  Tensor y = avg_pool2d(x, 2, 1);
  EXPECT_EQ(y.grad_fn()->name(), "AvgPool2DBackward0");
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (Values{0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25}));
  Values g[2];
  int k = 0;
  for (ScalarType dtype : {kFloat, kDouble}) {
    Tensor xs = random({2, 2, 7, 6}, 56, dtype).requires_grad_(true);
    Tensor ys = avg_pool2d(xs, 3, 2, 1, true, false);
    (ys * random(shape(ys), 57, dtype)).sum().backward();
    g[k++] = values(xs.grad());
  }
  expect_near(g[0], g[1], 1e-6);
}

TEST(AvgPool2d, ErrorMessages) {
  Tensor x = zeros({1, 1, 4, 4});
  expect_error([&] { avg_pool2d(x, 2, 2, 0, false, true, 0); },
               {"avg_pool2d", "divisor_override", "zero"});
  expect_error([&] { avg_pool2d(x, 2, 2, 2); }, {"avg_pool2d", "padding", "half"});
  expect_error([&] { avg_pool2d(x, 5); }, {"avg_pool2d", "output would be empty"});
  expect_error([&] { avg_pool2d(zeros({4}), 2); }, {"avg_pool2d", "3-D", "[4]"});
}

TEST(AdaptiveAvgPool2d, WindowsValuesAndShapes) {
  Tensor x = make({1, 1, 3, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  // Rows [0, 2) and [1, 3); columns [0, 3) and [2, 5).
  EXPECT_EQ(values(adaptive_avg_pool2d(x, {2, 2})), (Values{4.5, 6.5, 9.5, 11.5}));
  Tensor one = adaptive_avg_pool2d(x, {1, 1});
  EXPECT_EQ(values(one), Values{8});
  EXPECT_EQ(shape(adaptive_avg_pool2d(random({2, 3, 7, 9}, 58), {3, 4})), (Shape{2, 3, 3, 4}));
  EXPECT_EQ(shape(adaptive_avg_pool2d(random({3, 7, 9}, 58), {14, 1})), (Shape{3, 14, 1}));
  EXPECT_EQ(values(adaptive_avg_pool2d(x, {3, 5})), values(x));
  Tensor xg = x.to(kDouble).requires_grad_(true);
  Tensor y = adaptive_avg_pool2d(xg, {2, 2});
  EXPECT_EQ(y.grad_fn()->name(), "AdaptiveAvgPool2DBackward0");
  y.sum().backward();
  // Each element's gradient: the sum over the windows containing it of 1 / window size (6).
  const double s = 1.0 / 6;
  EXPECT_EQ(values(xg.grad()),
            (Values{s, s, 2 * s, s, s, 2 * s, 2 * s, 4 * s, 2 * s, 2 * s, s, s, 2 * s, s, s}));
}

TEST(AdaptiveAvgPool2d, ErrorMessagesAndFunctional) {
  expect_error(
      [] {
        adaptive_avg_pool2d(zeros({1, 1, 4, 4}), {2, 2, 2});
      },
      {"adaptive_avg_pool2d", "output_size", "2 values"});
  expect_error(
      [] {
        adaptive_avg_pool2d(zeros({1, 1, 4, 4}), {-1, 2});
      },
      {"adaptive_avg_pool2d", "greater than or equal to 0"});
  expect_error(
      [] {
        adaptive_avg_pool2d(zeros({4, 4}), {2, 2});
      },
      {"adaptive_avg_pool2d", "3-D", "[4, 4]"});
  Tensor x = random({2, 3, 6, 8}, 59);
  Tensor keep_w = F::adaptive_avg_pool2d(
      x, F::AdaptiveAvgPool2dFuncOptions(
             ExpandingArrayWithOptionalElem<2>({std::optional<int64_t>(3), std::nullopt})));
  EXPECT_EQ(shape(keep_w), (Shape{2, 3, 3, 8}));
  EXPECT_EQ(values(F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(2))),
            values(adaptive_avg_pool2d(x, {2, 2})));
}

TEST(Pooling, FunctionalWrappers) {
  Tensor x = random({2, 3, 8, 8}, 60);
  EXPECT_EQ(values(F::max_pool2d(x, F::MaxPool2dFuncOptions(2))), values(max_pool2d(x, 2)));
  EXPECT_EQ(
      values(F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2).padding(1).ceil_mode(true))),
      values(max_pool2d(x, 3, 2, 1, 1, true)));
  auto [v, i] = F::max_pool2d_with_indices(x, F::MaxPool2dFuncOptions(2));
  EXPECT_EQ(values(i), values(std::get<1>(max_pool2d_with_indices(x, 2))));
  EXPECT_EQ(values(F::avg_pool2d(
                x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false))),
            values(avg_pool2d(x, 3, 1, 1, false, false)));
}

// ---------------------------------------------------------------------------------------------
// batch_norm

TEST(BatchNorm, TrainingNormalisesAndUpdatesRunningStats) {
  // Channel 0 holds 1..4, channel 1 holds 2, 4, 6, 8 (N = 2, S = 2).
  Tensor x = make({2, 2, 2}, {1, 2, 2, 4, 3, 4, 6, 8});
  Tensor rm = zeros({2}), rv = ones({2});
  const uint32_t version = rm._version();
  Tensor y = batch_norm(x, {}, {}, rm, rv, true, 0.1, 0.0);
  const double s0 = std::sqrt(1.25), s1 = std::sqrt(5.0);
  expect_near(values(y),
              {-1.5 / s0, -0.5 / s0, -3 / s1, -1 / s1, 0.5 / s0, 1.5 / s0, 1 / s1, 3 / s1}, 1e-6);
  // running = 0.9 * running + 0.1 * stat, the variance unbiased (5/3 and 20/3).
  expect_near(values(rm), {0.25, 0.5}, 1e-6);
  expect_near(values(rv), {0.9 + 0.1 * 5.0 / 3, 0.9 + 0.1 * 20.0 / 3}, 1e-6);
  EXPECT_GT(rm._version(), version);
  // Weight and bias.
  Tensor yw = batch_norm(x, make({2}, {2, 3}), make({2}, {1, -1}), {}, {}, true, 0.1, 0.0);
  expect_near(values(yw),
              {1 - 3 / s0, 1 - 1 / s0, -1 - 9 / s1, -1 - 3 / s1, 1 + 1 / s0, 1 + 3 / s0,
               -1 + 3 / s1, -1 + 9 / s1},
              1e-6);
}

TEST(BatchNorm, EvaluationUsesRunningStatsAndLeavesThem) {
  Tensor x = random({4, 3, 5, 5}, 61);
  Tensor rm = make({3}, {0.1, -0.2, 0.3}), rv = make({3}, {0.5, 1.5, 2.0});
  Tensor w = make({3}, {1, 2, 3}), b = make({3}, {0, 1, 2});
  Tensor y = batch_norm(x, w, b, rm, rv, false, 0.1, 1e-5);
  EXPECT_EQ(values(rm), (Values{0.1f, -0.2f, 0.3f}));
  const Values xv = values(x), yv = values(y), m = values(rm), v = values(rv);
  for (int64_t n = 0; n < 4; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t s = 0; s < 25; ++s) {
        const size_t k = static_cast<size_t>((n * 3 + c) * 25 + s);
        EXPECT_NEAR(yv[k], (xv[k] - m[c]) / std::sqrt(v[c] + 1e-5) * (c + 1) + c, 1e-5);
      }
}

TEST(BatchNorm, TwoDimensionalInputFloatMatchesDouble) {
  Tensor xf = random({16, 5}, 62), xd = xf.to(kDouble);
  Tensor yf = batch_norm(xf, {}, {}, {}, {}, true, 0.1, 1e-5);
  Tensor yd = batch_norm(xd, {}, {}, {}, {}, true, 0.1, 1e-5);
  expect_near(values(yf), values(yd), 1e-5);
  // Each channel of the output has mean 0 and (biased) variance 1 - eps / (var + eps).
  const Values yv = values(yd);
  for (int64_t c = 0; c < 5; ++c) {
    double mean = 0;
    for (int64_t n = 0; n < 16; ++n) mean += yv[n * 5 + c];
    EXPECT_NEAR(mean / 16, 0, 1e-12);
  }
}

TEST(BatchNorm, GradientsAndNodeName) {
  Tensor x = random({4, 3, 2, 2}, 63, kDouble).requires_grad_(true);
  Tensor w = random({3}, 64, kDouble).requires_grad_(true);
  Tensor b = random({3}, 65, kDouble).requires_grad_(true);
  Tensor y = batch_norm(x, w, b, {}, {}, true, 0.1, 1e-5);
  EXPECT_EQ(y.grad_fn()->name(), "NativeBatchNormBackward0");
  Tensor g = random({4, 3, 2, 2}, 66, kDouble);
  (y * g).sum().backward();
  // d bias = sum of g per channel; the input gradient sums to zero per channel.
  const Values gv = values(g), gx = values(x.grad()), gb = values(b.grad());
  for (int64_t c = 0; c < 3; ++c) {
    double sum_g = 0, sum_gx = 0;
    for (int64_t n = 0; n < 4; ++n)
      for (int64_t s = 0; s < 4; ++s) {
        sum_g += gv[(n * 3 + c) * 4 + s];
        sum_gx += gx[(n * 3 + c) * 4 + s];
      }
    EXPECT_NEAR(gb[c], sum_g, 1e-12);
    EXPECT_NEAR(sum_gx, 0, 1e-12);
  }
  // Float gradients (same formula in Float) match Double.
  Tensor xf = x.detach().to(kFloat).requires_grad_(true);
  Tensor wf = w.detach().to(kFloat).requires_grad_(true);
  (batch_norm(xf, wf, b.detach().to(kFloat), {}, {}, true, 0.1, 1e-5) * g.to(kFloat))
      .sum()
      .backward();
  expect_near(values(xf.grad()), gx, 1e-4);
  expect_near(values(wf.grad()), values(w.grad()), 1e-4);
}

// A plain backward runs a fused kernel, one with create_graph the differentiable formula: they
// must agree, in training and in evaluation, with and without weight.
TEST(BatchNorm, FusedAndDifferentiableBackwardAgree) {
  for (bool training : {true, false}) {
    for (bool affine : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "training " << training << " affine " << affine);
      Tensor x = random({3, 4, 2, 5}, 70, kDouble).requires_grad_(true);
      Tensor w = affine ? random({4}, 71, kDouble).requires_grad_(true) : Tensor();
      Tensor b = affine ? random({4}, 72, kDouble).requires_grad_(true) : Tensor();
      Tensor rm = random({4}, 73, kDouble) * 0.1, rv = random({4}, 74, kDouble) * 0.1 + 1;
      Tensor y = batch_norm(x, w, b, rm, rv, training, 0.1, 1e-5);
      Tensor g = random(shape(y), 75, kDouble);
      variable_list inputs = affine ? variable_list{x, w, b} : variable_list{x};
      variable_list plain = autograd::grad({y}, inputs, {g}, true, false);
      variable_list graph = autograd::grad({y}, inputs, {g}, true, true);
      // (In evaluation without weight, d x = invstd * g does not depend on any input.)
      if (training || affine) ASSERT_TRUE(graph[0].grad_fn());
      for (size_t i = 0; i < inputs.size(); ++i) {
        EXPECT_FALSE(plain[i].requires_grad());
        expect_near(values(plain[i]), values(graph[i]), 1e-12);
      }
    }
  }
}

TEST(BatchNorm, ErrorMessages) {
  expect_error([] { batch_norm(zeros({4}), {}, {}, {}, {}, true, 0.1, 1e-5); },
               {"batch_norm", "at least 2 dims", "[4]"});
  expect_error(
      [] {
        batch_norm(zeros({4, 3}), zeros({2}), {}, {}, {}, true, 0.1, 1e-5);
      },
      {"batch_norm", "weight of shape [3]", "[2]"});
  expect_error(
      [] {
        batch_norm(zeros({4, 3}), {}, {}, zeros({3}), {}, false, 0.1, 1e-5);
      },
      {"batch_norm", "running_mean and running_var must be defined", "evaluation"});
  expect_error(
      [] {
        batch_norm(zeros({4, 3}), zeros({3}, kDouble), {}, {}, {}, true, 0.1, 1e-5);
      },
      {"batch_norm", "weight has dtype Double"});
  expect_error(
      [] {
        F::batch_norm(zeros({1, 3}), zeros({3}), ones({3}),
                      F::BatchNormFuncOptions().training(true));
      },
      {"batch_norm", "more than 1 value per channel", "[1, 3]"});
}

TEST(BatchNorm, FunctionalWrapper) {
  Tensor x = random({4, 3, 2, 2}, 67);
  Tensor rm = zeros({3}), rv = ones({3});
  Tensor w = make({3}, {1, 2, 3});
  Tensor y =
      F::batch_norm(x, rm, rv, F::BatchNormFuncOptions().weight(w).training(true).momentum(0.5));
  Tensor rm2 = zeros({3}), rv2 = ones({3});
  expect_near(values(y), values(batch_norm(x, w, {}, rm2, rv2, true, 0.5, 1e-5)), 0);
  expect_near(values(rm), values(rm2), 0);
  // Default options: evaluation with the running stats.
  expect_near(values(F::batch_norm(x, rm, rv)),
              values(batch_norm(x, {}, {}, rm, rv, false, 0.1, 1e-5)), 0);
}

// ---------------------------------------------------------------------------------------------
// dropout

TEST(Dropout, IdentityWhenNotTrainingOrPZero) {
  Tensor x = random({3, 4}, 71);
  EXPECT_TRUE(dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(dropout(x, 0.0, true).is_same(x));
  EXPECT_TRUE(F::dropout(x, F::DropoutFuncOptions().training(false)).is_same(x));
}

TEST(Dropout, ZeroesAboutPAndScalesTheRest) {
  manual_seed(5);
  Tensor x = ones({200000});
  Tensor y = dropout(x, 0.3, true);
  const Values v = values(y);
  int64_t zeros_seen = 0;
  for (double e : v) {
    if (e == 0) {
      ++zeros_seen;
    } else {
      EXPECT_FLOAT_EQ(e, 1 / 0.7);
    }
  }
  EXPECT_NEAR(static_cast<double>(zeros_seen) / 200000, 0.3, 0.005);
  // Reproducible from the seed.
  manual_seed(5);
  EXPECT_EQ(values(dropout(x, 0.3, true)), v);
  EXPECT_NE(values(dropout(x, 0.3, true)), v);
}

TEST(Dropout, GradientIsTheMaskAndPOneGivesZeros) {
  manual_seed(6);
  Tensor x = random({50}, 72, kDouble).requires_grad_(true);
  Tensor y = dropout(x, 0.5, true);
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  y.sum().backward();
  const Values xv = values(x), yv = values(y), gv = values(x.grad());
  for (size_t i = 0; i < xv.size(); ++i) EXPECT_NEAR(gv[i], yv[i] / xv[i], 1e-12);
  Tensor z = dropout(x, 1.0, true);
  EXPECT_EQ(values(z), Values(50, 0.0));
  EXPECT_TRUE(z.requires_grad());
}

TEST(Dropout, InPlace) {
  manual_seed(7);
  Tensor x = ones({1000});
  Tensor& r = dropout_(x, 0.5, true);
  EXPECT_TRUE(r.is_same(x));
  int64_t zero_count = 0;
  for (double e : values(x)) zero_count += e == 0;
  EXPECT_GT(zero_count, 400);
  EXPECT_LT(zero_count, 600);
  manual_seed(7);
  Tensor y = ones({1000});
  Tensor out = F::dropout(y, F::DropoutFuncOptions().p(0.5).inplace(true));
  EXPECT_TRUE(out.is_same(y));
  EXPECT_EQ(values(y), values(x));
}

TEST(Dropout, ErrorMessages) {
  expect_error([] { dropout(ones({2}), 1.5, true); }, {"dropout", "between 0 and 1", "1.5"});
  expect_error([] { dropout(ones({2}), -0.1, true); }, {"dropout", "between 0 and 1"});
  expect_error([] { F::dropout(ones({2}), F::DropoutFuncOptions().p(2)); },
               {"dropout", "between 0 and 1"});
  expect_error([] { dropout(ones({2}, kLong), 0.5, true); }, {"dropout", "Float or Double"});
}

// ---------------------------------------------------------------------------------------------
// embedding

TEST(Embedding, PicksRowsAnyIndexShape) {
  Tensor w = make({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
  Tensor idx = tensor(std::vector<int64_t>{2, 0, 2, 3, 1, 1}).view({2, 3});
  Tensor y = embedding(w, idx);
  EXPECT_EQ(shape(y), (Shape{2, 3, 2}));
  EXPECT_EQ(values(y), (Values{20, 21, 0, 1, 20, 21, 30, 31, 10, 11, 10, 11}));
  EXPECT_EQ(shape(embedding(w, scalar_tensor(3, kLong))), (Shape{2}));
  EXPECT_EQ(shape(embedding(w, zeros({0}, kLong))), (Shape{0, 2}));
  // Non-contiguous table and indices.
  Tensor wt = make({2, 4}, {0, 10, 20, 30, 1, 11, 21, 31}).t();
  EXPECT_EQ(values(embedding(wt, idx.t())), values(embedding(w, idx.t().contiguous())));
}

TEST(Embedding, GradientsWithPaddingAndFrequencyScaling) {
  Tensor idx = tensor(std::vector<int64_t>{1, 3, 1, 0, 1});
  Tensor w = zeros({4, 2}, kDouble).requires_grad_(true);
  Tensor g = make({5, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, kDouble);
  Tensor y = embedding(w, idx);
  EXPECT_EQ(y.grad_fn()->name(), "EmbeddingBackward0");
  (y * g).sum().backward();
  EXPECT_EQ(values(w.grad()), (Values{7, 8, 15, 18, 0, 0, 3, 4}));
  w.mutable_grad() = Tensor();
  (embedding(w, idx, 1) * g).sum().backward();  // padding_idx 1: no gradient for row 1
  EXPECT_EQ(values(w.grad()), (Values{7, 8, 0, 0, 0, 0, 3, 4}));
  w.mutable_grad() = Tensor();
  (embedding(w, idx, -1, true) * g).sum().backward();  // row 1 occurs 3 times
  EXPECT_EQ(values(w.grad()), (Values{7, 8, 5, 6, 0, 0, 3, 4}));
}

TEST(Embedding, FunctionalPaddingIdxAndMaxNorm) {
  Tensor w = make({3, 2}, {3, 4, 0.3, 0.4, 6, 8}, kDouble).requires_grad_(true);
  Tensor idx = tensor(std::vector<int64_t>{0, 2, 1});
  Tensor g = ones({3, 2}, kDouble);
  (F::embedding(idx, w, F::EmbeddingFuncOptions().padding_idx(-1)) * g).sum().backward();
  EXPECT_EQ(values(w.grad()), (Values{1, 1, 1, 1, 0, 0}));  // -1 is row 2
  // max_norm rescales the looked-up rows in place (norms 5 and 10 to 1; 0.5 stays).
  Tensor w2 = make({4, 2}, {3, 4, 0.3, 0.4, 6, 8, 30, 40}, kDouble);
  Tensor y = F::embedding(idx, w2, F::EmbeddingFuncOptions().max_norm(1.0));
  expect_near(values(w2), {0.6, 0.8, 0.3, 0.4, 0.6, 0.8, 30, 40}, 1e-6);
  expect_near(values(y), {0.6, 0.8, 0.6, 0.8, 0.3, 0.4}, 1e-6);
  expect_error([&] { F::embedding(idx, w, F::EmbeddingFuncOptions().padding_idx(3)); },
               {"embedding", "padding_idx 3", "num_embeddings (3)"});
  expect_error([&] { embedding_renorm_(w, idx, 1.0, 2.0); },
               {"embedding_renorm_", "leaf", "NoGradGuard"});
}

TEST(Embedding, ErrorMessages) {
  Tensor w = zeros({10, 3});
  expect_error(
      [&] {
        embedding(w, tensor(std::vector<int64_t>{1, 12}));
      },
      {"embedding", "index 12 is out of range", "10 rows", "[10, 3]"});
  expect_error([&] { embedding(w, tensor(std::vector<int64_t>{-1})); },
               {"embedding", "index -1 is out of range"});
  expect_error([&] { embedding(w, zeros({2})); }, {"embedding", "Long", "Float"});
  expect_error([&] { embedding(zeros({10}), tensor(std::vector<int64_t>{1})); },
               {"embedding", "2-D weight", "[10]"});
  expect_error([&] { embedding(w, tensor(std::vector<int64_t>{1}), -1, false, true); },
               {"embedding", "sparse"});
  // An Embedding module with sparse=true can be made and printed (as in libtorch); its forward
  // is refused, since tensorgrad has no sparse gradients.
  nn::Embedding sparse(nn::EmbeddingOptions(10, 3).sparse(true));
  EXPECT_NE(tg::str(sparse).find("sparse=true"), std::string::npos);
  expect_error([&] { sparse(tensor(std::vector<int64_t>{1})); }, {"embedding", "sparse"});
}

}  // namespace
}  // namespace tg
