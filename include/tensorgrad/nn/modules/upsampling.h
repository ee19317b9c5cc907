#pragma once
/// Upsample, PixelShuffle and PixelUnshuffle, as torch/nn/modules/upsampling.h and
/// pixelshuffle.h.
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/upsampling.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// F::interpolate with the module's size or scale factor and mode.
class UpsampleImpl : public Cloneable<UpsampleImpl> {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options_ = {}) : options(options_) {}
  void reset() override {}
  /// "torch::nn::Upsample(scale_factor=[2, 2], mode=kBilinear)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  UpsampleOptions options;
};
TG_MODULE(Upsample);

/// Rearranges [*, C r^2, H, W] into [*, C, H r, W r].
class PixelShuffleImpl : public Cloneable<PixelShuffleImpl> {
 public:
  explicit PixelShuffleImpl(const PixelShuffleOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  PixelShuffleOptions options;
};
TG_MODULE(PixelShuffle);

/// Rearranges [*, C, H r, W r] into [*, C r^2, H, W].
class PixelUnshuffleImpl : public Cloneable<PixelUnshuffleImpl> {
 public:
  explicit PixelUnshuffleImpl(const PixelUnshuffleOptions& options_) : options(options_) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  PixelUnshuffleOptions options;
};
TG_MODULE(PixelUnshuffle);

}  // namespace tg::nn
