#pragma once
/// nn::functional::linear, as libtorch's torch/nn/functional/linear.h.
#include "tensorgrad/nn/ops_loss.h"
#include "tensorgrad/nn/options/linear.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::functional {

/// input @ weight^T + bias, for input [*, in_features], weight [out_features, in_features] and
/// an optional bias [out_features].
inline Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {}) {
  return ::tg::linear(input, weight, bias);
}

}  // namespace tg::nn::functional
