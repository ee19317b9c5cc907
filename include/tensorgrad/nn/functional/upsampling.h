#pragma once
/// torch::nn::functional::interpolate, pixel_shuffle and pixel_unshuffle.
#include "tensorgrad/nn/options/upsampling.h"
#include "tensorgrad/tensor.h"

namespace tg {
/// [*, C r^2, H, W] -> [*, C, H r, W r].
Tensor pixel_shuffle(const Tensor& self, int64_t upscale_factor);
/// [*, C, H r, W r] -> [*, C r^2, H, W].
Tensor pixel_unshuffle(const Tensor& self, int64_t downscale_factor);
}  // namespace tg

namespace tg::nn::functional {

/// Resamples the spatial dims (all but the first two) of input: nearest, nearest-exact, linear
/// (1 spatial dim), bilinear (2), trilinear (3), bicubic (2) or area (adaptive average).
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

inline Tensor pixel_shuffle(const Tensor& input, const PixelShuffleFuncOptions& options) {
  return ::tg::pixel_shuffle(input, options.upscale_factor());
}
inline Tensor pixel_unshuffle(const Tensor& input, const PixelUnshuffleFuncOptions& options) {
  return ::tg::pixel_unshuffle(input, options.downscale_factor());
}

}  // namespace tg::nn::functional
