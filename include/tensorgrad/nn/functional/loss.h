#pragma once
/// nn::functional losses, as libtorch's torch/nn/functional/loss.h: l1_loss, mse_loss,
/// binary_cross_entropy, nll_loss, cross_entropy and binary_cross_entropy_with_logits, taking
/// their Options (or, for l1 and mse, a bare reduction: F::mse_loss(x, y, tg::kSum)). They check
/// shapes as libtorch's do and call the tensor-level functions of tensorgrad/nn/ops_loss.h.
#include <cstdint>

#include "tensorgrad/error.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/ops_loss.h"
#include "tensorgrad/nn/options/loss.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::functional {

namespace detail {
inline Tensor l1_loss(const Tensor& input, const Tensor& target,
                      L1LossFuncOptions::reduction_t reduction) {
  return ::tg::l1_loss(input, target, enumtype::reduction_get_enum(reduction));
}

/// Different shapes broadcast, with libtorch's warning (on stderr): usually a missing
/// unsqueeze or squeeze in the caller.
inline Tensor mse_loss(const Tensor& input, const Tensor& target,
                       MSELossFuncOptions::reduction_t reduction) {
  if (!input.sizes().equals(target.sizes()))
    ::tg::detail::warn_target_size("mse_loss", input.sizes(), target.sizes());
  return ::tg::mse_loss(input, target, enumtype::reduction_get_enum(reduction));
}

inline Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                                   BinaryCrossEntropyFuncOptions::reduction_t reduction) {
  TG_CHECK(target.sizes().equals(input.sizes()), "binary_cross_entropy: Using a target size (",
           target.sizes(), ") that is different to the input size (", input.sizes(),
           ") is deprecated. Please ensure they have the same size.");
  return ::tg::binary_cross_entropy(input, target, weight, enumtype::reduction_get_enum(reduction));
}

inline Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                       int64_t ignore_index, const NLLLossFuncOptions::reduction_t& reduction) {
  TG_CHECK(input.dim() >= 2, "nll_loss: Expected 2 or more dimensions (got ", input.dim(),
           "); nn::functional::nll_loss takes a batch [N, C, ...]: unsqueeze(0) a single sample");
  TG_CHECK(target.dim() >= 1 && input.size(0) == target.size(0),
           "nll_loss: Expected input batch_size (", input.size(0), ") to match target batch_size (",
           target.dim() >= 1 ? target.size(0) : 0, ").");
  return ::tg::nll_loss_nd(input, target, weight, enumtype::reduction_get_enum(reduction),
                           ignore_index);
}

inline Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            int64_t ignore_index, CrossEntropyFuncOptions::reduction_t reduction,
                            double label_smoothing) {
  return ::tg::cross_entropy_loss(input, target, weight, enumtype::reduction_get_enum(reduction),
                                  ignore_index, label_smoothing);
}

inline Tensor binary_cross_entropy_with_logits(
    const Tensor& input, const Tensor& target, const Tensor& weight,
    BinaryCrossEntropyWithLogitsFuncOptions::reduction_t reduction, const Tensor& pos_weight) {
  TG_CHECK(target.sizes().equals(input.sizes()), "binary_cross_entropy_with_logits: Target size (",
           target.sizes(), ") must be the same as input size (", input.sizes(), ")");
  return ::tg::binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                enumtype::reduction_get_enum(reduction));
}
}  // namespace detail

/// mean (or sum, or none) of |input - target|.
inline Tensor l1_loss(const Tensor& input, const Tensor& target,
                      const L1LossFuncOptions& options = {}) {
  return detail::l1_loss(input, target, options.reduction());
}

/// mean (or sum, or none) of (input - target)^2; different shapes broadcast with a warning.
inline Tensor mse_loss(const Tensor& input, const Tensor& target,
                       const MSELossFuncOptions& options = {}) {
  return detail::mse_loss(input, target, options.reduction());
}

/// Binary cross entropy of probabilities input in [0, 1]; target must have input's shape.
inline Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                                   const BinaryCrossEntropyFuncOptions& options = {}) {
  return detail::binary_cross_entropy(input, target, options.weight(), options.reduction());
}

/// Negative log likelihood of log-probabilities input [N, C, ...] and Long targets [N, ...].
inline Tensor nll_loss(const Tensor& input, const Tensor& target,
                       const NLLLossFuncOptions& options = {}) {
  return detail::nll_loss(input, target, options.weight(), options.ignore_index(),
                          options.reduction());
}

/// Cross entropy of logits input against class indices or class probabilities.
inline Tensor cross_entropy(const Tensor& input, const Tensor& target,
                            const CrossEntropyFuncOptions& options = {}) {
  return detail::cross_entropy(input, target, options.weight(), options.ignore_index(),
                               options.reduction(), options.label_smoothing());
}

/// Binary cross entropy of logits; target must have input's shape.
inline Tensor binary_cross_entropy_with_logits(
    const Tensor& input, const Tensor& target,
    const BinaryCrossEntropyWithLogitsFuncOptions& options = {}) {
  return detail::binary_cross_entropy_with_logits(input, target, options.weight(),
                                                  options.reduction(), options.pos_weight());
}

}  // namespace tg::nn::functional
