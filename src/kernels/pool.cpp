// Pooling kernels (see pool.h).
#include "kernels/pool.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TG_POOL_AVX512 1  // see Note [Pooling 2 x 2 windows]
#endif

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels/loop.h"

namespace tg::kernels {
namespace {

/// Runs body(plane) for plane in [0, planes), in parallel when the work is large enough.
template <class Body>
void for_each_plane(int64_t planes, int64_t work_per_plane, Body body) {
  parallel_tasks(planes, planes * work_per_plane, body);
}

// ---- max pooling ----

/// The output columns [lo, hi) whose window column ox * stride - pad + offset lies in [0, w).
inline std::pair<int64_t, int64_t> columns_inside(int64_t offset, int64_t stride, int64_t pad,
                                                  int64_t w, int64_t ow) {
  const int64_t first = pad - offset;         // ox * stride >= first
  const int64_t last = w - 1 + pad - offset;  // ox * stride <= last
  if (last < 0) return {0, 0};
  const int64_t lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  const int64_t hi = std::min(ow, last / stride + 1);
  return {lo, std::max(lo, hi)};
}

/// One window offset across output columns [lo, hi): the candidate for column ox is
/// row[ox * stride] at flat position base + ox * stride. kStride is the stride when known at
/// compile time (1 or 2), else 0. With Float values and int32 positions the loop vectorises.
template <class T, class I, int kStride>
void max_pool_row(const T* __restrict row, T* __restrict om, I* __restrict oi, int64_t lo,
                  int64_t hi, int64_t stride, I base) {
  const int64_t s = kStride ? kStride : stride;
  for (int64_t ox = lo; ox < hi; ++ox) {
    const T v = row[ox * s];
    const T m = om[ox];
    const bool take = (v > m) | (v != v);
    om[ox] = take ? v : m;
    oi[ox] = take ? base + static_cast<I>(ox * s) : oi[ox];
  }
}

// Note [Pooling 2 x 2 windows]
// Nearly every CNN pools with disjoint 2 x 2 windows (kernel 2, stride 2, no padding). For Float
// on x86-64 CPUs with AVX-512 those run on the two kernels below, 16 windows per step; elsewhere
// the general kernels run. A window [a b; c d] is a tournament, the winner of a-b against the
// winner of c-d: with strict comparisons and a NaN winning its pair, it picks the same value and
// position as the general scan (the last NaN, else the first maximum).

/// True when every window is a disjoint 2 x 2 block inside the input.
bool disjoint_2x2(const PoolWindows& p, int64_t h, int64_t w, int64_t oh, int64_t ow) {
  return p.kernel == std::array<int64_t, 2>{2, 2} && p.stride == std::array<int64_t, 2>{2, 2} &&
         p.padding == std::array<int64_t, 2>{0, 0} && p.dilation == std::array<int64_t, 2>{1, 1} &&
         2 * oh <= h && 2 * ow <= w;
}

#ifdef TG_POOL_AVX512
bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

/// Lane indices picking the even (first = 0) or odd (first = 1) of 32 floats in two vectors.
__attribute__((target("avx512f"))) inline __m512i lane_pick(int first) {
  return _mm512_add_epi32(
      _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0),
      _mm512_set1_epi32(first));
}

/// The masks for a step of `count` (1 to 16) windows: the outputs, and the 2 * count input
/// floats of one row, split over two vectors. Rows shorter than 16 windows (most of a CNN's)
/// are one masked step; masked-off lanes are neither read nor written.
struct StepMasks {
  __mmask16 out, in_low, in_high;
};
inline StepMasks step_masks(int64_t count) {
  const auto ones = [](int64_t k) {
    return static_cast<__mmask16>(k >= 16 ? 0xFFFF : (1u << k) - 1);
  };
  return {ones(count), ones(2 * count), ones(std::max<int64_t>(0, 2 * count - 16))};
}

/// Max pooling of one plane's disjoint 2 x 2 windows (Float, AVX-512): xp is [h, w], out_plane
/// and idx_plane are [oh, ow].
__attribute__((target("avx512f"))) void max_pool_2x2_plane(const float* xp, float* out_plane,
                                                           int64_t* idx_plane, int64_t w,
                                                           int64_t oh, int64_t ow) {
  const __m512i even = lane_pick(0), odd = lane_pick(1);
  const __m512i steps = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i one = _mm512_set1_epi64(1), row_below = _mm512_set1_epi64(w);
  for (int64_t oy = 0; oy < oh; ++oy) {
    const float* r0 = xp + 2 * oy * w;
    const float* r1 = r0 + w;
    float* orow = out_plane + oy * ow;
    int64_t* irow = idx_plane + oy * ow;
    const int64_t base = 2 * oy * w;
    for (int64_t ox = 0; ox < ow; ox += 16) {
      const StepMasks m = step_masks(ow - ox);
      const __m512 t0 = _mm512_maskz_loadu_ps(m.in_low, r0 + 2 * ox);
      const __m512 t1 = _mm512_maskz_loadu_ps(m.in_high, r0 + 2 * ox + 16);
      const __m512 b0 = _mm512_maskz_loadu_ps(m.in_low, r1 + 2 * ox);
      const __m512 b1 = _mm512_maskz_loadu_ps(m.in_high, r1 + 2 * ox + 16);
      const __m512 a = _mm512_permutex2var_ps(t0, even, t1);
      const __m512 b = _mm512_permutex2var_ps(t0, odd, t1);
      const __m512 c = _mm512_permutex2var_ps(b0, even, b1);
      const __m512 d = _mm512_permutex2var_ps(b0, odd, b1);
      const __mmask16 take_b =
          _mm512_cmp_ps_mask(b, a, _CMP_GT_OQ) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
      const __mmask16 take_d =
          _mm512_cmp_ps_mask(d, c, _CMP_GT_OQ) | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q);
      const __m512 top = _mm512_mask_blend_ps(take_b, a, b);
      const __m512 bottom = _mm512_mask_blend_ps(take_d, c, d);
      const __mmask16 take_bottom = _mm512_cmp_ps_mask(bottom, top, _CMP_GT_OQ) |
                                    _mm512_cmp_ps_mask(bottom, bottom, _CMP_UNORD_Q);
      _mm512_mask_storeu_ps(orow + ox, m.out, _mm512_mask_blend_ps(take_bottom, top, bottom));
      // Positions, 8 windows per vector of int64: base + 2 ox, +1 for b and d, +w for c and d.
      for (unsigned half = 0; half < 2; ++half) {
        const unsigned shift = 8 * half;
        const auto tb = static_cast<__mmask8>(take_b >> shift);
        const auto td = static_cast<__mmask8>(take_d >> shift);
        const auto tl = static_cast<__mmask8>(take_bottom >> shift);
        const __m512i first = _mm512_add_epi64(_mm512_set1_epi64(base + 2 * (ox + shift)), steps);
        const __m512i top_at = _mm512_mask_add_epi64(first, tb, first, one);
        const __m512i left_below = _mm512_add_epi64(first, row_below);
        const __m512i bottom_at = _mm512_mask_add_epi64(left_below, td, left_below, one);
        _mm512_mask_storeu_epi64(irow + ox + shift, static_cast<__mmask8>(m.out >> shift),
                                 _mm512_mask_blend_epi64(tl, top_at, bottom_at));
      }
    }
  }
}

void max_pool_2x2_avx512(const float* x, float* out, int64_t* idx, int64_t planes, int64_t h,
                         int64_t w, int64_t oh, int64_t ow) {
  for_each_plane(planes, oh * ow * 4, [=](int64_t plane) {
    max_pool_2x2_plane(x + plane * h * w, out + plane * oh * ow, idx + plane * oh * ow, w, oh, ow);
  });
}
#endif  // TG_POOL_AVX512

/// out and idx have [planes, oh, ow]; idx holds flat h * W + w positions in the input plane.
/// The window is scanned row by row, left to right; a larger value (or a NaN, which is the
/// maximum of its window as in libtorch) replaces the current one. For speed the scan runs one
/// window offset at a time across a whole output row, with selects rather than branches (on real
/// data the comparison is unpredictable), keeping positions as I (int32 when the plane allows)
/// so that the loop vectorises; they are widened to int64 per output row.
template <class T, class I>
void max_pool_kernel(const T* x, T* out, int64_t* idx, int64_t planes, int64_t h, int64_t w,
                     int64_t oh, int64_t ow, const PoolWindows& p) {
  const int64_t kh = p.kernel[0], kw = p.kernel[1], sh = p.stride[0], sw = p.stride[1],
                ph = p.padding[0], pw = p.padding[1], dh = p.dilation[0], dw = p.dilation[1];
  // Per output column: the first in-bounds input column of its window (the position reported
  // when every value is -inf).
  std::vector<int64_t> first_col(static_cast<size_t>(ow));
  for (int64_t ox = 0; ox < ow; ++ox) {
    int64_t x0 = ox * sw - pw;
    while (x0 < 0) x0 += dw;
    first_col[ox] = x0;
  }
  std::vector<std::pair<int64_t, int64_t>> cols(static_cast<size_t>(kw));
  for (int64_t j = 0; j < kw; ++j) cols[j] = columns_inside(j * dw, sw, pw, w, ow);
  const int64_t* first = first_col.data();
  const std::pair<int64_t, int64_t>* inside = cols.data();
  for_each_plane(planes, oh * ow * kh * kw, [=](int64_t plane) {
    const T* xp = x + plane * h * w;
    std::vector<I> positions(static_cast<size_t>(ow));
    I* irow = positions.data();
    for (int64_t oy = 0; oy < oh; ++oy) {
      T* orow = out + (plane * oh + oy) * ow;
      int64_t y0 = oy * sh - ph;
      while (y0 < 0) y0 += dh;
      for (int64_t ox = 0; ox < ow; ++ox) {
        orow[ox] = -std::numeric_limits<T>::infinity();
        irow[ox] = static_cast<I>(y0 * w + first[ox]);
      }
      for (int64_t i = 0; i < kh; ++i) {
        const int64_t yy = oy * sh - ph + i * dh;
        if (yy < 0 || yy >= h) continue;
        const T* row = xp + yy * w;
        for (int64_t j = 0; j < kw; ++j) {
          const int64_t shift = j * dw - pw;  // input column = ox * sw + shift
          const int64_t lo = inside[j].first, hi = inside[j].second;
          const I base = static_cast<I>(yy * w + shift);
          if (sw == 1)
            max_pool_row<T, I, 1>(row + shift, orow, irow, lo, hi, 1, base);
          else if (sw == 2)
            max_pool_row<T, I, 2>(row + shift, orow, irow, lo, hi, 2, base);
          else
            max_pool_row<T, I, 0>(row + shift, orow, irow, lo, hi, sw, base);
        }
      }
      int64_t* dst = idx + (plane * oh + oy) * ow;
      for (int64_t ox = 0; ox < ow; ++ox) dst[ox] = irow[ox];
    }
  });
}

#ifdef TG_POOL_AVX512
/// The gradient of max_pool_2x2_avx512: every input element is written once, the window's
/// gradient where it was the window's maximum and zero elsewhere (no zero fill, no scatter).
__attribute__((target("avx512f"))) void max_pool_2x2_spread_plane(const float* g_plane,
                                                                  const int64_t* idx_plane,
                                                                  float* o, int64_t h, int64_t w,
                                                                  int64_t oh, int64_t ow) {
  // Interleaving even and odd columns back: lanes 0..15 take even[0], odd[0], even[1], ...,
  // lanes 16..31 the rest.
  const __m512i low = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i high =
      _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  const __m512i steps = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i zero_i = _mm512_setzero_si512(), one = _mm512_set1_epi64(1);
  const __m512i below = _mm512_set1_epi64(w), below_right = _mm512_set1_epi64(w + 1);
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t oy = 0; oy < oh; ++oy) {
    const float* gg = g_plane + oy * ow;
    const int64_t* ii = idx_plane + oy * ow;
    float* r0 = o + 2 * oy * w;
    float* r1 = r0 + w;
    const int64_t base = 2 * oy * w;
    for (int64_t ox = 0; ox < ow; ox += 16) {
      const StepMasks m = step_masks(ow - ox);
      // Where each window's maximum is, from its top-left corner: 0, 1, w or w + 1.
      __mmask16 is_a = 0, is_b = 0, is_c = 0, is_d = 0;
      for (unsigned half = 0; half < 2; ++half) {
        const unsigned shift = 8 * half;
        const __m512i first = _mm512_add_epi64(_mm512_set1_epi64(base + 2 * (ox + shift)), steps);
        const __m512i at =
            _mm512_maskz_loadu_epi64(static_cast<__mmask8>(m.out >> shift), ii + ox + shift);
        const __m512i rel = _mm512_sub_epi64(at, first);
        is_a |= static_cast<__mmask16>(_mm512_cmpeq_epi64_mask(rel, zero_i) << shift);
        is_b |= static_cast<__mmask16>(_mm512_cmpeq_epi64_mask(rel, one) << shift);
        is_c |= static_cast<__mmask16>(_mm512_cmpeq_epi64_mask(rel, below) << shift);
        is_d |= static_cast<__mmask16>(_mm512_cmpeq_epi64_mask(rel, below_right) << shift);
      }
      const __m512 v = _mm512_maskz_loadu_ps(m.out, gg + ox);
      const __m512 a = _mm512_mask_blend_ps(is_a, zero, v), b = _mm512_mask_blend_ps(is_b, zero, v);
      const __m512 c = _mm512_mask_blend_ps(is_c, zero, v), d = _mm512_mask_blend_ps(is_d, zero, v);
      _mm512_mask_storeu_ps(r0 + 2 * ox, m.in_low, _mm512_permutex2var_ps(a, low, b));
      _mm512_mask_storeu_ps(r0 + 2 * ox + 16, m.in_high, _mm512_permutex2var_ps(a, high, b));
      _mm512_mask_storeu_ps(r1 + 2 * ox, m.in_low, _mm512_permutex2var_ps(c, low, d));
      _mm512_mask_storeu_ps(r1 + 2 * ox + 16, m.in_high, _mm512_permutex2var_ps(c, high, d));
    }
    for (int64_t c0 = 2 * ow; c0 < w; ++c0) r0[c0] = r1[c0] = 0.0F;  // columns no window covers
  }
  for (int64_t k = 2 * oh * w; k < h * w; ++k) o[k] = 0.0F;  // the row no window covers
}

void max_pool_2x2_spread_avx512(const float* g, const int64_t* idx, float* gx, int64_t planes,
                                int64_t h, int64_t w, int64_t oh, int64_t ow) {
  for_each_plane(planes, h * w, [=](int64_t plane) {
    max_pool_2x2_spread_plane(g + plane * oh * ow, idx + plane * oh * ow, gx + plane * h * w, h, w,
                              oh, ow);
  });
}
#endif  // TG_POOL_AVX512

// ---- average pooling ----
// A mean pooling is given by its windows: windows(h, w, oh, ow, fn) calls
// fn(o, y0, y1, x0, x1, divisor) for each output position o (row-major in oh x ow) whose window,
// rows [y0, y1) and columns [x0, x1) of the h x w input, is not empty.

/// avg_pool2d's windows: clipped to the input, divided as `d` says.
struct AvgWindows {
  const PoolWindows& p;
  const AvgDivisor& d;

  template <class Fn>
  void operator()(int64_t h, int64_t w, int64_t oh, int64_t ow, Fn&& fn) const {
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        int64_t y0 = oy * p.stride[0] - p.padding[0], x0 = ox * p.stride[1] - p.padding[1];
        int64_t y1 = std::min(y0 + p.kernel[0], h + p.padding[0]);
        int64_t x1 = std::min(x0 + p.kernel[1], w + p.padding[1]);
        const int64_t padded_size = (y1 - y0) * (x1 - x0);
        y0 = std::max<int64_t>(y0, 0);
        x0 = std::max<int64_t>(x0, 0);
        y1 = std::min(y1, h);
        x1 = std::min(x1, w);
        if (y0 >= y1 || x0 >= x1) continue;
        const int64_t divisor = d.divisor_override    ? *d.divisor_override
                                : d.count_include_pad ? padded_size
                                                      : (y1 - y0) * (x1 - x0);
        fn(oy * ow + ox, y0, y1, x0, x1, divisor);
      }
  }
};

inline int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
inline int64_t adaptive_end(int64_t o, int64_t in, int64_t out) {
  return ((o + 1) * in + out - 1) / out;
}

/// adaptive_avg_pool2d's windows: output o of n covers [o * in / n, ceil((o + 1) * in / n)).
struct AdaptiveWindows {
  template <class Fn>
  void operator()(int64_t h, int64_t w, int64_t oh, int64_t ow, Fn&& fn) const {
    for (int64_t oy = 0; oy < oh; ++oy) {
      const int64_t y0 = adaptive_start(oy, h, oh), y1 = adaptive_end(oy, h, oh);
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t x0 = adaptive_start(ox, w, ow), x1 = adaptive_end(ox, w, ow);
        fn(oy * ow + ox, y0, y1, x0, x1, (y1 - y0) * (x1 - x0));
      }
    }
  }
};

/// Average pooling over `windows` (kBackward false) and its gradient (true), which walk the same
/// windows: `x` is the [N, C, h, w] input (or its gradient) and `y` the [N, C, oh, ow] output (or
/// its gradient). Forward, each output is the sum of its window divided by the divisor (0 where
/// the window is empty); backward, each output's gradient, divided by its divisor, is spread over
/// its window.
template <bool kBackward, class Windows>
void mean_pool(const View& x, const View& y, const char* name, int64_t work_per_plane,
               const Windows& windows) {
  const int64_t planes = x.size(0) * x.size(1), h = x.size(2), w = x.size(3);
  const int64_t oh = y.size(2), ow = y.size(3);
  dispatch_float_double(x.dtype(), name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* xp = x.data_ptr<T>();
    T* yp = y.data_ptr<T>();
    for_each_plane(planes, work_per_plane, [&](int64_t plane) {
      T* xs = xp + plane * h * w;
      T* ys = yp + plane * oh * ow;
      // The side written starts at zero.
      if constexpr (kBackward)
        std::fill(xs, xs + h * w, T(0));
      else
        std::fill(ys, ys + oh * ow, T(0));
      windows(h, w, oh, ow,
              [&](int64_t o, int64_t y0, int64_t y1, int64_t x0, int64_t x1, int64_t divisor) {
                if constexpr (kBackward) {
                  const T share = ys[o] / static_cast<T>(divisor);
                  for (int64_t r = y0; r < y1; ++r)
                    for (int64_t c = x0; c < x1; ++c) xs[r * w + c] += share;
                } else {
                  T sum = 0;
                  for (int64_t r = y0; r < y1; ++r)
                    for (int64_t c = x0; c < x1; ++c) sum += xs[r * w + c];
                  ys[o] = sum / static_cast<T>(divisor);
                }
              });
    });
  });
}

}  // namespace

void max_pool2d(const View& out, const View& indices, const View& x, const PoolWindows& p) {
  const int64_t planes = x.size(0) * x.size(1), h = x.size(2), w = x.size(3);
  const int64_t oh = out.size(2), ow = out.size(3);
  dispatch_float_double(x.dtype(), "max_pool2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
#ifdef TG_POOL_AVX512
    if constexpr (std::is_same_v<T, float>) {
      if (disjoint_2x2(p, h, w, oh, ow) && has_avx512()) {
        max_pool_2x2_avx512(x.data_ptr<float>(), out.data_ptr<float>(), indices.data_ptr<int64_t>(),
                            planes, h, w, oh, ow);
        return;
      }
    }
#endif
    if (h * w <= std::numeric_limits<int32_t>::max())
      max_pool_kernel<T, int32_t>(x.data_ptr<T>(), out.data_ptr<T>(), indices.data_ptr<int64_t>(),
                                  planes, h, w, oh, ow, p);
    else
      max_pool_kernel<T, int64_t>(x.data_ptr<T>(), out.data_ptr<T>(), indices.data_ptr<int64_t>(),
                                  planes, h, w, oh, ow, p);
  });
}

void max_pool2d_backward(const View& gx, const View& g, const View& indices, const PoolWindows& p) {
  const int64_t planes = gx.size(0) * gx.size(1), h = gx.size(2), w = gx.size(3);
  const int64_t oh = g.size(2), ow = g.size(3);
#ifdef TG_POOL_AVX512
  if (g.dtype() == kFloat && disjoint_2x2(p, h, w, oh, ow) && has_avx512()) {
    max_pool_2x2_spread_avx512(g.data_ptr<float>(), indices.data_ptr<int64_t>(),
                               gx.data_ptr<float>(), planes, h, w, oh, ow);
    return;
  }
#endif
  const int64_t hw = h * w, ohw = oh * ow;
  dispatch_float_double(g.dtype(), "max_pool2d backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* gp = g.data_ptr<T>();
    const int64_t* ip = indices.data_ptr<int64_t>();
    T* out = gx.data_ptr<T>();
    for_each_plane(planes, hw + ohw, [&](int64_t plane) {
      T* o = out + plane * hw;
      const T* gg = gp + plane * ohw;
      const int64_t* ii = ip + plane * ohw;
      std::fill(o, o + hw, T(0));
      for (int64_t k = 0; k < ohw; ++k) o[ii[k]] += gg[k];
    });
  });
}

void avg_pool2d(const View& out, const View& x, const PoolWindows& p, const AvgDivisor& d) {
  mean_pool<false>(x, out, "avg_pool2d", out.size(2) * out.size(3) * p.kernel[0] * p.kernel[1],
                   AvgWindows{p, d});
}

void avg_pool2d_backward(const View& gx, const View& g, const PoolWindows& p, const AvgDivisor& d) {
  mean_pool<true>(gx, g, "avg_pool2d backward", g.size(2) * g.size(3) * p.kernel[0] * p.kernel[1],
                  AvgWindows{p, d});
}

void adaptive_avg_pool2d(const View& out, const View& x) {
  mean_pool<false>(x, out, "adaptive_avg_pool2d", x.size(2) * x.size(3) + out.size(2) * out.size(3),
                   AdaptiveWindows{});
}

void adaptive_avg_pool2d_backward(const View& gx, const View& g) {
  mean_pool<true>(gx, g, "adaptive_avg_pool2d backward",
                  gx.size(2) * gx.size(3) + g.size(2) * g.size(3), AdaptiveWindows{});
}

}  // namespace tg::kernels
