#pragma once
/// Options of layer normalisation, as libtorch's torch/nn/options/normalization.h (LayerNorm
/// only).
#include <cstdint>
#include <vector>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

/// LayerNorm(normalized_shape).eps(1e-5).elementwise_affine(true).
struct LayerNormOptions {
  /* implicit */ LayerNormOptions(std::vector<int64_t> normalized_shape)  // NOLINT
      : normalized_shape_(std::move(normalized_shape)) {}
  /// The trailing dimensions normalised over (and the shape of weight and bias).
  TG_ARG(std::vector<int64_t>, normalized_shape);
  /// Added to the variance for numerical stability.
  TG_ARG(double, eps) = 1e-5;
  /// Whether the module learns a weight (ones) and a bias (zeros).
  TG_ARG(bool, elementwise_affine) = true;
};

namespace functional {
/// F::layer_norm(input, LayerNormFuncOptions(normalized_shape).weight(w).bias(b).eps(1e-5)).
struct LayerNormFuncOptions {
  /* implicit */ LayerNormFuncOptions(std::vector<int64_t> normalized_shape)  // NOLINT
      : normalized_shape_(std::move(normalized_shape)) {}
  TG_ARG(std::vector<int64_t>, normalized_shape);
  TG_ARG(Tensor, weight) = {};
  TG_ARG(Tensor, bias) = {};
  TG_ARG(double, eps) = 1e-5;
};
}  // namespace functional

}  // namespace tg::nn
