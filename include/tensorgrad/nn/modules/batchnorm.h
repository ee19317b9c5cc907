#pragma once
/// BatchNorm1d and BatchNorm2d, as torch/nn/modules/batchnorm.h.
#include <cstdint>
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/batchnorm.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// Batch normalisation over the channel dim 1: y = (x - mean) / sqrt(var + eps) * weight + bias.
/// In training the batch's statistics are used and, with track_running_stats, folded into the
/// buffers running_mean and running_var (running = (1 - momentum) * running + momentum * batch,
/// the variance unbiased; momentum nullopt keeps a cumulative average). In evaluation the running
/// statistics are used. weight starts at 1 and bias at 0.
template <size_t D, class Derived>
class BatchNormImplBase : public Cloneable<Derived> {
 public:
  explicit BatchNormImplBase(const BatchNormOptions& options_);

  void reset() override;
  /// Zeroes running_mean and num_batches_tracked, fills running_var with 1.
  void reset_running_stats();
  /// reset_running_stats(), then weight = 1 and bias = 0.
  void reset_parameters();
  /// "torch::nn::BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  BatchNormOptions options;
  /// [num_features] (undefined unless affine).
  Tensor weight;
  Tensor bias;
  /// Buffers (undefined unless track_running_stats).
  Tensor running_mean;
  Tensor running_var;
  /// Long 0-d: training steps seen.
  Tensor num_batches_tracked;
};

/// BatchNorm over [N, C] or [N, C, L].
class BatchNorm1dImpl : public BatchNormImplBase<1, BatchNorm1dImpl> {
 public:
  using BatchNormImplBase<1, BatchNorm1dImpl>::BatchNormImplBase;
};
TG_MODULE(BatchNorm1d);

/// BatchNorm over [N, C, H, W].
class BatchNorm2dImpl : public BatchNormImplBase<2, BatchNorm2dImpl> {
 public:
  using BatchNormImplBase<2, BatchNorm2dImpl>::BatchNormImplBase;
};
TG_MODULE(BatchNorm2d);

extern template class BatchNormImplBase<1, BatchNorm1dImpl>;
extern template class BatchNormImplBase<2, BatchNorm2dImpl>;

}  // namespace tg::nn
