#pragma once
/// Conv1d/2d/3d and ConvTranspose1d/2d/3d, as torch/nn/modules/conv.h.
#include <cstdint>
#include <optional>
#include <vector>

#include "tensorgrad/nn/expanding_array.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/conv.h"

namespace tg::nn {

/// What the convolution modules share: weight [C_out, C_in / groups, k...] (transposed:
/// [C_in, C_out / groups, k...]) and bias [C_out], initialised as libtorch does (kaiming_uniform_
/// with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the same bound for the bias).
template <size_t D, class Derived>
class ConvNdImpl : public Cloneable<Derived> {
 public:
  explicit ConvNdImpl(detail::ConvNdOptions<D> options_);
  void reset() override;
  /// Draws new weights (and bias) from the default distribution.
  void reset_parameters();
  /// "torch::nn::Conv2d(1, 32, kernel_size=[3, 3], stride=[1, 1], padding=[1, 1])", and
  /// "torch::nn::ConvTranspose2d(...)" for a transposed convolution.
  void pretty_print(std::ostream& stream) const override;

  detail::ConvNdOptions<D> options;
  Tensor weight;
  /// Undefined when options.bias() is false.
  Tensor bias;

 protected:
  /// The F::pad amounts (from the last dim) for a padding_mode other than kZeros.
  std::vector<int64_t> _reversed_padding_repeated_twice;
};

/// Convolution over D spatial dims of [N, C_in, *] (or unbatched [C_in, *]).
template <size_t D, class Derived>
class ConvImpl : public ConvNdImpl<D, Derived> {
 public:
  ConvImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<D> kernel_size)
      : ConvImpl(ConvOptions<D>(input_channels, output_channels, kernel_size)) {}
  explicit ConvImpl(ConvOptions<D> options_);
  /// [N, C_in, *] -> [N, C_out, *out].
  Tensor forward(const Tensor& input);
};

TG_MODULE_ND(Conv1d, ConvImpl, 1);
TG_MODULE_ND(Conv2d, ConvImpl, 2);
TG_MODULE_ND(Conv3d, ConvImpl, 3);

/// Transposed convolution; forward may be given the output size wanted (within the range the
/// stride leaves open), which sets the output padding.
template <size_t D, class Derived>
class ConvTransposeImpl : public ConvNdImpl<D, Derived> {
 public:
  ConvTransposeImpl(int64_t input_channels, int64_t output_channels, ExpandingArray<D> kernel_size)
      : ConvTransposeImpl(ConvTransposeOptions<D>(input_channels, output_channels, kernel_size)) {}
  explicit ConvTransposeImpl(ConvTransposeOptions<D> options_);
  Tensor forward(const Tensor& input,
                 const std::optional<std::vector<int64_t>>& output_size = std::nullopt);

 protected:
  /// The output padding that gives output_size (or options.output_padding()).
  std::vector<int64_t> _output_padding(const Tensor& input,
                                       const std::optional<std::vector<int64_t>>& output_size);
};

TG_MODULE_ND(ConvTranspose1d, ConvTransposeImpl, 1);
TG_MODULE_ND(ConvTranspose2d, ConvTransposeImpl, 2);
TG_MODULE_ND(ConvTranspose3d, ConvTransposeImpl, 3);

}  // namespace tg::nn
