#pragma once
/// nn::functional losses, as libtorch's torch/nn/functional/loss.h: l1_loss, mse_loss,
/// binary_cross_entropy, nll_loss, cross_entropy and binary_cross_entropy_with_logits, taking
/// their Options (or, for l1 and mse, a bare reduction: F::mse_loss(x, y, tg::kSum)). They check
/// shapes as libtorch's do and call the tensor-level functions of tensorgrad/nn/ops_loss.h.
#include <cstdint>

#include "tensorgrad/error.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/ops_distance_loss.h"
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

namespace detail {
/// The Reduction value of a loss options' reduction variant.
template <class R>
int64_t reduction_enum(const R& r) {
  if (std::holds_alternative<enumtype::kNone>(r)) return Reduction::None;
  if (std::holds_alternative<enumtype::kSum>(r)) return Reduction::Sum;
  return Reduction::Mean;
}
}  // namespace detail

/// Kullback-Leibler divergence of input (log-probabilities) from target; kBatchMean divides the
/// sum by the batch size.
inline Tensor kl_div(const Tensor& input, const Tensor& target,
                     const KLDivFuncOptions& options = {}) {
  if (std::holds_alternative<enumtype::kBatchMean>(options.reduction())) {
    const Tensor sum = ::tg::kl_div(input, target, Reduction::Sum, options.log_target());
    return input.dim() == 0 ? sum : sum / static_cast<double>(input.size(0));
  }
  return ::tg::kl_div(input, target, detail::reduction_enum(options.reduction()),
                      options.log_target());
}
inline Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target,
                                   const HingeEmbeddingLossFuncOptions& options = {}) {
  return ::tg::hinge_embedding_loss(input, target, options.margin(),
                                    detail::reduction_enum(options.reduction()));
}
inline Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                                const MultiMarginLossFuncOptions& options = {}) {
  TG_CHECK(options.p() == 1 || options.p() == 2, "only p == 1 and p == 2 supported");
  if (options.weight().defined())
    TG_CHECK(options.weight().dim() == 1, "weight must be one-dimensional");
  return ::tg::multi_margin_loss(input, target, options.p(), options.margin(), options.weight(),
                                 detail::reduction_enum(options.reduction()));
}
inline Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2,
                                    const Tensor& target,
                                    const CosineEmbeddingLossFuncOptions& options = {}) {
  return ::tg::cosine_embedding_loss(input1, input2, target, options.margin(),
                                     detail::reduction_enum(options.reduction()));
}
inline Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target,
                                     const MultilabelMarginLossFuncOptions& options = {}) {
  return ::tg::multilabel_margin_loss(input, target, detail::reduction_enum(options.reduction()));
}
inline Tensor soft_margin_loss(const Tensor& input, const Tensor& target,
                               const SoftMarginLossFuncOptions& options = {}) {
  return ::tg::soft_margin_loss(input, target, detail::reduction_enum(options.reduction()));
}
inline Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target,
                                          const MultilabelSoftMarginLossFuncOptions& options = {}) {
  return ::tg::multilabel_soft_margin_loss(input, target, options.weight(),
                                           detail::reduction_enum(options.reduction()));
}
inline Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive,
                                  const Tensor& negative,
                                  const TripletMarginLossFuncOptions& options = {}) {
  return ::tg::triplet_margin_loss(anchor, positive, negative, options.margin(), options.p(),
                                   options.eps(), options.swap(),
                                   detail::reduction_enum(options.reduction()));
}
/// max(0, margin + d(a, p) - d(a, n)) with the given distance function (default: pairwise
/// distance); with swap, d(a, n) is min(d(a, n), d(p, n)).
inline Tensor triplet_margin_with_distance_loss(
    const Tensor& anchor, const Tensor& positive, const Tensor& negative,
    const TripletMarginWithDistanceLossFuncOptions& options = {}) {
  TG_CHECK(options.margin() > 0, "margin must be greater than 0, got ", options.margin());
  auto distance = [&](const Tensor& a, const Tensor& b) {
    return options.distance_function() ? (*options.distance_function())(a, b)
                                       : ::tg::pairwise_distance(a, b);
  };
  const Tensor d_pos = distance(anchor, positive);
  Tensor d_neg = distance(anchor, negative);
  if (options.swap()) d_neg = ::tg::minimum(d_neg, distance(positive, negative));
  const Tensor loss = (options.margin() + d_pos - d_neg).clamp_min(0);
  const int64_t r = detail::reduction_enum(options.reduction());
  return r == Reduction::Mean ? loss.mean() : (r == Reduction::Sum ? loss.sum() : loss);
}
inline Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                             const SmoothL1LossFuncOptions& options = {}) {
  return ::tg::smooth_l1_loss(input, target, detail::reduction_enum(options.reduction()),
                              options.beta());
}
/// The deprecated form with beta given apart from the options.
inline Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                             const SmoothL1LossFuncOptions& options, double beta) {
  return ::tg::smooth_l1_loss(input, target, detail::reduction_enum(options.reduction()), beta);
}
inline Tensor huber_loss(const Tensor& input, const Tensor& target,
                         const HuberLossFuncOptions& options = {}) {
  return ::tg::huber_loss(input, target, detail::reduction_enum(options.reduction()),
                          options.delta());
}
inline Tensor poisson_nll_loss(const Tensor& input, const Tensor& target,
                               const PoissonNLLLossFuncOptions& options = {}) {
  return ::tg::poisson_nll_loss(input, target, options.log_input(), options.full(), options.eps(),
                                detail::reduction_enum(options.reduction()));
}
inline Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                                  const MarginRankingLossFuncOptions& options = {}) {
  return ::tg::margin_ranking_loss(input1, input2, target, options.margin(),
                                   detail::reduction_enum(options.reduction()));
}
/// Cosine similarity of x1 and x2 along options.dim().
inline Tensor cosine_similarity(const Tensor& x1, const Tensor& x2,
                                const CosineSimilarityFuncOptions& options = {}) {
  return ::tg::cosine_similarity(x1, x2, options.dim(), options.eps());
}
/// ||x1 - x2 + eps||_p over the last dim.
inline Tensor pairwise_distance(const Tensor& x1, const Tensor& x2,
                                const PairwiseDistanceFuncOptions& options = {}) {
  return ::tg::pairwise_distance(x1, x2, options.p(), options.eps(), options.keepdim());
}
/// The p-norm distances between the rows of input, for each pair i < j.
inline Tensor pdist(const Tensor& input, double p = 2.0) { return ::tg::pdist(input, p); }

}  // namespace tg::nn::functional
