// Elementwise math and selection ops: values against the std:: functions (contiguous, strided,
// large enough for the vectorised and threaded paths, 0-d and empty), dtype rules (integer inputs
// to floating functions give Float; abs, sign, floor, ceil, round, relu, square and clamp keep
// integer dtypes; pow, where, maximum and clamp promote as libtorch), NaN propagation, gradients
// at the special points (ties, kinks, bounds), node names, double backward, in-place forms and
// every error message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

using Shape = std::vector<int64_t>;
using Values = std::vector<double>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Element of t at flat row-major position k, read through t's strides, as double.
double element(const Tensor& t, int64_t k) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    off += (k % t.size(d)) * t.stride(d);
    k /= t.size(d);
  }
  return tg::testing::element_at(t, off);
}

using tg::testing::values;

// A contiguous tensor of `shape` filled from v (built without tensorgrad's ops).
Tensor make(const Shape& shape, const Values& v, ScalarType dtype = kFloat) {
  Tensor t = empty(shape, dtype);
  EXPECT_EQ(static_cast<size_t>(t.numel()), v.size());
  for (int64_t i = 0; i < t.numel(); ++i) {
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
Tensor vec(const Values& v, ScalarType dtype = kFloat) {
  return make({static_cast<int64_t>(v.size())}, v, dtype);
}
Tensor dvec(const Values& v, bool requires_grad = true) {
  Tensor t = vec(v, kDouble);
  t.requires_grad_(requires_grad);
  return t;
}

// n values spread over [lo, hi], in a scrambled order.
Values spread(int64_t n, double lo, double hi) {
  Values v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    v[i] = lo + (hi - lo) * static_cast<double>((i * 7919) % n) / static_cast<double>(n);
  return v;
}

bool same(double a, double b, double rtol, double atol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::abs(a - b) <= atol + rtol * std::abs(b);
}

void expect_values(const Tensor& t, const Values& expected, double rtol = 0, double atol = 0) {
  const Values got = values(t);
  ASSERT_EQ(got.size(), expected.size());
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!same(got[i], expected[i], rtol, atol) && ++bad <= 5)
      ADD_FAILURE() << "element " << i << " is " << got[i] << ", expected " << expected[i];
  EXPECT_EQ(bad, 0);
}

template <class F>
void expect_error(F&& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected a tg::Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const std::string& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "message lacks '" << p << "': " << msg;
  }
}

std::string node_name(const Tensor& t) { return t.grad_fn() ? t.grad_fn()->name() : "(none)"; }

// ---- floating functions against std:: ----

struct MathCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  double (*ref)(double);
  double lo, hi;
};

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double rsqrt_ref(double x) { return 1.0 / std::sqrt(x); }
double reciprocal_ref(double x) { return 1.0 / x; }
double square_ref(double x) { return x * x; }
double exp_ref(double x) { return std::exp(x); }
double log_ref(double x) { return std::log(x); }
double log1p_ref(double x) { return std::log1p(x); }
double expm1_ref(double x) { return std::expm1(x); }
double sqrt_ref(double x) { return std::sqrt(x); }
double sin_ref(double x) { return std::sin(x); }
double cos_ref(double x) { return std::cos(x); }
double tan_ref(double x) { return std::tan(x); }
double tanh_ref(double x) { return std::tanh(x); }
double erf_ref(double x) { return std::erf(x); }
double abs_ref(double x) { return std::fabs(x); }
double floor_ref(double x) { return std::floor(x); }
double ceil_ref(double x) { return std::ceil(x); }
double round_ref(double x) { return std::nearbyint(x); }

const std::vector<MathCase>& math_cases() {
  static const std::vector<MathCase> cases = {
      {"exp", [](const Tensor& x) { return exp(x); }, exp_ref, -20, 20},
      {"log", [](const Tensor& x) { return x.log(); }, log_ref, 1e-3, 1e3},
      {"log1p", [](const Tensor& x) { return log1p(x); }, log1p_ref, -0.9, 10},
      {"expm1", [](const Tensor& x) { return x.expm1(); }, expm1_ref, -5, 5},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }, sqrt_ref, 0, 100},
      {"rsqrt", [](const Tensor& x) { return x.rsqrt(); }, rsqrt_ref, 0.01, 100},
      {"sin", [](const Tensor& x) { return sin(x); }, sin_ref, -10, 10},
      {"cos", [](const Tensor& x) { return x.cos(); }, cos_ref, -10, 10},
      {"tan", [](const Tensor& x) { return tan(x); }, tan_ref, -1.5, 1.5},
      {"tanh", [](const Tensor& x) { return x.tanh(); }, tanh_ref, -10, 10},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, sigmoid_ref, -30, 30},
      {"reciprocal", [](const Tensor& x) { return x.reciprocal(); }, reciprocal_ref, 0.1, 10},
      {"square", [](const Tensor& x) { return square(x); }, square_ref, -10, 10},
      {"erf", [](const Tensor& x) { return x.erf(); }, erf_ref, -4, 4},
      {"abs", [](const Tensor& x) { return abs(x); }, abs_ref, -5, 5},
      {"floor", [](const Tensor& x) { return x.floor(); }, floor_ref, -5, 5},
      {"ceil", [](const Tensor& x) { return ceil(x); }, ceil_ref, -5, 5},
      {"round", [](const Tensor& x) { return x.round(); }, round_ref, -5, 5},
  };
  return cases;
}

// Sizes that cover the vector body, a masked tail and the threaded path.
TEST(UnaryMath, FloatAndDoubleMatchStd) {
  for (const MathCase& c : math_cases()) {
    for (int64_t n : {1, 15, 17, 1000, 200003}) {
      SCOPED_TRACE(std::string(c.name) + " n=" + std::to_string(n));
      const Values in = spread(n, c.lo, c.hi);
      for (ScalarType dt : {kFloat, kDouble}) {
        Tensor x = vec(in, dt);
        Tensor y = c.op(x);
        ASSERT_EQ(y.dtype(), dt);
        ASSERT_EQ(y.sizes().vec(), Shape{n});
        Values expected;
        for (int64_t i = 0; i < n; ++i) expected.push_back(c.ref(element(x, i)));
        if (dt == kFloat)
          expect_values(y, expected, 4e-6, 1e-6);
        else
          expect_values(y, expected, 1e-14, 1e-15);
        if (n > 1000) break;  // the large size once is enough for double
      }
    }
  }
}

// Float tanh trades accuracy for speed (SLEEF's 3.5-ulp version, see the tanh row of tensorgrad/elementwise_ops.def): its error
// against double tanh, in units in the last place of the float result, over every 64th float in
// [-12, 12] (so every binade down to the smallest normals) and the special values.
TEST(UnaryMath, FloatTanhWithinFourUlp) {
  std::vector<float> xs;
  for (uint32_t bits = 0; bits < 0x41400000U; bits += 64) {  // 0x41400000 is 12.0F
    float v;
    std::memcpy(&v, &bits, sizeof v);
    xs.push_back(v);
    xs.push_back(-v);
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.6F, std::nextafter(0.6F, 0.F), 9.F, 100.F, inf, -inf, 1e-40F, -0.F})
    xs.push_back(v);
  Tensor x = empty({static_cast<int64_t>(xs.size())}, kFloat);
  std::memcpy(x.data_ptr<float>(), xs.data(), xs.size() * sizeof(float));
  const Tensor result = x.tanh();
  const float* y = result.data_ptr<float>();
  double worst = 0;
  float worst_at = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double exact = std::tanh(static_cast<double>(xs[i]));
    const float e = static_cast<float>(exact);
    const double ulp = std::nextafter(std::abs(e), inf) - std::abs(e);
    const double err = std::abs(y[i] - exact) / ulp;
    if (err > worst) worst = err, worst_at = xs[i];
    if (std::signbit(xs[i]) != std::signbit(y[i])) ADD_FAILURE() << "sign of tanh(" << xs[i] << ")";
  }
  EXPECT_LE(worst, 4.0) << "worst at x = " << worst_at;
  EXPECT_TRUE(std::isnan(tensor({NAN}).tanh().item<float>()));
}

TEST(UnaryMath, StridedAndExpandedInputs) {
  const Values in = spread(24, -3, 3);
  for (const MathCase& c : math_cases()) {
    SCOPED_TRACE(c.name);
    if (c.lo >= 0) continue;  // the domain of log, sqrt... does not include these inputs
    Tensor x = make({4, 6}, in, kDouble).t();  // a transposed view
    ASSERT_FALSE(x.is_contiguous());
    Values expected;
    for (int64_t i = 0; i < x.numel(); ++i) expected.push_back(c.ref(element(x, i)));
    Tensor y = c.op(x);
    EXPECT_EQ(y.sizes().vec(), (Shape{6, 4}));
    expect_values(y, expected, 1e-14, 1e-15);
    Tensor e = make({1, 3}, {0.25, -0.5, 1.25}, kDouble).expand({4, 3});
    Values expected_e;
    for (int64_t i = 0; i < e.numel(); ++i) expected_e.push_back(c.ref(element(e, i)));
    expect_values(c.op(e), expected_e, 1e-14, 1e-15);
  }
}

TEST(Elementwise, LargeOutputsEqualSmallOnesBitForBit) {
  // Arithmetic outputs of 16 MiB and more are written with non-temporal stores through a
  // buffer (Note [Streaming stores]); every element must equal what the plain path gives for a
  // small slice, as for the math functions, which write in place. The odd length and the
  // in-place write into a view at offset 3 exercise the unaligned heads and the short last
  // blocks.
  const int64_t n = (int64_t(1) << 22) + 37;
  manual_seed(0);
  Tensor x = randn({n}), y = randn({n}), g = randn({n});
  Tensor xd = x.to(kDouble);
  const std::vector<std::pair<const char*, std::function<Tensor(const Tensor&, const Tensor&)>>>
      ops = {{"x * 2 + 1", [](const Tensor& a, const Tensor&) { return a * 2 + 1; }},
             {"x * y", [](const Tensor& a, const Tensor& b) { return a * b; }},
             {"tanh", [](const Tensor& a, const Tensor&) { return tanh(a); }},
             {"exp", [](const Tensor& a, const Tensor&) { return exp(a); }}};
  auto bit_equal = [](const Tensor& a, const Tensor& b) {
    return a.sizes().equals(b.sizes()) &&
           std::memcmp(a.contiguous().data_ptr(), b.contiguous().data_ptr(), a.nbytes()) == 0;
  };
  for (const auto& [name, op] : ops) {
    SCOPED_TRACE(name);
    for (const Tensor& a : {x, xd}) {
      const Tensor b = y.to(a.dtype());
      ASSERT_GE(a.nbytes(), size_t(16) << 20);
      const Tensor big = op(a, b);
      for (int64_t start : {int64_t(0), int64_t(5), n / 2 + 3, n - 1000}) {
        const Tensor small = op(a.narrow(0, start, 1000).clone(), b.narrow(0, start, 1000).clone());
        EXPECT_TRUE(bit_equal(big.narrow(0, start, 1000), small)) << "at " << start;
      }
    }
  }
  // The fused derivative of tanh, and an in-place product into a view that starts off a line.
  Tensor big_x = x.detach().requires_grad_();
  Tensor big_grad = autograd::grad({tanh(big_x)}, {big_x}, {g})[0];
  Tensor small_x = x.narrow(0, 7, 1000).clone().requires_grad_();
  Tensor small_grad = autograd::grad({tanh(small_x)}, {small_x}, {g.narrow(0, 7, 1000).clone()})[0];
  EXPECT_TRUE(bit_equal(big_grad.narrow(0, 7, 1000), small_grad));
  Tensor z = x.clone();
  z.narrow(0, 3, n - 3).mul_(3);
  EXPECT_TRUE(bit_equal(z.narrow(0, 3, 1000), x.narrow(0, 3, 1000) * 3));
  EXPECT_TRUE(bit_equal(z.narrow(0, n - 1000, 1000), x.narrow(0, n - 1000, 1000) * 3));
  EXPECT_EQ(z[0].item<float>(), x[0].item<float>());
}

TEST(UnaryMath, ZeroDimAndEmpty) {
  Tensor s = scalar_tensor(0.5, kDouble);
  Tensor y = exp(s);
  EXPECT_EQ(y.dim(), 0);
  EXPECT_DOUBLE_EQ(y.item<double>(), std::exp(0.5));
  EXPECT_EQ(s.pow(2).dim(), 0);
  EXPECT_DOUBLE_EQ(s.pow(2).item<double>(), 0.25);
  Tensor e = empty({0, 3});
  for (const MathCase& c : math_cases()) {
    Tensor r = c.op(e);
    EXPECT_EQ(r.sizes().vec(), (Shape{0, 3})) << c.name;
  }
  EXPECT_EQ(clamp(e, 0, 1).sizes().vec(), (Shape{0, 3}));
  EXPECT_EQ(where(empty({0, 3}, kBool), e, 1.0).sizes().vec(), (Shape{0, 3}));
  EXPECT_EQ(maximum(e, scalar_tensor(1.0)).sizes().vec(), (Shape{0, 3}));
}

// ---- dtypes ----

TEST(UnaryMath, IntegerInputsToFloatingFunctionsGiveFloat) {
  Tensor l = vec({-2, 0, 3}, kLong);
  Tensor b = vec({1, 0}, kBool);
  Tensor y = exp(l);
  EXPECT_EQ(y.dtype(), kFloat);
  expect_values(y, {std::exp(-2.0), 1.0, std::exp(3.0)}, 1e-6);
  EXPECT_EQ(exp(b).dtype(), kFloat);
  expect_values(exp(b), {std::exp(1.0), 1.0}, 1e-6);
  for (auto* f :
       {+[](const Tensor& t) { return log(t); }, +[](const Tensor& t) { return sqrt(t); },
        +[](const Tensor& t) { return sigmoid(t); }, +[](const Tensor& t) { return erf(t); },
        +[](const Tensor& t) { return reciprocal(t); }, +[](const Tensor& t) { return rsqrt(t); },
        +[](const Tensor& t) { return tanh(t); }})
    EXPECT_EQ(f(l).dtype(), kFloat);
  expect_values(reciprocal(l), {-0.5, kInf, 1.0 / 3}, 1e-6);
  expect_values(sqrt(l), {kNaN, 0, std::sqrt(3.0)}, 1e-6);
  expect_values(sigmoid(b), {sigmoid_ref(1), 0.5}, 1e-6);
}

TEST(UnaryMath, IntegerDtypesAreKept) {
  Tensor l = vec({-3, 0, 5}, kLong);
  Tensor ab = abs(l);
  EXPECT_EQ(ab.dtype(), kLong);
  expect_values(ab, {3, 0, 5});
  EXPECT_EQ(sign(l).dtype(), kLong);
  expect_values(sign(l), {-1, 0, 1});
  for (auto* f :
       {+[](const Tensor& t) { return floor(t); }, +[](const Tensor& t) { return ceil(t); },
        +[](const Tensor& t) { return round(t); }}) {
    EXPECT_EQ(f(l).dtype(), kLong);
    expect_values(f(l), {-3, 0, 5});
  }
  EXPECT_EQ(relu(l).dtype(), kLong);
  expect_values(relu(l), {0, 0, 5});
  EXPECT_EQ(square(l).dtype(), kLong);
  expect_values(square(l), {9, 0, 25});
  EXPECT_EQ(clamp(l, -1, 2).dtype(), kLong);
  expect_values(clamp(l, -1, 2), {-1, 0, 2});
  // Bool: sign is the identity, square goes through pow and gives Long.
  Tensor b = vec({1, 0}, kBool);
  EXPECT_EQ(sign(b).dtype(), kBool);
  expect_values(sign(b), {1, 0});
  EXPECT_EQ(square(b).dtype(), kLong);
  expect_values(square(b), {1, 0});
}

TEST(UnaryMath, RoundHalfToEvenAndSignOfSpecialValues) {
  expect_values(round(vec({2.5, 3.5, -2.5, 0.5, -0.4, 1.6}, kDouble)), {2, 4, -2, 0, 0, 2});
  expect_values(round(vec({2.5, 3.5, -2.5, 0.5}, kFloat)), {2, 4, -2, 0});
  expect_values(sign(vec({kNaN, -0.0, 0.0, -kInf, 2}, kDouble)), {0, 0, 0, -1, 1});
  expect_values(floor(vec({-0.5, 0.5, kInf}, kDouble)), {-1, 0, kInf});
  expect_values(ceil(vec({-0.5, 0.5, -kInf}, kDouble)), {0, 1, -kInf});
}

TEST(UnaryMath, NaNPropagates) {
  for (ScalarType dt : {kFloat, kDouble}) {
    Tensor x = vec({kNaN, 1.0}, dt);
    for (const MathCase& c : math_cases()) {
      SCOPED_TRACE(c.name);
      EXPECT_TRUE(std::isnan(element(c.op(x), 0)));
    }
    EXPECT_TRUE(std::isnan(element(relu(x), 0)));
    EXPECT_TRUE(std::isnan(element(pow(x, 2.5), 0)));
  }
  // Also through the vectorised loop (long contiguous runs).
  Values in(100, 1.0);
  in[37] = kNaN;
  Values got = values(exp(vec(in)));
  EXPECT_TRUE(std::isnan(got[37]));
  EXPECT_FLOAT_EQ(static_cast<float>(got[36]), std::exp(1.0f));
}

// ---- pow ----

TEST(Pow, ValuesAndPromotion) {
  Tensor l = vec({-2, 0, 3}, kLong);
  Tensor f = vec({-1.5, 0.5, 2.5});
  EXPECT_EQ(pow(l, 2).dtype(), kLong);
  expect_values(pow(l, 2), {4, 0, 9});
  EXPECT_EQ(pow(l, 0.5).dtype(), kFloat);
  expect_values(pow(l, 0.5), {kNaN, 0, std::sqrt(3.0)}, 1e-6);
  EXPECT_EQ(pow(vec({1, 0}, kBool), 2).dtype(), kLong);
  EXPECT_EQ(pow(2, l).dtype(), kLong);
  expect_values(pow(2, l), {0, 1, 8});
  EXPECT_EQ(pow(2.5, l).dtype(), kFloat);
  expect_values(pow(2.5, l), {0.16, 1, 15.625}, 1e-6);
  EXPECT_EQ(pow(2, f).dtype(), kFloat);
  EXPECT_EQ(pow(2, vec({1, 0}, kBool)).dtype(), kLong);
  // A 0-d Double exponent does not promote a Float base; a 1-d one does.
  EXPECT_EQ(pow(f, scalar_tensor(2.0, kDouble)).dtype(), kFloat);
  EXPECT_EQ(pow(f, vec({2.0}, kDouble)).dtype(), kDouble);
  expect_values(pow(f, vec({2.0}, kDouble)), {2.25, 0.25, 6.25});
  // Special exponents take fast paths; they must agree with std::pow.
  const Values in = spread(50, 0.1, 4);
  for (double e : {0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 1.7, -2.3}) {
    SCOPED_TRACE(e);
    Values expected;
    for (double v : in) expected.push_back(std::pow(v, e));
    expect_values(pow(vec(in, kDouble), e), expected, 1e-14);
    expect_values(vec(in).pow(e), expected, 4e-6);
  }
  // x^0 is 1 even for NaN; 1^x is 1 even for NaN.
  expect_values(pow(vec({kNaN, kInf}, kDouble), 0), {1, 1});
  expect_values(pow(1.0, vec({kNaN, 2}, kDouble)), {1, 1});
}

TEST(Pow, IntegerPowers) {
  // Tensor exponents: a negative power of an integer is 0 unless the base is 1 or -1.
  Tensor r = pow(vec({-1, 1, 2, 0, -1, 3}, kLong), vec({-3, -3, -1, -1, -2, 4}, kLong));
  EXPECT_EQ(r.dtype(), kLong);
  expect_values(r, {-1, 1, 0, 0, 1, 81});
  expect_values(pow(vec({2.f}), make({}, {2}, kLong)), {4});
  EXPECT_EQ(pow(make({}, {2}, kLong), vec({2.f})).dtype(), kFloat);
  expect_error(
      [] {
        pow(vec({2, 3}, kLong), -1);
      },
      {"pow", "Integers to negative integer powers are not allowed", "Long"});
  expect_error([] { pow(vec({1, 0}, kBool), true); }, {"pow", "Bool"});
}

TEST(Pow, Broadcasting) {
  Tensor a = make({2, 1}, {2, 3});
  Tensor b = vec({1, 2, 3});
  Tensor r = pow(a, b);
  EXPECT_EQ(r.sizes().vec(), (Shape{2, 3}));
  expect_values(r, {2, 4, 8, 3, 9, 27}, 1e-6);
  expect_error([] { pow(vec({1, 2, 3}), vec({1, 2})); }, {"pow", "[3]", "[2]", "broadcast"});
}

TEST(Pow, InPlace) {
  Tensor x = vec({1, 2, 3});
  const auto v0 = x._version();
  x.pow_(2);
  expect_values(x, {1, 4, 9});
  EXPECT_GT(x._version(), v0);
  x.pow_(vec({0.5, 0.5, 0.5}, kDouble));  // Double exponent written back into Float
  EXPECT_EQ(x.dtype(), kFloat);
  expect_values(x, {1, 2, 3}, 1e-6);
  expect_error(
      [] {
        vec({1, 2}, kLong).pow_(0.5);
      },
      {"pow_", "result type Float", "can't be cast", "Long"});
  expect_error([] { vec({1, 2}, kLong).pow_(vec({0.5, 0.5})); }, {"pow_", "Float", "Long"});
  expect_error(
      [] {
        vec({1, 2, 3}).pow_(make({3, 1}, {1, 2, 3}));
      },
      {"pow_", "[3]", "[3, 3]", "broadcast shape"});
  // With autograd: the node of the rewritten tensor is pow's.
  Tensor a = dvec({1, 2, 3});
  Tensor t = a * 1;
  t.pow_(3);
  EXPECT_EQ(node_name(t), "PowBackward0");
  t.sum().backward();
  expect_values(a.grad(), {3, 12, 27}, 1e-12);
  Tensor e = dvec({2, 2, 2});
  Tensor u = a * 1;
  u.pow_(e);
  EXPECT_EQ(node_name(u), "PowBackward1");
}

TEST(Pow, Gradients) {
  // d/da a^b = b a^(b-1) (0 where b == 0); d/db a^b = a^b log a (0 where a == 0 and b >= 0).
  Tensor a = dvec({0, 0, -1, 2});
  Tensor b = dvec({0, 2, 2, 0});
  Tensor p = pow(a, b);
  EXPECT_EQ(node_name(p), "PowBackward1");
  p.sum().backward();
  expect_values(a.grad(), {0, 0, -2, 0});
  expect_values(b.grad(), {0, 0, kNaN, std::log(2.0)}, 1e-15);
  // Scalar base 0: exponents >= 0 get 0, negative ones -inf (inf * log 0).
  Tensor c = dvec({0, 2, -1});
  Tensor q = pow(0.0, c);
  EXPECT_EQ(node_name(q), "PowBackward2");
  q.sum().backward();
  expect_values(q, {1, 0, kInf});
  expect_values(c.grad(), {0, 0, -kInf});
  Tensor d = dvec({0, 1, 2});
  Tensor z = d.pow(0);
  EXPECT_EQ(node_name(z), "PowBackward0");
  z.sum().backward();
  expect_values(d.grad(), {0, 0, 0});
  Tensor s = dvec({1.5, -2});
  EXPECT_EQ(node_name(s.square()), "PowBackward0");
  s.square().sum().backward();
  expect_values(s.grad(), {3, -4});
  Tensor k = dvec({0.5, 2});
  pow(3.0, k).sum().backward();
  expect_values(k.grad(), {std::pow(3.0, 0.5) * std::log(3.0), 9 * std::log(3.0)}, 1e-14);
}

// ---- where, maximum, minimum ----

TEST(Where, ValuesPromotionAndBroadcast) {
  Tensor c = vec({1, 0, 1}, kBool);
  Tensor f = vec({1.5, 2.5, 3.5});
  Tensor l = vec({-1, -2, -3}, kLong);
  Tensor r = where(c, f, l);
  EXPECT_EQ(r.dtype(), kFloat);
  expect_values(r, {1.5, -2, 3.5});
  EXPECT_EQ(where(c, l, 2.5).dtype(), kFloat);
  expect_values(where(c, l, 2.5), {-1, 2.5, -3});
  EXPECT_EQ(where(c, 2, l).dtype(), kLong);
  expect_values(where(c, 2, l), {2, -2, 2});
  EXPECT_EQ(where(c, f, scalar_tensor(1.0, kDouble)).dtype(), kFloat);
  EXPECT_EQ(where(c, f, vec({1.0}, kDouble)).dtype(), kDouble);
  EXPECT_EQ(where(c, vec({1, 0, 0}, kBool), vec({0, 0, 1}, kBool)).dtype(), kBool);
  expect_values(f.where(c, l), {1.5, -2, 3.5});
  // condition [2, 1] against branches [3] and [1]: result [2, 3].
  Tensor r2 = where(make({2, 1}, {1, 0}, kBool), f, vec({9}));
  EXPECT_EQ(r2.sizes().vec(), (Shape{2, 3}));
  expect_values(r2, {1.5, 2.5, 3.5, 9, 9, 9});
  // Non-contiguous operands.
  Tensor m = make({2, 3}, {1, 2, 3, 4, 5, 6}).t();
  expect_values(where(m > 2.5, m, 0), {0, 4, 0, 5, 3, 6});
}

TEST(Where, Errors) {
  expect_error(
      [] {
        where(vec({1, 0}), vec({1, 2}), vec({3, 4}));
      },
      {"where", "boolean", "Float", "[2]"});
  expect_error([] { where(vec({1, 0}, kLong), vec({1, 2}), 0); }, {"where", "boolean", "Long"});
  expect_error(
      [] {
        where(vec({1, 0}, kBool), vec({1, 2, 3}), vec({1}));
      },
      {"where", "[2]", "[3]", "[1]", "broadcast"});
}

TEST(Where, GradientsAndNames) {
  Tensor c = vec({1, 0, 1}, kBool);
  Tensor a = dvec({1, 2, 3});
  Tensor b = dvec({4, 5, 6});
  Tensor r = where(c, a, b);
  EXPECT_EQ(node_name(r), "WhereBackward0");
  EXPECT_EQ(r.grad_fn()->next_edges().size(), 2u);
  (r * dvec({1, 2, 3}, false)).sum().backward();
  expect_values(a.grad(), {1, 0, 3});
  expect_values(b.grad(), {0, 2, 0});
  Tensor s = where(c, a, 0.5);
  EXPECT_EQ(node_name(s), "WhereBackward0");
  EXPECT_EQ(s.grad_fn()->next_edges().size(), 1u);
  // A branch that does not require grad gets none.
  Tensor x = dvec({1, 2, 3});
  where(c, dvec({0, 0, 0}, false), x).sum().backward();
  expect_values(x.grad(), {0, 1, 0});
}

TEST(MaximumMinimum, ValuesNaNAndPromotion) {
  Tensor a = vec({1, 5, kNaN, 2});
  Tensor b = vec({3, 4, 1, kNaN});
  expect_values(maximum(a, b), {3, 5, kNaN, kNaN});
  expect_values(minimum(a, b), {1, 4, kNaN, kNaN});
  expect_values(a.maximum(b), {3, 5, kNaN, kNaN});
  expect_values(b.minimum(a), {1, 4, kNaN, kNaN});
  // Long vs Float promotes to Float; Bool stays Bool (or / and).
  Tensor l = vec({-2, 0, 3}, kLong);
  Tensor f = vec({-1.5, 0.5, 2.5});
  EXPECT_EQ(maximum(l, f).dtype(), kFloat);
  expect_values(maximum(l, f), {-1.5, 0.5, 3});
  EXPECT_EQ(minimum(l, l).dtype(), kLong);
  Tensor t = vec({1, 0, 1, 0}, kBool), u = vec({1, 1, 0, 0}, kBool);
  EXPECT_EQ(maximum(t, u).dtype(), kBool);
  expect_values(maximum(t, u), {1, 1, 1, 0});
  expect_values(minimum(t, u), {1, 0, 0, 0});
  EXPECT_EQ(maximum(f, vec({1.0}, kDouble)).dtype(), kDouble);
  Tensor r = maximum(vec({1.0}), make({2, 1, 1}, {0, 2}));
  EXPECT_EQ(r.sizes().vec(), (Shape{2, 1, 1}));
  expect_values(r, {1, 2});
  expect_error([] { maximum(vec({1, 2, 3}), vec({1, 2})); }, {"maximum", "[3]", "[2]"});
  expect_error([] { minimum(vec({1, 2, 3}), vec({1, 2})); }, {"minimum", "[3]", "[2]"});
}

TEST(MaximumMinimum, TiesSplitTheGradient) {
  Tensor x = dvec({1, 2, 3});
  Tensor y = dvec({1, 1, 4});
  Tensor m = maximum(x, y);
  EXPECT_EQ(node_name(m), "MaximumBackward0");
  m.sum().backward();
  expect_values(x.grad(), {0.5, 1, 0});
  expect_values(y.grad(), {0.5, 0, 1});
  Tensor p = dvec({1, 2, 3});
  Tensor q = dvec({1, 1, 4});
  Tensor n = minimum(p, q);
  EXPECT_EQ(node_name(n), "MinimumBackward0");
  n.sum().backward();
  expect_values(p.grad(), {0.5, 0, 1});
  expect_values(q.grad(), {0.5, 1, 0});
}

// ---- clamp, relu ----

TEST(Clamp, ValuesAndPromotion) {
  Tensor f = vec({-2, -0.5, 0.5, 2, kNaN});
  expect_values(clamp(f, -1, 1), {-1, -0.5, 0.5, 1, kNaN});
  expect_values(f.clamp(0), {0, 0, 0.5, 2, kNaN});
  expect_values(clamp(f, std::nullopt, 0), {-2, -0.5, 0, 0, kNaN});
  expect_values(clamp_min(f, 0.5), {0.5, 0.5, 0.5, 2, kNaN});
  expect_values(f.clamp_max(-1), {-2, -1, -1, -1, kNaN});
  // min > max gives max everywhere; a NaN bound gives NaN everywhere (as libtorch).
  expect_values(clamp(f, 2, 1), {1, 1, 1, 1, kNaN});
  expect_values(clamp(f, kNaN, 1), {kNaN, kNaN, kNaN, kNaN, kNaN});
  Tensor l = vec({-2, 0, 3}, kLong);
  EXPECT_EQ(clamp(l, 0.5).dtype(), kFloat);
  expect_values(clamp(l, 0.5), {0.5, 0.5, 3});
  EXPECT_EQ(clamp_min(l, 0.5).dtype(), kFloat);
  EXPECT_EQ(clamp_max(l, 1).dtype(), kLong);
  expect_values(clamp_max(l, 1), {-2, 0, 1});
  EXPECT_EQ(clamp(vec({1, 0}, kBool), 0).dtype(), kLong);
  expect_values(clamp(vec({1, 0}, kDouble), 0.25, 0.75), {0.75, 0.25});
  // Large and strided inputs.
  const Values in = spread(100000, -3, 3);
  Tensor big = vec(in);
  Values expected;
  for (double v : in)
    expected.push_back(std::min(std::max(static_cast<double>(static_cast<float>(v)), -1.0), 1.0));
  expect_values(clamp(big, -1, 1), expected, 1e-7);
  Tensor m = make({2, 3}, {-3, -2, -1, 1, 2, 3}).t();
  expect_values(clamp(m, -1.5, 1.5), {-1.5, 1, -1.5, 1.5, -1, 1.5});
}

TEST(Clamp, Errors) {
  expect_error([] { clamp(vec({1, 2})); }, {"clamp", "at least one of 'min' or 'max'"});
  expect_error([] { vec({1, 2}).clamp_(); }, {"clamp_", "at least one"});
  expect_error([] { clamp(vec({1, 0}, kBool), true); }, {"clamp", "Bool"});
  expect_error(
      [] {
        vec({1, 2}, kLong).clamp_(0.5);
      },
      {"clamp_", "result type Float", "can't be cast", "Long"});
}

TEST(Clamp, GradientPassesBetweenBoundsInclusive) {
  Tensor x = dvec({0, 1, 1.5, 2, 3});
  Tensor y = clamp(x, 1.0, 2.0);
  EXPECT_EQ(node_name(y), "ClampBackward1");
  y.sum().backward();
  expect_values(x.grad(), {0, 1, 1, 1, 0});
  Tensor a = dvec({0, 1, 2});
  EXPECT_EQ(node_name(clamp_min(a, 1)), "ClampMinBackward0");
  EXPECT_EQ(node_name(clamp_max(a, 1)), "ClampMaxBackward0");
  EXPECT_EQ(node_name(clamp(a, 1)), "ClampBackward1");
  EXPECT_EQ(node_name(clamp(a, std::nullopt, 1)), "ClampBackward1");
  clamp_min(a, 1).sum().backward();
  expect_values(a.grad(), {0, 1, 1});
  Tensor b = dvec({0, 1, 2});
  clamp_max(b, 1).sum().backward();
  expect_values(b.grad(), {1, 1, 0});
}

TEST(Clamp, InPlace) {
  Tensor x = vec({-2, 0.5, 2});
  const auto v0 = x._version();
  Tensor& r = x.clamp_(-1, 1);
  EXPECT_TRUE(r.is_same(x));
  EXPECT_GT(x._version(), v0);
  expect_values(x, {-1, 0.5, 1});
  // On a strided view: only the viewed elements change.
  Tensor base = make({2, 2}, {-5, 5, -5, 5});
  Tensor col = base.select(1, 0);
  col.clamp_(-1);
  expect_values(base, {-1, 5, -1, 5});
  // With autograd.
  Tensor a = dvec({-2, 0.5, 2});
  Tensor t = a * 1;
  t.clamp_(-1, 1);
  EXPECT_EQ(node_name(t), "ClampBackward1");
  t.sum().backward();
  expect_values(a.grad(), {0, 1, 0});
  expect_error(
      [] {
        Tensor leaf = dvec({1, 2});
        leaf.clamp_(0);
      },
      {"clamp_", "leaf"});
}

TEST(Relu, ValuesGradientAndInPlace) {
  Tensor x = dvec({-1, 0, 2});
  Tensor y = relu(x);
  EXPECT_EQ(node_name(y), "ReluBackward0");
  expect_values(y, {0, 0, 2});
  y.sum().backward();
  expect_values(x.grad(), {0, 0, 1});  // 0 at the kink, as libtorch
  expect_values(vec({-1, 2}).relu(), {0, 2});
  Tensor z = vec({-3, 4}, kLong);
  z.relu_();
  EXPECT_EQ(z.dtype(), kLong);
  expect_values(z, {0, 4});
  Tensor a = dvec({-1, 3});
  Tensor t = a * 2;
  t.relu_();
  EXPECT_EQ(node_name(t), "ReluBackward0");
  t.sum().backward();
  expect_values(a.grad(), {0, 2});
  // A NaN gradient does not leak through masked-off elements.
  Tensor b = dvec({-1, 3});
  relu(b).backward(vec({kNaN, 1}, kDouble));
  expect_values(b.grad(), {0, 1});
  expect_error([] { relu(vec({1, 0}, kBool)); }, {"relu", "Boolean"});
  expect_error([] { vec({1, 0}, kBool).relu_(); }, {"relu_", "Boolean"});
}

// ---- errors of the elementwise functions ----

TEST(UnaryMath, BoolErrors) {
  expect_error([] { abs(vec({1, 0}, kBool)); }, {"abs", "Bool", "[2]"});
  expect_error([] { floor(vec({1, 0}, kBool)); }, {"floor", "Bool"});
  expect_error([] { ceil(vec({1, 0}, kBool)); }, {"ceil", "Bool"});
  expect_error([] { round(vec({1, 0}, kBool)); }, {"round", "Bool"});
}

// ---- gradients and graph ----

TEST(UnaryGrad, NodeNames) {
  Tensor x = dvec({0.5, 1.5});
  const std::vector<std::pair<std::string, Tensor>> cases = {
      {"ExpBackward0", exp(x)},
      {"LogBackward0", log(x)},
      {"Log1PBackward0", log1p(x)},
      {"Expm1Backward0", expm1(x)},
      {"SqrtBackward0", sqrt(x)},
      {"RsqrtBackward0", rsqrt(x)},
      {"AbsBackward0", abs(x)},
      {"SignBackward0", sign(x)},
      {"SinBackward0", sin(x)},
      {"CosBackward0", cos(x)},
      {"TanBackward0", tan(x)},
      {"TanhBackward0", tanh(x)},
      {"SigmoidBackward0", sigmoid(x)},
      {"ReluBackward0", relu(x)},
      {"ReciprocalBackward0", reciprocal(x)},
      {"PowBackward0", square(x)},
      {"ErfBackward0", erf(x)},
      {"FloorBackward0", floor(x)},
      {"CeilBackward0", ceil(x)},
      {"RoundBackward0", round(x)},
      {"PowBackward0", pow(x, 2.5)},
      {"PowBackward1", pow(x, x)},
      {"PowBackward2", pow(2, x)},
  };
  for (const auto& [name, t] : cases) EXPECT_EQ(node_name(t), name);
  NoGradGuard no_grad;
  EXPECT_FALSE(exp(x).requires_grad());
  EXPECT_EQ(exp(x).grad_fn(), nullptr);
}

TEST(UnaryGrad, FirstDerivatives) {
  const Values in = {0.3, 0.9, 1.7};
  struct D {
    std::function<Tensor(const Tensor&)> op;
    std::function<double(double)> d;
  };
  const std::vector<D> cases = {
      {[](const Tensor& t) { return exp(t); }, [](double v) { return std::exp(v); }},
      {[](const Tensor& t) { return log(t); }, [](double v) { return 1 / v; }},
      {[](const Tensor& t) { return log1p(t); }, [](double v) { return 1 / (1 + v); }},
      {[](const Tensor& t) { return expm1(t); }, [](double v) { return std::exp(v); }},
      {[](const Tensor& t) { return sqrt(t); }, [](double v) { return 0.5 / std::sqrt(v); }},
      {[](const Tensor& t) { return rsqrt(t); }, [](double v) { return -0.5 * std::pow(v, -1.5); }},
      {[](const Tensor& t) { return abs(-t); }, [](double) { return 1.0; }},
      {[](const Tensor& t) { return sign(t); }, [](double) { return 0.0; }},
      {[](const Tensor& t) { return sin(t); }, [](double v) { return std::cos(v); }},
      {[](const Tensor& t) { return cos(t); }, [](double v) { return -std::sin(v); }},
      {[](const Tensor& t) { return tan(t); },
       [](double v) { return 1 / (std::cos(v) * std::cos(v)); }},
      {[](const Tensor& t) { return tanh(t); },
       [](double v) { return 1 - std::tanh(v) * std::tanh(v); }},
      {[](const Tensor& t) { return sigmoid(t); },
       [](double v) { return sigmoid_ref(v) * (1 - sigmoid_ref(v)); }},
      {[](const Tensor& t) { return reciprocal(t); }, [](double v) { return -1 / (v * v); }},
      {[](const Tensor& t) { return erf(t); },
       [](double v) { return 2 / std::sqrt(std::numbers::pi) * std::exp(-v * v); }},
      {[](const Tensor& t) { return floor(t); }, [](double) { return 0.0; }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    Tensor x = dvec(in);
    cases[i].op(x).sum().backward();
    Values expected;
    for (double v : in) expected.push_back(cases[i].d(v));
    expect_values(x.grad(), expected, 1e-13, 1e-15);
  }
  // abs at 0 has gradient 0 (sign).
  Tensor z = dvec({0, -2, 3});
  abs(z).sum().backward();
  expect_values(z.grad(), {0, -1, 1});
}

TEST(UnaryGrad, DoubleBackwardUsesSavedOutputs) {
  // d2/dx2 tanh = -2 y (1 - y^2); d2/dx2 sigmoid = s (1 - s) (1 - 2 s); relu'' = 0.
  const Values in = {-1.2, 0.3, 2.0};
  Tensor x = dvec(in);
  Tensor g = autograd::grad({tanh(x).sum()}, {x}, {}, std::nullopt, true)[0];
  Tensor gg = autograd::grad({g.sum()}, {x})[0];
  Values e1, e2;
  for (double v : in) {
    const double y = std::tanh(v);
    e1.push_back(1 - y * y);
    e2.push_back(-2 * y * (1 - y * y));
  }
  expect_values(g, e1, 1e-14);
  expect_values(gg, e2, 1e-13);
  Tensor s = dvec(in);
  Tensor gs = autograd::grad({sigmoid(s).sum()}, {s}, {}, std::nullopt, true)[0];
  Tensor ggs = autograd::grad({gs.sum()}, {s})[0];
  Values es;
  for (double v : in) {
    const double y = sigmoid_ref(v);
    es.push_back(y * (1 - y) * (1 - 2 * y));
  }
  expect_values(ggs, es, 1e-13);
}

TEST(UnaryGrad, FusedAndGraphBuildingBackwardAgree) {
  // Without create_graph tanh, sigmoid and relu run one fused loop; with it, differentiable ops.
  const Values in = spread(1000, -4, 4);
  for (int op = 0; op < 3; ++op) {
    SCOPED_TRACE(op);
    auto f = [op](const Tensor& t) { return op == 0 ? tanh(t) : op == 1 ? sigmoid(t) : relu(t); };
    for (ScalarType dt : {kFloat, kDouble}) {
      Tensor x = vec(in, dt);
      x.requires_grad_();
      Tensor w = vec(spread(1000, -1, 1), dt);
      Tensor fused = autograd::grad({(f(x) * w).sum()}, {x})[0];
      Tensor graph = autograd::grad({(f(x) * w).sum()}, {x}, {}, std::nullopt, true)[0];
      EXPECT_FALSE(fused.requires_grad());
      // relu's derivative is linear in the incoming gradient, which needs no grad here.
      EXPECT_EQ(graph.requires_grad(), op != 2);
      expect_values(fused, values(graph), dt == kFloat ? 1e-6 : 1e-15, 1e-7);
    }
  }
}

TEST(UnaryGrad, GradcheckOnStridedInputs) {
  Tensor base = make({3, 4}, spread(12, 0.2, 2.0), kDouble);
  base.requires_grad_();
  // No exponent exactly 0: there pow's derivative is defined as 0 (libtorch's formula), which
  // finite differences in the exponent do not see.
  Tensor other = make({4, 3}, spread(12, -1.1, 0.9), kDouble);
  other.requires_grad_();
  auto fn = [](const variable_list& in) {
    Tensor t = in[0].t();  // non-contiguous
    return variable_list{tanh(t) + sigmoid(t) * log(t) + pow(t, 1.5) + pow(t, in[1]) +
                         maximum(t, t * 0.5 + 0.6) + clamp(t, 0.3, 1.9) + where(t > 1, t, in[1])};
  };
  EXPECT_TRUE(autograd::gradcheck(fn, {base, other}));
  EXPECT_TRUE(autograd::gradgradcheck(fn, {base, other}));
}

}  // namespace
}  // namespace tg
