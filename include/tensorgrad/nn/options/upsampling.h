#pragma once
/// Options for Upsample, F::interpolate, PixelShuffle and PixelUnshuffle, as libtorch's
/// torch/nn/options/upsampling.h and pixelshuffle.h.
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "tensorgrad/enum.h"
#include "tensorgrad/nn/arg.h"

namespace tg::nn {

/// Upsample: the output size or the scale factor per spatial dim, and the mode.
struct UpsampleOptions {
  TG_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  TG_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  typedef std::variant<enumtype::kNearest, enumtype::kLinear, enumtype::kBilinear,
                       enumtype::kBicubic, enumtype::kTrilinear>
      mode_t;
  TG_ARG(mode_t, mode) = kNearest;
  /// For the linear modes and bicubic: whether the corner pixels of input and output align.
  TG_ARG(std::optional<bool>, align_corners) = std::nullopt;
};

/// PixelShuffle(upscale_factor).
struct PixelShuffleOptions {
  PixelShuffleOptions(int64_t upscale_factor) : upscale_factor_(upscale_factor) {}  // NOLINT
  TG_ARG(int64_t, upscale_factor);
};

/// PixelUnshuffle(downscale_factor).
struct PixelUnshuffleOptions {
  /* implicit */ PixelUnshuffleOptions(int64_t downscale_factor)  // NOLINT
      : downscale_factor_(downscale_factor) {}
  TG_ARG(int64_t, downscale_factor);
};

namespace functional {

/// F::interpolate: size or scale_factor, the mode (also kArea and kNearestExact), align_corners,
/// recompute_scale_factor (compute the scale from the output size instead of using the factor).
struct InterpolateFuncOptions {
  typedef std::variant<enumtype::kNearest, enumtype::kLinear, enumtype::kBilinear,
                       enumtype::kBicubic, enumtype::kTrilinear, enumtype::kArea,
                       enumtype::kNearestExact>
      mode_t;
  TG_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  TG_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  TG_ARG(mode_t, mode) = kNearest;
  TG_ARG(std::optional<bool>, align_corners) = std::nullopt;
  TG_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
  /// Not supported (throws when true).
  TG_ARG(bool, antialias) = false;
};

using PixelShuffleFuncOptions = PixelShuffleOptions;
using PixelUnshuffleFuncOptions = PixelUnshuffleOptions;

}  // namespace functional
}  // namespace tg::nn
