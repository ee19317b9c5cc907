#pragma once
/// torch::nn::functional normalisations: layer_norm, group_norm, instance_norm,
/// local_response_norm, normalize.
#include <vector>

#include "tensorgrad/nn/ops_norm.h"
#include "tensorgrad/nn/options/normalization.h"

namespace tg::nn::functional {

namespace detail {
inline Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape,
                         const Tensor& weight, const Tensor& bias, double eps) {
  return ::tg::layer_norm(input, normalized_shape, weight, bias, eps);
}
inline Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight,
                         const Tensor& bias, double eps) {
  return ::tg::group_norm(input, num_groups, weight, bias, eps);
}
inline Tensor instance_norm(const Tensor& input, const Tensor& running_mean,
                            const Tensor& running_var, const Tensor& weight, const Tensor& bias,
                            bool use_input_stats, double momentum, double eps) {
  return ::tg::instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                             momentum, eps);
}
/// x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta, the window
/// zero-padded: size / 2 channels before, (size - 1) / 2 after.
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k);
inline Tensor normalize(const Tensor& input, double p, int64_t dim, double eps) {
  return input / input.norm(p, {dim}, /*keepdim=*/true).clamp_min(eps).expand_as(input);
}
}  // namespace detail

inline Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  return detail::layer_norm(input, options.normalized_shape(), options.weight(), options.bias(),
                            options.eps());
}
inline Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options) {
  return detail::group_norm(input, options.num_groups(), options.weight(), options.bias(),
                            options.eps());
}
inline Tensor instance_norm(const Tensor& input, const InstanceNormFuncOptions& options = {}) {
  return detail::instance_norm(input, options.running_mean(), options.running_var(),
                               options.weight(), options.bias(), options.use_input_stats(),
                               options.momentum(), options.eps());
}
inline Tensor local_response_norm(const Tensor& input,
                                  const LocalResponseNormFuncOptions& options) {
  return detail::local_response_norm(input, options.size(), options.alpha(), options.beta(),
                                     options.k());
}
/// x / max(||x||_p, eps) along options.dim(); written into options.out() when given.
inline Tensor normalize(const Tensor& input, NormalizeFuncOptions options = {}) {
  Tensor out = detail::normalize(input, options.p(), options.dim(), options.eps());
  if (options.out()) {
    options.out()->copy_(out);
    return *options.out();
  }
  return out;
}

}  // namespace tg::nn::functional
