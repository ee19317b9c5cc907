#pragma once
/// Loss modules, as torch/nn/modules/loss.h: L1Loss, MSELoss, BCELoss, BCEWithLogitsLoss,
/// NLLLoss and CrossEntropyLoss. forward(input, target) returns the loss; class weights given in
/// the options are registered as buffers (so that to(dtype) converts them).
#include "tensorgrad/nn/functional/loss.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/loss.h"

namespace tg::nn {

namespace detail {

/// The base of BCELoss, NLLLoss and CrossEntropyLoss: their options, the buffer "weight" made from
/// options.weight(), and their printing.
template <class Derived, class Options>
class WeightedLossImpl : public Cloneable<Derived> {
 public:
  explicit WeightedLossImpl(Options options_ = {}) : options(std::move(options_)) { reset(); }
  void reset() override { weight = this->register_buffer("weight", options.weight()); }
  /// "torch::nn::NLLLoss()".
  void pretty_print(std::ostream& stream) const override {
    stream << holder_name(torch_type_name<Derived>()) << "()";
  }

  Options options;
  /// Buffer: the per-class (BCELoss: per-element) weight, undefined when not given.
  Tensor weight;
};

}  // namespace detail

/// mean (or sum, or none) of |input - target|.
class L1LossImpl : public detail::FunctionalImpl<L1LossImpl, L1LossOptions, functional::l1_loss,
                                                 const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(L1Loss);

/// mean (or sum, or none) of (input - target)^2.
class MSELossImpl : public detail::FunctionalImpl<MSELossImpl, MSELossOptions, functional::mse_loss,
                                                  const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(MSELoss);

/// Binary cross entropy of probabilities in [0, 1].
class BCELossImpl : public detail::WeightedLossImpl<BCELossImpl, BCELossOptions> {
 public:
  using WeightedLossImpl::WeightedLossImpl;
  Tensor forward(const Tensor& input, const Tensor& target);
};
TG_MODULE(BCELoss);

/// Binary cross entropy of logits, computed stably.
class BCEWithLogitsLossImpl : public Cloneable<BCEWithLogitsLossImpl> {
 public:
  explicit BCEWithLogitsLossImpl(BCEWithLogitsLossOptions options_ = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& target);

  BCEWithLogitsLossOptions options;
  /// Buffers (undefined when not given).
  Tensor weight;
  Tensor pos_weight;
};
TG_MODULE(BCEWithLogitsLoss);

/// Negative log likelihood of log-probabilities [N, C, ...] against Long class indices.
class NLLLossImpl : public detail::WeightedLossImpl<NLLLossImpl, NLLLossOptions> {
 public:
  using WeightedLossImpl::WeightedLossImpl;
  Tensor forward(const Tensor& input, const Tensor& target);
};
TG_MODULE(NLLLoss);

/// Cross entropy of logits [N, C, ...] against class indices or class probabilities, with
/// optional class weights and label smoothing.
class CrossEntropyLossImpl
    : public detail::WeightedLossImpl<CrossEntropyLossImpl, CrossEntropyLossOptions> {
 public:
  using WeightedLossImpl::WeightedLossImpl;
  Tensor forward(const Tensor& input, const Tensor& target);
};
TG_MODULE(CrossEntropyLoss);

// The losses and distances below are thin wrappers over nn::functional.

class KLDivLossImpl
    : public detail::FunctionalImpl<KLDivLossImpl, KLDivLossOptions, functional::kl_div,
                                    const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(KLDivLoss);

class HingeEmbeddingLossImpl
    : public detail::FunctionalImpl<HingeEmbeddingLossImpl, HingeEmbeddingLossOptions,
                                    functional::hinge_embedding_loss, const Tensor&,
                                    const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(HingeEmbeddingLoss);

class MultiMarginLossImpl
    : public detail::FunctionalImpl<MultiMarginLossImpl, MultiMarginLossOptions,
                                    functional::multi_margin_loss, const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(MultiMarginLoss);

class CosineEmbeddingLossImpl
    : public detail::FunctionalImpl<CosineEmbeddingLossImpl, CosineEmbeddingLossOptions,
                                    functional::cosine_embedding_loss, const Tensor&, const Tensor&,
                                    const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(CosineEmbeddingLoss);

class MultiLabelMarginLossImpl
    : public detail::FunctionalImpl<MultiLabelMarginLossImpl, MultiLabelMarginLossOptions,
                                    functional::multilabel_margin_loss, const Tensor&,
                                    const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(MultiLabelMarginLoss);

class SoftMarginLossImpl
    : public detail::FunctionalImpl<SoftMarginLossImpl, SoftMarginLossOptions,
                                    functional::soft_margin_loss, const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(SoftMarginLoss);

class MultiLabelSoftMarginLossImpl
    : public detail::FunctionalImpl<MultiLabelSoftMarginLossImpl, MultiLabelSoftMarginLossOptions,
                                    functional::multilabel_soft_margin_loss, const Tensor&,
                                    const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(MultiLabelSoftMarginLoss);

class TripletMarginLossImpl
    : public detail::FunctionalImpl<TripletMarginLossImpl, TripletMarginLossOptions,
                                    functional::triplet_margin_loss, const Tensor&, const Tensor&,
                                    const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(TripletMarginLoss);

class TripletMarginWithDistanceLossImpl
    : public detail::FunctionalImpl<TripletMarginWithDistanceLossImpl,
                                    TripletMarginWithDistanceLossOptions,
                                    functional::triplet_margin_with_distance_loss, const Tensor&,
                                    const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(TripletMarginWithDistanceLoss);

/// F::smooth_l1_loss is overloaded (its deprecated form takes beta apart): the cast picks the
/// form with the options.
class SmoothL1LossImpl : public detail::FunctionalImpl<
                             SmoothL1LossImpl, SmoothL1LossOptions,
                             static_cast<Tensor (*)(const Tensor&, const Tensor&,
                                                    const functional::SmoothL1LossFuncOptions&)>(
                                 functional::smooth_l1_loss),
                             const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(SmoothL1Loss);

class HuberLossImpl
    : public detail::FunctionalImpl<HuberLossImpl, HuberLossOptions, functional::huber_loss,
                                    const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(HuberLoss);

class PoissonNLLLossImpl
    : public detail::FunctionalImpl<PoissonNLLLossImpl, PoissonNLLLossOptions,
                                    functional::poisson_nll_loss, const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(PoissonNLLLoss);

class MarginRankingLossImpl
    : public detail::FunctionalImpl<MarginRankingLossImpl, MarginRankingLossOptions,
                                    functional::margin_ranking_loss, const Tensor&, const Tensor&,
                                    const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
};
TG_MODULE(MarginRankingLoss);

class CosineSimilarityImpl
    : public detail::FunctionalImpl<CosineSimilarityImpl, CosineSimilarityOptions,
                                    functional::cosine_similarity, const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(CosineSimilarity);

class PairwiseDistanceImpl
    : public detail::FunctionalImpl<PairwiseDistanceImpl, PairwiseDistanceOptions,
                                    functional::pairwise_distance, const Tensor&, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(PairwiseDistance);

}  // namespace tg::nn
