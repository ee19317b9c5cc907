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

class MaxPool1dImpl : public MaxPoolImpl<1, MaxPool1dImpl> {
 public:
  using MaxPoolImpl<1, MaxPool1dImpl>::MaxPoolImpl;
};
TG_MODULE(MaxPool1d);

class MaxPool2dImpl : public MaxPoolImpl<2, MaxPool2dImpl> {
 public:
  using MaxPoolImpl<2, MaxPool2dImpl>::MaxPoolImpl;
};
TG_MODULE(MaxPool2d);

class MaxPool3dImpl : public MaxPoolImpl<3, MaxPool3dImpl> {
 public:
  using MaxPoolImpl<3, MaxPool3dImpl>::MaxPoolImpl;
};
TG_MODULE(MaxPool3d);

class AvgPool1dImpl : public AvgPoolImpl<1, AvgPool1dImpl> {
 public:
  using AvgPoolImpl<1, AvgPool1dImpl>::AvgPoolImpl;
};
TG_MODULE(AvgPool1d);

class AvgPool2dImpl : public AvgPoolImpl<2, AvgPool2dImpl> {
 public:
  using AvgPoolImpl<2, AvgPool2dImpl>::AvgPoolImpl;
};
TG_MODULE(AvgPool2d);

class AvgPool3dImpl : public AvgPoolImpl<3, AvgPool3dImpl> {
 public:
  using AvgPoolImpl<3, AvgPool3dImpl>::AvgPoolImpl;
};
TG_MODULE(AvgPool3d);

class AdaptiveMaxPool1dImpl
    : public AdaptiveMaxPoolImpl<1, ExpandingArray<1>, AdaptiveMaxPool1dImpl> {
 public:
  using AdaptiveMaxPoolImpl<1, ExpandingArray<1>, AdaptiveMaxPool1dImpl>::AdaptiveMaxPoolImpl;
};
TG_MODULE(AdaptiveMaxPool1d);

class AdaptiveMaxPool2dImpl
    : public AdaptiveMaxPoolImpl<2, ExpandingArrayWithOptionalElem<2>, AdaptiveMaxPool2dImpl> {
 public:
  using AdaptiveMaxPoolImpl<2, ExpandingArrayWithOptionalElem<2>,
                            AdaptiveMaxPool2dImpl>::AdaptiveMaxPoolImpl;
};
TG_MODULE(AdaptiveMaxPool2d);

class AdaptiveMaxPool3dImpl
    : public AdaptiveMaxPoolImpl<3, ExpandingArrayWithOptionalElem<3>, AdaptiveMaxPool3dImpl> {
 public:
  using AdaptiveMaxPoolImpl<3, ExpandingArrayWithOptionalElem<3>,
                            AdaptiveMaxPool3dImpl>::AdaptiveMaxPoolImpl;
};
TG_MODULE(AdaptiveMaxPool3d);

class AdaptiveAvgPool1dImpl
    : public AdaptiveAvgPoolImpl<1, ExpandingArray<1>, AdaptiveAvgPool1dImpl> {
 public:
  using AdaptiveAvgPoolImpl<1, ExpandingArray<1>, AdaptiveAvgPool1dImpl>::AdaptiveAvgPoolImpl;
};
TG_MODULE(AdaptiveAvgPool1d);

class AdaptiveAvgPool2dImpl
    : public AdaptiveAvgPoolImpl<2, ExpandingArrayWithOptionalElem<2>, AdaptiveAvgPool2dImpl> {
 public:
  using AdaptiveAvgPoolImpl<2, ExpandingArrayWithOptionalElem<2>,
                            AdaptiveAvgPool2dImpl>::AdaptiveAvgPoolImpl;
};
TG_MODULE(AdaptiveAvgPool2d);

class AdaptiveAvgPool3dImpl
    : public AdaptiveAvgPoolImpl<3, ExpandingArrayWithOptionalElem<3>, AdaptiveAvgPool3dImpl> {
 public:
  using AdaptiveAvgPoolImpl<3, ExpandingArrayWithOptionalElem<3>,
                            AdaptiveAvgPool3dImpl>::AdaptiveAvgPoolImpl;
};
TG_MODULE(AdaptiveAvgPool3d);

class MaxUnpool1dImpl : public MaxUnpoolImpl<1, MaxUnpool1dImpl> {
 public:
  using MaxUnpoolImpl<1, MaxUnpool1dImpl>::MaxUnpoolImpl;
};
TG_MODULE(MaxUnpool1d);

class MaxUnpool2dImpl : public MaxUnpoolImpl<2, MaxUnpool2dImpl> {
 public:
  using MaxUnpoolImpl<2, MaxUnpool2dImpl>::MaxUnpoolImpl;
};
TG_MODULE(MaxUnpool2d);

class MaxUnpool3dImpl : public MaxUnpoolImpl<3, MaxUnpool3dImpl> {
 public:
  using MaxUnpoolImpl<3, MaxUnpool3dImpl>::MaxUnpoolImpl;
};
TG_MODULE(MaxUnpool3d);

class LPPool1dImpl : public LPPoolImpl<1, LPPool1dImpl> {
 public:
  using LPPoolImpl<1, LPPool1dImpl>::LPPoolImpl;
};
TG_MODULE(LPPool1d);

class LPPool2dImpl : public LPPoolImpl<2, LPPool2dImpl> {
 public:
  using LPPoolImpl<2, LPPool2dImpl>::LPPoolImpl;
};
TG_MODULE(LPPool2d);

}  // namespace tg::nn
