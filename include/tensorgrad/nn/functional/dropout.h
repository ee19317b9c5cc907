#pragma once
/// torch::nn::functional::dropout.
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/options/dropout.h"

namespace tg::nn::functional {

/// dropout(input, DropoutFuncOptions().p(0.5).training(true).inplace(false)): see tg::dropout.
/// With inplace, the input is modified and returned.
inline Tensor dropout(Tensor input, const DropoutFuncOptions& options = {}) {
  TG_CHECK(options.p() >= 0. && options.p() <= 1.,
           "dropout: probability has to be between 0 and 1, but got ", options.p());
  if (options.inplace()) return tg::dropout_(input, options.p(), options.training());
  return tg::dropout(input, options.p(), options.training());
}

}  // namespace tg::nn::functional
