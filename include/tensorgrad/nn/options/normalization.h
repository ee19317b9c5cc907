#pragma once
/// Options of the normalisation modules and functions, as libtorch's
/// torch/nn/options/normalization.h and instancenorm.h.
#include <cstdint>
#include <optional>
#include <vector>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

/// LayerNorm over the trailing dims normalized_shape.
struct LayerNormOptions {
  /* implicit */ LayerNormOptions(std::vector<int64_t> normalized_shape)  // NOLINT
      : normalized_shape_(std::move(normalized_shape)) {}
  TG_ARG(std::vector<int64_t>, normalized_shape);
  /// Added to the variance before the square root.
  TG_ARG(double, eps) = 1e-5;
  /// Whether the module learns weight (ones) and bias (zeros) of shape normalized_shape.
  TG_ARG(bool, elementwise_affine) = true;
};

/// LocalResponseNorm over `size` neighbouring channels.
struct LocalResponseNormOptions {
  /* implicit */ LocalResponseNormOptions(int64_t size) : size_(size) {}  // NOLINT
  TG_ARG(int64_t, size);
  TG_ARG(double, alpha) = 1e-4;
  TG_ARG(double, beta) = 0.75;
  TG_ARG(double, k) = 1.;
};

/// CrossMapLRN2d (the legacy Lua form of local response normalisation).
struct CrossMapLRN2dOptions {
  CrossMapLRN2dOptions(int64_t size) : size_(size) {}  // NOLINT: implicit as in libtorch
  TG_ARG(int64_t, size);
  TG_ARG(double, alpha) = 1e-4;
  TG_ARG(double, beta) = 0.75;
  TG_ARG(int64_t, k) = 1;
};

/// GroupNorm: num_channels split into num_groups groups.
struct GroupNormOptions {
  /* implicit */ GroupNormOptions(int64_t num_groups, int64_t num_channels)  // NOLINT
      : num_groups_(num_groups), num_channels_(num_channels) {}
  TG_ARG(int64_t, num_groups);
  TG_ARG(int64_t, num_channels);
  TG_ARG(double, eps) = 1e-5;
  /// Whether the module learns a per-channel weight (ones) and bias (zeros).
  TG_ARG(bool, affine) = true;
};

/// Options of the InstanceNorm modules.
struct InstanceNormOptions {
  /* implicit */ InstanceNormOptions(int64_t num_features)  // NOLINT
      : num_features_(num_features) {}
  TG_ARG(int64_t, num_features);
  TG_ARG(double, eps) = 1e-5;
  TG_ARG(double, momentum) = 0.1;
  TG_ARG(bool, affine) = false;
  TG_ARG(bool, track_running_stats) = false;
};

using InstanceNorm1dOptions = InstanceNormOptions;
using InstanceNorm2dOptions = InstanceNormOptions;
using InstanceNorm3dOptions = InstanceNormOptions;

namespace functional {

/// F::layer_norm(x, LayerNormFuncOptions({2, 2}).weight(w).bias(b).eps(1e-5)).
struct LayerNormFuncOptions {
  /* implicit */ LayerNormFuncOptions(std::vector<int64_t> normalized_shape)  // NOLINT
      : normalized_shape_(std::move(normalized_shape)) {}
  TG_ARG(std::vector<int64_t>, normalized_shape);
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Tensor, bias) = {};
  TG_ARG(double, eps) = 1e-5;
};

using LocalResponseNormFuncOptions = LocalResponseNormOptions;

/// F::normalize: x / max(||x||_p over dim, eps).
struct NormalizeFuncOptions {
  TG_ARG(double, p) = 2.0;
  TG_ARG(int64_t, dim) = 1;
  TG_ARG(double, eps) = 1e-12;
  TG_ARG(std::optional<Tensor>, out) = std::nullopt;
};

/// F::group_norm(x, GroupNormFuncOptions(groups).weight(w).bias(b).eps(1e-5)).
struct GroupNormFuncOptions {
  /* implicit */ GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}  // NOLINT
  TG_ARG(int64_t, num_groups);
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Tensor, bias) = {};
  TG_ARG(double, eps) = 1e-5;
};

/// F::instance_norm(x, InstanceNormFuncOptions().running_mean(m).use_input_stats(true)...).
struct InstanceNormFuncOptions {
  TG_ARG(Tensor, running_mean) = Tensor();
  TG_ARG(Tensor, running_var) = Tensor();
  TG_ARG(Tensor, weight) = Tensor();
  TG_ARG(Tensor, bias) = Tensor();
  TG_ARG(bool, use_input_stats) = true;
  TG_ARG(double, momentum) = 0.1;
  TG_ARG(double, eps) = 1e-5;
};

}  // namespace functional
}  // namespace tg::nn
