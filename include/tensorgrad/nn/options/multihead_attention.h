#pragma once
/// Options of multi-head attention (module and functional), as libtorch's
/// MultiheadAttentionOptions and MultiheadAttentionForwardFuncOptions (torch/nn/options/
/// activation.h).
#include <cstdint>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

/// MultiheadAttention(embed_dim, num_heads): kdim and vdim default to embed_dim.
struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(int64_t embed_dim, int64_t num_heads)
      : embed_dim_(embed_dim), num_heads_(num_heads), kdim_(embed_dim), vdim_(embed_dim) {}
  /// Features of the query (and of the output).
  TG_ARG(int64_t, embed_dim);
  /// Parallel heads; embed_dim must be divisible by it.
  TG_ARG(int64_t, num_heads);
  /// Dropout on the attention weights, in training.
  TG_ARG(double, dropout) = 0.0;
  /// Biases on the input and output projections.
  TG_ARG(bool, bias) = true;
  /// Learned bias_k and bias_v appended to the keys and values as one more position.
  TG_ARG(bool, add_bias_kv) = false;
  /// Appends a position of zeros to the keys and values.
  TG_ARG(bool, add_zero_attn) = false;
  /// Features of the key.
  TG_ARG(int64_t, kdim);
  /// Features of the value.
  TG_ARG(int64_t, vdim);
};

namespace functional {

/// The arguments of F::multi_head_attention_forward beyond query, key and value.
struct MultiheadAttentionForwardFuncOptions {
  MultiheadAttentionForwardFuncOptions(int64_t embed_dim_to_check, int64_t num_heads,
                                       Tensor in_proj_weight, Tensor in_proj_bias, Tensor bias_k,
                                       Tensor bias_v, bool add_zero_attn, double dropout_p,
                                       Tensor out_proj_weight, Tensor out_proj_bias)
      : embed_dim_to_check_(embed_dim_to_check),
        num_heads_(num_heads),
        in_proj_weight_(std::move(in_proj_weight)),
        in_proj_bias_(std::move(in_proj_bias)),
        bias_k_(std::move(bias_k)),
        bias_v_(std::move(bias_v)),
        add_zero_attn_(add_zero_attn),
        dropout_p_(dropout_p),
        out_proj_weight_(std::move(out_proj_weight)),
        out_proj_bias_(std::move(out_proj_bias)) {}
  TG_ARG(int64_t, embed_dim_to_check);
  TG_ARG(int64_t, num_heads);
  /// [3 * embed_dim, embed_dim]: the query, key and value projections stacked.
  TG_ARG(Tensor, in_proj_weight);
  TG_ARG(Tensor, in_proj_bias);
  TG_ARG(Tensor, bias_k);
  TG_ARG(Tensor, bias_v);
  TG_ARG(bool, add_zero_attn);
  TG_ARG(double, dropout_p);
  TG_ARG(Tensor, out_proj_weight);
  TG_ARG(Tensor, out_proj_bias);
  TG_ARG(bool, training) = true;
  /// [batch, source length] kBool: true marks keys to ignore.
  TG_ARG(Tensor, key_padding_mask) = {};
  /// Whether to return the attention weights.
  TG_ARG(bool, need_weights) = true;
  /// [target, source] or [batch * heads, target, source]: added to the scores (floating), or
  /// true marks pairs that may not attend (kBool).
  TG_ARG(Tensor, attn_mask) = {};
  /// Use q_proj_weight, k_proj_weight and v_proj_weight instead of in_proj_weight.
  TG_ARG(bool, use_separate_proj_weight) = false;
  TG_ARG(Tensor, q_proj_weight) = {};
  TG_ARG(Tensor, k_proj_weight) = {};
  TG_ARG(Tensor, v_proj_weight) = {};
  /// Keys and values already projected and split into heads: [batch * heads, source, head_dim].
  TG_ARG(Tensor, static_k) = {};
  TG_ARG(Tensor, static_v) = {};
  /// Return the weights averaged over the heads ([batch, target, source]) rather than per head
  /// ([batch, heads, target, source]).
  TG_ARG(bool, average_attn_weights) = true;
};

}  // namespace functional
}  // namespace tg::nn
