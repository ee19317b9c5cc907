#pragma once
// 2-D pooling kernels: max, average and adaptive average pooling and their gradients. Loops run
// over the [N * C] planes of contiguous NCHW data, in parallel over planes (each plane is written
// by one thread, so scatters need no atomics). Disjoint 2 x 2 max pooling of Float has AVX-512
// kernels (Note [Pooling 2 x 2 windows] in pool.cpp).
#include <array>
#include <cstdint>
#include <optional>

#include "kernels/view.h"

namespace tg::kernels {

/// Kernel, stride, padding and dilation of the windows (height, width).
struct PoolWindows {
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
};

// In all of these x and gx are contiguous [N, C, H, W], out, indices and g contiguous
// [N, C, OH, OW] (the output size the caller computed from the windows), of one floating dtype
// (indices Long). The caller checks the arguments.

/// out = the maximum of each window (a NaN wins, as in libtorch), indices = its flat position
/// h * W + w in the input plane.
void max_pool2d(const View& out, const View& indices, const View& x, const PoolWindows& p);
/// gx = g scattered to the positions in indices (summed where windows overlap), 0 elsewhere.
void max_pool2d_backward(const View& gx, const View& g, const View& indices, const PoolWindows& p);

/// How avg_pool2d divides a window's sum.
struct AvgDivisor {
  bool count_include_pad = true;            // count the padding in the window size
  std::optional<int64_t> divisor_override;  // divide by this instead (non-zero)
};
/// out = the mean of each window.
void avg_pool2d(const View& out, const View& x, const PoolWindows& p, const AvgDivisor& d);
/// gx = each g spread evenly over its window (summed where windows overlap).
void avg_pool2d_backward(const View& gx, const View& g, const PoolWindows& p, const AvgDivisor& d);

/// out = the mean of each adaptive window: output o of a dim of size in -> out covers
/// [floor(o * in / out), ceil((o + 1) * in / out)).
void adaptive_avg_pool2d(const View& out, const View& x);
/// gx = each g spread evenly over its adaptive window.
void adaptive_avg_pool2d_backward(const View& gx, const View& g);

}  // namespace tg::kernels
