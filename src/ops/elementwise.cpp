// The elementwise ops of the op table (tensorgrad/elementwise_ops.def): each row becomes tg::name,
// Tensor::name and Tensor::name_ here, from its dtype rule, what it saves and its derivative.
// Below the table: the elementwise ops whose signature does not fit it (polygamma, logit, lerp,
// addcmul, addcdiv, and the forms with a Scalar first).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <optional>

#include "autograd/record.h"
#include "core/deferred.h"
#include "core/internal.h"
#include "core/operand_rules.h"
#include "kernels/elementwise_math.h"
#include "kernels/loop.h"
#include "ops/fused_backward.h"

namespace tg {

using kernels::BinaryFn;
using kernels::DtypeRule;
using kernels::UnaryFn;

namespace {

// ---- the table's machinery ----

// The saves and fused columns.
enum class Saves { NONE, X, Y, XY, AB, ABY };
enum class Fusion { PLAIN, FUSED };

struct UnaryRow {
  UnaryFn fn;
  const char* name;  // as the user called it: "exp" or "exp_"
  const char* node;
  DtypeRule dtypes;
};

struct BinaryRow {
  BinaryFn fn;
  const char* name;
  const char* node;
  DtypeRule dtypes;
};

/// What a refused dtype's error suggests converting to.
const char* conversion_for(DtypeRule rule) {
  return rule == DtypeRule::SIGNED || rule == DtypeRule::DIVISION ? "kLong" : "kFloat";
}

[[noreturn]] void refuse_dtype(const char* op, DtypeRule rule, ScalarType t, IntArrayRef shape) {
  detail::fail(op, ": not implemented for ", t, " tensors (shape ", detail::shape_str(shape),
               "); convert first with .to(tg::", conversion_for(rule), ")");
}

/// The dtype a row computes and returns for input dtype t (see the dtypes column).
ScalarType result_dtype(const char* op, DtypeRule rule, ScalarType t, IntArrayRef shape) {
  switch (rule) {
    case DtypeRule::FLOATING:
      return detail::floating_or_default(t);
    case DtypeRule::FLOATING_ONLY:
      if (!is_floating_point(t)) refuse_dtype(op, rule, t, shape);
      return t;
    case DtypeRule::ROUNDING:
    case DtypeRule::SIGNED:
    case DtypeRule::DIVISION:
      if (t == kBool) refuse_dtype(op, rule, t, shape);
      return t;
    case DtypeRule::SIGN:
      return t;
  }
  return t;
}

/// out = row(in), in already of out's dtype (in may be out).
void unary_kernel(const UnaryRow& row, const Tensor& out, const Tensor& in) {
  if (row.dtypes == DtypeRule::ROUNDING && !out.is_floating_point()) {
    if (!out.is_same(in)) detail::copy_into(out, in);  // integers are already whole
    return;
  }
  kernels::dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::unary<T>(row.fn, out, in);
  });
}

/// The row's contiguous loop, for a deferred op (Note [Deferred elementwise chains]).
template <class T>
detail::ChunkFn row_chunk(UnaryFn fn) {
  return [fn](char* out, const char* const* in, int64_t n) {
    kernels::unary_contiguous<T>(fn, reinterpret_cast<T*>(out), reinterpret_cast<const T*>(in[0]),
                                 n);
  };
}

Tensor unary_forward(const UnaryRow& row, const Tensor& x) {
  const ScalarType rt = result_dtype(row.name, row.dtypes, x.dtype(), x.sizes());
  Tensor in = detail::cast(x, rt);
  if (detail::can_defer(rt, {&in}))
    return detail::defer(rt, {&in},
                         rt == kFloat ? row_chunk<float>(row.fn) : row_chunk<double>(row.fn));
  Tensor out = detail::make_empty(x.sizes(), rt);
  unary_kernel(row, out, in);
  return out;
}

/// A row's op: the forward, and when x requires grad, a node that runs the row's derivative
/// d(g, x, y) on what the row saves (undefined tensors stand for what it does not save).
template <Saves S, Fusion F, class D>
Tensor unary_op(const UnaryRow& row, const Tensor& x, D d) {
  Tensor y = unary_forward(row, x);
  if (!needs_grad(x)) return y;
  if constexpr (S == Saves::NONE) {
    record(row.node, {x}, {y}, save(),
           [d](BackwardArgs<0>& a) -> variable_list { return {d(a.grad(), Tensor(), Tensor())}; });
  } else if constexpr (S == Saves::X) {
    record(row.node, {x}, {y}, save(x), [d](BackwardArgs<1>& a) -> variable_list {
      return {d(a.grad(), a.saved[0], Tensor())};
    });
  } else if constexpr (S == Saves::Y) {
    record(row.node, {x}, {y}, save(output(y)), [d](BackwardArgs<1>& a) -> variable_list {
      const Tensor &g = a.grad(), &y = a.saved[0];
      if constexpr (F == Fusion::FUSED)
        if (can_fuse(g, y)) return {fused(g, y, [d](auto gv, auto yv) { return d(gv, yv, yv); })};
      return {d(g, Tensor(), y)};
    });
  } else {
    static_assert(S == Saves::XY);
    record(row.node, {x}, {y}, save(x, output(y)), [d](BackwardArgs<2>& a) -> variable_list {
      return {d(a.grad(), a.saved[0], a.saved[1])};
    });
  }
  return y;
}

Tensor& unary_inplace(const UnaryRow& row, const Tensor& self,
                      Tensor (*out_of_place)(const Tensor&)) {
  detail::check_inplace_dtype(
      row.name, result_dtype(row.name, row.dtypes, self.dtype(), self.sizes()), self.dtype());
  return detail::inplace(self, row.name, false, out_of_place,
                         [&] { unary_kernel(row, self, self); });
}

/// The dtype a binary row computes in, for operands a and b.
ScalarType binary_dtype(const BinaryRow& row, const Tensor& a, const Tensor& b) {
  return result_dtype(row.name, row.dtypes, result_type(a, b), a.sizes());
}

/// out = row(a, b), a and b already of out's dtype.
void binary_kernel(const BinaryRow& row, const Tensor& out, const Tensor& a, const Tensor& b) {
  if (row.dtypes == DtypeRule::DIVISION && !out.is_floating_point()) {
    const Tensor divisor = detail::contiguous_data(b);
    kernels::dispatch(divisor.scalar_type(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_integral_v<T>) {
        const T* p = static_cast<const T*>(divisor.data_ptr());
        TG_CHECK(std::find(p, p + divisor.numel(), T(0)) == p + divisor.numel(), row.name,
                 ": ZeroDivisionError: an integral divisor is 0; use floating-point tensors to "
                 "get NaN instead");
      }
    });
  }
  kernels::dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) kernels::binary<T>(row.fn, out, a, b);
  });
}

Tensor binary_forward(const BinaryRow& row, const Tensor& a, const Tensor& b) {
  const DimVector shape = detail::broadcast_shape(row.name, {a.sizes(), b.sizes()});
  const ScalarType rt = binary_dtype(row, a, b);
  Tensor out = detail::make_empty(shape, rt);
  binary_kernel(row, out, detail::cast(a, rt), detail::cast(b, rt));
  return out;
}

/// A binary row's op; da and db are d(g, a, b, y).
template <Saves S, class DA, class DB>
Tensor binary_op(const BinaryRow& row, const Tensor& a, const Tensor& b, DA da, DB db) {
  Tensor y = binary_forward(row, a, b);
  if (!needs_grad(a, b)) return y;
  auto grads = [da, db](const autograd::Node& node, const Tensor& g, const Tensor& a,
                        const Tensor& b, const Tensor& y) -> variable_list {
    return {node.should_compute_output(0) ? Tensor(da(g, a, b, y)) : Tensor(),
            node.should_compute_output(1) ? Tensor(db(g, a, b, y)) : Tensor()};
  };
  if constexpr (S == Saves::NONE) {
    record(row.node, {a, b}, {y}, save(), [grads](BackwardArgs<0>& x) -> variable_list {
      return grads(x.node, x.grad(), Tensor(), Tensor(), Tensor());
    });
  } else if constexpr (S == Saves::AB) {
    record(row.node, {a, b}, {y}, save(a, b), [grads](BackwardArgs<2>& x) -> variable_list {
      return grads(x.node, x.grad(), x.saved[0], x.saved[1], Tensor());
    });
  } else {
    static_assert(S == Saves::ABY);
    record(row.node, {a, b}, {y}, save(a, b, output(y)),
           [grads](BackwardArgs<3>& x) -> variable_list {
             return grads(x.node, x.grad(), x.saved[0], x.saved[1], x.saved[2]);
           });
  }
  return y;
}

/// b as a 0-d tensor of the dtype a binary row computes in for (a, b).
Tensor wrap_scalar(const BinaryRow& row, const Tensor& a, const Scalar& b) {
  return scalar_tensor(b, result_dtype(row.name, row.dtypes, result_type(a, b), a.sizes()));
}

Tensor& binary_inplace(const BinaryRow& row, const Tensor& self, const Tensor& other,
                       Tensor (*out_of_place)(const Tensor&, const Tensor&)) {
  detail::check_inplace_shape(row.name, self.sizes(), {other.sizes()});
  detail::check_inplace_dtype(row.name, binary_dtype(row, self, other), self.dtype());
  return detail::inplace(
      self, row.name, other.requires_grad(),
      [&](const Tensor& old) { return out_of_place(old, other); },
      [&] { binary_kernel(row, self, self, detail::cast(other, self.dtype())); });
}

}  // namespace

// ---- the table ----

#define TG_UNARY(name, node, dtypes, f, simd, vf, vd, saves, fused, dx, domain)      \
  Tensor name(const Tensor& x) {                                                     \
    return unary_op<Saves::saves, Fusion::fused>(                                    \
        {UnaryFn::name, #name, node, DtypeRule::dtypes}, x,                          \
        [](const auto& g, const auto& x, const auto& y) { return dx; });             \
  }                                                                                  \
  Tensor Tensor::name() const { return tg::name(*this); }                            \
  Tensor& Tensor::name##_() const {                                                  \
    return unary_inplace({UnaryFn::name, #name "_", node, DtypeRule::dtypes}, *this, \
                         [](const Tensor& s) { return tg::name(s); });               \
  }
#define TG_BINARY(name, node, dtypes, f, simd, vf, vd, saves, da, db, domain)                 \
  Tensor name(const Tensor& a, const Tensor& b) {                                             \
    return binary_op<Saves::saves>(                                                           \
        {BinaryFn::name, #name, node, DtypeRule::dtypes}, a, b,                               \
        [](const auto& g, const auto& a, const auto& b, const auto& y) { return da; },        \
        [](const auto& g, const auto& a, const auto& b, const auto& y) { return db; });       \
  }                                                                                           \
  Tensor name(const Tensor& a, const Scalar& b) {                                             \
    return tg::name(a, wrap_scalar({BinaryFn::name, #name, node, DtypeRule::dtypes}, a, b));  \
  }                                                                                           \
  Tensor Tensor::name(const Tensor& other) const { return tg::name(*this, other); }           \
  Tensor Tensor::name(const Scalar& other) const { return tg::name(*this, other); }           \
  Tensor& Tensor::name##_(const Tensor& other) const {                                        \
    return binary_inplace({BinaryFn::name, #name "_", node, DtypeRule::dtypes}, *this, other, \
                          [](const Tensor& a, const Tensor& b) { return tg::name(a, b); });   \
  }                                                                                           \
  Tensor& Tensor::name##_(const Scalar& other) const {                                        \
    return name##_(                                                                           \
        wrap_scalar({BinaryFn::name, #name "_", node, DtypeRule::dtypes}, *this, other));     \
  }
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY

// ---- elementwise ops outside the table ----

namespace {
/// x's dtype if floating, else the default floating dtype (what the real-valued functions
/// compute in).
ScalarType floating_dtype(ScalarType t) { return detail::floating_or_default(t); }

/// The dtype of self op tensor1 op tensor2 for lerp, addcmul and addcdiv.
ScalarType ternary_dtype(const char* op, const Tensor& a, const Tensor& b, const Tensor& c,
                         bool floating_only) {
  const ScalarType t = detail::result_type({a, b, c});
  TG_CHECK(!floating_only || is_floating_point(t), op,
           ": expected floating-point tensors (Float, Double, Half or BFloat16) but got ", t,
           "; convert with .to(tg::kFloat)");
  return t;
}

/// For the in-place forms of the ops below: compute out of place, write back.
Tensor& write_back(const Tensor& self, const char* op, bool others_require_grad,
                   const std::function<Tensor(const Tensor&)>& out_of_place) {
  return detail::inplace(self, op, others_require_grad, out_of_place, [&] {
    Tensor result;
    {
      NoGradGuard no_grad;
      result = out_of_place(self);
    }
    detail::check_inplace_dtype(op, result.dtype(), self.dtype());
    detail::check_inplace_shape(op, self.sizes(), {result.sizes()});
    detail::copy_into(self, result);
  });
}
}  // namespace

Tensor polygamma(int64_t n, const Tensor& x) {
  TG_CHECK(n >= 0, "polygamma: n must be non-negative, but got ", n);
  const ScalarType rt = floating_dtype(x.dtype());
  Tensor y = detail::make_empty(x.sizes(), rt);
  const Tensor in = detail::cast(x, rt);
  kernels::dispatch_floating(rt, "polygamma", [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::polygamma<T>(static_cast<int>(n), y, in);
  });
  if (needs_grad(x))
    record("PolygammaBackward0", {x}, {y}, save(x), [n](BackwardArgs<1>& a) -> variable_list {
      return {a.grad() * polygamma(n + 1, a.saved[0])};
    });
  return y;
}

Tensor logit(const Tensor& x, std::optional<double> eps) {
  const ScalarType rt = floating_dtype(x.dtype());
  Tensor y = detail::make_empty(x.sizes(), rt);
  const Tensor in = detail::cast(x, rt);
  kernels::dispatch_floating(rt, "logit", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool clamp = eps.has_value();
    const T lo = clamp ? T(*eps) : T(0), hi = clamp ? T(1 - *eps) : T(1);
    kernels::unary_loop<T, T>(y, in, [clamp, lo, hi](T v) {
      const T z = clamp ? (v < lo ? lo : v > hi ? hi : v) : v;
      return std::log(z / (T(1) - z));
    });
  });
  if (needs_grad(x))
    record("LogitBackward0", {x}, {y}, save(x), [eps](BackwardArgs<1>& a) -> variable_list {
      const Tensor& x = a.saved[0];
      const Tensor d = a.grad() / (x * (1 - x));
      // Outside [eps, 1 - eps] the clamped function is flat; without eps, outside [0, 1] it is
      // not defined (NaN, as libtorch).
      if (eps) return {where(x < *eps, 0, where(x > 1 - *eps, 0, d))};
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return {where(x < 0, nan, where(x > 1, nan, d))};
    });
  return y;
}

Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight) {
  const ScalarType rt = ternary_dtype("lerp", self, end, end, true);
  Tensor y = detail::make_empty(detail::broadcast_shape("lerp", {self.sizes(), end.sizes()}), rt);
  const double w = weight.toDouble();
  kernels::dispatch_floating(rt, "lerp", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T wt = static_cast<T>(w);
    // From the nearer end, as libtorch, so that weight 1 gives end exactly.
    kernels::binary_loop<T, T, T>(y, detail::cast(self, rt), detail::cast(end, rt), [wt](T s, T e) {
      return std::abs(wt) < T(0.5) ? s + wt * (e - s) : e - (e - s) * (T(1) - wt);
    });
  });
  if (needs_grad(self, end))
    record("LerpBackward0", {self, end}, {y}, save(), [w](BackwardArgs<0>& a) -> variable_list {
      return {a.needs(0) ? a.grad() * (1 - w) : Tensor(), a.needs(1) ? a.grad() * w : Tensor()};
    });
  return y;
}

Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  const ScalarType rt = ternary_dtype("lerp", self, end, weight, true);
  Tensor y = detail::make_empty(
      detail::broadcast_shape("lerp", {self.sizes(), end.sizes(), weight.sizes()}), rt);
  kernels::dispatch_floating(rt, "lerp", [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::ternary_loop<T, T, T, T>(y, detail::cast(self, rt), detail::cast(end, rt),
                                      detail::cast(weight, rt), [](T s, T e, T w) {
                                        return std::abs(w) < T(0.5) ? s + w * (e - s)
                                                                    : e - (e - s) * (T(1) - w);
                                      });
  });
  if (needs_grad(self, end, weight))
    record("LerpBackward1", {self, end, weight}, {y}, save(self, end, weight),
           [](BackwardArgs<3>& a) -> variable_list {
             const Tensor &g = a.grad(), &s = a.saved[0], &e = a.saved[1], &w = a.saved[2];
             return {a.needs(0) ? g * (1 - w) : Tensor(), a.needs(1) ? g * w : Tensor(),
                     a.needs(2) ? g * (e - s) : Tensor()};
           });
  return y;
}

Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value) {
  const ScalarType rt = ternary_dtype("addcmul", self, tensor1, tensor2, false);
  Tensor y = detail::make_empty(
      detail::broadcast_shape("addcmul", {self.sizes(), tensor1.sizes(), tensor2.sizes()}), rt);
  kernels::dispatch(rt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = value.to<T>();
    using C = kernels::opmath_t<T>;
    const C vc = value.to<C>();
    kernels::ternary_loop<T, T, T, T>(y, detail::cast(self, rt), detail::cast(tensor1, rt),
                                      detail::cast(tensor2, rt), [v, vc](T s, T a, T b) {
                                        if constexpr (std::is_same_v<T, bool>)
                                          return static_cast<T>(s + v * a * b);
                                        else
                                          return static_cast<T>(C(s) + vc * C(a) * C(b));
                                      });
  });
  if (needs_grad(self, tensor1, tensor2))
    record("AddcmulBackward0", {self, tensor1, tensor2}, {y},
           save(tensor2.requires_grad() ? tensor1 : Tensor(),
                tensor1.requires_grad() ? tensor2 : Tensor()),
           [value](BackwardArgs<2>& a) -> variable_list {
             const Tensor& g = a.grad();
             return {a.needs(0) ? g : Tensor(), a.needs(1) ? g * a.saved[1] * value : Tensor(),
                     a.needs(2) ? g * a.saved[0] * value : Tensor()};
           });
  return y;
}

Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value) {
  TG_CHECK(tensor1.is_floating_point() || tensor2.is_floating_point(),
           "addcdiv: integer division with addcdiv is not supported (tensor1 is ", tensor1.dtype(),
           ", tensor2 is ", tensor2.dtype(),
           "); for true division convert them with .to(tg::kFloat), for floor division use "
           "(tensor1 / tensor2).floor()");
  const ScalarType rt = ternary_dtype("addcdiv", self, tensor1, tensor2, false);
  Tensor y = detail::make_empty(
      detail::broadcast_shape("addcdiv", {self.sizes(), tensor1.sizes(), tensor2.sizes()}), rt);
  kernels::dispatch_floating(rt, "addcdiv", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = value.to<T>();
    kernels::ternary_loop<T, T, T, T>(y, detail::cast(self, rt), detail::cast(tensor1, rt),
                                      detail::cast(tensor2, rt),
                                      [v](T s, T a, T b) { return s + v * a / b; });
  });
  if (needs_grad(self, tensor1, tensor2))
    record("AddcdivBackward0", {self, tensor1, tensor2}, {y},
           save(tensor2.requires_grad() ? tensor1 : Tensor(), tensor2),
           [value](BackwardArgs<2>& a) -> variable_list {
             const Tensor &g = a.grad(), &t1 = a.saved[0], &t2 = a.saved[1];
             return {a.needs(0) ? g : Tensor(), a.needs(1) ? g * value / t2 : Tensor(),
                     a.needs(2) ? -g * value * t1 / (t2 * t2) : Tensor()};
           });
  return y;
}

Tensor xlogy(const Scalar& self, const Tensor& other) {
  return xlogy(scalar_tensor(self, floating_dtype(result_type(other, self))), other);
}

Tensor remainder(const Scalar& self, const Tensor& other) {
  return remainder(scalar_tensor(self, result_type(other, self)), other);
}

Tensor Tensor::polygamma(int64_t n) const { return tg::polygamma(n, *this); }
Tensor& Tensor::polygamma_(int64_t n) const {
  return write_back(*this, "polygamma_", false,
                    [n](const Tensor& s) { return tg::polygamma(n, s); });
}
Tensor Tensor::logit(std::optional<double> eps) const { return tg::logit(*this, eps); }
Tensor& Tensor::logit_(std::optional<double> eps) const {
  return write_back(*this, "logit_", false, [eps](const Tensor& s) { return tg::logit(s, eps); });
}
Tensor Tensor::lerp(const Tensor& end, const Scalar& weight) const {
  return tg::lerp(*this, end, weight);
}
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const {
  return tg::lerp(*this, end, weight);
}
Tensor& Tensor::lerp_(const Tensor& end, const Scalar& weight) const {
  return write_back(*this, "lerp_", end.requires_grad(),
                    [&](const Tensor& s) { return tg::lerp(s, end, weight); });
}
Tensor& Tensor::lerp_(const Tensor& end, const Tensor& weight) const {
  return write_back(*this, "lerp_", end.requires_grad() || weight.requires_grad(),
                    [&](const Tensor& s) { return tg::lerp(s, end, weight); });
}
Tensor Tensor::addcmul(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) const {
  return tg::addcmul(*this, tensor1, tensor2, value);
}
Tensor& Tensor::addcmul_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) const {
  return write_back(*this, "addcmul_", tensor1.requires_grad() || tensor2.requires_grad(),
                    [&](const Tensor& s) { return tg::addcmul(s, tensor1, tensor2, value); });
}
Tensor Tensor::addcdiv(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) const {
  return tg::addcdiv(*this, tensor1, tensor2, value);
}
Tensor& Tensor::addcdiv_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) const {
  return write_back(*this, "addcdiv_", tensor1.requires_grad() || tensor2.requires_grad(),
                    [&](const Tensor& s) { return tg::addcdiv(s, tensor1, tensor2, value); });
}

}  // namespace tg
