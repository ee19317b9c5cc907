#pragma once
/// Transformer, as torch/nn/modules/transformer.h.
#include <cstdint>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/modules/container/any_value.h"
#include "tensorgrad/nn/modules/transformercoder.h"
#include "tensorgrad/nn/options/transformer.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// An encoder ("encoder": a TransformerEncoder with a final LayerNorm, or custom_encoder) and a
/// decoder ("decoder"); every parameter of more than one dimension is drawn with
/// xavier_uniform_. forward(src [S, N, d_model], tgt [T, N, d_model], masks...) returns
/// decoder(tgt, encoder(src)).
class TransformerImpl : public Cloneable<TransformerImpl> {
 public:
  explicit TransformerImpl(TransformerOptions options_);

  Tensor forward(const Tensor& src, const Tensor& tgt, const Tensor& src_mask = {},
                 const Tensor& tgt_mask = {}, const Tensor& memory_mask = {},
                 const Tensor& src_key_padding_mask = {}, const Tensor& tgt_key_padding_mask = {},
                 const Tensor& memory_key_padding_mask = {});
  void reset() override;
  void reset_parameters();
  /// [sz, sz] kFloat: 0 on and below the diagonal, -inf above (position i attends to j <= i).
  static Tensor generate_square_subsequent_mask(int64_t sz);

 protected:
  FORWARD_HAS_DEFAULT_ARGS({2, AnyValue(Tensor())}, {3, AnyValue(Tensor())},
                           {4, AnyValue(Tensor())}, {5, AnyValue(Tensor())},
                           {6, AnyValue(Tensor())}, {7, AnyValue(Tensor())})

 public:
  TransformerOptions options;
  AnyModule encoder;
  AnyModule decoder;
};
TG_MODULE(Transformer);

}  // namespace tg::nn
