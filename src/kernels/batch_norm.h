#pragma once
// Batch normalisation kernels: the fused forward (statistics, running-stat update and the affine
// normalisation in three passes over each channel) and the fused backward without a graph (two
// passes), in parallel over channels. The math is in Note [Batch norm double backward] in
// src/nn/batchnorm.cpp.
#include <optional>

#include "kernels/view.h"

namespace tg::kernels {

/// out = (x - mean) * invstd * weight + bias over a contiguous x [N, C, ...] of Float or Double,
/// out contiguous of x's shape. In training the statistics are the batch's (mean and biased
/// variance per channel, in double), and when update_running is true the running statistics
/// are moved toward them by momentum (the variance unbiased); otherwise they are the running
/// ones. mean and invstd ([C], contiguous) receive the statistics used. weight, bias and the
/// running statistics are [C] of x's dtype with any stride; weight and bias may be absent, the
/// running statistics only in training without update.
void batch_norm_forward(const View& out, const View& mean, const View& invstd, const View& x,
                        const std::optional<View>& weight, const std::optional<View>& bias,
                        const std::optional<View>& running_mean,
                        const std::optional<View>& running_var, bool training, bool update_running,
                        double momentum, double eps);

/// The gradients of batch_norm_forward for the output gradient g, from the saved mean and invstd
/// (treated as functions of x in training): gx (x's shape), gw and gb ([C]), each written when
/// present. g and x are contiguous; weight, mean and invstd are [C] with any stride.
void batch_norm_backward(const std::optional<View>& gx, const std::optional<View>& gw,
                         const std::optional<View>& gb, const View& g, const View& x,
                         const std::optional<View>& weight, const View& mean, const View& invstd,
                         bool training);

}  // namespace tg::kernels
