// pow in its three forms (tensor^scalar, tensor^tensor, scalar^tensor) and square, with
// libtorch's dtype rules, integer powers and derivatives.
#include <cmath>
#include <cstdint>

#include "autograd/record.h"
#include "core/internal.h"
#include "core/operand_rules.h"
#include "kernels/elementwise_math.h"
#include "kernels/loop.h"

namespace tg {
namespace {

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
    kernels::unary<T>(kernels::UnaryFn::sqrt, out, in);
  } else if (e == -0.5) {
    kernels::unary<T>(kernels::UnaryFn::rsqrt, out, in);
  } else if (e == -1.0) {
    kernels::unary<T>(kernels::UnaryFn::reciprocal, out, in);
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

// What pow_ computes for autograd: the out-of-place pow, cast back to self's dtype.
template <class Exponent>
auto pow_in_dtype(const Exponent& exponent, ScalarType self_type) {
  return [exponent, self_type](const Tensor& s) {
    Tensor r = tg::pow(s, exponent);
    return r.dtype() == self_type ? r : r.to(self_type);
  };
}

}  // namespace

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
  const DimVector shape = detail::broadcast_shape("pow", {self.sizes(), exponent.sizes()});
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

/// x^2 through pow, so that its node is PowBackward0 and Bool gives Long, as libtorch.
Tensor square(const Tensor& x) { return pow(x, 2); }

// ---- Tensor methods -----------------------------------------------------------------------------

Tensor Tensor::pow(const Tensor& exponent) const { return tg::pow(*this, exponent); }
Tensor Tensor::pow(const Scalar& exponent) const { return tg::pow(*this, exponent); }
Tensor Tensor::square() const { return tg::square(*this); }
Tensor& Tensor::square_() const { return pow_(2); }

Tensor& Tensor::pow_(const Scalar& exponent) const {
  const ScalarType rt = result_type(*this, exponent);
  detail::check_inplace_dtype("pow_", rt, dtype());
  const ScalarType self_type = dtype();
  return detail::inplace(*this, "pow_", false, pow_in_dtype(exponent, self_type), [this, exponent] {
    Tensor r = pow_tensor_scalar_forward(*this, exponent);
    detail::copy_into(*this, r);
  });
}

Tensor& Tensor::pow_(const Tensor& exponent) const {
  const ScalarType rt = result_type(*this, exponent);
  detail::check_inplace_dtype("pow_", rt, dtype());
  detail::check_inplace_shape("pow_", sizes(), {exponent.sizes()});
  const ScalarType self_type = dtype();
  return detail::inplace(*this, "pow_", exponent.requires_grad(), pow_in_dtype(exponent, self_type),
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
