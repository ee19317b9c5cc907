#pragma once
// The dims a reduction folds, as every reduction op (sum.cpp, reduce.cpp) reads them from its
// arguments, and the shapes of its result.
#include "core/internal.h"
#include "kernels/reduce.h"

namespace tg::reduce_dims {

using kernels::DimMask;

/// Every dim of x (none for a 0-d tensor). Throws naming `op` when x has too many dims.
DimMask all(const Tensor& x, const char* op);
/// The dims in `dims` (negative ones wrapped), or every dim when `dims` is empty (as libtorch).
/// Throws naming `op` when a dim is out of range or repeated.
DimMask of(const Tensor& x, IntArrayRef dims, const char* op);
/// The one dim `dim` (none for a 0-d tensor, whose only dim is itself).
DimMask one(const Tensor& x, int64_t dim, const char* op);

inline bool reduces(DimMask mask, int64_t d) { return (mask >> d) & 1; }
/// The reduced dims in increasing order (for the sums in derivatives).
DimVector list(DimMask mask, int64_t ndim);
/// The result's shape: `sizes` with the reduced dims removed, or kept as 1 with keepdim.
DimVector result_shape(IntArrayRef sizes, DimMask mask, bool keepdim);
/// The number of elements each result element folds.
int64_t reduced_numel(IntArrayRef sizes, DimMask mask);
/// A new contiguous result of a reduction of x over `mask`, uninitialised.
Tensor empty_result(const Tensor& x, DimMask mask, bool keepdim, ScalarType dtype);

}  // namespace tg::reduce_dims
