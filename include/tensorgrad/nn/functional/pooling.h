#pragma once
/// torch::nn::functional pooling: max, average, adaptive max and average, max unpooling and LP
/// pooling in 1, 2 and 3 dims.
#include <cmath>
#include <optional>
#include <tuple>
#include <vector>

#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/options/pooling.h"

namespace tg::nn::functional {

inline Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options) {
  return tg::max_pool1d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.dilation(), options.ceil_mode());
}
/// max_pool2d(input, MaxPool2dFuncOptions(2).stride(2)): see tg::max_pool2d.
inline Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return tg::max_pool2d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.dilation(), options.ceil_mode());
}
inline Tensor max_pool3d(const Tensor& input, const MaxPool3dFuncOptions& options) {
  return tg::max_pool3d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.dilation(), options.ceil_mode());
}

inline std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input,
                                                          const MaxPool1dFuncOptions& options) {
  return tg::max_pool1d_with_indices(input, options.kernel_size(), options.stride(),
                                     options.padding(), options.dilation(), options.ceil_mode());
}
/// The values and flat argmax indices of max pooling: see tg::max_pool2d_with_indices.
inline std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                          const MaxPool2dFuncOptions& options) {
  return tg::max_pool2d_with_indices(input, options.kernel_size(), options.stride(),
                                     options.padding(), options.dilation(), options.ceil_mode());
}
inline std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input,
                                                          const MaxPool3dFuncOptions& options) {
  return tg::max_pool3d_with_indices(input, options.kernel_size(), options.stride(),
                                     options.padding(), options.dilation(), options.ceil_mode());
}

inline Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options) {
  return tg::avg_pool1d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.ceil_mode(), options.count_include_pad());
}
/// avg_pool2d(input, AvgPool2dFuncOptions(2)): see tg::avg_pool2d.
inline Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options) {
  return tg::avg_pool2d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.ceil_mode(), options.count_include_pad(),
                        options.divisor_override());
}
inline Tensor avg_pool3d(const Tensor& input, const AvgPool3dFuncOptions& options) {
  return tg::avg_pool3d(input, options.kernel_size(), options.stride(), options.padding(),
                        options.ceil_mode(), options.count_include_pad(),
                        options.divisor_override());
}

namespace detail {
/// The output size of an adaptive pooling: an empty entry keeps the input's size in that dim.
template <size_t D, class Size>
std::vector<int64_t> adaptive_size(const Tensor& input, const Size& output_size) {
  std::vector<int64_t> out(D);
  for (size_t d = 0; d < D; ++d) {
    const auto& v = (*output_size)[d];
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, int64_t>) {
      out[d] = v;
    } else if (v) {
      out[d] = *v;
    } else {
      TG_CHECK(input.dim() >= static_cast<int64_t>(D), "adaptive pooling: the input of shape ",
               input.sizes(), " has fewer than ", D, " dims");
      out[d] = input.size(input.dim() - static_cast<int64_t>(D) + static_cast<int64_t>(d));
    }
  }
  return out;
}
}  // namespace detail

inline Tensor adaptive_avg_pool1d(const Tensor& input,
                                  const AdaptiveAvgPool1dFuncOptions& options) {
  return tg::adaptive_avg_pool1d(input, detail::adaptive_size<1>(input, options.output_size()));
}
/// adaptive_avg_pool2d(input, AdaptiveAvgPool2dFuncOptions({7, 7})): an empty entry of the
/// output size keeps the input's size in that dim. See tg::adaptive_avg_pool2d.
inline Tensor adaptive_avg_pool2d(const Tensor& input,
                                  const AdaptiveAvgPool2dFuncOptions& options) {
  return tg::adaptive_avg_pool2d(input, detail::adaptive_size<2>(input, options.output_size()));
}
inline Tensor adaptive_avg_pool3d(const Tensor& input,
                                  const AdaptiveAvgPool3dFuncOptions& options) {
  return tg::adaptive_avg_pool3d(input, detail::adaptive_size<3>(input, options.output_size()));
}

inline std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(
    const Tensor& input, const AdaptiveMaxPool1dFuncOptions& options) {
  return tg::adaptive_max_pool1d(input, detail::adaptive_size<1>(input, options.output_size()));
}
inline std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(
    const Tensor& input, const AdaptiveMaxPool2dFuncOptions& options) {
  return tg::adaptive_max_pool2d(input, detail::adaptive_size<2>(input, options.output_size()));
}
inline std::tuple<Tensor, Tensor> adaptive_max_pool3d_with_indices(
    const Tensor& input, const AdaptiveMaxPool3dFuncOptions& options) {
  return tg::adaptive_max_pool3d(input, detail::adaptive_size<3>(input, options.output_size()));
}
inline Tensor adaptive_max_pool1d(const Tensor& input,
                                  const AdaptiveMaxPool1dFuncOptions& options) {
  return std::get<0>(adaptive_max_pool1d_with_indices(input, options));
}
inline Tensor adaptive_max_pool2d(const Tensor& input,
                                  const AdaptiveMaxPool2dFuncOptions& options) {
  return std::get<0>(adaptive_max_pool2d_with_indices(input, options));
}
inline Tensor adaptive_max_pool3d(const Tensor& input,
                                  const AdaptiveMaxPool3dFuncOptions& options) {
  return std::get<0>(adaptive_max_pool3d_with_indices(input, options));
}

namespace detail {
/// The unpooled size: (in - 1) stride + kernel - 2 padding per dim, or output_size (its last D
/// entries) when given, which must lie within one stride of that.
std::vector<int64_t> _unpool_output_size(const Tensor& input, IntArrayRef kernel_size,
                                         IntArrayRef stride, IntArrayRef padding,
                                         const std::optional<std::vector<int64_t>>& output_size);
}  // namespace detail

inline Tensor max_unpool1d(const Tensor& input, const Tensor& indices,
                           const MaxUnpool1dFuncOptions& options) {
  std::vector<int64_t> size = detail::_unpool_output_size(
      input, options.kernel_size(), options.stride(), options.padding(), options.output_size());
  size.push_back(1);
  return tg::max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), size).squeeze(-1);
}
inline Tensor max_unpool2d(const Tensor& input, const Tensor& indices,
                           const MaxUnpool2dFuncOptions& options) {
  return tg::max_unpool2d(
      input, indices,
      detail::_unpool_output_size(input, options.kernel_size(), options.stride(), options.padding(),
                                  options.output_size()));
}
inline Tensor max_unpool3d(const Tensor& input, const Tensor& indices,
                           const MaxUnpool3dFuncOptions& options) {
  return tg::max_unpool3d(
      input, indices,
      detail::_unpool_output_size(input, options.kernel_size(), options.stride(), options.padding(),
                                  options.output_size()),
      options.stride(), options.padding());
}

namespace detail {
/// (window sum of x^p)^(1/p): the average pool of x^p times the window size.
template <size_t D>
Tensor lp_pool(const Tensor& input, double norm_type, const ExpandingArray<D>& kernel_size,
               const ExpandingArray<D>& stride, bool ceil_mode) {
  Tensor out;
  const Tensor powered = input.pow(norm_type);
  if constexpr (D == 1) out = tg::avg_pool1d(powered, kernel_size, stride, 0, ceil_mode);
  if constexpr (D == 2) out = tg::avg_pool2d(powered, kernel_size, stride, 0, ceil_mode);
  if constexpr (D == 3) out = tg::avg_pool3d(powered, kernel_size, stride, 0, ceil_mode);
  int64_t window = 1;
  for (int64_t k : *kernel_size) window *= k;
  return (out.sign() * out.abs().relu()).mul(static_cast<double>(window)).pow(1.0 / norm_type);
}
}  // namespace detail

inline Tensor lp_pool1d(const Tensor& input, const LPPool1dFuncOptions& options) {
  return detail::lp_pool<1>(input, options.norm_type(), options.kernel_size(), options.stride(),
                            options.ceil_mode());
}
inline Tensor lp_pool2d(const Tensor& input, const LPPool2dFuncOptions& options) {
  return detail::lp_pool<2>(input, options.norm_type(), options.kernel_size(), options.stride(),
                            options.ceil_mode());
}
inline Tensor lp_pool3d(const Tensor& input, const LPPool3dFuncOptions& options) {
  return detail::lp_pool<3>(input, options.norm_type(), options.kernel_size(), options.stride(),
                            options.ceil_mode());
}

}  // namespace tg::nn::functional
