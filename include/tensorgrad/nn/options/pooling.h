#pragma once
/// Options for pooling, as torch::nn::{MaxPool2d,AvgPool2d,AdaptiveAvgPool2d}Options and their
/// functional aliases.
#include <cstdint>
#include <optional>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/expanding_array.h"

namespace tg::nn {

/// Options for average pooling; stride defaults to kernel_size.
template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size)  // NOLINT: implicit as in libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}

  /// Size of the window.
  TG_ARG(ExpandingArray<D>, kernel_size);
  /// Step between windows (default: kernel_size).
  TG_ARG(ExpandingArray<D>, stride);
  /// Implicit zeros on both sides (at most half the kernel size).
  TG_ARG(ExpandingArray<D>, padding) = 0;
  /// Round the output size up instead of down.
  TG_ARG(bool, ceil_mode) = false;
  /// Count the padding zeros in the divisor.
  TG_ARG(bool, count_include_pad) = true;
  /// Divide every window's sum by this instead of its size.
  TG_ARG(std::optional<int64_t>, divisor_override) = std::nullopt;
};

using AvgPool2dOptions = AvgPoolOptions<2>;

/// Options for max pooling; stride defaults to kernel_size.
template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size)  // NOLINT: implicit as in libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}

  /// Size of the window.
  TG_ARG(ExpandingArray<D>, kernel_size);
  /// Step between windows (default: kernel_size).
  TG_ARG(ExpandingArray<D>, stride);
  /// Implicit -infinity on both sides (at most half the kernel size).
  TG_ARG(ExpandingArray<D>, padding) = 0;
  /// Spacing between window elements.
  TG_ARG(ExpandingArray<D>, dilation) = 1;
  /// Round the output size up instead of down.
  TG_ARG(bool, ceil_mode) = false;
};

using MaxPool2dOptions = MaxPoolOptions<2>;

/// Options for adaptive average pooling: the output size (an empty entry keeps the input's).
template <typename output_size_t>
struct AdaptiveAvgPoolOptions {
  AdaptiveAvgPoolOptions(output_size_t output_size)  // NOLINT: implicit as in libtorch
      : output_size_(output_size) {}

  /// The size of the output's spatial dims.
  TG_ARG(output_size_t, output_size);
};

using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<2>>;

namespace functional {
using AvgPool2dFuncOptions = AvgPool2dOptions;
using MaxPool2dFuncOptions = MaxPool2dOptions;
using AdaptiveAvgPool2dFuncOptions = AdaptiveAvgPool2dOptions;
}  // namespace functional

}  // namespace tg::nn
