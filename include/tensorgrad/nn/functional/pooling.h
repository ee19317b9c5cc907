#pragma once
/// torch::nn::functional::{max_pool2d, max_pool2d_with_indices, avg_pool2d, adaptive_avg_pool2d}.
#include <tuple>

#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/options/pooling.h"

namespace tg::nn::functional {

/// max_pool2d(input, MaxPool2dFuncOptions(2).stride(2)): see tg::max_pool2d.
inline Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return tg::max_pool2d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.dilation(), options.ceil_mode());
}

/// The values and flat argmax indices of max pooling: see tg::max_pool2d_with_indices.
inline std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                          const MaxPool2dFuncOptions& options) {
  return tg::max_pool2d_with_indices(input, options.kernel_size(), options.stride(),
                                     options.padding(), options.dilation(), options.ceil_mode());
}

/// avg_pool2d(input, AvgPool2dFuncOptions(2)): see tg::avg_pool2d.
inline Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options) {
  return tg::avg_pool2d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.ceil_mode(), options.count_include_pad(),
                        options.divisor_override());
}

/// adaptive_avg_pool2d(input, AdaptiveAvgPool2dFuncOptions({7, 7})): an empty entry of the
/// output size keeps the input's size in that dim. See tg::adaptive_avg_pool2d.
inline Tensor adaptive_avg_pool2d(const Tensor& input,
                                  const AdaptiveAvgPool2dFuncOptions& options) {
  const auto& size = *options.output_size();
  int64_t out[2];
  for (int d = 0; d < 2; ++d) {
    if (size[d]) {
      out[d] = *size[d];
    } else {
      TG_CHECK(input.dim() >= 2, "adaptive_avg_pool2d: expected a 3-D or 4-D input but got shape ",
               input.sizes(), "; pass [C, H, W] or [N, C, H, W]");
      out[d] = input.size(input.dim() - 2 + d);
    }
  }
  return tg::adaptive_avg_pool2d(input, IntArrayRef(out, 2));
}

}  // namespace tg::nn::functional
