#include "kernels/gemm.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "kernels/parallel.h"
#include "tensorgrad/error.h"

namespace tg::kernels {
namespace {

// How a strided matrix reaches a BLAS-style routine: as it is ('N': row-major with leading
// dimension ld) or transposed ('T': its transpose is row-major with leading dimension ld).
struct Layout {
  char trans;
  int64_t ld;
};

// The layout of a rows x cols matrix with the given strides, when it is a plain matrix (unit
// stride in one dim, rows that do not overlap). Strides of size-1 dims never matter.
std::optional<Layout> plain_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  const int64_t min_row_ld = std::max<int64_t>(1, cols);
  const int64_t min_col_ld = std::max<int64_t>(1, rows);
  if ((cols <= 1 || cs == 1) && (rows <= 1 || rs >= min_row_ld))
    return Layout{'N', rows <= 1 ? min_row_ld : rs};
  if ((rows <= 1 || rs == 1) && (cols <= 1 || cs >= min_col_ld))
    return Layout{'T', cols <= 1 ? min_col_ld : cs};
  return std::nullopt;
}

// A contiguous copy of a batch of strided matrices, and a MatrixRef that reads it. A batch
// stride of 0 stays 0 (one matrix is copied, not `batch`).
template <class T>
MatrixRef pack(const MatrixRef& m, int64_t batch, int64_t rows, int64_t cols,
               std::vector<T>& buffer) {
  const int64_t copies = m.batch_stride == 0 ? 1 : batch;
  buffer.resize(static_cast<size_t>(copies * rows * cols));
  const T* src = static_cast<const T*>(m.data);
  T* dst = buffer.data();
  for (int64_t b = 0; b < copies; ++b)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        *dst++ = src[b * m.batch_stride + i * m.row_stride + j * m.col_stride];
  return MatrixRef{buffer.data(), m.batch_stride == 0 ? 0 : rows * cols, cols, 1};
}

// C = beta * C, where beta == 0 writes zeros without reading C.
template <class T>
void scale(int64_t batch, int64_t M, int64_t N, T beta, const MatrixRef& C) {
  T* c = static_cast<T*>(C.data);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        T& v = c[b * C.batch_stride + i * C.row_stride + j * C.col_stride];
        v = beta == T(0) ? T(0) : v * beta;
      }
}

// Note [Deterministic GEMM]
// A float product must have the same bits whatever the thread count. oneDNN's sgemm threads
// itself, and when C has too few rows and columns for its threads it also splits K and adds
// the partial products, so the rounding depends on the thread count (measured with oneDNN 2.6:
// [64, 8192] @ [8192, 64] differs between 1 and 8 threads). So oneDNN only ever runs on one
// thread here, and we split a large product into tasks ourselves, by the shape alone: about
// one task per kTaskFlops, at most kMaxTasks per batch. C is cut into square tiles (kMaxTile
// wide, halved down to kMinTile until there are that many); when there are still too few, K is
// cut into equal chunks of at least kMinChunkK (their partial sums then take less than
// kMaxTasks * kMinTile^2 floats), and when K is too short for that, the tiles shrink to
// kLastTile. Each task is one single-threaded sgemm; the K chunks of a tile are added in chunk
// order after all tasks ran. Threads only decide who computes which task. A batch below
// kSmallGemmFlops in all runs on one thread, since waking a team costs more than it saves.
constexpr double kSmallGemmFlops = double(1 << 22);
constexpr double kTaskFlops = double(1 << 22);
constexpr int64_t kMaxTasks = 16;
constexpr int64_t kMaxTile = 1024, kMinTile = 128, kLastTile = 64;
constexpr int64_t kMinChunkK = 512;

/// How a batch of products of M x K and K x N is split (see Note [Deterministic GEMM]).
struct Tiling {
  int64_t tile, mt, nt;  // tile size; tiles along M and N
  int64_t kc, kt;        // K per chunk; chunks
};

Tiling tiling_of(int64_t batch, int64_t M, int64_t N, int64_t K) {
  const auto div_up = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  const double flops = 2.0 * double(batch) * double(M) * double(N) * double(K);
  if (flops < kSmallGemmFlops) return Tiling{std::max(M, N), 1, 1, K, 1};
  const int64_t want = std::clamp<int64_t>(static_cast<int64_t>(flops / kTaskFlops), 1, kMaxTasks);
  Tiling t{kMaxTile, 0, 0, K, 1};
  auto tiles = [&] { return batch * div_up(M, t.tile) * div_up(N, t.tile); };
  while (t.tile > kMinTile && tiles() < want) t.tile /= 2;
  if (tiles() < want) {
    const int64_t chunks = std::min(div_up(want, tiles()), std::max<int64_t>(1, K / kMinChunkK));
    t.kc = div_up(K, chunks);
    t.kt = div_up(K, t.kc);
    // Small tiles are slower than K chunks: only when K is too short to split enough.
    if (tiles() * t.kt < want) t.tile = kLastTile;
  }
  t.mt = div_up(M, t.tile);
  t.nt = div_up(N, t.tile);
  return t;
}

/// The sub-matrix at (row, col) of a matrix passed with layout l.
inline const float* at(const float* p, const Layout& l, int64_t row, int64_t col) {
  return l.trans == 'N' ? p + row * l.ld + col : p + col * l.ld + row;
}

// Float: oneDNN's sgemm, on one thread per call (see Note [Deterministic GEMM]). It picks its
// kernel by the CPU's instruction set.
void sgemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, float alpha, MatrixRef A,
                   MatrixRef B, float beta, const MatrixRef& C) {
  std::vector<float> a_buffer, b_buffer;
  std::optional<Layout> la = plain_layout(M, K, A.row_stride, A.col_stride);
  if (!la) {
    A = pack<float>(A, batch, M, K, a_buffer);
    la = plain_layout(M, K, A.row_stride, A.col_stride);
  }
  std::optional<Layout> lb = plain_layout(K, N, B.row_stride, B.col_stride);
  if (!lb) {
    B = pack<float>(B, batch, K, N, b_buffer);
    lb = plain_layout(K, N, B.row_stride, B.col_stride);
  }
  const std::optional<Layout> lc = plain_layout(M, N, C.row_stride, C.col_stride);
  // gemm_batched hands over C in row-major layout only (see there).
  TG_CHECK(lc && lc->trans == 'N', "gemm: internal error: output is not row-major");
  const float* a = static_cast<const float*>(A.data);
  const float* b = static_cast<const float*>(B.data);
  float* c = static_cast<float*>(C.data);
  const Tiling t = tiling_of(batch, M, N, K);
  // partial[((k - 1) * batch + i) * M * N ...]: K chunk k >= 1 of product i, row-major M x N.
  std::vector<float> partial(static_cast<size_t>((t.kt - 1) * batch * M * N));
  const int64_t per_product = t.mt * t.nt * t.kt;
  auto task = [&](int64_t id) -> dnnl_status_t {
    const int64_t i = id / per_product, r = id % per_product;
    const int64_t k = r % t.kt, tile = r / t.kt;
    const int64_t row = tile / t.nt * t.tile, col = tile % t.nt * t.tile;
    const int64_t m = std::min(t.tile, M - row), n = std::min(t.tile, N - col);
    const int64_t k0 = k * t.kc, kn = std::min(t.kc, K - k0);
    const float* ai = at(a + i * A.batch_stride, *la, row, k0);
    const float* bi = at(b + i * B.batch_stride, *lb, k0, col);
    if (k == 0)
      return dnnl_sgemm(la->trans, lb->trans, m, n, kn, alpha, ai, la->ld, bi, lb->ld, beta,
                        c + i * C.batch_stride + row * lc->ld + col, lc->ld);
    float* p = partial.data() + ((k - 1) * batch + i) * M * N + row * N + col;
    return dnnl_sgemm(la->trans, lb->trans, m, n, kn, alpha, ai, la->ld, bi, lb->ld, 0.f, p, N);
  };
  const int64_t ntasks = batch * per_product;
  const double flops = 2.0 * double(batch) * double(M) * double(N) * double(K);
  const int team = flops >= kSmallGemmFlops ? team_size() : 1;
  OpenMPThreads sequential_onednn(1);  // each sgemm runs on the thread that takes its task
  std::atomic<dnnl_status_t> status{dnnl_success};
  run_tasks(team, ntasks, [&](int64_t id) {
    const dnnl_status_t s = task(id);
    if (s != dnnl_success) status = s;
  });
  TG_CHECK(status == dnnl_success, "matmul: oneDNN sgemm failed (status ", int(status.load()),
           ") for sizes M=", M, " N=", N, " K=", K, " lda=", la->ld, " ldb=", lb->ld,
           " ldc=", lc->ld);
  if (t.kt == 1) return;
  // C += the other chunks, in chunk order (under 1 MB: no threads needed).
  for (int64_t r = 0; r < batch * M; ++r) {
    const int64_t i = r / M, row = r % M;
    float* out = c + i * C.batch_stride + row * lc->ld;
    for (int64_t k = 1; k < t.kt; ++k) {
      const float* p = partial.data() + ((k - 1) * batch + i) * M * N + row * N;
      for (int64_t j = 0; j < N; ++j) out[j] += p[j];
    }
  }
}

// Double and Long by hand: oneDNN has no f64 or integer GEMM, and these dtypes serve gradient
// checking and exact tests on small sizes, where a simple loop is fast enough. The i-k-j order
// streams rows of B and C through the cache; each output row is computed by one thread in a
// fixed order, so results are deterministic whatever the thread count.
template <class T>
void naive_gemm_batched(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha, const MatrixRef& A,
                        MatrixRef B, T beta, const MatrixRef& C) {
  std::vector<T> b_buffer;
  if (N > 1 && B.col_stride != 1) B = pack<T>(B, batch, K, N, b_buffer);
  const T* a = static_cast<const T*>(A.data);
  const T* bm = static_cast<const T*>(B.data);
  T* c = static_cast<T*>(C.data);
  const int64_t rows = batch * M;
  const int64_t rows_per_grain =
      std::max<int64_t>(1, kMinParallelWork / std::max<int64_t>(1, N * K));
  parallel_for(rows, rows_per_grain, [&](int64_t begin, int64_t end) {
    std::vector<T> acc(static_cast<size_t>(N));
    for (int64_t r = begin; r < end; ++r) {
      const int64_t bi = r / M, i = r % M;
      const T* arow = a + bi * A.batch_stride + i * A.row_stride;
      const T* bbase = bm + bi * B.batch_stride;
      std::fill(acc.begin(), acc.end(), T(0));
      for (int64_t k = 0; k < K; ++k) {
        const T aik = arow[k * A.col_stride];
        const T* brow = bbase + k * B.row_stride;
        for (int64_t j = 0; j < N; ++j) acc[j] += aik * brow[j];
      }
      T* crow = c + bi * C.batch_stride + i * C.row_stride;
      for (int64_t j = 0; j < N; ++j) {
        T& out = crow[j * C.col_stride];
        out = beta == T(0) ? alpha * acc[j] : beta * out + alpha * acc[j];
      }
    }
  });
}

}  // namespace

void gemm_batched(ScalarType dtype, int64_t batch, int64_t M, int64_t N, int64_t K, double alpha,
                  const MatrixRef& A, const MatrixRef& B, double beta, const MatrixRef& C) {
  TG_CHECK(dtype == kFloat || dtype == kDouble || dtype == kLong,
           "matmul: matrix products are defined for Float, Double and Long tensors, not ", dtype,
           "; convert with .to(tg::kFloat)");
  if (batch == 0 || M == 0 || N == 0) return;
  if (K == 0) {
    switch (dtype) {
      case kFloat:
        return scale<float>(batch, M, N, static_cast<float>(beta), C);
      case kDouble:
        return scale<double>(batch, M, N, beta, C);
      default:
        return scale<int64_t>(batch, M, N, static_cast<int64_t>(beta), C);
    }
  }
  // The libraries write C row-major. A transposed C is computed as C^T = B^T A^T; any other
  // layout goes through a contiguous temporary.
  const std::optional<Layout> lc = plain_layout(M, N, C.row_stride, C.col_stride);
  if (lc && lc->trans == 'T') {
    const auto swap = [](const MatrixRef& m) {
      return MatrixRef{m.data, m.batch_stride, m.col_stride, m.row_stride};
    };
    return gemm_batched(dtype, batch, N, M, K, alpha, swap(B), swap(A), beta, swap(C));
  }
  if (!lc) {
    const size_t es = element_size(dtype);
    std::vector<char> tmp(static_cast<size_t>(batch * M * N) * es);
    const MatrixRef T{tmp.data(), M * N, N, 1};
    auto move = [&](const MatrixRef& from, const MatrixRef& to) {
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j)
            std::memcpy(
                static_cast<char*>(to.data) +
                    (b * to.batch_stride + i * to.row_stride + j * to.col_stride) * es,
                static_cast<const char*>(from.data) +
                    (b * from.batch_stride + i * from.row_stride + j * from.col_stride) * es,
                es);
    };
    if (beta != 0) move(C, T);
    gemm_batched(dtype, batch, M, N, K, alpha, A, B, beta, T);
    move(T, C);
    return;
  }
  switch (dtype) {
    case kFloat:
      return sgemm_batched(batch, M, N, K, static_cast<float>(alpha), A, B,
                           static_cast<float>(beta), C);
    case kDouble:
      return naive_gemm_batched<double>(batch, M, N, K, alpha, A, B, beta, C);
    default:
      return naive_gemm_batched<int64_t>(batch, M, N, K, static_cast<int64_t>(alpha), A, B,
                                         static_cast<int64_t>(beta), C);
  }
}

void mm_out(const View& out, const View& a, const View& b, double alpha, double beta) {
  gemm_batched(out.dtype(), 1, a.size(0), b.size(1), a.size(1), alpha,
               MatrixRef{a.data_ptr(), 0, a.stride(0), a.stride(1)},
               MatrixRef{b.data_ptr(), 0, b.stride(0), b.stride(1)}, beta,
               MatrixRef{out.data_ptr(), 0, out.stride(0), out.stride(1)});
}

void bmm_out(const View& out, const View& a, const View& b, double alpha, double beta) {
  gemm_batched(out.dtype(), a.size(0), a.size(1), b.size(2), a.size(2), alpha,
               MatrixRef{a.data_ptr(), a.size(0) == 1 ? 0 : a.stride(0), a.stride(1), a.stride(2)},
               MatrixRef{b.data_ptr(), b.size(0) == 1 ? 0 : b.stride(0), b.stride(1), b.stride(2)},
               beta, MatrixRef{out.data_ptr(), out.stride(0), out.stride(1), out.stride(2)});
}

}  // namespace tg::kernels
