#pragma once
/// Options for 2-D convolution, as torch::nn::Conv2dOptions and
/// torch::nn::functional::Conv2dFuncOptions.
#include <cstdint>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/expanding_array.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

/// Options for a convolution module: Conv2dOptions(in, out, kernel_size).stride(1).padding(0)
/// .dilation(1).groups(1).bias(true). Padding is explicit (a number per spatial dim).
template <size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels),
        out_channels_(out_channels),
        kernel_size_(std::move(kernel_size)) {}

  /// Channels of the input.
  TG_ARG(int64_t, in_channels);
  /// Channels of the output.
  TG_ARG(int64_t, out_channels);
  /// Size of the kernel: one number for every spatial dim, or one per dim.
  TG_ARG(ExpandingArray<D>, kernel_size);
  /// Step between windows.
  TG_ARG(ExpandingArray<D>, stride) = 1;
  /// Zeros added on both sides of every spatial dim.
  TG_ARG(ExpandingArray<D>, padding) = 0;
  /// Spacing between kernel elements.
  TG_ARG(ExpandingArray<D>, dilation) = 1;
  /// Channel groups: input and output channels split into `groups` independent convolutions.
  TG_ARG(int64_t, groups) = 1;
  /// Whether the module learns an additive bias.
  TG_ARG(bool, bias) = true;
};

using Conv2dOptions = ConvOptions<2>;

namespace functional {

/// Options for functional::conv2d: bias, stride, padding, dilation, groups.
template <size_t D>
struct ConvFuncOptions {
  /// Optional bias [out_channels].
  TG_ARG(Tensor, bias) = Tensor();
  TG_ARG(ExpandingArray<D>, stride) = 1;
  TG_ARG(ExpandingArray<D>, padding) = 0;
  TG_ARG(ExpandingArray<D>, dilation) = 1;
  TG_ARG(int64_t, groups) = 1;
};

using Conv2dFuncOptions = ConvFuncOptions<2>;

}  // namespace functional
}  // namespace tg::nn
