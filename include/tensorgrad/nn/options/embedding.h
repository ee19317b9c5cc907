#pragma once
/// Options for embeddings, as torch::nn::EmbeddingOptions,
/// torch::nn::EmbeddingFromPretrainedOptions and torch::nn::functional::EmbeddingFuncOptions.
#include <cstdint>
#include <optional>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

/// Options for the Embedding module.
struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}

  /// Rows of the table.
  TG_ARG(int64_t, num_embeddings);
  /// Size of each row.
  TG_ARG(int64_t, embedding_dim);
  /// A row that gets no gradient (negative: counted from the end).
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  /// Rows looked up are renormalised in place to at most this norm.
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  /// The p of the norm for max_norm.
  TG_ARG(double, norm_type) = 2.;
  /// Divide each row's gradient by its index's frequency in the batch.
  TG_ARG(bool, scale_grad_by_freq) = false;
  /// Sparse gradients (not supported: must stay false).
  TG_ARG(bool, sparse) = false;
  /// A given table to use as the weight.
  TG_ARG(Tensor, _weight) = Tensor();
};

/// Options for Embedding::from_pretrained.
struct EmbeddingFromPretrainedOptions {
  /// Whether the table stays fixed (does not require grad).
  TG_ARG(bool, freeze) = true;
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  TG_ARG(bool, scale_grad_by_freq) = false;
  TG_ARG(bool, sparse) = false;
};

namespace functional {

/// Options for functional::embedding.
struct EmbeddingFuncOptions {
  TG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  TG_ARG(std::optional<double>, max_norm) = std::nullopt;
  TG_ARG(double, norm_type) = 2.;
  TG_ARG(bool, scale_grad_by_freq) = false;
  TG_ARG(bool, sparse) = false;
};

}  // namespace functional
}  // namespace tg::nn
