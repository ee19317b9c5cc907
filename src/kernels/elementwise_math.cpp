// The loops of the elementwise op table (see elementwise_math.h and src/elementwise_ops.def).
//
// This file is compiled for the baseline ISA except the region below, whose functions carry the
// AVX-512 target; they are only called after a run-time CPU check. The region includes nothing
// but intrinsics, SLEEF declarations and the op table (macro rows, no code of its own), and
// instantiates no templates from other headers, so no inline function compiled for AVX-512 can
// be picked by the linker for baseline code.
#include "kernels/elementwise_math.h"

#include <algorithm>
#include <type_traits>

#include "kernels/loop.h"
#include "kernels/special_math.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TG_SIMD_AVX512 1
#endif

#ifdef TG_SIMD_AVX512
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#pragma GCC diagnostic push
// GCC 12 reports _mm512_undefined_ps() inside its own intrinsics as uninitialised.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#ifdef TG_HAVE_SLEEF
// sleef.h declares its AVX-512 functions only when __AVX512F__ is defined, which the target
// pragma above does not do for C++.
#ifndef __AVX512F__
#define __AVX512F__ 1
#define TG_UNDEF_AVX512F
#endif
#include <sleef.h>
#ifdef TG_UNDEF_AVX512F
#undef __AVX512F__
#undef TG_UNDEF_AVX512F
#endif
#endif

namespace tg::kernels {
namespace {

// y = F(x) 16 floats (8 doubles) at a time; the tail goes through masked loads and stores.
template <auto F>
void loop16(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, F(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(y + i, m, F(_mm512_maskz_loadu_ps(m, x + i)));
  }
}
template <auto F>
void loop8(const double* x, double* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, F(_mm512_loadu_pd(x + i)));
  if (i < n) {
    const __mmask8 m = static_cast<__mmask8>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_pd(y + i, m, F(_mm512_maskz_loadu_pd(m, x + i)));
  }
}
// y = F(a, b) over contiguous arrays.
template <auto F>
void loop16_binary(const float* a, const float* b, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(y + i, F(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(y + i, m,
                          F(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i)));
  }
}
template <auto F>
void loop8_binary(const double* a, const double* b, double* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm512_storeu_pd(y + i, F(_mm512_loadu_pd(a + i), _mm512_loadu_pd(b + i)));
  if (i < n) {
    const __mmask8 m = static_cast<__mmask8>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_pd(y + i, m,
                          F(_mm512_maskz_loadu_pd(m, a + i), _mm512_maskz_loadu_pd(m, b + i)));
  }
}

// The AVX512 rows' vector functions.
__m512 sqrt_f(__m512 v) { return _mm512_sqrt_ps(v); }
__m512d sqrt_d(__m512d v) { return _mm512_sqrt_pd(v); }
__m512 rsqrt_f(__m512 v) { return _mm512_div_ps(_mm512_set1_ps(1.f), _mm512_sqrt_ps(v)); }
__m512d rsqrt_d(__m512d v) { return _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_sqrt_pd(v)); }
__m512 reciprocal_f(__m512 v) { return _mm512_div_ps(_mm512_set1_ps(1.f), v); }
__m512d reciprocal_d(__m512d v) { return _mm512_div_pd(_mm512_set1_pd(1.0), v); }
template <int kMode>
__m512 round_with_f(__m512 v) {
  return _mm512_roundscale_ps(v, kMode | _MM_FROUND_NO_EXC);
}
template <int kMode>
__m512d round_with_d(__m512d v) {
  return _mm512_roundscale_pd(v, kMode | _MM_FROUND_NO_EXC);
}
constexpr auto floor_f = round_with_f<_MM_FROUND_TO_NEG_INF>;
constexpr auto floor_d = round_with_d<_MM_FROUND_TO_NEG_INF>;
constexpr auto ceil_f = round_with_f<_MM_FROUND_TO_POS_INF>;
constexpr auto ceil_d = round_with_d<_MM_FROUND_TO_POS_INF>;
constexpr auto round_f = round_with_f<_MM_FROUND_TO_NEAREST_INT>;  // half-way cases to even
constexpr auto round_d = round_with_d<_MM_FROUND_TO_NEAREST_INT>;
constexpr auto trunc_f = round_with_f<_MM_FROUND_TO_ZERO>;
constexpr auto trunc_d = round_with_d<_MM_FROUND_TO_ZERO>;
#ifdef TG_HAVE_SLEEF
// sigmoid(x) = 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving exactly 0.
__m512 sigmoid_f(__m512 v) {
  const __m512 one = _mm512_set1_ps(1.f);
  const __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), v));
  return _mm512_div_ps(one, _mm512_add_ps(one, e));
}
__m512d sigmoid_d(__m512d v) {
  const __m512d one = _mm512_set1_pd(1.0);
  const __m512d e = Sleef_expd8_u10avx512f(_mm512_sub_pd(_mm512_setzero_pd(), v));
  return _mm512_div_pd(one, _mm512_add_pd(one, e));
}

// SLEEF holds its error bounds on a documented range of arguments, and past it may return inf
// or NaN where the result is still a finite number: sinh and cosh just below overflow (float
// |x| in (88.5, 89.4], double (709, 710.5]), asinh and acosh of large arguments (float past
// 1.8e19, double past 1.3e154), log1p of the largest values (float past 1e38, double past 1e307)
// and fmod where a / b overflows. The functions below recompute the lanes past those ranges.

/// D (a double function of SLEEF's) on the 16 floats of v, rounded back to float: within half an
/// ulp more than D's error, and the double functions' ranges cover every float.
template <auto D>
__m512 through_double(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  const __m256 ylo = _mm512_cvtpd_ps(D(_mm512_cvtps_pd(lo)));
  const __m256 yhi = _mm512_cvtpd_ps(D(_mm512_cvtps_pd(hi)));
  return _mm512_castpd_ps(
      _mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(ylo)), _mm256_castps_pd(yhi), 1));
}
/// F(v), with the lanes where |v| > limit (the end of SLEEF's range for F) computed through D.
template <auto F, auto D>
__m512 in_range_f(__m512 v, float limit) {
  const __m512 y = F(v);
  const __mmask16 past = _mm512_cmp_ps_mask(_mm512_abs_ps(v), _mm512_set1_ps(limit), _CMP_GT_OQ);
  return past ? _mm512_mask_blend_ps(past, y, through_double<D>(v)) : y;
}
__m512 sinh_f(__m512 v) {
  return in_range_f<Sleef_sinhf16_u10avx512f, Sleef_sinhd8_u10avx512f>(v, 88.5F);
}
__m512 cosh_f(__m512 v) {
  return in_range_f<Sleef_coshf16_u10avx512f, Sleef_coshd8_u10avx512f>(v, 88.5F);
}
__m512 asinh_f(__m512 v) {
  return in_range_f<Sleef_asinhf16_u10avx512f, Sleef_asinhd8_u10avx512f>(v, 1.8e19F);
}
__m512 acosh_f(__m512 v) {
  return in_range_f<Sleef_acoshf16_u10avx512f, Sleef_acoshd8_u10avx512f>(v, 1.8e19F);
}
__m512 log1p_f(__m512 v) {
  return in_range_f<Sleef_log1pf16_u10avx512f, Sleef_log1pd8_u10avx512f>(v, 1e38F);
}

/// e^|x| / 2 for |x| past 709, where e^|x| overflows but its half may not: (e^(|x|/2) / 2)
/// e^(|x|/2), within 3 ulp. The e^-|x| part of sinh and cosh is far below the last place there.
__m512d half_exp_abs(__m512d v) {
  const __m512d h = Sleef_expd8_u10avx512f(_mm512_mul_pd(_mm512_abs_pd(v), _mm512_set1_pd(0.5)));
  return _mm512_mul_pd(_mm512_mul_pd(h, _mm512_set1_pd(0.5)), h);
}
__mmask8 abs_above(__m512d v, double limit) {
  return _mm512_cmp_pd_mask(_mm512_abs_pd(v), _mm512_set1_pd(limit), _CMP_GT_OQ);
}
__m512d sinh_d(__m512d v) {
  const __m512d y = Sleef_sinhd8_u10avx512f(v);
  const __mmask8 past = abs_above(v, 709);
  return past ? _mm512_mask_blend_pd(past, y, Sleef_copysignd8_avx512f(half_exp_abs(v), v)) : y;
}
__m512d cosh_d(__m512d v) {
  const __m512d y = Sleef_coshd8_u10avx512f(v);
  const __mmask8 past = abs_above(v, 709);
  return past ? _mm512_mask_blend_pd(past, y, half_exp_abs(v)) : y;
}
/// asinh |x| = log(2 |x|) + 1 / (4 x^2) - ..., acosh x likewise: past 1.3e154 only log |x| + log 2
/// reaches the last place (within 1.5 ulp).
__m512d log_abs_plus_ln2(__m512d v) {
  return _mm512_add_pd(Sleef_logd8_u10avx512f(_mm512_abs_pd(v)),
                       _mm512_set1_pd(0x1.62e42fefa39efp-1));
}
__m512d asinh_d(__m512d v) {
  const __m512d y = Sleef_asinhd8_u10avx512f(v);
  const __mmask8 past = abs_above(v, 1.3e154);
  return past ? _mm512_mask_blend_pd(past, y, Sleef_copysignd8_avx512f(log_abs_plus_ln2(v), v)) : y;
}
__m512d acosh_d(__m512d v) {
  const __m512d y = Sleef_acoshd8_u10avx512f(v);
  const __mmask8 past = _mm512_cmp_pd_mask(v, _mm512_set1_pd(1.3e154), _CMP_GT_OQ);
  return past ? _mm512_mask_blend_pd(past, y, log_abs_plus_ln2(v)) : y;
}
/// log1p x = log x + log1p(1 / x): past 1e307 the second term is far below the last place.
__m512d log1p_d(__m512d v) {
  const __m512d y = Sleef_log1pd8_u10avx512f(v);
  const __mmask8 past = _mm512_cmp_pd_mask(v, _mm512_set1_pd(1e307), _CMP_GT_OQ);
  return past ? _mm512_mask_blend_pd(past, y, Sleef_logd8_u10avx512f(v)) : y;
}

/// SLEEF's fmod gives NaN where a / b overflows (a large, b tiny), where C's fmod is exact; its
/// other lanes are exact. The lanes where SLEEF gives NaN but C does not (a finite, b neither 0
/// nor NaN) are redone one by one with C's fmod.
__m512 fmod_f(__m512 a, __m512 b) {
  __m512 y = Sleef_fmodf16_avx512f(a, b);
  const __mmask16 redo =
      _mm512_cmp_ps_mask(y, y, _CMP_UNORD_Q) &
      _mm512_cmp_ps_mask(_mm512_abs_ps(a), _mm512_set1_ps(__builtin_inff()), _CMP_LT_OQ) &
      _mm512_cmp_ps_mask(b, _mm512_setzero_ps(), _CMP_NEQ_OQ);
  if (redo) {
    alignas(64) float ya[16], aa[16], ba[16];
    _mm512_store_ps(ya, y), _mm512_store_ps(aa, a), _mm512_store_ps(ba, b);
    for (int i = 0; i < 16; ++i)
      if ((redo >> i) & 1) ya[i] = __builtin_fmodf(aa[i], ba[i]);
    y = _mm512_load_ps(ya);
  }
  return y;
}
__m512d fmod_d(__m512d a, __m512d b) {
  __m512d y = Sleef_fmodd8_avx512f(a, b);
  const __mmask8 redo =
      _mm512_cmp_pd_mask(y, y, _CMP_UNORD_Q) &
      _mm512_cmp_pd_mask(_mm512_abs_pd(a), _mm512_set1_pd(__builtin_inf()), _CMP_LT_OQ) &
      _mm512_cmp_pd_mask(b, _mm512_setzero_pd(), _CMP_NEQ_OQ);
  if (redo) {
    alignas(64) double ya[8], aa[8], ba[8];
    _mm512_store_pd(ya, y), _mm512_store_pd(aa, a), _mm512_store_pd(ba, b);
    for (int i = 0; i < 8; ++i)
      if ((redo >> i) & 1) ya[i] = __builtin_fmod(aa[i], ba[i]);
    y = _mm512_load_pd(ya);
  }
  return y;
}
#endif

// One non-template function per loop, so that baseline code can take their addresses.
#define TG_LOOPS_AVX512(name, vf, vd)                                              \
  void name##_loop_f(const float* x, float* y, int64_t n) { loop16<vf>(x, y, n); } \
  void name##_loop_d(const double* x, double* y, int64_t n) { loop8<vd>(x, y, n); }
#define TG_BINARY_LOOPS_AVX512(name, vf, vd)                                   \
  void name##_loop_f(const float* a, const float* b, float* y, int64_t n) {    \
    loop16_binary<vf>(a, b, y, n);                                             \
  }                                                                            \
  void name##_loop_d(const double* a, const double* b, double* y, int64_t n) { \
    loop8_binary<vd>(a, b, y, n);                                              \
  }
#ifdef TG_HAVE_SLEEF
#define TG_LOOPS_SLEEF(name, vf, vd) TG_LOOPS_AVX512(name, Sleef_##vf##avx512f, Sleef_##vd##avx512f)
#define TG_BINARY_LOOPS_SLEEF(name, vf, vd) \
  TG_BINARY_LOOPS_AVX512(name, Sleef_##vf##avx512f, Sleef_##vd##avx512f)
#define TG_LOOPS_AVX512_SLEEF(name, vf, vd) TG_LOOPS_AVX512(name, vf, vd)
#define TG_BINARY_LOOPS_AVX512_SLEEF(name, vf, vd) TG_BINARY_LOOPS_AVX512(name, vf, vd)
#else
#define TG_LOOPS_SLEEF(name, vf, vd)
#define TG_BINARY_LOOPS_SLEEF(name, vf, vd)
#define TG_LOOPS_AVX512_SLEEF(name, vf, vd)
#define TG_BINARY_LOOPS_AVX512_SLEEF(name, vf, vd)
#endif
#define TG_LOOPS_NONE(name, vf, vd)
#define TG_BINARY_LOOPS_NONE(name, vf, vd)

namespace unary_loops {
#define TG_UNARY(name, node, dtypes, f, simd, vf, vd, ...) TG_LOOPS_##simd(name, vf, vd)
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
}  // namespace unary_loops
namespace binary_loops {
#define TG_BINARY(name, node, dtypes, f, simd, vf, vd, ...) TG_BINARY_LOOPS_##simd(name, vf, vd)
#include "tensorgrad/elementwise_ops.def"
#undef TG_BINARY
}  // namespace binary_loops

}  // namespace
}  // namespace tg::kernels

#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif  // TG_SIMD_AVX512

namespace tg::kernels {
namespace {

using LoopF2 = void (*)(const float* a, const float* b, float* y, int64_t n);
using LoopD2 = void (*)(const double* a, const double* b, double* y, int64_t n);

struct Loops {
  LoopF f[static_cast<int>(UnaryFn::Count)] = {};
  LoopD d[static_cast<int>(UnaryFn::Count)] = {};
  LoopF2 f2[static_cast<int>(BinaryFn::Count)] = {};
  LoopD2 d2[static_cast<int>(BinaryFn::Count)] = {};
};

Loops make_loops() {
  Loops l;
#ifdef TG_SIMD_AVX512
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) return l;
#define TG_SET_UNARY_AVX512(name)                                    \
  l.f[static_cast<int>(UnaryFn::name)] = unary_loops::name##_loop_f; \
  l.d[static_cast<int>(UnaryFn::name)] = unary_loops::name##_loop_d;
#define TG_SET_BINARY_AVX512(name)                                      \
  l.f2[static_cast<int>(BinaryFn::name)] = binary_loops::name##_loop_f; \
  l.d2[static_cast<int>(BinaryFn::name)] = binary_loops::name##_loop_d;
#ifdef TG_HAVE_SLEEF
#define TG_SET_UNARY_SLEEF(name) TG_SET_UNARY_AVX512(name)
#define TG_SET_UNARY_AVX512_SLEEF(name) TG_SET_UNARY_AVX512(name)
#define TG_SET_BINARY_SLEEF(name) TG_SET_BINARY_AVX512(name)
#define TG_SET_BINARY_AVX512_SLEEF(name) TG_SET_BINARY_AVX512(name)
#else
#define TG_SET_UNARY_SLEEF(name)
#define TG_SET_UNARY_AVX512_SLEEF(name)
#define TG_SET_BINARY_SLEEF(name)
#define TG_SET_BINARY_AVX512_SLEEF(name)
#endif
#define TG_SET_UNARY_NONE(name)
#define TG_SET_BINARY_NONE(name)
#define TG_UNARY(name, node, dtypes, f, simd, ...) TG_SET_UNARY_##simd(name)
#define TG_BINARY(name, node, dtypes, f, simd, ...) TG_SET_BINARY_##simd(name)
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY
#endif
  return l;
}

const Loops& loops() {
  static const Loops l = make_loops();
  return l;
}

constexpr bool accepts(DtypeRule rule, bool floating, bool is_bool) {
  if (floating) return true;
  switch (rule) {
    case DtypeRule::SIGNED:
    case DtypeRule::DIVISION:
      return !is_bool;
    case DtypeRule::SIGN:
      return true;
    default:
      return false;
  }
}
template <class T>
constexpr bool accepts(DtypeRule rule) {
  return accepts(rule, std::is_floating_point_v<T> || is_reduced_floating_v<T>,
                 std::is_same_v<T, bool>);
}

template <class T>
auto vector_loop(UnaryFn fn) {
  if constexpr (std::is_same_v<T, float>)
    return loops().f[static_cast<int>(fn)];
  else if constexpr (std::is_same_v<T, double>)
    return loops().d[static_cast<int>(fn)];
  else
    return static_cast<void (*)(const T*, T*, int64_t)>(nullptr);
}
template <class T>
auto vector_loop(BinaryFn fn) {
  if constexpr (std::is_same_v<T, float>)
    return loops().f2[static_cast<int>(fn)];
  else if constexpr (std::is_same_v<T, double>)
    return loops().d2[static_cast<int>(fn)];
  else
    return static_cast<void (*)(const T*, const T*, T*, int64_t)>(nullptr);
}

/// A row with a vector function runs it on every contiguous run, split across threads by the
/// iterator, and writes normally (these functions are bound by arithmetic; see
/// Note [Streaming stores]); its other runs, and a vector row of a type without a vector
/// function, take the iterator's typed loops (unary_run); other rows go through the generic loops.
template <class T, class F>
void run_unary(const View& out, const View& in, bool vector_row, void (*vec)(const T*, T*, int64_t),
               F f) {
  if (!vector_row) {
    unary_loop<T, T>(out, in, f);
    return;
  }
  StridedIter<2> it(out.sizes(), {out, in});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    if (vec && s[0] == sizeof(T) && s[1] == sizeof(T))
      vec(reinterpret_cast<const T*>(p[1]), reinterpret_cast<T*>(p[0]), n);
    else
      unary_run<T, T>(p, s, n, f);
  });
}

template <class T, class F>
void run_binary(const View& out, const View& a, const View& b, bool vector_row,
                void (*vec)(const T*, const T*, T*, int64_t), F f) {
  if (!vector_row || !vec) {
    binary_loop<T, T, T>(out, a, b, f);
    return;
  }
  StridedIter<3> it(out.sizes(), {out, a, b});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T))
      vec(reinterpret_cast<const T*>(p[1]), reinterpret_cast<const T*>(p[2]),
          reinterpret_cast<T*>(p[0]), n);
    else
      binary_run<T, T, T>(p, s, n, f);
  });
}

/// Elements of a 16-bit run converted to float at a time.
constexpr int64_t kConvertBlock = 256;

/// A row on a 16-bit floating type T: each run is converted to float a block at a time, computed
/// by the row's float loop (the vector one when the CPU has it, else f), and rounded back.
template <class T, class F>
void run_unary_reduced(const View& out, const View& in, LoopF vec, F f) {
  StridedIter<2> it(out.sizes(), {out, in});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    alignas(64) float buf[kConvertBlock];
    for (int64_t b = 0; b < n; b += kConvertBlock) {
      const int64_t m = std::min(kConvertBlock, n - b);
      for (int64_t i = 0; i < m; ++i) buf[i] = *reinterpret_cast<const T*>(p[1] + (b + i) * s[1]);
      if (vec) {
        vec(buf, buf, m);
      } else {
        for (int64_t i = 0; i < m; ++i) buf[i] = f(buf[i]);
      }
      for (int64_t i = 0; i < m; ++i) *reinterpret_cast<T*>(p[0] + (b + i) * s[0]) = T(buf[i]);
    }
  });
}

template <class T, class F>
void run_binary_reduced(const View& out, const View& a, const View& b, LoopF2 vec, F f) {
  StridedIter<3> it(out.sizes(), {out, a, b});
  it.for_each([&](char** p, const int64_t* s, int64_t n) {
    alignas(64) float x[kConvertBlock], y[kConvertBlock];
    for (int64_t k = 0; k < n; k += kConvertBlock) {
      const int64_t m = std::min(kConvertBlock, n - k);
      for (int64_t i = 0; i < m; ++i) {
        x[i] = *reinterpret_cast<const T*>(p[1] + (k + i) * s[1]);
        y[i] = *reinterpret_cast<const T*>(p[2] + (k + i) * s[2]);
      }
      if (vec) {
        vec(x, y, x, m);
      } else {
        for (int64_t i = 0; i < m; ++i) x[i] = f(x[i], y[i]);
      }
      for (int64_t i = 0; i < m; ++i) *reinterpret_cast<T*>(p[0] + (k + i) * s[0]) = T(x[i]);
    }
  });
}

#define TG_IS_VECTOR_AVX512 true
#define TG_IS_VECTOR_AVX512_SLEEF true
#define TG_IS_VECTOR_SLEEF true
#define TG_IS_VECTOR_NONE false

// Each row's scalar forward, as a function of its element type.
namespace rows {
#define TG_UNARY(name, node, dtypes, f, ...) \
  struct name##_row {                        \
    template <class T>                       \
    static T apply(T x) {                    \
      return f;                              \
    }                                        \
  };
#define TG_BINARY(name, node, dtypes, f, ...) \
  struct name##_row {                         \
    template <class T>                        \
    static T apply(T a, T b) {                \
      return f;                               \
    }                                         \
  };
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY
}  // namespace rows

}  // namespace

template <class T>
void unary(UnaryFn fn, const View& out, const View& in) {
  switch (fn) {
#define TG_UNARY(name, node, dtypes, f, simd, ...)                                            \
  case UnaryFn::name:                                                                         \
    if constexpr (!accepts<T>(DtypeRule::dtypes)) {                                           \
      break;                                                                                  \
    } else if constexpr (is_reduced_floating_v<T>) {                                          \
      return run_unary_reduced<T>(out, in, vector_loop<float>(UnaryFn::name),                 \
                                  [](float x) { return rows::name##_row::apply<float>(x); }); \
    } else {                                                                                  \
      return run_unary<T>(out, in, TG_IS_VECTOR_##simd, vector_loop<T>(UnaryFn::name),        \
                          [](T x) -> T { return rows::name##_row::apply<T>(x); });            \
    }
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
    case UnaryFn::Count:
      break;
  }
  detail::fail("elementwise math: op ", static_cast<int>(fn), " has no loop for dtype ",
               CppTypeToScalarType<T>::value);
}

template <class T>
void binary(BinaryFn fn, const View& out, const View& a, const View& b) {
  switch (fn) {
#define TG_BINARY(name, node, dtypes, f, simd, ...)                                         \
  case BinaryFn::name:                                                                      \
    if constexpr (!accepts<T>(DtypeRule::dtypes)) {                                         \
      break;                                                                                \
    } else if constexpr (is_reduced_floating_v<T>) {                                        \
      return run_binary_reduced<T>(                                                         \
          out, a, b, vector_loop<float>(BinaryFn::name),                                    \
          [](float a, float b) { return rows::name##_row::apply<float>(a, b); });           \
    } else {                                                                                \
      return run_binary<T>(out, a, b, TG_IS_VECTOR_##simd, vector_loop<T>(BinaryFn::name),  \
                           [](T a, T b) -> T { return rows::name##_row::apply<T>(a, b); }); \
    }
#include "tensorgrad/elementwise_ops.def"
#undef TG_BINARY
    case BinaryFn::Count:
      break;
  }
  detail::fail("elementwise math: op ", static_cast<int>(fn), " has no loop for dtype ",
               CppTypeToScalarType<T>::value);
}

#define TG_INSTANTIATE(T) template void unary<T>(UnaryFn, const View&, const View&);
TG_INSTANTIATE(uint8_t)
TG_INSTANTIATE(int8_t)
TG_INSTANTIATE(int16_t)
TG_INSTANTIATE(int32_t)
TG_INSTANTIATE(int64_t)
TG_INSTANTIATE(Half)
TG_INSTANTIATE(float)
TG_INSTANTIATE(double)
TG_INSTANTIATE(bool)
TG_INSTANTIATE(BFloat16)
#undef TG_INSTANTIATE
#define TG_INSTANTIATE(T) template void binary<T>(BinaryFn, const View&, const View&, const View&);
TG_INSTANTIATE(uint8_t)
TG_INSTANTIATE(int8_t)
TG_INSTANTIATE(int16_t)
TG_INSTANTIATE(int32_t)
TG_INSTANTIATE(int64_t)
TG_INSTANTIATE(Half)
TG_INSTANTIATE(float)
TG_INSTANTIATE(double)
TG_INSTANTIATE(BFloat16)
#undef TG_INSTANTIATE

template <class T>
void polygamma(int n, const View& out, const View& in) {
  using C = opmath_t<T>;
  unary_loop<T, T>(out, in, [n](T x) { return T(special::polygamma(n, C(x))); });
}
template <class T>
void unary_contiguous(UnaryFn fn, T* out, const T* in, int64_t n) {
  switch (fn) {
#define TG_UNARY(name, node, dtypes, f, simd, ...)                     \
  case UnaryFn::name: {                                                \
    auto row = [](T x) -> T { return rows::name##_row::apply<T>(x); }; \
    if constexpr (!TG_IS_VECTOR_##simd) {                              \
      flat_unary_vectorised<T, T, decltype(row)&>(out, in, n, row);    \
    } else if (auto vec = vector_loop<T>(UnaryFn::name)) {             \
      vec(in, out, n);                                                 \
    } else {                                                           \
      for (int64_t i = 0; i < n; ++i) out[i] = row(in[i]);             \
    }                                                                  \
    return;                                                            \
  }
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
    case UnaryFn::Count:
      break;
  }
}
template void unary_contiguous<float>(UnaryFn, float*, const float*, int64_t);
template void unary_contiguous<double>(UnaryFn, double*, const double*, int64_t);

template void polygamma<Half>(int, const View&, const View&);
template void polygamma<float>(int, const View&, const View&);
template void polygamma<double>(int, const View&, const View&);
template void polygamma<BFloat16>(int, const View&, const View&);

LoopF float_loop(UnaryFn fn) { return loops().f[static_cast<int>(fn)]; }
LoopD double_loop(UnaryFn fn) { return loops().d[static_cast<int>(fn)]; }

}  // namespace tg::kernels
