// layer_norm, group_norm and instance_norm, composed of differentiable ops.
#include <optional>
#include <string>

#include "core/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/ops_norm.h"

namespace tg {
namespace {

Tensor defined_or_empty(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

void check_input(const Tensor& input, const char* op) {
  TG_CHECK(input.defined(), op, ": the input is undefined");
  TG_CHECK(input.is_floating_point(), op, ": expected a Float or Double input but got ",
           input.dtype(), "; convert with .to(tg::kFloat)");
}

/// Sizes [1, C, 1, ...] that broadcast a per-channel vector against an input of `dim` dims.
DimVector channel_shape(int64_t channels, int64_t dim) {
  DimVector shape(static_cast<size_t>(dim), 1);
  shape[1] = channels;
  return shape;
}

}  // namespace

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape,
                  const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                  double eps, bool /*cudnn_enable*/) {
  check_input(input, "layer_norm");
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  TG_CHECK(k >= 1,
           "layer_norm: Expected normalized_shape to be at least 1-dimensional, i.e., "
           "containing at least one element, but got normalized_shape = []");
  const Tensor w = defined_or_empty(weight), b = defined_or_empty(bias);
  TG_CHECK(!w.defined() || w.sizes() == normalized_shape,
           "layer_norm: Expected weight to be of same shape as normalized_shape, but got weight of "
           "shape ",
           detail::shape_str(w.sizes()),
           " and normalized_shape = ", detail::shape_str(normalized_shape));
  TG_CHECK(
      !b.defined() || b.sizes() == normalized_shape,
      "layer_norm: Expected bias to be of same shape as normalized_shape, but got bias of shape ",
      detail::shape_str(b.sizes()),
      " and normalized_shape = ", detail::shape_str(normalized_shape));
  bool matches = input.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i)
    matches = input.size(input.dim() - k + i) == normalized_shape[i];
  TG_CHECK(matches, "layer_norm: Given normalized_shape=", detail::shape_str(normalized_shape),
           ", expected input with shape [*, ", detail::shape_str(normalized_shape).substr(1),
           ", but got input of size", detail::shape_str(input.sizes()));
  DimVector dims;
  for (int64_t d = input.dim() - k; d < input.dim(); ++d) dims.push_back(d);
  const Tensor mean = input.mean(dims, /*keepdim=*/true);
  const Tensor var = input.var(dims, /*unbiased=*/false, /*keepdim=*/true);
  Tensor out = (input - mean) * (var + eps).rsqrt();
  if (w.defined()) out = out * w;
  if (b.defined()) out = out + b;
  return out;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps, bool /*cudnn_enabled*/) {
  check_input(input, "group_norm");
  TG_CHECK(input.dim() >= 2, "group_norm: expected an input [N, C, *] of at least 2 dims but got ",
           detail::shape_str(input.sizes()));
  const int64_t n = input.size(0), c = input.size(1);
  TG_CHECK(num_groups > 0 && c % num_groups == 0,
           "group_norm: Expected number of channels in input to be divisible by num_groups, but "
           "got input of "
           "shape ",
           detail::shape_str(input.sizes()), " and num_groups=", num_groups);
  const Tensor w = defined_or_empty(weight), b = defined_or_empty(bias);
  TG_CHECK(!w.defined() || (w.dim() == 1 && w.numel() == c),
           "group_norm: Expected weight to be a vector of size equal to the number of channels in "
           "input, but "
           "got weight of shape ",
           detail::shape_str(w.sizes()), " and input of shape ", detail::shape_str(input.sizes()));
  TG_CHECK(!b.defined() || (b.dim() == 1 && b.numel() == c),
           "group_norm: Expected bias to be a vector of size equal to the number of channels in "
           "input, but got "
           "bias of shape ",
           detail::shape_str(b.sizes()), " and input of shape ", detail::shape_str(input.sizes()));
  const Tensor grouped = input.reshape({n, num_groups, -1});
  const Tensor mean = grouped.mean({2}, /*keepdim=*/true);
  const Tensor var = grouped.var({2}, /*unbiased=*/false, /*keepdim=*/true);
  Tensor out = ((grouped - mean) * (var + eps).rsqrt()).reshape(input.sizes());
  const DimVector shape = channel_shape(c, input.dim());
  if (w.defined()) out = out * w.reshape(shape);
  if (b.defined()) out = out + b.reshape(shape);
  return out;
}

Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& weight,
                     const std::optional<Tensor>& bias, const std::optional<Tensor>& running_mean,
                     const std::optional<Tensor>& running_var, bool use_input_stats,
                     double momentum, double eps, bool /*cudnn_enabled*/) {
  check_input(input, "instance_norm");
  TG_CHECK(input.dim() >= 2, "instance_norm: expected an input [N, C, *] but got shape ",
           detail::shape_str(input.sizes()));
  const Tensor rm = defined_or_empty(running_mean), rv = defined_or_empty(running_var);
  TG_CHECK(use_input_stats || (rm.defined() && rv.defined()),
           "instance_norm: Expected running_mean and running_var to be defined when "
           "use_input_stats is false");
  const int64_t n = input.size(0), c = input.size(1);
  // As one batch_norm over a single sample of N * C channels.
  DimVector shape = DimVector(input.sizes());
  shape[0] = 1;
  shape[1] = n * c;
  const Tensor x = input.reshape(shape);
  const Tensor w = defined_or_empty(weight), b = defined_or_empty(bias);
  const Tensor wr = w.defined() ? w.repeat({n}) : Tensor();
  const Tensor br = b.defined() ? b.repeat({n}) : Tensor();
  const Tensor rmr = rm.defined() ? rm.repeat({n}) : Tensor();
  const Tensor rvr = rv.defined() ? rv.repeat({n}) : Tensor();
  Tensor out = batch_norm(x, wr, br, rmr, rvr, use_input_stats, momentum, eps);
  if (use_input_stats) {
    // The per-sample running stats batch_norm updated, averaged over the batch.
    NoGradGuard no_grad;
    if (rm.defined()) const_cast<Tensor&>(rm).copy_(rmr.view({n, c}).mean({0}));
    if (rv.defined()) const_cast<Tensor&>(rv).copy_(rvr.view({n, c}).mean({0}));
  }
  return out.view(input.sizes());
}

}  // namespace tg
