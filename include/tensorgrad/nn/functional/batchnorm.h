#pragma once
/// torch::nn::functional::batch_norm.
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/options/batchnorm.h"

namespace tg::nn::functional {

/// batch_norm(input, running_mean, running_var, BatchNormFuncOptions().weight(w).bias(b)
/// .training(true).momentum(0.1).eps(1e-5)): see tg::batch_norm. In training, each channel
/// needs more than one value to normalise.
inline Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                         const BatchNormFuncOptions& options = {}) {
  if (options.training()) {
    TG_CHECK(input.dim() >= 2,
             "batch_norm: expected an input of at least 2 dims [N, C, ...] but "
             "got shape ",
             input.sizes());
    int64_t per_channel = input.size(0);
    for (int64_t d = 2; d < input.dim(); ++d) per_channel *= input.size(d);
    TG_CHECK(per_channel != 1,
             "batch_norm: expected more than 1 value per channel when "
             "training, got input size ",
             input.sizes(), "; use a batch of more than one sample or evaluate in eval mode");
  }
  TG_CHECK(options.momentum().has_value(),
           "batch_norm: momentum must be a number here; a "
           "cumulative average (momentum nullopt) is kept by the BatchNorm modules");
  return tg::batch_norm(input, options.weight(), options.bias(), running_mean, running_var,
                        options.training(), *options.momentum(), options.eps());
}

}  // namespace tg::nn::functional
