#pragma once
/// torch::nn::functional::conv2d.
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/options/conv.h"

namespace tg::nn::functional {

/// conv2d(input, weight, Conv2dFuncOptions().bias(b).stride(1).padding(1)...): see tg::conv2d.
inline Tensor conv2d(const Tensor& input, const Tensor& weight,
                     const Conv2dFuncOptions& options = {}) {
  return tg::conv2d(input, weight, options.bias(), options.stride(), options.padding(),
                    options.dilation(), options.groups());
}

}  // namespace tg::nn::functional
