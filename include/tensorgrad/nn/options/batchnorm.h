#pragma once
/// Options for batch normalisation, as torch::nn::BatchNormOptions and
/// torch::nn::functional::BatchNormFuncOptions.
#include <cstdint>
#include <optional>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

/// Options for the BatchNorm modules.
struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT: implicit

  /// Channels (dim 1 of the input).
  TG_ARG(int64_t, num_features);
  /// Added to the variance before the square root.
  TG_ARG(double, eps) = 1e-5;
  /// Weight of the new batch statistic in the running stats; nullopt: a cumulative average.
  TG_ARG(std::optional<double>, momentum) = 0.1;
  /// Whether the module learns a per-channel weight and bias.
  TG_ARG(bool, affine) = true;
  /// Whether the module keeps running mean and variance (used in eval mode).
  TG_ARG(bool, track_running_stats) = true;
};

using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;
using BatchNorm3dOptions = BatchNormOptions;

namespace functional {

/// Options for functional::batch_norm.
struct BatchNormFuncOptions {
  /// Per-channel scale (undefined: 1).
  TG_ARG(Tensor, weight) = Tensor();
  /// Per-channel shift (undefined: 0).
  TG_ARG(Tensor, bias) = Tensor();
  /// Normalise with the batch's statistics (and update the running ones) instead of the running.
  TG_ARG(bool, training) = false;
  /// Weight of the batch statistic in the running stats update.
  TG_ARG(std::optional<double>, momentum) = 0.1;
  /// Added to the variance before the square root.
  TG_ARG(double, eps) = 1e-5;
};

}  // namespace functional
}  // namespace tg::nn
