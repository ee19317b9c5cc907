#pragma once
/// Upsample, PixelShuffle and PixelUnshuffle, as torch/nn/modules/upsampling.h and
/// pixelshuffle.h.
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/upsampling.h"

namespace tg::nn {

/// F::interpolate with the module's size or scale factor and mode.
class UpsampleImpl : public detail::OptionsOnlyImpl<UpsampleImpl, UpsampleOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  /// "torch::nn::Upsample(scale_factor=[2, 2], mode=kBilinear)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(Upsample);

/// Rearranges [*, C r^2, H, W] into [*, C, H r, W r].
class PixelShuffleImpl : public detail::OptionsOnlyImpl<PixelShuffleImpl, PixelShuffleOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(PixelShuffle);

/// Rearranges [*, C, H r, W r] into [*, C r^2, H, W].
class PixelUnshuffleImpl
    : public detail::OptionsOnlyImpl<PixelUnshuffleImpl, PixelUnshuffleOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(PixelUnshuffle);

}  // namespace tg::nn
