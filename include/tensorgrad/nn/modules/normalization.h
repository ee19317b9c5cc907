#pragma once
/// Normalisation modules, as torch/nn/modules/normalization.h and instancenorm.h: LayerNorm,
/// GroupNorm, LocalResponseNorm, CrossMapLRN2d and InstanceNorm1d/2d/3d.
#include <cstdint>
#include <vector>

#include "tensorgrad/nn/modules/batchnorm.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/normalization.h"

namespace tg::nn {

/// (x - mean) / sqrt(var + eps) over the trailing normalized_shape dims, then the learned
/// elementwise weight (ones) and bias (zeros) when elementwise_affine.
class LayerNormImpl : public Cloneable<LayerNormImpl> {
 public:
  LayerNormImpl(std::vector<int64_t> normalized_shape)  // NOLINT: implicit as in libtorch
      : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  explicit LayerNormImpl(LayerNormOptions options_);
  void reset() override;
  /// weight = 1, bias = 0.
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  LayerNormOptions options;
  Tensor weight;
  Tensor bias;
};
TG_MODULE(LayerNorm);

/// Local response normalisation across neighbouring channels (see
/// functional::local_response_norm).
class LocalResponseNormImpl
    : public detail::OptionsOnlyImpl<LocalResponseNormImpl, LocalResponseNormOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  LocalResponseNormImpl(int64_t size)  // NOLINT: implicit as in libtorch
      : LocalResponseNormImpl(LocalResponseNormOptions(size)) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(LocalResponseNorm);

/// The legacy cross-map local response normalisation of a 4-D input [N, C, H, W].
class CrossMapLRN2dImpl : public detail::OptionsOnlyImpl<CrossMapLRN2dImpl, CrossMapLRN2dOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  CrossMapLRN2dImpl(int64_t size)  // NOLINT: implicit as in libtorch
      : CrossMapLRN2dImpl(CrossMapLRN2dOptions(size)) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(CrossMapLRN2d);

/// Group normalisation with a learned per-channel weight and bias when affine.
class GroupNormImpl : public Cloneable<GroupNormImpl> {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels)
      : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options_);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  GroupNormOptions options;
  Tensor weight;
  Tensor bias;
};
TG_MODULE(GroupNorm);

/// Instance normalisation: each (sample, channel) plane normalised by its own statistics; with
/// track_running_stats the running statistics are kept and used in evaluation.
template <size_t D, class Derived>
class InstanceNormImpl : public NormImplBase<D, Derived, InstanceNormOptions> {
 public:
  using NormImplBase<D, Derived, InstanceNormOptions>::NormImplBase;

  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};

/// InstanceNorm over [N, C, L] (or unbatched [C, L]).
TG_MODULE_ND(InstanceNorm1d, InstanceNormImpl, 1);

/// InstanceNorm over [N, C, H, W] (or unbatched [C, H, W]).
TG_MODULE_ND(InstanceNorm2d, InstanceNormImpl, 2);

/// InstanceNorm over [N, C, D, H, W] (or unbatched [C, D, H, W]).
TG_MODULE_ND(InstanceNorm3d, InstanceNormImpl, 3);

}  // namespace tg::nn
