#pragma once
/// torch::nn::functional::embedding.
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/options/embedding.h"

namespace tg::nn::functional {

/// embedding(indices, weight, EmbeddingFuncOptions().padding_idx(0)): rows of weight picked by
/// indices (see tg::embedding). A negative padding_idx counts from the end; with max_norm the
/// rows looked up are first renormalised in place (without autograd).
inline Tensor embedding(const Tensor& input, const Tensor& weight,
                        const EmbeddingFuncOptions& options = {}) {
  TG_CHECK(weight.defined() && weight.dim() == 2,
           "embedding: expected a 2-D weight [num_embeddings, embedding_dim]");
  int64_t padding_idx = -1;
  if (options.padding_idx()) {
    padding_idx = *options.padding_idx();
    const int64_t rows = weight.size(0);
    TG_CHECK(padding_idx < rows && padding_idx >= -rows, "embedding: padding_idx ", padding_idx,
             " must be within num_embeddings (", rows, "); pass a value in [", -rows, ", ", rows,
             ")");
    if (padding_idx < 0) padding_idx += rows;
  }
  if (options.max_norm()) {
    NoGradGuard no_grad;
    Tensor w = weight;
    tg::embedding_renorm_(w, input.contiguous(), *options.max_norm(), options.norm_type());
  }
  return tg::embedding(weight, input, padding_idx, options.scale_grad_by_freq(), options.sparse());
}

}  // namespace tg::nn::functional
