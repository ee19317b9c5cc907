#pragma once
/// TransformerEncoder and TransformerDecoder, as torch/nn/modules/transformercoder.h.
#include <cstdint>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/modules/container/any_value.h"
#include "tensorgrad/nn/modules/container/modulelist.h"
#include "tensorgrad/nn/options/transformercoder.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// num_layers clones of an encoder layer applied in turn ("layers"), then the optional "norm".
class TransformerEncoderImpl : public Cloneable<TransformerEncoderImpl> {
 public:
  TransformerEncoderImpl(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : TransformerEncoderImpl(TransformerEncoderOptions(std::move(encoder_layer), num_layers)) {}
  explicit TransformerEncoderImpl(TransformerEncoderOptions options_);

  Tensor forward(const Tensor& src, const Tensor& src_mask = {},
                 const Tensor& src_key_padding_mask = {});
  void reset() override;
  /// Resets every layer's parameters and replaces the norm by a fresh clone of options.norm().
  void reset_parameters();

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(Tensor())}, {2, AnyValue(Tensor())})

 public:
  TransformerEncoderOptions options;
  ModuleList layers = nullptr;
  AnyModule norm;
};
TG_MODULE(TransformerEncoder);

/// num_layers clones of a decoder layer applied in turn, then the optional norm.
class TransformerDecoderImpl : public Cloneable<TransformerDecoderImpl> {
 public:
  TransformerDecoderImpl(TransformerDecoderLayer decoder_layer, int64_t num_layers)
      : TransformerDecoderImpl(TransformerDecoderOptions(std::move(decoder_layer), num_layers)) {}
  explicit TransformerDecoderImpl(TransformerDecoderOptions options_);

  void reset() override;
  void reset_parameters();
  Tensor forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask = {},
                 const Tensor& memory_mask = {}, const Tensor& tgt_key_padding_mask = {},
                 const Tensor& memory_key_padding_mask = {});

  TransformerDecoderOptions options;
  ModuleList layers{nullptr};
  AnyModule norm;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({2, AnyValue(Tensor())}, {3, AnyValue(Tensor())},
                           {4, AnyValue(Tensor())}, {5, AnyValue(Tensor())})
};
TG_MODULE(TransformerDecoder);

}  // namespace tg::nn
