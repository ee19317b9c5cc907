// 2-D pooling: max_pool2d(_with_indices), avg_pool2d, adaptive_avg_pool2d, and the internal
// ops their derivatives are made of.
//
// Note [Differentiable pooling]
// Each pooling op's derivative is an internal op that is linear in the gradient, and the
// derivative of that op is the forward pooling again (or a gather), so double backward works:
//   max_pool2d:   dx = scatter of g to the argmax positions  -> its derivative: gather at them
//   avg_pool2d:   dx = g spread over each window / divisor    -> its derivative: avg_pool2d
//   adaptive_avg: dx = g spread over each window / its size   -> its derivative: adaptive_avg
// The loops are in kernels/pool.h; this file checks arguments, computes output sizes, allocates
// the results and records the nodes.
#include "kernels/pool.h"

#include <array>
#include <optional>
#include <tuple>

#include "autograd/record.h"
#include "core/internal.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

/// The windows and the rounding of the output size.
struct PoolParams : kernels::PoolWindows {
  bool ceil_mode = false;
};

/// Floor division (rounds toward negative infinity).
int64_t div_floor(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// Output size as libtorch computes it: with ceil_mode the last window may start past the end
/// of the (unpadded-on-the-left) input only if it still starts inside input + left padding.
int64_t pool_output_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil,
                         bool ceil_mode) {
  int64_t out =
      div_floor(in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

std::array<int64_t, 2> pair_of(IntArrayRef v, const char* op, const char* name) {
  TG_CHECK(v.size() == 1 || v.size() == 2, op, ": ", name,
           " must be a single int or a pair of ints (height, width) but got ", v.size(), " values ",
           detail::shape_str(v));
  return v.size() == 1 ? std::array<int64_t, 2>{v[0], v[0]} : std::array<int64_t, 2>{v[0], v[1]};
}

/// Checks the input's rank and sizes and returns it as 4-D.
Tensor batched(const Tensor& input, const char* op) {
  TG_CHECK(input.defined(), op, ": the input is undefined");
  TG_CHECK(input.dim() == 3 || input.dim() == 4, op,
           ": expected a 3-D (unbatched [C, H, W]) or "
           "4-D (batched [N, C, H, W]) input but got shape ",
           detail::shape_str(input.sizes()));
  for (int64_t d = input.dim() - 3; d < input.dim(); ++d)
    TG_CHECK(input.size(d) > 0, op,
             ": expected an input with non-zero channels, height and "
             "width but got shape ",
             detail::shape_str(input.sizes()));
  TG_CHECK(is_floating_point(input.dtype()), op, ": expected a Float or Double input but got ",
           input.dtype(), "; convert with .to(tg::kFloat)");
  return input.dim() == 3 ? input.unsqueeze(0) : input;
}

PoolParams pool_params(const char* op, IntArrayRef kernel_size, IntArrayRef stride,
                       IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  PoolParams p;
  p.kernel = pair_of(kernel_size, op, "kernel_size");
  p.stride = stride.empty() ? p.kernel : pair_of(stride, op, "stride");
  p.padding = pair_of(padding, op, "padding");
  p.dilation = pair_of(dilation, op, "dilation");
  p.ceil_mode = ceil_mode;
  TG_CHECK(p.kernel[0] > 0 && p.kernel[1] > 0, op,
           ": kernel_size must be greater than zero, "
           "but got ",
           p.kernel[0], " x ", p.kernel[1]);
  TG_CHECK(p.stride[0] > 0 && p.stride[1] > 0, op, ": stride must be greater than zero, but got ",
           p.stride[0], " x ", p.stride[1]);
  TG_CHECK(p.dilation[0] > 0 && p.dilation[1] > 0, op,
           ": dilation must be greater than zero, but got ", p.dilation[0], " x ", p.dilation[1]);
  TG_CHECK(p.padding[0] >= 0 && p.padding[1] >= 0 && p.padding[0] <= p.kernel[0] / 2 &&
               p.padding[1] <= p.kernel[1] / 2,
           op,
           ": padding should be non-negative and at most half of the kernel size, but got "
           "padding ",
           p.padding[0], " x ", p.padding[1], " for kernel ", p.kernel[0], " x ", p.kernel[1]);
  return p;
}

/// Output [oh, ow] of pooling an [.., h, w] input; throws when it would be empty.
std::array<int64_t, 2> pool_output(const char* op, const Tensor& x4, const PoolParams& p,
                                   const Tensor& input) {
  std::array<int64_t, 2> out;
  for (int d = 0; d < 2; ++d)
    out[d] = pool_output_size(x4.size(2 + d), p.kernel[d], p.padding[d], p.stride[d], p.dilation[d],
                              p.ceil_mode);
  TG_CHECK(out[0] >= 1 && out[1] >= 1, op, ": the output would be empty: input ",
           detail::shape_str(input.sizes()), " gives an output of ", out[0], " x ", out[1],
           " with kernel ", p.kernel[0], " x ", p.kernel[1], ", stride ", p.stride[0], " x ",
           p.stride[1], ", padding ", p.padding[0], " x ", p.padding[1], " and dilation ",
           p.dilation[0], " x ", p.dilation[1], "; use a smaller kernel or a larger input");
  return out;
}

// ---- max pooling ----

/// gx[plane][idx[plane][k]] += g[plane][k]: gx of [N, C, H, W] (the input's sizes).
Tensor max_pool_scatter(const Tensor& g, const Tensor& indices, const DimVector& input_sizes,
                        const kernels::PoolWindows& p) {
  Tensor gx = detail::make_empty(input_sizes, g.dtype());
  kernels::max_pool2d_backward(gx, detail::contiguous_data(g), detail::contiguous_data(indices), p);
  if (autograd::needs_grad(g))
    autograd::record("MaxPool2DWithIndicesBackwardBackward0", {g}, {gx}, autograd::save(indices),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       // The adjoint of a scatter is a gather at the same positions.
                       const Tensor& idx = a.saved[0];
                       const Tensor gg = a.grad().flatten(2).gather(2, idx.flatten(2));
                       return {gg.view(idx.sizes())};
                     });
  return gx;
}

// ---- average pooling ----

struct AvgParams {
  PoolParams pool;
  kernels::AvgDivisor divisor;
};

Tensor avg_pool_forward(const Tensor& x4, const AvgParams& a, std::array<int64_t, 2> out_size);
Tensor avg_pool_spread(const Tensor& g, const AvgParams& a, const DimVector& input_sizes);

Tensor avg_pool_forward(const Tensor& x4, const AvgParams& a, std::array<int64_t, 2> out_size) {
  Tensor out = detail::make_empty({x4.size(0), x4.size(1), out_size[0], out_size[1]}, x4.dtype());
  kernels::avg_pool2d(out, detail::contiguous_data(x4), a.pool, a.divisor);
  if (autograd::needs_grad(x4))
    autograd::record(
        "AvgPool2DBackward0", {x4}, {out}, autograd::save(),
        [a, sizes = DimVector(x4.sizes())](autograd::BackwardArgs<0>& b) -> variable_list {
          return {avg_pool_spread(b.grad(), a, sizes)};
        });
  return out;
}

Tensor avg_pool_spread(const Tensor& g, const AvgParams& a, const DimVector& input_sizes) {
  Tensor gx = detail::make_empty(input_sizes, g.dtype());
  kernels::avg_pool2d_backward(gx, detail::contiguous_data(g), a.pool, a.divisor);
  if (autograd::needs_grad(g))
    autograd::record("AvgPool2DBackwardBackward0", {g}, {gx}, autograd::save(),
                     [a, out_size = std::array<int64_t, 2>{g.size(2), g.size(3)}](
                         autograd::BackwardArgs<0>& b) -> variable_list {
                       return {avg_pool_forward(b.grad(), a, out_size)};
                     });
  return gx;
}

// ---- adaptive average pooling ----

Tensor adaptive_forward(const Tensor& x4, std::array<int64_t, 2> out_size);
Tensor adaptive_spread(const Tensor& g, const DimVector& input_sizes);

Tensor adaptive_forward(const Tensor& x4, std::array<int64_t, 2> out_size) {
  Tensor out = detail::make_empty({x4.size(0), x4.size(1), out_size[0], out_size[1]}, x4.dtype());
  kernels::adaptive_avg_pool2d(out, detail::contiguous_data(x4));
  if (autograd::needs_grad(x4))
    autograd::record(
        "AdaptiveAvgPool2DBackward0", {x4}, {out}, autograd::save(),
        [sizes = DimVector(x4.sizes())](autograd::BackwardArgs<0>& b) -> variable_list {
          return {adaptive_spread(b.grad(), sizes)};
        });
  return out;
}

Tensor adaptive_spread(const Tensor& g, const DimVector& input_sizes) {
  Tensor gx = detail::make_empty(input_sizes, g.dtype());
  kernels::adaptive_avg_pool2d_backward(gx, detail::contiguous_data(g));
  if (autograd::needs_grad(g))
    autograd::record("AdaptiveAvgPool2DBackwardBackward0", {g}, {gx}, autograd::save(),
                     [out_size = std::array<int64_t, 2>{g.size(2), g.size(3)}](
                         autograd::BackwardArgs<0>& b) -> variable_list {
                       return {adaptive_forward(b.grad(), out_size)};
                     });
  return gx;
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride, IntArrayRef padding,
                                                   IntArrayRef dilation, bool ceil_mode) {
  const char* op = "max_pool2d";
  const PoolParams p = pool_params(op, kernel_size, stride, padding, dilation, ceil_mode);
  const Tensor x4 = batched(input, op);
  const std::array<int64_t, 2> out_hw = pool_output(op, x4, p, input);
  const DimVector out_sizes{x4.size(0), x4.size(1), out_hw[0], out_hw[1]};
  Tensor out = detail::make_empty(out_sizes, x4.dtype());
  Tensor indices = detail::make_empty(out_sizes, kLong);
  kernels::max_pool2d(out, indices, detail::contiguous_data(x4), p);
  if (autograd::needs_grad(x4))
    autograd::record("MaxPool2DWithIndicesBackward0", {x4}, {out}, autograd::save(indices),
                     [sizes = DimVector(x4.sizes()), windows = kernels::PoolWindows(p)](
                         autograd::BackwardArgs<1>& a) -> variable_list {
                       return {max_pool_scatter(a.grad(), a.saved[0], sizes, windows)};
                     });
  if (input.dim() == 3) return {out.squeeze(0), indices.squeeze(0)};
  return {out, indices};
}

Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(
      max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  const char* op = "avg_pool2d";
  AvgParams a{pool_params(op, kernel_size, stride, padding, 1, ceil_mode),
              {count_include_pad, divisor_override}};
  TG_CHECK(!divisor_override || *divisor_override != 0,
           "avg_pool2d: divisor_override must not be zero; pass std::nullopt to divide by the "
           "window size");
  const Tensor x4 = batched(input, op);
  const auto out_size = pool_output(op, x4, a.pool, input);
  Tensor out = avg_pool_forward(x4, a, out_size);
  return input.dim() == 3 ? out.squeeze(0) : out;
}

Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size) {
  const char* op = "adaptive_avg_pool2d";
  TG_CHECK(output_size.size() == 2, op,
           ": output_size must have 2 values (height, width) but "
           "got ",
           detail::shape_str(output_size));
  TG_CHECK(output_size[0] >= 0 && output_size[1] >= 0, op,
           ": elements of output_size must be greater than or equal to 0 but got ",
           detail::shape_str(output_size));
  const Tensor x4 = batched(input, op);
  Tensor out = adaptive_forward(x4, {output_size[0], output_size[1]});
  return input.dim() == 3 ? out.squeeze(0) : out;
}

}  // namespace tg
