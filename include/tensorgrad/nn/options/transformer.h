#pragma once
/// Options of Transformer, as libtorch's torch/nn/options/transformer.h.
#include <cstdint>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/options/transformerlayer.h"

namespace tg::nn {

/// Transformer(): d_model 512, 8 heads, 6 encoder and 6 decoder layers, or the given
/// custom_encoder / custom_decoder (AnyModules with the forward() of TransformerEncoder /
/// TransformerDecoder).
struct TransformerOptions {
  TransformerOptions() = default;
  TransformerOptions(int64_t d_model, int64_t nhead) : d_model_(d_model), nhead_(nhead) {}
  TransformerOptions(int64_t d_model, int64_t nhead, int64_t num_encoder_layers,
                     int64_t num_decoder_layers)
      : d_model_(d_model),
        nhead_(nhead),
        num_encoder_layers_(num_encoder_layers),
        num_decoder_layers_(num_decoder_layers) {}
  TG_ARG(int64_t, d_model) = 512;
  TG_ARG(int64_t, nhead) = 8;
  TG_ARG(int64_t, num_encoder_layers) = 6;
  TG_ARG(int64_t, num_decoder_layers) = 6;
  TG_ARG(int64_t, dim_feedforward) = 2048;
  TG_ARG(double, dropout) = 0.1;
  TG_ARG(activation_t, activation) = kReLU;
  TG_ARG(AnyModule, custom_encoder);
  TG_ARG(AnyModule, custom_decoder);
};

}  // namespace tg::nn
