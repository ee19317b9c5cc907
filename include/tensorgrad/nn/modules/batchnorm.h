#pragma once
/// BatchNorm1d, BatchNorm2d and BatchNorm3d, as torch/nn/modules/batchnorm.h, with NormImplBase,
/// which InstanceNorm shares.
#include <cstdint>

#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/batchnorm.h"

namespace tg::nn {

/// What BatchNorm and InstanceNorm share, as libtorch's NormImplBase: the options, the affine
/// weight and bias and the running statistics.
template <size_t D, class Derived, class DerivedOptions>
class NormImplBase : public Cloneable<Derived> {
 public:
  explicit NormImplBase(const DerivedOptions& options_);

  void reset() override;
  /// Zeroes running_mean and num_batches_tracked, fills running_var with 1.
  void reset_running_stats();
  /// reset_running_stats(), then weight = 1 and bias = 0.
  void reset_parameters();

  DerivedOptions options;
  /// [num_features] (undefined unless affine).
  Tensor weight;
  Tensor bias;
  /// Buffers (undefined unless track_running_stats).
  Tensor running_mean;
  Tensor running_var;
  /// Long 0-d: training steps seen.
  Tensor num_batches_tracked;
};

/// Batch normalisation over the channel dim 1: y = (x - mean) / sqrt(var + eps) * weight + bias.
/// In training the batch's statistics are used and, with track_running_stats, folded into the
/// buffers running_mean and running_var (running = (1 - momentum) * running + momentum * batch,
/// the variance unbiased; momentum nullopt keeps a cumulative average). In evaluation the running
/// statistics are used. weight starts at 1 and bias at 0.
template <size_t D, class Derived>
class BatchNormImplBase : public NormImplBase<D, Derived, BatchNormOptions> {
 public:
  using NormImplBase<D, Derived, BatchNormOptions>::NormImplBase;

  /// "torch::nn::BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};

/// BatchNorm over [N, C] or [N, C, L].
TG_MODULE_ND(BatchNorm1d, BatchNormImplBase, 1);

/// BatchNorm over [N, C, H, W].
TG_MODULE_ND(BatchNorm2d, BatchNormImplBase, 2);

/// BatchNorm over [N, C, D, H, W].
TG_MODULE_ND(BatchNorm3d, BatchNormImplBase, 3);

}  // namespace tg::nn
