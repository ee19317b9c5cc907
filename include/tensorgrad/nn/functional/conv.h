#pragma once
/// torch::nn::functional::conv1d/2d/3d and conv_transpose1d/2d/3d.
#include <string_view>
#include <variant>

#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/options/conv.h"

namespace tg::nn::functional {

namespace detail {
/// Calls `conv` with the padding as tg::conv{1,2,3}d take it: an IntArrayRef when explicit, the
/// string_view "valid" or "same" otherwise.
template <size_t D, class Conv>
Tensor with_padding(const nn::detail::conv_padding_t<D>& padding, Conv conv) {
  if (const auto* p = std::get_if<ExpandingArray<D>>(&padding)) return conv(IntArrayRef(*p));
  return conv(
      std::string_view(std::holds_alternative<enumtype::kValid>(padding) ? "valid" : "same"));
}
}  // namespace detail

/// conv1d(input, weight, Conv1dFuncOptions().bias(b).stride(1).padding(1)...).
inline Tensor conv1d(const Tensor& input, const Tensor& weight,
                     const Conv1dFuncOptions& options = {}) {
  return detail::with_padding<1>(options.padding(), [&](auto padding) {
    return tg::conv1d(input, weight, options.bias(), options.stride(), padding, options.dilation(),
                      options.groups());
  });
}

/// conv2d(input, weight, Conv2dFuncOptions().bias(b).stride(1).padding(1)...): see tg::conv2d.
inline Tensor conv2d(const Tensor& input, const Tensor& weight,
                     const Conv2dFuncOptions& options = {}) {
  return detail::with_padding<2>(options.padding(), [&](auto padding) {
    return tg::conv2d(input, weight, options.bias(), options.stride(), padding, options.dilation(),
                      options.groups());
  });
}

/// conv3d(input, weight, Conv3dFuncOptions()...).
inline Tensor conv3d(const Tensor& input, const Tensor& weight,
                     const Conv3dFuncOptions& options = {}) {
  return detail::with_padding<3>(options.padding(), [&](auto padding) {
    return tg::conv3d(input, weight, options.bias(), options.stride(), padding, options.dilation(),
                      options.groups());
  });
}

/// conv_transpose1d(input, weight, ConvTranspose1dFuncOptions()...).
inline Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose1dFuncOptions& options = {}) {
  return tg::conv_transpose1d(input, weight, options.bias(), options.stride(), options.padding(),
                              options.output_padding(), options.groups(), options.dilation());
}

/// conv_transpose2d(input, weight, ConvTranspose2dFuncOptions()...).
inline Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose2dFuncOptions& options = {}) {
  return tg::conv_transpose2d(input, weight, options.bias(), options.stride(), options.padding(),
                              options.output_padding(), options.groups(), options.dilation());
}

/// conv_transpose3d(input, weight, ConvTranspose3dFuncOptions()...).
inline Tensor conv_transpose3d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose3dFuncOptions& options = {}) {
  return tg::conv_transpose3d(input, weight, options.bias(), options.stride(), options.padding(),
                              options.output_padding(), options.groups(), options.dilation());
}

}  // namespace tg::nn::functional
