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

namespace tg::nn {

namespace detail {
/// The reduction of every loss but KLDiv: kNone, kMean or kSum, default kMean. Setters return
/// the `Options` deriving from it. The constructors from a bare reduction let
/// `F::mse_loss(x, y, tg::kSum)` work; a loss inherits them (`using`) where libtorch gives it them
/// (its TORCH_OPTIONS_CTOR_VARIANT_ARG3).
template <class Options>
struct LossReductionOption {
  typedef LossReduction reduction_t;
  LossReductionOption() = default;
  /* implicit */ LossReductionOption(enumtype::kNone) : reduction_(kNone) {}  // NOLINT
  /* implicit */ LossReductionOption(enumtype::kMean) : reduction_(kMean) {}  // NOLINT
  /* implicit */ LossReductionOption(enumtype::kSum) : reduction_(kSum) {}    // NOLINT
  /// kNone, kMean or kSum.
  TG_SHARED_ARG(Options, reduction_t, reduction) = kMean;
};
}  // namespace detail

/// L1Loss: |x - y|, reduced.
struct L1LossOptions : detail::LossReductionOption<L1LossOptions> {
  using LossReductionOption::LossReductionOption;
};
namespace functional {
using L1LossFuncOptions = L1LossOptions;
}  // namespace functional

/// MSELoss: (x - y)^2, reduced.
struct MSELossOptions : detail::LossReductionOption<MSELossOptions> {
  using LossReductionOption::LossReductionOption;
};
namespace functional {
using MSELossFuncOptions = MSELossOptions;
}  // namespace functional

/// BCELoss: binary cross entropy of probabilities, with an optional weight per element.
struct BCELossOptions : detail::LossReductionOption<BCELossOptions> {
  /// Rescales each element's loss; broadcasts to the input's shape.
  TG_ARG(Tensor, weight) = {};
};
namespace functional {
using BinaryCrossEntropyFuncOptions = BCELossOptions;
}  // namespace functional

/// NLLLoss: negative log likelihood of log-probabilities, with class weights.
struct NLLLossOptions : detail::LossReductionOption<NLLLossOptions> {
  /// A weight per class ([C]); Mean then divides by the total weight of the counted targets.
  TG_ARG(Tensor, weight) = {};
  /// Targets equal to it contribute nothing (neither loss nor weight).
  TG_ARG(int64_t, ignore_index) = -100;
};
namespace functional {
using NLLLossFuncOptions = NLLLossOptions;
}  // namespace functional

/// CrossEntropyLoss: log_softmax then NLLLoss, or class-probability targets.
struct CrossEntropyLossOptions : detail::LossReductionOption<CrossEntropyLossOptions> {
  /// A weight per class ([C]).
  TG_ARG(Tensor, weight) = {};
  /// Targets equal to it contribute nothing (class-index targets only).
  TG_ARG(int64_t, ignore_index) = -100;
  /// In [0, 1]: the share of the target mixed with the uniform distribution.
  TG_ARG(double, label_smoothing) = 0.0;
};
namespace functional {
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
}  // namespace functional

/// BCEWithLogitsLoss: binary cross entropy of logits (sigmoid built in, numerically stable).
struct BCEWithLogitsLossOptions : detail::LossReductionOption<BCEWithLogitsLossOptions> {
  /// Rescales each element's loss; broadcasts.
  TG_ARG(Tensor, weight) = {};
  /// A weight of the positive examples, per class (broadcast along the last dim).
  TG_ARG(Tensor, pos_weight) = {};
};
namespace functional {
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
namespace functional {
using KLDivFuncOptions = KLDivLossOptions;
}  // namespace functional

/// HingeEmbeddingLoss(margin = 1).
struct HingeEmbeddingLossOptions : detail::LossReductionOption<HingeEmbeddingLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(double, margin) = 1.0;
};
namespace functional {
using HingeEmbeddingLossFuncOptions = HingeEmbeddingLossOptions;
}  // namespace functional

/// MultiMarginLoss(p = 1 or 2, margin = 1, weight per class).
struct MultiMarginLossOptions : detail::LossReductionOption<MultiMarginLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(int64_t, p) = 1;
  TG_ARG(double, margin) = 1.0;
  TG_ARG(Tensor, weight) = Tensor();
};
namespace functional {
using MultiMarginLossFuncOptions = MultiMarginLossOptions;
}  // namespace functional

/// CosineEmbeddingLoss(margin = 0).
struct CosineEmbeddingLossOptions : detail::LossReductionOption<CosineEmbeddingLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(double, margin) = 0.0;
};
namespace functional {
using CosineEmbeddingLossFuncOptions = CosineEmbeddingLossOptions;
}  // namespace functional

/// MultiLabelMarginLoss.
struct MultiLabelMarginLossOptions : detail::LossReductionOption<MultiLabelMarginLossOptions> {
  using LossReductionOption::LossReductionOption;
};
namespace functional {
using MultilabelMarginLossFuncOptions = MultiLabelMarginLossOptions;
}  // namespace functional

/// SoftMarginLoss.
struct SoftMarginLossOptions : detail::LossReductionOption<SoftMarginLossOptions> {
  using LossReductionOption::LossReductionOption;
};
namespace functional {
using SoftMarginLossFuncOptions = SoftMarginLossOptions;
}  // namespace functional

/// MultiLabelSoftMarginLoss(weight per class).
struct MultiLabelSoftMarginLossOptions
    : detail::LossReductionOption<MultiLabelSoftMarginLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(Tensor, weight) = Tensor();
};
namespace functional {
using MultilabelSoftMarginLossFuncOptions = MultiLabelSoftMarginLossOptions;
}  // namespace functional

/// TripletMarginLoss(margin = 1, p = 2, eps = 1e-6, swap = false).
struct TripletMarginLossOptions : detail::LossReductionOption<TripletMarginLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(double, margin) = 1.0;
  TG_ARG(double, p) = 2.0;
  TG_ARG(double, eps) = 1e-6;
  TG_ARG(bool, swap) = false;
};
namespace functional {
using TripletMarginLossFuncOptions = TripletMarginLossOptions;
}  // namespace functional

/// TripletMarginWithDistanceLoss: a distance function (default pairwise_distance), margin, swap.
struct TripletMarginWithDistanceLossOptions
    : detail::LossReductionOption<TripletMarginWithDistanceLossOptions> {
  typedef std::function<Tensor(const Tensor&, const Tensor&)> distance_function_t;
  using LossReductionOption::LossReductionOption;
  TG_ARG(std::optional<distance_function_t>, distance_function) = std::nullopt;
  TG_ARG(double, margin) = 1.0;
  TG_ARG(bool, swap) = false;
};
namespace functional {
using TripletMarginWithDistanceLossFuncOptions = TripletMarginWithDistanceLossOptions;
}  // namespace functional

/// SmoothL1Loss(beta = 1).
struct SmoothL1LossOptions : detail::LossReductionOption<SmoothL1LossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(double, beta) = 1.0;
};
namespace functional {
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
}  // namespace functional

/// HuberLoss(delta = 1).
struct HuberLossOptions : detail::LossReductionOption<HuberLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(double, delta) = 1.0;
};
namespace functional {
using HuberLossFuncOptions = HuberLossOptions;
}  // namespace functional

/// PoissonNLLLoss(log_input = true, full = false, eps = 1e-8).
struct PoissonNLLLossOptions : detail::LossReductionOption<PoissonNLLLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(bool, log_input) = true;
  TG_ARG(bool, full) = false;
  TG_ARG(double, eps) = 1e-8;
};
namespace functional {
using PoissonNLLLossFuncOptions = PoissonNLLLossOptions;
}  // namespace functional

/// MarginRankingLoss(margin = 0).
struct MarginRankingLossOptions : detail::LossReductionOption<MarginRankingLossOptions> {
  using LossReductionOption::LossReductionOption;
  TG_ARG(double, margin) = 0;
};
namespace functional {
using MarginRankingLossFuncOptions = MarginRankingLossOptions;
}  // namespace functional

/// CosineSimilarity(dim = 1, eps = 1e-8).
struct CosineSimilarityOptions {
  TG_ARG(int64_t, dim) = 1;
  TG_ARG(double, eps) = 1e-8;
};
namespace functional {
using CosineSimilarityFuncOptions = CosineSimilarityOptions;
}  // namespace functional

/// PairwiseDistance(p = 2, eps = 1e-6, keepdim = false).
struct PairwiseDistanceOptions {
  TG_ARG(double, p) = 2.0;
  TG_ARG(double, eps) = 1e-6;
  TG_ARG(bool, keepdim) = false;
};
namespace functional {
using PairwiseDistanceFuncOptions = PairwiseDistanceOptions;
}  // namespace functional

}  // namespace tg::nn
