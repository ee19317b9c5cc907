#pragma once
/// MultiheadAttention, as libtorch's (torch/nn/modules/activation.h).
#include <ostream>
#include <tuple>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any_value.h"
#include "tensorgrad/nn/modules/linear.h"
#include "tensorgrad/nn/options/multihead_attention.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// Parameters: in_proj_weight [3E, E] when kdim == vdim == E, else q_proj_weight [E, E],
/// k_proj_weight [E, kdim] and v_proj_weight [E, vdim] (xavier_uniform_); in_proj_bias [3E]
/// (zeros) with bias; bias_k, bias_v [1, 1, E] (xavier_normal_) with add_bias_kv; the submodule
/// out_proj, a Linear(E, E) whose bias starts at zero.
class MultiheadAttentionImpl : public Cloneable<MultiheadAttentionImpl> {
 public:
  MultiheadAttentionImpl(int64_t embed_dim, int64_t num_heads)
      : MultiheadAttentionImpl(MultiheadAttentionOptions(embed_dim, num_heads)) {}
  explicit MultiheadAttentionImpl(const MultiheadAttentionOptions& options_);

  /// See F::multi_head_attention_forward; dropout applies in training only.
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const Tensor& key_padding_mask = {}, bool need_weights = true,
                                     const Tensor& attn_mask = {},
                                     bool average_attn_weights = true);
  void reset() override;
  void _reset_parameters();
  /// "torch::nn::MultiheadAttention"; out_proj follows on its own line.
  void pretty_print(std::ostream& stream) const override;

  MultiheadAttentionOptions options;
  bool _qkv_same_embed_dim = true;
  Tensor in_proj_weight;
  Tensor in_proj_bias;
  Tensor bias_k;
  Tensor bias_v;
  Linear out_proj = nullptr;
  Tensor q_proj_weight;
  Tensor k_proj_weight;
  Tensor v_proj_weight;
  int64_t head_dim = 0;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({3, AnyValue(Tensor())}, {4, AnyValue(true)}, {5, AnyValue(Tensor())},
                           {6, AnyValue(true)})
};
TG_MODULE(MultiheadAttention);

}  // namespace tg::nn
