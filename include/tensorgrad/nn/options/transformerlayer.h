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

/// TransformerEncoderLayer(d_model, nhead): self-attention then a feed-forward block, each
/// followed by dropout, a residual connection and LayerNorm.
struct TransformerEncoderLayerOptions {
  /* implicit */ TransformerEncoderLayerOptions(int64_t d_model, int64_t nhead)  // NOLINT
      : d_model_(d_model), nhead_(nhead) {}
  /// Features of the input.
  TG_ARG(int64_t, d_model);
  /// Attention heads.
  TG_ARG(int64_t, nhead);
  /// Width of the feed-forward block.
  TG_ARG(int64_t, dim_feedforward) = 2048;
  TG_ARG(double, dropout) = 0.1;
  TG_ARG(activation_t, activation) = kReLU;
};

/// TransformerDecoderLayer(d_model, nhead): self-attention, attention over the memory, then a
/// feed-forward block, each followed by dropout, a residual connection and LayerNorm.
struct TransformerDecoderLayerOptions {
  TransformerDecoderLayerOptions(int64_t d_model, int64_t nhead)
      : d_model_(d_model), nhead_(nhead) {}
  TG_ARG(int64_t, d_model);
  TG_ARG(int64_t, nhead);
  TG_ARG(int64_t, dim_feedforward) = 2048;
  TG_ARG(double, dropout) = 0.1;
  TG_ARG(activation_t, activation) = kReLU;
};

}  // namespace tg::nn
