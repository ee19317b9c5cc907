// The activations of nn/ops_activation.h. Each elementwise one is a forward loop and a derivative
// written with differentiable ops, so that double backward works; glu, prelu and rrelu are made
// of other differentiable ops.
#include <cmath>
#include <string>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/ops_activation.h"
#include "tensorgrad/nn/ops_loss.h"

namespace tg {
namespace {

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

void check_floating(const Tensor& x, const char* op) {
  TG_CHECK(x.defined(), op, ": the input tensor is undefined");
  TG_CHECK(x.is_floating_point(), op,
           ": expected a floating-point input (Float or Double) but got ", x.dtype(), " of shape ",
           detail::shape_str(x.sizes()), "; convert with .to(tg::kFloat)");
}

/// out[i] = f(x[i]) into out (which may be x itself); Half and BFloat16 computed in float.
template <class F>
void map_into(const Tensor& out, const Tensor& x, const char* op, F f) {
  kernels::dispatch_floating(x.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using M = kernels::opmath_t<T>;
    kernels::unary_loop<T, T>(out, x, [f](T v) { return static_cast<T>(f(static_cast<M>(v))); });
  });
}

/// An elementwise activation: forward f(x) by a loop; derivative dx(grad, x) with tensor ops.
template <class F, class D>
Tensor pointwise(const Tensor& self, const char* op, const char* node, F f, D dx) {
  check_floating(self, op);
  Tensor y = detail::make_empty(self.sizes(), self.dtype());
  map_into(y, self, op, f);
  if (autograd::needs_grad(self))
    autograd::record(
        node, {self}, {y}, autograd::save(self),
        [dx](autograd::BackwardArgs<1>& a) -> variable_list { return {dx(a.grad(), a.saved[0])}; });
  return y;
}

/// The in-place form of an elementwise activation (see Note [In-place ops]).
template <class F, class Op>
Tensor& pointwise_(Tensor& self, const char* op, F f, Op out_of_place) {
  check_floating(self, op);
  return detail::inplace(self, op, false, out_of_place,
                         [&self, op, f] { map_into(self, self, op, f); });
}

struct EluParams {
  double alpha, scale, input_scale;
  template <class T>
  T operator()(T v) const {
    if (v > T(0)) return static_cast<T>(scale) * v;
    return static_cast<T>(scale * alpha) * std::expm1(v * static_cast<T>(input_scale));
  }
};

Tensor elu_impl(const Tensor& self, const EluParams& p, const char* op) {
  return pointwise(self, op, "EluBackward0", p, [p](const Tensor& g, const Tensor& x) {
    return where(x > 0, g * p.scale,
                 g * (p.scale * p.alpha * p.input_scale) * exp(x * p.input_scale));
  });
}

struct Clamp {
  double lo, hi;
  template <class T>
  T operator()(T v) const {
    if (std::isnan(v)) return v;
    return v < static_cast<T>(lo) ? static_cast<T>(lo)
                                  : (v > static_cast<T>(hi) ? static_cast<T>(hi) : v);
  }
};

}  // namespace

Tensor elu(const Tensor& self, const Scalar& alpha, const Scalar& scale,
           const Scalar& input_scale) {
  return elu_impl(self, {alpha.toDouble(), scale.toDouble(), input_scale.toDouble()}, "elu");
}

Tensor& elu_(Tensor& self, const Scalar& alpha, const Scalar& scale, const Scalar& input_scale) {
  const EluParams p{alpha.toDouble(), scale.toDouble(), input_scale.toDouble()};
  return pointwise_(self, "elu_", p, [p](const Tensor& s) { return elu_impl(s, p, "elu_"); });
}

Tensor selu(const Tensor& self) { return elu_impl(self, {kSeluAlpha, kSeluScale, 1.0}, "selu"); }

Tensor& selu_(Tensor& self) {
  const EluParams p{kSeluAlpha, kSeluScale, 1.0};
  return pointwise_(self, "selu_", p, [p](const Tensor& s) { return elu_impl(s, p, "selu_"); });
}

Tensor celu(const Tensor& self, const Scalar& alpha) {
  const double a = alpha.toDouble();
  TG_CHECK(a != 0, "celu: ZeroDivisionError: alpha must not be 0");
  return elu_impl(self, {a, 1.0, 1.0 / a}, "celu");
}

Tensor& celu_(Tensor& self, const Scalar& alpha) {
  const double a = alpha.toDouble();
  TG_CHECK(a != 0, "celu_: ZeroDivisionError: alpha must not be 0");
  const EluParams p{a, 1.0, 1.0 / a};
  return pointwise_(self, "celu_", p, [p](const Tensor& s) { return elu_impl(s, p, "celu_"); });
}

Tensor hardshrink(const Tensor& self, const Scalar& lambd) {
  const double l = lambd.toDouble();
  return pointwise(
      self, "hardshrink", "HardshrinkBackward0",
      [l](auto v) {
        using T = decltype(v);
        return (v >= -static_cast<T>(l) && v <= static_cast<T>(l)) ? T(0) : v;
      },
      [l](const Tensor& g, const Tensor& x) { return where(abs(x) > l, g, 0.0); });
}

Tensor softshrink(const Tensor& self, const Scalar& lambd) {
  const double l = lambd.toDouble();
  TG_CHECK(l >= 0, "softshrink: lambda must be greater or equal to 0, but found to be ", l, ".");
  return pointwise(
      self, "softshrink", "SoftshrinkBackward0",
      [l](auto v) {
        using T = decltype(v);
        const T lt = static_cast<T>(l);
        return v > lt ? v - lt : (v < -lt ? v + lt : T(0) * v);
      },
      [l](const Tensor& g, const Tensor& x) { return where(abs(x) > l, g, 0.0); });
}

Tensor hardtanh(const Tensor& self, const Scalar& min_val, const Scalar& max_val) {
  const Clamp c{min_val.toDouble(), max_val.toDouble()};
  return pointwise(self, "hardtanh", "HardtanhBackward0", c, [c](const Tensor& g, const Tensor& x) {
    return where(x > c.lo, where(x < c.hi, g, 0.0), 0.0);
  });
}

Tensor& hardtanh_(Tensor& self, const Scalar& min_val, const Scalar& max_val) {
  const Clamp c{min_val.toDouble(), max_val.toDouble()};
  return pointwise_(self, "hardtanh_", c,
                    [min_val, max_val](const Tensor& s) { return hardtanh(s, min_val, max_val); });
}

Tensor relu6(const Tensor& self) { return hardtanh(self, 0, 6); }
Tensor& relu6_(Tensor& self) { return hardtanh_(self, 0, 6); }

Tensor log_sigmoid(const Tensor& self) {
  return pointwise(
      self, "log_sigmoid", "LogSigmoidBackward0",
      [](auto v) {
        using T = decltype(v);
        // -softplus(-v) = min(v, 0) - log1p(exp(-|v|)).
        return std::min(v, T(0)) - std::log1p(std::exp(-std::abs(v)));
      },
      [](const Tensor& g, const Tensor& x) { return g * sigmoid(-x); });
}

Tensor mish(const Tensor& self) {
  return pointwise(
      self, "mish", "MishBackward0",
      [](auto v) {
        using T = decltype(v);
        const T sp = v > T(20) ? v : std::log1p(std::exp(v));
        return v * std::tanh(sp);
      },
      [](const Tensor& g, const Tensor& x) {
        const Tensor t = tanh(softplus(x));
        return g * (t + x * sigmoid(x) * (1 - t * t));
      });
}

Tensor threshold(const Tensor& self, const Scalar& threshold, const Scalar& value) {
  const double th = threshold.toDouble(), val = value.toDouble();
  return pointwise(
      self, "threshold", "ThresholdBackward0",
      [th, val](auto v) {
        using T = decltype(v);
        return v <= static_cast<T>(th) ? static_cast<T>(val) : v;
      },
      [th](const Tensor& g, const Tensor& x) { return where(x > th, g, 0.0); });
}

Tensor& threshold_(Tensor& self, const Scalar& threshold, const Scalar& value) {
  const double th = threshold.toDouble(), val = value.toDouble();
  return pointwise_(
      self, "threshold_",
      [th, val](auto v) {
        using T = decltype(v);
        return v <= static_cast<T>(th) ? static_cast<T>(val) : v;
      },
      [threshold, value](const Tensor& s) { return tg::threshold(s, threshold, value); });
}

Tensor glu(const Tensor& self, int64_t dim) {
  TG_CHECK(self.defined(), "glu: the input tensor is undefined");
  TG_CHECK(self.dim() > 0, "glu does not support scalars because halving size must be even");
  const int64_t d = dim < 0 ? dim + self.dim() : dim;
  TG_CHECK(d >= 0 && d < self.dim(), "glu: dim ", dim, " is out of range for a tensor of shape ",
           detail::shape_str(self.sizes()));
  const int64_t n = self.size(d);
  TG_CHECK(n % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", n);
  return self.narrow(d, 0, n / 2) * sigmoid(self.narrow(d, n / 2, n / 2));
}

Tensor prelu(const Tensor& self, const Tensor& weight) {
  check_floating(self, "prelu");
  TG_CHECK(
      weight.defined() && weight.dim() <= 1, "prelu: expected a weight with 0 or 1 dims but got ",
      weight.defined() ? detail::shape_str(weight.sizes()) : std::string("an undefined tensor"));
  const int64_t n = weight.numel();
  Tensor w = weight;
  if (n != 1) {
    TG_CHECK(self.dim() > 0, "prelu: a 0-dim input needs a weight of one element, got ", n);
    const int64_t channels = self.dim() >= 2 ? self.size(1) : self.size(0);
    TG_CHECK(channels == n,
             "Mismatch of parameter numbers and input channel size. Found parameter "
             "numbers = ",
             n, " and channel size = ", channels, ".");
    if (self.dim() >= 2) {
      DimVector shape(static_cast<size_t>(self.dim()), 1);
      shape[1] = n;
      w = weight.reshape(shape);
    }
  } else {
    w = weight.reshape({});
  }
  return where(self > 0, self, w * self);
}

namespace {

/// rrelu's negative slopes: in training one uniform draw from [lower, upper] per element of self
/// (outside autograd); in evaluation the bounds' mean for every element.
struct RreluSlopes {
  double eval;
  Tensor random;  // defined in training only
};
RreluSlopes rrelu_slopes(const Tensor& self, const Scalar& lower, const Scalar& upper,
                         bool training, const char* op) {
  check_floating(self, op);
  const double lo = lower.toDouble(), hi = upper.toDouble();
  TG_CHECK(lo <= hi, "Lower bound should be less than or equal to the upper bound");
  RreluSlopes s{(lo + hi) / 2, Tensor()};
  if (training) {
    NoGradGuard no_grad;
    s.random = rand(self.sizes(), self.dtype()) * (hi - lo) + lo;
  }
  return s;
}

}  // namespace

Tensor rrelu(const Tensor& self, const Scalar& lower, const Scalar& upper, bool training) {
  const RreluSlopes s = rrelu_slopes(self, lower, upper, training, "rrelu");
  if (!training) return leaky_relu(self, s.eval);
  return where(self >= 0, self, self * s.random);
}

Tensor& rrelu_(Tensor& self, const Scalar& lower, const Scalar& upper, bool training) {
  const RreluSlopes s = rrelu_slopes(self, lower, upper, training, "rrelu_");
  if (!training) return leaky_relu_(self, s.eval);
  // The factor holds no history (its operands have none); the in-place product records as mul_.
  return self.mul_(where(self >= 0, 1.0, s.random));
}

Tensor hardsigmoid(const Tensor& self) {
  return pointwise(
      self, "hardsigmoid", "HardsigmoidBackward0",
      [](auto v) {
        using T = decltype(v);
        return std::min(std::max(v + T(3), T(0)), T(6)) / T(6);
      },
      [](const Tensor& g, const Tensor& x) {
        return where(x > -3.0, where(x < 3.0, g / 6.0, 0.0), 0.0);
      });
}

Tensor hardswish(const Tensor& self) {
  return pointwise(
      self, "hardswish", "HardswishBackward0",
      [](auto v) {
        using T = decltype(v);
        return v * std::min(std::max(v + T(3), T(0)), T(6)) / T(6);
      },
      [](const Tensor& g, const Tensor& x) {
        return where(x < -3.0, 0.0, where(x <= 3.0, g * (x / 3.0 + 0.5), g));
      });
}

}  // namespace tg
