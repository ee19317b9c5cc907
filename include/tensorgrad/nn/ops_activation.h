#pragma once
/// The tensor-level activations that libtorch exposes in `torch::` beyond those of ops_loss.h:
/// elu, selu, celu, hardshrink, softshrink, hardtanh, relu6, log_sigmoid, mish, threshold, glu,
/// prelu and rrelu, with in-place forms where libtorch has them. Float and Double. Every one
/// records its backward with libtorch's node name, written with differentiable ops (double
/// backward works). torch::nn::functional wraps these in nn/functional/activation.h.
#include <cstdint>

#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg {

/// scale * x for x > 0, else scale * alpha * (exp(input_scale * x) - 1) (EluBackward0).
Tensor elu(const Tensor& self, const Scalar& alpha = 1, const Scalar& scale = 1,
           const Scalar& input_scale = 1);
Tensor& elu_(Tensor& self, const Scalar& alpha = 1, const Scalar& scale = 1,
             const Scalar& input_scale = 1);
/// elu with SELU's alpha 1.6732632423543772 and scale 1.0507009873554805.
Tensor selu(const Tensor& self);
Tensor& selu_(Tensor& self);
/// max(0, x) + min(0, alpha (exp(x / alpha) - 1)).
Tensor celu(const Tensor& self, const Scalar& alpha = 1.0);
Tensor& celu_(Tensor& self, const Scalar& alpha = 1.0);
/// x where |x| > lambd, else 0 (HardshrinkBackward0).
Tensor hardshrink(const Tensor& self, const Scalar& lambd = 0.5);
/// x - lambd for x > lambd, x + lambd for x < -lambd, else 0 (SoftshrinkBackward0).
Tensor softshrink(const Tensor& self, const Scalar& lambd = 0.5);
/// x clamped to [min_val, max_val]; gradient 1 strictly inside (HardtanhBackward0).
Tensor hardtanh(const Tensor& self, const Scalar& min_val = -1, const Scalar& max_val = 1);
Tensor& hardtanh_(Tensor& self, const Scalar& min_val = -1, const Scalar& max_val = 1);
/// hardtanh(x, 0, 6).
Tensor relu6(const Tensor& self);
Tensor& relu6_(Tensor& self);
/// log(sigmoid(x)) = -softplus(-x), computed stably (LogSigmoidBackward0).
Tensor log_sigmoid(const Tensor& self);
/// x * tanh(softplus(x)) (MishBackward0).
Tensor mish(const Tensor& self);
/// x where x > threshold, else value (ThresholdBackward0).
Tensor threshold(const Tensor& self, const Scalar& threshold, const Scalar& value);
Tensor& threshold_(Tensor& self, const Scalar& threshold, const Scalar& value);
/// a * sigmoid(b) where a and b are the two halves of self along dim (whose size must be even).
Tensor glu(const Tensor& self, int64_t dim = -1);
/// x where x > 0, else weight * x; weight has one element, or one per channel (dim 1 of a
/// batched input, dim 0 of a 1-D one).
Tensor prelu(const Tensor& self, const Tensor& weight);
/// Randomized leaky ReLU: in training each negative element is multiplied by a slope drawn
/// uniformly from [lower, upper] (from the global generator); otherwise by (lower + upper) / 2.
Tensor rrelu(const Tensor& self, const Scalar& lower = 1.0 / 8.0, const Scalar& upper = 1.0 / 3.0,
             bool training = false);
Tensor& rrelu_(Tensor& self, const Scalar& lower = 1.0 / 8.0, const Scalar& upper = 1.0 / 3.0,
               bool training = false);
/// relu6(x + 3) / 6 (HardsigmoidBackward0).
Tensor hardsigmoid(const Tensor& self);
/// x * relu6(x + 3) / 6 (HardswishBackward0).
Tensor hardswish(const Tensor& self);

}  // namespace tg
