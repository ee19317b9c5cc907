#pragma once
/// Dropout, as torch/nn/modules/dropout.h.
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/dropout.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

namespace detail {

/// What the dropout modules share: their options, the check of p and the printing.
template <class Derived>
class DropoutImplBase : public Cloneable<Derived> {
 public:
  explicit DropoutImplBase(double p) : DropoutImplBase(DropoutOptions().p(p)) {}
  explicit DropoutImplBase(const DropoutOptions& options_ = {}) : options(options_) { reset(); }
  /// Checks that p is in [0, 1].
  void reset() override;
  /// "torch::nn::Dropout(p=0.5, inplace=false)".
  void pretty_print(std::ostream& stream) const override;

  DropoutOptions options;
};

}  // namespace detail

/// In training, zeroes each element with probability p and scales the rest by 1 / (1 - p); in
/// evaluation (after eval()), returns its input unchanged.
class DropoutImpl : public detail::DropoutImplBase<DropoutImpl> {
 public:
  using DropoutImplBase::DropoutImplBase;
  Tensor forward(Tensor input);
};
TG_MODULE(Dropout);

using Dropout2dOptions = DropoutOptions;

/// Channel dropout for [N, C, H, W] (or [C, H, W]) inputs: in training, zeroes whole channels
/// with probability p and scales the others by 1 / (1 - p); in evaluation, the identity.
class Dropout2dImpl : public detail::DropoutImplBase<Dropout2dImpl> {
 public:
  using DropoutImplBase::DropoutImplBase;
  Tensor forward(Tensor input);
};
TG_MODULE(Dropout2d);

}  // namespace tg::nn
