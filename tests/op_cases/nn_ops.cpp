// Op cases for the tensor-level nn ops: conv2d (stride, padding, dilation, groups, unbatched),
// max_pool2d, avg_pool2d, adaptive_avg_pool2d, batch_norm (training and evaluation), dropout
// (with a fixed seed) and embedding. References are direct loops over the inputs' values.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "op_case.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg::testing {
namespace {

using Shape = std::vector<int64_t>;

int64_t count(const Shape& s) {
  int64_t n = 1;
  for (int64_t v : s) n *= v;
  return n;
}

/// A contiguous kDouble leaf with deterministic values in [lo, hi).
Tensor leaf(const Shape& shape, uint64_t seed, double lo = -1.0, double hi = 1.0,
            bool grad = true) {
  std::mt19937_64 gen(seed);
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < count(shape); ++i)
    p[i] = lo + (hi - lo) * (static_cast<double>(gen() >> 11) * 0x1.0p-53);
  if (grad) t.requires_grad_(true);
  return t;
}

/// The values of a (possibly non-contiguous) kDouble tensor in row-major order.
std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  const Shape sizes = t.sizes().vec();
  Shape index(sizes.size(), 0);
  const double* base = t.data_ptr<double>();
  for (int64_t k = 0; k < t.numel(); ++k) {
    int64_t off = 0;
    for (size_t d = 0; d < sizes.size(); ++d) off += index[d] * t.stride(static_cast<int64_t>(d));
    out.push_back(base[off]);
    for (size_t d = sizes.size(); d-- > 0;) {
      if (++index[d] < sizes[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor from_values(const Shape& shape, const std::vector<double>& v) {
  Tensor t = empty(shape, kDouble);
  std::copy(v.begin(), v.end(), t.data_ptr<double>());
  return t;
}

/// Registers a case from a helper called once per case (TG_OP_CASE declares a static, which a
/// function body would initialise only on its first call).
void register_case(OpCase c) { OpCaseRegistrar registrar(std::move(c)); }

// ---- conv2d ----

struct Conv {
  int64_t sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1, groups = 1;
};

/// Gather-form reference: each output element reads its window.
Tensor conv_reference(const Tensor& x, const Tensor& w, const Tensor& b, const Conv& c) {
  const bool unbatched = x.dim() == 3;
  const Shape xs = unbatched ? Shape{1, x.size(0), x.size(1), x.size(2)} : x.sizes().vec();
  const std::vector<double> xv = values(x), wv = values(w);
  const std::vector<double> bv = b.defined() ? values(b) : std::vector<double>();
  const int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  const int64_t O = w.size(0), Cg = w.size(1), KH = w.size(2), KW = w.size(3);
  const int64_t OH = (H + 2 * c.ph - c.dh * (KH - 1) - 1) / c.sh + 1;
  const int64_t OW = (W + 2 * c.pw - c.dw * (KW - 1) - 1) / c.sw + 1;
  const int64_t Og = O / c.groups;
  std::vector<double> out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double acc = bv.empty() ? 0.0 : bv[o];
          for (int64_t ci = 0; ci < Cg; ++ci) {
            const int64_t cin = (o / Og) * Cg + ci;
            for (int64_t i = 0; i < KH; ++i)
              for (int64_t j = 0; j < KW; ++j) {
                const int64_t iy = oy * c.sh - c.ph + i * c.dh, ix = ox * c.sw - c.pw + j * c.dw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc +=
                    xv[((n * C + cin) * H + iy) * W + ix] * wv[((o * Cg + ci) * KH + i) * KW + j];
              }
          }
          out.push_back(acc);
        }
  return unbatched ? from_values({O, OH, OW}, out) : from_values({N, O, OH, OW}, out);
}

void conv_case(const char* variant, Shape xs, Shape ws, bool bias, Conv c) {
  register_case(
      {.op = "conv2d",
       .variant = variant,
       .inputs =
           [=] {
             return variable_list{leaf(xs, 1), leaf(ws, 2), bias ? leaf({ws[0]}, 3) : Tensor()};
           },
       .fn =
           [=](const variable_list& in) {
             return variable_list{
                 conv2d(in[0], in[1], in[2], {c.sh, c.sw}, {c.ph, c.pw}, {c.dh, c.dw}, c.groups)};
           },
       .reference =
           [=](const variable_list& in) {
             return variable_list{conv_reference(in[0], in[1], in[2], c)};
           }});
}

const bool conv_cases = [] {
  conv_case("basic_bias", {2, 3, 5, 5}, {4, 3, 3, 3}, true, {});
  conv_case("stride_padding", {1, 2, 6, 5}, {3, 2, 3, 2}, true,
            {.sh = 2, .sw = 1, .ph = 1, .pw = 0});
  conv_case("stride_skips_rows", {1, 2, 6, 6}, {2, 2, 3, 3}, false, {.sh = 2, .sw = 3});
  conv_case("dilation", {1, 2, 7, 6}, {2, 2, 2, 3}, true, {.ph = 1, .pw = 1, .dh = 2, .dw = 1});
  conv_case("groups", {2, 4, 4, 4}, {6, 2, 3, 3}, false, {.ph = 1, .pw = 1, .groups = 2});
  conv_case("unbatched", {2, 4, 5}, {3, 2, 2, 2}, true, {.sh = 1, .sw = 2});
  return true;
}();

// ---- pooling ----

struct Pool {
  int64_t kh, kw, sh, sw, ph = 0, pw = 0, dh = 1, dw = 1;
  bool ceil = false;
};

int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
  const int64_t span = in + 2 * p - d * (k - 1) - 1;
  int64_t out = (ceil ? (span + s - 1) / s : span / s) + 1;
  if (ceil && (out - 1) * s >= in + p) --out;
  return out;
}

/// Reference max pooling: the max over the window's in-bounds elements.
Tensor max_pool_reference(const Tensor& x, const Pool& p) {
  const std::vector<double> xv = values(x);
  const int64_t NC = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const int64_t OH = pool_out(H, p.kh, p.sh, p.ph, p.dh, p.ceil);
  const int64_t OW = pool_out(W, p.kw, p.sw, p.pw, p.dw, p.ceil);
  std::vector<double> out;
  for (int64_t q = 0; q < NC; ++q)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        double m = -std::numeric_limits<double>::infinity();
        for (int64_t i = 0; i < p.kh; ++i)
          for (int64_t j = 0; j < p.kw; ++j) {
            const int64_t iy = oy * p.sh - p.ph + i * p.dh, ix = ox * p.sw - p.pw + j * p.dw;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) m = std::max(m, xv[(q * H + iy) * W + ix]);
          }
        out.push_back(m);
      }
  return from_values({x.size(0), x.size(1), OH, OW}, out);
}

void max_pool_case(const char* variant, Shape xs, Pool p) {
  register_case(
      {.op = "max_pool2d",
       .variant = variant,
       .inputs = [=] { return variable_list{leaf(xs, 11)}; },
       .fn =
           [=](const variable_list& in) {
             return variable_list{
                 max_pool2d(in[0], {p.kh, p.kw}, {p.sh, p.sw}, {p.ph, p.pw}, {p.dh, p.dw}, p.ceil)};
           },
       .reference =
           [=](const variable_list& in) { return variable_list{max_pool_reference(in[0], p)}; }});
}

/// Reference average pooling with libtorch's divisor rules.
Tensor avg_pool_reference(const Tensor& x, const Pool& p, bool include_pad,
                          std::optional<int64_t> divisor) {
  const std::vector<double> xv = values(x);
  const int64_t NC = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const int64_t OH = pool_out(H, p.kh, p.sh, p.ph, 1, p.ceil);
  const int64_t OW = pool_out(W, p.kw, p.sw, p.pw, 1, p.ceil);
  std::vector<double> out;
  for (int64_t q = 0; q < NC; ++q)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        double sum = 0;
        int64_t inside = 0, padded = 0;
        for (int64_t i = 0; i < p.kh; ++i)
          for (int64_t j = 0; j < p.kw; ++j) {
            const int64_t iy = oy * p.sh - p.ph + i, ix = ox * p.sw - p.pw + j;
            // Positions in the padded input (the padding counts, the overhang of ceil_mode
            // does not).
            if (iy < H + p.ph && ix < W + p.pw) ++padded;
            if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
              sum += xv[(q * H + iy) * W + ix];
              ++inside;
            }
          }
        const double d = divisor ? static_cast<double>(*divisor)
                                 : static_cast<double>(include_pad ? padded : inside);
        out.push_back(sum / d);
      }
  return from_values({x.size(0), x.size(1), OH, OW}, out);
}

void avg_pool_case(const char* variant, Shape xs, Pool p, bool include_pad,
                   std::optional<int64_t> divisor) {
  register_case({.op = "avg_pool2d",
                 .variant = variant,
                 .inputs = [=] { return variable_list{leaf(xs, 12)}; },
                 .fn =
                     [=](const variable_list& in) {
                       return variable_list{avg_pool2d(in[0], {p.kh, p.kw}, {p.sh, p.sw},
                                                       {p.ph, p.pw}, p.ceil, include_pad, divisor)};
                     },
                 .reference =
                     [=](const variable_list& in) {
                       return variable_list{avg_pool_reference(in[0], p, include_pad, divisor)};
                     }});
}

Tensor adaptive_reference(const Tensor& x, int64_t OH, int64_t OW) {
  const std::vector<double> xv = values(x);
  const int64_t NC = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  std::vector<double> out;
  for (int64_t q = 0; q < NC; ++q)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        const int64_t y0 = static_cast<int64_t>(std::floor(double(oy) * H / OH));
        const int64_t y1 = static_cast<int64_t>(std::ceil(double(oy + 1) * H / OH));
        const int64_t x0 = static_cast<int64_t>(std::floor(double(ox) * W / OW));
        const int64_t x1 = static_cast<int64_t>(std::ceil(double(ox + 1) * W / OW));
        double sum = 0;
        for (int64_t y = y0; y < y1; ++y)
          for (int64_t xx = x0; xx < x1; ++xx) sum += xv[(q * H + y) * W + xx];
        out.push_back(sum / static_cast<double>((y1 - y0) * (x1 - x0)));
      }
  return from_values({x.size(0), x.size(1), OH, OW}, out);
}

const bool pool_cases = [] {
  max_pool_case("k2_s2", {2, 2, 4, 6}, {2, 2, 2, 2});
  max_pool_case("overlapping_k3_s1", {1, 2, 5, 4}, {3, 3, 1, 1});
  max_pool_case(
      "padding_dilation_ceil", {1, 2, 7, 8},
      {.kh = 3, .kw = 2, .sh = 2, .sw = 3, .ph = 1, .pw = 1, .dh = 2, .dw = 1, .ceil = true});
  avg_pool_case("k2_s2", {2, 2, 4, 6}, {2, 2, 2, 2}, true, std::nullopt);
  avg_pool_case("padding_ceil_include_pad", {1, 2, 5, 6},
                {.kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1, .ceil = true}, true,
                std::nullopt);
  avg_pool_case("padding_exclude_pad", {1, 2, 5, 6},
                {.kh = 3, .kw = 2, .sh = 2, .sw = 1, .ph = 1, .pw = 1, .ceil = true}, false,
                std::nullopt);
  avg_pool_case("divisor_override", {1, 3, 4, 5}, {2, 3, 1, 2}, true, 5);
  TG_OP_CASE(
      {.op = "adaptive_avg_pool2d",
       .variant = "5x7_to_3x4",
       .inputs =
           [] {
             return variable_list{leaf({2, 2, 5, 7}, 13)};
           },
       .fn =
           [](const variable_list& in) {
             return variable_list{adaptive_avg_pool2d(in[0], {3, 4})};
           },
       .reference =
           [](const variable_list& in) { return variable_list{adaptive_reference(in[0], 3, 4)}; }});
  TG_OP_CASE({.op = "adaptive_avg_pool2d",
              .variant = "unbatched_upsample",
              .inputs =
                  [] {
                    return variable_list{leaf({2, 3, 2}, 14)};
                  },
              .fn =
                  [](const variable_list& in) {
                    return variable_list{adaptive_avg_pool2d(in[0], {4, 3})};
                  },
              .reference =
                  [](const variable_list& in) {
                    Tensor r = adaptive_reference(in[0].unsqueeze(0).detach(), 4, 3);
                    return variable_list{r.view({2, 4, 3})};
                  }});
  return true;
}();

// ---- batch_norm ----

/// Reference: per channel, normalise with the batch's (or the given) mean and biased variance.
Tensor batch_norm_reference(const Tensor& x, const Tensor& w, const Tensor& b,
                            const Tensor& mean_in, const Tensor& var_in, double eps) {
  const std::vector<double> xv = values(x);
  const int64_t N = x.size(0), C = x.size(1), S = x.numel() / (N * C);
  std::vector<double> out(xv.size());
  for (int64_t c = 0; c < C; ++c) {
    double mean = 0, var = 0;
    if (mean_in.defined()) {
      mean = values(mean_in)[c];
      var = values(var_in)[c];
    } else {
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) mean += xv[(n * C + c) * S + s];
      mean /= static_cast<double>(N * S);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) var += std::pow(xv[(n * C + c) * S + s] - mean, 2);
      var /= static_cast<double>(N * S);
    }
    const double scale = w.defined() ? values(w)[c] : 1.0, shift = b.defined() ? values(b)[c] : 0.0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t k = (n * C + c) * S + s;
        out[k] = (xv[k] - mean) / std::sqrt(var + eps) * scale + shift;
      }
  }
  return from_values(x.sizes().vec(), out);
}

const bool batch_norm_cases = [] {
  TG_OP_CASE({.op = "batch_norm",
              .variant = "training_4d",
              .inputs =
                  [] {
                    return variable_list{leaf({3, 2, 2, 3}, 21), leaf({2}, 22, 0.5, 1.5),
                                         leaf({2}, 23), zeros({2}, kDouble), ones({2}, kDouble)};
                  },
              .fn =
                  [](const variable_list& in) {
                    return variable_list{
                        batch_norm(in[0], in[1], in[2], in[3], in[4], true, 0.1, 1e-5)};
                  },
              .reference =
                  [](const variable_list& in) {
                    return variable_list{
                        batch_norm_reference(in[0], in[1], in[2], Tensor(), Tensor(), 1e-5)};
                  }});
  TG_OP_CASE({.op = "batch_norm",
              .variant = "training_2d_no_affine",
              .inputs =
                  [] {
                    return variable_list{leaf({5, 3}, 24)};
                  },
              .fn =
                  [](const variable_list& in) {
                    return variable_list{
                        batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-3)};
                  },
              .reference =
                  [](const variable_list& in) {
                    return variable_list{
                        batch_norm_reference(in[0], Tensor(), Tensor(), Tensor(), Tensor(), 1e-3)};
                  }});
  TG_OP_CASE(
      {.op = "batch_norm",
       .variant = "evaluation",
       .inputs =
           [] {
             return variable_list{leaf({2, 3, 2, 2}, 25), leaf({3}, 26), leaf({3}, 27),
                                  leaf({3}, 28, -0.5, 0.5, false), leaf({3}, 29, 0.5, 2.0, false)};
           },
       .fn =
           [](const variable_list& in) {
             return variable_list{batch_norm(in[0], in[1], in[2], in[3], in[4], false, 0.1, 1e-5)};
           },
       .reference =
           [](const variable_list& in) {
             return variable_list{batch_norm_reference(in[0], in[1], in[2], in[3], in[4], 1e-5)};
           }});
  return true;
}();

// ---- dropout and embedding ----

const bool other_cases = [] {
  // The mask is drawn from the global generator; reseeding before each call makes fn a fixed
  // function of its input, as gradcheck needs. The reference draws the same uniforms.
  TG_OP_CASE(
      {.op = "dropout",
       .variant = "seeded_p04",
       .inputs =
           [] {
             return variable_list{leaf({3, 4, 5}, 31)};
           },
       .fn =
           [](const variable_list& in) {
             manual_seed(1234);
             return variable_list{dropout(in[0], 0.4, true)};
           },
       .reference =
           [](const variable_list& in) {
             manual_seed(1234);
             const std::vector<double> u = values(rand({3, 4, 5}, kDouble)), xv = values(in[0]);
             std::vector<double> out(xv.size());
             for (size_t k = 0; k < xv.size(); ++k) out[k] = u[k] < 0.6 ? xv[k] / 0.6 : 0.0;
             return variable_list{from_values({3, 4, 5}, out)};
           }});
  TG_OP_CASE({.op = "embedding",
              .variant = "repeated_indices",
              .inputs =
                  [] {
                    Tensor idx = tensor(std::vector<int64_t>{3, 0, 3, 4, 1, 3}).view({2, 3});
                    return variable_list{leaf({5, 4}, 41), idx};
                  },
              .fn = [](const variable_list& in) { return variable_list{embedding(in[0], in[1])}; },
              .reference =
                  [](const variable_list& in) {
                    const std::vector<double> wv = values(in[0]);
                    const int64_t* idx = in[1].data_ptr<int64_t>();
                    std::vector<double> out;
                    for (int64_t i = 0; i < 6; ++i)
                      for (int64_t k = 0; k < 4; ++k) out.push_back(wv[idx[i] * 4 + k]);
                    return variable_list{from_values({2, 3, 4}, out)};
                  }});
  return true;
}();

}  // namespace
}  // namespace tg::testing
