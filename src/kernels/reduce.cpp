// Reduction kernels. See Note [Reduction order] in reduce.h.
//
// A reduction is described by two groups of dims: the kept dims (one output element per index)
// and the reduced dims (folded into each output). Each group is coalesced on its own, so most
// reductions become "an output per run of R elements at stride s" or "rows of W outputs".
// Two loops cover them:
//  - runs:  each output reduces its elements run by run (the reduced dims innermost, or any
//           layout the rows loop does not take), with kLanes interleaved accumulators so that a
//           contiguous run vectorises;
//  - rows:  when the innermost kept dim is contiguous (reducing dim 0 of a contiguous [R, M],
//           say), a block of outputs accumulates whole rows at a time: contiguous reads and a
//           loop over outputs that vectorises.
// A reducer may also fold a whole contiguous run at once (fold_contiguous): max and min with
// vector types, logsumexp through the vectorised exp. Whether it does depends on the layout
// only, so results still do not depend on the threads.
#include "kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "kernels/elementwise_math.h"
#include "kernels/loop.h"

namespace tg::kernels {
namespace {

/// Interleaved accumulators for a run (a multiple of the vector width of doubles).
constexpr int kLanes = 8;
/// Outputs (or columns of a dim-wise scan) per task when whole rows are walked: wide, so that
/// each row is read as one long run.
constexpr int64_t kRowBlock = 2048;

/// acc type: double for the floating types (Half and BFloat16 too), int64 for integers and bools.
template <class T>
using acc_t =
    std::conditional_t<std::is_floating_point_v<T> || is_reduced_floating_v<T>, double, int64_t>;
/// The element type of a sum or product of T: Long for the integral types and Bool, as libtorch.
template <class T>
using sum_t = std::conditional_t<std::is_integral_v<T>, int64_t, T>;
/// Whether T has NaNs (the floating types, the 16-bit ones included).
template <class T>
inline constexpr bool has_nan_v = !std::numeric_limits<T>::is_integer;

/// The kept and reduced dims of one reduction, each group coalesced (strides in elements).
struct Geometry {
  DimVector ksize, kstride;  // never empty (a single {1, 0} when nothing is kept)
  DimVector rsize, rstride;  // never empty (a single {1, 0} when nothing is reduced)
  int64_t M = 1;             // output elements
  int64_t R = 1;             // reduced elements per output
};

Geometry make_geometry(const View& x, DimMask mask) {
  Geometry g;
  const int64_t nd = x.dim();
  for (int64_t d = 0; d < nd; ++d) {
    const bool reduced = (mask >> d) & 1;
    const int64_t n = x.size(d), s = x.stride(d);
    if (reduced)
      g.R *= n;
    else
      g.M *= n;
    if (n == 1) continue;
    DimVector& size = reduced ? g.rsize : g.ksize;
    DimVector& stride = reduced ? g.rstride : g.kstride;
    // Merge with the previous dim of the group when one stride walks both (row-major order of
    // the group is kept, which the arg reductions' flat indices rely on).
    if (!size.empty() && stride.back() == s * n) {
      size.back() *= n;
      stride.back() = s;
    } else {
      size.push_back(n);
      stride.push_back(s);
    }
  }
  if (g.ksize.empty()) {
    g.ksize.push_back(1);
    g.kstride.push_back(0);
  }
  if (g.rsize.empty()) {
    g.rsize.push_back(1);
    g.rstride.push_back(0);
  }
  return g;
}

/// Offset of the flat row-major index `flat` over the first `nd` dims of (size, stride).
inline int64_t offset_of(int64_t flat, const DimVector& size, const DimVector& stride, size_t nd) {
  if (nd == 0) return 0;
  if (nd == 1) return flat * stride[0];
  int64_t off = 0;
  for (size_t d = nd; d-- > 0;) {
    off += (flat % size[d]) * stride[d];
    flat /= size[d];
  }
  return off;
}

/// Walks a multi-index over (size, stride) one step at a time, tracking the offset.
struct Counter {
  Counter(int64_t flat, const DimVector& size, const DimVector& stride)
      : size_(size), stride_(stride), index_(size.size(), 0) {
    for (size_t d = size.size(); d-- > 0;) {
      index_[d] = flat % size[d];
      offset += index_[d] * stride[d];
      flat /= size[d];
    }
  }
  void next() {
    for (size_t d = size_.size(); d-- > 0;) {
      offset += stride_[d];
      if (++index_[d] < size_[d]) return;
      offset -= stride_[d] * size_[d];
      index_[d] = 0;
    }
  }
  int64_t offset = 0;

 private:
  const DimVector& size_;
  const DimVector& stride_;
  DimVector index_;
};

// ---- reducers ----
// A reducer says how one output folds its elements: identity(j) (the accumulator for output j
// before any element), step(acc, value, flat reduced index) and combine(a, b), where a holds
// earlier elements than b, or elements from lanes that the indices order (arg reductions).

template <class T, class A>
struct SumRed {
  using In = T;
  using Acc = A;
  Acc identity(int64_t) const { return Acc(0); }
  void step(Acc& a, T v, int64_t) const { a += static_cast<Acc>(v); }
  Acc combine(Acc a, Acc b) const { return a + b; }
};

template <class T, class A>
struct ProdRed {
  using In = T;
  using Acc = A;
  Acc identity(int64_t) const { return Acc(1); }
  void step(Acc& a, T v, int64_t) const { a *= static_cast<Acc>(v); }
  Acc combine(Acc a, Acc b) const { return a * b; }
};

/// v beats a for max (min): strictly greater (less), or NaN; nothing beats a NaN, so the first
/// NaN wins and stays. Branch-free (bitwise on bools) so that the loops using it vectorise.
template <class T, bool IsMax>
inline bool beats(T v, T a) {
  const bool better = IsMax ? v > a : v < a;
  if constexpr (has_nan_v<T>) {
    return (a == a) & (better | (v != v));
  } else {
    return better;
  }
}

template <class T, bool IsMax>
constexpr T worst() {
  if constexpr (std::numeric_limits<T>::has_infinity) {
    return IsMax ? T(-std::numeric_limits<T>::infinity()) : std::numeric_limits<T>::infinity();
  } else {
    return IsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
}

/// The max (min) of a contiguous run of floats or doubles, NaN if there is one. Written with
/// 16-byte vector types (the baseline SSE2 width; wider types are split badly without AVX)
/// because the compiler does not vectorise NaN-aware selects by itself. A max is exact, so how
/// the run is split never changes the result.
template <class T>
struct Vec16;  // 16 bytes of T, and the matching comparison mask (GCC/Clang vector extensions)
template <>
struct Vec16<float> {
  typedef float type __attribute__((vector_size(16)));
  typedef int32_t mask __attribute__((vector_size(16)));
};
template <>
struct Vec16<double> {
  typedef double type __attribute__((vector_size(16)));
  typedef int64_t mask __attribute__((vector_size(16)));
};

template <class T, bool IsMax>
T extremum_contiguous(const T* p, int64_t n) {
  using V = typename Vec16<T>::type;
  using M = typename Vec16<T>::mask;
  constexpr int64_t W = 16 / sizeof(T);
  V m0, m1;
  for (int64_t l = 0; l < W; ++l) m0[l] = m1[l] = worst<T, IsMax>();
  M nan = {};
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    V v0, v1;
    std::memcpy(&v0, p + i, sizeof(V));
    std::memcpy(&v1, p + i + W, sizeof(V));
    if constexpr (IsMax) {
      m0 = v0 > m0 ? v0 : m0;
      m1 = v1 > m1 ? v1 : m1;
    } else {
      m0 = v0 < m0 ? v0 : m0;
      m1 = v1 < m1 ? v1 : m1;
    }
    nan |= (v0 != v0) | (v1 != v1);
  }
  T m = worst<T, IsMax>();
  bool any_nan = false;
  for (int64_t l = 0; l < W; ++l) {
    m = beats<T, IsMax>(m0[l], m) ? m0[l] : m;
    m = beats<T, IsMax>(m1[l], m) ? m1[l] : m;
    any_nan |= nan[l] != 0;
  }
  for (; i < n; ++i) m = beats<T, IsMax>(p[i], m) ? p[i] : m;
  return any_nan ? std::numeric_limits<T>::quiet_NaN() : m;
}

template <class T, bool IsMax>
struct ExtremumRed {
  using In = T;
  using Acc = T;
  Acc identity(int64_t) const { return worst<T, IsMax>(); }
  void step(Acc& a, T v, int64_t) const { a = beats<T, IsMax>(v, a) ? v : a; }
  Acc combine(Acc a, Acc b) const { return beats<T, IsMax>(b, a) ? b : a; }
  /// A contiguous run at once (floating types; see fold_run).
  bool fold_contiguous(Acc& a, const T* p, int64_t n, int64_t) const {
    if constexpr (std::is_floating_point_v<T>) {
      a = combine(a, extremum_contiguous<T, IsMax>(p, n));
      return true;
    } else {
      return false;
    }
  }
};

template <class T>
struct ValueIndex {
  T v;
  int64_t i;  // -1: no element yet
};

template <class T, bool IsMax>
struct ArgRed {
  using In = T;
  using Acc = ValueIndex<T>;
  Acc identity(int64_t) const { return {worst<T, IsMax>(), -1}; }
  void step(Acc& a, T v, int64_t r) const {
    const bool take = (a.i < 0) | beats<T, IsMax>(v, a.v);
    a.v = take ? v : a.v;
    a.i = take ? r : a.i;
  }
  Acc combine(const Acc& a, const Acc& b) const {
    if (a.i < 0) return b;
    if (b.i < 0) return a;
    if (beats<T, IsMax>(b.v, a.v)) return b;
    if (beats<T, IsMax>(a.v, b.v)) return a;
    return b.i < a.i ? b : a;  // equal (or both NaN): the first occurrence
  }
  /// A contiguous run at once (floating types): its extremum, then the first element equal to
  /// it (or the first NaN); the same answer as folding element by element.
  bool fold_contiguous(Acc& a, const T* p, int64_t n, int64_t r) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (n == 0) return true;
      const T m = extremum_contiguous<T, IsMax>(p, n);
      int64_t i = 0;
      if (m != m) {
        while (p[i] == p[i]) ++i;
      } else {
        while (p[i] != m) ++i;
      }
      a = combine(a, Acc{p[i], r + i});  // p[i], not m: the first element's own zero sign
      return true;
    } else {
      return false;
    }
  }
};

// The sum in double of term(element): the p-norms for finite p.
template <class T, class Term>
struct SumOfTermsRed {
  using In = T;
  using Acc = double;
  Term term;
  Acc identity(int64_t) const { return 0; }
  void step(Acc& a, T v, int64_t) const { a += term(static_cast<double>(v)); }
  Acc combine(Acc a, Acc b) const { return a + b; }
};

template <class T, class Term>
SumOfTermsRed<T, Term> sum_of_terms(Term term) {
  return {term};
}

template <class T, bool IsMax>
struct AbsExtremumRed {
  using In = T;
  using Acc = T;
  // |x| >= 0, so 0 is the identity of max |x| (the inf-norm of nothing is 0).
  Acc identity(int64_t) const { return IsMax ? T(0) : std::numeric_limits<T>::infinity(); }
  void step(Acc& a, T v, int64_t) const {
    const T m = std::abs(v);
    a = beats<T, IsMax>(m, a) ? m : a;
  }
  Acc combine(Acc a, Acc b) const { return beats<T, IsMax>(b, a) ? b : a; }
};

/// Sums of the deviations from a known mean and of their squares (the corrected two-pass
/// variance: the first sum corrects the rounding error of the mean).
struct Deviations {
  double mean, s1, s2;
};
template <class T>
struct DeviationRed {
  using In = T;
  using Acc = Deviations;
  const double* means;
  Acc identity(int64_t j) const { return {means[j], 0, 0}; }
  void step(Acc& a, T v, int64_t) const {
    const double d = static_cast<double>(v) - a.mean;
    a.s1 += d;
    a.s2 += d * d;
  }
  Acc combine(const Acc& a, const Acc& b) const { return {a.mean, a.s1 + b.s1, a.s2 + b.s2}; }
};

template <class T>
double sum_of(const T* p, int64_t n);

/// sum(exp(x - m)) for a known shift m per output.
struct ShiftedSum {
  double m, s;
};
template <class T>
struct ShiftedExpRed {
  using In = T;
  using Acc = ShiftedSum;
  const double* shifts;
  void (*vexp)(const T*, T*, int64_t);  // vectorised exp, or null
  Acc identity(int64_t j) const { return {shifts[j], 0}; }
  void step(Acc& a, T v, int64_t) const { a.s += std::exp(static_cast<double>(v) - a.m); }
  Acc combine(const Acc& a, const Acc& b) const { return {a.m, a.s + b.s}; }
  /// A contiguous run through the vectorised exp, a block at a time.
  bool fold_contiguous(Acc& a, const T* p, int64_t n, int64_t) const {
    if (!vexp) return false;
    constexpr int64_t kBuf = 256;
    T buf[kBuf];
    const T m = static_cast<T>(a.m);
    for (int64_t i = 0; i < n; i += kBuf) {
      const int64_t k = std::min(kBuf, n - i);
      for (int64_t j = 0; j < k; ++j) buf[j] = p[i + j] - m;
      vexp(buf, buf, k);
      a.s += sum_of(buf, k);
    }
    return true;
  }
};

// ---- the two loops ----

/// Folds elements [r, r + n) of a run at stride s into the lanes (element i to lane i % L).
template <int L, class Red>
inline void fold_run(const Red& red, typename Red::Acc* lanes, const typename Red::In* p, int64_t n,
                     int64_t s, int64_t r) {
  if constexpr (requires { red.fold_contiguous(lanes[0], p, n, r); }) {
    if (s == 1 && n >= 64 && red.fold_contiguous(lanes[0], p, n, r)) return;
  }
  int64_t i = 0;
  if (s == 1) {
    for (; i + L <= n; i += L)
      for (int l = 0; l < L; ++l) red.step(lanes[l], p[i + l], r + i + l);
    for (; i < n; ++i) red.step(lanes[i % L], p[i], r + i);
  } else {
    for (; i + L <= n; i += L)
      for (int l = 0; l < L; ++l) red.step(lanes[l], p[(i + l) * s], r + i + l);
    for (; i < n; ++i) red.step(lanes[i % L], p[i * s], r + i);
  }
}

/// Output j's fold of its flat reduced elements [rb, re); `base` points at its first element.
template <int L, class Red>
typename Red::Acc fold_range(const Red& red, const Geometry& g, const typename Red::In* base,
                             int64_t j, int64_t rb, int64_t re) {
  using Acc = typename Red::Acc;
  Acc lanes[L];
  for (int l = 0; l < L; ++l) lanes[l] = red.identity(j);
  const size_t nr = g.rsize.size();
  const int64_t inner = g.rsize[nr - 1], inner_stride = g.rstride[nr - 1];
  if (nr == 1) {
    fold_run<L>(red, lanes, base + rb * inner_stride, re - rb, inner_stride, rb);
    rb = re;
  }
  for (int64_t r = rb; r < re;) {
    const int64_t i = r % inner;
    const int64_t off = offset_of(r / inner, g.rsize, g.rstride, nr - 1) + i * inner_stride;
    const int64_t n = std::min(inner - i, re - r);
    fold_run<L>(red, lanes, base + off, n, inner_stride, r);
    r += n;
  }
  Acc acc = lanes[0];
  for (int l = 1; l < L; ++l) acc = red.combine(acc, lanes[l]);
  return acc;
}

/// Calls write(j, acc) once per output with the fold of its reduced elements.
template <class Red, class Write>
void run_reduction(const View& x, const Geometry& g, const Red& red, const Write& write) {
  using In = typename Red::In;
  using Acc = typename Red::Acc;
  if (g.M == 0) return;
  const In* base = static_cast<const In*>(x.data_ptr());
  const size_t nk = g.ksize.size();
  const int64_t work = g.M * g.R;

  if (g.R > 1 && g.kstride[nk - 1] == 1 && g.ksize[nk - 1] > 1) {
    // Rows: a block of outputs (outer index, columns) accumulates whole rows of the reduced dims
    // in order. Wide blocks keep the reads long and sequential; the block width never changes
    // the arithmetic, only the row chunks do.
    const int64_t width = g.ksize[nk - 1], outer = g.M / width;
    const int64_t nblocks = (width + kRowBlock - 1) / kRowBlock;
    const int64_t nchunks = (g.R + kReduceRowChunk - 1) / kReduceRowChunk;
    // Folds row chunk c of the block (o, b) into a[0, width of the block).
    auto fold_rows = [&](int64_t o, int64_t b, int64_t c, Acc* a) {
      const int64_t col = b * kRowBlock, bw = std::min(kRowBlock, width - col);
      const int64_t j0 = o * width + col;
      for (int64_t i = 0; i < bw; ++i) a[i] = red.identity(j0 + i);
      const In* p = base + offset_of(o, g.ksize, g.kstride, nk - 1) + col;
      const int64_t rb = c * kReduceRowChunk, re = std::min(g.R, rb + kReduceRowChunk);
      Counter row(rb, g.rsize, g.rstride);
      for (int64_t r = rb; r < re; ++r, row.next()) {
        const In* q = p + row.offset;
        for (int64_t i = 0; i < bw; ++i) red.step(a[i], q[i], r);
      }
    };
    auto block_of = [&](int64_t b) {  // first column and width of block b
      return std::pair<int64_t, int64_t>(b * kRowBlock, std::min(kRowBlock, width - b * kRowBlock));
    };
    if (nchunks == 1) {
      parallel_tasks(outer * nblocks, work, [&](int64_t t) {
        std::unique_ptr<Acc[]> acc(new Acc[kRowBlock]);
        const int64_t o = t / nblocks, b = t % nblocks;
        fold_rows(o, b, 0, acc.get());
        const auto [col, bw] = block_of(b);
        for (int64_t i = 0; i < bw; ++i) write(o * width + col + i, acc[i]);
      });
      return;
    }
    // partial[c * M + j]: chunk c's fold for output j, combined in chunk order below.
    // (not a std::vector: vector<bool> packs bits, which threads cannot write apart)
    std::unique_ptr<Acc[]> partial(new Acc[static_cast<size_t>(g.M * nchunks)]);
    parallel_tasks(outer * nblocks * nchunks, work, [&](int64_t t) {
      std::unique_ptr<Acc[]> acc(new Acc[kRowBlock]);
      const int64_t c = t % nchunks, o = t / nchunks / nblocks, b = t / nchunks % nblocks;
      fold_rows(o, b, c, acc.get());
      const auto [col, bw] = block_of(b);
      std::copy(acc.get(), acc.get() + bw, partial.get() + c * g.M + o * width + col);
    });
    parallel_tasks(g.M, g.M * nchunks, [&](int64_t j) {
      Acc acc = partial[static_cast<size_t>(j)];
      for (int64_t c = 1; c < nchunks; ++c)
        acc = red.combine(acc, partial[static_cast<size_t>(c * g.M + j)]);
      write(j, acc);
    });
    return;
  }

  // Runs: each output folds its own elements, chunk by chunk.
  const int64_t nchunks = std::max<int64_t>(1, (g.R + kReduceChunk - 1) / kReduceChunk);
  // Independent accumulators shorten the dependency chain; how many is a property of the
  // shape, not of the threads.
  const int lanes = g.R >= 4 * kLanes ? kLanes : g.R >= 8 ? 4 : 1;
  auto fold_chunk = [&](int64_t j, int64_t c) -> Acc {
    const In* p = base + offset_of(j, g.ksize, g.kstride, nk);
    const int64_t rb = c * kReduceChunk, re = std::min(g.R, rb + kReduceChunk);
    if (lanes == kLanes) return fold_range<kLanes>(red, g, p, j, rb, re);
    if (lanes == 4) return fold_range<4>(red, g, p, j, rb, re);
    return fold_range<1>(red, g, p, j, rb, re);
  };
  if (nchunks == 1) {
    parallel_tasks(g.M, work, [&](int64_t j) { write(j, fold_chunk(j, 0)); });
    return;
  }
  // (not a std::vector: vector<bool> packs bits, which threads cannot write apart)
  std::unique_ptr<Acc[]> partial(new Acc[static_cast<size_t>(g.M * nchunks)]);
  parallel_tasks(g.M * nchunks, work, [&](int64_t t) {
    partial[static_cast<size_t>(t)] = fold_chunk(t / nchunks, t % nchunks);
  });
  parallel_tasks(g.M, g.M * nchunks, [&](int64_t j) {
    Acc acc = partial[static_cast<size_t>(j * nchunks)];
    for (int64_t c = 1; c < nchunks; ++c)
      acc = red.combine(acc, partial[static_cast<size_t>(j * nchunks + c)]);
    write(j, acc);
  });
}

/// Max of p[0, n), NaN propagating, with independent lanes (a short dependency chain).
template <class T>
T max_of(const T* p, int64_t n) {
  T lanes[kLanes];
  for (int l = 0; l < kLanes; ++l) lanes[l] = worst<T, true>();
  fold_run<kLanes>(ExtremumRed<T, true>{}, lanes, p, n, 1, 0);
  T m = lanes[0];
  for (int l = 1; l < kLanes; ++l) m = beats<T, true>(lanes[l], m) ? lanes[l] : m;
  return m;
}

/// Sum of p[0, n) in double, with independent lanes.
template <class T>
double sum_of(const T* p, int64_t n) {
  double lanes[kLanes] = {};
  fold_run<kLanes>(SumRed<T, double>{}, lanes, p, n, 1, 0);
  double s = 0;
  for (double l : lanes) s += l;
  return s;
}

/// Sizes of the dims before, at and after `dim` (a 0-d tensor is one element at dim 0).
struct DimSplit {
  int64_t outer = 1, size = 1, inner = 1;
};
DimSplit split_at(const View& x, int64_t dim) {
  DimSplit s;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d < dim)
      s.outer *= x.size(d);
    else if (d == dim)
      s.size = x.size(d);
    else
      s.inner *= x.size(d);
  }
  return s;
}

/// How the scans along one dim (softmax, its backward, cumsum) split their work, in parallel
/// above `work` elements: where the dim is innermost, row(base) for each contiguous row of
/// s.size elements from base; otherwise block(base, bw) for each block of bw <= kRowBlock
/// columns, whose rows along the dim start at base + d * s.inner and are walked together.
template <class Row, class Block>
void along_dim(const DimSplit& s, int64_t work, const Row& row, const Block& block) {
  if (s.inner == 1) {
    parallel_tasks(s.outer, work, [&](int64_t o) { row(o * s.size); });
    return;
  }
  const int64_t nblocks = (s.inner + kRowBlock - 1) / kRowBlock;
  parallel_tasks(s.outer * nblocks, work, [&](int64_t t) {
    const int64_t o = t / nblocks, col = (t % nblocks) * kRowBlock;
    block(o * s.size * s.inner + col, std::min(kRowBlock, s.inner - col));
  });
}

template <class T>
using ExpLoop = void (*)(const T*, T*, int64_t);

// The vectorized exp loop for T (float or double), or null where the CPU has none.
template <class T>
ExpLoop<T> exp_loop() {
  if constexpr (std::is_same_v<T, float>)
    return float_loop(UnaryFn::exp);
  else
    return double_loop(UnaryFn::exp);
}

// out[i] = exp(in[i]) for i < n (in may be out), through vexp when there is one.
template <class T>
void exp_into(ExpLoop<T> vexp, const T* in, T* out, int64_t n) {
  if (vexp) {
    vexp(in, out, n);
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

// sum and prod: accumulated in acc_t<T>, written as sum_t<T>.
template <template <class, class> class Red>
void reduce_accumulated(const View& out, const View& x, DimMask mask) {
  const Geometry g = make_geometry(x, mask);
  dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using O = sum_t<T>;
    using A = acc_t<T>;
    O* o = out.data_ptr<O>();
    run_reduction(x, g, Red<T, A>{}, [o](int64_t j, A a) { o[j] = static_cast<O>(a); });
  });
}

}  // namespace

void reduce_sum(const View& out, const View& x, DimMask mask) {
  reduce_accumulated<SumRed>(out, x, mask);
}

void reduce_mean(const View& out, const View& x, DimMask mask) {
  const Geometry g = make_geometry(x, mask);
  dispatch_floating(x.dtype(), "mean", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data_ptr<T>();
    const double n = static_cast<double>(g.R);
    run_reduction(x, g, SumRed<T, double>{},
                  [o, n](int64_t j, double a) { o[j] = static_cast<T>(a / n); });
  });
}

void reduce_prod(const View& out, const View& x, DimMask mask) {
  reduce_accumulated<ProdRed>(out, x, mask);
}

void reduce_minmax(const View& out, const View& x, DimMask mask, bool is_max) {
  const Geometry g = make_geometry(x, mask);
  dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data_ptr<T>();
    auto write = [o](int64_t j, T a) { o[j] = a; };
    if (is_max)
      run_reduction(x, g, ExtremumRed<T, true>{}, write);
    else
      run_reduction(x, g, ExtremumRed<T, false>{}, write);
  });
}

void reduce_arg_minmax(const std::optional<View>& values, const std::optional<View>& indices,
                       const View& x, DimMask mask, bool is_max) {
  const Geometry g = make_geometry(x, mask);
  dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* v = values ? values->data_ptr<T>() : nullptr;
    int64_t* i = indices ? indices->data_ptr<int64_t>() : nullptr;
    auto write = [v, i](int64_t j, const ValueIndex<T>& a) {
      if (v) v[j] = a.v;
      if (i) i[j] = a.i;
    };
    if (is_max)
      run_reduction(x, g, ArgRed<T, true>{}, write);
    else
      run_reduction(x, g, ArgRed<T, false>{}, write);
  });
}

void reduce_norm(const View& out, const View& x, DimMask mask, double p) {
  const Geometry g = make_geometry(x, mask);
  dispatch_floating(x.dtype(), "norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data_ptr<T>();
    auto as_is = [o](int64_t j, double a) { o[j] = static_cast<T>(a); };
    if (p == 2) {
      run_reduction(x, g, sum_of_terms<T>([](double v) { return v * v; }),
                    [o](int64_t j, double a) { o[j] = static_cast<T>(std::sqrt(a)); });
    } else if (p == 1) {
      run_reduction(x, g, sum_of_terms<T>([](double v) { return std::abs(v); }), as_is);
    } else if (p == 0) {
      run_reduction(x, g, sum_of_terms<T>([](double v) { return v != 0 ? 1.0 : 0.0; }), as_is);
    } else if (std::isinf(p)) {
      auto write = [o](int64_t j, T a) { o[j] = a; };
      if (p > 0)
        run_reduction(x, g, AbsExtremumRed<T, true>{}, write);
      else
        run_reduction(x, g, AbsExtremumRed<T, false>{}, write);
    } else {
      run_reduction(x, g, sum_of_terms<T>([p](double v) { return std::pow(std::abs(v), p); }),
                    [o, p](int64_t j, double a) { o[j] = static_cast<T>(std::pow(a, 1.0 / p)); });
    }
  });
}

void reduce_var(const View& out, const View& x, DimMask mask, int64_t correction, bool take_sqrt) {
  const Geometry g = make_geometry(x, mask);
  dispatch_floating(x.dtype(), take_sqrt ? "std" : "var", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data_ptr<T>();
    const double n = static_cast<double>(g.R);
    // Pass 1: the mean, as the first element of the slice plus the mean deviation from it, so
    // that a constant slice has exactly its value as mean and exactly 0 as variance.
    std::vector<double> means(static_cast<size_t>(g.M), 0.0);
    if (g.R > 0) {
      const T* base = static_cast<const T*>(x.data_ptr());
      for (int64_t j = 0; j < g.M; ++j)
        means[static_cast<size_t>(j)] =
            static_cast<double>(base[offset_of(j, g.ksize, g.kstride, g.ksize.size())]);
    }
    run_reduction(x, g, DeviationRed<T>{means.data()}, [&means, n](int64_t j, const Deviations& a) {
      means[static_cast<size_t>(j)] = a.mean + a.s1 / n;
    });
    // Pass 2: sums of the deviations from the mean and of their squares.
    const double divisor = static_cast<double>(std::max<int64_t>(0, g.R - correction));
    run_reduction(x, g, DeviationRed<T>{means.data()}, [=](int64_t j, const Deviations& a) {
      double ss = a.s2 - a.s1 * a.s1 / n;
      if (ss < 0) ss = 0;  // rounding; keeps NaN
      const double v = ss / divisor;
      o[j] = static_cast<T>(take_sqrt ? std::sqrt(v) : v);
    });
  });
}

void reduce_logsumexp(const View& out, const View& x, DimMask mask) {
  const Geometry g = make_geometry(x, mask);
  dispatch_float_double(x.dtype(), "logsumexp", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.data_ptr<T>();
    // Shift by the max; an infinite max shifts by 0 (all -inf gives log(0) = -inf, a +inf
    // gives +inf) instead of producing inf - inf.
    std::vector<double> shifts(static_cast<size_t>(g.M));
    run_reduction(x, g, ExtremumRed<T, true>{}, [&shifts](int64_t j, T m) {
      shifts[static_cast<size_t>(j)] = std::isinf(m) ? 0.0 : static_cast<double>(m);
    });
    const ExpLoop<T> vexp = exp_loop<T>();
    run_reduction(x, g, ShiftedExpRed<T>{shifts.data(), vexp}, [o](int64_t j, const ShiftedSum& a) {
      o[j] = static_cast<T>(std::log(a.s) + a.m);
    });
  });
}

void softmax_dim(const View& result, const View& src, int64_t dim, bool log) {
  const DimSplit s = split_at(src, dim);
  if (src.numel() == 0) return;
  dispatch_float_double(src.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = src.data_ptr<T>();
    T* out = result.data_ptr<T>();
    const ExpLoop<T> vexp = exp_loop<T>();
    const int64_t D = s.size, inner = s.inner;
    along_dim(
        s, src.numel(),
        [&](int64_t base) {
          const T* p = in + base;
          T* q = out + base;
          const T m = max_of(p, D);
          for (int64_t i = 0; i < D; ++i) q[i] = p[i] - m;
          exp_into(vexp, q, q, D);
          const double sum = sum_of(q, D);
          if (log) {
            const T shift = m + static_cast<T>(std::log(sum));
            for (int64_t i = 0; i < D; ++i) q[i] = p[i] - shift;
          } else {
            const T scale = static_cast<T>(1.0 / sum);
            for (int64_t i = 0; i < D; ++i) q[i] *= scale;
          }
        },
        [&](int64_t base, int64_t bw) {
          const T* p = in + base;
          T* q = out + base;
          std::vector<T> m(static_cast<size_t>(bw), worst<T, true>()),
              shift(static_cast<size_t>(bw));
          std::vector<double> sum(static_cast<size_t>(bw), 0.0);
          for (int64_t d = 0; d < D; ++d) {
            const T* pd = p + d * inner;
            for (int64_t i = 0; i < bw; ++i) m[i] = beats<T, true>(pd[i], m[i]) ? pd[i] : m[i];
          }
          for (int64_t d = 0; d < D; ++d) {
            const T* pd = p + d * inner;
            T* qd = q + d * inner;
            for (int64_t i = 0; i < bw; ++i) qd[i] = pd[i] - m[i];
            exp_into(vexp, qd, qd, bw);
            for (int64_t i = 0; i < bw; ++i) sum[i] += static_cast<double>(qd[i]);
          }
          // log_softmax: x - (max + log(sum)); softmax: exp(x - max) / sum.
          for (int64_t i = 0; i < bw; ++i)
            shift[i] = log ? m[i] + static_cast<T>(std::log(sum[i])) : static_cast<T>(1.0 / sum[i]);
          for (int64_t d = 0; d < D; ++d) {
            const T* pd = p + d * inner;
            T* qd = q + d * inner;
            if (log) {
              for (int64_t i = 0; i < bw; ++i) qd[i] = pd[i] - shift[i];
            } else {
              for (int64_t i = 0; i < bw; ++i) qd[i] *= shift[i];
            }
          }
        });
  });
}

void softmax_backward_dim(const View& result, const View& g, const View& y, int64_t dim, bool log) {
  const DimSplit s = split_at(y, dim);
  if (y.numel() == 0) return;
  dispatch_float_double(
      y.dtype(), log ? "log_softmax_backward" : "softmax_backward", [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* gp = g.data_ptr<T>();
        const T* yp = y.data_ptr<T>();
        T* out = result.data_ptr<T>();
        const ExpLoop<T> vexp = exp_loop<T>();
        const int64_t D = s.size, inner = s.inner;
        along_dim(
            s, y.numel(),
            [&](int64_t base) {
              const T* gr = gp + base;
              const T* yr = yp + base;
              T* q = out + base;
              if (log) {
                const T total = static_cast<T>(sum_of(gr, D));
                exp_into(vexp, yr, q, D);
                for (int64_t i = 0; i < D; ++i) q[i] = gr[i] - q[i] * total;
              } else {
                for (int64_t i = 0; i < D; ++i) q[i] = gr[i] * yr[i];
                const T dot = static_cast<T>(sum_of(q, D));
                for (int64_t i = 0; i < D; ++i) q[i] = yr[i] * (gr[i] - dot);
              }
            },
            [&](int64_t base, int64_t bw) {
              std::vector<double> acc(static_cast<size_t>(bw), 0.0);
              for (int64_t d = 0; d < D; ++d) {
                const int64_t off = base + d * inner;
                if (log) {
                  for (int64_t i = 0; i < bw; ++i) acc[i] += static_cast<double>(gp[off + i]);
                } else {
                  for (int64_t i = 0; i < bw; ++i)
                    acc[i] += static_cast<double>(gp[off + i]) * static_cast<double>(yp[off + i]);
                }
              }
              for (int64_t d = 0; d < D; ++d) {
                const int64_t off = base + d * inner;
                T* q = out + off;
                if (log) {
                  exp_into(vexp, yp + off, q, bw);
                  for (int64_t i = 0; i < bw; ++i)
                    q[i] = gp[off + i] - q[i] * static_cast<T>(acc[i]);
                } else {
                  for (int64_t i = 0; i < bw; ++i)
                    q[i] = yp[off + i] * (gp[off + i] - static_cast<T>(acc[i]));
                }
              }
            });
      });
}

void cumsum_dim(const View& result, const View& src, int64_t dim) {
  const DimSplit s = split_at(src, dim);
  if (src.numel() == 0) return;
  dispatch(src.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      using A = acc_t<T>;
      const T* in = src.data_ptr<T>();
      T* out = result.data_ptr<T>();
      const int64_t D = s.size, inner = s.inner;
      along_dim(
          s, src.numel(),
          [&](int64_t base) {
            A acc = 0;
            for (int64_t i = 0; i < D; ++i) {
              acc += static_cast<A>(in[base + i]);
              out[base + i] = static_cast<T>(acc);
            }
          },
          [&](int64_t base, int64_t bw) {
            std::vector<A> acc(static_cast<size_t>(bw), A(0));
            for (int64_t d = 0; d < D; ++d) {
              const int64_t off = base + d * inner;
              for (int64_t i = 0; i < bw; ++i) {
                acc[i] += static_cast<A>(in[off + i]);
                out[off + i] = static_cast<T>(acc[i]);
              }
            }
          });
    }
  });
}

}  // namespace tg::kernels
