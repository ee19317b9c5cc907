#pragma once
/// Options for pooling, as libtorch's torch/nn/options/pooling.h: max, average, adaptive
/// (max and average), max unpooling and LP pooling in 1, 2 and 3 dims, and their functional
/// aliases.
#include <cstdint>
#include <optional>
#include <vector>

#include "tensorgrad/enum.h"
#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/expanding_array.h"

namespace tg::nn {

namespace detail {
/// The window of average, max and unpooling: kernel_size, stride (default: kernel_size) and
/// padding (default 0). Setters return the `Options` deriving from it.
template <class Options, size_t D>
struct PoolingWindowOptions {
  PoolingWindowOptions(ExpandingArray<D> kernel_size)  // NOLINT: implicit as in libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}

  /// Size of the window.
  TG_SHARED_ARG(Options, ExpandingArray<D>, kernel_size);
  /// Step between windows (default: kernel_size).
  TG_SHARED_ARG(Options, ExpandingArray<D>, stride);
  /// Implicit padding on both sides (at most half the kernel size): zeros for average pooling,
  /// -infinity for max pooling.
  TG_SHARED_ARG(Options, ExpandingArray<D>, padding) = 0;
};
}  // namespace detail

/// Options for average pooling; stride defaults to kernel_size.
template <size_t D>
struct AvgPoolOptions : detail::PoolingWindowOptions<AvgPoolOptions<D>, D> {
  using detail::PoolingWindowOptions<AvgPoolOptions, D>::PoolingWindowOptions;
  /// Round the output size up instead of down.
  TG_ARG(bool, ceil_mode) = false;
  /// Count the padding zeros in the divisor.
  TG_ARG(bool, count_include_pad) = true;
  /// Divide every window's sum by this instead of its size.
  TG_ARG(std::optional<int64_t>, divisor_override) = std::nullopt;
};

using AvgPool1dOptions = AvgPoolOptions<1>;
using AvgPool2dOptions = AvgPoolOptions<2>;
using AvgPool3dOptions = AvgPoolOptions<3>;

/// Options for max pooling; stride defaults to kernel_size.
template <size_t D>
struct MaxPoolOptions : detail::PoolingWindowOptions<MaxPoolOptions<D>, D> {
  using detail::PoolingWindowOptions<MaxPoolOptions, D>::PoolingWindowOptions;
  /// Spacing between window elements.
  TG_ARG(ExpandingArray<D>, dilation) = 1;
  /// Round the output size up instead of down.
  TG_ARG(bool, ceil_mode) = false;
};

using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;
using MaxPool3dOptions = MaxPoolOptions<3>;

namespace detail {
/// The options of adaptive max and average pooling: the output size (an empty entry keeps the
/// input's). `Mode` (enumtype::kMax or kMean) only keeps the two option types apart.
template <typename output_size_t, class Mode>
struct AdaptivePoolOptions {
  AdaptivePoolOptions(output_size_t output_size)  // NOLINT: implicit as in libtorch
      : output_size_(output_size) {}

  /// The size of the output's spatial dims.
  TG_ARG(output_size_t, output_size);
};
}  // namespace detail

/// Options for adaptive max pooling.
template <typename output_size_t>
using AdaptiveMaxPoolOptions = detail::AdaptivePoolOptions<output_size_t, enumtype::kMax>;
using AdaptiveMaxPool1dOptions = AdaptiveMaxPoolOptions<ExpandingArray<1>>;
using AdaptiveMaxPool2dOptions = AdaptiveMaxPoolOptions<ExpandingArrayWithOptionalElem<2>>;
using AdaptiveMaxPool3dOptions = AdaptiveMaxPoolOptions<ExpandingArrayWithOptionalElem<3>>;

/// Options for adaptive average pooling.
template <typename output_size_t>
using AdaptiveAvgPoolOptions = detail::AdaptivePoolOptions<output_size_t, enumtype::kMean>;
using AdaptiveAvgPool1dOptions = AdaptiveAvgPoolOptions<ExpandingArray<1>>;
using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<2>>;
using AdaptiveAvgPool3dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<3>>;

/// Options for max unpooling (the kernel, stride and padding of the pooling it inverts).
template <size_t D>
struct MaxUnpoolOptions : detail::PoolingWindowOptions<MaxUnpoolOptions<D>, D> {
  using detail::PoolingWindowOptions<MaxUnpoolOptions, D>::PoolingWindowOptions;
};

using MaxUnpool1dOptions = MaxUnpoolOptions<1>;
using MaxUnpool2dOptions = MaxUnpoolOptions<2>;
using MaxUnpool3dOptions = MaxUnpoolOptions<3>;

/// Options for power-average pooling: (sum of x^p over the window)^(1/p).
template <size_t D>
struct LPPoolOptions {
  LPPoolOptions(double norm_type, ExpandingArray<D> kernel_size)
      : norm_type_(norm_type), kernel_size_(kernel_size), stride_(kernel_size) {}
  TG_ARG(double, norm_type);
  TG_ARG(ExpandingArray<D>, kernel_size);
  TG_ARG(ExpandingArray<D>, stride);
  TG_ARG(bool, ceil_mode) = false;
};

using LPPool1dOptions = LPPoolOptions<1>;
using LPPool2dOptions = LPPoolOptions<2>;
using LPPool3dOptions = LPPoolOptions<3>;

namespace functional {
using AvgPool1dFuncOptions = AvgPool1dOptions;
using AvgPool2dFuncOptions = AvgPool2dOptions;
using AvgPool3dFuncOptions = AvgPool3dOptions;
using MaxPool1dFuncOptions = MaxPool1dOptions;
using MaxPool2dFuncOptions = MaxPool2dOptions;
using MaxPool3dFuncOptions = MaxPool3dOptions;
using AdaptiveMaxPool1dFuncOptions = AdaptiveMaxPool1dOptions;
using AdaptiveMaxPool2dFuncOptions = AdaptiveMaxPool2dOptions;
using AdaptiveMaxPool3dFuncOptions = AdaptiveMaxPool3dOptions;
using AdaptiveAvgPool1dFuncOptions = AdaptiveAvgPool1dOptions;
using AdaptiveAvgPool2dFuncOptions = AdaptiveAvgPool2dOptions;
using AdaptiveAvgPool3dFuncOptions = AdaptiveAvgPool3dOptions;
using LPPool1dFuncOptions = LPPool1dOptions;
using LPPool2dFuncOptions = LPPool2dOptions;
using LPPool3dFuncOptions = LPPool3dOptions;

/// F::max_unpool{1,2,3}d: also the output size wanted (default: as the pooling's input).
template <size_t D>
struct MaxUnpoolFuncOptions : nn::detail::PoolingWindowOptions<MaxUnpoolFuncOptions<D>, D> {
  using nn::detail::PoolingWindowOptions<MaxUnpoolFuncOptions, D>::PoolingWindowOptions;
  TG_ARG(std::optional<std::vector<int64_t>>, output_size) = std::nullopt;
};

using MaxUnpool1dFuncOptions = MaxUnpoolFuncOptions<1>;
using MaxUnpool2dFuncOptions = MaxUnpoolFuncOptions<2>;
using MaxUnpool3dFuncOptions = MaxUnpoolFuncOptions<3>;
}  // namespace functional

}  // namespace tg::nn
