#pragma once
/// nn::functional activations, as libtorch's torch/nn/functional/activation.h: relu, leaky_relu,
/// gelu, silu, softplus, softmax and log_softmax, taking their Options.
#include "tensorgrad/functions.h"
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

}  // namespace tg::nn::functional
