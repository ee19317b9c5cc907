#pragma once
/// Pooling modules, as torch/nn/modules/pooling.h: MaxPool, AvgPool, AdaptiveMaxPool,
/// AdaptiveAvgPool, MaxUnpool and LPPool in 1, 2 and 3 dims (LPPool in 1 and 2).
#include <optional>
#include <tuple>
#include <vector>

#include "tensorgrad/nn/expanding_array.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/pooling.h"

namespace tg::nn {

/// The maximum of each kernel_size window, moving by stride (default: kernel_size).
template <size_t D, class Derived>
class MaxPoolImpl : public detail::OptionsOnlyImpl<Derived, MaxPoolOptions<D>> {
 public:
  using detail::OptionsOnlyImpl<Derived, MaxPoolOptions<D>>::OptionsOnlyImpl;
  MaxPoolImpl(ExpandingArray<D> kernel_size)  // NOLINT: implicit as in libtorch
      : MaxPoolImpl(MaxPoolOptions<D>(kernel_size)) {}
  /// "torch::nn::MaxPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1],
  /// ceil_mode=false)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  /// The values and their flat indices in each sample-channel's spatial volume.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

TG_MODULE_ND(MaxPool1d, MaxPoolImpl, 1);
TG_MODULE_ND(MaxPool2d, MaxPoolImpl, 2);
TG_MODULE_ND(MaxPool3d, MaxPoolImpl, 3);

/// The mean of each kernel_size window, moving by stride (default: kernel_size).
template <size_t D, class Derived>
class AvgPoolImpl : public detail::OptionsOnlyImpl<Derived, AvgPoolOptions<D>> {
 public:
  using detail::OptionsOnlyImpl<Derived, AvgPoolOptions<D>>::OptionsOnlyImpl;
  AvgPoolImpl(ExpandingArray<D> kernel_size)  // NOLINT: implicit as in libtorch
      : AvgPoolImpl(AvgPoolOptions<D>(kernel_size)) {}
  /// "torch::nn::AvgPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0])".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};

TG_MODULE_ND(AvgPool1d, AvgPoolImpl, 1);
TG_MODULE_ND(AvgPool2d, AvgPoolImpl, 2);
TG_MODULE_ND(AvgPool3d, AvgPoolImpl, 3);

/// Max pooling to a fixed output size.
template <size_t D, class output_size_t, class Derived>
class AdaptiveMaxPoolImpl
    : public detail::OptionsOnlyImpl<Derived, AdaptiveMaxPoolOptions<output_size_t>> {
 public:
  using detail::OptionsOnlyImpl<Derived, AdaptiveMaxPoolOptions<output_size_t>>::OptionsOnlyImpl;
  AdaptiveMaxPoolImpl(output_size_t output_size)  // NOLINT: implicit as in libtorch
      : AdaptiveMaxPoolImpl(AdaptiveMaxPoolOptions<output_size_t>(output_size)) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
};

TG_MODULE_ND(AdaptiveMaxPool1d, AdaptiveMaxPoolImpl, 1, ExpandingArray<1>);
TG_MODULE_ND(AdaptiveMaxPool2d, AdaptiveMaxPoolImpl, 2, ExpandingArrayWithOptionalElem<2>);
TG_MODULE_ND(AdaptiveMaxPool3d, AdaptiveMaxPoolImpl, 3, ExpandingArrayWithOptionalElem<3>);

/// Average pooling to a fixed output size, whatever the input's spatial size.
template <size_t D, class output_size_t, class Derived>
class AdaptiveAvgPoolImpl
    : public detail::OptionsOnlyImpl<Derived, AdaptiveAvgPoolOptions<output_size_t>> {
 public:
  using detail::OptionsOnlyImpl<Derived, AdaptiveAvgPoolOptions<output_size_t>>::OptionsOnlyImpl;
  AdaptiveAvgPoolImpl(output_size_t output_size)  // NOLINT: implicit as in libtorch
      : AdaptiveAvgPoolImpl(AdaptiveAvgPoolOptions<output_size_t>(output_size)) {}
  /// "torch::nn::AdaptiveAvgPool2d(output_size=[1, 1])".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};

TG_MODULE_ND(AdaptiveAvgPool1d, AdaptiveAvgPoolImpl, 1, ExpandingArray<1>);
TG_MODULE_ND(AdaptiveAvgPool2d, AdaptiveAvgPoolImpl, 2, ExpandingArrayWithOptionalElem<2>);
TG_MODULE_ND(AdaptiveAvgPool3d, AdaptiveAvgPoolImpl, 3, ExpandingArrayWithOptionalElem<3>);

/// The partial inverse of MaxPool: each value put back at its index, zeros elsewhere.
template <size_t D, class Derived>
class MaxUnpoolImpl : public detail::OptionsOnlyImpl<Derived, MaxUnpoolOptions<D>> {
 public:
  using detail::OptionsOnlyImpl<Derived, MaxUnpoolOptions<D>>::OptionsOnlyImpl;
  MaxUnpoolImpl(ExpandingArray<D> kernel_size)  // NOLINT: implicit as in libtorch
      : MaxUnpoolImpl(MaxUnpoolOptions<D>(kernel_size)) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& indices,
                 const std::optional<std::vector<int64_t>>& output_size = std::nullopt);
};

TG_MODULE_ND(MaxUnpool1d, MaxUnpoolImpl, 1);
TG_MODULE_ND(MaxUnpool2d, MaxUnpoolImpl, 2);
TG_MODULE_ND(MaxUnpool3d, MaxUnpoolImpl, 3);

/// (sum over each window of x^p)^(1/p).
template <size_t D, class Derived>
class LPPoolImpl : public detail::OptionsOnlyImpl<Derived, LPPoolOptions<D>> {
 public:
  using detail::OptionsOnlyImpl<Derived, LPPoolOptions<D>>::OptionsOnlyImpl;
  LPPoolImpl(double norm_type, ExpandingArray<D> kernel_size)
      : LPPoolImpl(LPPoolOptions<D>(norm_type, kernel_size)) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};

TG_MODULE_ND(LPPool1d, LPPoolImpl, 1);
TG_MODULE_ND(LPPool2d, LPPoolImpl, 2);

}  // namespace tg::nn
