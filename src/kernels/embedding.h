#pragma once
// Embedding kernels: rows of a table picked by indices, the rows' gradients summed back into the
// table, and max-norm renormalisation of rows. Indices are contiguous Long values in range (the
// op checks them).
#include <cstdint>

#include "kernels/view.h"

namespace tg::kernels {

/// out[i] = weight[indices[i]] for a contiguous weight [rows, dim] and out [n, dim] of its dtype.
void embedding_rows(const View& out, const View& weight, const View& indices);

/// factors[i] (Double, contiguous, one per index): 0 where indices[i] is padding_idx, else
/// 1 / (occurrences of indices[i]) with scale_by_freq, else 1. The factor each looked-up row's
/// gradient is multiplied by.
void embedding_row_factors(const View& factors, const View& indices, int64_t padding_idx,
                           bool scale_by_freq);

/// gw = 0, then gw[indices[i]] += factors[i] * g[i] in order of i, for a contiguous gw
/// [rows, dim] and g [n, dim] of one floating dtype and factors from embedding_row_factors.
void embedding_backward(const View& gw, const View& g, const View& indices, const View& factors);

/// Scales each of the rows `rows[0, n)` of a floating weight [rows, dim] (any strides) whose
/// norm_type-norm exceeds max_norm down to max_norm (over norm + 1e-7, as libtorch).
void embedding_renorm(const View& weight, const int64_t* rows, int64_t n, double max_norm,
                      double norm_type);

}  // namespace tg::kernels
