// Embedding.
#include "tensorgrad/nn/modules/embedding.h"

#include <ostream>

#include "core/internal.h"
#include "tensorgrad/nn/functional/embedding.h"
#include "tensorgrad/nn/init.h"

namespace tg::nn {

EmbeddingImpl::EmbeddingImpl(EmbeddingOptions options_) : options(std::move(options_)) { reset(); }

void EmbeddingImpl::reset() {
  const int64_t rows = options.num_embeddings(), cols = options.embedding_dim();
  TG_CHECK(rows >= 0 && cols >= 0,
           "Embedding: num_embeddings and embedding_dim must be non-negative, got ", rows, " and ",
           cols);
  if (options.padding_idx()) {
    const int64_t p = *options.padding_idx();
    TG_CHECK(p < rows && p >= -rows, "Embedding: padding_idx ", p,
             " must be within num_embeddings (", rows, "); pass a value in [", -rows, ", ", rows,
             ")");
    if (p < 0) options.padding_idx(p + rows);
  }
  if (!options._weight().defined()) {
    weight = register_parameter("weight", tg::empty({rows, cols}));
    reset_parameters();
  } else {
    const Tensor& given = options._weight();
    TG_CHECK(given.dim() == 2 && given.size(0) == rows && given.size(1) == cols,
             "Embedding: the shape of _weight ", tg::detail::shape_str(given.sizes()),
             " does not match num_embeddings and embedding_dim [", rows, ", ", cols, "]");
    weight = register_parameter("weight", given);
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard no_grad;
    weight[*options.padding_idx()].fill_(0);
  }
}

void EmbeddingImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Embedding(num_embeddings=" << options.num_embeddings()
         << ", embedding_dim=" << options.embedding_dim();
  if (options.padding_idx()) stream << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) stream << ", max_norm=" << *options.max_norm();
  if (options.norm_type() != 2) stream << ", norm_type=" << options.norm_type();
  if (options.scale_grad_by_freq()) stream << ", scale_grad_by_freq=true";
  if (options.sparse()) stream << ", sparse=true";
  stream << ")";
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  TG_CHECK(indices.defined(), "Embedding: the input is undefined");
  TG_CHECK(indices.dtype() == kLong, "Embedding: expected indices of dtype Long but got ",
           indices.dtype(), " (shape ", tg::detail::shape_str(indices.sizes()),
           "); convert them with .to(tg::kLong)");
  return functional::embedding(indices, weight,
                               functional::EmbeddingFuncOptions()
                                   .padding_idx(options.padding_idx())
                                   .max_norm(options.max_norm())
                                   .norm_type(options.norm_type())
                                   .scale_grad_by_freq(options.scale_grad_by_freq())
                                   .sparse(options.sparse()));
}

Embedding Embedding::from_pretrained(const Tensor& embeddings,
                                     const EmbeddingFromPretrainedOptions& options) {
  TG_CHECK(embeddings.defined() && embeddings.dim() == 2,
           "Embedding::from_pretrained: embeddings are expected to be 2-dimensional "
           "[num_embeddings, embedding_dim], got ",
           embeddings.defined() ? tg::detail::shape_str(embeddings.sizes()) : "undefined");
  Embedding embedding(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                          ._weight(embeddings)
                          .padding_idx(options.padding_idx())
                          .max_norm(options.max_norm())
                          .norm_type(options.norm_type())
                          .scale_grad_by_freq(options.scale_grad_by_freq())
                          .sparse(options.sparse()));
  embedding->weight.set_requires_grad(!options.freeze());
  return embedding;
}

}  // namespace tg::nn
