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
  TG_CHECK(can_cast(result, self), op, ": result type ", result,
           " can't be cast to the desired output type ", self,
           "; use the out-of-place form, or convert the tensor first with .to(tg::k",
           to_string(result), ")");
}

}  // namespace detail

// ---- the public forms ----

DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b) {
  return detail::broadcast_shape("broadcast_shapes", {a, b});
}

namespace {
enum Kind { kKindBool, kKindInt, kKindFloat };
Kind kind_of(ScalarType t) {
  return t == kBool ? kKindBool : is_floating_point(t) ? kKindFloat : kKindInt;
}
ScalarType promote(ScalarType a, ScalarType b) { return a > b ? a : b; }
// libtorch's rule: a lower category (0-d tensor, then Scalar) only counts when it is of a higher
// kind (bool < integer < floating) than the higher category's result.
ScalarType combine(ScalarType higher, ScalarType lower) {
  return kind_of(lower) > kind_of(higher) ? promote(higher, lower) : higher;
}
// A floating Scalar participates as the default dtype (Float), as a wrapped number in libtorch.
ScalarType scalar_dtype(const Scalar& s) { return s.isFloatingPoint() ? kFloat : s.type(); }
}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  const bool a0 = a.dim() == 0, b0 = b.dim() == 0;
  if (a0 == b0) return promote(a.dtype(), b.dtype());
  return a0 ? combine(b.dtype(), a.dtype()) : combine(a.dtype(), b.dtype());
}

ScalarType result_type(const Tensor& a, const Scalar& b) {
  return combine(a.dtype(), scalar_dtype(b));
}

}  // namespace tg
