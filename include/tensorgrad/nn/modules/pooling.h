#pragma once
/// Pooling modules, as torch/nn/modules/pooling.h: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d.
#include <ostream>

#include "tensorgrad/nn/expanding_array.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/pooling.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// The maximum of each kernel_size window, moving by stride (default: kernel_size).
class MaxPool2dImpl : public Cloneable<MaxPool2dImpl> {
 public:
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size)
      : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions& options_);
  void reset() override {}
  /// "torch::nn::MaxPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1],
  /// ceil_mode=false)".
  void pretty_print(std::ostream& stream) const override;
  /// [N, C, H, W] (or [C, H, W]) -> [N, C, H_out, W_out].
  Tensor forward(const Tensor& input);

  MaxPool2dOptions options;
};
TG_MODULE(MaxPool2d);

/// The mean of each kernel_size window, moving by stride (default: kernel_size).
class AvgPool2dImpl : public Cloneable<AvgPool2dImpl> {
 public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size)
      : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions& options_);
  void reset() override {}
  /// "torch::nn::AvgPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0])".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  AvgPool2dOptions options;
};
TG_MODULE(AvgPool2d);

/// Average pooling to a fixed output size, whatever the input's spatial size.
class AdaptiveAvgPool2dImpl : public Cloneable<AdaptiveAvgPool2dImpl> {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options_);
  void reset() override {}
  /// "torch::nn::AdaptiveAvgPool2d(output_size=[1, 1])".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  AdaptiveAvgPool2dOptions options;
};
TG_MODULE(AdaptiveAvgPool2d);

}  // namespace tg::nn
