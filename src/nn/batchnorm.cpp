// Batch normalisation: the op and its derivative; the fused loops are in kernels/batch_norm.h.
//
// Note [Batch norm double backward]
// In training, the batch mean and inverse std depend on the input, so the derivative must treat
// them as functions of it. The kernel saves them as plain numbers for the first backward; when
// the backward itself records a graph (create_graph: grad mode is on inside it), they are
// recomputed from the input with differentiable ops instead, so the derivative of the
// derivative sees their dependence on the input. Both paths use one formula:
//   xhat = (x - mean) * invstd
//   d bias = sum(g), d weight = sum(g * xhat)               (sums over every dim but 1)
//   d x = weight * invstd * (g - d bias / M - xhat * d weight / M)      (M values per channel)
// In evaluation the statistics are constants: d x = weight * invstd * g.
// When no graph is recorded (a plain backward, grad mode off), that formula runs as one fused
// kernel (two passes over each channel) with the saved statistics; with create_graph it runs as
// tensor ops, which are differentiable. Both compute the same values.
#include <optional>

#include "autograd/checkpoint.h"
#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/batch_norm.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

/// Sizes [1, C, 1, ...] that broadcast a per-channel vector against an input of `dim` dims.
DimVector channel_shape(int64_t channels, int64_t dim) {
  DimVector shape(static_cast<size_t>(dim), 1);
  shape[1] = channels;
  return shape;
}

/// Every dim but the channel dim 1.
DimVector reduce_dims(int64_t dim) {
  DimVector dims;
  dims.push_back(0);
  for (int64_t d = 2; d < dim; ++d) dims.push_back(d);
  return dims;
}

void check_channel_vector(const Tensor& t, const char* name, int64_t channels,
                          const Tensor& input) {
  if (!t.defined()) return;
  TG_CHECK(t.dim() == 1 && t.size(0) == channels, "batch_norm: expected ", name, " of shape [",
           channels, "] (one per channel of input ", detail::shape_str(input.sizes()), ") but got ",
           detail::shape_str(t.sizes()));
  TG_CHECK(t.dtype() == input.dtype(), "batch_norm: ", name, " has dtype ", t.dtype(),
           " but the input has dtype ", input.dtype(), "; convert it with .to(", input.dtype(),
           ")");
}

/// t as a kernel operand, absent when undefined.
std::optional<kernels::View> optional_view(const Tensor& t) {
  if (!t.defined()) return std::nullopt;
  return kernels::View(t);
}

/// The derivative of Note [Batch norm double backward] as one fused kernel over contiguous
/// copies of g and x. Only for backward without a graph.
variable_list fused_backward(const Tensor& g_in, const Tensor& x_in, const Tensor& weight,
                             const Tensor& mean, const Tensor& invstd, bool training, bool need_x,
                             bool need_w, bool need_b) {
  const Tensor g = detail::contiguous_data(g_in), x = detail::contiguous_data(x_in);
  const int64_t channels = x.size(1);
  Tensor gx = need_x ? detail::make_empty(x.sizes(), x.dtype()) : Tensor();
  Tensor gw = need_w ? detail::make_empty({channels}, x.dtype()) : Tensor();
  Tensor gb = need_b ? detail::make_empty({channels}, x.dtype()) : Tensor();
  kernels::batch_norm_backward(optional_view(gx), optional_view(gw), optional_view(gb), g, x,
                               optional_view(weight), mean, invstd, training);
  return {gx, gw, gb};
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps, bool cudnn_enabled) {
  TG_CHECK(input.defined(), "batch_norm: the input is undefined");
  TG_CHECK(input.dim() >= 2,
           "batch_norm: expected an input of at least 2 dims [N, C, ...] but "
           "got shape ",
           detail::shape_str(input.sizes()));
  TG_CHECK(is_floating_point(input.dtype()),
           "batch_norm: expected a Float or Double input but "
           "got ",
           input.dtype(), "; convert with .to(tg::kFloat)");
  const int64_t channels = input.size(1);
  check_channel_vector(weight, "weight", channels, input);
  check_channel_vector(bias, "bias", channels, input);
  check_channel_vector(running_mean, "running_mean", channels, input);
  check_channel_vector(running_var, "running_var", channels, input);
  TG_CHECK(training || (running_mean.defined() && running_var.defined()),
           "batch_norm: running_mean and running_var must be defined in evaluation mode "
           "(training = false); pass them or set training = true");

  const int64_t n = input.size(0);
  int64_t inner = 1;
  for (int64_t d = 2; d < input.dim(); ++d) inner *= input.size(d);
  const int64_t per_channel = n * inner;  // M
  const Tensor x = detail::contiguous_data(input);
  Tensor out = detail::make_empty(input.sizes(), input.dtype());
  // The statistics used to normalise: the batch's in training, the running ones otherwise.
  Tensor mean = detail::make_empty({channels}, input.dtype());
  Tensor invstd = detail::make_empty({channels}, input.dtype());
  const bool update = training && running_mean.defined() && running_var.defined() &&
                      !autograd::checkpoint_recomputing();

  kernels::batch_norm_forward(out, mean, invstd, x, optional_view(weight), optional_view(bias),
                              optional_view(running_mean), optional_view(running_var), training,
                              update, momentum, eps);
  if (update && per_channel > 0) {
    detail::bump_version(running_mean);
    detail::bump_version(running_var);
  }

  if (autograd::needs_grad(input, weight, bias))
    autograd::record(
        "NativeBatchNormBackward0", {input, weight, bias}, {out},
        autograd::save(input, weight, mean, invstd),
        [training, eps, channels, per_channel](autograd::BackwardArgs<4>& a) -> variable_list {
          const Tensor& g = a.grad();
          const Tensor& x = a.saved[0];
          const Tensor& w = a.saved[1];
          if (!GradMode::is_enabled())
            return fused_backward(g, x, w, a.saved[2], a.saved[3], training, a.needs(0), a.needs(1),
                                  a.needs(2));
          const DimVector cshape = channel_shape(channels, x.dim());
          const DimVector dims = reduce_dims(x.dim());
          Tensor mean_b, invstd_b;
          if (training) {
            // See Note [Batch norm double backward].
            mean_b = x.mean(dims, true);
            const Tensor centred = x - mean_b;
            invstd_b = ((centred * centred).mean(dims, true) + eps).rsqrt();
          } else {
            mean_b = a.saved[2].view(cshape);
            invstd_b = a.saved[3].view(cshape);
          }
          const Tensor xhat = (x - mean_b) * invstd_b;
          const Tensor gb = g.sum(dims);
          const bool need_gw = a.needs(1) || (a.needs(0) && training);
          const Tensor gw = need_gw ? (g * xhat).sum(dims) : Tensor();
          Tensor gx;
          if (a.needs(0)) {
            const Tensor scale = w.defined() ? invstd_b * w.view(cshape) : invstd_b;
            if (training) {
              const double m = static_cast<double>(per_channel);
              gx = scale * (g - gb.view(cshape) / m - xhat * gw.view(cshape) / m);
            } else {
              gx = scale * g;
            }
          }
          return {gx, a.needs(1) ? gw : Tensor(), a.needs(2) ? gb : Tensor()};
        });
  return out;
}

}  // namespace tg
