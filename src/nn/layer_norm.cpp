// Layer normalisation (F::layer_norm and LayerNorm), composed of differentiable ops.
#include <numeric>
#include <ostream>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/functional/normalization.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/modules/normalization.h"

namespace tg::nn {

namespace functional::detail {

Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape,
                  const Tensor& weight, const Tensor& bias, double eps) {
  TG_CHECK(input.defined(), "layer_norm: the input is undefined");
  const auto k = static_cast<int64_t>(normalized_shape.size());
  TG_CHECK(k >= 1, "layer_norm: normalized_shape must have at least one dimension");
  bool fits = input.dim() >= k;
  for (int64_t i = 0; fits && i < k; ++i)
    fits = input.size(input.dim() - k + i) == normalized_shape[i];
  TG_CHECK(fits, "layer_norm: expected an input whose trailing dimensions are ",
           tg::detail::shape_str(normalized_shape), " (normalized_shape), got input shape ",
           tg::detail::shape_str(input.sizes()));
  for (const Tensor* p : {&weight, &bias})
    TG_CHECK(!p->defined() || p->sizes() == IntArrayRef(normalized_shape),
             "layer_norm: expected weight and bias of shape ",
             tg::detail::shape_str(normalized_shape), " (normalized_shape), got ",
             tg::detail::shape_str(p->sizes()));
  std::vector<int64_t> dims(k);
  std::iota(dims.begin(), dims.end(), input.dim() - k);
  const Tensor centered = input - input.mean(dims, /*keepdim=*/true);
  const Tensor variance = centered.square().mean(dims, /*keepdim=*/true);
  Tensor out = centered * (variance + eps).rsqrt();
  if (weight.defined()) out = out * weight;
  if (bias.defined()) out = out + bias;
  return out;
}

}  // namespace functional::detail

LayerNormImpl::LayerNormImpl(LayerNormOptions options_) : options(std::move(options_)) { reset(); }

void LayerNormImpl::reset() {
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", tg::empty(options.normalized_shape()));
    bias = register_parameter("bias", tg::empty(options.normalized_shape()));
  } else {
    weight = register_parameter("weight", Tensor(), /*requires_grad=*/false);
    bias = register_parameter("bias", Tensor(), /*requires_grad=*/false);
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (options.elementwise_affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

void LayerNormImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::LayerNorm([";
  for (size_t i = 0; i < options.normalized_shape().size(); ++i)
    stream << (i > 0 ? ", " : "") << options.normalized_shape()[i];
  stream << "], eps=" << options.eps() << ", elementwise_affine=" << options.elementwise_affine()
         << ")";
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return functional::detail::layer_norm(input, options.normalized_shape(), weight, bias,
                                        options.eps());
}

}  // namespace tg::nn
