#pragma once
/// nn::functional activations, as libtorch's torch/nn/functional/activation.h: relu, leaky_relu,
/// gelu, silu, softplus, softmax and log_softmax, taking their Options.
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/ops_activation.h"
#include "tensorgrad/nn/ops_loss.h"
#include "tensorgrad/nn/options/activation.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::functional {

namespace detail {
inline Tensor relu(Tensor input, bool inplace) {
  if (inplace) return input.relu_();
  return ::tg::relu(input);
}
inline Tensor leaky_relu(Tensor input, double negative_slope, bool inplace) {
  if (inplace) return ::tg::leaky_relu_(input, negative_slope);
  return ::tg::leaky_relu(input, negative_slope);
}
inline Tensor softmax(const Tensor& input, int64_t dim, std::optional<ScalarType> dtype) {
  return ::tg::softmax(input, dim, dtype);
}
inline Tensor log_softmax(const Tensor& input, int64_t dim, std::optional<ScalarType> dtype) {
  return ::tg::log_softmax(input, dim, dtype);
}
}  // namespace detail

/// max(x, 0); in place with ReLUFuncOptions().inplace(true) (or F::relu(x, true)).
inline Tensor relu(Tensor input, const ReLUFuncOptions& options = {}) {
  return detail::relu(input, options.inplace());
}

/// x if x > 0 else negative_slope * x.
inline Tensor leaky_relu(Tensor input, const LeakyReLUFuncOptions& options = {}) {
  return detail::leaky_relu(input, options.negative_slope(), options.inplace());
}

/// x * Phi(x), exact or with the tanh approximation (GELUFuncOptions().approximate("tanh")).
inline Tensor gelu(const Tensor& input, const GELUFuncOptions& options = {}) {
  return ::tg::gelu(input, options.approximate());
}

/// x * sigmoid(x).
inline Tensor silu(const Tensor& input) { return ::tg::silu(input); }

/// log(1 + exp(beta x)) / beta.
inline Tensor softplus(const Tensor& input, const SoftplusFuncOptions& options = {}) {
  return ::tg::softplus(input, options.beta(), options.threshold());
}

/// exp(x) / sum exp(x) over options.dim().
inline Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options) {
  return detail::softmax(input, options.dim(), options.dtype());
}

/// log(softmax(x)) over options.dim(), computed stably.
inline Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options) {
  return detail::log_softmax(input, options.dim(), options.dtype());
}

namespace detail {
inline Tensor elu(Tensor input, double alpha, bool inplace) {
  if (inplace) return ::tg::elu_(input, alpha);
  return ::tg::elu(input, alpha);
}
inline Tensor selu(Tensor input, bool inplace) {
  if (inplace) return ::tg::selu_(input);
  return ::tg::selu(input);
}
inline Tensor hardshrink(const Tensor& input, double lambda) {
  return ::tg::hardshrink(input, lambda);
}
inline Tensor hardtanh(Tensor input, double min_val, double max_val, bool inplace) {
  if (inplace) return ::tg::hardtanh_(input, min_val, max_val);
  return ::tg::hardtanh(input, min_val, max_val);
}
inline Tensor softmin(const Tensor& input, int64_t dim, std::optional<ScalarType> dtype) {
  const Tensor x = dtype ? input.to(*dtype) : input;
  return ::tg::softmax(-x, dim);
}
inline Tensor glu(const Tensor& input, int64_t dim) { return ::tg::glu(input, dim); }
inline Tensor relu6(Tensor input, bool inplace) {
  if (inplace) return ::tg::relu6_(input);
  return ::tg::relu6(input);
}
inline Tensor rrelu(Tensor input, double lower, double upper, bool training, bool inplace) {
  if (inplace) return ::tg::rrelu_(input, lower, upper, training);
  return ::tg::rrelu(input, lower, upper, training);
}
inline Tensor celu(Tensor input, double alpha, bool inplace) {
  if (inplace) return ::tg::celu_(input, alpha);
  return ::tg::celu(input, alpha);
}
inline Tensor softplus(const Tensor& input, double beta, double threshold) {
  return ::tg::softplus(input, beta, threshold);
}
inline Tensor softshrink(const Tensor& input, double lambda) {
  return ::tg::softshrink(input, lambda);
}
inline Tensor threshold(Tensor input, double threshold, double value, bool inplace) {
  if (inplace) return ::tg::threshold_(input, threshold, value);
  return ::tg::threshold(input, threshold, value);
}
inline Tensor gumbel_softmax(const Tensor& logits, double tau, bool hard, int dim) {
  // Gumbel(0, 1) noise -log(Exp(1)), drawn without autograd.
  Tensor gumbels;
  {
    NoGradGuard no_grad;
    gumbels = -(-(::tg::rand(logits.sizes(), logits.dtype()).clamp_min(1e-20)).log()).log();
  }
  const Tensor soft = ::tg::softmax((logits + gumbels) / tau, dim);
  if (!hard) return soft;
  const Tensor index = std::get<1>(soft.max(dim, /*keepdim=*/true));
  const Tensor hard_y =
      ::tg::zeros_like(logits).scatter_add(dim, index, ::tg::ones_like(index, logits.dtype()));
  // Straight-through: the hard values forward, the soft gradient backward.
  return hard_y - soft.detach() + soft;
}
}  // namespace detail

/// alpha (exp(x) - 1) for x <= 0, x otherwise.
inline Tensor elu(Tensor input, const ELUFuncOptions& options = {}) {
  return detail::elu(input, options.alpha(), options.inplace());
}
/// scale * elu(x, alpha) with SELU's constants.
inline Tensor selu(Tensor input, const SELUFuncOptions& options = {}) {
  return detail::selu(input, options.inplace());
}
/// x where |x| > lambda, else 0.
inline Tensor hardshrink(const Tensor& input, const HardshrinkFuncOptions& options = {}) {
  return detail::hardshrink(input, options.lambda());
}
/// x clamped to [min_val, max_val].
inline Tensor hardtanh(Tensor input, const HardtanhFuncOptions& options = {}) {
  return detail::hardtanh(input, options.min_val(), options.max_val(), options.inplace());
}
/// log(sigmoid(x)).
inline Tensor logsigmoid(const Tensor& input) { return ::tg::log_sigmoid(input); }
/// softmax(-x) over options.dim().
inline Tensor softmin(const Tensor& input, const SoftminFuncOptions& options) {
  return detail::softmin(input, options.dim(), options.dtype());
}
/// a * sigmoid(b) for the halves a, b of the input along options.dim().
inline Tensor glu(const Tensor& input, const GLUFuncOptions& options = {}) {
  return detail::glu(input, options.dim());
}
/// x * tanh(softplus(x)).
inline Tensor mish(const Tensor& input) { return ::tg::mish(input); }
/// x where x > 0, else weight * x (weight per channel, or one for all).
inline Tensor prelu(const Tensor& input, const Tensor& weight) {
  return ::tg::prelu(input, weight);
}
/// min(max(x, 0), 6).
inline Tensor relu6(Tensor input, const ReLU6FuncOptions& options = {}) {
  return detail::relu6(input, options.inplace());
}
/// Randomized leaky ReLU (random slopes in training only).
inline Tensor rrelu(Tensor input, const RReLUFuncOptions& options = {}) {
  return detail::rrelu(input, options.lower(), options.upper(), options.training(),
                       options.inplace());
}
/// max(0, x) + min(0, alpha (exp(x / alpha) - 1)).
inline Tensor celu(Tensor input, const CELUFuncOptions& options = {}) {
  return detail::celu(input, options.alpha(), options.inplace());
}
/// x - lambda above lambda, x + lambda below -lambda, else 0.
inline Tensor softshrink(const Tensor& input, const SoftshrinkFuncOptions& options = {}) {
  return detail::softshrink(input, options.lambda());
}
/// x / (1 + |x|).
inline Tensor softsign(const Tensor& input) { return input / (input.abs() + 1); }
/// x - tanh(x).
inline Tensor tanhshrink(const Tensor& input) { return input - input.tanh(); }
/// x where x > threshold, else value.
inline Tensor threshold(Tensor input, const ThresholdFuncOptions& options) {
  return detail::threshold(input, options.threshold(), options.value(), options.inplace());
}
/// Samples from the Gumbel-softmax distribution over options.dim().
inline Tensor gumbel_softmax(const Tensor& logits, const GumbelSoftmaxFuncOptions& options = {}) {
  return detail::gumbel_softmax(logits, options.tau(), options.hard(), options.dim());
}

}  // namespace tg::nn::functional
