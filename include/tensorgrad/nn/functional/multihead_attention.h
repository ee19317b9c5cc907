#pragma once
/// nn::functional::multi_head_attention_forward, as libtorch's (torch/nn/functional/
/// activation.h).
#include <tuple>

#include "tensorgrad/nn/options/multihead_attention.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::functional {

/// Multi-head scaled dot-product attention. query [L, N, E], key [S, N, kdim], value
/// [S, N, vdim]. Each is projected (in_proj_weight's three row blocks, or the separate
/// q/k/v_proj_weight), split into num_heads heads of E / num_heads features, and per head
/// softmax(q k^T / sqrt(head_dim) + mask) v; the heads are joined and projected by
/// out_proj_weight. Returns (output [L, N, E], weights [N, L, S] averaged over the heads, or
/// [N, heads, L, S], or undefined without need_weights). Composed of differentiable ops.
std::tuple<Tensor, Tensor> multi_head_attention_forward(
    const Tensor& query, const Tensor& key, const Tensor& value,
    const MultiheadAttentionForwardFuncOptions& options);

}  // namespace tg::nn::functional
