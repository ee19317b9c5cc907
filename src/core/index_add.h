#pragma once
// Declared with the core, defined in ops/index.cpp: the view machinery (autograd/view.cpp) builds
// the gradients of as_strided views with it, as functions.h declares public ops for the core.
#include "tensorgrad/tensor.h"

namespace tg::detail {

/// self with source[..., k, ...] added to self[..., index[k], ...] along dim (libtorch's
/// index_add). index is a 0-d or 1-d Long tensor with values already known to be in range. It is
/// index_select's adjoint, so gradients of any order flow through index_select.
/// Derivatives: self <- grad, source <- grad.index_select(dim, index).
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source);

}  // namespace tg::detail
