#pragma once
/// Normalisation modules, as torch/nn/modules/normalization.h and instancenorm.h: LayerNorm,
/// GroupNorm, LocalResponseNorm, CrossMapLRN2d and InstanceNorm1d/2d/3d.
#include <cstdint>
#include <ostream>
#include <vector>

#include "tensorgrad/nn/modules/batchnorm.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/normalization.h"

namespace tg::nn {

namespace detail {

/// The base of LayerNorm and GroupNorm: their options and, when the options ask for the affine
/// transform (elementwise_affine, affine), the learned weight and bias.
template <class Derived, class Options>
class AffineNormImpl : public Cloneable<Derived> {
 public:
  explicit AffineNormImpl(Options options_);
  void reset() override;
  /// weight = 1, bias = 0.
  void reset_parameters();

  Options options;
  Tensor weight;
  Tensor bias;
};

}  // namespace detail

/// (x - mean) / sqrt(var + eps) over the trailing normalized_shape dims, then the learned
/// elementwise weight (ones) and bias (zeros) when elementwise_affine.
class LayerNormImpl : public detail::AffineNormImpl<LayerNormImpl, LayerNormOptions> {
 public:
  using AffineNormImpl::AffineNormImpl;
  LayerNormImpl(std::vector<int64_t> normalized_shape)  // NOLINT: implicit as in libtorch
      : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(LayerNorm);

namespace detail {

/// The base of LocalResponseNorm and CrossMapLRN2d: made from their options or the size alone,
/// they print as "torch::nn::LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1)".
template <class Derived, class Options>
class LRNImplBase : public OptionsOnlyImpl<Derived, Options> {
 public:
  using OptionsOnlyImpl<Derived, Options>::OptionsOnlyImpl;
  LRNImplBase(int64_t size)  // NOLINT: implicit as in libtorch
      : LRNImplBase(Options(size)) {}
  void pretty_print(std::ostream& stream) const override {
    const Options& o = this->options;
    stream << holder_name(torch_type_name<Derived>()) << "(" << o.size() << ", alpha=" << o.alpha()
           << ", beta=" << o.beta() << ", k=" << o.k() << ")";
  }
};

}  // namespace detail

/// Local response normalisation across neighbouring channels (see
/// functional::local_response_norm).
class LocalResponseNormImpl
    : public detail::LRNImplBase<LocalResponseNormImpl, LocalResponseNormOptions> {
 public:
  using LRNImplBase::LRNImplBase;
  Tensor forward(const Tensor& input);
};
TG_MODULE(LocalResponseNorm);

/// The legacy cross-map local response normalisation of a 4-D input [N, C, H, W].
class CrossMapLRN2dImpl : public detail::LRNImplBase<CrossMapLRN2dImpl, CrossMapLRN2dOptions> {
 public:
  using LRNImplBase::LRNImplBase;
  Tensor forward(const Tensor& input);
};
TG_MODULE(CrossMapLRN2d);

/// Group normalisation with a learned per-channel weight and bias when affine.
class GroupNormImpl : public detail::AffineNormImpl<GroupNormImpl, GroupNormOptions> {
 public:
  using AffineNormImpl::AffineNormImpl;
  GroupNormImpl(int64_t num_groups, int64_t num_channels)
      : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
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
