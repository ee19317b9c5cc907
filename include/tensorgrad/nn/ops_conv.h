#pragma once
/// The tensor-level neural-network ops, with libtorch's (ATen's) names, arguments and defaults:
/// convolution, pooling, batch normalisation, dropout and embedding. Inputs are batched
/// [N, C, H, W] or unbatched [C, H, W] (as libtorch); Float and Double. Every op records its
/// backward with libtorch's node name, and every backward is itself differentiable (double
/// backward works).
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg {

/// 2-D cross-correlation: out[n, o, y, x] = bias[o] + sum over c in o's group, i, j of
///   input[n, c, y*sH - pH + i*dH, x*sW - pW + j*dW] * weight[o, c', i, j]
/// with weight [C_out, C_in / groups, kH, kW] and out [N, C_out, H_out, W_out],
/// H_out = (H + 2 pH - dH (kH - 1) - 1) / sH + 1. stride, padding and dilation take one value
/// (both dims) or two. Derivatives (node ConvolutionBackward0): input: the transposed
/// convolution of grad with weight; weight: the correlation of input with grad; bias: grad summed
/// over N, H, W. Float runs on oneDNN, Double on direct loops.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef dilation = 1,
              int64_t groups = 1);

/// 1-D convolution of [N, C, L] (or [C, L]) with weight [C_out, C_in / groups, k]: conv2d over a
/// height of one.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef dilation = 1,
              int64_t groups = 1);
/// 3-D convolution of [N, C, D, H, W] (or [C, D, H, W]) with weight [C_out, C_in / groups, kD,
/// kH, kW]: for every kernel depth a conv2d of the matching input depths, summed.
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef dilation = 1,
              int64_t groups = 1);
namespace detail {
/// conv1d/2d/3d (spatial 1, 2 or 3) with padding "valid" or "same".
Tensor conv_padding(const Tensor& input, const Tensor& weight, const Tensor& bias,
                    IntArrayRef stride, std::string_view padding, IntArrayRef dilation,
                    int64_t groups, int64_t spatial);
/// A padding given as a string; a literal 0 stays an IntArrayRef padding.
template <class S>
inline constexpr bool is_padding_string_v =
    std::is_convertible_v<const S&, std::string_view> && !std::is_arithmetic_v<S>;
}  // namespace detail

/// The convolutions with padding "valid" (none) or "same" (the output as large as the input,
/// stride 1 only; an odd total padding puts the extra element at the end).
template <class S, class = std::enable_if_t<detail::is_padding_string_v<S>>>
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              const S& padding, IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv_padding(input, weight, bias, stride, padding, dilation, groups, 1);
}
template <class S, class = std::enable_if_t<detail::is_padding_string_v<S>>>
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              const S& padding, IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv_padding(input, weight, bias, stride, padding, dilation, groups, 2);
}
template <class S, class = std::enable_if_t<detail::is_padding_string_v<S>>>
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              const S& padding, IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv_padding(input, weight, bias, stride, padding, dilation, groups, 3);
}

/// Transposed convolutions (the adjoints of conv1d/2d/3d in their input) with weight
/// [C_in, C_out / groups, k...]: out size (in - 1) stride - 2 padding + dilation (k - 1) +
/// output_padding + 1 per spatial dim.
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0,
                        IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0,
                        IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0,
                        IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);

/// 2-D max pooling: the largest value of each (dilated) window; windows that reach into the
/// padding only see real elements. ceil_mode rounds the output size up (the last window may
/// start inside the input but end past it). stride defaults to kernel_size. Returns the values
/// and, for each, the flat index h * W + w of the maximum inside its [H, W] plane. A NaN in a
/// window is its maximum. Derivative (node MaxPool2DWithIndicesBackward0): grad scattered to
/// (summed at) the argmax positions.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1,
                                                   bool ceil_mode = false);
/// The values of max_pool2d_with_indices.
Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, IntArrayRef dilation = 1, bool ceil_mode = false);

/// 2-D average pooling: each window's sum divided by divisor_override if given, else by the
/// window's size counting the padding (count_include_pad) or not. Derivative (node
/// AvgPool2DBackward0): each output's grad spread evenly (by the same divisor) over its window.
Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

/// 2-D adaptive average pooling to output_size [oH, oW]: output (i, j) averages rows
/// [floor(i H / oH), ceil((i + 1) H / oH)) and the columns likewise. Derivative (node
/// AdaptiveAvgPool2DBackward0): grad spread evenly over each window.
Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size);

/// 1-D and 3-D max pooling (as max_pool2d, over [N, C, L] / [N, C, D, H, W] or unbatched); the
/// indices are flat within each sample-channel's [L] / [D, H, W] volume.
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1,
                                                   bool ceil_mode = false);
Tensor max_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, IntArrayRef dilation = 1, bool ceil_mode = false);
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1,
                                                   bool ceil_mode = false);
Tensor max_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, IntArrayRef dilation = 1, bool ceil_mode = false);
/// 1-D and 3-D average pooling (as avg_pool2d).
Tensor avg_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, bool ceil_mode = false, bool count_include_pad = true);
Tensor avg_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {},
                  IntArrayRef padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
/// Adaptive average pooling over 1 and 3 spatial dims (windows as adaptive_avg_pool2d's).
Tensor adaptive_avg_pool1d(const Tensor& input, IntArrayRef output_size);
Tensor adaptive_avg_pool3d(const Tensor& input, IntArrayRef output_size);
/// Adaptive max pooling: the maximum of each adaptive window and its flat index in the
/// sample-channel's spatial volume.
std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& input, IntArrayRef output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, IntArrayRef output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& input, IntArrayRef output_size);
/// The inverse of max pooling: zeros of output_size [H, W] / [D, H, W] (per sample-channel)
/// with each input value at its flat index.
Tensor max_unpool2d(const Tensor& self, const Tensor& indices, IntArrayRef output_size);
Tensor max_unpool3d(const Tensor& self, const Tensor& indices, IntArrayRef output_size,
                    IntArrayRef stride, IntArrayRef padding);

/// Batch normalisation over channel dim 1 of input [N, C, *]:
///   out = (input - mean) / sqrt(var + eps) * weight + bias   (per channel; weight and bias may
/// be undefined, meaning 1 and 0). In training, mean and (biased) var are the batch's over every
/// dim but 1, and the running stats (when defined) are updated in place, without autograd:
///   running = (1 - momentum) * running + momentum * batch stat (the unbiased var for
///   running_var). Otherwise running_mean and running_var are used. cudnn_enabled is ignored.
/// Derivative: node NativeBatchNormBackward0.
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps, bool cudnn_enabled = false);

/// Dropout: in training, each element is zeroed with probability p and the others are scaled by
/// 1 / (1 - p), drawing from the generator seeded by manual_seed; the result is input * mask
/// (node MulBackward0). Without train, or with p == 0, returns input itself.
Tensor dropout(const Tensor& input, double p, bool train);
/// In-place dropout: input *= mask.
Tensor& dropout_(Tensor& input, double p, bool train);

/// Rows of weight [num_embeddings, dim] picked by the Long indices: out has shape
/// indices.sizes() + [dim]. Derivative (node EmbeddingBackward0): grad rows summed into the rows
/// they came from; rows of padding_idx get no gradient; with scale_grad_by_freq each row's
/// gradient is divided by how often its index occurs in indices. sparse gradients are not
/// supported (throws).
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                 bool scale_grad_by_freq = false, bool sparse = false);
/// Rescales, in place and without autograd, the rows of weight that indices name so that their
/// p-norm (p = norm_type) is at most max_norm. Returns weight.
Tensor& embedding_renorm_(Tensor& weight, const Tensor& indices, double max_norm, double norm_type);

}  // namespace tg
