#pragma once
// Broadcasting, type promotion and the in-place checks: the rules every op with several operands
// follows, in one place. The public forms, tg::broadcast_shapes and tg::result_type, are defined
// in operand_rules.cpp too.
#include <initializer_list>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/dtype.h"
#include "tensorgrad/tensor.h"

namespace tg::detail {

/// The shape all of `shapes` broadcast to: dimensions are matched from the last, and each must be
/// equal or 1. Throws naming `op` and every shape otherwise.
DimVector broadcast_shape(const char* op, std::initializer_list<IntArrayRef> shapes);

/// True when `shape` broadcasts to `target` without changing it: what the engine can sum a
/// gradient of shape `target` down to.
bool broadcasts_to(IntArrayRef shape, IntArrayRef target);

/// For an in-place op on a tensor of shape `self`: the other operands must broadcast to it.
void check_inplace_shape(const char* op, IntArrayRef self,
                         std::initializer_list<IntArrayRef> others);

/// libtorch's canCast: floating values do not go into integral tensors, nor numbers into Bool.
bool can_cast(ScalarType from, ScalarType to);

/// The dtype libtorch's ops compute the operands in: Note [Type promotion] over dimensioned and
/// 0-d tensors (undefined tensors are skipped).
ScalarType result_type(std::initializer_list<Tensor> tensors);

/// The default dtype when it is floating (it is unless set_default_dtype made it integral), else
/// Float: what integral values become in true division and the real-valued functions.
ScalarType default_floating_dtype();
/// t when floating, else default_floating_dtype().
ScalarType floating_or_default(ScalarType t);

/// For an in-place op: the out-of-place op's result dtype must fit into self's.
void check_inplace_dtype(const char* op, ScalarType result, ScalarType self);

}  // namespace tg::detail
