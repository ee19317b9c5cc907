#pragma once
// Matrix products: a batched strided GEMM. Float goes to oneDNN's sgemm; Double and Long use a
// plain loop (see gemm.cpp for why). Kernels know nothing of autograd.
#include <cstdint>

#include "kernels/view.h"
#include "tensorgrad/dtype.h"

namespace tg::kernels {

/// One GEMM operand: a batch of matrices with arbitrary strides, in elements. A batch stride of 0
/// repeats one matrix over the batch (an expanded operand).
struct MatrixRef {
  void* data = nullptr;
  int64_t batch_stride = 0;
  int64_t row_stride = 0;
  int64_t col_stride = 0;
};

/// C[b] = alpha * A[b] @ B[b] + beta * C[b] for b in [0, batch), with A[b] of M x K, B[b] of
/// K x N and C[b] of M x N, all of `dtype` (Float, Double or Long). A and B are only read; C
/// must not overlap them. A matrix whose layout is plain row-major or transposed (unit stride in
/// one dim) is passed to the library as it is; any other layout is copied first. When beta is 0,
/// C is written without being read (NaNs in C do not propagate), as in BLAS. K == 0 gives
/// beta * C.
void gemm_batched(ScalarType dtype, int64_t batch, int64_t M, int64_t N, int64_t K, double alpha,
                  const MatrixRef& A, const MatrixRef& B, double beta, const MatrixRef& C);

/// out = alpha * a @ b + beta * out for 2-D a [M, K], b [K, N], out [M, N] (any strides, one
/// dtype). No autograd and no shape checks: the calling op checks.
void mm_out(const View& out, const View& a, const View& b, double alpha = 1, double beta = 0);

/// out[i] = alpha * a[i] @ b[i] + beta * out[i] for 3-D a [B, M, K], b [B, K, N], out [B, M, N].
void bmm_out(const View& out, const View& a, const View& b, double alpha = 1, double beta = 0);

}  // namespace tg::kernels
