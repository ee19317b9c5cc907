#pragma once
/// TransformerEncoderLayer and TransformerDecoderLayer, as torch/nn/modules/transformerlayer.h.
/// Inputs are [sequence, batch, d_model].
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any_value.h"
#include "tensorgrad/nn/modules/dropout.h"
#include "tensorgrad/nn/modules/linear.h"
#include "tensorgrad/nn/modules/multihead_attention.h"
#include "tensorgrad/nn/modules/normalization.h"
#include "tensorgrad/nn/options/transformerlayer.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// x = norm1(src + dropout1(self_attn(src, src, src))); out = norm2(x + dropout2(linear2(
/// dropout(activation(linear1(x)))))).
class TransformerEncoderLayerImpl : public Cloneable<TransformerEncoderLayerImpl> {
 public:
  TransformerEncoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerEncoderLayerImpl(TransformerEncoderLayerOptions(d_model, nhead)) {}
  explicit TransformerEncoderLayerImpl(const TransformerEncoderLayerOptions& options_);

  /// src [S, N, d_model]; src_mask [S, S] (see MultiheadAttention's attn_mask);
  /// src_key_padding_mask [N, S] kBool, true for positions to ignore.
  Tensor forward(const Tensor& src, const Tensor& src_mask = {},
                 const Tensor& src_key_padding_mask = {});
  void reset() override;
  void reset_parameters();

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(Tensor())}, {2, AnyValue(Tensor())})

 public:
  TransformerEncoderLayerOptions options;
  MultiheadAttention self_attn = nullptr;
  Linear linear1 = nullptr;
  Dropout dropout = nullptr;
  Linear linear2 = nullptr;
  LayerNorm norm1 = nullptr;
  LayerNorm norm2 = nullptr;
  Dropout dropout1 = nullptr;
  Dropout dropout2 = nullptr;
};
TG_MODULE(TransformerEncoderLayer);

/// x = norm1(tgt + dropout1(self_attn(tgt))); x = norm2(x + dropout2(multihead_attn(x, memory,
/// memory))); out = norm3(x + dropout3(linear2(dropout(activation(linear1(x)))))).
class TransformerDecoderLayerImpl : public Cloneable<TransformerDecoderLayerImpl> {
 public:
  TransformerDecoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerDecoderLayerImpl(TransformerDecoderLayerOptions(d_model, nhead)) {}
  explicit TransformerDecoderLayerImpl(const TransformerDecoderLayerOptions& options_);

  void reset() override;
  void reset_parameters();
  /// tgt [T, N, d_model], memory [S, N, d_model]; masks as the encoder layer's, tgt_* over the
  /// target's self-attention and memory_* over the attention to the memory.
  Tensor forward(Tensor tgt, const Tensor& memory, const Tensor& tgt_mask = {},
                 const Tensor& memory_mask = {}, const Tensor& tgt_key_padding_mask = {},
                 const Tensor& memory_key_padding_mask = {});

  TransformerDecoderLayerOptions options;
  MultiheadAttention self_attn{nullptr};
  Dropout dropout1{nullptr};
  LayerNorm norm1{nullptr};
  MultiheadAttention multihead_attn{nullptr};
  Dropout dropout2{nullptr};
  LayerNorm norm2{nullptr};
  Linear linear1{nullptr};
  Dropout dropout{nullptr};
  Linear linear2{nullptr};
  Dropout dropout3{nullptr};
  LayerNorm norm3{nullptr};

 protected:
  FORWARD_HAS_DEFAULT_ARGS({2, AnyValue(Tensor())}, {3, AnyValue(Tensor())},
                           {4, AnyValue(Tensor())}, {5, AnyValue(Tensor())})
  /// options.activation() applied to input.
  Tensor activation(const Tensor& input);
};
TG_MODULE(TransformerDecoderLayer);

}  // namespace tg::nn
