// Op cases for the elementwise ops of the op table (tensorgrad/elementwise_ops.def) that arrived
// with it, and for those beside it (polygamma, logit, lerp, addcmul, addcdiv). References are
// plain loops over the inputs' data with std:: functions; where <cmath> has none (erfinv, digamma,
// polygamma), a reference written here from its own method, accurate to about 1e-15 relative.
// Inputs stay inside each op's smooth domain, away from poles, branch cuts, kinks and jumps, so
// that finite differences (gradcheck's step is 1e-6) and the second derivative are meaningful.
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <vector>

#include "op_case.h"

namespace {

using tg::Tensor;
using tg::variable_list;
using Shape = std::vector<int64_t>;

// ---- building inputs and references (no tensorgrad op involved) ----

int64_t count(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

/// A contiguous kDouble leaf of `shape`, element i = gen(i), requiring grad unless told not to.
Tensor leaf(const Shape& shape, const std::function<double(int64_t)>& gen,
            bool requires_grad = true) {
  Tensor t = tg::empty(shape, tg::kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = gen(i);
  t.requires_grad_(requires_grad);
  return t;
}

/// n points of [lo, hi], cell centres, visited in a scrambled order (11 is coprime with every
/// size used here) so that neighbouring elements differ.
std::function<double(int64_t)> over(double lo, double hi, int64_t n) {
  return [lo, hi, n](int64_t i) {
    const int64_t k = (i * 11) % n;
    return lo + (hi - lo) * (static_cast<double>(k) + 0.5) / static_cast<double>(n);
  };
}

/// Values whose magnitude lies in [lo, hi], with alternating signs.
std::function<double(int64_t)> signed_over(double lo, double hi, int64_t n) {
  return [lo, hi, n](int64_t i) {
    const double m = over(lo, hi, n)(i);
    return i % 2 ? -m : m;
  };
}

/// The element of contiguous t that broadcasting maps to row-major position `flat` of `out`.
double broadcast_at(const Tensor& t, const Shape& out, int64_t flat) {
  const int64_t lead = static_cast<int64_t>(out.size()) - t.dim();
  int64_t index = 0, stride = 1;
  for (int64_t d = static_cast<int64_t>(out.size()) - 1; d >= 0; --d) {
    const int64_t coord = flat % out[static_cast<size_t>(d)];
    flat /= out[static_cast<size_t>(d)];
    if (d < lead) continue;
    const int64_t size = t.size(d - lead);
    if (size != 1) index += coord * stride;
    stride *= size;
  }
  return t.data_ptr<double>()[index];
}

/// out[i] = f(x[i]) over contiguous x.
Tensor each(const Tensor& x, const std::function<double(double)>& f) {
  Tensor out = tg::empty(x.sizes(), tg::kDouble);
  const double* px = x.data_ptr<double>();
  double* po = out.data_ptr<double>();
  for (int64_t i = 0; i < x.numel(); ++i) po[i] = f(px[i]);
  return out;
}

/// f over the operands broadcast to `shape` (operands contiguous).
Tensor each(const std::vector<Tensor>& operands, const Shape& shape,
            const std::function<double(const std::vector<double>&)>& f) {
  Tensor out = tg::empty(shape, tg::kDouble);
  double* po = out.data_ptr<double>();
  std::vector<double> v(operands.size());
  for (int64_t i = 0; i < count(shape); ++i) {
    for (size_t k = 0; k < operands.size(); ++k) v[k] = broadcast_at(operands[k], shape, i);
    po[i] = f(v);
  }
  return out;
}

Tensor each2(const Tensor& a, const Tensor& b, const Shape& shape,
             const std::function<double(double, double)>& f) {
  return each({a, b}, shape, [&f](const std::vector<double>& v) { return f(v[0], v[1]); });
}

/// x * 1: a non-leaf copy of x, so that an in-place op may rewrite it.
Tensor non_leaf(const Tensor& x) { return x * 1; }

void add_case(tg::testing::OpCase c) { tg::testing::op_case_registry().push_back(std::move(c)); }

/// A one-input case: fn on a leaf of `shape` from gen, against ref element by element.
void unary(const char* op, const char* variant, const Shape& shape,
           std::function<double(int64_t)> gen, std::function<Tensor(const Tensor&)> fn,
           std::function<double(double)> ref, bool gradgrad = true) {
  add_case({
      .op = op,
      .variant = variant,
      .inputs = [shape, gen] { return variable_list{leaf(shape, gen)}; },
      .fn = [fn](const variable_list& in) { return variable_list{fn(in[0])}; },
      .reference = [ref](const variable_list& in) { return variable_list{each(in[0], ref)}; },
      .gradgrad = gradgrad,
  });
}

/// A two-input case: fn(a, b) on leaves of shapes sa and sb, against ref over the broadcast
/// shape `out`. With b_grad false, b is a constant.
void binary(const char* op, const char* variant, const Shape& sa, std::function<double(int64_t)> ga,
            const Shape& sb, std::function<double(int64_t)> gb, const Shape& out,
            std::function<Tensor(const Tensor&, const Tensor&)> fn,
            std::function<double(double, double)> ref, bool b_grad = true) {
  add_case({
      .op = op,
      .variant = variant,
      .inputs =
          [=] {
            return variable_list{leaf(sa, ga), leaf(sb, gb, b_grad)};
          },
      .fn = [fn](const variable_list& in) { return variable_list{fn(in[0], in[1])}; },
      .reference =
          [ref, out](const variable_list& in) {
            return variable_list{each2(in[0], in[1], out, ref)};
          },
  });
}

// ---- references for the functions <cmath> lacks ----

/// erfinv(y) for |y| < 1: Newton's method on std::erf, x <- x - (erf(x) - y) / erf'(x) with
/// erf'(x) = 2/sqrt(pi) exp(-x^2). erf is concave for x > 0 (convex for x < 0), so from x = 0
/// the iterates approach the root monotonically from the side of 0; stop when they stop moving.
double erfinv_ref(double y) {
  double x = 0;
  for (int k = 0; k < 200; ++k) {
    const double step = (std::erf(x) - y) / (2 * std::numbers::inv_sqrtpi * std::exp(-x * x));
    x -= step;
    if (std::abs(step) <= 1e-17 * std::abs(x)) break;
  }
  return x;
}

/// psi^(n)(x) for n = 0, 1, 2 and x > 0, in long double: the recurrences
///   psi(x) = psi(x + 1) - 1/x,  psi1(x) = psi1(x + 1) + 1/x^2,  psi2(x) = psi2(x + 1) - 2/x^3
/// move x to at least 20, where the asymptotic series (Bernoulli numbers B2..B14)
///   psi(x)  ~ ln x - 1/(2x) - sum_k B_2k / (2k x^2k)
///   psi1(x) ~ 1/x + 1/(2x^2) + sum_k B_2k / x^(2k+1)
///   psi2(x) ~ -1/x^2 - 1/x^3 - sum_k (2k+1) B_2k / x^(2k+2)
/// is truncated after its x^-14 (psi), x^-15 (psi1) or x^-16 (psi2) term: the first omitted term
/// is below 1e-19 relative at x = 20.
double polygamma_ref(int n, double x0) {
  long double x = x0, shift = 0;
  for (; x < 20; x += 1) {
    if (n == 0) shift -= 1 / x;
    if (n == 1) shift += 1 / (x * x);
    if (n == 2) shift -= 2 / (x * x * x);
  }
  // B_2k for k = 1..7.
  const long double bernoulli[] = {1.0L / 6,  -1.0L / 30,     1.0L / 42, -1.0L / 30,
                                   5.0L / 66, -691.0L / 2730, 7.0L / 6};
  const long double inv = 1 / x, inv2 = inv * inv;
  long double series = 0;
  if (n == 0) {
    long double p = inv2;  // x^-2k
    for (int k = 1; k <= 7; ++k, p *= inv2) series -= bernoulli[k - 1] / (2 * k) * p;
    return static_cast<double>(shift + std::log(x) - inv / 2 + series);
  }
  if (n == 1) {
    long double p = inv2 * inv;  // x^-(2k+1)
    for (int k = 1; k <= 7; ++k, p *= inv2) series += bernoulli[k - 1] * p;
    return static_cast<double>(shift + inv + inv2 / 2 + series);
  }
  long double p = inv2 * inv2;  // x^-(2k+2)
  for (int k = 1; k <= 7; ++k, p *= inv2) series -= (2 * k + 1) * bernoulli[k - 1] * p;
  return static_cast<double>(shift - inv2 - inv2 * inv + series);
}

double logit_ref(double x) { return std::log(x / (1 - x)); }

// Inputs shared by several cases.
const Shape s23 = {2, 3};
const auto in_unit = over(-0.9, 0.9, 6);  // inside (-1, 1), away from the ends
/// Non-integer values of both signs, each at least 0.2 from an integer.
const auto non_integer = [](int64_t i) {
  const double v[] = {0.3, -1.6, 2.75, -0.45, 3.2, -2.35};
  return v[i % 6];
};

[[maybe_unused]] const bool kRegistered = [] {
  // ---- unary rows ----
  unary(
      "exp2", "2x3", s23, over(-3, 3, 6), [](const Tensor& x) { return tg::exp2(x); },
      [](double x) { return std::exp2(x); });
  unary(
      "exp2", "in_place_exp2_", s23, over(-3, 3, 6),
      [](const Tensor& x) { return non_leaf(x).exp2_(); }, [](double x) { return std::exp2(x); });
  unary(
      "log2", "positive", s23, over(0.2, 5, 6), [](const Tensor& x) { return tg::log2(x); },
      [](double x) { return std::log2(x); });
  unary(
      "log2", "method_0d", {}, [](int64_t) { return 3.7; },
      [](const Tensor& x) { return x.log2(); }, [](double x) { return std::log2(x); });
  unary(
      "log10", "positive", s23, over(0.2, 50, 6), [](const Tensor& x) { return tg::log10(x); },
      [](double x) { return std::log10(x); });
  unary(
      "log10", "in_place_log10_", s23, over(0.2, 50, 6),
      [](const Tensor& x) { return non_leaf(x).log10_(); }, [](double x) { return std::log10(x); });
  unary(
      "asin", "open_unit", s23, in_unit, [](const Tensor& x) { return tg::asin(x); },
      [](double x) { return std::asin(x); });
  unary(
      "asin", "in_place_asin_", s23, in_unit, [](const Tensor& x) { return non_leaf(x).asin_(); },
      [](double x) { return std::asin(x); });
  unary(
      "acos", "open_unit", s23, in_unit, [](const Tensor& x) { return tg::acos(x); },
      [](double x) { return std::acos(x); });
  unary(
      "acos", "method_3d", {2, 2, 2}, over(-0.95, 0.95, 8),
      [](const Tensor& x) { return x.acos(); }, [](double x) { return std::acos(x); });
  unary(
      "atan", "2x3", s23, over(-4, 4, 6), [](const Tensor& x) { return tg::atan(x); },
      [](double x) { return std::atan(x); });
  unary(
      "atan", "in_place_atan_", s23, over(-4, 4, 6),
      [](const Tensor& x) { return non_leaf(x).atan_(); }, [](double x) { return std::atan(x); });
  unary(
      "sinh", "2x3", s23, over(-3, 3, 6), [](const Tensor& x) { return tg::sinh(x); },
      [](double x) { return std::sinh(x); });
  unary(
      "sinh", "method", s23, over(-3, 3, 6), [](const Tensor& x) { return x.sinh(); },
      [](double x) { return std::sinh(x); });
  unary(
      "cosh", "2x3", s23, over(-3, 3, 6), [](const Tensor& x) { return tg::cosh(x); },
      [](double x) { return std::cosh(x); });
  unary(
      "cosh", "in_place_cosh_", s23, over(-3, 3, 6),
      [](const Tensor& x) { return non_leaf(x).cosh_(); }, [](double x) { return std::cosh(x); });
  unary(
      "asinh", "2x3", s23, over(-4, 4, 6), [](const Tensor& x) { return tg::asinh(x); },
      [](double x) { return std::asinh(x); });
  unary(
      "asinh", "in_place_asinh_", s23, over(-4, 4, 6),
      [](const Tensor& x) { return non_leaf(x).asinh_(); }, [](double x) { return std::asinh(x); });
  unary(
      "acosh", "above_one", s23, over(1.2, 5, 6), [](const Tensor& x) { return tg::acosh(x); },
      [](double x) { return std::acosh(x); });
  unary(
      "acosh", "method", s23, over(1.2, 5, 6), [](const Tensor& x) { return x.acosh(); },
      [](double x) { return std::acosh(x); });
  unary(
      "atanh", "open_unit", s23, in_unit, [](const Tensor& x) { return tg::atanh(x); },
      [](double x) { return std::atanh(x); });
  unary(
      "atanh", "in_place_atanh_", s23, in_unit,
      [](const Tensor& x) { return non_leaf(x).atanh_(); }, [](double x) { return std::atanh(x); });
  unary(
      "erfc", "2x3", s23, over(-2.5, 2.5, 6), [](const Tensor& x) { return tg::erfc(x); },
      [](double x) { return std::erfc(x); });
  unary(
      "erfc", "method", s23, over(-2.5, 2.5, 6), [](const Tensor& x) { return x.erfc(); },
      [](double x) { return std::erfc(x); });
  unary(
      "erfinv", "open_unit", s23, in_unit, [](const Tensor& x) { return tg::erfinv(x); },
      erfinv_ref);
  unary(
      "erfinv", "in_place_erfinv_", {7}, over(-0.97, 0.97, 7),
      [](const Tensor& x) { return non_leaf(x).erfinv_(); }, erfinv_ref);
  unary(
      "lgamma", "positive", s23, over(0.3, 6, 6), [](const Tensor& x) { return tg::lgamma(x); },
      [](double x) { return std::lgamma(x); });
  // Between the poles at -3 and -2 gamma is positive, between -2 and -1 negative: lgamma is
  // log |gamma| and smooth on both intervals.
  unary(
      "lgamma", "negative_non_integer_method", s23,
      [](int64_t i) { return -2.8 + 0.3 * static_cast<double>(i) + (i >= 3 ? 0.1 : 0.0); },
      [](const Tensor& x) { return x.lgamma(); }, [](double x) { return std::lgamma(x); });
  unary(
      "digamma", "positive", s23, over(0.3, 6, 6), [](const Tensor& x) { return tg::digamma(x); },
      [](double x) { return polygamma_ref(0, x); });
  unary(
      "digamma", "in_place_digamma_", s23, over(0.5, 30, 6),
      [](const Tensor& x) { return non_leaf(x).digamma_(); },
      [](double x) { return polygamma_ref(0, x); });
  unary(
      "frac", "non_integer", s23, non_integer, [](const Tensor& x) { return tg::frac(x); },
      [](double x) { return x - std::trunc(x); });
  unary(
      "frac", "in_place_frac_", s23, non_integer,
      [](const Tensor& x) { return non_leaf(x).frac_(); },
      [](double x) { return x - std::trunc(x); });
  unary(
      "trunc", "non_integer_zero_derivative_so_no_gradgrad", s23, non_integer,
      [](const Tensor& x) { return tg::trunc(x); }, [](double x) { return std::trunc(x); }, false);
  unary(
      "trunc", "method_zero_derivative_so_no_gradgrad", s23, non_integer,
      [](const Tensor& x) { return x.trunc(); }, [](double x) { return std::trunc(x); }, false);
  unary(
      "sgn", "non_zero_zero_derivative_so_no_gradgrad", s23, signed_over(0.4, 2, 6),
      [](const Tensor& x) { return tg::sgn(x); }, [](double x) { return x > 0 ? 1.0 : -1.0; },
      false);
  unary(
      "sgn", "in_place_sgn__zero_derivative_so_no_gradgrad", s23, signed_over(0.4, 2, 6),
      [](const Tensor& x) { return non_leaf(x).sgn_(); },
      [](double x) { return x > 0 ? 1.0 : -1.0; }, false);

  // ---- polygamma and logit ----
  unary(
      "polygamma", "n1_trigamma", s23, over(0.3, 6, 6),
      [](const Tensor& x) { return tg::polygamma(1, x); },
      [](double x) { return polygamma_ref(1, x); });
  unary(
      "polygamma", "n2_method", s23, over(0.5, 6, 6),
      [](const Tensor& x) { return x.polygamma(2); }, [](double x) { return polygamma_ref(2, x); });
  unary(
      "polygamma", "n0_is_digamma", s23, over(0.5, 6, 6),
      [](const Tensor& x) { return tg::polygamma(0, x); },
      [](double x) { return polygamma_ref(0, x); });
  unary(
      "polygamma", "in_place_polygamma__n1", s23, over(0.5, 6, 6),
      [](const Tensor& x) { return non_leaf(x).polygamma_(1); },
      [](double x) { return polygamma_ref(1, x); });
  unary(
      "logit", "no_eps", s23, over(0.05, 0.95, 6), [](const Tensor& x) { return tg::logit(x); },
      logit_ref);
  // eps = 0.2 clamps to [0.2, 0.8]: inputs on both flat parts and in between, none within 0.05
  // of the bounds (the kinks).
  unary(
      "logit", "eps_clamps_both_ends_method", {8},
      [](int64_t i) {
        const double v[] = {0.02, 0.9, 0.45, 0.1, 0.62, 0.97, 0.3, 0.74};
        return v[i];
      },
      [](const Tensor& x) { return x.logit(0.2); },
      [](double x) {
        return logit_ref(x < 0.2 ? 0.2 : x > 0.8 ? 0.8 : x);
      });
  unary(
      "logit", "in_place_logit__eps", s23, over(0.05, 0.95, 6),
      [](const Tensor& x) { return non_leaf(x).logit_(0.01); }, logit_ref);

  // ---- binary rows ----
  // atan2 away from the origin and from its branch cut (a = 0 with b < 0): |a| >= 0.3.
  binary(
      "atan2", "broadcast", {2, 1, 3}, signed_over(0.3, 2, 6), {4, 1}, over(-2, 2, 4), {2, 4, 3},
      [](const Tensor& a, const Tensor& b) { return tg::atan2(a, b); },
      [](double a, double b) { return std::atan2(a, b); });
  binary(
      "atan2", "in_place_atan2_", s23, signed_over(0.3, 2, 6), {3}, over(-2, 2, 3), s23,
      [](const Tensor& a, const Tensor& b) { return non_leaf(a).atan2_(b); },
      [](double a, double b) { return std::atan2(a, b); });
  binary(
      "hypot", "broadcast", {3, 1}, over(-2, 2, 3), {4}, signed_over(0.5, 2, 4), {3, 4},
      [](const Tensor& a, const Tensor& b) { return tg::hypot(a, b); },
      [](double a, double b) { return std::hypot(a, b); });
  binary(
      "hypot", "method", s23, over(-3, 3, 6), s23, signed_over(0.2, 1, 6), s23,
      [](const Tensor& a, const Tensor& b) { return a.hypot(b); },
      [](double a, double b) { return std::hypot(a, b); });
  // copysign's slope in b is zero away from b = 0 (gradcheck still compares it); a != 0.
  binary(
      "copysign", "broadcast", s23, signed_over(0.3, 2, 6), {3}, signed_over(0.5, 1.5, 3), s23,
      [](const Tensor& a, const Tensor& b) { return tg::copysign(a, b); },
      [](double a, double b) { return std::copysign(a, b); });
  unary(
      "copysign", "scalar_negative", s23, signed_over(0.3, 2, 6),
      [](const Tensor& a) { return tg::copysign(a, -1.5); },
      [](double a) { return std::copysign(a, -1.5); });
  unary(
      "copysign", "in_place_copysign__scalar", s23, signed_over(0.3, 2, 6),
      [](const Tensor& a) { return non_leaf(a).copysign_(2); },
      [](double a) { return std::abs(a); });
  binary(
      "xlogy", "broadcast", {2, 3}, over(-2, 2, 6), {2, 1}, over(0.3, 3, 2), s23,
      [](const Tensor& a, const Tensor& b) { return tg::xlogy(a, b); },
      [](double a, double b) { return a * std::log(b); });
  unary(
      "xlogy", "tensor_scalar_method", s23, over(-2, 2, 6),
      [](const Tensor& a) { return a.xlogy(2.5); }, [](double a) { return a * std::log(2.5); });
  unary(
      "xlogy", "scalar_tensor", s23, over(0.3, 4, 6),
      [](const Tensor& b) { return tg::xlogy(1.5, b); },
      [](double b) { return 1.5 * std::log(b); });
  // At x = 0 the function is still x log(y) around it: its slope in x is log(y), not 0.
  binary(
      "xlogy", "zero_x_slope_is_log_y", {2, 3}, [](int64_t i) { return i % 2 ? 0.0 : 0.5 * i - 1; },
      {3}, over(0.3, 3, 3), s23, [](const Tensor& a, const Tensor& b) { return tg::xlogy(a, b); },
      [](double a, double b) { return a == 0 ? 0.0 : a * std::log(b); });
  binary(
      "xlogy", "in_place_xlogy_", s23, over(-2, 2, 6), s23, over(0.3, 3, 6), s23,
      [](const Tensor& a, const Tensor& b) { return non_leaf(a).xlogy_(b); },
      [](double a, double b) { return a * std::log(b); });
  // fmod and remainder with a / b at least 0.05 from an integer, operands of both signs.
  binary(
      "fmod", "broadcast_signs", {2, 3}, over(-5, 5, 6), {3},
      [](int64_t i) {
        return std::vector<double>{1.3, -1.7, 2.2}[static_cast<size_t>(i)];
      },
      s23, [](const Tensor& a, const Tensor& b) { return tg::fmod(a, b); },
      [](double a, double b) { return std::fmod(a, b); });
  unary(
      "fmod", "tensor_scalar_method", s23, over(-5, 5, 6),
      [](const Tensor& a) { return a.fmod(1.3); }, [](double a) { return std::fmod(a, 1.3); });
  binary(
      "fmod", "in_place_fmod_", s23, over(-5, 5, 6), s23, signed_over(0.7, 1.9, 6), s23,
      [](const Tensor& a, const Tensor& b) { return non_leaf(a).fmod_(b); },
      [](double a, double b) { return std::fmod(a, b); });
  // remainder: a - floor(a / b) b, the sign of b.
  const auto python_mod = [](double a, double b) {
    const double r = std::fmod(a, b);
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
  };
  binary(
      "remainder", "broadcast_signs", {2, 3}, over(-5, 5, 6), {3},
      [](int64_t i) {
        return std::vector<double>{1.3, -1.7, 2.2}[static_cast<size_t>(i)];
      },
      s23, [](const Tensor& a, const Tensor& b) { return tg::remainder(a, b); }, python_mod);
  unary(
      "remainder", "tensor_scalar_negative", s23, over(-5, 5, 6),
      [](const Tensor& a) { return tg::remainder(a, -1.3); },
      [python_mod](double a) { return python_mod(a, -1.3); });
  unary(
      "remainder", "scalar_tensor", s23, signed_over(0.7, 1.9, 6),
      [](const Tensor& b) { return tg::remainder(4.1, b); },
      [python_mod](double b) { return python_mod(4.1, b); });
  binary(
      "remainder", "in_place_remainder_method", s23, over(-5, 5, 6), s23, signed_over(0.7, 1.9, 6),
      s23, [](const Tensor& a, const Tensor& b) { return non_leaf(a).remainder_(b); }, python_mod);

  // ---- lerp, addcmul, addcdiv ----
  binary(
      "lerp", "scalar_weight_broadcast", {2, 1, 3}, over(-2, 2, 6), {4, 1}, over(-1, 3, 4),
      {2, 4, 3}, [](const Tensor& s, const Tensor& e) { return tg::lerp(s, e, 0.3); },
      [](double s, double e) { return s + 0.3 * (e - s); });
  // Weight >= 0.5 takes the other formula (from the end): the same function.
  binary(
      "lerp", "scalar_weight_above_half_method", s23, over(-2, 2, 6), s23, over(-1, 3, 6), s23,
      [](const Tensor& s, const Tensor& e) { return s.lerp(e, 0.8); },
      [](double s, double e) { return s + 0.8 * (e - s); });
  add_case({
      .op = "lerp",
      .variant = "tensor_weight_broadcast",
      .inputs =
          [] {
            return variable_list{leaf({2, 1, 3}, over(-2, 2, 6)), leaf({4, 1}, over(-1, 3, 4)),
                                 leaf({3}, over(-0.5, 1.5, 3))};
          },
      .fn = [](const variable_list& in) { return variable_list{tg::lerp(in[0], in[1], in[2])}; },
      .reference =
          [](const variable_list& in) {
            return variable_list{each({in[0], in[1], in[2]}, {2, 4, 3},
                                      [](const auto& v) { return v[0] + v[2] * (v[1] - v[0]); })};
          },
  });
  add_case({
      .op = "lerp",
      .variant = "in_place_lerp__tensor_weight",
      .inputs =
          [] {
            return variable_list{leaf(s23, over(-2, 2, 6)), leaf({3}, over(-1, 3, 3)),
                                 leaf(s23, over(0.1, 0.9, 6))};
          },
      .fn =
          [](const variable_list& in) {
            return variable_list{non_leaf(in[0]).lerp_(in[1], in[2])};
          },
      .reference =
          [](const variable_list& in) {
            return variable_list{each({in[0], in[1], in[2]}, s23,
                                      [](const auto& v) { return v[0] + v[2] * (v[1] - v[0]); })};
          },
  });
  add_case({
      .op = "addcmul",
      .variant = "broadcast_value",
      .inputs =
          [] {
            return variable_list{leaf({3}, over(-1, 1, 3)), leaf({2, 1}, over(-2, 2, 2)),
                                 leaf({2, 3}, over(-1.5, 1.5, 6))};
          },
      .fn =
          [](const variable_list& in) {
            return variable_list{tg::addcmul(in[0], in[1], in[2], -0.7)};
          },
      .reference =
          [](const variable_list& in) {
            return variable_list{each({in[0], in[1], in[2]}, s23,
                                      [](const auto& v) { return v[0] - 0.7 * v[1] * v[2]; })};
          },
  });
  add_case({
      .op = "addcmul",
      .variant = "in_place_addcmul_",
      .inputs =
          [] {
            return variable_list{leaf(s23, over(-1, 1, 6)), leaf(s23, over(-2, 2, 6)),
                                 leaf({3}, over(-1.5, 1.5, 3))};
          },
      .fn =
          [](const variable_list& in) {
            return variable_list{non_leaf(in[0]).addcmul_(in[1], in[2], 2)};
          },
      .reference =
          [](const variable_list& in) {
            return variable_list{each({in[0], in[1], in[2]}, s23,
                                      [](const auto& v) { return v[0] + 2 * v[1] * v[2]; })};
          },
  });
  add_case({
      .op = "addcdiv",
      .variant = "broadcast_value",
      .inputs =
          [] {
            return variable_list{leaf({2, 1}, over(-1, 1, 2)), leaf({3}, over(-2, 2, 3)),
                                 leaf(s23, signed_over(0.5, 2, 6))};
          },
      .fn =
          [](const variable_list& in) {
            return variable_list{tg::addcdiv(in[0], in[1], in[2], 0.6)};
          },
      .reference =
          [](const variable_list& in) {
            return variable_list{each({in[0], in[1], in[2]}, s23,
                                      [](const auto& v) { return v[0] + 0.6 * v[1] / v[2]; })};
          },
  });
  add_case({
      .op = "addcdiv",
      .variant = "method_default_value",
      .inputs =
          [] {
            return variable_list{leaf(s23, over(-1, 1, 6)), leaf(s23, over(-2, 2, 6)),
                                 leaf({3}, signed_over(0.5, 2, 3))};
          },
      .fn = [](const variable_list& in) { return variable_list{in[0].addcdiv(in[1], in[2])}; },
      .reference =
          [](const variable_list& in) {
            return variable_list{
                each({in[0], in[1], in[2]}, s23, [](const auto& v) { return v[0] + v[1] / v[2]; })};
          },
  });
  add_case({
      .op = "addcdiv",
      .variant = "in_place_addcdiv_",
      .inputs =
          [] {
            return variable_list{leaf(s23, over(-1, 1, 6)), leaf(s23, over(-2, 2, 6)),
                                 leaf(s23, signed_over(0.5, 2, 6))};
          },
      .fn =
          [](const variable_list& in) {
            return variable_list{non_leaf(in[0]).addcdiv_(in[1], in[2], -1.5)};
          },
      .reference =
          [](const variable_list& in) {
            return variable_list{each({in[0], in[1], in[2]}, s23,
                                      [](const auto& v) { return v[0] - 1.5 * v[1] / v[2]; })};
          },
  });
  return true;
}();

}  // namespace
