// Selection ops: where, maximum, minimum, clamp, clamp_min, clamp_max, relu and the in-place
// clamp_ and relu_. Forward kernels and derivatives (libtorch's derivatives.yaml) side by side.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include "autograd/record.h"
#include "core/internal.h"
#include "core/operand_rules.h"
#include "kernels/loop.h"
#include "ops/fused_backward.h"

namespace tg {
namespace {

// ---- where ------------------------------------------------------------------------------------

void check_condition(const Tensor& condition) {
  TG_CHECK(condition.dtype() == kBool,
           "where: expected condition to be a boolean tensor, but got a tensor with dtype ",
           condition.dtype(), " and shape ", detail::shape_str(condition.sizes()),
           "; build it with a comparison (x > 0) or convert it with .to(tg::kBool)");
}

/// out = c ? a : b with a and b already of out's dtype. Contiguous runs get a branch-free loop
/// the compiler vectorises (where sits in the backward of relu, clamp, maximum...): both values
/// are loaded and the condition is read as bytes, which GCC turns into a blend (it does not for a
/// bool condition, and a branch on random masks mispredicts half the time).
template <class T>
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  kernels::StridedIter<4> it(out.sizes(), {out, cond, a, b});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const auto* c = reinterpret_cast<const uint8_t*>(p[1]);
    const T* x = reinterpret_cast<const T*>(p[2]);
    const T* y = reinterpret_cast<const T*>(p[3]);
    constexpr int64_t es = sizeof(T);
    if (s[0] == es && s[1] == 1 && s[2] == es && s[3] == es) {
      for (int64_t i = 0; i < n; ++i) {
        const T xv = x[i], yv = y[i];
        o[i] = c[i] ? xv : yv;
      }
    } else if (s[0] == es && s[1] == 1 && s[2] == es && s[3] == 0) {
      const T yv = *y;
      for (int64_t i = 0; i < n; ++i) {
        const T xv = x[i];
        o[i] = c[i] ? xv : yv;
      }
    } else if (s[0] == es && s[1] == 1 && s[2] == 0 && s[3] == es) {
      const T xv = *x;
      for (int64_t i = 0; i < n; ++i) {
        const T yv = y[i];
        o[i] = c[i] ? xv : yv;
      }
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                     ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                     : *reinterpret_cast<const T*>(p[3] + i * s[3]);
    }
  });
}

/// where without autograd; a and b are converted to rt.
Tensor where_forward(const Tensor& cond, const Tensor& a, const Tensor& b, ScalarType rt) {
  const DimVector shape = detail::broadcast_shape("where", {cond.sizes(), a.sizes(), b.sizes()});
  Tensor out = detail::make_empty(shape, rt);
  const Tensor a_t = detail::cast(a, rt), b_t = detail::cast(b, rt);
  kernels::dispatch(rt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    where_kernel<T>(out, cond, a_t, b_t);
  });
  return out;
}

// ---- maximum, minimum -------------------------------------------------------------------------

/// Elementwise max or min; a NaN on either side gives NaN, as libtorch.
template <bool kMax>
Tensor extremum_forward(const char* op, const Tensor& a, const Tensor& b) {
  const ScalarType rt = result_type(a, b);
  const DimVector shape = detail::broadcast_shape(op, {a.sizes(), b.sizes()});
  Tensor out = detail::make_empty(shape, rt);
  const Tensor a_t = detail::cast(a, rt), b_t = detail::cast(b, rt);
  kernels::dispatch(rt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::binary_loop<T, T, T>(out, a_t, b_t, [](T x, T y) -> T {
      const bool pick_x = kMax ? x > y : x < y;
      if constexpr (std::is_floating_point_v<T>)
        return (pick_x || x != x) ? x : y;  // y is NaN when neither test holds and x is not
      else
        return pick_x ? x : y;
    });
  });
  return out;
}

// ---- clamp ------------------------------------------------------------------------------------

/// libtorch's clamp promotion: a floating self keeps its dtype; otherwise the bounds take part
/// as wrapped numbers (a floating bound gives Float, an integral bound lifts Bool to Long).
ScalarType clamp_result_type(const Tensor& self, const std::optional<Scalar>& min,
                             const std::optional<Scalar>& max) {
  ScalarType t = self.dtype();
  if (is_floating_point(t)) return t;
  for (const auto* s : {&min, &max}) {
    if (!s->has_value()) continue;
    if ((*s)->isFloatingPoint())
      t = kFloat;
    else if ((*s)->isIntegral(false) && t == kBool)
      t = kLong;
  }
  return t;
}

void check_clamp_args(const char* op, const Tensor& self, const std::optional<Scalar>& min,
                      const std::optional<Scalar>& max, ScalarType rt) {
  TG_CHECK(min.has_value() || max.has_value(), op,
           ": at least one of 'min' or 'max' must not be None (tensor of shape ",
           detail::shape_str(self.sizes()), "); pass a bound, e.g. clamp(0) or clamp({}, 1)");
  TG_CHECK(rt != kBool, op, ": not implemented for Bool tensors (shape ",
           detail::shape_str(self.sizes()), "); convert first with .to(tg::kLong)");
}

/// out = clamp(in, lo, hi) in T (in already of type T; out may be in itself). NaN inputs stay NaN;
/// a NaN bound makes every element NaN; min > max gives max everywhere, as libtorch.
template <class T>
void clamp_kernel_t(const Tensor& out, const Tensor& in, const std::optional<Scalar>& min,
                    const std::optional<Scalar>& max) {
  if constexpr (std::is_floating_point_v<T>) {
    if ((min && std::isnan(min->toDouble())) || (max && std::isnan(max->toDouble()))) {
      const T nan = std::numeric_limits<T>::quiet_NaN();
      kernels::unary_loop<T, T>(out, in, [nan](T) { return nan; });
      return;
    }
  }
  if (min && max) {
    const T lo = min->to<T>(), hi = max->to<T>();
    kernels::unary_loop<T, T>(out, in, [lo, hi](T x) {
      const T v = x < lo ? lo : x;
      return v > hi ? hi : v;
    });
  } else if (min) {
    const T lo = min->to<T>();
    kernels::unary_loop<T, T>(out, in, [lo](T x) { return x < lo ? lo : x; });
  } else {
    const T hi = max->to<T>();
    kernels::unary_loop<T, T>(out, in, [hi](T x) { return x > hi ? hi : x; });
  }
}

void clamp_kernel(const Tensor& out, const Tensor& in, const std::optional<Scalar>& min,
                  const std::optional<Scalar>& max) {
  switch (out.dtype()) {
    case kFloat:
      clamp_kernel_t<float>(out, in, min, max);
      break;
    case kDouble:
      clamp_kernel_t<double>(out, in, min, max);
      break;
    case kLong:
      clamp_kernel_t<int64_t>(out, in, min, max);
      break;
    case kBool:
      break;  // refused by check_clamp_args
  }
}

Tensor clamp_forward(const char* op, const Tensor& self, const std::optional<Scalar>& min,
                     const std::optional<Scalar>& max) {
  const ScalarType rt = clamp_result_type(self, min, max);
  check_clamp_args(op, self, min, max, rt);
  Tensor out = detail::make_empty(self.sizes(), rt);
  clamp_kernel(out, detail::cast(self, rt), min, max);
  return out;
}

/// The gradient passes where min <= x <= max (bounds included, as libtorch) and is 0 elsewhere.
Tensor clamp_backward(const Tensor& grad, const Tensor& self, const std::optional<Scalar>& min,
                      const std::optional<Scalar>& max) {
  Tensor g = grad;
  if (max) g = where(self <= *max, g, 0);
  if (min) g = where(self >= *min, g, 0);
  return g;
}

}  // namespace

// ---- where ------------------------------------------------------------------------------------

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_condition(condition);
  Tensor result = where_forward(condition, a, b, result_type(a, b));
  if (autograd::needs_grad(a, b))
    autograd::record("WhereBackward0", {a, b}, {result}, autograd::save(condition),
                     [](autograd::BackwardArgs<1>& args) -> variable_list {
                       const Tensor& c = args.saved[0];
                       Tensor ga, gb;
                       if (args.needs(0)) ga = where(c, args.grad(), 0);
                       if (args.needs(1)) gb = where(c, 0, args.grad());
                       return {ga, gb};
                     });
  return result;
}

Tensor where(const Tensor& condition, const Tensor& a, const Scalar& b) {
  check_condition(condition);
  const ScalarType rt = result_type(a, b);
  Tensor result = where_forward(condition, a, scalar_tensor(b, rt), rt);
  if (autograd::needs_grad(a))
    autograd::record("WhereBackward0", {a}, {result}, autograd::save(condition),
                     [](autograd::BackwardArgs<1>& args) -> variable_list {
                       return {where(args.saved[0], args.grad(), 0)};
                     });
  return result;
}

Tensor where(const Tensor& condition, const Scalar& a, const Tensor& b) {
  check_condition(condition);
  const ScalarType rt = result_type(b, a);
  Tensor result = where_forward(condition, scalar_tensor(a, rt), b, rt);
  if (autograd::needs_grad(b))
    autograd::record("WhereBackward0", {b}, {result}, autograd::save(condition),
                     [](autograd::BackwardArgs<1>& args) -> variable_list {
                       return {where(args.saved[0], 0, args.grad())};
                     });
  return result;
}

// ---- maximum, minimum -------------------------------------------------------------------------

namespace {

/// maximum (kMax) or minimum; the gradient goes to the operand picked, and ties split it in half,
/// as libtorch.
template <bool kMax>
Tensor extremum(const char* op, const char* node, const Tensor& a, const Tensor& b) {
  Tensor result = extremum_forward<kMax>(op, a, b);
  if (autograd::needs_grad(a, b))
    autograd::record(node, {a, b}, {result}, autograd::save(a, b),
                     [](autograd::BackwardArgs<2>& args) -> variable_list {
                       const Tensor &x = args.saved[0], &y = args.saved[1];
                       const Tensor shared = where(x == y, args.grad() / 2, args.grad());
                       Tensor gx, gy;
                       if (args.needs(0)) gx = where(kMax ? x < y : x > y, 0, shared);
                       if (args.needs(1)) gy = where(kMax ? x > y : x < y, 0, shared);
                       return {gx, gy};
                     });
  return result;
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  return extremum<true>("maximum", "MaximumBackward0", a, b);
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  return extremum<false>("minimum", "MinimumBackward0", a, b);
}

// ---- clamp ------------------------------------------------------------------------------------

Tensor clamp(const Tensor& self, const std::optional<Scalar>& min,
             const std::optional<Scalar>& max) {
  Tensor result = clamp_forward("clamp", self, min, max);
  if (autograd::needs_grad(self))
    autograd::record("ClampBackward1", {self}, {result}, autograd::save(self),
                     [min, max](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {clamp_backward(a.grad(), a.saved[0], min, max)};
                     });
  return result;
}

Tensor clamp_min(const Tensor& self, const Scalar& min) {
  Tensor result = clamp_forward("clamp_min", self, min, std::nullopt);
  if (autograd::needs_grad(self))
    autograd::record("ClampMinBackward0", {self}, {result}, autograd::save(self),
                     [min](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {clamp_backward(a.grad(), a.saved[0], min, std::nullopt)};
                     });
  return result;
}

Tensor clamp_max(const Tensor& self, const Scalar& max) {
  Tensor result = clamp_forward("clamp_max", self, std::nullopt, max);
  if (autograd::needs_grad(self))
    autograd::record("ClampMaxBackward0", {self}, {result}, autograd::save(self),
                     [max](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {clamp_backward(a.grad(), a.saved[0], std::nullopt, max)};
                     });
  return result;
}

// ---- relu ---------------------------------------------------------------------------------------

namespace {
void check_relu(const char* op, const Tensor& x) {
  TG_CHECK(x.dtype() != kBool, op, ": Boolean inputs not supported for relu (shape ",
           detail::shape_str(x.sizes()), "); convert first with .to(tg::kFloat)");
}
}  // namespace

Tensor relu(const Tensor& x) {
  check_relu("relu", x);
  Tensor y = detail::make_empty(x.sizes(), x.dtype());
  clamp_kernel(y, x, Scalar(0), std::nullopt);
  if (autograd::needs_grad(x))
    autograd::record(
        "ReluBackward0", {x}, {y}, autograd::save(autograd::output(y)),
        [](autograd::BackwardArgs<1>& a) -> variable_list {
          const Tensor& g = a.grad();
          const Tensor& y = a.saved[0];
          // The mask comes from the saved output and is not differentiated: double backward
          // sees a function linear in grad. where() rather than grad * mask keeps a NaN or inf
          // gradient from leaking through masked-off elements (0 * inf), as libtorch.
          if (can_fuse(g, y))
            return {fused(g, y, [](auto gv, auto yv) { return yv > 0 ? gv : decltype(gv)(0); })};
          return {where(y > 0, g, 0)};
        });
  return y;
}

// ---- Tensor methods -----------------------------------------------------------------------------

Tensor Tensor::where(const Tensor& condition, const Tensor& other) const {
  return tg::where(condition, *this, other);
}
Tensor Tensor::maximum(const Tensor& other) const { return tg::maximum(*this, other); }
Tensor Tensor::minimum(const Tensor& other) const { return tg::minimum(*this, other); }
Tensor Tensor::clamp(const std::optional<Scalar>& min, const std::optional<Scalar>& max) const {
  return tg::clamp(*this, min, max);
}
Tensor Tensor::clamp_min(const Scalar& min) const { return tg::clamp_min(*this, min); }
Tensor Tensor::clamp_max(const Scalar& max) const { return tg::clamp_max(*this, max); }
Tensor Tensor::relu() const { return tg::relu(*this); }

Tensor& Tensor::clamp_(const std::optional<Scalar>& min, const std::optional<Scalar>& max) const {
  const ScalarType rt = clamp_result_type(*this, min, max);
  check_clamp_args("clamp_", *this, min, max, rt);
  detail::check_inplace_dtype("clamp_", rt, dtype());
  return detail::inplace(
      *this, "clamp_", false, [min, max](const Tensor& s) { return tg::clamp(s, min, max); },
      [this, min, max] { clamp_kernel(*this, *this, min, max); });
}

Tensor& Tensor::relu_() const {
  check_relu("relu_", *this);
  return detail::inplace(
      *this, "relu_", false, [](const Tensor& s) { return tg::relu(s); },
      [this] { clamp_kernel(*this, *this, Scalar(0), std::nullopt); });
}

}  // namespace tg
