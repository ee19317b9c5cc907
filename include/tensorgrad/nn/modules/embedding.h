#pragma once
/// Embedding, as torch/nn/modules/embedding.h.
#include <cstdint>
#include <ostream>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/options/embedding.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

/// A lookup table: row i of weight [num_embeddings, embedding_dim] for each index i of a Long
/// input, so [*] -> [*, embedding_dim]. The weight is initialised from N(0, 1), with the
/// padding_idx row (if any) zero.
class EmbeddingImpl : public Cloneable<EmbeddingImpl> {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(EmbeddingOptions options_);

  void reset() override;
  /// Draws a new weight from N(0, 1) and zeroes the padding row.
  void reset_parameters();
  /// "torch::nn::Embedding(num_embeddings=10, embedding_dim=3)".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& indices);

  EmbeddingOptions options;
  /// [num_embeddings, embedding_dim].
  Tensor weight;
};

/// The holder of EmbeddingImpl, with from_pretrained.
class Embedding : public ModuleHolder<EmbeddingImpl> {
 public:
  using ModuleHolder<EmbeddingImpl>::ModuleHolder;
  using Impl = EmbeddingImpl;

  /// An Embedding whose weight is `embeddings` (2-D), frozen (not requiring grad) unless
  /// options.freeze(false).
  static Embedding from_pretrained(const Tensor& embeddings,
                                   const EmbeddingFromPretrainedOptions& options = {});
};

}  // namespace tg::nn
