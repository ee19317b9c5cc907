#pragma once
/// torch::nn::utils::parameters_to_vector and vector_to_parameters.
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::utils {

/// The parameters flattened and concatenated into one vector (differentiable: a cat of views).
inline Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> flat;
  flat.reserve(parameters.size());
  for (const Tensor& p : parameters) {
    TG_CHECK(p.defined(), "parameters_to_vector: a parameter is undefined");
    flat.push_back(p.reshape({-1}));
  }
  return cat(flat, 0);
}

/// Writes consecutive slices of vec into the parameters (in order, each taking as many values as
/// it has), without recording autograd history. vec must have exactly that many values.
inline void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  TG_CHECK(vec.defined(), "vector_to_parameters: the vector is undefined");
  TG_CHECK(vec.dim() == 1, "vector_to_parameters: expected a 1-D vector but got shape ",
           vec.sizes());
  int64_t total = 0;
  for (const Tensor& p : parameters) total += p.numel();
  TG_CHECK(total == vec.numel(), "vector_to_parameters: the parameters have ", total,
           " values but the vector has ", vec.numel());
  NoGradGuard no_grad;
  int64_t offset = 0;
  for (const Tensor& p : parameters) {
    const int64_t n = p.numel();
    Tensor target = p;
    target.copy_(vec.slice(0, offset, offset + n).view(p.sizes()));
    offset += n;
  }
}

}  // namespace tg::nn::utils
