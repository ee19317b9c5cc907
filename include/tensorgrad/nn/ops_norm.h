#pragma once
/// The tensor-level normalisations that libtorch exposes in `torch::`: layer_norm, group_norm and
/// instance_norm, with libtorch's signatures. They are made of differentiable ops (batch_norm,
/// mean, var...), so their gradients, to any order, follow from those ops'.
#include <cstdint>
#include <optional>

#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg {

/// (x - mean) / sqrt(var + eps) * weight + bias, with the (biased) mean and variance over the
/// trailing dims normalized_shape; weight and bias (of shape normalized_shape) are optional.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape,
                  const std::optional<Tensor>& weight = std::nullopt,
                  const std::optional<Tensor>& bias = std::nullopt, double eps = 1e-5,
                  bool cudnn_enable = true);

/// The channels of input [N, C, *] split into num_groups groups, each normalised over its
/// channels and every trailing dim; then the per-channel weight and bias [C].
Tensor group_norm(const Tensor& input, int64_t num_groups,
                  const std::optional<Tensor>& weight = std::nullopt,
                  const std::optional<Tensor>& bias = std::nullopt, double eps = 1e-5,
                  bool cudnn_enabled = true);

/// Each (sample, channel) plane of input [N, C, *] normalised over its trailing dims
/// (use_input_stats), or with the per-channel running statistics. With use_input_stats and
/// running stats given, they are updated in place with momentum (the variance unbiased), averaged
/// over the batch.
Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& weight,
                     const std::optional<Tensor>& bias, const std::optional<Tensor>& running_mean,
                     const std::optional<Tensor>& running_var, bool use_input_stats,
                     double momentum, double eps, bool cudnn_enabled = false);

}  // namespace tg
