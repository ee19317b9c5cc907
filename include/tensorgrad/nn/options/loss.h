#pragma once
/// Options of the loss modules and of their nn::functional forms, as libtorch's
/// torch/nn/options/loss.h: each holds a `reduction_t` (tg::kNone, tg::kMean or tg::kSum, default
/// kMean) and the loss's other arguments with libtorch's defaults.
#include <cstdint>

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

}  // namespace tg::nn
