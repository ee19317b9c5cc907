// Activations beyond the elementwise math ops: leaky_relu, gelu (exact and tanh), silu and
// softplus. Each is one forward loop and a derivative written with differentiable ops (so double
// backward works), with a fused loop for the derivative when no graph is built through it.
#include <cmath>
#include <numbers>
#include <string>
#include <string_view>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"
#include "ops/fused_backward.h"
#include "tensorgrad/nn/ops_loss.h"

namespace tg {
namespace {

/// A floating result of x's shape and dtype, or an error naming `op` for other dtypes.
Tensor floating_like(const Tensor& x, const char* op) {
  TG_CHECK(x.defined(), op, ": the input tensor is undefined");
  TG_CHECK(x.is_floating_point(), op, ": expected a floating-point input but got ", x.dtype(),
           " of shape ", detail::shape_str(x.sizes()), "; convert with .to(tg::kFloat)");
  return detail::make_empty(x.sizes(), x.dtype());
}

/// out[i] = f(x[i]) for a floating x; Half and BFloat16 computed in float.
template <class F>
Tensor map_floating(const Tensor& x, const char* op, F f) {
  Tensor out = floating_like(x, op);
  kernels::dispatch_floating(x.dtype(), op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using M = kernels::opmath_t<T>;
    kernels::unary_loop<T, T>(out, x, [f](T v) { return static_cast<T>(f(static_cast<M>(v))); });
  });
  return out;
}

/// y = f(self), recorded as `node`: its backward is g * f'(x), computed elementwise by
/// fused_grad(g, x) when no graph is built through it (can_fuse), else by grad(g, x) with
/// differentiable ops so that double backward works.
template <class F, class FusedGrad, class Grad>
Tensor activation(const Tensor& self, const char* op, const char* node, F f, FusedGrad fused_grad,
                  Grad grad) {
  Tensor y = map_floating(self, op, f);
  if (autograd::needs_grad(self))
    autograd::record(node, {self}, {y}, autograd::save(self),
                     [fused_grad, grad](autograd::BackwardArgs<1>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor& x = a.saved[0];
                       if (can_fuse(g, x)) return {fused(g, x, fused_grad)};
                       return {grad(g, x)};
                     });
  return y;
}

constexpr double kSqrt1_2 = 0.70710678118654752440;      // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1 / sqrt(2 pi)
constexpr double kSqrt2OverPi = 0.79788456080286535588;  // sqrt(2 / pi)
constexpr double kGeluCoeff = 0.044715;

enum class GeluKind { None, Tanh };

GeluKind gelu_kind(std::string_view approximate) {
  if (approximate == "none") return GeluKind::None;
  if (approximate == "tanh") return GeluKind::Tanh;
  detail::fail("gelu: approximate argument must be either none or tanh, but got \"",
               std::string(approximate), "\"; pass \"none\" (exact) or \"tanh\"");
}

template <class T>
T gelu_value(T x, GeluKind kind) {
  if (kind == GeluKind::None) return T(0.5) * x * (T(1) + std::erf(x * T(kSqrt1_2)));
  const T inner = T(kSqrt2OverPi) * (x + T(kGeluCoeff) * x * x * x);
  return T(0.5) * x * (T(1) + std::tanh(inner));
}

/// d gelu / dx at x.
template <class T>
T gelu_derivative(T x, GeluKind kind) {
  if (kind == GeluKind::None) {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(kSqrt1_2)));
    const T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
    return cdf + x * pdf;
  }
  const T x2 = x * x;
  const T t = std::tanh(T(kSqrt2OverPi) * (x + T(kGeluCoeff) * x2 * x));
  return T(0.5) * (T(1) + t) +
         T(0.5) * x * (T(1) - t * t) * T(kSqrt2OverPi) * (T(1) + T(3 * kGeluCoeff) * x2);
}

/// The same derivative with differentiable ops (for double backward).
Tensor gelu_derivative(const Tensor& x, GeluKind kind) {
  if (kind == GeluKind::None) {
    const Tensor cdf = 0.5 * (1 + erf(x * kSqrt1_2));
    const Tensor pdf = kInvSqrt2Pi * exp(-0.5 * (x * x));
    return cdf + x * pdf;
  }
  const Tensor x2 = x * x;
  const Tensor t = tanh(kSqrt2OverPi * (x + kGeluCoeff * (x2 * x)));
  return 0.5 * (1 + t) + (0.5 * kSqrt2OverPi) * x * (1 - t * t) * (1 + (3 * kGeluCoeff) * x2);
}

/// a where x > 0, else a * slope: leaky_relu's value (a = x) and its gradient (a = grad).
template <class T>
T leaky(T x, T a, double slope) {
  return x > T(0) ? a : a * static_cast<T>(slope);
}

template <class T>
T sigmoid_value(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

/// softplus (log(1 + e^(b x)) / b, linear past the threshold th of b x) and g times its
/// derivative at x.
template <class T>
T softplus_value(T x, double b, double th) {
  const T bx = x * static_cast<T>(b);
  return bx > static_cast<T>(th) ? x : std::log1p(std::exp(bx)) / static_cast<T>(b);
}
template <class T>
T softplus_grad(T g, T x, double b, double th) {
  const T bx = x * static_cast<T>(b);
  return bx > static_cast<T>(th) ? g : g * sigmoid_value(bx);
}

}  // namespace

Tensor leaky_relu(const Tensor& self, const Scalar& negative_slope) {
  const double slope = negative_slope.toDouble();
  return activation(
      self, "leaky_relu", "LeakyReluBackward0", [slope](auto v) { return leaky(v, v, slope); },
      [slope](auto gv, auto xv) { return leaky(xv, gv, slope); },
      // The mask is not differentiated: double backward sees a function linear in grad.
      [slope](const Tensor& g, const Tensor& x) { return where(x > 0, g, g * slope); });
}

Tensor& leaky_relu_(Tensor& self, const Scalar& negative_slope) {
  floating_like(self, "leaky_relu_");
  const double slope = negative_slope.toDouble();
  return detail::inplace(
      self, "leaky_relu_", false,
      [negative_slope](const Tensor& s) { return leaky_relu(s, negative_slope); },
      [&self, slope] {
        kernels::dispatch_floating(self.dtype(), "leaky_relu_", [&](auto tag) {
          using T = typename decltype(tag)::type;
          using M = kernels::opmath_t<T>;
          kernels::unary_loop<T, T>(self, self, [slope](T v) {
            const M m = static_cast<M>(v);
            return static_cast<T>(leaky(m, m, slope));
          });
        });
      });
}

Tensor gelu(const Tensor& self, std::string_view approximate) {
  const GeluKind kind = gelu_kind(approximate);
  return activation(
      self, "gelu", "GeluBackward0", [kind](auto v) { return gelu_value(v, kind); },
      [kind](auto gv, auto xv) { return gv * gelu_derivative(xv, kind); },
      [kind](const Tensor& g, const Tensor& x) { return g * gelu_derivative(x, kind); });
}

Tensor silu(const Tensor& self) {
  return activation(
      self, "silu", "SiluBackward0", [](auto v) { return v * sigmoid_value(v); },
      [](auto gv, auto xv) {
        using T = decltype(gv);
        const T s = sigmoid_value(xv);
        return gv * s * (T(1) + xv * (T(1) - s));
      },
      [](const Tensor& g, const Tensor& x) {
        const Tensor s = sigmoid(x);
        return g * (s * (1 + x * (1 - s)));
      });
}

Tensor softplus(const Tensor& self, const Scalar& beta, const Scalar& threshold) {
  const double b = beta.toDouble(), th = threshold.toDouble();
  return activation(
      self, "softplus", "SoftplusBackward0", [b, th](auto v) { return softplus_value(v, b, th); },
      [b, th](auto gv, auto xv) { return softplus_grad(gv, xv, b, th); },
      [b, th](const Tensor& g, const Tensor& x) {
        const Tensor bx = x * b;
        return where(bx > th, g, g * sigmoid(bx));
      });
}

}  // namespace tg
