#pragma once
// Reduction kernels: sums, products, extrema, norms, variances and the dim-wise scans (softmax,
// cumsum). Kernels know nothing of autograd; the ops in src/ops/reduce.cpp record the nodes.
//
// Note [Reduction order]
// A reduction's result must not depend on the thread count. Every output's reduced elements are
// split into fixed-size chunks of the flat reduced index (kReduceChunk elements, or
// kReduceRowChunk rows when whole rows are accumulated); a chunk is reduced sequentially (with
// a number of interleaved accumulators, or a reducer's whole-run fast path, both chosen from the
// shape alone), and the chunk results are combined in order. Threads only decide who computes
// which chunk, never how the arithmetic is grouped. Floats are accumulated in double, integers
// in int64. The dim-wise scans (softmax, cumsum) fold each row on one thread. So results are
// the same bits for any thread count (tests/test_determinism.cpp compares 1 and 2 threads).
#include <cstdint>

#include "tensorgrad/tensor.h"

namespace tg::kernels {

/// The dims a reduction folds: bit d set for dim d (tensors have at most 64 dims here).
using DimMask = uint64_t;
constexpr int kMaxReduceDims = 64;

/// Flat reduced elements per chunk (see Note [Reduction order]).
constexpr int64_t kReduceChunk = 8192;
/// Rows per chunk when a reduction accumulates whole rows (reducing an outer dim).
constexpr int64_t kReduceRowChunk = 256;

// Every reduction returns a new contiguous tensor of x's shape with the reduced dims removed, or
// kept with size 1 when keepdim is true. Reduced dims of a 0-d tensor are ignored.

/// Sum over `mask`. `out` is the result dtype: x's for floats, kLong for Long and Bool inputs
/// (any other pair casts x first).
Tensor reduce_sum(const Tensor& x, DimMask mask, bool keepdim, ScalarType out);
/// Mean over `mask` of a floating-point x (NaN where nothing is reduced).
Tensor reduce_mean(const Tensor& x, DimMask mask, bool keepdim);
/// Product over `mask`; `out` as for reduce_sum.
Tensor reduce_prod(const Tensor& x, DimMask mask, bool keepdim, ScalarType out);
/// Max (or min) over `mask`, NaN propagating; x's dtype. The reduced set must not be empty.
Tensor reduce_minmax(const Tensor& x, DimMask mask, bool keepdim, bool is_max);
/// Max (or min) over `mask` with its flat index in the reduced dims (row-major), first
/// occurrence on ties, the first NaN when there is one. Writes `values` (x's dtype) and
/// `indices` (kLong) where non-null. The reduced set must not be empty.
void reduce_arg_minmax(const Tensor& x, DimMask mask, bool keepdim, bool is_max, Tensor* values,
                       Tensor* indices);
/// The p-norm over `mask` of a floating-point x: (sum |x|^p)^(1/p); p = inf: max |x|;
/// p = -inf: min |x|; p = 0: the count of non-zeros.
Tensor reduce_norm(const Tensor& x, DimMask mask, bool keepdim, double p);
/// Variance (or standard deviation) over `mask` of a floating-point x with the divisor
/// max(0, N - correction), computed with the corrected two-pass algorithm.
Tensor reduce_var(const Tensor& x, DimMask mask, bool keepdim, int64_t correction, bool take_sqrt);
/// log(sum(exp(x))) over `mask` of a floating-point x, stable (the max is subtracted first).
Tensor reduce_logsumexp(const Tensor& x, DimMask mask, bool keepdim);

/// softmax (or log_softmax) along dim of a floating-point x, stable (the max is subtracted first).
/// The result is contiguous with x's shape.
Tensor softmax_dim(const Tensor& x, int64_t dim, bool log);
/// The gradient of softmax (log = false: y (g - sum(g y))) or log_softmax (log = true:
/// g - exp(y) sum(g)) along dim, from the output gradient g and the forward output y (same
/// shape and floating dtype). The result is contiguous.
Tensor softmax_backward_dim(const Tensor& g, const Tensor& y, int64_t dim, bool log);
/// Inclusive prefix sums along dim; the result has x's dtype (cast Bool to Long first).
Tensor cumsum_dim(const Tensor& x, int64_t dim);

}  // namespace tg::kernels
