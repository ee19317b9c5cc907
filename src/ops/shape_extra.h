#pragma once
// Internal differentiable ops used by the derivatives of the slicing and indexing ops. Each is
// the adjoint of a public op, and its own derivative is that public op again, so that gradients of
// any order flow through slice, select, index_select, gather and scatter_add.
#include "tensorgrad/functions.h"

namespace tg::detail {

/// zeros(input_sizes) with grad written into the slice (dim, start:end:step); start and end are
/// already normalised (0 <= start <= end <= size). Derivative: grad.slice(dim, start, end, step).
Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start,
                      int64_t end, int64_t step);

/// zeros(input_sizes) with grad written at (dim, index); index is non-negative.
/// Derivative: grad.select(dim, index).
Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index);

/// self with source[..., k, ...] added to self[..., index[k], ...] along dim (libtorch's
/// index_add). index is a 0-d or 1-d Long tensor with values already known to be in range.
/// Derivatives: self <- grad, source <- grad.index_select(dim, index).
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source);

}  // namespace tg::detail
