#pragma once
/// Linear, Flatten and Identity modules, as torch/nn/modules/linear.h.
#include <cstdint>

#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/linear.h"

namespace tg::nn {

/// y = x W^T + b for x of shape [*, in_features]: weight [out_features, in_features] and bias
/// [out_features], both initialised as libtorch does (kaiming_uniform_ with a = sqrt(5), so
/// U(-1/sqrt(in_features), 1/sqrt(in_features)), and the same bound for the bias).
class LinearImpl : public Cloneable<LinearImpl> {
 public:
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options_);

  void reset() override;
  /// Draws new weights (and bias) from the default distribution.
  void reset_parameters();
  /// "torch::nn::Linear(in_features=784, out_features=256, bias=true)".
  void pretty_print(std::ostream& stream) const override;
  /// [*, in_features] -> [*, out_features]; throws naming both sizes when the last dimension is
  /// not in_features.
  Tensor forward(const Tensor& input);

  LinearOptions options;
  /// [out_features, in_features].
  Tensor weight;
  /// [out_features], or undefined when options.bias() is false.
  Tensor bias;
};
TG_MODULE(Linear);

/// Flattens dims start_dim..end_dim (default 1..-1, so [N, C, H, W] -> [N, C*H*W]).
class FlattenImpl : public detail::OptionsOnlyImpl<FlattenImpl, FlattenOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  /// "torch::nn::Flatten(start_dim=1, end_dim=-1)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(Flatten);

/// Returns its input unchanged (a placeholder in a Sequential).
class IdentityImpl : public Cloneable<IdentityImpl> {
 public:
  /// Accepts and ignores any arguments, as libtorch.
  template <class... Args>
  explicit IdentityImpl(const Args&...) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return input; }
};
TG_MODULE(Identity);

}  // namespace tg::nn
