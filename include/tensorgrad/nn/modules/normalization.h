#pragma once
/// LayerNorm, as torch/nn/modules/normalization.h.
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/normalization.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// Normalises over the trailing normalized_shape dims, then (elementwise_affine) scales by weight
/// (ones at first) and shifts by bias (zeros at first), both of normalized_shape.
class LayerNormImpl : public Cloneable<LayerNormImpl> {
 public:
  LayerNormImpl(std::vector<int64_t> normalized_shape)  // NOLINT: implicit as in libtorch
      : LayerNormImpl(LayerNormOptions(std::move(normalized_shape))) {}
  explicit LayerNormImpl(LayerNormOptions options_);

  void reset() override;
  /// weight to ones, bias to zeros.
  void reset_parameters();
  /// "torch::nn::LayerNorm([4], eps=1e-05, elementwise_affine=true)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  LayerNormOptions options;
  Tensor weight;
  Tensor bias;
};
TG_MODULE(LayerNorm);

}  // namespace tg::nn
