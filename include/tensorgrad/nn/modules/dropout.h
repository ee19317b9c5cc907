#pragma once
/// Dropout, as torch/nn/modules/dropout.h.
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/dropout.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// In training, zeroes each element with probability p and scales the rest by 1 / (1 - p); in
/// evaluation (after eval()), returns its input unchanged.
class DropoutImpl : public Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p) : DropoutImpl(DropoutOptions().p(p)) {}
  explicit DropoutImpl(const DropoutOptions& options_ = {});
  /// Checks that p is in [0, 1].
  void reset() override;
  /// "torch::nn::Dropout(p=0.5, inplace=false)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);

  DropoutOptions options;
};
TG_MODULE(Dropout);

using Dropout2dOptions = DropoutOptions;

/// Channel dropout for [N, C, H, W] (or [C, H, W]) inputs: in training, zeroes whole channels
/// with probability p and scales the others by 1 / (1 - p); in evaluation, the identity.
class Dropout2dImpl : public Cloneable<Dropout2dImpl> {
 public:
  explicit Dropout2dImpl(double p) : Dropout2dImpl(Dropout2dOptions().p(p)) {}
  explicit Dropout2dImpl(const Dropout2dOptions& options_ = {});
  /// Checks that p is in [0, 1].
  void reset() override;
  /// "torch::nn::Dropout2d(p=0.5, inplace=false)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);

  Dropout2dOptions options;
};
TG_MODULE(Dropout2d);

}  // namespace tg::nn
