// interpolate, pixel_shuffle and pixel_unshuffle, and the modules over them.
//
// Note [Separable interpolation]
// Every mode but area resamples each spatial dim on its own: an output position o of a dim reads
// a few input positions (1 for nearest, 2 for linear, 4 for bicubic) with weights that depend on
// o only. So interpolation is, dim after dim, a sum over taps k of
// index_select(dim, index_k) * weight_k, which is differentiable, and bilinear / trilinear /
// bicubic are the 1-D rules applied along each dim in turn.
#include "tensorgrad/nn/functional/upsampling.h"

#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/nn/modules/upsampling.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

void check_shuffle(const Tensor& self, int64_t factor, const char* op, const char* name) {
  TG_CHECK(self.defined(), op, ": the input is undefined");
  TG_CHECK(self.dim() >= 3, op, ": expected input to have at least 3 dimensions, but got input ",
           "with ", self.dim(), " dimension(s)");
  TG_CHECK(factor > 0, op, ": ", name, " must be greater than 0, but got ", factor);
}

/// Flattens the dims before the last three into one: [B, C, H, W].
Tensor as_4d(const Tensor& self) {
  return self.reshape({-1, self.size(-3), self.size(-2), self.size(-1)});
}

DimVector leading(const Tensor& self) {
  DimVector out;
  for (int64_t d = 0; d + 3 < self.dim(); ++d) out.push_back(self.size(d));
  return out;
}

}  // namespace

Tensor pixel_shuffle(const Tensor& self, int64_t r) {
  check_shuffle(self, r, "pixel_shuffle", "upscale_factor");
  const int64_t c = self.size(-3), h = self.size(-2), w = self.size(-1);
  TG_CHECK(c % (r * r) == 0,
           "pixel_shuffle expects its input's 'channel' dimension to be "
           "divisible by the square of upscale_factor, but input.size(-3)=",
           c, " is not divisible by ", r * r);
  const int64_t oc = c / (r * r);
  const Tensor x = as_4d(self);
  const int64_t b = x.size(0);
  Tensor out =
      x.reshape({b, oc, r, r, h, w}).permute({0, 1, 4, 2, 5, 3}).reshape({b, oc, h * r, w * r});
  DimVector shape = leading(self);
  shape.push_back(oc);
  shape.push_back(h * r);
  shape.push_back(w * r);
  return out.reshape(shape);
}

Tensor pixel_unshuffle(const Tensor& self, int64_t r) {
  check_shuffle(self, r, "pixel_unshuffle", "downscale_factor");
  const int64_t c = self.size(-3), h = self.size(-2), w = self.size(-1);
  TG_CHECK(h % r == 0,
           "pixel_unshuffle expects height to be divisible by downscale_factor, but "
           "input.size(-2)=",
           h, " is not divisible by ", r);
  TG_CHECK(w % r == 0,
           "pixel_unshuffle expects width to be divisible by downscale_factor, but "
           "input.size(-1)=",
           w, " is not divisible by ", r);
  const Tensor x = as_4d(self);
  const int64_t b = x.size(0);
  Tensor out = x.reshape({b, c, h / r, r, w / r, r})
                   .permute({0, 1, 3, 5, 2, 4})
                   .reshape({b, c * r * r, h / r, w / r});
  DimVector shape = leading(self);
  shape.push_back(c * r * r);
  shape.push_back(h / r);
  shape.push_back(w / r);
  return out.reshape(shape);
}

namespace nn::functional {
namespace {

enum class Mode { Nearest, NearestExact, Linear, Bilinear, Bicubic, Trilinear, Area };

Mode mode_of(const InterpolateFuncOptions::mode_t& m) {
  if (std::holds_alternative<enumtype::kNearest>(m)) return Mode::Nearest;
  if (std::holds_alternative<enumtype::kNearestExact>(m)) return Mode::NearestExact;
  if (std::holds_alternative<enumtype::kLinear>(m)) return Mode::Linear;
  if (std::holds_alternative<enumtype::kBilinear>(m)) return Mode::Bilinear;
  if (std::holds_alternative<enumtype::kBicubic>(m)) return Mode::Bicubic;
  if (std::holds_alternative<enumtype::kTrilinear>(m)) return Mode::Trilinear;
  return Mode::Area;
}

/// One dim's taps: for each tap, the source index and weight of every output position.
struct Taps {
  std::vector<std::vector<int64_t>> index;
  std::vector<std::vector<double>> weight;
};

double cubic_near(double x, double a) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
double cubic_far(double x, double a) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; }

Taps taps_for(Mode mode, int64_t in, int64_t out, std::optional<double> scale, bool align_corners) {
  Taps t;
  const int64_t n =
      mode == Mode::Bicubic ? 4 : (mode == Mode::Nearest || mode == Mode::NearestExact ? 1 : 2);
  t.index.assign(static_cast<size_t>(n), std::vector<int64_t>(static_cast<size_t>(out)));
  t.weight.assign(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(out)));
  // The step between output positions in input coordinates.
  const double nearest_scale =
      (scale && *scale > 0) ? 1.0 / *scale : static_cast<double>(in) / static_cast<double>(out);
  double step;
  if (align_corners)
    step = out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  else
    step = nearest_scale;
  for (int64_t o = 0; o < out; ++o) {
    const size_t u = static_cast<size_t>(o);
    const double od = static_cast<double>(o);
    if (mode == Mode::Nearest || mode == Mode::NearestExact) {
      const double src = mode == Mode::Nearest ? std::floor(od * nearest_scale)
                                               : std::floor((od + 0.5) * nearest_scale);
      t.index[0][u] = std::min(static_cast<int64_t>(src), in - 1);
      t.weight[0][u] = 1.0;
      continue;
    }
    double src = align_corners ? step * od : step * (od + 0.5) - 0.5;
    if (mode != Mode::Bicubic) {
      if (src < 0) src = 0;
      const int64_t i0 = static_cast<int64_t>(src);
      const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
      const double l1 = src - static_cast<double>(i0);
      t.index[0][u] = i0;
      t.index[1][u] = i1;
      t.weight[0][u] = 1.0 - l1;
      t.weight[1][u] = l1;
    } else {
      const double fl = std::floor(src);
      const int64_t i = static_cast<int64_t>(fl);
      const double f = src - fl;
      const double a = -0.75;
      const double w[4] = {cubic_far(f + 1, a), cubic_near(f, a), cubic_near(1 - f, a),
                           cubic_far(2 - f, a)};
      for (int k = 0; k < 4; ++k) {
        t.index[static_cast<size_t>(k)][u] = std::min(std::max<int64_t>(i - 1 + k, 0), in - 1);
        t.weight[static_cast<size_t>(k)][u] = w[k];
      }
    }
  }
  return t;
}

/// Resamples dim `dim` of x to `out` positions.
Tensor resample(const Tensor& x, int64_t dim, int64_t out, Mode mode, std::optional<double> scale,
                bool align_corners) {
  const Taps t = taps_for(mode, x.size(dim), out, scale, align_corners);
  DimVector shape(static_cast<size_t>(x.dim()), 1);
  shape[static_cast<size_t>(dim)] = out;
  Tensor sum;
  for (size_t k = 0; k < t.index.size(); ++k) {
    const Tensor picked = x.index_select(dim, tensor(t.index[k], kLong));
    const Tensor term = (mode == Mode::Nearest || mode == Mode::NearestExact)
                            ? picked
                            : picked * tensor(t.weight[k], kDouble).to(x.dtype()).reshape(shape);
    sum = sum.defined() ? sum + term : term;
  }
  return sum;
}

const char* mode_name(Mode m) {
  // In the enum's order.
  constexpr const char* kNames[] = {"nearest", "nearest-exact", "linear", "bilinear",
                                    "bicubic", "trilinear",     "area"};
  return kNames[static_cast<int>(m)];
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options) {
  TG_CHECK(input.defined(), "interpolate: the input is undefined");
  TG_CHECK(input.dim() >= 3 && input.dim() <= 5,
           "Input Error: Only 3D, 4D and 5D input Tensors "
           "supported (got ",
           input.dim(),
           "D) for the modes: nearest | linear | bilinear | "
           "bicubic | trilinear | area | nearest-exact (got ",
           mode_name(mode_of(options.mode())), ")");
  TG_CHECK(!options.antialias(), "interpolate: antialias=true is not supported");
  const Mode mode = mode_of(options.mode());
  const int64_t spatial = input.dim() - 2;
  const bool interpolating = mode == Mode::Linear || mode == Mode::Bilinear ||
                             mode == Mode::Bicubic || mode == Mode::Trilinear;
  TG_CHECK(interpolating || !options.align_corners(),
           "align_corners option can only be set with the interpolating modes: linear | bilinear "
           "| bicubic | trilinear");
  const int64_t needed = mode == Mode::Linear ? 1 : (mode == Mode::Trilinear ? 3 : 2);
  if (interpolating)
    TG_CHECK(spatial == needed, "Got ", input.dim(), "D input, but ", mode_name(mode),
             " mode needs ", needed + 2, "D input");
  TG_CHECK(!(options.size() && options.scale_factor()),
           "only one of size or scale_factor should be defined");
  TG_CHECK(options.size() || options.scale_factor(),
           "either size or scale_factor should be defined");
  std::vector<int64_t> out(static_cast<size_t>(spatial));
  std::vector<std::optional<double>> scales(static_cast<size_t>(spatial));
  if (options.size()) {
    TG_CHECK(static_cast<int64_t>(options.size()->size()) == spatial,
             "size shape must match input shape. Input is ", spatial, "D, size is ",
             options.size()->size());
    out = *options.size();
  } else {
    const auto& f = *options.scale_factor();
    TG_CHECK(static_cast<int64_t>(f.size()) == spatial,
             "scale_factor shape must match input shape. Input is ", spatial,
             "D, scale_factor size is ", f.size());
    for (int64_t i = 0; i < spatial; ++i) {
      const size_t u = static_cast<size_t>(i);
      out[u] = static_cast<int64_t>(std::floor(static_cast<double>(input.size(2 + i)) * f[u]));
      if (!options.recompute_scale_factor().value_or(false)) scales[u] = f[u];
    }
  }
  for (int64_t o : out)
    TG_CHECK(o > 0, "interpolate: the output size must be positive but got ",
             tg::detail::shape_str(out));
  if (mode == Mode::Area) {
    if (spatial == 1) return tg::adaptive_avg_pool1d(input, out);
    if (spatial == 2) return tg::adaptive_avg_pool2d(input, out);
    return tg::adaptive_avg_pool3d(input, out);
  }
  const bool align = options.align_corners().value_or(false);
  Tensor x = input;
  for (int64_t i = 0; i < spatial; ++i)
    x = resample(x, 2 + i, out[static_cast<size_t>(i)], mode, scales[static_cast<size_t>(i)],
                 align);
  return x;
}

}  // namespace nn::functional

namespace nn {

void UpsampleImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Upsample(";
  if (options.scale_factor()) {
    stream << "scale_factor=[";
    for (size_t i = 0; i < options.scale_factor()->size(); ++i)
      stream << (i ? ", " : "") << (*options.scale_factor())[i];
    stream << "]";
  } else if (options.size()) {
    stream << "size=" << tg::detail::shape_str(*options.size());
  }
  stream << ", mode=" << enumtype::get_enum_name(options.mode()) << ")";
}

Tensor UpsampleImpl::forward(const Tensor& input) {
  functional::InterpolateFuncOptions f;
  f.size(options.size())
      .scale_factor(options.scale_factor())
      .align_corners(options.align_corners());
  std::visit([&](const auto& m) { f.mode(m); }, options.mode());
  return functional::interpolate(input, f);
}

void PixelShuffleImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::PixelShuffle(upscale_factor=" << options.upscale_factor() << ")";
}
Tensor PixelShuffleImpl::forward(const Tensor& input) {
  return tg::pixel_shuffle(input, options.upscale_factor());
}

void PixelUnshuffleImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::PixelUnshuffle(downscale_factor=" << options.downscale_factor() << ")";
}
Tensor PixelUnshuffleImpl::forward(const Tensor& input) {
  return tg::pixel_unshuffle(input, options.downscale_factor());
}

}  // namespace nn
}  // namespace tg
