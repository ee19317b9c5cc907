#pragma once
/// Options of the loss modules and of their nn::functional forms, as libtorch's
/// torch/nn/options/loss.h: each holds a `reduction_t` (tg::kNone, tg::kMean or tg::kSum, default
/// kMean) and the loss's other arguments with libtorch's defaults.
#include <cstdint>
#include <functional>
#include <optional>
#include <variant>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/ops_loss.h"
#include "tensorgrad/tensor.h"

/// Constructors from a bare reduction, so that `F::mse_loss(x, y, tg::kSum)` works (libtorch's
/// TORCH_OPTIONS_CTOR_VARIANT_ARG3).
#define TG_LOSS_OPTIONS_REDUCTION_CTORS(Options)                             \
  Options() = default;                                                       \
  /* implicit */ Options(::tg::enumtype::kNone) : reduction_(::tg::kNone) {} \
  /* implicit */ Options(::tg::enumtype::kMean) : reduction_(::tg::kMean) {} \
  /* implicit */ Options(::tg::enumtype::kSum) : reduction_(::tg::kSum) {}

namespace tg::nn {

/// L1Loss: |x - y|, reduced.
struct L1LossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(L1LossOptions)
  /// kNone, kMean or kSum.
  TG_ARG(reduction_t, reduction) = kMean;
};

/// MSELoss: (x - y)^2, reduced.
struct MSELossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(MSELossOptions)
  /// kNone, kMean or kSum.
  TG_ARG(reduction_t, reduction) = kMean;
};

/// BCELoss: binary cross entropy of probabilities, with an optional weight per element.
struct BCELossOptions {
  typedef LossReduction reduction_t;
  /// Rescales each element's loss; broadcasts to the input's shape.
  TG_ARG(Tensor, weight) = {};
  /// kNone, kMean or kSum.
  TG_ARG(reduction_t, reduction) = kMean;
};

/// NLLLoss: negative log likelihood of log-probabilities, with class weights.
struct NLLLossOptions {
  typedef LossReduction reduction_t;
  /// A weight per class ([C]); Mean then divides by the total weight of the counted targets.
  TG_ARG(Tensor, weight) = {};
  /// Targets equal to it contribute nothing (neither loss nor weight).
  TG_ARG(int64_t, ignore_index) = -100;
  /// kNone, kMean or kSum.
  TG_ARG(reduction_t, reduction) = kMean;
};

/// CrossEntropyLoss: log_softmax then NLLLoss, or class-probability targets.
struct CrossEntropyLossOptions {
  typedef LossReduction reduction_t;
  /// A weight per class ([C]).
  TG_ARG(Tensor, weight) = {};
  /// Targets equal to it contribute nothing (class-index targets only).
  TG_ARG(int64_t, ignore_index) = -100;
  /// kNone, kMean or kSum.
  TG_ARG(reduction_t, reduction) = kMean;
  /// In [0, 1]: the share of the target mixed with the uniform distribution.
  TG_ARG(double, label_smoothing) = 0.0;
};

/// BCEWithLogitsLoss: binary cross entropy of logits (sigmoid built in, numerically stable).
struct BCEWithLogitsLossOptions {
  typedef LossReduction reduction_t;
  /// Rescales each element's loss; broadcasts.
  TG_ARG(Tensor, weight) = {};
  /// kNone, kMean or kSum.
  TG_ARG(reduction_t, reduction) = kMean;
  /// A weight of the positive examples, per class (broadcast along the last dim).
  TG_ARG(Tensor, pos_weight) = {};
};

namespace functional {
using L1LossFuncOptions = L1LossOptions;
using MSELossFuncOptions = MSELossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
}  // namespace functional

/// KLDivLoss: reduction kNone, kBatchMean (sum / batch size), kSum or kMean.
struct KLDivLossOptions {
  typedef std::variant<enumtype::kNone, enumtype::kBatchMean, enumtype::kSum, enumtype::kMean>
      reduction_t;
  KLDivLossOptions() = default;
  /* implicit */ KLDivLossOptions(enumtype::kNone) : reduction_(kNone) {}            // NOLINT
  /* implicit */ KLDivLossOptions(enumtype::kBatchMean) : reduction_(kBatchMean) {}  // NOLINT
  /* implicit */ KLDivLossOptions(enumtype::kSum) : reduction_(kSum) {}              // NOLINT
  /* implicit */ KLDivLossOptions(enumtype::kMean) : reduction_(kMean) {}            // NOLINT
  TG_ARG(reduction_t, reduction) = kMean;
  /// Whether the target holds log-probabilities.
  TG_ARG(bool, log_target) = false;
};

/// HingeEmbeddingLoss(margin = 1).
struct HingeEmbeddingLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(HingeEmbeddingLossOptions)
  TG_ARG(double, margin) = 1.0;
  TG_ARG(reduction_t, reduction) = kMean;
};

/// MultiMarginLoss(p = 1 or 2, margin = 1, weight per class).
struct MultiMarginLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(MultiMarginLossOptions)
  TG_ARG(int64_t, p) = 1;
  TG_ARG(double, margin) = 1.0;
  TG_ARG(Tensor, weight) = Tensor();
  TG_ARG(reduction_t, reduction) = kMean;
};

/// CosineEmbeddingLoss(margin = 0).
struct CosineEmbeddingLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(CosineEmbeddingLossOptions)
  TG_ARG(double, margin) = 0.0;
  TG_ARG(reduction_t, reduction) = kMean;
};

/// MultiLabelMarginLoss.
struct MultiLabelMarginLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(MultiLabelMarginLossOptions)
  TG_ARG(reduction_t, reduction) = kMean;
};

/// SoftMarginLoss.
struct SoftMarginLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(SoftMarginLossOptions)
  TG_ARG(reduction_t, reduction) = kMean;
};

/// MultiLabelSoftMarginLoss(weight per class).
struct MultiLabelSoftMarginLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(MultiLabelSoftMarginLossOptions)
  TG_ARG(Tensor, weight) = Tensor();
  TG_ARG(reduction_t, reduction) = kMean;
};

/// TripletMarginLoss(margin = 1, p = 2, eps = 1e-6, swap = false).
struct TripletMarginLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(TripletMarginLossOptions)
  TG_ARG(double, margin) = 1.0;
  TG_ARG(double, p) = 2.0;
  TG_ARG(double, eps) = 1e-6;
  TG_ARG(bool, swap) = false;
  TG_ARG(reduction_t, reduction) = kMean;
};

/// TripletMarginWithDistanceLoss: a distance function (default pairwise_distance), margin, swap.
struct TripletMarginWithDistanceLossOptions {
  typedef LossReduction reduction_t;
  typedef std::function<Tensor(const Tensor&, const Tensor&)> distance_function_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(TripletMarginWithDistanceLossOptions)
  TG_ARG(std::optional<distance_function_t>, distance_function) = std::nullopt;
  TG_ARG(double, margin) = 1.0;
  TG_ARG(bool, swap) = false;
  TG_ARG(reduction_t, reduction) = kMean;
};

/// SmoothL1Loss(beta = 1).
struct SmoothL1LossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(SmoothL1LossOptions)
  TG_ARG(reduction_t, reduction) = kMean;
  TG_ARG(double, beta) = 1.0;
};

/// HuberLoss(delta = 1).
struct HuberLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(HuberLossOptions)
  TG_ARG(reduction_t, reduction) = kMean;
  TG_ARG(double, delta) = 1.0;
};

/// PoissonNLLLoss(log_input = true, full = false, eps = 1e-8).
struct PoissonNLLLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(PoissonNLLLossOptions)
  TG_ARG(bool, log_input) = true;
  TG_ARG(bool, full) = false;
  TG_ARG(double, eps) = 1e-8;
  TG_ARG(reduction_t, reduction) = kMean;
};

/// MarginRankingLoss(margin = 0).
struct MarginRankingLossOptions {
  typedef LossReduction reduction_t;
  TG_LOSS_OPTIONS_REDUCTION_CTORS(MarginRankingLossOptions)
  TG_ARG(double, margin) = 0;
  TG_ARG(reduction_t, reduction) = kMean;
};

/// CosineSimilarity(dim = 1, eps = 1e-8).
struct CosineSimilarityOptions {
  TG_ARG(int64_t, dim) = 1;
  TG_ARG(double, eps) = 1e-8;
};

/// PairwiseDistance(p = 2, eps = 1e-6, keepdim = false).
struct PairwiseDistanceOptions {
  TG_ARG(double, p) = 2.0;
  TG_ARG(double, eps) = 1e-6;
  TG_ARG(bool, keepdim) = false;
};

namespace functional {
using KLDivFuncOptions = KLDivLossOptions;
using HingeEmbeddingLossFuncOptions = HingeEmbeddingLossOptions;
using MultiMarginLossFuncOptions = MultiMarginLossOptions;
using CosineEmbeddingLossFuncOptions = CosineEmbeddingLossOptions;
using MultilabelMarginLossFuncOptions = MultiLabelMarginLossOptions;
using SoftMarginLossFuncOptions = SoftMarginLossOptions;
using MultilabelSoftMarginLossFuncOptions = MultiLabelSoftMarginLossOptions;
using TripletMarginLossFuncOptions = TripletMarginLossOptions;
using TripletMarginWithDistanceLossFuncOptions = TripletMarginWithDistanceLossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using HuberLossFuncOptions = HuberLossOptions;
using PoissonNLLLossFuncOptions = PoissonNLLLossOptions;
using MarginRankingLossFuncOptions = MarginRankingLossOptions;
using CosineSimilarityFuncOptions = CosineSimilarityOptions;
using PairwiseDistanceFuncOptions = PairwiseDistanceOptions;
}  // namespace functional

}  // namespace tg::nn
