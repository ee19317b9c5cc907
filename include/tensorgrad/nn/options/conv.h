#pragma once
/// Options for convolutions, as libtorch's torch/nn/options/conv.h: ConvOptions<D> (Conv1d/2d/3d),
/// ConvTransposeOptions<D> and the functional ConvFuncOptions<D> / ConvTransposeFuncOptions<D>.
#include <cstdint>
#include <initializer_list>
#include <variant>

#include "tensorgrad/enum.h"
#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/expanding_array.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

namespace detail {
/// How a convolution module pads: with zeros (inside the convolution), or by F::pad's modes.
typedef std::variant<enumtype::kZeros, enumtype::kReflect, enumtype::kReplicate,
                     enumtype::kCircular>
    conv_padding_mode_t;
/// Explicit padding per spatial dim, or kValid (none) / kSame (output as large as the input).
template <size_t D>
using conv_padding_t = std::variant<ExpandingArray<D>, enumtype::kValid, enumtype::kSame>;

/// The fields of every convolution module's options (ConvOptions, ConvTransposeOptions and the
/// ConvNdOptions the module keeps); setters return the `Options` deriving from it.
template <class Options, size_t D>
struct ConvModuleOptions {
  using padding_mode_t = conv_padding_mode_t;

  ConvModuleOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels),
        out_channels_(out_channels),
        kernel_size_(std::move(kernel_size)) {}

  /// Channels of the input.
  TG_SHARED_ARG(Options, int64_t, in_channels);
  /// Channels of the output.
  TG_SHARED_ARG(Options, int64_t, out_channels);
  /// Size of the kernel: one number for every spatial dim, or one per dim.
  TG_SHARED_ARG(Options, ExpandingArray<D>, kernel_size);
  /// Step between windows.
  TG_SHARED_ARG(Options, ExpandingArray<D>, stride) = 1;
  /// Spacing between kernel elements.
  TG_SHARED_ARG(Options, ExpandingArray<D>, dilation) = 1;
  /// Channel groups: input and output channels split into `groups` independent convolutions.
  TG_SHARED_ARG(Options, int64_t, groups) = 1;
  /// Whether the module learns an additive bias.
  TG_SHARED_ARG(Options, bool, bias) = true;
  /// torch::kZeros, kReflect, kReplicate or kCircular (transposed convolutions: kZeros only).
  TG_SHARED_ARG(Options, padding_mode_t, padding_mode) = kZeros;
};

/// The padding of a (non-transposed) convolution: per spatial dim on both sides, or
/// torch::kValid / torch::kSame. A braced list is an explicit padding, as in libtorch.
template <class Options, size_t D>
struct ConvPaddingOption {
  using padding_t = conv_padding_t<D>;
  TG_SHARED_ARG(Options, padding_t, padding) = 0;

 public:
  Options& padding(std::initializer_list<int64_t> il) { return padding(IntArrayRef{il}); }
};

/// What every convolution module keeps: the union of ConvOptions and ConvTransposeOptions.
template <size_t D>
struct ConvNdOptions : ConvModuleOptions<ConvNdOptions<D>, D>,
                       ConvPaddingOption<ConvNdOptions<D>, D> {
  using ConvModuleOptions<ConvNdOptions, D>::ConvModuleOptions;
  /// Whether the module is a transposed convolution.
  TG_ARG(bool, transposed) = false;
  TG_ARG(ExpandingArray<D>, output_padding) = 0;
};
}  // namespace detail

/// Options for a convolution module: Conv2dOptions(in, out, kernel_size).stride(1).padding(0)
/// .dilation(1).groups(1).bias(true).padding_mode(torch::kZeros).
template <size_t D>
struct ConvOptions : detail::ConvModuleOptions<ConvOptions<D>, D>,
                     detail::ConvPaddingOption<ConvOptions<D>, D> {
  using detail::ConvModuleOptions<ConvOptions, D>::ConvModuleOptions;
};

using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;
using Conv3dOptions = ConvOptions<3>;

/// Options for a transposed convolution module.
template <size_t D>
struct ConvTransposeOptions : detail::ConvModuleOptions<ConvTransposeOptions<D>, D> {
  using detail::ConvModuleOptions<ConvTransposeOptions, D>::ConvModuleOptions;
  /// dilation (kernel_size - 1) - padding zeros are added on both sides of the input.
  TG_ARG(ExpandingArray<D>, padding) = 0;
  /// Extra size added on one side of each output dim.
  TG_ARG(ExpandingArray<D>, output_padding) = 0;
};

using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;
using ConvTranspose3dOptions = ConvTransposeOptions<3>;

namespace functional {

/// Options for functional::conv1d/2d/3d: bias, stride, padding, dilation, groups.
template <size_t D>
struct ConvFuncOptions : nn::detail::ConvPaddingOption<ConvFuncOptions<D>, D> {
  /// Optional bias [out_channels].
  TG_ARG(Tensor, bias) = Tensor();
  TG_ARG(ExpandingArray<D>, stride) = 1;
  TG_ARG(ExpandingArray<D>, dilation) = 1;
  TG_ARG(int64_t, groups) = 1;
};

using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;
using Conv3dFuncOptions = ConvFuncOptions<3>;

/// Options for functional::conv_transpose1d/2d/3d.
template <size_t D>
struct ConvTransposeFuncOptions {
  TG_ARG(Tensor, bias) = Tensor();
  TG_ARG(ExpandingArray<D>, stride) = 1;
  TG_ARG(ExpandingArray<D>, padding) = 0;
  TG_ARG(ExpandingArray<D>, output_padding) = 0;
  TG_ARG(int64_t, groups) = 1;
  TG_ARG(ExpandingArray<D>, dilation) = 1;
};

using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;
using ConvTranspose3dFuncOptions = ConvTransposeFuncOptions<3>;

}  // namespace functional
}  // namespace tg::nn
