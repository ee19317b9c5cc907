// Elementwise math (exp log log1p expm1 sqrt rsqrt abs sign sin cos tan tanh sigmoid reciprocal
// square erf floor ceil round) and pow: each op's forward kernel and derivative side by side, the
// derivatives as in libtorch's derivatives.yaml.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <type_traits>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"
#include "ops/unary_common.h"
#include "kernels/unary_simd.h"

namespace tg {
namespace {

using simd::MathFn;

// ---- floating-point functions -------------------------------------------------------------
// Each Op gives its name, its SIMD loop and the scalar function used where there is no SIMD loop
// (no AVX-512, strided runs, integer inputs).
#define TG_MATH_OP(Name, str, fn_enum, expr)                  \
  struct Name {                                               \
    [[maybe_unused]] static constexpr const char* name = str; \
    static constexpr MathFn fn = MathFn::fn_enum;             \
    template <class T>                                        \
    static T f(T x) {                                         \
      return expr;                                            \
    }                                                         \
  };
TG_MATH_OP(ExpOp, "exp", Exp, std::exp(x))
TG_MATH_OP(LogOp, "log", Log, std::log(x))
TG_MATH_OP(Log1pOp, "log1p", Log1p, std::log1p(x))
TG_MATH_OP(Expm1Op, "expm1", Expm1, std::expm1(x))
TG_MATH_OP(SqrtOp, "sqrt", Sqrt, std::sqrt(x))
TG_MATH_OP(RsqrtOp, "rsqrt", Rsqrt, T(1) / std::sqrt(x))
TG_MATH_OP(SinOp, "sin", Sin, std::sin(x))
TG_MATH_OP(CosOp, "cos", Cos, std::cos(x))
TG_MATH_OP(TanOp, "tan", Tan, std::tan(x))
TG_MATH_OP(TanhOp, "tanh", Tanh, std::tanh(x))
TG_MATH_OP(SigmoidOp, "sigmoid", Sigmoid, T(1) / (T(1) + std::exp(-x)))
TG_MATH_OP(ReciprocalOp, "reciprocal", Reciprocal, T(1) / x)
TG_MATH_OP(ErfOp, "erf", Erf, std::erf(x))
TG_MATH_OP(FloorOp, "floor", Floor, std::floor(x))
TG_MATH_OP(CeilOp, "ceil", Ceil, std::ceil(x))
// Half-way cases to even, as libtorch.
TG_MATH_OP(RoundOp, "round", Round, std::nearbyint(x))
#undef TG_MATH_OP

/// out = Op(in) for T = float or double: contiguous runs go to the SIMD loop when there is one.
template <class T, class Op>
void math_kernel(const Tensor& out, const Tensor& in) {
  void (*vec)(const T*, T*, int64_t);
  if constexpr (std::is_same_v<T, float>)
    vec = simd::float_loop(Op::fn);
  else
    vec = simd::double_loop(Op::fn);
  kernels::StridedIter<2> it(out.sizes(), {out, in});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
      if (vec) {
        vec(x, o, n);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i] = Op::template f<T>(x[i]);
      }
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) =
            Op::template f<T>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
    }
  });
}

/// A function defined on the reals: Float and Double inputs compute in their own type; Long and
/// Bool inputs give a Float result, as libtorch.
template <class Op>
Tensor float_math(const Tensor& x) {
  const ScalarType rt = is_floating_point(x.dtype()) ? x.dtype() : kFloat;
  Tensor out = detail::make_empty(x.sizes(), rt);
  switch (x.dtype()) {
    case kFloat:
      math_kernel<float, Op>(out, x);
      break;
    case kDouble:
      math_kernel<double, Op>(out, x);
      break;
    case kLong:
      kernels::unary_loop<float, int64_t>(
          out, x, [](int64_t v) { return Op::template f<float>(static_cast<float>(v)); });
      break;
    case kBool:
      kernels::unary_loop<float, bool>(out, x,
                                       [](bool v) { return Op::template f<float>(v ? 1.f : 0.f); });
      break;
  }
  return out;
}

/// floor, ceil, round: integers are already whole, so Long inputs are copied (as libtorch); Bool
/// inputs are refused as libtorch does.
template <class Op>
Tensor rounding_math(const Tensor& x) {
  TG_CHECK(x.dtype() != kBool, Op::name, ": not implemented for Bool tensors (shape ",
           detail::shape_str(x.sizes()), "); convert first with .to(tg::kFloat)");
  Tensor out = detail::make_empty(x.sizes(), x.dtype());
  switch (x.dtype()) {
    case kFloat:
      math_kernel<float, Op>(out, x);
      break;
    case kDouble:
      math_kernel<double, Op>(out, x);
      break;
    default:
      detail::copy_into(out, x);
      break;
  }
  return out;
}

/// True when a derivative can run as one fused loop: no graph is being built through it (so it
/// never needs differentiating) and the operands are plain same-shape floating tensors.
bool can_fuse(const Tensor& g, const Tensor& y) {
  return !autograd::needs_grad(g, y) && g.dtype() == y.dtype() && y.is_floating_point() &&
         g.sizes() == y.sizes();
}

/// out = f(g, y) in one pass (see can_fuse).
template <class F>
Tensor fused_backward(const Tensor& g, const Tensor& y, F f) {
  Tensor out = detail::make_empty(y.sizes(), y.dtype());
  if (y.dtype() == kFloat)
    kernels::binary_loop<float, float, float>(out, g, y, f);
  else
    kernels::binary_loop<double, double, double>(out, g, y, f);
  return out;
}

// ---- pow --------------------------------------------------------------------------------------

/// Integer power with libtorch's rules for negative exponents (integral division: 0 unless the
/// base is 1 or -1); wraps on overflow like libtorch instead of being undefined.
int64_t powi(int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp % 2 != 0) ? -1 : 1;
    return 0;
  }
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  auto e = static_cast<uint64_t>(exp);
  while (e) {
    if (e & 1u) result *= b;
    b *= b;
    e >>= 1;
  }
  return static_cast<int64_t>(result);
}

void check_pow_dtype(ScalarType rt, const char* detail_msg) {
  TG_CHECK(rt != kBool, "pow: not implemented for Bool results (", detail_msg,
           "); convert the base to .to(tg::kLong) or a floating type first");
}

/// out = in ^ e for a floating T, with libtorch's fast paths for common exponents.
template <class T>
void pow_scalar_kernel(const Tensor& out, const Tensor& in, double e) {
  using kernels::unary_loop;
  if (e == 2.0) {
    unary_loop<T, T>(out, in, [](T x) { return x * x; });
  } else if (e == 3.0) {
    unary_loop<T, T>(out, in, [](T x) { return x * x * x; });
  } else if (e == 0.5) {
    math_kernel<T, SqrtOp>(out, in);
  } else if (e == -0.5) {
    math_kernel<T, RsqrtOp>(out, in);
  } else if (e == -1.0) {
    math_kernel<T, ReciprocalOp>(out, in);
  } else if (e == -2.0) {
    unary_loop<T, T>(out, in, [](T x) { return T(1) / (x * x); });
  } else {
    const T ev = static_cast<T>(e);
    unary_loop<T, T>(out, in, [ev](T x) { return std::pow(x, ev); });
  }
}

Tensor pow_tensor_scalar_forward(const Tensor& self, const Scalar& exponent) {
  TG_CHECK(
      !(is_integral(self.dtype(), true) && exponent.isIntegral(false) && exponent.toLong() < 0),
      "pow: Integers to negative integer powers are not allowed (base dtype ", self.dtype(),
      ", exponent ", exponent, "); convert the base to a floating type with .to(tg::kFloat)");
  const ScalarType rt = result_type(self, exponent);
  check_pow_dtype(rt, "Bool tensor to a Bool exponent");
  Tensor out = detail::make_empty(self.sizes(), rt);
  if (exponent.toDouble() == 0.0) {
    detail::copy_into(out, scalar_tensor(1, rt));
    return out;
  }
  if (exponent.toDouble() == 1.0) {
    detail::copy_into(out, self);
    return out;
  }
  const Tensor in = detail::cast(self, rt);
  switch (rt) {
    case kFloat:
      pow_scalar_kernel<float>(out, in, exponent.toDouble());
      break;
    case kDouble:
      pow_scalar_kernel<double>(out, in, exponent.toDouble());
      break;
    default: {
      const int64_t e = exponent.toLong();
      kernels::unary_loop<int64_t, int64_t>(out, in, [e](int64_t x) { return powi(x, e); });
      break;
    }
  }
  return out;
}

/// exponent - 1 keeping the Scalar's kind (an integral exponent stays integral).
Scalar minus_one(const Scalar& e) {
  if (e.isFloatingPoint()) return Scalar(e.toDouble() - 1.0);
  return Scalar(e.toLong() - 1);
}

/// d(self^e)/d self = e * self^(e-1) (zero for e == 0), the PowBackward0 formula.
Tensor pow_backward_self_scalar(const Tensor& grad, const Tensor& self, const Scalar& e) {
  if (e.toDouble() == 0.0) return zeros_like(grad);
  return grad * (self.pow(minus_one(e)) * e);
}

}  // namespace

// ---- elementwise math ---------------------------------------------------------------------------

Tensor exp(const Tensor& x) {
  Tensor y = float_math<ExpOp>(x);
  if (autograd::needs_grad(x))
    autograd::record(
        "ExpBackward0", {x}, {y}, autograd::save(autograd::output(y)),
        [](autograd::BackwardArgs<1>& a) -> variable_list { return {a.grad() * a.saved[0]}; });
  return y;
}

Tensor log(const Tensor& x) {
  Tensor y = float_math<LogOp>(x);
  if (autograd::needs_grad(x))
    autograd::record(
        "LogBackward0", {x}, {y}, autograd::save(x),
        [](autograd::BackwardArgs<1>& a) -> variable_list { return {a.grad() / a.saved[0]}; });
  return y;
}

Tensor log1p(const Tensor& x) {
  Tensor y = float_math<Log1pOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("Log1PBackward0", {x}, {y}, autograd::save(x),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {a.grad() / (a.saved[0] + 1)};
                     });
  return y;
}

Tensor expm1(const Tensor& x) {
  Tensor y = float_math<Expm1Op>(x);
  if (autograd::needs_grad(x))
    autograd::record("Expm1Backward0", {x}, {y}, autograd::save(autograd::output(y)),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {a.grad() * (a.saved[0] + 1)};
                     });
  return y;
}

Tensor sqrt(const Tensor& x) {
  Tensor y = float_math<SqrtOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("SqrtBackward0", {x}, {y}, autograd::save(autograd::output(y)),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {a.grad() / (2 * a.saved[0])};
                     });
  return y;
}

Tensor rsqrt(const Tensor& x) {
  Tensor y = float_math<RsqrtOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("RsqrtBackward0", {x}, {y}, autograd::save(autograd::output(y)),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       // d x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3
                       return {-0.5 * a.grad() * a.saved[0].pow(3)};
                     });
  return y;
}

Tensor abs(const Tensor& x) {
  TG_CHECK(x.dtype() != kBool, "abs: not implemented for Bool tensors (shape ",
           detail::shape_str(x.sizes()), "); convert first with .to(tg::kLong)");
  Tensor y = detail::make_empty(x.sizes(), x.dtype());
  kernels::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>)
      kernels::unary_loop<T, T>(y, x, [](T v) {
        if constexpr (std::is_floating_point_v<T>)
          return std::abs(v);
        else
          return v < 0 ? static_cast<T>(0 - static_cast<uint64_t>(v)) : v;  // wraps like libtorch
      });
  });
  if (autograd::needs_grad(x))
    autograd::record("AbsBackward0", {x}, {y}, autograd::save(x),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       // sign(0) = 0: the subgradient libtorch picks at the kink.
                       return {a.grad() * a.saved[0].sign()};
                     });
  return y;
}

Tensor sign(const Tensor& x) {
  Tensor y = detail::make_empty(x.sizes(), x.dtype());
  kernels::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>)
      kernels::unary_loop<bool, bool>(y, x, [](bool v) { return v; });
    else  // NaN compares false both ways: sign(NaN) = 0, as libtorch.
      kernels::unary_loop<T, T>(y, x, [](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); });
  });
  if (autograd::needs_grad(x))
    autograd::record(
        "SignBackward0", {x}, {y}, autograd::save(),
        [](autograd::BackwardArgs<0>& a) -> variable_list { return {zeros_like(a.grad())}; });
  return y;
}

Tensor sin(const Tensor& x) {
  Tensor y = float_math<SinOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("SinBackward0", {x}, {y}, autograd::save(x),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {a.grad() * a.saved[0].cos()};
                     });
  return y;
}

Tensor cos(const Tensor& x) {
  Tensor y = float_math<CosOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("CosBackward0", {x}, {y}, autograd::save(x),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {a.grad() * -a.saved[0].sin()};
                     });
  return y;
}

Tensor tan(const Tensor& x) {
  Tensor y = float_math<TanOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("TanBackward0", {x}, {y}, autograd::save(autograd::output(y)),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       const Tensor& y = a.saved[0];
                       return {a.grad() * (1 + y * y)};
                     });
  return y;
}

Tensor tanh(const Tensor& x) {
  Tensor y = float_math<TanhOp>(x);
  if (autograd::needs_grad(x))
    autograd::record(
        "TanhBackward0", {x}, {y}, autograd::save(autograd::output(y)),
        [](autograd::BackwardArgs<1>& a) -> variable_list {
          // From the saved output, so that double backward differentiates y too.
          const Tensor& g = a.grad();
          const Tensor& y = a.saved[0];
          if (can_fuse(g, y))
            return {fused_backward(g, y, [](auto gv, auto yv) { return gv * (1 - yv * yv); })};
          return {g * (1 - y * y)};
        });
  return y;
}

Tensor sigmoid(const Tensor& x) {
  Tensor y = float_math<SigmoidOp>(x);
  if (autograd::needs_grad(x))
    autograd::record(
        "SigmoidBackward0", {x}, {y}, autograd::save(autograd::output(y)),
        [](autograd::BackwardArgs<1>& a) -> variable_list {
          const Tensor& g = a.grad();
          const Tensor& y = a.saved[0];
          if (can_fuse(g, y))
            return {fused_backward(g, y, [](auto gv, auto yv) { return gv * (1 - yv) * yv; })};
          return {g * (1 - y) * y};
        });
  return y;
}

Tensor reciprocal(const Tensor& x) {
  Tensor y = float_math<ReciprocalOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("ReciprocalBackward0", {x}, {y}, autograd::save(autograd::output(y)),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       const Tensor& y = a.saved[0];
                       return {-a.grad() * (y * y)};
                     });
  return y;
}

/// x^2 through pow, so that its node is PowBackward0 and Bool gives Long, as libtorch.
Tensor square(const Tensor& x) { return pow(x, 2); }

Tensor erf(const Tensor& x) {
  Tensor y = float_math<ErfOp>(x);
  if (autograd::needs_grad(x))
    autograd::record("ErfBackward0", {x}, {y}, autograd::save(x),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       // d erf(x) = 2/sqrt(pi) exp(-x^2)
                       const Tensor& x = a.saved[0];
                       return {a.grad() * (2.0 * std::numbers::inv_sqrtpi) * exp(-(x * x))};
                     });
  return y;
}

namespace {
/// floor, ceil and round are piecewise constant: their derivative is zero.
template <class Op>
Tensor rounding_op(const Tensor& x, const char* node) {
  Tensor y = rounding_math<Op>(x);
  if (autograd::needs_grad(x))
    autograd::record(
        node, {x}, {y}, autograd::save(),
        [](autograd::BackwardArgs<0>& a) -> variable_list { return {zeros_like(a.grad())}; });
  return y;
}
}  // namespace

Tensor floor(const Tensor& x) { return rounding_op<FloorOp>(x, "FloorBackward0"); }
Tensor ceil(const Tensor& x) { return rounding_op<CeilOp>(x, "CeilBackward0"); }
Tensor round(const Tensor& x) { return rounding_op<RoundOp>(x, "RoundBackward0"); }

// ---- pow ----------------------------------------------------------------------------------------

Tensor pow(const Tensor& self, const Scalar& exponent) {
  Tensor result = pow_tensor_scalar_forward(self, exponent);
  if (autograd::needs_grad(self))
    autograd::record("PowBackward0", {self}, {result}, autograd::save(self),
                     [exponent](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {pow_backward_self_scalar(a.grad(), a.saved[0], exponent)};
                     });
  return result;
}

Tensor pow(const Tensor& self, const Tensor& exponent) {
  const ScalarType rt = result_type(self, exponent);
  check_pow_dtype(rt, "Bool base and Bool exponent");
  const DimVector shape = unary_ops::broadcast_operands("pow", {&self, &exponent});
  Tensor result = detail::make_empty(shape, rt);
  const Tensor base = detail::cast(self, rt), exp = detail::cast(exponent, rt);
  switch (rt) {
    case kFloat:
      kernels::binary_loop<float, float, float>(result, base, exp,
                                                [](float x, float e) { return std::pow(x, e); });
      break;
    case kDouble:
      kernels::binary_loop<double, double, double>(
          result, base, exp, [](double x, double e) { return std::pow(x, e); });
      break;
    default:
      kernels::binary_loop<int64_t, int64_t, int64_t>(result, base, exp, powi);
      break;
  }
  if (autograd::needs_grad(self, exponent))
    autograd::record("PowBackward1", {self, exponent}, {result},
                     autograd::save(self, exponent, autograd::output(result)),
                     [](autograd::BackwardArgs<3>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &x = a.saved[0], &e = a.saved[1], &r = a.saved[2];
                       Tensor gx, ge;
                       // d/dx x^e = e x^(e-1), taken as 0 where e == 0 (x^0 is constant even at x =
                       // 0).
                       if (a.needs(0)) gx = where(e == 0, 0, g * (e * x.pow(e - 1)));
                       // d/de x^e = x^e log x, taken as 0 where x == 0 and e >= 0 (log 0 would give
                       // NaN).
                       if (a.needs(1)) {
                         const Tensor r_log_x = r * log(x);
                         ge = g * where(x == 0, where(e >= 0, 0, r_log_x), r_log_x);
                       }
                       return {gx, ge};
                     });
  return result;
}

Tensor pow(const Scalar& self, const Tensor& exponent) {
  const ScalarType rt = result_type(exponent, self);
  check_pow_dtype(rt, "Bool base and Bool exponent");
  Tensor result = detail::make_empty(exponent.sizes(), rt);
  if (self.toDouble() == 1.0) {
    detail::copy_into(result, scalar_tensor(1, rt));  // 1^e = 1, even for e = NaN
  } else {
    const Tensor exp = detail::cast(exponent, rt);
    switch (rt) {
      case kFloat: {
        const float b = self.toFloat();
        kernels::unary_loop<float, float>(result, exp, [b](float e) { return std::pow(b, e); });
        break;
      }
      case kDouble: {
        const double b = self.toDouble();
        kernels::unary_loop<double, double>(result, exp, [b](double e) { return std::pow(b, e); });
        break;
      }
      default: {
        const int64_t b = self.toLong();
        kernels::unary_loop<int64_t, int64_t>(result, exp, [b](int64_t e) { return powi(b, e); });
        break;
      }
    }
  }
  if (autograd::needs_grad(exponent))
    autograd::record("PowBackward2", {exponent}, {result},
                     autograd::save(exponent, autograd::output(result)),
                     [self](autograd::BackwardArgs<2>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &e = a.saved[0], &r = a.saved[1];
                       const double log_base = std::log(self.toDouble());
                       // d/de b^e = b^e log b, taken as 0 where b == 0 and e >= 0.
                       if (self.toDouble() == 0.0) return {g * where(e >= 0, 0, r * log_base)};
                       return {g * (r * log_base)};
                     });
  return result;
}

// ---- Tensor methods -----------------------------------------------------------------------------

Tensor Tensor::exp() const { return tg::exp(*this); }
Tensor Tensor::log() const { return tg::log(*this); }
Tensor Tensor::log1p() const { return tg::log1p(*this); }
Tensor Tensor::expm1() const { return tg::expm1(*this); }
Tensor Tensor::sqrt() const { return tg::sqrt(*this); }
Tensor Tensor::rsqrt() const { return tg::rsqrt(*this); }
Tensor Tensor::abs() const { return tg::abs(*this); }
Tensor Tensor::sign() const { return tg::sign(*this); }
Tensor Tensor::sin() const { return tg::sin(*this); }
Tensor Tensor::cos() const { return tg::cos(*this); }
Tensor Tensor::tan() const { return tg::tan(*this); }
Tensor Tensor::tanh() const { return tg::tanh(*this); }
Tensor Tensor::sigmoid() const { return tg::sigmoid(*this); }
Tensor Tensor::reciprocal() const { return tg::reciprocal(*this); }
Tensor Tensor::square() const { return tg::square(*this); }
Tensor Tensor::erf() const { return tg::erf(*this); }
Tensor Tensor::floor() const { return tg::floor(*this); }
Tensor Tensor::ceil() const { return tg::ceil(*this); }
Tensor Tensor::round() const { return tg::round(*this); }
Tensor Tensor::pow(const Tensor& exponent) const { return tg::pow(*this, exponent); }
Tensor Tensor::pow(const Scalar& exponent) const { return tg::pow(*this, exponent); }

Tensor& Tensor::pow_(const Scalar& exponent) const {
  const ScalarType rt = result_type(*this, exponent);
  unary_ops::check_inplace_dtype("pow_", rt, dtype());
  const ScalarType self_type = dtype();
  return detail::inplace(
      *this, "pow_", false,
      [exponent, self_type](const Tensor& s) {
        Tensor r = tg::pow(s, exponent);
        return r.dtype() == self_type ? r : r.to(self_type);
      },
      [this, exponent] {
        Tensor r = pow_tensor_scalar_forward(*this, exponent);
        detail::copy_into(*this, r);
      });
}

Tensor& Tensor::pow_(const Tensor& exponent) const {
  const ScalarType rt = result_type(*this, exponent);
  unary_ops::check_inplace_dtype("pow_", rt, dtype());
  const DimVector shape = unary_ops::broadcast_operands("pow_", {this, &exponent});
  TG_CHECK(IntArrayRef(shape) == sizes(), "pow_: output with shape ", detail::shape_str(sizes()),
           " doesn't match the broadcast shape ", detail::shape_str(shape),
           " of the base and the exponent ", detail::shape_str(exponent.sizes()),
           "; use the out-of-place pow");
  const ScalarType self_type = dtype();
  return detail::inplace(
      *this, "pow_", exponent.requires_grad(),
      [exponent, self_type](const Tensor& s) {
        Tensor r = tg::pow(s, exponent);
        return r.dtype() == self_type ? r : r.to(self_type);
      },
      [this, exponent] {
        Tensor r;
        {
          NoGradGuard no_grad;
          r = tg::pow(*this, exponent);
        }
        detail::copy_into(*this, r);
      });
}

}  // namespace tg
