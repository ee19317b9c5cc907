// linear(input, weight, bias) = input @ weight^T + bias, composed of addmm and matmul as libtorch
// composes it, so its gradients (and their graph names) are those of the ops it reduces to.
#include "core/internal.h"
#include "tensorgrad/nn/ops_loss.h"

namespace tg {

Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias_opt) {
  TG_CHECK(input.defined(), "linear: the input tensor is undefined");
  TG_CHECK(weight.defined(), "linear: the weight tensor is undefined");
  const Tensor bias = bias_opt && bias_opt->defined() ? *bias_opt : Tensor();
  TG_CHECK(weight.dim() == 2,
           "linear: weight must be 2-D [out_features, in_features] but has shape ",
           detail::shape_str(weight.sizes()));
  TG_CHECK(input.dim() >= 1,
           "linear: input must have at least 1 dimension ([*, in_features]) but "
           "is a 0-d tensor");
  const int64_t in_features = weight.size(1), out_features = weight.size(0);
  TG_CHECK(input.size(-1) == in_features, "linear: the last dimension of the input ",
           detail::shape_str(input.sizes()), " must equal in_features = ", in_features,
           " of the weight ", detail::shape_str(weight.sizes()),
           " ([out_features, in_features]); reshape the input or build the layer with ",
           input.size(-1), " in_features");
  TG_CHECK(input.dtype() == weight.dtype(), "linear: input has dtype ", input.dtype(),
           " but weight has dtype ", weight.dtype(), "; convert one with .to(", weight.dtype(),
           ")");
  if (bias.defined()) {
    TG_CHECK(bias.dim() <= 1 && (bias.numel() == out_features || bias.numel() == 1),
             "linear: bias must have shape [", out_features, "] (out_features) but has shape ",
             detail::shape_str(bias.sizes()));
    TG_CHECK(bias.dtype() == weight.dtype(), "linear: bias has dtype ", bias.dtype(),
             " but weight has dtype ", weight.dtype(), "; convert it with .to(", weight.dtype(),
             ")");
  }
  const Tensor wt = weight.t();
  if (bias.defined()) {
    // One GEMM that adds the bias (AddmmBackward0), as libtorch; batched inputs fold their
    // leading dims into rows when that needs no copy.
    if (input.dim() == 2) return addmm(bias, input, wt);
    if (input.dim() >= 3 && input.is_contiguous() && input.numel() > 0) {
      DimVector out_shape(input.sizes().slice(0, static_cast<size_t>(input.dim() - 1)));
      out_shape.push_back(out_features);
      return addmm(bias, input.view({-1, in_features}), wt).view(out_shape);
    }
    return matmul(input, wt) + bias;
  }
  return matmul(input, wt);
}

}  // namespace tg
