#pragma once
/// nn::functional::layer_norm, as libtorch's torch/nn/functional/normalization.h.
#include "tensorgrad/nn/options/normalization.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::functional {

namespace detail {
/// (x - mean) / sqrt(var + eps) over the trailing dims given by normalized_shape (biased
/// variance), then * weight + bias where defined. Composed of differentiable ops.
Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape,
                  const Tensor& weight, const Tensor& bias, double eps);
}  // namespace detail

inline Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  return detail::layer_norm(input, options.normalized_shape(), options.weight(), options.bias(),
                            options.eps());
}

}  // namespace tg::nn::functional
