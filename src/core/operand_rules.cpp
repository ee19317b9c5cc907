#include "core/operand_rules.h"

#include <algorithm>
#include <string>

#include "core/internal.h"

namespace tg {
namespace detail {

namespace {
/// "[2, 3], [4] and [1]"
std::string shapes_str(std::initializer_list<IntArrayRef> shapes) {
  std::string out;
  size_t i = 0;
  for (IntArrayRef s : shapes) {
    if (i > 0) out += i + 1 == shapes.size() ? " and " : ", ";
    out += shape_str(s);
    ++i;
  }
  return out;
}
}  // namespace

DimVector broadcast_shape(const char* op, std::initializer_list<IntArrayRef> shapes) {
  size_t nd = 0;
  for (IntArrayRef s : shapes) nd = std::max(nd, s.size());
  DimVector out(nd, 1);
  for (IntArrayRef s : shapes) {
    const size_t offset = nd - s.size();
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t& size = out[offset + d];
      if (s[d] == size || s[d] == 1) continue;
      TG_CHECK(size == 1, op, ": the shapes ", shapes_str(shapes),
               " are not broadcastable: the size of tensor a (", size,
               ") must match the size of tensor b (", s[d], ") at non-singleton dimension ",
               offset + d,
               " (dimensions are matched from the last and must be equal or 1); reshape or "
               "expand the operands to compatible shapes");
      size = s[d];
    }
  }
  return out;
}

bool broadcasts_to(IntArrayRef shape, IntArrayRef target) {
  if (shape.size() > target.size()) return false;
  const size_t offset = target.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != target[offset + d] && shape[d] != 1) return false;
  return true;
}

void check_inplace_shape(const char* op, IntArrayRef self,
                         std::initializer_list<IntArrayRef> others) {
  for (IntArrayRef other : others) {
    if (broadcasts_to(other, self)) continue;
    const DimVector shape = broadcast_shape(op, {self, other});
    fail(op, ": output with shape ", shape_str(self), " doesn't match the broadcast shape ",
         shape_str(shape), " of its operands ", shape_str(self), " and ", shape_str(other),
         "; use the out-of-place form");
  }
}

bool can_cast(ScalarType from, ScalarType to) {
  if (is_floating_point(from) && !is_floating_point(to)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

void check_inplace_dtype(const char* op, ScalarType result, ScalarType self) {
  TG_CHECK(detail::can_cast(result, self), op, ": result type ", result,
           " can't be cast to the desired output type ", self,
           "; use the out-of-place form, or convert the tensor first with .to(tg::k",
           to_string(result), ")");
}

}  // namespace detail

// ---- the public forms ----

bool can_cast(ScalarType from, ScalarType to) { return detail::can_cast(from, to); }

DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b) {
  return detail::broadcast_shape("broadcast_shapes", {a, b});
}

// Note [Type promotion]
// Two dtypes of the same category combine by libtorch's promoteTypes, the table below: the
// floating type wins over the integral ones and Bool; between floating types the wider wins, and
// Half with BFloat16 (neither holds the other) gives Float; between integral types the wider
// wins, and Byte (unsigned) with a signed type gives the next signed type that holds both
// (Byte with Char gives Short); Bool with any type gives the other. The categories are
// dimensioned tensors, 0-d tensors and wrapped numbers (Scalars), in that order: a lower
// category only counts when its kind (bool < integral < floating) is higher than the higher
// category's result, and a floating Scalar counts as the default dtype (get_default_dtype()).
// Nothing reads the enum's numeric order.
namespace {
constexpr ScalarType u1 = kByte, i1 = kChar, i2 = kShort, i4 = kInt, i8 = kLong, f2 = kHalf,
                     f4 = kFloat, f8 = kDouble, b1 = kBool, bf = kBFloat16;
// Rows and columns in the enum's order: Byte Char Short Int Long Half Float Double Bool BFloat16.
constexpr ScalarType kPromotion[kNumScalarTypes][kNumScalarTypes] = {
    /*         u1  i1  i2  i4  i8  f2  f4  f8  b1  bf */
    /* u1 */ {u1, i2, i2, i4, i8, f2, f4, f8, u1, bf},
    /* i1 */ {i2, i1, i2, i4, i8, f2, f4, f8, i1, bf},
    /* i2 */ {i2, i2, i2, i4, i8, f2, f4, f8, i2, bf},
    /* i4 */ {i4, i4, i4, i4, i8, f2, f4, f8, i4, bf},
    /* i8 */ {i8, i8, i8, i8, i8, f2, f4, f8, i8, bf},
    /* f2 */ {f2, f2, f2, f2, f2, f2, f4, f8, f2, f4},
    /* f4 */ {f4, f4, f4, f4, f4, f4, f4, f8, f4, f4},
    /* f8 */ {f8, f8, f8, f8, f8, f8, f8, f8, f8, f8},
    /* b1 */ {u1, i1, i2, i4, i8, f2, f4, f8, b1, bf},
    /* bf */ {bf, bf, bf, bf, bf, f4, f4, f8, bf, bf},
};
static_assert([] {
  for (int i = 0; i < kNumScalarTypes; ++i)
    for (int j = 0; j < kNumScalarTypes; ++j)
      if (kPromotion[i][j] != kPromotion[j][i]) return false;
  return true;
}());

enum Kind { kKindBool, kKindInt, kKindFloat };
Kind kind_of(ScalarType t) {
  return t == kBool ? kKindBool : is_floating_point(t) ? kKindFloat : kKindInt;
}
// libtorch's rule: a lower category only counts when it is of a higher kind than the higher
// category's result.
ScalarType combine(ScalarType higher, ScalarType lower) {
  return kind_of(lower) > kind_of(higher) ? promote_types(higher, lower) : higher;
}
// A floating Scalar participates as the default dtype, as a wrapped number in libtorch.
ScalarType scalar_dtype(const Scalar& s) {
  return s.isFloatingPoint() ? detail::default_floating_dtype() : s.type();
}
}  // namespace

ScalarType promote_types(ScalarType a, ScalarType b) {
  const int i = static_cast<int>(a), j = static_cast<int>(b);
  TG_CHECK(i >= 0 && i < kNumScalarTypes && j >= 0 && j < kNumScalarTypes,
           "promote_types: not a dtype (", i, ", ", j, ")");
  return kPromotion[i][j];
}

ScalarType result_type(const Tensor& a, const Tensor& b) {
  const bool a0 = a.dim() == 0, b0 = b.dim() == 0;
  if (a0 == b0) return promote_types(a.dtype(), b.dtype());
  return a0 ? combine(b.dtype(), a.dtype()) : combine(a.dtype(), b.dtype());
}

ScalarType result_type(const Tensor& a, const Scalar& b) {
  return combine(a.dtype(), scalar_dtype(b));
}

ScalarType result_type(const Scalar& a, const Tensor& b) { return result_type(b, a); }

ScalarType result_type(const Scalar& a, const Scalar& b) {
  // Two wrapped numbers: one category.
  return promote_types(scalar_dtype(a), scalar_dtype(b));
}

namespace detail {

ScalarType result_type(std::initializer_list<Tensor> tensors) {
  std::optional<ScalarType> dims, zero_dims;
  for (const Tensor& t : tensors) {
    if (!t.defined()) continue;
    std::optional<ScalarType>& r = t.dim() == 0 ? zero_dims : dims;
    r = r ? promote_types(*r, t.dtype()) : t.scalar_type();
  }
  if (!dims) return zero_dims.value_or(default_floating_dtype());
  return zero_dims ? combine(*dims, *zero_dims) : *dims;
}

ScalarType default_floating_dtype() {
  const ScalarType t = get_default_dtype_as_scalartype();
  return is_floating_point(t) ? t : kFloat;
}

ScalarType floating_or_default(ScalarType t) {
  return is_floating_point(t) ? t : default_floating_dtype();
}

}  // namespace detail

}  // namespace tg
