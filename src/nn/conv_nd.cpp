// conv1d, conv3d, their transposed forms and the "same"/"valid" padding strings, made of the 2-D
// ops (conv2d, conv_transpose2d) and differentiable shape ops.
//
// Note [3-D convolution by depth]
// out[:, :, z] = sum over kernel depths kd of conv2d(x[:, :, z * sD - pD + kd * dD], w[:, :, kd]).
// For one kd, the input depths z * sD + kd * dD (of the depth-padded input) are a strided slice;
// folded into the batch they make one conv2d call, so a 3-D convolution is kD conv2d calls. The
// transposed form is the adjoint: each kd's conv_transpose2d of every input depth is spread to
// output depths z * sD + kd * dD (zeros between when sD > 1), summed, then cropped by pD.
#include <array>
#include <string>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/ops_pad.h"

namespace tg {
namespace {

/// One value per spatial dim from one value or D values.
template <size_t D>
std::array<int64_t, D> expand(IntArrayRef v, const char* op, const char* name) {
  TG_CHECK(v.size() == 1 || v.size() == D, op, ": expected ", name, " to have 1 or ", D,
           " values but got ", v.size(), " values ", detail::shape_str(v));
  std::array<int64_t, D> out;
  for (size_t i = 0; i < D; ++i) out[i] = v.size() == 1 ? v[0] : v[i];
  return out;
}

Tensor conv3d_batched(const Tensor& x0, const Tensor& w, const Tensor& b, IntArrayRef stride,
                      IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  const char* op = "conv3d";
  const auto s = expand<3>(stride, op, "stride");
  const auto p = expand<3>(padding, op, "padding");
  const auto d = expand<3>(dilation, op, "dilation");
  TG_CHECK(s[0] > 0 && d[0] > 0 && p[0] >= 0,
           "conv3d: stride and dilation must be positive and padding non-negative");
  const Tensor x = p[0] > 0 ? constant_pad_nd(x0, {0, 0, 0, 0, p[0], p[0]}) : x0;
  const int64_t n = x.size(0), c = x.size(1), depth = x.size(2), kd = w.size(2);
  const int64_t extent = d[0] * (kd - 1) + 1;
  TG_CHECK(extent <= depth, "conv3d: the kernel depth ", kd, " (dilation ", d[0],
           ") is bigger than the padded input depth ", depth, " of input ",
           detail::shape_str(x0.sizes()), "; use a smaller kernel or more padding");
  const int64_t od = (depth - extent) / s[0] + 1;
  Tensor sum;
  for (int64_t k = 0; k < kd; ++k) {
    const Tensor slice = x.slice(2, k * d[0], k * d[0] + s[0] * (od - 1) + 1, s[0])
                             .permute({0, 2, 1, 3, 4})
                             .reshape({n * od, c, x.size(3), x.size(4)});
    const Tensor y = conv2d(slice, w.select(2, k), Tensor(), DimVector{s[1], s[2]},
                            DimVector{p[1], p[2]}, DimVector{d[1], d[2]}, groups);
    sum = sum.defined() ? sum + y : y;
  }
  Tensor out = sum.reshape({n, od, sum.size(1), sum.size(2), sum.size(3)}).permute({0, 2, 1, 3, 4});
  if (b.defined()) out = out + b.reshape({1, b.size(0), 1, 1, 1});
  return out;
}

Tensor conv_transpose3d_batched(const Tensor& x, const Tensor& w, const Tensor& b,
                                IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding,
                                int64_t groups, IntArrayRef dilation) {
  const char* op = "conv_transpose3d";
  const auto s = expand<3>(stride, op, "stride");
  const auto p = expand<3>(padding, op, "padding");
  const auto op_ = expand<3>(output_padding, op, "output_padding");
  const auto d = expand<3>(dilation, op, "dilation");
  TG_CHECK(s[0] > 0 && d[0] > 0 && p[0] >= 0 && op_[0] >= 0,
           "conv_transpose3d: stride and dilation must be positive, padding and output_padding "
           "non-negative");
  TG_CHECK(op_[0] < s[0] || op_[0] < d[0],
           "conv_transpose3d: output padding must be smaller than either stride or dilation, but "
           "got output_padding ",
           detail::shape_str(output_padding));
  const int64_t n = x.size(0), c = x.size(1), depth = x.size(2), kd = w.size(2);
  // The depth before cropping the padding, output_padding included.
  const int64_t full = (depth - 1) * s[0] + d[0] * (kd - 1) + 1 + op_[0];
  const int64_t od = full - 2 * p[0];
  TG_CHECK(od > 0, "conv_transpose3d: the output would be empty: input ",
           detail::shape_str(x.sizes()), " with weight ", detail::shape_str(w.sizes()));
  const Tensor planes = x.permute({0, 2, 1, 3, 4}).reshape({n * depth, c, x.size(3), x.size(4)});
  const int64_t spread = (depth - 1) * s[0] + 1;
  Tensor sum;
  for (int64_t k = 0; k < kd; ++k) {
    Tensor z = conv_transpose2d(planes, w.select(2, k), Tensor(), DimVector{s[1], s[2]},
                                DimVector{p[1], p[2]}, DimVector{op_[1], op_[2]}, groups,
                                DimVector{d[1], d[2]});
    z = z.reshape({n, depth, z.size(1), z.size(2), z.size(3)});
    if (s[0] > 1) {
      // Input depth z lands on output depth z * sD: zeros in between.
      DimVector gap{n, depth, s[0] - 1, z.size(2), z.size(3), z.size(4)};
      z = cat({z.unsqueeze(2), zeros(gap, z.dtype())}, 2)
              .reshape({n, depth * s[0], z.size(2), z.size(3), z.size(4)})
              .narrow(1, 0, spread);
    }
    const int64_t before = k * d[0], after = full - before - spread;
    z = constant_pad_nd(z, {0, 0, 0, 0, 0, 0, before, after});
    sum = sum.defined() ? sum + z : z;
  }
  Tensor out = sum.narrow(1, p[0], od).permute({0, 2, 1, 3, 4});
  if (b.defined()) out = out + b.reshape({1, b.size(0), 1, 1, 1});
  return out;
}

void check_nd(const Tensor& input, const Tensor& weight, int64_t spatial, const char* op) {
  TG_CHECK(input.defined() && weight.defined(), op, ": input and weight must be defined");
  TG_CHECK(weight.dim() == spatial + 2, op, ": expected a ", spatial + 2,
           "-D weight but got shape ", detail::shape_str(weight.sizes()));
  TG_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, op, ": expected a ",
           spatial + 1, "-D (unbatched) or ", spatial + 2, "-D (batched) input but got shape ",
           detail::shape_str(input.sizes()));
}

/// Runs f on the batched form of input and removes the batch dim again when it was unbatched.
template <class Fn>
Tensor with_batch(const Tensor& input, int64_t spatial, Fn f) {
  const bool unbatched = input.dim() == spatial + 1;
  Tensor out = f(unbatched ? input.unsqueeze(0) : input);
  return unbatched ? out.squeeze(0) : out;
}

/// The explicit padding of a "same" convolution: total d (k - 1) per dim, the odd one at the end
/// (returned as the symmetric part and the extra F::pad amounts).
Tensor same_or_valid(const Tensor& input, const Tensor& weight, IntArrayRef stride,
                     std::string_view padding, IntArrayRef dilation, int64_t spatial,
                     const char* op, DimVector* symmetric) {
  symmetric->assign(static_cast<size_t>(spatial), 0);
  if (padding == "valid") return input;
  TG_CHECK(padding == "same", op, ": Invalid padding string: '", std::string(padding),
           "'; use \"same\" or \"valid\"");
  for (int64_t s : stride)
    TG_CHECK(s == 1, op, ": padding='same' is not supported for strided convolutions");
  std::vector<int64_t> extra(static_cast<size_t>(2 * spatial), 0);
  bool asymmetric = false;
  for (int64_t i = 0; i < spatial; ++i) {
    const int64_t dil = dilation.size() == 1 ? dilation[0] : dilation[static_cast<size_t>(i)];
    const int64_t total = dil * (weight.size(2 + i) - 1);
    (*symmetric)[static_cast<size_t>(i)] = total / 2;
    if (total % 2 != 0) {
      // pad lists from the last dim: dim i is pair spatial - 1 - i.
      extra[static_cast<size_t>(2 * (spatial - 1 - i) + 1)] = 1;
      asymmetric = true;
    }
  }
  return asymmetric ? constant_pad_nd(input, extra) : input;
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  check_nd(input, weight, 1, "conv1d");
  const auto s = expand<1>(stride, "conv1d", "stride");
  const auto p = expand<1>(padding, "conv1d", "padding");
  const auto d = expand<1>(dilation, "conv1d", "dilation");
  return with_batch(input, 1, [&](const Tensor& x) {
    return conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, DimVector{1, s[0]}, DimVector{0, p[0]},
                  DimVector{1, d[0]}, groups)
        .squeeze(2);
  });
}

Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  check_nd(input, weight, 3, "conv3d");
  TG_CHECK(input.dtype() == weight.dtype(), "conv3d: input has dtype ", input.dtype(),
           " but weight has dtype ", weight.dtype());
  TG_CHECK(groups > 0 && weight.size(0) % groups == 0 &&
               input.size(input.dim() - 4) == weight.size(1) * groups,
           "conv3d: expected input with ", weight.size(1) * groups, " channels (weight ",
           detail::shape_str(weight.sizes()), ", groups ", groups, ") but got input of shape ",
           detail::shape_str(input.sizes()));
  return with_batch(input, 3, [&](const Tensor& x) {
    return conv3d_batched(x, weight, bias, stride, padding, dilation, groups);
  });
}

Tensor detail::conv_padding(const Tensor& input, const Tensor& weight, const Tensor& bias,
                            IntArrayRef stride, std::string_view padding, IntArrayRef dilation,
                            int64_t groups, int64_t spatial) {
  const char* op = spatial == 1 ? "conv1d" : spatial == 2 ? "conv2d" : "conv3d";
  check_nd(input, weight, spatial, op);
  DimVector sym;
  const Tensor x = same_or_valid(input, weight, stride, padding, dilation, spatial, op, &sym);
  if (spatial == 1) return conv1d(x, weight, bias, stride, sym, dilation, groups);
  if (spatial == 2) return conv2d(x, weight, bias, stride, sym, dilation, groups);
  return conv3d(x, weight, bias, stride, sym, dilation, groups);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding,
                        int64_t groups, IntArrayRef dilation) {
  check_nd(input, weight, 1, "conv_transpose1d");
  const char* op = "conv_transpose1d";
  const auto s = expand<1>(stride, op, "stride");
  const auto p = expand<1>(padding, op, "padding");
  const auto o = expand<1>(output_padding, op, "output_padding");
  const auto d = expand<1>(dilation, op, "dilation");
  return with_batch(input, 1, [&](const Tensor& x) {
    return conv_transpose2d(x.unsqueeze(2), weight.unsqueeze(2), bias, DimVector{1, s[0]},
                            DimVector{0, p[0]}, DimVector{0, o[0]}, groups, DimVector{1, d[0]})
        .squeeze(2);
  });
}

Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding,
                        int64_t groups, IntArrayRef dilation) {
  check_nd(input, weight, 3, "conv_transpose3d");
  TG_CHECK(input.size(input.dim() - 4) == weight.size(0), "conv_transpose3d: expected input with ",
           weight.size(0), " channels (weight ", detail::shape_str(weight.sizes()),
           ") but got input of shape ", detail::shape_str(input.sizes()));
  return with_batch(input, 3, [&](const Tensor& x) {
    return conv_transpose3d_batched(x, weight, bias, stride, padding, output_padding, groups,
                                    dilation);
  });
}

}  // namespace tg
