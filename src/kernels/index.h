#pragma once
// Indexing kernels: the loops of index_select, index_add, gather and scatter_add, which walk
// lines along the indexed dim. Operands may have any strides and are at least 1-d (the ops see
// a 0-d tensor as 1-d of size 1); indices are in range (the ops check them first).
#include <cstdint>

#include "kernels/view.h"

namespace tg::kernels {

/// out[..., k, ...] = x[..., index[k], ...] along dim, for k < out.size(dim). out and x have
/// one dtype and the same sizes outside dim.
void index_select_lines(const View& out, const View& x, int64_t dim, const int64_t* index);

/// out[..., index[k], ...] += src[..., k, ...] along dim, for k < src.size(dim), in order of k
/// (indices may repeat). out and src have one dtype and the same sizes outside dim.
void index_add_lines(const View& out, const View& src, int64_t dim, const int64_t* index);

/// out[i][j][k] = x[i][index[i][j][k]][k] (for dim 1; likewise for any dim) for every element
/// of index (Long). out has index's shape; x is at least as large outside dim.
void gather(const View& out, const View& x, const View& index, int64_t dim);

/// out[i][index[i][j][k]][k] += src[i][j][k] (for dim 1; likewise for any dim) for every
/// element of index (Long), in order along dim. out and src are at least as large as index
/// outside dim, and src in dim too.
void scatter_add(const View& out, const View& src, const View& index, int64_t dim);

/// out[offsets[i]] = src[i] (or += src[i] with accumulate) for i < offsets.numel(), in order of
/// i (offsets may repeat). offsets is a contiguous Long tensor of element offsets from out's first
/// element, all inside out's memory; src is contiguous, of out's dtype, with offsets' numel.
void put(const View& out, const View& offsets, const View& src, bool accumulate);

}  // namespace tg::kernels
