// 2-D convolution: conv2d and the two internal ops its derivative is made of.
//
// Note [Differentiable convolution]
// conv2d(x, w) is bilinear, and so are its two derivatives:
//   conv_input_grad(gy, w)  = d<gy, conv2d(x, w)>/dx   (a transposed convolution)
//   conv_weight_grad(x, gy) = d<gy, conv2d(x, w)>/dw   (a correlation of x with gy)
// Each of the three is the adjoint of the others in one argument, so the derivatives of each are
// calls to the other two, and the three together are closed under differentiation:
//   conv2d:           dx = conv_input_grad(g, w)        dw = conv_weight_grad(x, g)
//   conv_input_grad:  dgy = conv2d(g, w)                dw = conv_weight_grad(g, gy)
//   conv_weight_grad: dx = conv_input_grad(gy, g)       dgy = conv2d(x, g)
// so double (and higher) backward needs nothing more.
//
// The loops and oneDNN calls are in kernels/conv.h; this file checks arguments, computes the
// output shape, allocates the results and records the nodes.
#include "kernels/conv.h"

#include <array>
#include <optional>

#include "autograd/record.h"
#include "core/internal.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

using kernels::ConvParams;

int64_t conv_output_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil) {
  return (in + 2 * pad - dil * (k - 1) - 1) / stride + 1;
}

// ---------------------------------------------------------------------------------------------
// The kernels (no autograd), on contiguous copies of their operands.

Tensor forward_kernel(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  DimVector y_sizes{x.size(0), w.size(0), 0, 0};
  for (int d = 0; d < 2; ++d)
    y_sizes[2 + d] =
        conv_output_size(x.size(2 + d), w.size(2 + d), p.stride[d], p.padding[d], p.dilation[d]);
  Tensor y = detail::make_empty(y_sizes, x.dtype());
  const Tensor xc = detail::contiguous_data(x), wc = detail::contiguous_data(w);
  const Tensor bc = b.defined() ? detail::contiguous_data(b) : Tensor();
  kernels::conv2d_forward(y, xc, wc, bc.defined() ? std::optional<kernels::View>(bc) : std::nullopt,
                          p);
  return y;
}

/// The input and/or weight gradients of conv2d for output gradient gy (x is only read for the
/// weight gradient, w only for the input gradient).
void backward_kernels(const Tensor& gy, const Tensor& x, const Tensor& w, const ConvParams& p,
                      IntArrayRef x_sizes, IntArrayRef w_sizes, bool want_x, bool want_w,
                      Tensor* gx, Tensor* gw) {
  const Tensor gyc = detail::contiguous_data(gy);
  const Tensor xc = want_w ? detail::contiguous_data(x) : Tensor();
  const Tensor wc = want_x ? detail::contiguous_data(w) : Tensor();
  if (want_x) *gx = detail::make_empty(x_sizes, gy.dtype());
  if (want_w) *gw = detail::make_empty(w_sizes, gy.dtype());
  if (want_x) kernels::conv2d_input_grad(*gx, gyc, wc, p);
  if (want_w) kernels::conv2d_weight_grad(*gw, xc, gyc, p);
}

/// Per-channel sums of an [N, C, *] tensor (the bias gradient).
Tensor channel_sum_kernel(const Tensor& g) {
  const Tensor gc = detail::contiguous_data(g);
  Tensor out = detail::make_empty({g.size(1)}, g.dtype());
  kernels::channel_sum(out, gc);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The differentiable ops (See Note [Differentiable convolution]). x is 4-D here.

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p);
Tensor record_input_grad(const Tensor& gx, const Tensor& gy, const Tensor& w, const ConvParams& p);
Tensor record_weight_grad(const Tensor& gw, const Tensor& x, const Tensor& gy, const ConvParams& p);

Tensor conv_input_grad(const Tensor& gy, const Tensor& w, const ConvParams& p,
                       IntArrayRef x_sizes) {
  Tensor gx, unused;
  backward_kernels(gy, Tensor(), w, p, x_sizes, w.sizes(), true, false, &gx, &unused);
  return record_input_grad(gx, gy, w, p);
}

Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, const ConvParams& p,
                        IntArrayRef w_sizes) {
  Tensor unused, gw;
  backward_kernels(gy, x, Tensor(), p, x.sizes(), w_sizes, false, true, &unused, &gw);
  return record_weight_grad(gw, x, gy, p);
}

/// The bias gradient: gy summed over N, H, W; its derivative broadcasts back.
Tensor conv_bias_grad(const Tensor& gy) {
  Tensor gb = channel_sum_kernel(gy);
  if (autograd::needs_grad(gy))
    autograd::record(
        "ConvolutionBackwardBackward0", {gy}, {gb}, autograd::save(),
        [sizes = DimVector(gy.sizes())](autograd::BackwardArgs<0>& a) -> variable_list {
          return {a.grad().reshape({1, sizes[1], 1, 1}).expand(sizes)};
        });
  return gb;
}

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  Tensor y = forward_kernel(x, w, b, p);
  if (autograd::needs_grad(x, w, b))
    autograd::record("ConvolutionBackward0", {x, w, b}, {y}, autograd::save(x, w),
                     [p](autograd::BackwardArgs<2>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &x = a.saved[0], &w = a.saved[1];
                       Tensor gx, gw;
                       if (a.needs(0) && a.needs(1)) {
                         // One call for both, sharing the contiguous copy of the gradient.
                         backward_kernels(g, x, w, p, x.sizes(), w.sizes(), true, true, &gx, &gw);
                         gx = record_input_grad(gx, g, w, p);
                         gw = record_weight_grad(gw, x, g, p);
                       } else if (a.needs(0)) {
                         gx = conv_input_grad(g, w, p, x.sizes());
                       } else if (a.needs(1)) {
                         gw = conv_weight_grad(x, g, p, w.sizes());
                       }
                       return {gx, gw, a.needs(2) ? conv_bias_grad(g) : Tensor()};
                     });
  return y;
}

/// Records the node of gx = conv_input_grad(gy, w) (computed by the caller).
Tensor record_input_grad(const Tensor& gx, const Tensor& gy, const Tensor& w, const ConvParams& p) {
  if (autograd::needs_grad(gy, w))
    autograd::record("ConvolutionBackwardBackward0", {gy, w}, {gx}, autograd::save(gy, w),
                     [p](autograd::BackwardArgs<2>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &gy = a.saved[0], &w = a.saved[1];
                       return {a.needs(0) ? conv_forward(g, w, Tensor(), p) : Tensor(),
                               a.needs(1) ? conv_weight_grad(g, gy, p, w.sizes()) : Tensor()};
                     });
  return gx;
}

/// Records the node of gw = conv_weight_grad(x, gy) (computed by the caller).
Tensor record_weight_grad(const Tensor& gw, const Tensor& x, const Tensor& gy,
                          const ConvParams& p) {
  if (autograd::needs_grad(x, gy))
    autograd::record("ConvolutionBackwardBackward0", {x, gy}, {gw}, autograd::save(x, gy),
                     [p](autograd::BackwardArgs<2>& a) -> variable_list {
                       const Tensor& g = a.grad();
                       const Tensor &x = a.saved[0], &gy = a.saved[1];
                       return {a.needs(0) ? conv_input_grad(gy, g, p, x.sizes()) : Tensor(),
                               a.needs(1) ? conv_forward(x, g, Tensor(), p) : Tensor()};
                     });
  return gw;
}

// ---------------------------------------------------------------------------------------------
// Argument checks.

std::array<int64_t, 2> expand_pair(IntArrayRef v, const char* name) {
  TG_CHECK(v.size() == 1 || v.size() == 2, "conv2d: expected ", name,
           " to have 1 or 2 values (one for both spatial dims, or height and width) but got ",
           v.size(), " values ", detail::shape_str(v));
  return v.size() == 1 ? std::array<int64_t, 2>{v[0], v[0]} : std::array<int64_t, 2>{v[0], v[1]};
}

/// The parameters of conv2d and conv_transpose2d, each spatial one given as one value or a pair.
ConvParams conv_params(IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                       int64_t groups) {
  ConvParams p;
  p.stride = expand_pair(stride, "stride");
  p.padding = expand_pair(padding, "padding");
  p.dilation = expand_pair(dilation, "dilation");
  p.groups = groups;
  return p;
}

/// The operand checks of conv2d and conv_transpose2d: both defined, a 4-D weight whose dims are
/// `weight_dims`, a 3-D (unbatched) or 4-D input, one floating dtype. With `hints`, the messages
/// about the input's rank and dtype also say how to fix it.
void check_operands(const char* op, const Tensor& input, const Tensor& weight,
                    const char* weight_dims, bool hints) {
  TG_CHECK(input.defined() && weight.defined(), op, ": input and weight must be defined");
  TG_CHECK(weight.dim() == 4, op, ": expected a 4-D weight ", weight_dims, " but got shape ",
           detail::shape_str(weight.sizes()));
  TG_CHECK(input.dim() == 3 || input.dim() == 4, op,
           ": expected a 3-D (unbatched [C, H, W]) or 4-D (batched [N, C, H, W]) input but got "
           "shape ",
           detail::shape_str(input.sizes()),
           hints ? "; reshape it, e.g. x.unsqueeze(0) for a single image" : "");
  TG_CHECK(input.dtype() == weight.dtype(), op, ": input has dtype ", input.dtype(),
           " but weight has dtype ", weight.dtype(), "; convert one with .to(", weight.dtype(),
           ")");
  TG_CHECK(is_floating_point(input.dtype()), op, ": expected Float or Double tensors but got ",
           input.dtype(), hints ? "; convert with .to(tg::kFloat)" : "");
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  check_operands("conv2d", input, weight, "[out_channels, in_channels / groups, kH, kW]",
                 /*hints=*/true);
  const ConvParams p = conv_params(stride, padding, dilation, groups);
  for (int d = 0; d < 2; ++d) {
    TG_CHECK(p.stride[d] > 0, "conv2d: stride must be positive but got ",
             detail::shape_str(stride));
    TG_CHECK(p.dilation[d] > 0, "conv2d: dilation must be positive but got ",
             detail::shape_str(dilation));
    TG_CHECK(p.padding[d] >= 0, "conv2d: padding must be non-negative but got ",
             detail::shape_str(padding));
  }
  TG_CHECK(groups > 0, "conv2d: groups must be positive but got ", groups);
  const Tensor x = input.dim() == 3 ? input.unsqueeze(0) : input;
  const int64_t out_channels = weight.size(0);
  TG_CHECK(out_channels % groups == 0, "conv2d: out_channels ", out_channels, " (weight ",
           detail::shape_str(weight.sizes()), ") must be divisible by groups ", groups);
  const int64_t channels = weight.size(1) * groups;
  TG_CHECK(x.size(1) == channels, "conv2d: expected input with ", channels, " channels (weight ",
           detail::shape_str(weight.sizes()), ", groups ", groups, ") but got ", x.size(1),
           " channels (input ", detail::shape_str(input.sizes()),
           "); check the layer's in_channels or the input's channel dim (dim ", input.dim() - 3,
           ")");
  if (bias.defined()) {
    TG_CHECK(bias.dim() == 1 && bias.size(0) == out_channels, "conv2d: expected a bias of shape [",
             out_channels, "] (one per output channel of weight ",
             detail::shape_str(weight.sizes()), ") but got ", detail::shape_str(bias.sizes()));
    TG_CHECK(bias.dtype() == weight.dtype(), "conv2d: bias has dtype ", bias.dtype(),
             " but weight has dtype ", weight.dtype(), "; convert it with .to(", weight.dtype(),
             ")");
  }
  for (int d = 0; d < 2; ++d) {
    const int64_t padded = x.size(2 + d) + 2 * p.padding[d];
    const int64_t extent = p.dilation[d] * (weight.size(2 + d) - 1) + 1;
    TG_CHECK(extent <= padded, "conv2d: the kernel (", weight.size(2), " x ", weight.size(3),
             ", dilation ", p.dilation[0], " x ", p.dilation[1],
             ") is bigger than the padded input (", x.size(2) + 2 * p.padding[0], " x ",
             x.size(3) + 2 * p.padding[1], ") of input ", detail::shape_str(input.sizes()),
             " with padding ", p.padding[0], " x ", p.padding[1],
             "; use a smaller kernel or more padding");
  }
  Tensor y = conv_forward(x, weight, bias, p);
  return input.dim() == 3 ? y.squeeze(0) : y;
}

}  // namespace tg

namespace tg {

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding,
                        int64_t groups, IntArrayRef dilation) {
  check_operands("conv_transpose2d", input, weight, "[in_channels, out_channels / groups, kH, kW]",
                 /*hints=*/false);
  TG_CHECK(groups > 0, "conv_transpose2d: groups must be positive but got ", groups);
  const ConvParams p = conv_params(stride, padding, dilation, groups);
  const std::array<int64_t, 2> out_pad = expand_pair(output_padding, "output_padding");
  const Tensor x = input.dim() == 3 ? input.unsqueeze(0) : input;
  TG_CHECK(x.size(1) == weight.size(0), "conv_transpose2d: expected input with ", weight.size(0),
           " channels (weight ", detail::shape_str(weight.sizes()), ") but got ", x.size(1),
           " channels (input ", detail::shape_str(input.sizes()), ")");
  TG_CHECK(weight.size(0) % groups == 0, "conv_transpose2d: in_channels ", weight.size(0),
           " must be divisible by groups ", groups);
  const int64_t out_channels = weight.size(1) * groups;
  DimVector out_sizes{x.size(0), out_channels, 0, 0};
  for (int d = 0; d < 2; ++d) {
    TG_CHECK(p.stride[d] > 0 && p.dilation[d] > 0 && p.padding[d] >= 0,
             "conv_transpose2d: stride and dilation must be positive and padding non-negative");
    TG_CHECK(out_pad[d] >= 0 && (out_pad[d] < p.stride[d] || out_pad[d] < p.dilation[d]),
             "conv_transpose2d: output padding must be smaller than either stride or dilation, "
             "but got output_padding ",
             detail::shape_str(output_padding));
    out_sizes[2 + d] = (x.size(2 + d) - 1) * p.stride[d] - 2 * p.padding[d] +
                       p.dilation[d] * (weight.size(2 + d) - 1) + out_pad[d] + 1;
    TG_CHECK(out_sizes[2 + d] > 0, "conv_transpose2d: the output would be empty: input ",
             detail::shape_str(input.sizes()), " with weight ", detail::shape_str(weight.sizes()),
             ", stride ", detail::shape_str(stride), " and padding ", detail::shape_str(padding));
  }
  if (bias.defined())
    TG_CHECK(bias.dim() == 1 && bias.size(0) == out_channels,
             "conv_transpose2d: expected a bias of shape [", out_channels, "] but got ",
             detail::shape_str(bias.sizes()));
  // The transposed convolution is the input gradient of the convolution it transposes.
  Tensor y = conv_input_grad(x, weight, p, out_sizes);
  if (bias.defined()) y = y + bias.reshape({1, out_channels, 1, 1});
  return input.dim() == 3 ? y.squeeze(0) : y;
}

}  // namespace tg
