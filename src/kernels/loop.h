#pragma once
// The elementwise iteration every kernel uses: operands broadcast to one shape, dimensions
// coalesced, and the innermost run handed to a typed loop that the compiler vectorises when the
// run is contiguous. Kernels know nothing of autograd.
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <type_traits>

#include "kernels/parallel.h"
#include "kernels/view.h"

namespace tg::kernels {

template <class T>
struct Tag {
  using type = T;
};

/// Calls f(Tag<T>{}) for the first T of Ts whose dtype is t, or for the last of Ts when none is:
/// the one dispatch the three below share.
template <class T, class... Rest, class F>
decltype(auto) dispatch_among(ScalarType t, F& f) {
  if constexpr (sizeof...(Rest) == 0) {
    return f(Tag<T>{});
  } else {
    if (t == CppTypeToScalarType<T>::value) return f(Tag<T>{});
    return dispatch_among<Rest...>(t, f);
  }
}

/// Calls f(Tag<T>{}) with T the C++ element type of dtype t: every dtype.
template <class F>
decltype(auto) dispatch(ScalarType t, F&& f) {
  return dispatch_among<uint8_t, int8_t, int16_t, int32_t, int64_t, Half, double, bool, BFloat16,
                        float>(t, f);
}

/// As dispatch, for ops defined on the floating dtypes only (float, double, Half, BFloat16);
/// others throw naming the op. A kernel computes a Half or BFloat16 in float (opmath_t): values
/// are converted on load and rounded on store.
template <class F>
decltype(auto) dispatch_floating(ScalarType t, const char* op, F&& f) {
  TG_CHECK(is_floating_point(t), op,
           ": expected a floating-point tensor (Float, Double, Half or BFloat16) but got ", t,
           "; convert with .to(tg::kFloat)");
  return dispatch_among<double, Half, BFloat16, float>(t, f);
}

/// As dispatch, for the kernels written for float and double only (GEMM, convolution, pooling,
/// batch norm, softmax...): their ops compute a Half or BFloat16 tensor in Float and round the
/// result (ops/reduced_float.h), so that each such kernel is compiled twice, not four times.
template <class F>
decltype(auto) dispatch_float_double(ScalarType t, const char* op, F&& f) {
  TG_CHECK(t == kFloat || t == kDouble, op, ": expected a Float or Double tensor but got ", t,
           "; convert with .to(tg::kFloat)");
  return dispatch_among<double, float>(t, f);
}

/// The type a kernel computes a T in: float for the 16-bit floating types, T otherwise (libtorch's
/// opmath_type).
template <class T>
using opmath_t = std::conditional_t<is_reduced_floating_v<T>, float, T>;

/// The integer I (int32_t or int64_t) a floating v truncates to, as the x86 conversion that
/// libtorch's casts compile to: NaN and values out of I's range give I's minimum.
template <class I, class F>
inline I truncate_to(F v) {
  constexpr F kLimit = static_cast<F>(sizeof(I) == 4 ? 2147483648.0 : 9223372036854775808.0);
  if (!(v >= -kLimit && v < kLimit)) return std::numeric_limits<I>::min();
  return static_cast<I>(v);
}

/// v converted to the element type D, as libtorch's casts do: a floating value goes into an
/// integer through truncate_to (int32 for the narrower integers, which then wrap: -1.0 gives 255
/// in uint8, 300.0 gives 44), bool is v != 0 (NaN too), integers wrap, and a float goes into a
/// 16-bit floating type rounded to nearest even.
template <class D, class S>
inline D convert(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return static_cast<bool>(v != S(0));
  } else if constexpr (std::is_integral_v<D> &&
                       (std::is_floating_point_v<S> || is_reduced_floating_v<S>)) {
    using I = std::conditional_t<sizeof(D) <= 4, int32_t, int64_t>;
    return static_cast<D>(truncate_to<I>(static_cast<opmath_t<S>>(v)));
  } else if constexpr (is_reduced_floating_v<D> && !std::is_same_v<S, D>) {
    return D(static_cast<float>(v));
  } else {
    return static_cast<D>(v);
  }
}

/// Elements per thread below which a loop stays on one thread.
constexpr int64_t kGrainSize = 32768;

/// Iterates N operands (operand 0 is usually the output) over one broadcast shape.
template <int N>
class StridedIter {
 public:
  /// Every operand must be broadcastable to `shape` (checked by the caller).
  StridedIter(IntArrayRef shape, const std::array<View, N>& ops) {
    const int nd = static_cast<int>(shape.size());
    numel_ = 1;
    for (int64_t s : shape) numel_ *= s;
    for (int k = 0; k < N; ++k) {
      const View& t = ops[k];
      base_[k] = static_cast<char*>(t.data_ptr());
      const int64_t es = static_cast<int64_t>(t.element_size());
      const int off = nd - static_cast<int>(t.dim());
      strides_[k].assign(static_cast<size_t>(nd), 0);
      for (int d = 0; d < t.dim(); ++d)
        strides_[k][d + off] = t.size(d) == 1 ? 0 : t.stride(d) * es;
    }
    // Coalesce: merge dim d into d-1 when every operand walks them as one.
    for (int d = 0; d < nd; ++d) {
      if (shape[d] == 1) continue;
      if (!shape_.empty()) {
        bool merge = true;
        for (int k = 0; k < N && merge; ++k)
          merge = strides_[k][d] * shape[d] == coalesced_[k].back();
        if (merge) {
          shape_.back() *= shape[d];
          for (int k = 0; k < N; ++k) coalesced_[k].back() = strides_[k][d];
          continue;
        }
      }
      shape_.push_back(shape[d]);
      for (int k = 0; k < N; ++k) coalesced_[k].push_back(strides_[k][d]);
    }
    if (shape_.empty()) {
      shape_.push_back(1);
      for (int k = 0; k < N; ++k) coalesced_[k].push_back(0);
    }
  }

  int64_t numel() const { return numel_; }

  /// Calls body(ptrs, inner_strides, n) for each innermost run; in parallel above the grain size.
  template <class Body>
  void for_each(Body&& body) const {
    if (numel_ == 0) return;
    const int64_t inner = shape_.back();
    const int64_t outer = numel_ / inner;
    if (numel_ >= 2 * kGrainSize && !omp_in_parallel()) {
      // Consecutive pieces of the flat range; each walks its own counter.
      parallel_for(numel_, kGrainSize,
                   [&](int64_t begin, int64_t end) { run_range(begin, end, body); });
    } else if (outer == 1) {
      std::array<char*, N> p = base_;
      std::array<int64_t, N> s;
      for (int k = 0; k < N; ++k) s[k] = coalesced_[k].back();
      body(p.data(), s.data(), inner);
    } else {
      run_range(0, numel_, body);
    }
  }

 private:
  template <class Body>
  void run_range(int64_t begin, int64_t end, Body& body) const {
    const int nd = static_cast<int>(shape_.size());
    const int64_t inner = shape_[nd - 1];
    DimVector idx(static_cast<size_t>(nd), 0);
    int64_t rest = begin;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rest % shape_[d];
      rest /= shape_[d];
    }
    std::array<int64_t, N> s;
    for (int k = 0; k < N; ++k) s[k] = coalesced_[k][nd - 1];
    int64_t pos = begin;
    while (pos < end) {
      std::array<char*, N> p;
      for (int k = 0; k < N; ++k) {
        int64_t off = 0;
        for (int d = 0; d < nd; ++d) off += idx[d] * coalesced_[k][d];
        p[k] = base_[k] + off;
      }
      const int64_t n = std::min(inner - idx[nd - 1], end - pos);
      body(p.data(), s.data(), n);
      pos += n;
      idx[nd - 1] += n;
      for (int d = nd - 1; d > 0 && idx[d] >= shape_[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }

  int64_t numel_;
  std::array<char*, N> base_;
  std::array<DimVector, N> strides_;
  std::array<DimVector, N> coalesced_;
  DimVector shape_;
};

/// Runs body(begin, end) over consecutive pieces of [0, n), in parallel above the grain size.
template <class Body>
inline void parallel_range(int64_t n, Body&& body) {
  parallel_for(n, kGrainSize, body);
}

// Note [Vector width]
// The library is compiled for the baseline x86-64 instruction set, so that it runs on any x86-64
// CPU, and the compiler vectorises with 16-byte SSE2 registers. The flat loops over contiguous
// floating-point operands, which carry almost all elementwise work, are also compiled for
// AVX-512 and AVX2 (GCC's target_clones), and the CPU's best clone is picked once at load time:
// with AVX-512, y = x * 2 on large operands runs at about the speed of memcpy, with SSE2 about
// 20% slower (2026, a 2-core AVX-512 Xeon). The library is built with -ffp-contract=off: otherwise
// a clone's vector body and its scalar tail may contract a * b + c differently, and an element's
// bits would depend on where a thread's range ends.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TG_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TG_VECTOR_CLONES
#endif

// Note [Streaming stores]
// A plain store to a line that is not in cache first reads the line (a read for ownership), so
// writing a large output costs twice its bytes in memory traffic. The flat loops of unary_loop
// and binary_loop, which do little arithmetic per element and so are bound by memory, write an
// output of kStreamBytes or more by computing each 4 KiB block into a buffer that stays in L1
// and copying it out with non-temporal stores, which write whole lines without reading them.
// The price is that the next op reads the output from memory, not from the last-level cache.
// For x * 2 on 2^24 floats streaming saved about a quarter of the time (2026, a 2-core AVX-512
// Xeon). The transcendental functions (tanh, exp...) are bound by their arithmetic, which hides
// the extra read, and write normally: streaming made tanh(x * 2 + 1) slower. Smaller outputs are
// written normally: they may still be in cache when the next op reads them.
constexpr size_t kStreamBytes = size_t(16) << 20;

/// Copies `bytes` from src to dst (both 64-byte aligned) with non-temporal stores.
void stream_copy(void* dst, const void* src, size_t bytes);
/// Orders the non-temporal stores before what follows; once after a series of stream_copy.
void stream_fence();

/// Writes o[0, n) through an L1 buffer and non-temporal stores: block(dst, begin, m) computes
/// elements [begin, begin + m) into dst. The elements before o's first 64-byte boundary are
/// computed in place.
template <class O, class Block>
void write_streamed(O* o, int64_t n, Block&& block) {
  constexpr int64_t kBlock = 4096 / sizeof(O);
  alignas(64) O buffer[kBlock];
  const size_t misaligned = reinterpret_cast<uintptr_t>(o) % 64;
  const int64_t head =
      std::min<int64_t>(n, misaligned ? static_cast<int64_t>((64 - misaligned) / sizeof(O)) : 0);
  if (head > 0) block(o, 0, head);
  for (int64_t b = head; b < n; b += kBlock) {
    const int64_t m = std::min(kBlock, n - b);
    block(buffer, b, m);
    stream_copy(o + b, buffer, static_cast<size_t>(m) * sizeof(O));
  }
  stream_fence();
}

template <class O, class A, class F>
TG_VECTOR_CLONES void flat_unary_vectorised(O* o, const A* x, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
}

template <class O, class A, class B, class F>
TG_VECTOR_CLONES void flat_binary_vectorised(O* o, const A* x, const B* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
}

/// o[i] = f(x[i]) for i in [0, n), through the clones when the operands are floating point;
/// `stream`: see Note [Streaming stores].
template <class O, class A, class F>
inline void flat_unary(O* o, const A* x, int64_t n, F& f, bool stream) {
  if constexpr (std::is_floating_point_v<O> && std::is_floating_point_v<A>) {
    if (stream)
      write_streamed(o, n, [&](O* dst, int64_t begin, int64_t m) {
        flat_unary_vectorised<O, A, F&>(dst, x + begin, m, f);
      });
    else
      flat_unary_vectorised<O, A, F&>(o, x, n, f);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
  }
}

/// o[i] = f(x[i], y[i]) for i in [0, n), through the clones when all are floating point;
/// `stream`: see Note [Streaming stores].
template <class O, class A, class B, class F>
inline void flat_binary(O* o, const A* x, const B* y, int64_t n, F& f, bool stream) {
  if constexpr (std::is_floating_point_v<O> && std::is_floating_point_v<A> &&
                std::is_floating_point_v<B>) {
    if (stream)
      write_streamed(o, n, [&](O* dst, int64_t begin, int64_t m) {
        flat_binary_vectorised<O, A, B, F&>(dst, x + begin, y + begin, m, f);
      });
    else
      flat_binary_vectorised<O, A, B, F&>(o, x, y, n, f);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
  }
}

/// True when every tensor is contiguous with the same number of elements: the loop can then
/// walk flat arrays (the common case, and the cheapest for 1-element tensors).
inline bool all_flat(std::initializer_list<View> ts) {
  const int64_t n = ts.begin()->numel();
  for (const View& t : ts)
    if (t.numel() != n || !t.is_contiguous()) return false;
  return true;
}

/// out[i] = value for every element, without reading out (which may be uninitialised).
template <class O>
void fill_loop(const View& out, O value) {
  if (out.is_contiguous()) {
    O* o = static_cast<O*>(out.data_ptr());
    parallel_range(out.numel(), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) o[i] = value;
    });
    return;
  }
  StridedIter<1> it(out.sizes(), {out});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) *reinterpret_cast<O*>(p[0] + i * s[0]) = value;
  });
}

/// One innermost run of StridedIter<2> (see for_each): o = f(x) over n elements at byte strides
/// s, with loops the compiler vectorises for a contiguous run and for a broadcast input.
template <class O, class A, class F>
inline void unary_run(char** p, const int64_t* s, int64_t n, F& f) {
  O* o = reinterpret_cast<O*>(p[0]);
  const A* x = reinterpret_cast<const A*>(p[1]);
  if (s[0] == sizeof(O) && s[1] == sizeof(A)) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
  } else if (s[0] == sizeof(O) && s[1] == 0) {
    const O v = f(*x);
    for (int64_t i = 0; i < n; ++i) o[i] = v;
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]));
  }
}

/// One innermost run of StridedIter<3>: o = f(x, y), with fast paths for contiguous runs and for
/// either input broadcast.
template <class O, class A, class B, class F>
inline void binary_run(char** p, const int64_t* s, int64_t n, F& f) {
  O* o = reinterpret_cast<O*>(p[0]);
  const A* x = reinterpret_cast<const A*>(p[1]);
  const B* y = reinterpret_cast<const B*>(p[2]);
  if (s[0] == sizeof(O) && s[1] == sizeof(A) && s[2] == sizeof(B)) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
  } else if (s[0] == sizeof(O) && s[1] == sizeof(A) && s[2] == 0) {
    const B yv = *y;
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
  } else if (s[0] == sizeof(O) && s[1] == 0 && s[2] == sizeof(B)) {
    const A xv = *x;
    for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]),
                                                 *reinterpret_cast<const B*>(p[2] + i * s[2]));
  }
}

/// out[i] = f(a[i]) over same-shape or broadcast operands of types O and A.
template <class O, class A, class F>
void unary_loop(const View& out, const View& a, F f) {
  if (all_flat({out, a})) {
    O* o = static_cast<O*>(out.data_ptr());
    const A* x = static_cast<const A*>(a.data_ptr());
    const bool stream = out.nbytes() >= kStreamBytes;
    parallel_range(out.numel(), [&](int64_t begin, int64_t end) {
      flat_unary(o + begin, x + begin, end - begin, f, stream);
    });
    return;
  }
  StridedIter<2> it(out.sizes(), {out, a});
  it.for_each([&](char** p, const int64_t* s, int64_t n) { unary_run<O, A>(p, s, n, f); });
}

/// out[i] = f(a[i], b[i]) with broadcasting; O, A, B are the element types.
template <class O, class A, class B, class F>
void binary_loop(const View& out, const View& a, const View& b, F f) {
  if (all_flat({out, a, b})) {
    O* o = static_cast<O*>(out.data_ptr());
    const A* x = static_cast<const A*>(a.data_ptr());
    const B* y = static_cast<const B*>(b.data_ptr());
    const bool stream = out.nbytes() >= kStreamBytes;
    parallel_range(out.numel(), [&](int64_t begin, int64_t end) {
      flat_binary(o + begin, x + begin, y + begin, end - begin, f, stream);
    });
    return;
  }
  StridedIter<3> it(out.sizes(), {out, a, b});
  it.for_each([&](char** p, const int64_t* s, int64_t n) { binary_run<O, A, B>(p, s, n, f); });
}

/// out[i] = f(a[i], b[i], c[i]) with broadcasting.
template <class O, class A, class B, class C, class F>
void ternary_loop(const View& out, const View& a, const View& b, const View& c, F f) {
  StridedIter<4> it(out.sizes(), {out, a, b, c});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]),
                                                 *reinterpret_cast<const B*>(p[2] + i * s[2]),
                                                 *reinterpret_cast<const C*>(p[3] + i * s[3]));
  });
}

}  // namespace tg::kernels
