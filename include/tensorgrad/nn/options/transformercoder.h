#pragma once
/// Options of TransformerEncoder and TransformerDecoder, as libtorch's
/// torch/nn/options/transformercoder.h.
#include <cstdint>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/modules/transformerlayer.h"
#include "tensorgrad/nn/options/transformerlayer.h"

namespace tg::nn {

/// TransformerEncoderOptions(encoder_layer, num_layers).norm(AnyModule(LayerNorm(...))): the
/// encoder holds num_layers clones of encoder_layer, then the optional norm.
struct TransformerEncoderOptions {
  TransformerEncoderOptions(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : encoder_layer_(std::move(encoder_layer)), num_layers_(num_layers) {}
  TransformerEncoderOptions(const TransformerEncoderLayerOptions& encoder_layer_options,
                            int64_t num_layers)
      : encoder_layer_(encoder_layer_options), num_layers_(num_layers) {}
  TG_ARG(TransformerEncoderLayer, encoder_layer) = nullptr;
  TG_ARG(int64_t, num_layers);
  TG_ARG(AnyModule, norm);
};

/// TransformerDecoderOptions(decoder_layer, num_layers).norm(...), as the encoder's.
struct TransformerDecoderOptions {
  TransformerDecoderOptions(TransformerDecoderLayer decoder_layer, int64_t num_layers)
      : decoder_layer_(std::move(decoder_layer)), num_layers_(num_layers) {}
  TransformerDecoderOptions(const TransformerDecoderLayerOptions& decoder_layer_options,
                            int64_t num_layers)
      : decoder_layer_(decoder_layer_options), num_layers_(num_layers) {}
  TG_ARG(TransformerDecoderLayer, decoder_layer) = nullptr;
  TG_ARG(int64_t, num_layers);
  TG_ARG(AnyModule, norm);
};

}  // namespace tg::nn
