// Reductions: values (read through strides), dtypes, shapes with keepdim and negative or several
// dims, 0-d and empty inputs, NaN propagation and ties, numerical stability and accuracy, results
// that do not depend on the thread count, gradients and node names, and every error message.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/reduce.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

using Shape = std::vector<int64_t>;
using Values = std::vector<double>;

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

using tg::testing::element_at;
using tg::testing::values;

Shape shape(const Tensor& t) { return t.sizes().vec(); }

/// A contiguous tensor of the given values and dtype.
Tensor make(const Shape& sizes, const Values& v, ScalarType dtype = kDouble) {
  Tensor t = empty(sizes, kDouble);
  for (size_t i = 0; i < v.size(); ++i) t.data_ptr<double>()[i] = v[i];
  return dtype == kDouble ? t : t.to(dtype);
}

/// 0, 1, ..., n-1 as doubles, in the given shape.
Tensor iota(const Shape& sizes, ScalarType dtype = kDouble) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  Values v;
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<double>(i));
  return make(sizes, v, dtype);
}

void expect_values(const Tensor& t, const Values& expected, double tol = 1e-12) {
  const Values got = values(t);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " is " << got[i];
    } else if (std::isinf(expected[i])) {
      EXPECT_EQ(got[i], expected[i]) << "element " << i;
    } else {
      EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i])))
          << "element " << i;
    }
  }
}

/// Expects f to throw a tg::Error whose message contains every word.
template <class F>
void expect_error(F f, const std::vector<std::string>& words) {
  try {
    f();
    ADD_FAILURE() << "expected a tg::Error containing \"" << words.front() << "\"";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& w : words)
      EXPECT_NE(message.find(w), std::string::npos) << "message lacks \"" << w << "\": " << message;
  }
}

std::string node_name(const Tensor& t) { return t.grad_fn() ? t.grad_fn()->name() : "none"; }

Tensor leaf(const Tensor& t) { return t.detach().requires_grad_(true); }

/// The gradient of sum(w * f(x)) at x for a fixed weight w (checks the backward formula alone).
Tensor grad_of(const Tensor& x, const std::function<Tensor(const Tensor&)>& f) {
  Tensor xl = leaf(x);
  Tensor y = f(xl);
  y.backward(ones_like(y));
  return xl.grad();
}

// ---- mean ----

TEST(Mean, ValuesShapesAndDims) {
  const Tensor x = iota({2, 3, 4});
  expect_values(x.mean(), {11.5});
  EXPECT_EQ(shape(x.mean()), Shape{});
  expect_values(mean(x, {1}), {4, 5, 6, 7, 16, 17, 18, 19});
  EXPECT_EQ(shape(mean(x, {-1}, true)), (Shape{2, 3, 1}));
  expect_values(mean(x, {-1}, true), {1.5, 5.5, 9.5, 13.5, 17.5, 21.5});
  expect_values(mean(x, {0, 2}), {7.5, 11.5, 15.5});
  EXPECT_EQ(shape(mean(x, {2, 0}, true)), (Shape{1, 3, 1}));
  // An empty list reduces every dim (as libtorch).
  expect_values(mean(x, IntArrayRef{}), {11.5});
  EXPECT_EQ(shape(mean(x, {}, true)), (Shape{1, 1, 1}));
}

TEST(Mean, NonContiguousAndExpanded) {
  const Tensor x = iota({3, 4}).t();  // [4, 3], x[i][j] = 4 j + i
  expect_values(x.mean({0}), {1.5, 5.5, 9.5});
  expect_values(x.mean({1}), {4, 5, 6, 7});
  const Tensor e = iota({3, 1}).expand({3, 5});
  expect_values(e.mean({1}), {0, 1, 2});
  expect_values(e.mean(), {1});
  const Tensor p = iota({2, 3, 4}).permute({2, 0, 1});  // reduce dims that are not adjacent
  expect_values(p.mean({0, 2}), {5.5, 17.5});
}

TEST(Mean, Dtypes) {
  EXPECT_EQ(iota({3}, kFloat).mean().dtype(), kFloat);
  const Tensor l = iota({3}, kLong);
  expect_error([&] { l.mean(); }, {"mean()", "could not infer output dtype", "Long", "kFloat"});
  expect_error([&] { mean(l, {0}); }, {"mean()", "Long"});
  expect_error([] { make({2}, {1, 0}, kBool).mean(); }, {"mean()", "Bool"});
  expect_error([] { iota({2}).mean(kLong); }, {"mean()", "dtype", "Long"});
  Tensor m = l.mean(kFloat);
  EXPECT_EQ(m.dtype(), kFloat);
  expect_values(m, {1});
  EXPECT_EQ(iota({2, 2}, kFloat).mean({1}, false, kDouble).dtype(), kDouble);
}

TEST(Mean, EmptyAndScalar) {
  EXPECT_TRUE(std::isnan(empty({0}).mean().item<double>()));
  Tensor e = empty({2, 0}).mean({1});
  EXPECT_EQ(shape(e), Shape{2});
  expect_values(e, {kNaN, kNaN});
  EXPECT_EQ(shape(empty({2, 0}).mean({0})), Shape{0});
  const Tensor s = scalar_tensor(5.0, kDouble);
  expect_values(s.mean(), {5});
  expect_values(s.mean({0}), {5});
  expect_values(s.mean({-1}, true), {5});
  EXPECT_EQ(shape(s.mean({0}, true)), Shape{});
}

TEST(Mean, GradientAndNames) {
  Tensor x = leaf(iota({2, 3}));
  EXPECT_EQ(node_name(x.mean()), "MeanBackward0");
  EXPECT_EQ(node_name(x.mean({1})), "MeanBackward1");
  EXPECT_EQ(node_name(x.mean(IntArrayRef{})), "MeanBackward1");
  x.mean({1}).backward(make({2}, {3, 6}));
  expect_values(x.grad(), {1, 1, 1, 2, 2, 2});
  // A dtype cast is part of the graph: the gradient arrives in the input's dtype.
  Tensor f = leaf(iota({4}, kFloat));
  f.mean(kDouble).backward();
  EXPECT_EQ(f.grad().dtype(), kFloat);
  expect_values(f.grad(), {0.25, 0.25, 0.25, 0.25});
}

TEST(Reductions, DimErrors) {
  const Tensor x = iota({2, 3});
  expect_error([&] { mean(x, {1, -1}); }, {"mean()", "dim 1 appears multiple times", "[1, -1]"});
  expect_error([&] { amax(x, {0, -2}); }, {"amax()", "dim 0 appears multiple times"});
  expect_error([&] { var(x, {0, 0}); }, {"var()", "appears multiple times"});
  expect_error([&] { std(x, IntArrayRef{1, 1}); }, {"std()", "appears multiple times"});
  expect_error([&] { norm(x, 2, {1, 1}); }, {"norm()", "appears multiple times"});
  expect_error([&] { logsumexp(x, {1, 1}); }, {"logsumexp()", "appears multiple times"});
  expect_error([&] { mean(x, {2}); }, {"mean", "out of range", "2"});
  expect_error([&] { x.max(2); }, {"max", "out of range"});
  expect_error([&] { x.prod(-3); }, {"prod", "out of range"});
  expect_error([&] { x.argmax(3); }, {"argmax", "out of range"});
  expect_error([&] { x.softmax(-3); }, {"softmax", "out of range"});
  expect_error([&] { x.log_softmax(2); }, {"log_softmax", "out of range"});
  expect_error([&] { x.cumsum(5); }, {"cumsum", "out of range"});
  expect_error([&] { scalar_tensor(1.0).max(1); }, {"max", "out of range"});
}

// ---- prod ----

TEST(Prod, ValuesAndDtypes) {
  const Tensor x = make({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_values(x.prod(), {720});
  expect_values(x.prod(1), {6, 120});
  expect_values(x.prod(-2, true), {4, 10, 18});
  EXPECT_EQ(shape(x.prod(0, true)), (Shape{1, 3}));
  EXPECT_EQ(x.to(kLong).prod().dtype(), kLong);
  EXPECT_EQ(make({3}, {1, 0, 1}, kBool).prod().dtype(), kLong);
  EXPECT_EQ(make({3}, {1, 1, 1}, kBool).prod(0).item<int64_t>(), 1);
  Tensor d = x.to(kLong).prod(0, false, kDouble);
  EXPECT_EQ(d.dtype(), kDouble);
  expect_values(d, {4, 10, 18});
  expect_values(x.t().prod(1), {4, 10, 18});  // non-contiguous
  expect_values(empty({0}).prod(), {1});
  expect_values(empty({2, 0}).prod(1), {1, 1});
  expect_values(scalar_tensor(5.0).prod(0), {5});
}

TEST(Prod, GradientWithZeros) {
  // No zero: result / x.
  expect_values(grad_of(make({3}, {2, 3, 4}), [](const Tensor& x) { return x.prod(); }),
                {12, 8, 6});
  // One zero: only the zero gets a gradient, the product of the others.
  expect_values(grad_of(make({4}, {2, 0, 3, 4}), [](const Tensor& x) { return x.prod(); }),
                {0, 24, 0, 0});
  // Two zeros: every gradient is 0.
  expect_values(grad_of(make({4}, {0, 2, 0, 4}), [](const Tensor& x) { return x.prod(); }),
                {0, 0, 0, 0});
  // Along a dim, rows are independent.
  expect_values(
      grad_of(make({2, 3}, {1, 0, 5, 2, 3, 4}), [](const Tensor& x) { return x.prod(1); }),
      {0, 5, 0, 12, 8, 6});
  Tensor x = leaf(iota({2, 2}));
  EXPECT_EQ(node_name(x.prod()), "ProdBackward0");
  EXPECT_EQ(node_name(x.prod(1)), "ProdBackward1");
  EXPECT_EQ(node_name(x.to(kLong).prod()), "none");
}

TEST(Prod, SecondDerivativeWithAZero) {
  // d2/dx0 dx1 of x0 x1 x2 is x2, also where x0 is 0.
  Tensor x = leaf(make({3}, {0, 2, 5}));
  variable_list g = autograd::grad({x.prod()}, {x}, {}, std::nullopt, true);
  expect_values(g[0], {10, 0, 0});
  variable_list h = autograd::grad({g[0].select(0, 0)}, {x});
  expect_values(h[0], {0, 5, 2});
  h = autograd::grad({x.prod()}, {x}, {}, std::nullopt, true);
  h = autograd::grad({h[0].select(0, 1)}, {x});
  expect_values(h[0], {5, 0, 0});
}

// ---- max, min, argmax, argmin, amax, amin ----

TEST(MaxMin, FullValuesAndDtypes) {
  const Tensor x = make({2, 3}, {3, -1, 7, 2, 7, -5});
  expect_values(x.max(), {7});
  expect_values(x.min(), {-5});
  EXPECT_EQ(shape(x.max()), Shape{});
  EXPECT_EQ(x.to(kLong).max().dtype(), kLong);
  EXPECT_EQ(x.to(kLong).min().item<int64_t>(), -5);
  EXPECT_EQ(make({2}, {0, 1}, kBool).max().dtype(), kBool);
  EXPECT_TRUE(make({2}, {0, 1}, kBool).max().item<bool>());
  EXPECT_FALSE(make({2}, {0, 1}, kBool).min().item<bool>());
  expect_values(make({2}, {-kInf, -kInf}).max(), {-kInf});
  expect_values(make({2}, {kInf, kInf}).min(), {kInf});
  expect_values(scalar_tensor(4.0).max(), {4});
}

TEST(MaxMin, DimValuesIndicesAndTies) {
  const Tensor x = make({2, 4}, {1, 3, 3, 2, 5, 5, -1, 5});
  auto [v, i] = x.max(1);
  expect_values(v, {3, 5});
  expect_values(i, {1, 0});  // first occurrence on ties, as libtorch
  EXPECT_EQ(i.dtype(), kLong);
  auto [vn, in] = x.min(-1, true);
  EXPECT_EQ(shape(vn), (Shape{2, 1}));
  expect_values(vn, {1, -1});
  expect_values(in, {0, 2});
  auto [v0, i0] = max(x, 0);
  expect_values(v0, {5, 5, 3, 5});
  expect_values(i0, {1, 1, 0, 1});
  auto [vt, it] = x.t().max(0);  // non-contiguous
  expect_values(vt, {3, 5});
  expect_values(it, {1, 0});
  auto [vs, is] = scalar_tensor(5.0).max(0);
  EXPECT_EQ(shape(vs), Shape{});
  EXPECT_EQ(is.item<int64_t>(), 0);
  auto [vb, ib] = make({2, 2}, {0, 1, 0, 0}, kBool).max(1);
  EXPECT_EQ(vb.dtype(), kBool);
  expect_values(vb, {1, 0});
  expect_values(ib, {1, 0});
  auto [ve, ie] = empty({0, 3}).max(1);  // nothing to reduce into: an empty result
  EXPECT_EQ(shape(ve), Shape{0});
  EXPECT_EQ(shape(ie), Shape{0});
}

TEST(MaxMin, ArgmaxArgmin) {
  const Tensor x = make({2, 3}, {3, 9, 1, 9, 0, 1});
  Tensor a = x.argmax();
  EXPECT_EQ(a.dtype(), kLong);
  EXPECT_EQ(shape(a), Shape{});
  EXPECT_EQ(a.item<int64_t>(), 1);  // flat index, first of the tied 9s
  EXPECT_EQ(x.argmin().item<int64_t>(), 4);
  EXPECT_EQ(shape(x.argmax(std::nullopt, true)), (Shape{1, 1}));
  expect_values(x.argmax(1), {1, 0});
  expect_values(argmin(x, 0), {0, 1, 0});
  EXPECT_EQ(shape(x.argmax(-1, true)), (Shape{2, 1}));
  EXPECT_EQ(x.t().argmax().item<int64_t>(),
            1);  // row-major over the transposed view: [3 9 9 0 1 1]
  EXPECT_EQ(x.to(kLong).argmax().item<int64_t>(), 1);
  EXPECT_EQ(scalar_tensor(2.0).argmax().item<int64_t>(), 0);
}

TEST(MaxMin, NaNPropagates) {
  const Tensor x = make({2, 4}, {1, kNaN, 3, kNaN, 2, 0, 5, 1});
  EXPECT_TRUE(std::isnan(x.max().item<double>()));
  EXPECT_TRUE(std::isnan(x.min().item<double>()));
  auto [v, i] = x.max(1);
  expect_values(v, {kNaN, 5});
  expect_values(i, {1, 2});  // the first NaN
  auto [vm, im] = x.min(1);
  expect_values(vm, {kNaN, 0});
  expect_values(im, {1, 1});
  EXPECT_EQ(x.argmax().item<int64_t>(), 1);
  EXPECT_EQ(x.argmin().item<int64_t>(), 1);
  expect_values(x.amax({1}), {kNaN, 5});
  expect_values(x.amin({0}), {1, kNaN, 3, kNaN});
  EXPECT_TRUE(std::isnan(x.norm(kInf).item<double>()));
}

TEST(MaxMin, EmptyErrors) {
  expect_error([] { empty({0}).max(); },
               {"max()", "Expected reduction dim to be specified", "numel() == 0", "[0]", "dim"});
  expect_error([] { empty({0}).min(); }, {"min()", "numel() == 0"});
  expect_error(
      [] {
        empty({2, 0}).max(1);
      },
      {"max()", "reduction dim 1", "non-zero size", "[2, 0]"});
  expect_error([] { empty({2, 0}).min(-1); }, {"min()", "reduction dim 1"});
  expect_error([] { empty({0}).amax(); }, {"amax()", "numel() == 0"});
  expect_error([] { empty({2, 0}).amin({1}); }, {"amin()", "reduction dim 1", "non-zero size"});
  expect_error([] { empty({0, 2}).argmax(); }, {"argmax()", "numel() == 0"});
  expect_error([] { empty({0, 2}).argmin(0); }, {"argmin()", "reduction dim 0"});
  EXPECT_EQ(shape(empty({2, 0}).amax({0})), Shape{0});
  EXPECT_EQ(shape(empty({2, 0}).argmax(0)), Shape{0});
}

TEST(MaxMin, Amax) {
  const Tensor x = iota({2, 3, 4});
  expect_values(x.amax(), {23});
  expect_values(x.amin(), {0});
  expect_values(amax(x, {0, 2}), {15, 19, 23});
  EXPECT_EQ(shape(amax(x, {0, 2}, true)), (Shape{1, 3, 1}));
  expect_values(amin(x, {-1}), {0, 4, 8, 12, 16, 20});
  EXPECT_EQ(shape(x.amax({}, true)), (Shape{1, 1, 1}));
  EXPECT_EQ(x.to(kLong).amax({1}).dtype(), kLong);
}

TEST(MaxMin, GradientsAndNames) {
  // Full max and amax share the gradient evenly among ties; max(dim) gives it to the index.
  const Tensor x = make({4}, {1, 3, 3, 2});
  expect_values(grad_of(x, [](const Tensor& t) { return t.max(); }), {0, 0.5, 0.5, 0});
  expect_values(grad_of(x, [](const Tensor& t) { return t.amax(); }), {0, 0.5, 0.5, 0});
  expect_values(grad_of(x, [](const Tensor& t) { return t.min(); }), {1, 0, 0, 0});
  expect_values(grad_of(x, [](const Tensor& t) { return std::get<0>(t.max(0)); }), {0, 1, 0, 0});
  const Tensor y = make({2, 3}, {5, 1, 5, 0, 2, 2});
  expect_values(grad_of(y, [](const Tensor& t) { return t.amax({1}); }),
                {0.5, 0, 0.5, 0, 0.5, 0.5});
  expect_values(grad_of(y, [](const Tensor& t) { return std::get<0>(t.min(1, true)); }),
                {0, 1, 0, 1, 0, 0});
  // A NaN max sends the gradient to the NaN.
  expect_values(grad_of(make({3}, {1, kNaN, 2}), [](const Tensor& t) { return t.max(); }),
                {0, 1, 0});
  Tensor l = leaf(y);
  EXPECT_EQ(node_name(l.max()), "MaxBackward1");
  EXPECT_EQ(node_name(l.min()), "MinBackward1");
  auto [v, i] = l.max(1);
  EXPECT_EQ(node_name(v), "MaxBackward0");
  EXPECT_EQ(node_name(i), "none");
  EXPECT_FALSE(i.requires_grad());
  EXPECT_EQ(node_name(std::get<0>(l.min(0))), "MinBackward0");
  EXPECT_EQ(node_name(l.amax()), "AmaxBackward0");
  EXPECT_EQ(node_name(l.amin({0})), "AminBackward0");
  EXPECT_FALSE(l.argmax().requires_grad());
}

// ---- norm ----

TEST(Norm, ValuesForEachP) {
  const Tensor v = make({3}, {3, -4, 0});
  expect_values(v.norm(), {5});
  expect_values(v.norm(1), {7});
  expect_values(v.norm(kInf), {4});
  expect_values(v.norm(-kInf), {0});
  expect_values(v.norm(0), {2});
  expect_values(v.norm(3), {std::cbrt(91.0)});
  expect_values(v.norm(0.5), {std::pow(std::sqrt(3.0) + 2, 2)});
  expect_values(v.norm(-1), {0});
  const Tensor x = make({2, 2}, {3, 4, 6, 8});
  expect_values(x.norm(2, {1}), {5, 10});
  expect_values(norm(x, std::nullopt, {0}, true), {std::sqrt(45.0), std::sqrt(80.0)});
  EXPECT_EQ(shape(norm(x, 1, {-1}, true)), (Shape{2, 1}));
  expect_values(norm(x, 1, {}), {21});
  expect_values(x.t().norm(1, {0}), {7, 14});
  EXPECT_EQ(iota({3}, kFloat).norm().dtype(), kFloat);
  expect_values(empty({0}).norm(), {0});
  expect_values(scalar_tensor(-2.0).norm(), {2});
}

TEST(Norm, GradientAtZeroAndNames) {
  const Tensor z = zeros({3}, kDouble);
  expect_values(grad_of(z, [](const Tensor& t) { return t.norm(); }), {0, 0, 0});
  expect_values(grad_of(z, [](const Tensor& t) { return t.norm(1); }), {0, 0, 0});
  expect_values(grad_of(z, [](const Tensor& t) { return t.norm(3); }), {0, 0, 0});
  expect_values(grad_of(z, [](const Tensor& t) { return t.norm(0.5); }), {0, 0, 0});
  expect_values(grad_of(make({2}, {3, -4}), [](const Tensor& t) { return t.norm(); }), {0.6, -0.8});
  expect_values(grad_of(make({3}, {1, -3, 3}), [](const Tensor& t) { return t.norm(kInf); }),
                {0, -0.5, 0.5});
  // A zero row among non-zero rows: 0 there, x / norm elsewhere; no NaN in either.
  expect_values(grad_of(make({2, 2}, {0, 0, 3, 4}), [](const Tensor& t) { return t.norm(2, {1}); }),
                {0, 0, 0.6, 0.8});
  // The second derivative at a zero row is finite (no 0/0 inside the backward).
  Tensor x = leaf(make({2, 2}, {0, 0, 3, 4}));
  variable_list g = autograd::grad({x.norm(2, {1}).sum()}, {x}, {}, std::nullopt, true);
  variable_list h = autograd::grad({g[0].sum()}, {x});
  for (double e : values(h[0])) EXPECT_TRUE(std::isfinite(e));
  Tensor l = leaf(iota({2, 2}));
  EXPECT_EQ(node_name(l.norm()), "NormBackward0");
  EXPECT_EQ(node_name(l.norm(1)), "NormBackward0");
  EXPECT_EQ(node_name(l.norm(2, {0})), "NormBackward1");
}

TEST(Norm, Errors) {
  expect_error([] { iota({3}, kLong).norm(); },
               {"norm()", "floating point", "Long", "[3]", ".to(tg::kFloat)"});
  expect_error([] { norm(iota({3}, kBool), 2, {0}); }, {"norm()", "Bool"});
}

// ---- var, std ----

TEST(VarStd, Values) {
  const Tensor x = make({2, 4}, {1, 2, 3, 4, 2, 4, 6, 8});
  expect_values(x.var(), {37.5 / 7});
  expect_values(x.var(false), {4.6875});
  // A braced dim needs IntArrayRef{} while Tensor lacks libtorch's var(int) / std(int): {1}
  // alone converts to bool (unbiased).
  expect_values(x.var(IntArrayRef{1}), {5.0 / 3, 20.0 / 3});
  expect_values(x.var({1}, false, true), {1.25, 5});
  EXPECT_EQ(shape(x.var({1}, false, true)), (Shape{2, 1}));
  expect_values(x.std(IntArrayRef{0}),
                {std::sqrt(0.5), std::sqrt(2.0), std::sqrt(4.5), std::sqrt(8.0)});
  expect_values(std(x, IntArrayRef{-1}, false), {std::sqrt(1.25), std::sqrt(5.0)});
  expect_values(x.t().var(IntArrayRef{0}), {5.0 / 3, 20.0 / 3});
  expect_values(var(x, {0, 1}), {37.5 / 7});
  EXPECT_EQ(shape(x.std({}, true, true)), (Shape{1, 1}));
  // One element: the unbiased estimate divides by 0.
  expect_values(make({1}, {2}).var(), {kNaN});
  expect_values(make({1}, {2}).std(false), {0});
  expect_values(empty({0}).var(), {kNaN});
  EXPECT_EQ(iota({3}, kFloat).std().dtype(), kFloat);
}

TEST(VarStd, AccurateAwayFromZero) {
  // E[x^2] - E[x]^2 would lose every digit here; the two-pass algorithm keeps them.
  const Tensor x = make({4}, {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4});
  expect_values(x.var(), {5.0 / 3}, 1e-9);
  Values big;
  for (int i = 0; i < 10000; ++i) big.push_back(1000.0 + (i % 2 ? 0.5 : -0.5));
  expect_values(make({10000}, big, kFloat).var(false), {0.25}, 1e-6);
}

TEST(VarStd, GradientsAndErrors) {
  expect_values(grad_of(make({3}, {1, 2, 6}), [](const Tensor& t) { return t.var(); }),
                {-2, -1, 3});
  expect_values(grad_of(make({3}, {1, 2, 6}), [](const Tensor& t) { return t.var(false); }),
                {-4.0 / 3, -2.0 / 3, 2});
  // d std = d var / (2 std)
  const double s = std::sqrt(7.0);
  expect_values(grad_of(make({3}, {1, 2, 6}), [](const Tensor& t) { return t.std(); }),
                {-1 / s, -0.5 / s, 1.5 / s});
  // A constant slice has std 0: its gradient is 0, not NaN.
  expect_values(grad_of(make({2, 3}, {0.1, 0.1, 0.1, 1, 2, 3}),
                        [](const Tensor& t) { return t.std(IntArrayRef{1}); }),
                {0, 0, 0, -0.5, 0, 0.5});
  Tensor l = leaf(iota({2, 2}));
  EXPECT_EQ(node_name(l.var()), "VarBackward0");
  EXPECT_EQ(node_name(l.var(IntArrayRef{0})), "VarBackward0");
  EXPECT_EQ(node_name(l.std()), "StdBackward0");
  EXPECT_EQ(node_name(l.std({1}, false, true)), "StdBackward0");
  expect_error([] { iota({3}, kLong).var(); },
               {"var()", "floating point", "Long", ".to(tg::kFloat)"});
  expect_error([] { iota({3}, kLong).std(IntArrayRef{0}); }, {"std()", "Long"});
}

// ---- logsumexp ----

TEST(Logsumexp, ValuesAndStability) {
  const Tensor x = make({2, 2}, {0, std::log(3.0), 1000, 1000});
  expect_values(x.logsumexp({1}), {std::log(4.0), 1000 + std::log(2.0)});
  EXPECT_EQ(shape(x.logsumexp({1}, true)), (Shape{2, 1}));
  expect_values(make({3}, {-kInf, -kInf, -kInf}).logsumexp({0}), {-kInf});
  expect_values(make({2}, {kInf, 1}).logsumexp({0}), {kInf});
  expect_values(make({2}, {kNaN, 1}).logsumexp({0}), {kNaN});
  expect_values(make({2}, {-1000, -1000}).logsumexp({0}), {-1000 + std::log(2.0)});
  expect_values(empty({0}).logsumexp({0}), {-kInf});
  expect_values(iota({2, 2}).logsumexp({}),
                {3 + std::log(1 + std::exp(-1.0) + std::exp(-2.0) + std::exp(-3.0))});
  expect_values(iota({2, 3}).logsumexp({0, -1}), values(iota({2, 3}).logsumexp({})));
  // Integers compute in Float, as libtorch.
  Tensor l = iota({3}, kLong).logsumexp({0});
  EXPECT_EQ(l.dtype(), kFloat);
  expect_values(l, {std::log(1 + std::exp(1.0) + std::exp(2.0))}, 1e-6);
}

TEST(Logsumexp, Gradient) {
  expect_values(
      grad_of(make({2}, {0, std::log(3.0)}), [](const Tensor& t) { return t.logsumexp({0}); }),
      {0.25, 0.75});
  EXPECT_EQ(node_name(leaf(iota({2})).logsumexp({0})), "LogsumexpBackward0");
}

// ---- softmax, log_softmax ----

TEST(Softmax, ValuesAndStability) {
  const Tensor x = make({2, 3}, {0, 1, 2, 1000, 1001, 1002});
  const double e = std::exp(1.0), z = 1 + e + e * e;
  const Values row = {1 / z, e / z, e * e / z};
  expect_values(x.softmax(1), {row[0], row[1], row[2], row[0], row[1], row[2]});
  expect_values(softmax(x, -1), values(x.softmax(1)));
  expect_values(x.log_softmax(1), {-std::log(z), 1 - std::log(z), 2 - std::log(z), -std::log(z),
                                   1 - std::log(z), 2 - std::log(z)});
  expect_values(make({2}, {-1000, 0}).log_softmax(0), {-1000, 0});
  // Along dim 0 (not the innermost dim), and through a non-contiguous view.
  const Tensor c = x.t();  // [3, 2]
  expect_values(c.softmax(0), {row[0], row[0], row[1], row[1], row[2], row[2]});
  const Tensor s = softmax(iota({2, 3, 4}), 1);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t k = 0; k < 4; ++k) {
      double total = 0;
      for (int64_t j = 0; j < 3; ++j) total += element_at(s, {i, j, k});
      EXPECT_NEAR(total, 1.0, 1e-12);
    }
  // A NaN spoils its own slice only.
  expect_values(make({2, 2}, {kNaN, 1, 0, 0}).softmax(1), {kNaN, kNaN, 0.5, 0.5});
  expect_values(scalar_tensor(3.0).softmax(0), {1});
  expect_values(scalar_tensor(3.0).log_softmax(-1), {0});
  EXPECT_EQ(shape(empty({0, 3}).softmax(1)), (Shape{0, 3}));
  EXPECT_EQ(shape(empty({2, 0}).log_softmax(1)), (Shape{2, 0}));
}

TEST(Softmax, FloatMatchesDouble) {
  // Large rows exercise the vectorised exp; compare with a double computation.
  const Tensor x = randn({7, 300}, kDouble) * 10;
  const Tensor d = x.softmax(1), f = x.to(kFloat).softmax(1);
  const Values dv = values(d), fv = values(f);
  for (size_t i = 0; i < dv.size(); ++i) EXPECT_NEAR(fv[i], dv[i], 1e-6 + 1e-5 * dv[i]);
  const Values dl = values(x.log_softmax(0)), fl = values(x.to(kFloat).log_softmax(0));
  for (size_t i = 0; i < dl.size(); ++i)
    EXPECT_NEAR(fl[i], dl[i], 1e-4 * std::max(1.0, std::abs(dl[i])));
}

TEST(Softmax, DtypesGradientsAndErrors) {
  Tensor f = leaf(make({3}, {1, 2, 3}, kFloat));
  Tensor y = f.softmax(0, kDouble);
  EXPECT_EQ(y.dtype(), kDouble);
  y.backward(make({3}, {1, 0, 0}));
  EXPECT_EQ(f.grad().dtype(), kFloat);
  const Values p = values(y);
  expect_values(f.grad(), {p[0] * (1 - p[0]), -p[0] * p[1], -p[0] * p[2]}, 1e-6);
  // log_softmax: g - exp(y) sum(g)
  Tensor x = leaf(make({3}, {1, 2, 3}));
  x.log_softmax(0).backward(make({3}, {1, 0, 0}));
  expect_values(x.grad(), {1 - p[0], -p[1], -p[2]}, 1e-7);
  EXPECT_EQ(node_name(leaf(iota({2})).softmax(0)), "SoftmaxBackward0");
  EXPECT_EQ(node_name(leaf(iota({2})).log_softmax(0)), "LogSoftmaxBackward0");
  expect_error([] { iota({3}, kLong).softmax(0); },
               {"softmax()", "floating point", "Long", "dtype=tg::kFloat"});
  expect_error([] { iota({3}, kBool).log_softmax(0); }, {"log_softmax()", "Bool"});
  expect_error([] { iota({3}).softmax(0, kLong); }, {"softmax()", "dtype", "Long"});
  Tensor l = iota({3}, kLong).softmax(0, kFloat);
  EXPECT_EQ(l.dtype(), kFloat);
}

// ---- cumsum ----

TEST(Cumsum, ValuesAndDtypes) {
  const Tensor x = iota({2, 3});
  expect_values(x.cumsum(1), {0, 1, 3, 3, 7, 12});
  expect_values(x.cumsum(0), {0, 1, 2, 3, 5, 7});
  expect_values(cumsum(x, -1), {0, 1, 3, 3, 7, 12});
  expect_values(x.t().cumsum(1), {0, 3, 1, 5, 2, 7});
  expect_values(cumsum(iota({2, 2, 2}), 1), {0, 1, 2, 4, 4, 5, 10, 12});
  EXPECT_EQ(iota({3}, kLong).cumsum(0).dtype(), kLong);
  Tensor b = make({3}, {1, 0, 1}, kBool).cumsum(0);
  EXPECT_EQ(b.dtype(), kLong);
  expect_values(b, {1, 1, 2});
  EXPECT_EQ(iota({3}, kFloat).cumsum(0, kDouble).dtype(), kDouble);
  EXPECT_EQ(iota({3}, kLong).cumsum(0, kFloat).dtype(), kFloat);
  expect_values(scalar_tensor(4.0).cumsum(0), {4});
  EXPECT_EQ(shape(empty({2, 0}).cumsum(1)), (Shape{2, 0}));
}

TEST(Cumsum, GradientIsAReversedCumsum) {
  expect_values(grad_of(iota({4}), [](const Tensor& t) { return t.cumsum(0); }), {4, 3, 2, 1});
  Tensor x = leaf(iota({2, 3}, kFloat));
  Tensor y = x.cumsum(1, kDouble);
  EXPECT_EQ(node_name(y), "CumsumBackward0");
  y.backward(make({2, 3}, {1, 2, 3, 0, 0, 1}));
  EXPECT_EQ(x.grad().dtype(), kFloat);
  expect_values(x.grad(), {6, 5, 3, 1, 1, 1});
}

// ---- kernels: large inputs, every loop, thread-count independence ----

TEST(ReduceKernels, LargeReductionsMatchDoubleLoops) {
  // Shapes that take the runs loop with several chunks, the rows loop with several row chunks,
  // and a general permuted layout.
  const Tensor big = randn({3, 20000}, kDouble);
  const Tensor rows = randn({600, 70}, kDouble);
  const Tensor perm = randn({40, 30, 50}, kDouble).permute({2, 0, 1});  // [50, 40, 30]
  auto check_mean = [](const Tensor& x, int64_t dim) {
    const Tensor m = x.mean({dim});
    const Shape s = shape(x);
    const Values got = values(m);
    Shape idx(s.size(), 0);
    Values expected(got.size(), 0.0);
    for (int64_t k = 0; k < x.numel(); ++k) {
      int64_t flat = 0;
      for (size_t d = 0; d < s.size(); ++d)
        if (static_cast<int64_t>(d) != dim) flat = flat * s[d] + idx[d];
      expected[static_cast<size_t>(flat)] += element_at(x, idx) / static_cast<double>(s[dim]);
      for (size_t d = s.size(); d-- > 0;) {
        if (++idx[d] < s[d]) break;
        idx[d] = 0;
      }
    }
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12);
  };
  check_mean(big, 1);
  check_mean(big, 0);
  check_mean(rows, 0);
  check_mean(rows, 1);
  check_mean(perm, 0);
  check_mean(perm, 1);
  check_mean(perm, 2);
}

TEST(ReduceKernels, SumKernelMatchesSum) {
  // kernels::reduce_sum (shared with other ops) against tg::sum, over layouts and dtypes.
  const Tensor x = randn({6, 5, 7}, kDouble);
  const std::vector<Tensor> inputs = {x, x.permute({2, 0, 1}), x.to(kFloat).transpose(0, 1),
                                      (x * 3).to(kLong), gt(x, 0)};
  for (const Tensor& t : inputs) {
    const ScalarType out = t.is_floating_point() ? t.dtype() : kLong;
    for (const Shape& dims : std::vector<Shape>{{0}, {2}, {0, 2}, {1}, {0, 1, 2}}) {
      kernels::DimMask mask = 0;
      for (int64_t d : dims) mask |= kernels::DimMask(1) << d;
      const Tensor s = sum(t, dims, true);
      const Tensor k = empty(s.sizes(), out);  // the kernel writes the keepdim shape
      kernels::reduce_sum(k, t, mask);
      ASSERT_EQ(k.dtype(), s.dtype());
      ASSERT_EQ(shape(k), shape(s));
      expect_values(k, values(s), t.dtype() == kFloat ? 1e-6 : 1e-12);
    }
  }
}

TEST(ReduceKernels, FloatSumsAccumulateInDouble) {
  // 0.1f summed 2^20 times in float drifts by about 1%; accumulated in double it does not.
  const Tensor x = full({1 << 20}, 0.1, kFloat);
  const double exact = static_cast<double>(0.1f);
  EXPECT_NEAR(x.mean().item<double>(), exact, 1e-7);
  EXPECT_NEAR(x.view({1024, 1024}).mean({0}).mean().item<double>(), exact, 1e-7);
  EXPECT_NEAR(x.norm().item<double>(), exact * 1024, 1e-4);
}

TEST(ReduceKernels, ArgmaxAcrossChunks) {
  // The extremum and its ties sit in different chunks of the reduction.
  Tensor x = zeros({30000}, kDouble);
  x.data_ptr<double>()[25000] = 7;
  x.data_ptr<double>()[9000] = 7;
  x.data_ptr<double>()[29999] = 7;
  EXPECT_EQ(x.argmax().item<int64_t>(), 9000);
  x.data_ptr<double>()[20001] = kNaN;
  x.data_ptr<double>()[28000] = kNaN;
  EXPECT_EQ(x.argmax().item<int64_t>(), 20001);
  EXPECT_EQ(x.argmin().item<int64_t>(), 20001);
  EXPECT_TRUE(std::isnan(x.max().item<double>()));
  Tensor y = zeros({300, 4}, kDouble);  // the rows loop
  y.data_ptr<double>()[4 * 280 + 1] = -3;
  y.data_ptr<double>()[4 * 10 + 1] = -3;
  auto [v, i] = y.min(0);
  expect_values(v, {0, -3, 0, 0});
  expect_values(i, {0, 10, 0, 0});
}

TEST(ReduceKernels, SameResultForAnyThreadCount) {
  const int before = get_num_threads();
  const Tensor x = randn({300, 500}, kFloat);  // several chunks and row chunks
  auto run = [&] {
    return variable_list{x.mean(),     x.mean({0}),      x.mean({1}),      x.var(IntArrayRef{0}),
                         x.std(),      x.norm(3, {1}),   x.logsumexp({0}), x.prod({1}),
                         x.softmax(0), x.log_softmax(1), x.cumsum(0),      x.amax({0}),
                         x.argmax()};
  };
  set_num_threads(1);
  const variable_list one = run();
  set_num_threads(2);
  const variable_list two = run();
  set_num_threads(3);
  const variable_list three = run();
  set_num_threads(before);
  for (size_t k = 0; k < one.size(); ++k) {
    EXPECT_TRUE(equal(one[k], two[k])) << "result " << k << " differs with 2 threads";
    EXPECT_TRUE(equal(one[k], three[k])) << "result " << k << " differs with 3 threads";
  }
}

TEST(ReduceKernels, DoubleBackwardThroughEveryReduction) {
  // Hessian-vector products through each op: finite and of the right shape.
  const Tensor x0 = make({2, 3}, {0.5, -1.2, 0.3, 1.1, 0.7, -0.4});
  std::vector<std::function<Tensor(const Tensor&)>> fs = {
      [](const Tensor& t) { return t.mean({1}).pow(2).sum(); },
      [](const Tensor& t) { return t.prod(1).sum(); },
      [](const Tensor& t) { return t.norm(3, {0}).sum(); },
      [](const Tensor& t) { return t.var(IntArrayRef{1}).pow(2).sum(); },
      [](const Tensor& t) { return t.std().pow(3); },
      [](const Tensor& t) { return t.logsumexp({0}).sum(); },
      [](const Tensor& t) { return (t.softmax(1) * t).sum(); },
      [](const Tensor& t) { return (t.log_softmax(0) * t).sum(); },
      [](const Tensor& t) { return t.cumsum(1).pow(2).sum(); },
      [](const Tensor& t) { return t.amax({1}).pow(2).sum(); },
  };
  for (size_t k = 0; k < fs.size(); ++k) {
    Tensor x = leaf(x0);
    variable_list g = autograd::grad({fs[k](x)}, {x}, {}, std::nullopt, true);
    variable_list h = autograd::grad({g[0].sum()}, {x});
    ASSERT_TRUE(h[0].defined()) << "function " << k;
    EXPECT_EQ(shape(h[0]), (Shape{2, 3}));
    for (double e : values(h[0])) EXPECT_TRUE(std::isfinite(e)) << "function " << k;
  }
}

}  // namespace
}  // namespace tg
