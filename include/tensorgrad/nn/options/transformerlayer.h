#pragma once
/// Options of the Transformer encoder and decoder layers, as libtorch's
/// torch/nn/options/transformerlayer.h.
#include <cstdint>
#include <functional>
#include <variant>

#include "tensorgrad/enum.h"
#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

/// The feed-forward activation: kReLU, kGELU or any Tensor(const Tensor&) callable.
using activation_t =
    std::variant<enumtype::kReLU, enumtype::kGELU, std::function<Tensor(const Tensor&)>>;

namespace detail {
/// The fields both layers' options share; setters return the `Options` that derive from it.
template <class Options>
struct TransformerLayerCommonOptions {
  TransformerLayerCommonOptions(int64_t d_model, int64_t nhead)  // NOLINT: implicit, as libtorch
      : d_model_(d_model), nhead_(nhead) {}
  /// Features of the input.
  TG_SHARED_ARG(Options, int64_t, d_model);
  /// Attention heads.
  TG_SHARED_ARG(Options, int64_t, nhead);
  /// Width of the feed-forward block.
  TG_SHARED_ARG(Options, int64_t, dim_feedforward) = 2048;
  TG_SHARED_ARG(Options, double, dropout) = 0.1;
  TG_SHARED_ARG(Options, activation_t, activation) = kReLU;
};
}  // namespace detail

/// TransformerEncoderLayer(d_model, nhead): self-attention then a feed-forward block, each
/// followed by dropout, a residual connection and LayerNorm.
struct TransformerEncoderLayerOptions
    : detail::TransformerLayerCommonOptions<TransformerEncoderLayerOptions> {
  using TransformerLayerCommonOptions::TransformerLayerCommonOptions;
};

/// TransformerDecoderLayer(d_model, nhead): self-attention, attention over the memory, then a
/// feed-forward block, each followed by dropout, a residual connection and LayerNorm.
struct TransformerDecoderLayerOptions
    : detail::TransformerLayerCommonOptions<TransformerDecoderLayerOptions> {
  using TransformerLayerCommonOptions::TransformerLayerCommonOptions;
};

}  // namespace tg::nn
