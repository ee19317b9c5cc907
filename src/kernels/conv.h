#pragma once
// 2-D convolution kernels: forward, input gradient and weight gradient of contiguous NCHW data
// with OIHW weights. Float runs on oneDNN's convolution primitives (forward, backward data,
// backward weights), cached by shape (Note [Convolution primitive cache] in conv.cpp); oneDNN
// has no f64 convolution, so Double (used by gradcheck) runs on direct loops, as does Float
// when a size is zero or oneDNN declines a shape. Results do not depend on the thread count
// (Note [Convolution in batch chunks] in conv.cpp).
#include <array>
#include <cstdint>
#include <optional>

#include "kernels/view.h"

namespace tg::kernels {

/// Stride, padding and dilation per spatial dim (height, width) and the channel groups.
struct ConvParams {
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

/// y = conv2d(x, w) + b for contiguous x [N, C, H, W], w [OC, C / groups, KH, KW], b [OC] (or
/// none) and y [N, OC, OH, OW], all Float or all Double. The caller checks the arguments and
/// computes OH and OW.
void conv2d_forward(const View& y, const View& x, const View& w, const std::optional<View>& b,
                    const ConvParams& p);

/// gx = the input gradient of conv2d for the output gradient gy and the weight w (a transposed
/// convolution); operands as for conv2d_forward, gx of the input's shape.
void conv2d_input_grad(const View& gx, const View& gy, const View& w, const ConvParams& p);

/// gw = the weight gradient of conv2d for the input x and the output gradient gy; operands as
/// for conv2d_forward, gw of the weight's shape.
void conv2d_weight_grad(const View& gw, const View& x, const View& gy, const ConvParams& p);

/// out[c] = the sum of g[:, c, ...] (the bias gradient) for a contiguous g of at least 2 dims
/// and a contiguous out [C] of g's floating dtype.
void channel_sum(const View& out, const View& g);

}  // namespace tg::kernels
