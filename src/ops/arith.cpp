// Arithmetic (add sub mul div neg), comparisons, the operators, and the basic in-place ops.
#include "autograd/record.h"
#include "core/deferred.h"
#include "core/internal.h"
#include "core/operand_rules.h"
#include "kernels/loop.h"

namespace tg {

// ---- kernels ----

namespace {

enum class Arith { Add, Sub, Mul, Div };

// T is the type computed in (kernels::opmath_t: float for the 16-bit floating types). Integers
// wrap, as libtorch's do (int8 127 + 1 is -128): the arithmetic is done in an unsigned type of at
// least 32 bits, where overflow is defined.
template <Arith op, class T>
inline T arith(T x, T y, T alpha) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::conditional_t<sizeof(T) <= 4, uint32_t, uint64_t>;
    const U a = static_cast<U>(x), b = static_cast<U>(y), w = static_cast<U>(alpha);
    if constexpr (op == Arith::Add) return static_cast<T>(a + w * b);
    if constexpr (op == Arith::Sub) return static_cast<T>(a - w * b);
    if constexpr (op == Arith::Mul) return static_cast<T>(a * b);
    if constexpr (op == Arith::Div)
      return static_cast<T>(x / y);  // never: integers divide in float
  } else {
    if constexpr (op == Arith::Add) return static_cast<T>(x + alpha * y);
    if constexpr (op == Arith::Sub) return static_cast<T>(x - alpha * y);
    if constexpr (op == Arith::Mul) return static_cast<T>(x * y);
    if constexpr (op == Arith::Div) return static_cast<T>(x / y);
  }
}

template <Arith op>
ScalarType compute_type(ScalarType promoted, const char* name) {
  // True division: integral operands give the default floating dtype.
  if (op == Arith::Div && !is_floating_point(promoted)) return detail::default_floating_dtype();
  TG_CHECK(!(op == Arith::Sub && promoted == kBool), name,
           ": subtraction, the `-` operator, with bool tensors is not supported; convert them "
           "with .to(tg::kLong) first");
  return promoted;
}

// The elementwise functions x op alpha * y and x op alpha * s, in T's opmath type.
template <Arith op, class T>
auto arith_fn(const Scalar& alpha) {
  using C = kernels::opmath_t<T>;
  return [al = alpha.to<C>()](T x, T y) { return T(arith<op, C>(C(x), C(y), al)); };
}
template <Arith op, class T>
auto arith_scalar_fn(const Scalar& s, const Scalar& alpha) {
  using C = kernels::opmath_t<T>;
  return [v = s.to<C>(), al = alpha.to<C>()](T x) { return T(arith<op, C>(C(x), v, al)); };
}

// out = a op b, with a and b converted to out's dtype.
template <Arith op>
void arith_kernel(const Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  const ScalarType t = out.dtype();
  Tensor ac = detail::cast(a, t), bc = detail::cast(b, t);
  kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::binary_loop<T, T, T>(out, ac, bc, arith_fn<op, T>(alpha));
  });
}

template <Arith op>
void arith_scalar_kernel(const Tensor& out, const Tensor& a, const Scalar& s, const Scalar& alpha) {
  const ScalarType t = out.dtype();
  Tensor ac = detail::cast(a, t);
  kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::unary_loop<T, T>(out, ac, arith_scalar_fn<op, T>(s, alpha));
  });
}

// The out-of-place forms; see Note [Deferred elementwise chains] for detail::map.
template <Arith op>
Tensor arith_tensor(const Tensor& a, const Tensor& b, const Scalar& alpha, const char* name) {
  const ScalarType t = compute_type<op>(result_type(a, b), name);
  const DimVector shape = detail::broadcast_shape(name, {a.sizes(), b.sizes()});
  Tensor ac = detail::cast(a, t), bc = detail::cast(b, t);
  return kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::map<T>(ac, bc, shape, arith_fn<op, T>(alpha));
  });
}

template <Arith op>
Tensor arith_scalar(const Tensor& a, const Scalar& s, const Scalar& alpha, const char* name) {
  const ScalarType t = compute_type<op>(result_type(a, s), name);
  Tensor ac = detail::cast(a, t);
  return kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::map<T>(ac, arith_scalar_fn<op, T>(s, alpha));
  });
}

bool is_one(const Scalar& s) { return s.toDouble() == 1.0; }

/// self + alpha * other or self - alpha * other for a number other: the gradient passes through.
template <Arith op>
Tensor shift_by_scalar(const Tensor& self, const Scalar& other, const Scalar& alpha,
                       const char* name, const char* node) {
  Tensor result = arith_scalar<op>(self, other, alpha, name);
  if (needs_grad(self))
    record(node, {self}, {result}, save(),
           [](BackwardArgs<0>& a) -> variable_list { return {a.grad()}; });
  return result;
}

}  // namespace

// ---- differentiable arithmetic ----

Tensor add(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  Tensor result = arith_tensor<Arith::Add>(self, other, alpha, "add");
  if (needs_grad(self, other))
    record("AddBackward0", {self, other}, {result}, save(),
           [alpha](BackwardArgs<0>& a) -> variable_list {
             return {a.grad(), is_one(alpha) ? a.grad() : a.grad() * alpha};
           });
  return result;
}

Tensor add(const Tensor& self, const Scalar& other, const Scalar& alpha) {
  return shift_by_scalar<Arith::Add>(self, other, alpha, "add", "AddBackward1");
}

Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  Tensor result = arith_tensor<Arith::Sub>(self, other, alpha, "sub");
  if (needs_grad(self, other))
    record("SubBackward0", {self, other}, {result}, save(),
           [alpha](BackwardArgs<0>& a) -> variable_list {
             return {a.grad(), is_one(alpha) ? -a.grad() : a.grad() * (-alpha)};
           });
  return result;
}

Tensor sub(const Tensor& self, const Scalar& other, const Scalar& alpha) {
  return shift_by_scalar<Arith::Sub>(self, other, alpha, "sub", "SubBackward1");
}

Tensor mul(const Tensor& self, const Tensor& other) {
  Tensor result = arith_tensor<Arith::Mul>(self, other, 1, "mul");
  if (needs_grad(self, other)) {
    // Save each factor only if the other one's gradient needs it.
    const bool self_rg = self.requires_grad(), other_rg = other.requires_grad();
    record("MulBackward0", {self, other}, {result},
           save(other_rg ? self : Tensor(), self_rg ? other : Tensor()),
           [](BackwardArgs<2>& a) -> variable_list {
             return {a.needs(0) ? a.grad() * a.saved[1] : Tensor(),
                     a.needs(1) ? a.grad() * a.saved[0] : Tensor()};
           });
  }
  return result;
}

Tensor mul(const Tensor& self, const Scalar& other) {
  Tensor result = arith_scalar<Arith::Mul>(self, other, 1, "mul");
  if (needs_grad(self))
    record("MulBackward1", {self}, {result}, save(),
           [other](BackwardArgs<0>& a) -> variable_list { return {a.grad() * other}; });
  return result;
}

Tensor div(const Tensor& self, const Tensor& other) {
  Tensor result = arith_tensor<Arith::Div>(self, other, 1, "div");
  if (needs_grad(self, other)) {
    const bool other_rg = other.requires_grad();
    record("DivBackward0", {self, other}, {result}, save(other_rg ? self : Tensor(), other),
           [](BackwardArgs<2>& a) -> variable_list {
             const Tensor& b = a.saved[1];
             return {a.needs(0) ? a.grad() / b : Tensor(),
                     a.needs(1) ? -a.grad() * a.saved[0] / (b * b) : Tensor()};
           });
  }
  return result;
}

Tensor div(const Tensor& self, const Scalar& other) {
  Tensor result = arith_scalar<Arith::Div>(self, other, 1, "div");
  if (needs_grad(self))
    record("DivBackward1", {self}, {result}, save(),
           [other](BackwardArgs<0>& a) -> variable_list { return {a.grad() / other}; });
  return result;
}

Tensor neg(const Tensor& self) {
  TG_CHECK(self.dtype() != kBool,
           "neg: negation, the `-` operator, on a bool tensor is not "
           "supported; use logical_not or convert with .to(tg::kLong)");
  Tensor result = arith_scalar<Arith::Mul>(self, -1, 1, "neg");
  if (needs_grad(self))
    record("NegBackward0", {self}, {result}, save(),
           [](BackwardArgs<0>& a) -> variable_list { return {-a.grad()}; });
  return result;
}

Tensor rsub(const Tensor& self, const Scalar& other, const Scalar& alpha) {
  // other - alpha * self
  const ScalarType t = compute_type<Arith::Sub>(result_type(self, other), "rsub");
  Tensor sc = detail::cast(self, t);
  Tensor result = kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = kernels::opmath_t<T>;
    const C v = other.to<C>(), al = alpha.to<C>();
    // v - al x, wrapping for integers.
    return detail::map<T>(sc, [v, al](T x) { return T(arith<Arith::Sub, C>(v, C(x), al)); });
  });
  if (needs_grad(self))
    record("RsubBackward1", {self}, {result}, save(),
           [alpha](BackwardArgs<0>& a) -> variable_list { return {a.grad() * (-alpha)}; });
  return result;
}

Tensor rdiv(const Tensor& self, const Scalar& other) {
  // other / self
  const ScalarType t = compute_type<Arith::Div>(result_type(self, other), "div");
  Tensor result = detail::make_empty(self.sizes(), t);
  Tensor sc = detail::cast(self, t);
  kernels::dispatch_floating(t, "div", [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = kernels::opmath_t<T>;
    const C v = other.to<C>();
    kernels::unary_loop<T, T>(result, sc, [v](T x) { return T(v / C(x)); });
  });
  if (needs_grad(self))
    record("DivBackward0", {self}, {result}, save(self),
           [other](BackwardArgs<1>& a) -> variable_list {
             const Tensor& x = a.saved[0];
             return {-a.grad() * other / (x * x)};
           });
  return result;
}

Tensor Tensor::add(const Tensor& o, const Scalar& alpha) const { return tg::add(*this, o, alpha); }
Tensor Tensor::add(const Scalar& o, const Scalar& alpha) const { return tg::add(*this, o, alpha); }
Tensor Tensor::sub(const Tensor& o, const Scalar& alpha) const { return tg::sub(*this, o, alpha); }
Tensor Tensor::sub(const Scalar& o, const Scalar& alpha) const { return tg::sub(*this, o, alpha); }
Tensor Tensor::mul(const Tensor& o) const { return tg::mul(*this, o); }
Tensor Tensor::mul(const Scalar& o) const { return tg::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return tg::div(*this, o); }
Tensor Tensor::div(const Scalar& o) const { return tg::div(*this, o); }
Tensor Tensor::neg() const { return tg::neg(*this); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(b, a); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return rsub(b, a); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(b, a); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator/(const Scalar& a, const Tensor& b) { return rdiv(b, a); }
Tensor operator-(const Tensor& a) { return neg(a); }

// ---- comparisons ----

namespace {
enum class Cmp { Eq, Ne, Lt, Le, Gt, Ge };
template <Cmp op, class T>
inline bool compare(T x, T y) {
  if constexpr (op == Cmp::Eq) return x == y;
  if constexpr (op == Cmp::Ne) return x != y;
  if constexpr (op == Cmp::Lt) return x < y;
  if constexpr (op == Cmp::Le) return x <= y;
  if constexpr (op == Cmp::Gt) return x > y;
  if constexpr (op == Cmp::Ge) return x >= y;
}
template <Cmp op>
Tensor compare_tensor(const Tensor& a, const Tensor& b, const char* name) {
  const ScalarType t = result_type(a, b);
  Tensor out = detail::make_empty(detail::broadcast_shape(name, {a.sizes(), b.sizes()}), kBool);
  Tensor ac = detail::cast(a, t), bc = detail::cast(b, t);
  kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = kernels::opmath_t<T>;
    kernels::binary_loop<bool, T, T>(out, ac, bc,
                                     [](T x, T y) { return compare<op, C>(C(x), C(y)); });
  });
  return out;
}
template <Cmp op>
Tensor compare_scalar(const Tensor& a, const Scalar& s) {
  // Compare in double when the scalar is floating and the tensor integral (2 < 2.5 is true);
  // otherwise in the tensor's dtype, the scalar converted to it (uint8 255 == -1 is true, as in
  // libtorch).
  const ScalarType t = result_type(a, s) == a.scalar_type() ? a.scalar_type() : kDouble;
  Tensor out = detail::make_empty(a.sizes(), kBool);
  Tensor ac = detail::cast(a, t);
  kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using C = kernels::opmath_t<T>;
    const C v = static_cast<C>(s.to<T>());
    kernels::unary_loop<bool, T>(out, ac, [v](T x) { return compare<op, C>(C(x), v); });
  });
  return out;
}
}  // namespace

#define TG_COMPARISON(name, op, sym)                                                             \
  Tensor name(const Tensor& a, const Tensor& b) { return compare_tensor<Cmp::op>(a, b, #name); } \
  Tensor name(const Tensor& a, const Scalar& b) { return compare_scalar<Cmp::op>(a, b); }        \
  Tensor Tensor::name(const Tensor& o) const { return tg::name(*this, o); }                      \
  Tensor Tensor::name(const Scalar& o) const { return tg::name(*this, o); }                      \
  Tensor operator sym(const Tensor& a, const Tensor& b) { return tg::name(a, b); }               \
  Tensor operator sym(const Tensor& a, const Scalar& b) { return tg::name(a, b); }
TG_COMPARISON(eq, Eq, ==)
TG_COMPARISON(ne, Ne, !=)
TG_COMPARISON(lt, Lt, <)
TG_COMPARISON(le, Le, <=)
TG_COMPARISON(gt, Gt, >)
TG_COMPARISON(ge, Ge, >=)
#undef TG_COMPARISON

// ---- in-place ----

namespace {
template <Arith op>
Tensor& arith_(const Tensor& self, const Tensor& other, const Scalar& alpha, const char* name,
               Tensor (*out_of_place)(const Tensor&, const Tensor&)) {
  detail::check_inplace_shape(name, self.sizes(), {other.sizes()});
  detail::check_inplace_dtype(name, compute_type<op>(result_type(self, other), name), self.dtype());
  return detail::inplace(
      self, name, other.requires_grad(),
      [&](const Tensor& old) {
        return op == Arith::Add   ? tg::add(old, other, alpha)
               : op == Arith::Sub ? tg::sub(old, other, alpha)
                                  : out_of_place(old, other);
      },
      [&] { arith_kernel<op>(self, self, other, alpha); });
}
template <Arith op>
Tensor& arith_scalar_(const Tensor& self, const Scalar& other, const Scalar& alpha,
                      const char* name, Tensor (*out_of_place)(const Tensor&, const Scalar&)) {
  detail::check_inplace_dtype(name, compute_type<op>(result_type(self, other), name), self.dtype());
  return detail::inplace(
      self, name, false,
      [&](const Tensor& old) {
        return op == Arith::Add   ? tg::add(old, other, alpha)
               : op == Arith::Sub ? tg::sub(old, other, alpha)
                                  : out_of_place(old, other);
      },
      [&] { arith_scalar_kernel<op>(self, self, other, alpha); });
}
Tensor mul_tt(const Tensor& a, const Tensor& b) { return tg::mul(a, b); }
Tensor div_tt(const Tensor& a, const Tensor& b) { return tg::div(a, b); }
Tensor mul_ts(const Tensor& a, const Scalar& b) { return tg::mul(a, b); }
Tensor div_ts(const Tensor& a, const Scalar& b) { return tg::div(a, b); }
}  // namespace

Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) const {
  return arith_<Arith::Add>(*this, o, alpha, "add_", nullptr);
}
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) const {
  return arith_scalar_<Arith::Add>(*this, o, alpha, "add_", nullptr);
}
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) const {
  return arith_<Arith::Sub>(*this, o, alpha, "sub_", nullptr);
}
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) const {
  return arith_scalar_<Arith::Sub>(*this, o, alpha, "sub_", nullptr);
}
Tensor& Tensor::mul_(const Tensor& o) const {
  return arith_<Arith::Mul>(*this, o, 1, "mul_", mul_tt);
}
Tensor& Tensor::mul_(const Scalar& o) const {
  return arith_scalar_<Arith::Mul>(*this, o, 1, "mul_", mul_ts);
}
Tensor& Tensor::div_(const Tensor& o) const {
  return arith_<Arith::Div>(*this, o, 1, "div_", div_tt);
}
Tensor& Tensor::div_(const Scalar& o) const {
  return arith_scalar_<Arith::Div>(*this, o, 1, "div_", div_ts);
}

Tensor& Tensor::neg_() const {
  TG_CHECK(dtype() != kBool, "neg_: negation on a bool tensor is not supported");
  return detail::inplace(
      *this, "neg_", false, [](const Tensor& old) { return tg::neg(old); },
      [this] { arith_scalar_kernel<Arith::Mul>(*this, *this, -1, 1); });
}

namespace {
/// fill_ and zero_ (each named in its errors).
Tensor& fill_named(const Tensor& self, const Scalar& value, const char* op) {
  return detail::inplace(
      self, op, false,
      [&](const Tensor& old) {
        Tensor result = detail::make_empty(old.sizes(), old.dtype());
        NoGradGuard no_grad;
        result.fill_(value);
        record("FillBackward0", {old}, {result}, save(),
               [](BackwardArgs<0>& a) -> variable_list { return {zeros_like(a.grad())}; });
        return result;
      },
      [&] {
        detail::check_fits(op, value, self.scalar_type());
        kernels::dispatch(self.dtype(), [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T v = value.to<T>();
          kernels::fill_loop<T>(self, v);
        });
      });
}
}  // namespace

Tensor& Tensor::fill_(const Scalar& value) const { return fill_named(*this, value, "fill_"); }

Tensor& Tensor::zero_() const { return fill_named(*this, 0, "zero_"); }

Tensor& Tensor::copy_(const Tensor& src, bool /*non_blocking*/) const {
  detail::check_inplace_shape("copy_", sizes(), {src.sizes()});
  return detail::inplace(
      *this, "copy_", src.requires_grad(),
      [&](const Tensor& old) {
        Tensor result = detail::make_empty(old.sizes(), old.dtype());
        detail::copy_into(result, src);
        record("CopyBackwards", {old, src}, {result}, save(),
               [](BackwardArgs<0>& a) -> variable_list {
                 return {zeros_like(a.grad()), a.grad()};
               });
        return result;
      },
      [&] { detail::copy_into(*this, src); });
}

}  // namespace tg
