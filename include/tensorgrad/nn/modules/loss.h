#pragma once
/// Loss modules, as torch/nn/modules/loss.h: L1Loss, MSELoss, BCELoss, BCEWithLogitsLoss,
/// NLLLoss and CrossEntropyLoss. forward(input, target) returns the loss; class weights given in
/// the options are registered as buffers (so that to(dtype) converts them).
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/loss.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// mean (or sum, or none) of |input - target|.
class L1LossImpl : public Cloneable<L1LossImpl> {
 public:
  explicit L1LossImpl(L1LossOptions options_ = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& target);

  L1LossOptions options;
};
TG_MODULE(L1Loss);

/// mean (or sum, or none) of (input - target)^2.
class MSELossImpl : public Cloneable<MSELossImpl> {
 public:
  explicit MSELossImpl(MSELossOptions options_ = {});
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& target);

  MSELossOptions options;
};
TG_MODULE(MSELoss);

/// Binary cross entropy of probabilities in [0, 1].
class BCELossImpl : public Cloneable<BCELossImpl> {
 public:
  explicit BCELossImpl(BCELossOptions options_ = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& target);

  BCELossOptions options;
  /// Buffer: per-element rescaling weight (undefined when not given).
  Tensor weight;
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
class NLLLossImpl : public Cloneable<NLLLossImpl> {
 public:
  explicit NLLLossImpl(NLLLossOptions options_ = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& target);

  NLLLossOptions options;
  /// Buffer: per-class weight [C] (undefined when not given).
  Tensor weight;
};
TG_MODULE(NLLLoss);

/// Cross entropy of logits [N, C, ...] against class indices or class probabilities, with
/// optional class weights and label smoothing.
class CrossEntropyLossImpl : public Cloneable<CrossEntropyLossImpl> {
 public:
  explicit CrossEntropyLossImpl(CrossEntropyLossOptions options_ = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& target);

  CrossEntropyLossOptions options;
  /// Buffer: per-class weight [C] (undefined when not given).
  Tensor weight;
};
TG_MODULE(CrossEntropyLoss);

}  // namespace tg::nn
