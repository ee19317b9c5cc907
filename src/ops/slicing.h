#pragma once
// Views along one dimension without autograd, shared by the slicing ops (ops/slicing.cpp) and
// the joins that fill their result piece by piece (ops/join.cpp); and the adjoints of slice and
// select. Each adjoint is a differentiable op whose own derivative is the public op again, so
// gradients of any order flow through slice, narrow, select and the splits.
#include "tensorgrad/functions.h"

namespace tg::detail {

/// The view x[..., start:start+length*step:step, ...] along dim (no autograd); dim is wrapped
/// and the bounds are in range.
Tensor slice_view(const Tensor& x, int64_t dim, int64_t start, int64_t length, int64_t step);

/// The view x[..., index, ...] along dim, which drops that dimension (no autograd); dim is
/// wrapped and index is non-negative and in range.
Tensor select_view(const Tensor& x, int64_t dim, int64_t index);

/// zeros(input_sizes) with grad written into the slice (dim, start:end:step); start and end are
/// already normalised (0 <= start <= end <= size). Derivative: grad.slice(dim, start, end, step).
Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start,
                      int64_t end, int64_t step);

/// zeros(input_sizes) with grad written at (dim, index); index is non-negative.
/// Derivative: grad.select(dim, index).
Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index);

}  // namespace tg::detail
