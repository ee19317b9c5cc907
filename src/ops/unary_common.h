#pragma once
// Helpers shared by the elementwise math and selection ops (src/ops/unary*.cpp).
#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <string>

#include "core/internal.h"
#include "tensorgrad/tensor.h"

namespace tg::unary_ops {

/// The shape every operand broadcasts to; throws naming `op` and every operand's shape.
inline DimVector broadcast_operands(const char* op, std::initializer_list<const Tensor*> operands) {
  size_t nd = 0;
  for (const Tensor* t : operands) nd = std::max(nd, static_cast<size_t>(t->dim()));
  DimVector shape(nd, 1);
  for (const Tensor* t : operands) {
    const size_t off = nd - static_cast<size_t>(t->dim());
    for (size_t d = 0; d < static_cast<size_t>(t->dim()); ++d) {
      const int64_t s = t->size(static_cast<int64_t>(d));
      int64_t& out = shape[off + d];
      if (s == out || s == 1) continue;
      if (out == 1) {
        out = s;
        continue;
      }
      std::ostringstream shapes;
      bool first = true;
      for (const Tensor* u : operands) {
        shapes << (first ? "" : ", ") << detail::shape_str(u->sizes());
        first = false;
      }
      detail::fail(op, ": the shapes ", shapes.str(),
                   " cannot be broadcast together (each dimension, counted from the last, must "
                   "be equal or 1); reshape or expand the operands to compatible shapes");
    }
  }
  return shape;
}

/// libtorch's canCast: floating values do not go into integral tensors, nor numbers into Bool.
inline bool can_cast(ScalarType from, ScalarType to) {
  if (is_floating_point(from) && !is_floating_point(to)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

/// For in-place ops: the result dtype of the out-of-place op must fit into self.
inline void check_inplace_dtype(const char* op, ScalarType result, ScalarType self) {
  TG_CHECK(can_cast(result, self), op, ": result type ", result,
           " can't be cast to the desired output type ", self,
           "; use the out-of-place form, or convert the tensor first with .to(", result, ")");
}

}  // namespace tg::unary_ops
