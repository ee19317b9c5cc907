// TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder and
// Transformer, built from MultiheadAttention, Linear, Dropout and LayerNorm.
#include "tensorgrad/nn/modules/transformer.h"

#include <limits>

#include "core/internal.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/modules/transformercoder.h"
#include "tensorgrad/nn/modules/transformerlayer.h"
#include "tensorgrad/nn/ops_loss.h"

namespace tg::nn {

namespace {

Tensor apply_activation(const activation_t& activation, const Tensor& input) {
  if (std::holds_alternative<enumtype::kGELU>(activation)) return tg::gelu(input);
  if (std::holds_alternative<enumtype::kReLU>(activation)) return tg::relu(input);
  const auto& fn = std::get<std::function<Tensor(const Tensor&)>>(activation);
  TG_CHECK(static_cast<bool>(fn),
           "Transformer layer: the activation is an empty std::function; give kReLU, kGELU or a "
           "callable");
  return fn(input);
}

}  // namespace

// ---- TransformerEncoderLayer ----

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(
    const TransformerEncoderLayerOptions& options_)
    : options(options_) {
  reset();
}

void TransformerEncoderLayerImpl::reset() {
  const int64_t d = options.d_model();
  self_attn = register_module(
      "self_attn",
      MultiheadAttention(MultiheadAttentionOptions(d, options.nhead()).dropout(options.dropout())));
  linear1 = register_module("linear1", Linear(d, options.dim_feedforward()));
  dropout = register_module("dropout", Dropout(options.dropout()));
  linear2 = register_module("linear2", Linear(options.dim_feedforward(), d));
  norm1 = register_module("norm1", LayerNorm(LayerNormOptions({d})));
  norm2 = register_module("norm2", LayerNorm(LayerNormOptions({d})));
  dropout1 = register_module("dropout1", Dropout(options.dropout()));
  dropout2 = register_module("dropout2", Dropout(options.dropout()));
}

void TransformerEncoderLayerImpl::reset_parameters() {
  self_attn->_reset_parameters();
  linear1->reset_parameters();
  linear2->reset_parameters();
  norm1->reset_parameters();
  norm2->reset_parameters();
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src, const Tensor& src_mask,
                                            const Tensor& src_key_padding_mask) {
  const Tensor attended =
      std::get<0>(self_attn(src, src, src, src_key_padding_mask, /*need_weights=*/true, src_mask));
  const Tensor x = norm1(src + dropout1(attended));
  const Tensor fed = linear2(dropout(apply_activation(options.activation(), linear1(x))));
  return norm2(x + dropout2(fed));
}

// ---- TransformerDecoderLayer ----

TransformerDecoderLayerImpl::TransformerDecoderLayerImpl(
    const TransformerDecoderLayerOptions& options_)
    : options(options_) {
  reset();
}

void TransformerDecoderLayerImpl::reset() {
  const int64_t d = options.d_model();
  const auto attention = MultiheadAttentionOptions(d, options.nhead()).dropout(options.dropout());
  // Registered in libtorch 1.13's order, which its printing shows.
  self_attn = register_module("self_attn", MultiheadAttention(attention));
  multihead_attn = register_module("multihead_attn", MultiheadAttention(attention));
  linear1 = register_module("linear1", Linear(d, options.dim_feedforward()));
  dropout = register_module("dropout", Dropout(options.dropout()));
  linear2 = register_module("linear2", Linear(options.dim_feedforward(), d));
  norm1 = register_module("norm1", LayerNorm(LayerNormOptions({d})));
  norm2 = register_module("norm2", LayerNorm(LayerNormOptions({d})));
  norm3 = register_module("norm3", LayerNorm(LayerNormOptions({d})));
  dropout1 = register_module("dropout1", Dropout(options.dropout()));
  dropout2 = register_module("dropout2", Dropout(options.dropout()));
  dropout3 = register_module("dropout3", Dropout(options.dropout()));
}

void TransformerDecoderLayerImpl::reset_parameters() {
  self_attn->_reset_parameters();
  norm1->reset_parameters();
  multihead_attn->_reset_parameters();
  norm2->reset_parameters();
  linear1->reset_parameters();
  linear2->reset_parameters();
  norm3->reset_parameters();
}

Tensor TransformerDecoderLayerImpl::activation(const Tensor& input) {
  return apply_activation(options.activation(), input);
}

Tensor TransformerDecoderLayerImpl::forward(Tensor tgt, const Tensor& memory,
                                            const Tensor& tgt_mask, const Tensor& memory_mask,
                                            const Tensor& tgt_key_padding_mask,
                                            const Tensor& memory_key_padding_mask) {
  Tensor attended =
      std::get<0>(self_attn(tgt, tgt, tgt, tgt_key_padding_mask, /*need_weights=*/false, tgt_mask));
  tgt = norm1(tgt + dropout1(attended));
  attended = std::get<0>(multihead_attn(tgt, memory, memory, memory_key_padding_mask,
                                        /*need_weights=*/false, memory_mask));
  tgt = norm2(tgt + dropout2(attended));
  const Tensor fed = linear2(dropout(activation(linear1(tgt))));
  return norm3(tgt + dropout3(fed));
}

// ---- TransformerEncoder, TransformerDecoder ----
// Both are a stack of layer clones followed by an optional norm; `coder` and `kind` name the
// module and its layer type in error messages.

namespace {

template <typename LayerHolder>
ModuleList clone_layers(const char* coder, const char* kind, int64_t num_layers,
                        const LayerHolder& layer) {
  TG_CHECK(num_layers >= 0, coder, ": num_layers must be non-negative, got ", num_layers);
  TG_CHECK(!layer.is_empty() || num_layers == 0, coder, ": the ", kind,
           " layer is empty (nullptr)");
  ModuleList layers;
  for (int64_t i = 0; i < num_layers; ++i) layers->push_back(layer->clone());
  return layers;
}

template <typename LayerImpl>
void reset_layers(const char* coder, const char* kind, int64_t num_layers, ModuleList& layers) {
  TG_CHECK(static_cast<int64_t>(layers->size()) == num_layers, coder, " should have ", num_layers,
           " ", kind, " layers, but got ", layers->size());
  for (size_t i = 0; i < layers->size(); ++i) layers->at<LayerImpl>(i).reset_parameters();
}

// Sets `norm` to a fresh clone of `prototype` registered as "norm" (nothing when it is empty).
// An earlier "norm" must already be unregistered.
void set_norm(Module& owner, AnyModule& norm, const AnyModule& prototype) {
  norm = AnyModule();
  if (prototype.is_empty()) return;
  norm = prototype.clone();
  owner.register_module("norm", norm.ptr());
}

void replace_norm(Module& owner, AnyModule& norm, const AnyModule& prototype) {
  if (!norm.is_empty()) owner.unregister_module("norm");
  set_norm(owner, norm, prototype);
}

template <typename LayerImpl, typename... Args>
Tensor run_layers(ModuleList& layers, AnyModule& norm, Tensor output, const Args&... args) {
  for (size_t i = 0; i < layers->size(); ++i)
    output = layers->at<LayerImpl>(i).forward(output, args...);
  if (!norm.is_empty()) output = norm.forward<Tensor>(output);
  return output;
}

}  // namespace

TransformerEncoderImpl::TransformerEncoderImpl(TransformerEncoderOptions options_)
    : options(std::move(options_)) {
  reset();
}

void TransformerEncoderImpl::reset() {
  layers = register_module("layers", clone_layers("TransformerEncoder", "encoder",
                                                  options.num_layers(), options.encoder_layer()));
  set_norm(*this, norm, options.norm());
}

void TransformerEncoderImpl::reset_parameters() {
  reset_layers<TransformerEncoderLayerImpl>("TransformerEncoder", "encoder", options.num_layers(),
                                            layers);
  replace_norm(*this, norm, options.norm());
}

Tensor TransformerEncoderImpl::forward(const Tensor& src, const Tensor& src_mask,
                                       const Tensor& src_key_padding_mask) {
  return run_layers<TransformerEncoderLayerImpl>(layers, norm, src, src_mask, src_key_padding_mask);
}

TransformerDecoderImpl::TransformerDecoderImpl(TransformerDecoderOptions options_)
    : options(std::move(options_)) {
  reset();
}

void TransformerDecoderImpl::reset() {
  layers = register_module("layers", clone_layers("TransformerDecoder", "decoder",
                                                  options.num_layers(), options.decoder_layer()));
  set_norm(*this, norm, options.norm());
}

void TransformerDecoderImpl::reset_parameters() {
  reset_layers<TransformerDecoderLayerImpl>("TransformerDecoder", "decoder", options.num_layers(),
                                            layers);
  replace_norm(*this, norm, options.norm());
}

Tensor TransformerDecoderImpl::forward(const Tensor& tgt, const Tensor& memory,
                                       const Tensor& tgt_mask, const Tensor& memory_mask,
                                       const Tensor& tgt_key_padding_mask,
                                       const Tensor& memory_key_padding_mask) {
  return run_layers<TransformerDecoderLayerImpl>(layers, norm, tgt, memory, tgt_mask, memory_mask,
                                                 tgt_key_padding_mask, memory_key_padding_mask);
}

// ---- Transformer ----

TransformerImpl::TransformerImpl(TransformerOptions options_) : options(std::move(options_)) {
  reset();
}

void TransformerImpl::reset() {
  const int64_t d = options.d_model();
  if (options.custom_encoder().is_empty()) {
    TransformerEncoder encoder_module(
        TransformerEncoderOptions(TransformerEncoderLayerOptions(d, options.nhead())
                                      .dim_feedforward(options.dim_feedforward())
                                      .dropout(options.dropout())
                                      .activation(options.activation()),
                                  options.num_encoder_layers())
            .norm(AnyModule(LayerNorm(LayerNormOptions({d})))));
    encoder = AnyModule(encoder_module);
  } else {
    encoder = options.custom_encoder().clone();
  }
  register_module("encoder", encoder.ptr());
  if (options.custom_decoder().is_empty()) {
    TransformerDecoder decoder_module(
        TransformerDecoderOptions(TransformerDecoderLayerOptions(d, options.nhead())
                                      .dim_feedforward(options.dim_feedforward())
                                      .dropout(options.dropout())
                                      .activation(options.activation()),
                                  options.num_decoder_layers())
            .norm(AnyModule(LayerNorm(LayerNormOptions({d})))));
    decoder = AnyModule(decoder_module);
  } else {
    decoder = options.custom_decoder().clone();
  }
  register_module("decoder", decoder.ptr());
  reset_parameters();
}

void TransformerImpl::reset_parameters() {
  for (Tensor& p : parameters())
    if (p.dim() > 1) init::xavier_uniform_(p);
}

Tensor TransformerImpl::forward(const Tensor& src, const Tensor& tgt, const Tensor& src_mask,
                                const Tensor& tgt_mask, const Tensor& memory_mask,
                                const Tensor& src_key_padding_mask,
                                const Tensor& tgt_key_padding_mask,
                                const Tensor& memory_key_padding_mask) {
  TG_CHECK(src.defined() && tgt.defined(), "Transformer: src and tgt must be defined");
  TG_CHECK(src.dim() == 3 && tgt.dim() == 3,
           "src and tgt should have 3 dimensions ([sequence, batch, d_model]), but got ", src.dim(),
           " and ", tgt.dim(), " (src ", tg::detail::shape_str(src.sizes()), ", tgt ",
           tg::detail::shape_str(tgt.sizes()), ")");
  TG_CHECK(src.size(1) == tgt.size(1),
           "src and tgt should have equal batch size (at dim 1), but got ", src.size(1), " and ",
           tgt.size(1));
  TG_CHECK(src.size(2) == options.d_model() && tgt.size(2) == options.d_model(),
           "src and tgt should have same feature size as d_model (at dim 2), but got ", src.size(2),
           " and ", tgt.size(2), " while d_model is ", options.d_model());
  const Tensor memory = encoder.forward<Tensor>(src, src_mask, src_key_padding_mask);
  return decoder.forward<Tensor>(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                                 memory_key_padding_mask);
}

Tensor TransformerImpl::generate_square_subsequent_mask(int64_t sz) {
  TG_CHECK(sz >= 0,
           "Transformer::generate_square_subsequent_mask: the size must be non-negative, got ", sz);
  Tensor mask = tg::zeros({sz, sz}, kFloat);
  float* p = mask.data_ptr<float>();
  for (int64_t i = 0; i < sz; ++i)
    for (int64_t j = i + 1; j < sz; ++j) p[i * sz + j] = -std::numeric_limits<float>::infinity();
  return mask;
}

}  // namespace tg::nn
