#pragma once
// Reduction kernels: sums, products, extrema, norms, variances and the dim-wise scans (softmax,
// cumsum). Kernels know nothing of autograd; the ops in src/ops/reduce.cpp and src/ops/sum.cpp
// allocate the results and record the nodes.
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
#include <optional>

#include "kernels/view.h"

namespace tg::kernels {

/// The dims a reduction folds: bit d set for dim d (tensors have at most 64 dims here).
using DimMask = uint64_t;
constexpr int kMaxReduceDims = 64;

/// Flat reduced elements per chunk (see Note [Reduction order]).
constexpr int64_t kReduceChunk = 8192;
/// Rows per chunk when a reduction accumulates whole rows (reducing an outer dim).
constexpr int64_t kReduceRowChunk = 256;

// Every reduction writes a contiguous `out` that holds one element per index of x's kept dims
// (the dims not in `mask`), in row-major order: x's shape with the reduced dims removed or kept
// as 1, allocated by the calling op. x may have any strides. Bits of `mask` at or past x.dim()
// are ignored (a 0-d tensor reduces nothing).

/// Sum over `mask`. out has x's dtype, or Long for a Bool x.
void reduce_sum(const View& out, const View& x, DimMask mask);
/// Mean over `mask` of a floating-point x, into out of x's dtype (NaN where nothing is reduced).
void reduce_mean(const View& out, const View& x, DimMask mask);
/// Product over `mask`; dtypes as for reduce_sum.
void reduce_prod(const View& out, const View& x, DimMask mask);
/// Max (or min) over `mask`, NaN propagating; out has x's dtype. The reduced set must not be
/// empty.
void reduce_minmax(const View& out, const View& x, DimMask mask, bool is_max);
/// Max (or min) over `mask` with its flat index in the reduced dims (row-major), first
/// occurrence on ties, the first NaN when there is one. Writes `values` (x's dtype) and
/// `indices` (Long) where given. The reduced set must not be empty.
void reduce_arg_minmax(const std::optional<View>& values, const std::optional<View>& indices,
                       const View& x, DimMask mask, bool is_max);
/// The p-norm over `mask` of a floating-point x: (sum |x|^p)^(1/p); p = inf: max |x|;
/// p = -inf: min |x|; p = 0: the count of non-zeros. out has x's dtype.
void reduce_norm(const View& out, const View& x, DimMask mask, double p);
/// Variance (or standard deviation) over `mask` of a floating-point x with the divisor
/// max(0, N - correction), computed with the corrected two-pass algorithm; out has x's dtype.
void reduce_var(const View& out, const View& x, DimMask mask, int64_t correction, bool take_sqrt);
/// log(sum(exp(x))) over `mask` of a floating-point x, stable (the max is subtracted first).
void reduce_logsumexp(const View& out, const View& x, DimMask mask);

// The dim-wise scans read a contiguous input and write a contiguous output of its shape and
// dtype; `dim` is in [0, x.dim()), or 0 for a 0-d x.

/// softmax (or log_softmax) along dim of a floating-point x, stable (the max is subtracted first).
void softmax_dim(const View& out, const View& x, int64_t dim, bool log);
/// The gradient of softmax (log = false: y (g - sum(g y))) or log_softmax (log = true:
/// g - exp(y) sum(g)) along dim, from the output gradient g and the forward output y (same
/// shape and floating dtype).
void softmax_backward_dim(const View& out, const View& g, const View& y, int64_t dim, bool log);
/// Inclusive prefix sums along dim of a Float, Double or Long x.
void cumsum_dim(const View& out, const View& x, int64_t dim);

}  // namespace tg::kernels
