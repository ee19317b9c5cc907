#pragma once
/// Conv2d, as torch/nn/modules/conv.h.
#include <cstdint>
#include <ostream>

#include "tensorgrad/nn/expanding_array.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/conv.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// 2-D convolution over [N, C_in, H, W] (or unbatched [C_in, H, W]) with weight
/// [C_out, C_in / groups, kH, kW] and bias [C_out], initialised as libtorch does
/// (kaiming_uniform_ with a = sqrt(5): U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
/// fan_in = C_in / groups * kH * kW; the same bound for the bias).
class Conv2dImpl : public Cloneable<Conv2dImpl> {
 public:
  Conv2dImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(input_channels, output_channels, kernel_size)) {}
  explicit Conv2dImpl(Conv2dOptions options_);

  void reset() override;
  /// Draws new weights (and bias) from the default distribution.
  void reset_parameters();
  /// "torch::nn::Conv2d(1, 32, kernel_size=[3, 3], stride=[1, 1], padding=[1, 1])".
  void pretty_print(std::ostream& stream) const override;
  /// [N, C_in, H, W] -> [N, C_out, H_out, W_out] (or the same without N).
  Tensor forward(const Tensor& input);

  Conv2dOptions options;
  /// [out_channels, in_channels / groups, kH, kW].
  Tensor weight;
  /// [out_channels], or undefined when options.bias() is false.
  Tensor bias;
};
TG_MODULE(Conv2d);

}  // namespace tg::nn
