// The elementwise ops that arrived with the op table (tensorgrad/elementwise_ops.def: exp2 log2
// log10 asin acos atan sinh cosh asinh acosh atanh erfc erfinv lgamma digamma frac trunc sgn,
// atan2 hypot copysign xlogy fmod remainder) and those beside it (polygamma logit lerp addcmul
// addcdiv), against libtorch: dtype rules and their error messages, special values, node names,
// in-place forms, the float (SLEEF) path against the double one, and broadcasting.
//
// Every constant said to be PyTorch 1.13's was printed by Debian's PyTorch 1.13 (python3-torch),
// e.g. `torch.digamma(torch.tensor([0., -0., -1., -2.5], dtype=torch.float64)).tolist()`.
// Values and gradients away from the special points are the op cases' job
// (tests/op_cases/elementwise.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

using tg::testing::values;
using Values = std::vector<double>;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A 1-D tensor of `dtype` holding v (written through data_ptr, no tensorgrad op).
Tensor make(const Values& v, ScalarType dtype = kDouble) {
  Tensor t = empty({static_cast<int64_t>(v.size())}, dtype);
  for (size_t i = 0; i < v.size(); ++i) {
    switch (dtype) {
      case kFloat:
        t.data_ptr<float>()[i] = static_cast<float>(v[i]);
        break;
      case kDouble:
        t.data_ptr<double>()[i] = v[i];
        break;
      case kLong:
        t.data_ptr<int64_t>()[i] = static_cast<int64_t>(v[i]);
        break;
      case kBool:
        t.data_ptr<bool>()[i] = v[i] != 0;
        break;
    }
  }
  return t;
}
Tensor longs(const Values& v) { return make(v, kLong); }
Tensor bools(const Values& v) { return make(v, kBool); }
/// A tensor of `shape` holding v in row-major order.
Tensor shaped(std::vector<int64_t> shape, const Values& v, ScalarType dtype = kDouble) {
  return make(v, dtype).view(shape);
}

/// Each element of t is expected[i]: NaN matches NaN, infinities and zeros must match exactly
/// (the sign of a zero included), the rest within rtol relative.
void expect_values(const Tensor& t, const Values& expected, double rtol = 0) {
  const Values got = values(t);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const double a = got[i], e = expected[i];
    if (std::isnan(e)) {
      EXPECT_TRUE(std::isnan(a)) << "element " << i << " is " << a << ", expected NaN";
    } else if (std::isinf(e) || e == 0) {
      EXPECT_EQ(a, e) << "element " << i;
      EXPECT_EQ(std::signbit(a), std::signbit(e)) << "sign of element " << i << " (" << a << ")";
    } else {
      EXPECT_NEAR(a, e, rtol * std::abs(e)) << "element " << i;
    }
  }
}

std::vector<int64_t> shape(const Tensor& t) { return t.sizes().vec(); }

// ---- the unary rows that compute in floating point ----

struct UnaryOp {
  const char* name;
  Tensor (*fn)(const Tensor&);
  Tensor& (*inplace)(const Tensor&);
  const char* node;  // PyTorch 1.13's grad_fn.name() for the out-of-place op
  Values of_long;    // PyTorch 1.13: the op on torch.tensor([1, 2, 3]) (Float)
  Values of_bool;    // PyTorch 1.13: the op on torch.tensor([True, False]) (Float)
  Values domain;     // Double inputs inside the domain, for the in-place checks
};

// clang-format off
#define TG_UNARY_OP(op) #op, [](const Tensor& x) { return tg::op(x); }, [](const Tensor& x) -> Tensor& { return x.op##_(); }
const std::vector<UnaryOp>& floating_unary_ops() {
  static const std::vector<UnaryOp> ops = {
      {TG_UNARY_OP(exp2), "Exp2Backward0", {2, 4, 8}, {2, 1}, {-1.5, 0.5, 3}},
      {TG_UNARY_OP(log2), "Log2Backward0", {0, 1, 1.5849624872207642}, {0, -kInf}, {0.5, 3, 7}},
      {TG_UNARY_OP(log10), "Log10Backward0", {0, 0.3010300099849701, 0.4771212637424469},
       {0, -kInf}, {0.5, 3, 70}},
      {TG_UNARY_OP(asin), "AsinBackward0", {1.5707963705062866, kNaN, kNaN}, {1.5707963705062866, 0},
       {-0.5, 0.25, 0.75}},
      {TG_UNARY_OP(acos), "AcosBackward0", {0, kNaN, kNaN}, {0, 1.5707963705062866},
       {-0.5, 0.25, 0.75}},
      {TG_UNARY_OP(atan), "AtanBackward0", {0.7853981256484985, 1.1071487665176392, 1.249045729637146},
       {0.7853981256484985, 0}, {-2, 0.5, 5}},
      {TG_UNARY_OP(sinh), "SinhBackward0", {1.175201177597046, 3.6268603801727295, 10.017874717712402},
       {1.175201177597046, 0}, {-2, 0.5, 3}},
      {TG_UNARY_OP(cosh), "CoshBackward0", {1.5430805683135986, 3.7621958255767822, 10.067662239074707},
       {1.5430805683135986, 1}, {-2, 0.5, 3}},
      {TG_UNARY_OP(asinh), "AsinhBackward0", {0.8813735842704773, 1.4436354637145996, 1.8184465169906616},
       {0.8813735842704773, 0}, {-2, 0.5, 3}},
      {TG_UNARY_OP(acosh), "AcoshBackward0", {0, 1.316957950592041, 1.7627471685409546}, {0, kNaN},
       {1.5, 2, 7}},
      {TG_UNARY_OP(atanh), "AtanhBackward0", {kInf, kNaN, kNaN}, {kInf, 0}, {-0.5, 0.25, 0.75}},
      {TG_UNARY_OP(erfc), "ErfcBackward0", {0.15729920566082, 0.004677735269069672, 2.2090496713644825e-05},
       {0.15729920566082, 1}, {-2, 0.5, 3}},
      {TG_UNARY_OP(erfinv), "ErfinvBackward0", {kInf, kNaN, kNaN}, {kInf, 0}, {-0.5, 0.25, 0.75}},
      {TG_UNARY_OP(lgamma), "LgammaBackward0", {0, 0, 0.6931471824645996}, {0, kInf}, {0.5, 3, 7.5}},
      // PyTorch's float digamma is accurate to about 5e-7 relative: hence the test's tolerance.
      {TG_UNARY_OP(digamma), "DigammaBackward0", {-0.5772159099578857, 0.4227842092514038, 0.9227842092514038},
       {-0.5772159099578857, -kInf}, {0.5, 3, 7.5}},
  };
  return ops;
}
#undef TG_UNARY_OP
// clang-format on

TEST(ElementwiseDtypes, FloatingRowsGiveFloatForLongAndBool) {
  for (const UnaryOp& op : floating_unary_ops()) {
    SCOPED_TRACE(op.name);
    const Tensor from_long = op.fn(longs({1, 2, 3}));
    EXPECT_EQ(from_long.dtype(), kFloat);
    expect_values(from_long, op.of_long, 1e-6);
    const Tensor from_bool = op.fn(bools({1, 0}));
    EXPECT_EQ(from_bool.dtype(), kFloat);
    expect_values(from_bool, op.of_bool, 1e-6);
    EXPECT_EQ(op.fn(make({0.5}, kFloat)).dtype(), kFloat);
    EXPECT_EQ(op.fn(make({0.5}, kDouble)).dtype(), kDouble);
  }
  // PyTorch 1.13: polygamma and logit of Long and Bool are Float.
  EXPECT_EQ(polygamma(1, longs({1, 2})).dtype(), kFloat);
  EXPECT_EQ(polygamma(1, bools({1, 0})).dtype(), kFloat);
  expect_values(logit(longs({1, 2, 3})), {kInf, kNaN, kNaN});
  expect_values(logit(bools({1, 0})), {kInf, -kInf});
  EXPECT_EQ(logit(bools({1, 0})).dtype(), kFloat);
}

TEST(ElementwiseDtypes, FloatingBinaryRowsPromoteThenGiveFloat) {
  // PyTorch 1.13: torch.atan2(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 3])) and likewise.
  const Tensor l = longs({1, 2, 3});
  Tensor r = atan2(l, l);
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {0.7853981852531433, 0.7853981852531433, 0.7853981852531433}, 1e-7);
  r = copysign(l, l);
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {1, 2, 3});
  r = xlogy(l, l);
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {0, 1.3862943649291992, 3.295836925506592}, 1e-7);
  // Bool with Bool, Long with Bool: Float; Long with Double: Double.
  EXPECT_EQ(atan2(bools({1, 0}), bools({1, 1})).dtype(), kFloat);
  EXPECT_EQ(xlogy(longs({3}), bools({1})).dtype(), kFloat);
  EXPECT_EQ(copysign(l, make({0.5})).dtype(), kDouble);
  // The Scalar forms: PyTorch 1.13's torch.xlogy(torch.tensor([1, 2, 3]), 2) is Float.
  r = xlogy(l, 2);
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {0.6931471824645996, 1.3862943649291992, 2.079441547393799}, 1e-7);
  EXPECT_EQ(copysign(l, -2).dtype(), kFloat);
  // hypot computes in floating point only, but a Long operand beside a Float one is promoted
  // first: PyTorch 1.13's torch.hypot(torch.tensor([1, 2, 3]), torch.tensor([0.5])).
  r = hypot(l, make({0.5}, kFloat));
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {1.1180340051651, 2.0615527629852295, 3.041381359100342}, 1e-7);
}

TEST(ElementwiseDtypes, IntegerRefusals) {
  // PyTorch 1.13 refuses these with "frac_cpu" not implemented for 'Long' and the like.
  EXPECT_ERROR(frac(longs({1, 2})), "frac", "not implemented for", "Long");
  EXPECT_ERROR(frac(bools({1})), "frac", "not implemented for", "Bool");
  EXPECT_ERROR(longs({1}).frac_(), "frac_", "not implemented for", "Long");
  EXPECT_ERROR(hypot(longs({3}), longs({4})), "hypot", "not implemented for", "Long");
  EXPECT_ERROR(hypot(bools({1}), bools({1})), "hypot", "not implemented for", "Bool");
  EXPECT_ERROR(hypot(longs({3}), bools({1})), "hypot", "not implemented for", "Long");
  EXPECT_ERROR(longs({3}).hypot_(longs({4})), "hypot_", "not implemented for", "Long");
  EXPECT_ERROR(trunc(bools({1, 0})), "trunc", "not implemented for", "Bool");
  EXPECT_ERROR(bools({1}).trunc_(), "trunc_", "not implemented for", "Bool");
  EXPECT_ERROR(fmod(bools({1}), bools({1})), "fmod", "not implemented for", "Bool");
  EXPECT_ERROR(remainder(bools({1}), bools({1})), "remainder", "not implemented for", "Bool");
  // PyTorch 1.13: "lerp_kernel_scalar" not implemented for 'Long'.
  EXPECT_ERROR(lerp(longs({1}), longs({2}), 0.5), "lerp", "floating-point", "Long");
  EXPECT_ERROR(lerp(longs({1}), longs({2}), longs({1})), "lerp", "floating-point", "Long");
  // PyTorch 1.13: "Integer division with addcdiv is no longer supported, ...".
  EXPECT_ERROR(addcdiv(longs({1}), longs({2}), longs({3})), "addcdiv", "integer division");
  EXPECT_ERROR(addcdiv(make({1.}), longs({2}), longs({4})), "addcdiv", "integer division");
}

TEST(ElementwiseDtypes, RoundingAndSignKeepIntegers) {
  // PyTorch 1.13: trunc and trunc_ return Long unchanged; sgn keeps Long and Bool.
  Tensor r = trunc(longs({-3, 0, 5}));
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {-3, 0, 5});
  Tensor l = longs({1, 2});
  EXPECT_TRUE(l.trunc_().is_same(l));
  expect_values(l, {1, 2});
  r = sgn(longs({-3, 0, 5}));
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {-1, 0, 1});
  r = sgn(bools({1, 0}));
  EXPECT_EQ(r.dtype(), kBool);
  expect_values(r, {1, 0});
  Tensor b = bools({1, 0});
  b.sgn_();
  expect_values(b, {1, 0});
  // PyTorch 1.13: addcmul of Longs is Long (1 + 2 * 2 * 3 = 13); with a Float operand, Float.
  r = addcmul(longs({1}), longs({2}), longs({3}), 2);
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {13});
  r = addcmul(longs({1}), make({2.}, kFloat), longs({3}));
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {7});
  // PyTorch 1.13: addcdiv with one floating divisor operand divides in Float: 1 + 2 / 4.
  r = addcdiv(longs({1}), longs({2}), make({4.}, kFloat));
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {1.5});
}

TEST(ElementwiseDtypes, FmodAndRemainderOnIntegers) {
  // PyTorch 1.13: fmod takes the sign of the dividend, remainder that of the divisor, and both
  // keep Long.
  const Tensor a = longs({5, -5, 5, -5}), b = longs({3, 3, -3, -3});
  Tensor r = fmod(a, b);
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {2, -2, 2, -2});
  r = remainder(a, b);
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {2, 1, -1, -2});
  // Scalar forms: an integral Scalar keeps Long, a floating one gives Float (PyTorch 1.13:
  // torch.fmod(torch.tensor([1, 2, 3]), 2.5) is [1., 2., 0.5]).
  r = fmod(longs({1, 2, 3}), 2);
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {1, 0, 1});
  r = fmod(longs({1, 2, 3}), 2.5);
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {1, 2, 0.5});
  r = remainder(longs({1, 2, 3}), 2.5);
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {1, 2, 0.5});
  // A Bool divisor beside a Long dividend: Long (PyTorch 1.13: fmod([3], [True]) is [0]).
  r = fmod(longs({3}), bools({1}));
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {0});
  // Scalar first (PyTorch 1.13: torch.remainder(5, torch.tensor([3, -3])) is [2, -1];
  // torch.remainder(5.5, torch.tensor([3])) is Float [2.5]).
  r = remainder(5, longs({3, -3}));
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {2, -1});
  r = remainder(-5, longs({3, -3}));
  expect_values(r, {1, -2});
  r = remainder(5.5, longs({3}));
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {2.5});
  // In place: Long stays Long; a floating Scalar cannot be written back into Long.
  Tensor l = longs({5, -5});
  l.fmod_(3);
  expect_values(l, {2, -2});
  EXPECT_ERROR(longs({5}).fmod_(2.5), "fmod_", "can't be cast", "Long");
  // The most negative Long over -1 does not trap (it is 0; PyTorch 1.13 dies of SIGFPE there).
  const double lowest = static_cast<double>(std::numeric_limits<int64_t>::min());
  expect_values(fmod(longs({lowest, 7}), longs({-1, -1})), {0, 0});
  expect_values(remainder(longs({lowest, 7}), longs({-1, -1})), {0, 0});
}

TEST(ElementwiseDtypes, IntegerDivisorZeroIsRefused) {
  // PyTorch 1.13 raises ZeroDivisionError for an integral divisor of 0, tensor or Scalar.
  EXPECT_ERROR(fmod(longs({3, 4}), longs({0, 1})), "fmod", "ZeroDivisionError");
  EXPECT_ERROR(remainder(longs({3, 4}), longs({1, 0})), "remainder", "ZeroDivisionError");
  EXPECT_ERROR(fmod(longs({5}), 0), "fmod", "ZeroDivisionError");
  EXPECT_ERROR(remainder(longs({5}), 0), "remainder", "ZeroDivisionError");
  EXPECT_ERROR(remainder(5, longs({0})), "remainder", "ZeroDivisionError");
  EXPECT_ERROR(longs({5, -5}).remainder_(0), "remainder_", "ZeroDivisionError");
  EXPECT_ERROR(fmod(longs({5}), bools({0})), "fmod", "ZeroDivisionError");
  // A floating divisor of 0 gives NaN (PyTorch 1.13: [nan, nan]).
  expect_values(fmod(make({3., 4.}), 0.), {kNaN, kNaN});
  expect_values(remainder(make({5., -5., 0.}), 0.), {kNaN, kNaN, kNaN});
  expect_values(fmod(longs({3}), 0.), {kNaN});
}

// ---- special values ----

TEST(ElementwiseSpecialValues, ErfinvDigammaLgamma) {
  // PyTorch 1.13: torch.erfinv([1., -1., 0., 1.5, -0.]) and so on, in float64.
  expect_values(erfinv(make({1., -1., 0., 1.5, -0.})), {kInf, -kInf, 0, kNaN, -0.});
  expect_values(digamma(make({0., -0., -1., -2.5, 1.})),
                {-kInf, kInf, kNaN, 1.1031566406452433, -0.5772156649015328}, 1e-15);
  expect_values(lgamma(make({0., -0., -1., -2., 1., 2., -2.5, kInf, -kInf})),
                {kInf, kInf, kInf, kInf, 0, 0, -0.05624371649767405, kInf, kInf}, 1e-15);
  // The same in float.
  expect_values(erfinv(make({1., -1.}, kFloat)), {kInf, -kInf});
  expect_values(digamma(make({0., -1.}, kFloat)), {-kInf, kNaN});
  expect_values(lgamma(make({0., -3.}, kFloat)), {kInf, kInf});
}

TEST(ElementwiseSpecialValues, Polygamma) {
  // PyTorch 1.13's values; its trigamma is accurate to about 5e-10 relative only (exact:
  // pi^2/6 = 1.6449340668482264 and pi^2/2 = 4.934802200544679), hence the tolerance.
  expect_values(polygamma(1, make({1., 0.5, -0.5})),
                {1.6449340676383375, 4.934802202073678, 8.934802200117687}, 1e-9);
  expect_values(polygamma(2, make({1., 0.5})), {-2.404113806319188, -16.828796644234316}, 1e-14);
  expect_values(polygamma(3, make({1., 0.5})), {6.493939402266829, 97.40909103400242}, 1e-14);
  expect_values(polygamma(0, make({1., 0.})), {-0.5772156649015328, -kInf}, 1e-15);
  // At the poles: PyTorch 1.13 gives the limit from the right at 0, (-1)^(n+1) inf: inf for odd
  // n, -inf for even n; and the same at the negative integers for n >= 2.
  expect_values(polygamma(1, make({0.})), {kInf});
  expect_values(polygamma(2, make({0., -1.})), {-kInf, -kInf});
  expect_values(polygamma(3, make({0., -1.})), {kInf, kInf});
  expect_values(polygamma(2, make({0.}, kFloat)), {-kInf});
  // Difference left: PyTorch 1.13's polygamma(1, -1.) is 6.580790147320947e+32 (its reflection
  // formula divides by sin(pi x), which is not exactly 0 at x = -1); tensorgrad gives inf.
  expect_values(polygamma(1, make({-1.})), {kInf});
  EXPECT_ERROR(polygamma(-1, make({1.})), "polygamma", "non-negative");
}

TEST(ElementwiseSpecialValues, XlogyCopysign) {
  // PyTorch 1.13: xlogy is 0 wherever x is 0, unless y is NaN.
  expect_values(
      xlogy(make({0., 0., 0., 1., 2., 0., kNaN}), make({0., kNaN, -1., 0., -1., kInf, 1.})),
      {0, kNaN, 0, -kInf, kNaN, 0, kNaN});
  expect_values(xlogy(0, make({kNaN, 2., 0.})), {kNaN, 0, 0});
  expect_values(xlogy(make({0., 1.}), 0), {0, -kInf});
  // PyTorch 1.13: torch.xlogy(3, torch.tensor([1, 2])) is Float [0., 2.0794...].
  Tensor r = xlogy(3, longs({1, 2}));
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {0, 2.079441547393799}, 1e-7);
  EXPECT_EQ(xlogy(3, make({1.})).dtype(), kDouble);
  // PyTorch 1.13: the sign of -0.0 and of NaN moves too.
  const double neg_nan = -std::numeric_limits<double>::quiet_NaN();
  expect_values(copysign(make({1., 1., -2., 0., 3., 3.}), make({-0., 0., 0., -1., kNaN, neg_nan})),
                {-1, 1, 2, -0., 3, -3});
  expect_values(copysign(make({1., 0., -0.}), make({-0., -0., 1.})), {-1, -0., 0});
  expect_values(copysign(make({1., -1.}), -0.), {-1, -1});
  expect_values(copysign(make({1., -1., 0.}, kFloat), make({-0., 0., -0.}, kFloat)), {-1, 1, -0.});
}

TEST(ElementwiseSpecialValues, FmodRemainderSigns) {
  // PyTorch 1.13: fmod has the sign of the dividend, remainder that of the divisor; a zero
  // result keeps the dividend's sign in both.
  const Tensor a = make({5., -5., 5., -5., 6., -6.}), b = make({3., 3., -3., -3., 3., 3.});
  expect_values(fmod(a, b), {2, -2, 2, -2, 0, -0.});
  expect_values(remainder(a, b), {2, 1, -1, -2, 0, -0.});
  expect_values(fmod(make({-0., 0., -3.}), make({2., 2., 3.})), {-0., 0, -0.});
  expect_values(remainder(make({-0., 0., -3., 3.}), make({2., -2., 3., -3.})), {-0., 0, -0., 0});
  expect_values(remainder(make({kInf, 1., -1.}), make({2., kInf, kInf})), {kNaN, 1, kInf});
  expect_values(fmod(make({kInf, 1., -1.}), make({2., kInf, kInf})), {kNaN, 1, -1});
  // Scalar first: PyTorch 1.13's torch.remainder(5.5, torch.tensor([3., -3.], dtype=float64)).
  expect_values(remainder(5.5, make({3., -3.})), {2.5, -0.5});
  // The same signs in float, through the vector loop (17 elements: one full vector and a tail).
  Values fa, fb, fmod_expected, rem_expected;
  for (int i = 0; i < 17; ++i) {
    const double x = (i % 2 ? -1 : 1) * (5.0 + i), y = (i % 3 ? 3.0 : -3.0);
    fa.push_back(x), fb.push_back(y);
    fmod_expected.push_back(std::fmod(x, y));
    const double m = std::fmod(x, y);
    rem_expected.push_back(m != 0 && (m < 0) != (y < 0) ? m + y : m);
  }
  expect_values(fmod(make(fa, kFloat), make(fb, kFloat)), fmod_expected);
  expect_values(remainder(make(fa, kFloat), make(fb, kFloat)), rem_expected);
}

TEST(ElementwiseSpecialValues, Logit) {
  // PyTorch 1.13: torch.logit(x) and torch.logit(x, eps=0.05).
  expect_values(logit(make({0., 1., 0.5, 0.25, -0.1, 1.1})),
                {-kInf, kInf, 0, -1.0986122886681098, kNaN, kNaN}, 1e-15);
  expect_values(logit(make({0., 1., 0.5, 0.25, -0.1, 1.1, 0.01}), 0.05),
                {-2.9444389791664403, 2.9444389791664394, 0, -1.0986122886681098,
                 -2.9444389791664403, 2.9444389791664394, -2.9444389791664403},
                1e-15);
  expect_values(make({0., 1., 0.5, 0.25}).logit(0.3),
                {-0.8472978603872036, 0.8472978603872034, 0, -0.8472978603872036}, 1e-15);
  // Gradients, PyTorch 1.13: without eps NaN outside [0, 1] and inf at its ends; with eps zero
  // outside [eps, 1 - eps] and 1 / (x (1 - x)) on it, bounds included.
  Tensor x = make({0.25, -0.5, 1.5, 0., 1.}).requires_grad_(true);
  logit(x).sum().backward();
  expect_values(x.grad(), {5.333333333333333, kNaN, kNaN, kInf, kInf}, 1e-15);
  x = make({0.25, 0.1, 0.9, 0.2, 0.8}).requires_grad_(true);
  logit(x, 0.2).sum().backward();
  expect_values(x.grad(), {5.333333333333333, 0, 0, 6.249999999999999, 6.250000000000001}, 1e-15);
}

TEST(ElementwiseSpecialValues, RoundingAndSign) {
  // PyTorch 1.13: round sends half-way cases to even; trunc keeps the sign of a zero.
  expect_values(round(make({0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5})), {0, 2, 2, -0., -2, -2, 4});
  expect_values(round(make({0.5, 1.5, 2.5, -0.5, -2.5}, kFloat)), {0, 2, 2, -0., -2});
  expect_values(trunc(make({2.7, -2.7, -0.3, 0.3, kInf, -kInf, kNaN})),
                {2, -2, -0., 0, kInf, -kInf, kNaN});
  expect_values(trunc(make({2.7, -2.7, -0.3}, kFloat)), {2, -2, -0.});
  // PyTorch 1.13: frac(-2.) is +0.; frac of an infinity is NaN.
  expect_values(frac(make({2.7, -2.7, -0.3, 0.3, kInf, -kInf, kNaN, -2., 2.})),
                {0.7000000000000002, -0.7000000000000002, -0.3, 0.3, kNaN, kNaN, kNaN, 0, 0},
                1e-15);
  // PyTorch 1.13: sgn(-0.) and sgn(NaN) are +0.
  expect_values(sgn(make({-2., 0., -0., 3., kNaN, kInf})), {-1, 0, 0, 1, 0, 1});
}

TEST(ElementwiseSpecialValues, TrigonometricAndExponential) {
  // PyTorch 1.13, float64.
  expect_values(
      atan2(make({0., -0., 0., -0., 1., -1.}), make({0., 0., -0., -0., 0., 0.})),
      {0, -0., std::numbers::pi, -std::numbers::pi, std::numbers::pi / 2, -std::numbers::pi / 2},
      1e-16);
  expect_values(hypot(make({kInf, kNaN, 3.}), make({kNaN, kInf, 4.})), {kInf, kInf, 5});
  expect_values(acosh(make({1., 0.5})), {0, kNaN});
  expect_values(atanh(make({1., -1., 2.})), {kInf, -kInf, kNaN});
  expect_values(asin(make({2.})), {kNaN});
  expect_values(exp2(make({-kInf, kInf, 1024., -1075.})), {0, kInf, kInf, 0});
  expect_values(log2(make({0., -1., 8.})), {-kInf, kNaN, 3});
  expect_values(log10(make({0., -1., 1000.})), {-kInf, kNaN, 3});
  expect_values(erfc(make({-kInf, kInf, 30.})), {2, 0, 0});
  // The same through the float vector loops.
  expect_values(exp2(make({-kInf, kInf, 128., -150.}, kFloat)), {0, kInf, kInf, 0});
  expect_values(log2(make({0., -1., 8.}, kFloat)), {-kInf, kNaN, 3});
  expect_values(atanh(make({1., -1., 2.}, kFloat)), {kInf, -kInf, kNaN});
  expect_values(erfc(make({-kInf, kInf}, kFloat)), {2, 0});
}

TEST(ElementwiseSpecialValues, LerpEnds) {
  // PyTorch 1.13: weight 1 gives end exactly (lerp(0.1, 0.7, 1.) is 0.7).
  expect_values(lerp(make({1., 2.}), make({3., 10.}), 0.5), {2, 6});
  expect_values(lerp(make({1., 2.}), make({3., 10.}), make({0.25, 1.})), {1.5, 10});
  expect_values(lerp(make({0.1}), make({0.7}), 1.), {0.7});
  expect_values(lerp(make({0.1}, kFloat), make({0.7}, kFloat), make({1.}, kFloat)),
                {static_cast<double>(0.7F)});
  // Difference left, not asserted: PyTorch 1.13 refuses operands of different floating dtypes
  // ("expected dtype float for `end` but got dtype double"); tensorgrad promotes them.
}

// ---- gradients at and near the special points ----

TEST(ElementwiseGradients, AgreeWithPyTorch) {
  auto grads = [](const std::function<Tensor(const variable_list&)>& f, variable_list in) {
    f(in).sum().backward();
    std::vector<Values> out;
    for (const Tensor& x : in) out.push_back(values(x.grad()));
    return out;
  };
  auto leaf = [](const Values& v) { return make(v).requires_grad_(true); };
  // PyTorch 1.13's x.grad after f(...).sum().backward().
  auto g = grads([](const variable_list& v) { return copysign(v[0], v[1]); },
                 {leaf({0., 2., -3., 0.5}), leaf({-1., -1., 2., 0.})});
  expect_values(make(g[0]), {0, -1, -1, 1});
  expect_values(make(g[1]), {0, 0, 0, 0});
  g = grads([](const variable_list& v) { return xlogy(v[0], v[1]); },
            {leaf({0., 2., -3.}), leaf({2., 0.5, 4.})});
  expect_values(make(g[0]), {0.6931471805599453, -0.6931471805599453, 1.3862943611198906}, 1e-15);
  expect_values(make(g[1]), {0, 4, -0.75}, 1e-15);
  g = grads([](const variable_list& v) { return xlogy(v[0], v[1]); },
            {leaf({0., 1.}), leaf({0., 0.})});
  expect_values(make(g[0]), {0, -kInf});
  expect_values(make(g[1]), {kNaN, kInf});
  g = grads([](const variable_list& v) { return fmod(v[0], v[1]); },
            {leaf({5.5, -5.5, 5.5}), leaf({2., 2., -2.})});
  expect_values(make(g[0]), {1, 1, 1});
  expect_values(make(g[1]), {-2, 2, 2});
  g = grads([](const variable_list& v) { return remainder(v[0], v[1]); },
            {leaf({5.5, -5.5, 5.5}), leaf({2., 2., -2.})});
  expect_values(make(g[0]), {1, 1, 1});
  expect_values(make(g[1]), {-2, 3, 3});
  g = grads([](const variable_list& v) { return atan2(v[0], v[1]); },
            {leaf({1., -2.}), leaf({3., 0.5})});
  expect_values(make(g[0]), {0.30000000000000004, 0.11764705882352941}, 1e-15);
  expect_values(make(g[1]), {-0.1, 0.47058823529411764}, 1e-15);
  g = grads([](const variable_list& v) { return hypot(v[0], v[1]); },
            {leaf({3., 0.}), leaf({4., 2.})});
  expect_values(make(g[0]), {0.6, 0}, 1e-15);
  expect_values(make(g[1]), {0.8, 1}, 1e-15);
  g = grads([](const variable_list& v) { return hypot(v[0], v[1]); }, {leaf({0.}), leaf({0.})});
  expect_values(make(g[0]), {kNaN});
  expect_values(make(g[1]), {kNaN});
  g = grads([](const variable_list& v) { return lerp(v[0], v[1], v[2]); },
            {leaf({1., 2.}), leaf({3., 5.}), leaf({0.25, 0.75})});
  expect_values(make(g[0]), {0.75, 0.25});
  expect_values(make(g[1]), {0.25, 0.75});
  expect_values(make(g[2]), {2, 3});
  g = grads([](const variable_list& v) { return lerp(v[0], v[1], 0.3); },
            {leaf({1., 2.}), leaf({3., 5.})});
  expect_values(make(g[0]), {0.7, 0.7}, 1e-15);
  expect_values(make(g[1]), {0.3, 0.3}, 1e-15);
  g = grads([](const variable_list& v) { return addcmul(v[0], v[1], v[2], 2); },
            {leaf({1.}), leaf({3.}), leaf({5.})});
  expect_values(make(g[0]), {1});
  expect_values(make(g[1]), {10});
  expect_values(make(g[2]), {6});
  g = grads([](const variable_list& v) { return addcdiv(v[0], v[1], v[2], 2); },
            {leaf({1.}), leaf({3.}), leaf({5.})});
  expect_values(make(g[0]), {1});
  expect_values(make(g[1]), {0.4}, 1e-15);
  expect_values(make(g[2]), {-0.24}, 1e-15);
  // Unary derivatives, PyTorch 1.13.
  const auto unary_grad = [&](Tensor (*f)(const Tensor&), const Values& x) {
    return make(grads([f](const variable_list& v) { return f(v[0]); }, {leaf(x)})[0]);
  };
  expect_values(unary_grad(erfinv, {0., 0.5}), {0.8862269254527579, 1.1125848189719496}, 1e-15);
  // digamma's derivative is trigamma: PyTorch 1.13 gives 1.6449340676383375 and
  // 4.934802202073678, its trigamma being accurate to about 5e-10; these are the exact values
  // pi^2/6 and pi^2/2.
  expect_values(unary_grad(digamma, {1., 0.5}), {1.6449340668482264, 4.934802200544679}, 1e-15);
  expect_values(unary_grad(lgamma, {1., 0.5, -2.5}),
                {-0.5772156649015328, -1.9635100260214229, 1.1031566406452433}, 1e-15);
  expect_values(unary_grad(acosh, {1.}), {kInf});
  expect_values(unary_grad(atanh, {1.}), {kInf});
  expect_values(unary_grad(asin, {1.}), {kInf});
  expect_values(unary_grad(exp2, {3.}), {5.545177444479562}, 1e-15);
  expect_values(unary_grad(log2, {2.}), {0.7213475204444817}, 1e-15);
  expect_values(unary_grad(log10, {10.}), {0.04342944819032519}, 1e-15);
  expect_values(unary_grad(erfc, {0., 1.}), {-1.1283791670955126, -0.4151074974205947}, 1e-15);
  expect_values(unary_grad(frac, {2.5, -1.5}), {1, 1});
  expect_values(unary_grad(trunc, {2.5, -1.5}), {0, 0});
  expect_values(unary_grad(sgn, {2.5, -1.5}), {0, 0});
  Tensor x = leaf({1., 0.5});
  polygamma(2, x).sum().backward();
  expect_values(x.grad(), {6.493939402266829, 97.40909103400242}, 1e-14);
}

// ---- node names ----

TEST(ElementwiseNodes, NamesAreLibtorchs) {
  const Tensor x = make({0.5, 0.25}).requires_grad_(true);
  const Tensor y = make({1.5, 2.}).requires_grad_(true);
  // PyTorch 1.13's grad_fn.name() for each.
  for (const UnaryOp& op : floating_unary_ops())
    EXPECT_EQ(op.fn(x).grad_fn()->name(), op.node) << op.name;
  EXPECT_EQ(frac(x).grad_fn()->name(), "FracBackward0");
  EXPECT_EQ(trunc(x).grad_fn()->name(), "TruncBackward0");
  EXPECT_EQ(sgn(x).grad_fn()->name(), "SgnBackward0");
  EXPECT_EQ(logit(x).grad_fn()->name(), "LogitBackward0");
  EXPECT_EQ(logit(x, 0.1).grad_fn()->name(), "LogitBackward0");
  EXPECT_EQ(polygamma(1, x).grad_fn()->name(), "PolygammaBackward0");
  EXPECT_EQ(x.polygamma(2).grad_fn()->name(), "PolygammaBackward0");
  EXPECT_EQ(atan2(x, y).grad_fn()->name(), "Atan2Backward0");
  EXPECT_EQ(hypot(x, y).grad_fn()->name(), "HypotBackward0");
  EXPECT_EQ(copysign(x, y).grad_fn()->name(), "CopysignBackward0");
  EXPECT_EQ(xlogy(x, y).grad_fn()->name(), "XlogyBackward0");
  EXPECT_EQ(fmod(x, y).grad_fn()->name(), "FmodBackward1");
  EXPECT_EQ(remainder(x, y).grad_fn()->name(), "RemainderBackward1");
  EXPECT_EQ(lerp(x, y, 0.3).grad_fn()->name(), "LerpBackward0");
  EXPECT_EQ(lerp(x, y, y).grad_fn()->name(), "LerpBackward1");
  EXPECT_EQ(addcmul(x, x, y).grad_fn()->name(), "AddcmulBackward0");
  EXPECT_EQ(addcdiv(x, x, y).grad_fn()->name(), "AddcdivBackward0");
  // In place on a non-leaf: the same names (PyTorch 1.13).
  EXPECT_EQ((x * 1).exp2_().grad_fn()->name(), "Exp2Backward0");
  EXPECT_EQ((x * 1).erfinv_().grad_fn()->name(), "ErfinvBackward0");
  EXPECT_EQ((x * 1).logit_().grad_fn()->name(), "LogitBackward0");
  EXPECT_EQ((x * 1).atan2_(y).grad_fn()->name(), "Atan2Backward0");
  EXPECT_EQ((x * 1).fmod_(y).grad_fn()->name(), "FmodBackward1");
  EXPECT_EQ((x * 1).lerp_(y, 0.3).grad_fn()->name(), "LerpBackward0");
  EXPECT_EQ((x * 1).lerp_(y, y).grad_fn()->name(), "LerpBackward1");
  EXPECT_EQ((x * 1).addcmul_(x, y).grad_fn()->name(), "AddcmulBackward0");
  EXPECT_EQ((x * 1).addcdiv_(x, y).grad_fn()->name(), "AddcdivBackward0");
  // Differences left, not asserted. tensorgrad's Scalar overloads wrap the Scalar in a 0-d
  // tensor and record the Tensor overload's node, where PyTorch 1.13 has one per overload:
  //   copysign(x, 2.)  CopysignBackward1    (tensorgrad: CopysignBackward0)
  //   xlogy(x, 2.)     XlogyBackward2       (tensorgrad: XlogyBackward0)
  //   xlogy(2., y)     XlogyBackward1       (tensorgrad: XlogyBackward0)
  //   fmod(x, 2.)      FmodBackward0        (tensorgrad: FmodBackward1)
  //   remainder(x, 2.) RemainderBackward0   (tensorgrad: RemainderBackward1)
  //   remainder(2., y) not differentiable in PyTorch 1.13 (tensorgrad: RemainderBackward1)
  // and PyTorch 1.13's in-place forms of asinh, acosh, atanh and polygamma have nodes of their
  // own: AsinhBackward1, AcoshBackward1, AtanhBackward1, PolygammaBackward1 (tensorgrad: ...0).
  for (const Tensor& r :
       {copysign(x, 2.), xlogy(x, 2.), xlogy(2., y), fmod(x, 2.), remainder(x, 2.),
        remainder(2., y), (x * 1).asinh_(), (x * 1).polygamma_(1)})
    EXPECT_NE(r.grad_fn(), nullptr);
}

// ---- in-place forms ----

TEST(ElementwiseInPlace, UnaryRowsWriteInPlace) {
  for (const UnaryOp& op : floating_unary_ops()) {
    SCOPED_TRACE(op.name);
    const Tensor expected = op.fn(make(op.domain));
    for (ScalarType dtype : {kDouble, kFloat}) {
      Tensor x = make(op.domain, dtype);
      const void* data = x.data_ptr();
      const auto version = x._version();
      Tensor& r = op.inplace(x);
      EXPECT_TRUE(r.is_same(x));
      EXPECT_EQ(x.data_ptr(), data);
      EXPECT_EQ(x._version(), version + 1);
      EXPECT_EQ(x.dtype(), dtype);
      expect_values(x, values(expected), dtype == kFloat ? 1e-6 : 0);
    }
    // PyTorch 1.13: "result type Float can't be cast to the desired output type Long".
    Tensor l = longs({1, 2});
    EXPECT_ERROR(op.inplace(l), op.name, "result type Float can't be cast", "Long");
    Tensor b = bools({1, 0});
    EXPECT_ERROR(op.inplace(b), op.name, "result type Float can't be cast", "Bool");
  }
  EXPECT_ERROR(longs({1}).polygamma_(1), "polygamma_", "can't be cast", "Long");
  EXPECT_ERROR(longs({1}).logit_(), "logit_", "can't be cast", "Long");
  EXPECT_ERROR(longs({1}).atan2_(longs({3})), "atan2_", "can't be cast", "Long");
  EXPECT_ERROR(longs({1}).xlogy_(2), "xlogy_", "can't be cast", "Long");
  EXPECT_ERROR(longs({1}).copysign_(-2), "copysign_", "can't be cast", "Long");

  // The forms outside the table.
  Tensor x = make({0.5, 3.});
  const auto version = x._version();
  EXPECT_TRUE(x.polygamma_(1).is_same(x));
  EXPECT_EQ(x._version(), version + 1);
  expect_values(x, values(polygamma(1, make({0.5, 3.}))));
  x = make({0.25, 0.75});
  x.logit_();
  expect_values(x, {-1.0986122886681098, 1.0986122886681098}, 1e-15);
  x = make({1., 2.});
  x.lerp_(make({3., 10.}), 0.5);
  expect_values(x, {2, 6});
  x.lerp_(make({0., 0.}), make({0.5, 0.25}));
  expect_values(x, {1, 4.5});
  x.addcmul_(make({2., 2.}), make({3., -1.}), 0.5);
  expect_values(x, {4, 3.5});
  x.addcdiv_(make({2., 2.}), make({4., -1.}));
  expect_values(x, {4.5, 1.5});
}

TEST(ElementwiseInPlace, BinaryRowsWriteInPlace) {
  Tensor x = shaped({2, 3}, {1., -2., 3., -4., 5., -6.});
  const void* data = x.data_ptr();
  const auto version = x._version();
  EXPECT_TRUE(x.fmod_(make({4., -4., 2.5})).is_same(x));
  EXPECT_EQ(x.data_ptr(), data);
  EXPECT_EQ(x._version(), version + 1);
  expect_values(x, {1, -2, 0.5, -0., 1, -1});
  x.remainder_(-0.75);
  expect_values(x, {-0.5, -0.5, -0.25, -0., -0.5, -0.25});
  x.copysign_(make({1., -1., 1.}));
  expect_values(x, {0.5, -0.5, 0.25, 0, -0.5, 0.25});
  x.hypot_(shaped({2, 1}, {0., 1.}));
  expect_values(x, {0.5, 0.5, 0.25, 1, std::hypot(0.5, 1.), std::hypot(0.25, 1.)}, 1e-15);
  x = make({1., -1.});
  x.atan2_(make({1., 1.}));
  expect_values(x, {std::numbers::pi / 4, -std::numbers::pi / 4}, 1e-15);
  x = make({2., 0.});
  x.xlogy_(0.5);
  expect_values(x, {-2 * std::numbers::ln2, 0}, 1e-15);
  // The other operand broadcasts to self, not self to it.
  EXPECT_ERROR(make({1., 2.}).fmod_(shaped({2, 2}, {1., 1., 1., 1.})), "fmod_");
  // In place on a non-leaf records the op and its derivative.
  const Tensor a = make({1., -2.}).requires_grad_(true), b = make({3., 0.5}).requires_grad_(true);
  Tensor t = a * 1;
  t.atan2_(b);
  EXPECT_EQ(t._version(), 1U);
  t.sum().backward();
  expect_values(a.grad(), {0.30000000000000004, 0.11764705882352941}, 1e-15);
  expect_values(b.grad(), {-0.1, 0.47058823529411764}, 1e-15);
}

// ---- the float path against the double one ----

/// n floats in [lo, hi], evenly spaced in their bit patterns (so every binade gets its share).
std::vector<float> float_sweep(float lo, float hi, int n) {
  auto key = [](float v) {
    int32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return bits < 0 ? -static_cast<int64_t>(bits & 0x7fffffff) : static_cast<int64_t>(bits);
  };
  auto from_key = [](int64_t k) {
    const int32_t bits = k < 0 ? static_cast<int32_t>(-k) | INT32_MIN : static_cast<int32_t>(k);
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  };
  const int64_t a = key(lo), b = key(hi);
  std::vector<float> out;
  for (int i = 0; i <= n; ++i) out.push_back(from_key(a + (b - a) * i / n));
  return out;
}

Tensor float_tensor(const std::vector<float>& v) {
  Tensor t = empty({static_cast<int64_t>(v.size())}, kFloat);
  std::memcpy(t.data_ptr<float>(), v.data(), v.size() * sizeof(float));
  return t;
}

/// The largest error of `got` (float) against `exact` (double), in units in the last place of
/// the float nearest to exact. NaN must match NaN, and an infinity must be exact (an exact result
/// beyond the largest float) or rounded to (the float of largest magnitude): such a mismatch is
/// a failure, reported with the range of inputs where it happens.
double worst_ulp(const Tensor& got, const Tensor& exact, const std::vector<float>& xs) {
  const float* y = got.data_ptr<float>();
  const double* e = exact.data_ptr<double>();
  const float inf = std::numeric_limits<float>::infinity();
  double worst = 0;
  float worst_at = 0;
  int64_t mismatches = 0;
  float first = 0, last = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const float x = xs[static_cast<size_t>(i)];
    const float rounded = static_cast<float>(e[i]);
    if (y[i] == rounded || (std::isnan(y[i]) && std::isnan(e[i]))) continue;
    if (std::isnan(y[i]) || std::isnan(e[i]) || std::isinf(rounded) || std::isinf(y[i])) {
      if (mismatches++ == 0) first = x;
      last = x;
      continue;
    }
    const double ulp = std::nextafter(std::abs(rounded), inf) - std::abs(rounded);
    const double err = std::abs(static_cast<double>(y[i]) - e[i]) / ulp;
    if (err > worst) worst = err, worst_at = x;
  }
  EXPECT_EQ(mismatches, 0) << "NaN or infinity unlike the double result, for x from " << first
                           << " to " << last;
  if (worst > 0) std::cout << "  worst " << worst << " ulp at " << worst_at << "\n";
  return worst;
}

struct SweptOp {
  const char* name;
  Tensor (*fn)(const Tensor&);
  float lo, hi;
  double max_ulp;  // SLEEF's bound for the float function, plus half an ulp for the rounding
};

// The unary rows with a float vector loop (SLEEF's AVX-512 functions where the CPU has them),
// over their domains, against the double results (SLEEF's 1-ulp double functions), rounded.
TEST(ElementwiseFloatPath, UnaryRowsWithinSleefBounds) {
  const std::vector<SweptOp> ops = {
      {"exp2", [](const Tensor& x) { return exp2(x); }, -150, 129, 1.5},
      {"log2", [](const Tensor& x) { return log2(x); }, 0, 3e38F, 1.5},
      {"log10", [](const Tensor& x) { return log10(x); }, 0, 3e38F, 1.5},
      {"asin", [](const Tensor& x) { return asin(x); }, -1, 1, 1.5},
      {"acos", [](const Tensor& x) { return acos(x); }, -1, 1, 1.5},
      {"atan", [](const Tensor& x) { return atan(x); }, -3e38F, 3e38F, 1.5},
      // Up to where the result overflows (89.4): SLEEF's float sinh and cosh stop at 88.5, the
      // rest goes through double.
      {"sinh", [](const Tensor& x) { return sinh(x); }, -90, 90, 1.5},
      {"cosh", [](const Tensor& x) { return cosh(x); }, -90, 90, 1.5},
      // Past SLEEF's 1.8e19 too.
      {"asinh", [](const Tensor& x) { return asinh(x); }, -3e38F, 3e38F, 1.5},
      {"acosh", [](const Tensor& x) { return acosh(x); }, 1, 3e38F, 1.5},
      {"log1p", [](const Tensor& x) { return log1p(x); }, -1, 3e38F, 1.5},
      {"atanh", [](const Tensor& x) { return atanh(x); }, -1, 1, 1.5},
      {"erfc", [](const Tensor& x) { return erfc(x); }, -10, 10, 2},
      {"lgamma", [](const Tensor& x) { return lgamma(x); }, 0, 1e30F, 1.5},
  };
  for (const SweptOp& op : ops) {
    SCOPED_TRACE(op.name);
    const std::vector<float> xs = float_sweep(op.lo, op.hi, 200000);
    const Tensor x = float_tensor(xs);
    const Tensor got = op.fn(x);
    const Tensor exact = op.fn(x.to(kDouble));
    EXPECT_LE(worst_ulp(got, exact, xs), op.max_ulp);
  }
}

// Differences from PyTorch left on purpose: its vector loops use SLEEF's functions as they come,
// so that PyTorch 1.13 gives torch.sinh(torch.full((64,), 88.75)) = inf and
// torch.fmod(torch.full((64,), 1e9), torch.full((64,), 1e-30)) = NaN (its scalar loop, used for
// short tensors, gives 1.7482569e38 and 8.358145e-31, as glibc does); tensorgrad gives the
// finite values in both. (torch.asinh of 1e20 is right in PyTorch: it does not use SLEEF's.)
TEST(ElementwiseFloatPath, PastSleefRangesAsGlibc) {
  const std::vector<float> big(64, 88.75F);
  const float sinh_big = sinh(float_tensor(big)).data_ptr<float>()[0];
  EXPECT_FLOAT_EQ(sinh_big, static_cast<float>(std::sinh(88.75)));
  const std::vector<float> a(64, 1e9F), b(64, 1e-30F);
  EXPECT_EQ(fmod(float_tensor(a), float_tensor(b)).data_ptr<float>()[63], std::fmod(1e9F, 1e-30F));
  const std::vector<float> huge(64, 1e20F);
  EXPECT_FLOAT_EQ(asinh(float_tensor(huge)).data_ptr<float>()[0],
                  static_cast<float>(std::asinh(static_cast<double>(1e20F))));
  EXPECT_FLOAT_EQ(acosh(float_tensor(huge)).data_ptr<float>()[0],
                  static_cast<float>(std::acosh(static_cast<double>(1e20F))));
}

TEST(ElementwiseFloatPath, BinaryRowsWithinSleefBounds) {
  // Every pair of a 600-point sweep of a with a 601-point sweep of b, over both signs and all
  // binades of [-1e30, 1e30] (so many ratios under- or overflow).
  const std::vector<float> as = float_sweep(-1e30F, 1e30F, 599),
                           bs = float_sweep(-1e30F, 1e30F, 600);
  std::vector<float> a, b;
  for (float u : as)
    for (float v : bs) a.push_back(u), b.push_back(v);
  const Tensor ta = float_tensor(a), tb = float_tensor(b);
  const Tensor da = ta.to(kDouble), db = tb.to(kDouble);
  // atan2 and hypot to SLEEF's bounds (1 and 0.5 ulp) plus the rounding; fmod and copysign are
  // exact in both types.
  EXPECT_LE(worst_ulp(atan2(ta, tb), atan2(da, db), a), 1.5);
  EXPECT_LE(worst_ulp(hypot(ta, tb), hypot(da, db), a), 1.0);
  EXPECT_EQ(worst_ulp(fmod(ta, tb), fmod(da, db), a), 0);
  EXPECT_EQ(worst_ulp(copysign(ta, tb), copysign(da, db), a), 0);
  // remainder adds b to the exact fmod once: correctly rounded, half an ulp.
  EXPECT_LE(worst_ulp(remainder(ta, tb), remainder(da, db), a), 0.51);
}

// Where SLEEF's double functions stop short of their range, against glibc's (correctly rounded
// or within an ulp there): sinh and cosh between 709 and overflow (710.48), asinh and acosh past
// 1.3e154, log1p past 1e307, fmod with a / b past the double range. Contiguous, so through the
// vector loops (one full vector of 8 and a tail).
TEST(ElementwiseDoublePath, PastSleefRanges) {
  const auto check = [](const char* name, Tensor (*fn)(const Tensor&), double (*ref)(double),
                        const Values& xs, double max_ulp) {
    SCOPED_TRACE(name);
    const Values got = values(fn(make(xs)));
    for (size_t i = 0; i < xs.size(); ++i) {
      const double e = ref(xs[i]);
      if (std::isnan(e)) {
        EXPECT_TRUE(std::isnan(got[i])) << "at " << xs[i];
        continue;
      }
      if (std::isinf(e) || got[i] == e) {
        EXPECT_EQ(got[i], e) << "at " << xs[i];
        continue;
      }
      const double ulp = std::nextafter(std::abs(e), kInf) - std::abs(e);
      EXPECT_LE(std::abs(got[i] - e) / ulp, max_ulp) << "at " << xs[i];
    }
  };
  const Values near_overflow = {709.5,  -709.5, 709.9,  710.0, -710.2, 710.4, 710.47,
                                710.48, 711.0,  -711.0, kInf,  -kInf,  1.0,   -3.0};
  // e^(|x|/2) squared: the exponential's ulp twice, then a rounding; within 3 ulp of the exact
  // value (2.6 at worst against mpmath over [709, 710.48]), glibc's own error on top.
  check(
      "sinh", sinh, [](double x) { return std::sinh(x); }, near_overflow, 4);
  check(
      "cosh", cosh, [](double x) { return std::cosh(x); }, near_overflow, 4);
  const Values huge = {
      1.3e154, 1.4e154, -1.4e154, 1e200, -1e300, 1.7976931348623157e308, -1.7976931348623157e308,
      kInf,    -kInf,   2.0,      -2.0};
  check(
      "asinh", asinh, [](double x) { return std::asinh(x); }, huge, 1.5);
  check(
      "acosh", acosh, [](double x) { return std::acosh(x); }, huge, 1.5);
  check(
      "log1p", log1p, [](double x) { return std::log1p(x); },
      {1e307, 1.5e307, 1e308, 1.7976931348623157e308, kInf, 0.5, -0.5, 3.0}, 1);
  // fmod is exact in glibc and here.
  const Values a = {1e300, -1e300, 1e-10, 1.7976931348623157e308, 5.5, -5.5, 3.0, 1e300, 7.0};
  const Values b = {1e-300, 3e-300, 4.9406564584124654e-324, 1e-308, 2.0, 2.0, kInf, 7.0, 0.0};
  const Values got = values(fmod(make(a), make(b)));
  for (size_t i = 0; i < a.size(); ++i) {
    const double e = std::fmod(a[i], b[i]);
    if (std::isnan(e))
      EXPECT_TRUE(std::isnan(got[i])) << a[i] << " mod " << b[i];
    else
      EXPECT_EQ(got[i], e) << a[i] << " mod " << b[i];
  }
}

// ---- broadcasting ----

TEST(ElementwiseBroadcast, BinaryRows) {
  // PyTorch 1.13: a of shape [2, 1] against b of shape [3] gives [2, 3].
  const Tensor col = shaped({2, 1}, {5.5, -5.5});
  const Tensor row = make({2., -3., 1.5});
  Tensor r = fmod(col, row);
  EXPECT_EQ(shape(r), (std::vector<int64_t>{2, 3}));
  expect_values(r, {1.5, 2.5, 1, -1.5, -2.5, -1});
  expect_values(remainder(col, row), {1.5, -0.5, 1, 0.5, -2.5, 0.5});
  expect_values(atan2(shaped({2, 1}, {1., -1.}), make({1., -2., 0.5})),
                {0.7853981633974483, 2.677945044588987, 1.1071487177940904, -0.7853981633974483,
                 -2.677945044588987, -1.1071487177940904},
                1e-15);
  r = hypot(shaped({2, 1}, {3., 5.}), make({4., 12.}));
  EXPECT_EQ(shape(r), (std::vector<int64_t>{2, 2}));
  expect_values(r, {5, 12.36931687685298, 6.4031242374328485, 13}, 1e-15);
  expect_values(xlogy(shaped({2, 1}, {0., 2.}), make({0.5, 3.})),
                {0, 0, -1.3862943611198906, 2.1972245773362196}, 1e-15);
  expect_values(copysign(shaped({2, 1}, {1.5, -2.}), make({-1., 0., -0.})),
                {-1.5, 1.5, -1.5, -2, 2, -2});
  // A 0-d operand broadcasts like a Scalar: PyTorch 1.13's fmod(tensor(5.5), tensor([2., 3.])).
  r = fmod(make({5.5}).view({}), make({2., 3.}));
  EXPECT_EQ(shape(r), (std::vector<int64_t>{2}));
  expect_values(r, {1.5, 2.5});
  // Shapes that do not broadcast are refused.
  EXPECT_ERROR(atan2(make({1., 2.}), make({1., 2., 3.})), "atan2");
  EXPECT_ERROR(fmod(make({1., 2.}), make({1., 2., 3.})), "fmod");
}

TEST(ElementwiseBroadcast, ScalarForms) {
  // The Scalar forms keep the tensor's shape, 0-d included.
  const Tensor x = shaped({2, 3}, {5.5, -5.5, 1., -1., 0.5, 7.});
  for (const Tensor& r : {fmod(x, 2.), remainder(x, 2.), copysign(x, -1.), xlogy(x, 2.),
                          remainder(2., x), xlogy(2., x.abs())}) {
    EXPECT_EQ(shape(r), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(r.dtype(), kDouble);
  }
  expect_values(fmod(x, 2.), {1.5, -1.5, 1, -1, 0.5, 1});
  expect_values(remainder(x, 2.), {1.5, 0.5, 1, 1, 0.5, 1});
  expect_values(x.remainder(-2.), {-0.5, -1.5, -1, -1, -1.5, -1});
  expect_values(copysign(x, -1.), {-5.5, -5.5, -1, -1, -0.5, -7});
  // PyTorch 1.13: torch.remainder(-7, torch.tensor([[2, -3], [4, 5]])) is [[1, -1], [1, 3]].
  Tensor r = remainder(-7, longs({2, -3, 4, 5}).view({2, 2}));
  EXPECT_EQ(shape(r), (std::vector<int64_t>{2, 2}));
  expect_values(r, {1, -1, 1, 3});
  r = fmod(make({5.5}).view({}), 2);
  EXPECT_EQ(r.dim(), 0);
  expect_values(r, {1.5});
  // lerp, addcmul and addcdiv broadcast their three operands.
  r = lerp(shaped({2, 1}, {0., 10.}), make({1., 2., 3.}), shaped({3, 1, 1}, {0., 0.5, 1.}));
  EXPECT_EQ(shape(r), (std::vector<int64_t>{3, 2, 3}));
  r = addcmul(make({1.}), shaped({2, 1}, {1., 2.}), make({3., 4.}));
  EXPECT_EQ(shape(r), (std::vector<int64_t>{2, 2}));
  expect_values(r, {4, 5, 7, 9});
  r = addcdiv(shaped({2, 1}, {1., 2.}), make({3., 4.}), make({2.}), -1);
  expect_values(r, {-0.5, -1, 0.5, 0});
}

}  // namespace
}  // namespace tg
