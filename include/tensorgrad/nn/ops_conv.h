#pragma once
/// The tensor-level neural-network ops, with libtorch's (ATen's) names, arguments and defaults:
/// convolution, pooling, batch normalisation, dropout and embedding. Inputs are batched
/// [N, C, H, W] or unbatched [C, H, W] (as libtorch); Float and Double. Every op records its
/// backward with libtorch's node name, and every backward is itself differentiable (double
/// backward works).
#include <cstdint>
#include <optional>
#include <tuple>

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
