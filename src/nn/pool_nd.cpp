// 1-D and 3-D pooling, adaptive max pooling and max unpooling, made of the 2-D pooling ops and
// differentiable shape and reduction ops.
//
// Note [3-D pooling by depth]
// A 3-D window is a kD-long run of 2-D windows at depths z * sD - pD + kd * dD. For each kd the
// depths form a strided slice of the depth-padded input, pooled in 2-D as one batch; max pooling
// then takes the maximum over kd (its index: the depth times H * W plus the 2-D index), average
// pooling sums them (2-D pooling with divisor 1) and divides by each window's divisor.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/ops_pad.h"

namespace tg {
namespace {

template <size_t D>
std::array<int64_t, D> expand(IntArrayRef v, const char* op, const char* name) {
  TG_CHECK(v.size() == 1 || v.size() == D, op, ": ", name, " must be a single int or ", D,
           " ints but got ", v.size(), " values ", detail::shape_str(v));
  std::array<int64_t, D> out;
  for (size_t i = 0; i < D; ++i) out[i] = v.size() == 1 ? v[0] : v[i];
  return out;
}

int64_t div_floor(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// Output size along one dim, as libtorch's pooling_output_shape.
int64_t pool_out(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil, bool ceil) {
  int64_t out = div_floor(in + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0), stride) + 1;
  if (ceil && (out - 1) * stride >= in + pad) --out;
  return out;
}

Tensor batched(const Tensor& input, int64_t spatial, const char* op) {
  TG_CHECK(input.defined(), op, ": the input is undefined");
  TG_CHECK(input.dim() == spatial + 1 || input.dim() == spatial + 2, op, ": expected a ",
           spatial + 1, "-D (unbatched) or ", spatial + 2, "-D (batched) input but got shape ",
           detail::shape_str(input.sizes()));
  TG_CHECK(is_floating_point(input.dtype()), op, ": expected a Float or Double input but got ",
           input.dtype());
  return input.dim() == spatial + 1 ? input.unsqueeze(0) : input;
}

Tensor unbatch(const Tensor& out, const Tensor& input, int64_t spatial) {
  return input.dim() == spatial + 1 ? out.squeeze(0) : out;
}

struct Window3 {
  std::array<int64_t, 3> k, s, p, d;
};

Window3 window3(const char* op, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                IntArrayRef dilation) {
  Window3 w;
  w.k = expand<3>(kernel_size, op, "kernel_size");
  w.s = stride.empty() ? w.k : expand<3>(stride, op, "stride");
  w.p = expand<3>(padding, op, "padding");
  w.d = expand<3>(dilation, op, "dilation");
  for (int i = 0; i < 3; ++i) {
    TG_CHECK(w.k[i] > 0 && w.s[i] > 0 && w.d[i] > 0, op,
             ": kernel_size, stride and dilation must be greater than zero");
    TG_CHECK(w.p[i] >= 0 && w.p[i] <= w.k[i] / 2, op,
             ": pad should be at most half of effective kernel size, but got pad=", w.p[i],
             ", kernel_size=", w.k[i]);
  }
  return w;
}

/// The input padded in depth so that every depth window of `od` outputs lies inside it.
Tensor pad_depth(const Tensor& x, const Window3& w, int64_t od, double value) {
  const int64_t need = (od - 1) * w.s[0] + w.d[0] * (w.k[0] - 1) + 1;
  const int64_t back = std::max<int64_t>(need - x.size(2) - w.p[0], 0);
  if (w.p[0] == 0 && back == 0) return x;
  return constant_pad_nd(x, {0, 0, 0, 0, w.p[0], back}, value);
}

/// The depths of kernel depth kd for every output depth, folded into the channels:
/// [N, C * od, H, W].
Tensor depth_slice(const Tensor& xp, const Window3& w, int64_t kd, int64_t od) {
  const int64_t start = kd * w.d[0];
  return xp.slice(2, start, start + w.s[0] * (od - 1) + 1, w.s[0])
      .reshape({xp.size(0), xp.size(1) * od, xp.size(3), xp.size(4)});
}

}  // namespace

// ---- 1-D ----

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride, IntArrayRef padding,
                                                   IntArrayRef dilation, bool ceil_mode) {
  const char* op = "max_pool1d";
  const Tensor x = batched(input, 1, op);
  const auto k = expand<1>(kernel_size, op, "kernel_size");
  const auto s = stride.empty() ? k : expand<1>(stride, op, "stride");
  const auto p = expand<1>(padding, op, "padding");
  const auto d = expand<1>(dilation, op, "dilation");
  auto [v, i] = max_pool2d_with_indices(x.unsqueeze(2), DimVector{1, k[0]}, DimVector{1, s[0]},
                                        DimVector{0, p[0]}, DimVector{1, d[0]}, ceil_mode);
  return {unbatch(v.squeeze(2), input, 1), unbatch(i.squeeze(2), input, 1)};
}

Tensor max_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(
      max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

Tensor avg_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, bool ceil_mode, bool count_include_pad) {
  const char* op = "avg_pool1d";
  const Tensor x = batched(input, 1, op);
  const auto k = expand<1>(kernel_size, op, "kernel_size");
  const auto s = stride.empty() ? k : expand<1>(stride, op, "stride");
  const auto p = expand<1>(padding, op, "padding");
  const Tensor out = avg_pool2d(x.unsqueeze(2), DimVector{1, k[0]}, DimVector{1, s[0]},
                                DimVector{0, p[0]}, ceil_mode, count_include_pad);
  return unbatch(out.squeeze(2), input, 1);
}

Tensor adaptive_avg_pool1d(const Tensor& input, IntArrayRef output_size) {
  const char* op = "adaptive_avg_pool1d";
  TG_CHECK(output_size.size() == 1, op, ": output_size must have 1 value but got ",
           detail::shape_str(output_size));
  const Tensor x = batched(input, 1, op);
  const Tensor out = adaptive_avg_pool2d(x.unsqueeze(2), DimVector{1, output_size[0]});
  return unbatch(out.squeeze(2), input, 1);
}

// ---- 3-D ----

std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride, IntArrayRef padding,
                                                   IntArrayRef dilation, bool ceil_mode) {
  const char* op = "max_pool3d";
  const Tensor x = batched(input, 3, op);
  const Window3 w = window3(op, kernel_size, stride, padding, dilation);
  const int64_t n = x.size(0), c = x.size(1), depth = x.size(2), h = x.size(3), wd = x.size(4);
  const int64_t od = pool_out(depth, w.k[0], w.p[0], w.s[0], w.d[0], ceil_mode);
  TG_CHECK(od >= 1, op, ": the output would be empty for input ", detail::shape_str(input.sizes()));
  const Tensor xp = pad_depth(x, w, od, -std::numeric_limits<double>::infinity());
  std::vector<Tensor> values, indices;
  for (int64_t kd = 0; kd < w.k[0]; ++kd) {
    auto [v, i] = max_pool2d_with_indices(depth_slice(xp, w, kd, od), DimVector{w.k[1], w.k[2]},
                                          DimVector{w.s[1], w.s[2]}, DimVector{w.p[1], w.p[2]},
                                          DimVector{w.d[1], w.d[2]}, ceil_mode);
    values.push_back(v);
    indices.push_back(i);
  }
  // The first kernel depth holding the maximum wins ties, as a scan in (d, h, w) order does.
  auto [v, arg] = stack(values, 0).max(0);
  const Tensor index2d = stack(indices, 0).gather(0, arg.unsqueeze(0)).squeeze(0);
  Tensor depth_of;
  {
    // Depth of each kernel depth kd for output depth z: z * sD - pD + kd * dD.
    Tensor z = empty({od}, kLong);
    for (int64_t i = 0; i < od; ++i) z.data_ptr<int64_t>()[i] = i * w.s[0] - w.p[0];
    const int64_t oh = v.size(2), ow = v.size(3);
    depth_of = (z.reshape({1, 1, od, 1, 1}) + arg.reshape({n, c, od, oh, ow}) * w.d[0]);
  }
  const Tensor index = depth_of * (h * wd) + index2d.reshape(depth_of.sizes());
  const Tensor out = v.reshape({n, c, od, v.size(2), v.size(3)});
  return {unbatch(out, input, 3), unbatch(index, input, 3)};
}

Tensor max_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(
      max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

Tensor avg_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                  IntArrayRef padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  const char* op = "avg_pool3d";
  TG_CHECK(!divisor_override || *divisor_override != 0, op, ": divisor must be not zero");
  const Tensor x = batched(input, 3, op);
  const Window3 w = window3(op, kernel_size, stride, padding, 1);
  const int64_t n = x.size(0), c = x.size(1);
  std::array<int64_t, 3> out_size;
  for (int i = 0; i < 3; ++i)
    out_size[i] = pool_out(x.size(2 + i), w.k[i], w.p[i], w.s[i], 1, ceil_mode);
  TG_CHECK(out_size[0] >= 1 && out_size[1] >= 1 && out_size[2] >= 1, op,
           ": the output would be empty for input ", detail::shape_str(input.sizes()));
  const int64_t od = out_size[0];
  const Tensor xp = pad_depth(x, w, od, 0.0);
  Tensor sum;
  for (int64_t kd = 0; kd < w.k[0]; ++kd) {
    const Tensor s =
        avg_pool2d(depth_slice(xp, w, kd, od), DimVector{w.k[1], w.k[2]}, DimVector{w.s[1], w.s[2]},
                   DimVector{w.p[1], w.p[2]}, ceil_mode, true, 1);
    sum = sum.defined() ? sum + s : s;
  }
  sum = sum.reshape({n, c, od, sum.size(2), sum.size(3)});
  if (divisor_override) return unbatch(sum / static_cast<double>(*divisor_override), input, 3);
  // Each window's divisor: its size inside input + padding, or inside the input alone.
  Tensor divisor = empty({od, out_size[1], out_size[2]}, x.dtype());
  {
    std::vector<double> div(static_cast<size_t>(od * out_size[1] * out_size[2]));
    size_t q = 0;
    for (int64_t a = 0; a < od; ++a)
      for (int64_t b = 0; b < out_size[1]; ++b)
        for (int64_t e = 0; e < out_size[2]; ++e) {
          const int64_t o[3] = {a, b, e};
          int64_t all = 1, inside = 1;
          for (int i = 0; i < 3; ++i) {
            const int64_t in = x.size(2 + i);
            int64_t start = o[i] * w.s[i] - w.p[i];
            int64_t end = std::min(start + w.k[i], in + w.p[i]);
            all *= end - start;
            start = std::max<int64_t>(start, 0);
            end = std::min(end, in);
            inside *= end - start;
          }
          div[q++] = static_cast<double>(count_include_pad ? all : inside);
        }
    divisor = tensor(div, kDouble).reshape({od, out_size[1], out_size[2]}).to(x.dtype());
  }
  return unbatch(sum / divisor, input, 3);
}

Tensor adaptive_avg_pool3d(const Tensor& input, IntArrayRef output_size) {
  const char* op = "adaptive_avg_pool3d";
  TG_CHECK(output_size.size() == 3, op, ": output_size must have 3 values but got ",
           detail::shape_str(output_size));
  const Tensor x = batched(input, 3, op);
  const int64_t n = x.size(0), c = x.size(1), depth = x.size(2);
  // Averages of the planes, then of the planes of each depth window (every plane of a window
  // has the same number of values, so the mean of means is the mean).
  const Tensor planes = adaptive_avg_pool2d(x.reshape({n, c * depth, x.size(3), x.size(4)}),
                                            DimVector{output_size[1], output_size[2]})
                            .reshape({n, c, depth, output_size[1], output_size[2]});
  std::vector<Tensor> parts;
  for (int64_t z = 0; z < output_size[0]; ++z) {
    const int64_t start = (z * depth) / output_size[0];
    const int64_t end = ((z + 1) * depth + output_size[0] - 1) / output_size[0];
    parts.push_back(planes.narrow(2, start, end - start).mean({2}));
  }
  return unbatch(stack(parts, 2), input, 3);
}

// ---- adaptive max ----

namespace {

/// Adaptive max pooling over the last `spatial` dims of a batched x.
std::tuple<Tensor, Tensor> adaptive_max(const Tensor& x, IntArrayRef output_size, int64_t spatial) {
  const int64_t n = x.size(0), c = x.size(1);
  std::vector<int64_t> in(static_cast<size_t>(spatial)),
      out(output_size.begin(), output_size.end());
  for (int64_t i = 0; i < spatial; ++i) in[static_cast<size_t>(i)] = x.size(2 + i);
  int64_t cells = 1;
  for (int64_t o : out) cells *= o;
  std::vector<Tensor> values, indices;
  std::vector<int64_t> cell(static_cast<size_t>(spatial), 0);
  for (int64_t q = 0; q < cells; ++q) {
    Tensor window = x;
    std::vector<int64_t> start(static_cast<size_t>(spatial)), len(static_cast<size_t>(spatial));
    for (int64_t i = 0; i < spatial; ++i) {
      const size_t u = static_cast<size_t>(i);
      start[u] = (cell[u] * in[u]) / out[u];
      len[u] = ((cell[u] + 1) * in[u] + out[u] - 1) / out[u] - start[u];
      window = window.narrow(2 + i, start[u], len[u]);
    }
    auto [v, a] = window.reshape({n, c, -1}).max(2);
    // The flat index in the input volume of each window position.
    int64_t count = 1;
    for (int64_t l : len) count *= l;
    Tensor table = empty({count}, kLong);
    for (int64_t t = 0; t < count; ++t) {
      int64_t rem = t, flat = 0, scale = 1;
      std::vector<int64_t> pos(static_cast<size_t>(spatial));
      for (int64_t i = spatial - 1; i >= 0; --i) {
        const size_t u = static_cast<size_t>(i);
        pos[u] = start[u] + rem % len[u];
        rem /= len[u];
      }
      for (int64_t i = spatial - 1; i >= 0; --i) {
        flat += pos[static_cast<size_t>(i)] * scale;
        scale *= in[static_cast<size_t>(i)];
      }
      table.data_ptr<int64_t>()[t] = flat;
    }
    values.push_back(v);
    indices.push_back(table.index_select(0, a.reshape({-1})).reshape(a.sizes()));
    for (int64_t i = spatial - 1; i >= 0; --i) {
      if (++cell[static_cast<size_t>(i)] < out[static_cast<size_t>(i)]) break;
      cell[static_cast<size_t>(i)] = 0;
    }
  }
  DimVector shape{n, c};
  for (int64_t o : out) shape.push_back(o);
  return {stack(values, 2).reshape(shape), stack(indices, 2).reshape(shape)};
}

std::tuple<Tensor, Tensor> adaptive_max_nd(const Tensor& input, IntArrayRef output_size,
                                           int64_t spatial, const char* op) {
  TG_CHECK(static_cast<int64_t>(output_size.size()) == spatial, op, ": output_size must have ",
           spatial, " values but got ", detail::shape_str(output_size));
  for (int64_t o : output_size)
    TG_CHECK(o > 0, op, ": elements of output_size must be greater than 0 but got ",
             detail::shape_str(output_size));
  const Tensor x = batched(input, spatial, op);
  for (int64_t i = 0; i < spatial; ++i)
    TG_CHECK(x.size(2 + i) > 0, op, ": expected non-empty spatial dims but got input ",
             detail::shape_str(input.sizes()));
  auto [v, i] = adaptive_max(x, output_size, spatial);
  return {unbatch(v, input, spatial), unbatch(i, input, spatial)};
}

}  // namespace

std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& input, IntArrayRef output_size) {
  return adaptive_max_nd(input, output_size, 1, "adaptive_max_pool1d");
}
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, IntArrayRef output_size) {
  return adaptive_max_nd(input, output_size, 2, "adaptive_max_pool2d");
}
std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& input, IntArrayRef output_size) {
  return adaptive_max_nd(input, output_size, 3, "adaptive_max_pool3d");
}

// ---- unpooling ----

namespace {

Tensor max_unpool(const Tensor& self, const Tensor& indices, IntArrayRef output_size,
                  int64_t spatial, const char* op) {
  TG_CHECK(self.defined() && indices.defined(), op, ": input and indices must be defined");
  TG_CHECK(indices.dtype() == kLong, op,
           ": elements in indices should be type int64 but got: ", indices.dtype());
  TG_CHECK(self.sizes() == indices.sizes(), op,
           ": Shape of input must match shape of indices, but got input ",
           detail::shape_str(self.sizes()), " and indices ", detail::shape_str(indices.sizes()));
  TG_CHECK(static_cast<int64_t>(output_size.size()) == spatial, op, ": There should be exactly ",
           spatial, " elements but got ", output_size.size(), " elements in output_size");
  const Tensor x = batched(self, spatial, op);
  const Tensor idx = self.dim() == spatial + 1 ? indices.unsqueeze(0) : indices;
  int64_t volume = 1;
  for (int64_t o : output_size) volume *= o;
  if (idx.numel() > 0) {
    const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
    TG_CHECK(lo >= 0 && hi < volume, op, ": Found an invalid max index: ", lo < 0 ? lo : hi,
             " (output volumes are of size ", volume, ")");
  }
  const int64_t n = x.size(0), c = x.size(1);
  const Tensor flat_idx = idx.reshape({n, c, -1}).contiguous();
  // Where several inputs name the same position (overlapping pooling windows), the last one is
  // written, as libtorch's loop does: the others are masked out.
  Tensor keep = ones(flat_idx.sizes(), x.dtype());
  {
    const int64_t planes = n * c, per = flat_idx.size(2);
    const int64_t* ip = flat_idx.data_ptr<int64_t>();
    std::vector<int64_t> last(static_cast<size_t>(volume));
    bool duplicates = false;
    std::vector<char> mask(static_cast<size_t>(planes * per), 1);
    for (int64_t q = 0; q < planes; ++q) {
      std::fill(last.begin(), last.end(), int64_t{-1});
      for (int64_t k = 0; k < per; ++k) {
        int64_t& seen = last[static_cast<size_t>(ip[q * per + k])];
        if (seen >= 0) {
          mask[static_cast<size_t>(q * per + seen)] = 0;
          duplicates = true;
        }
        seen = k;
      }
    }
    if (duplicates) {
      std::vector<double> m(mask.begin(), mask.end());
      keep = tensor(m, kDouble).reshape(flat_idx.sizes()).to(x.dtype());
    }
  }
  Tensor out =
      zeros({n, c, volume}, x.dtype()).scatter_add(2, flat_idx, x.reshape({n, c, -1}) * keep);
  DimVector shape{n, c};
  for (int64_t o : output_size) shape.push_back(o);
  return unbatch(out.reshape(shape), self, spatial);
}

}  // namespace

Tensor max_unpool2d(const Tensor& self, const Tensor& indices, IntArrayRef output_size) {
  return max_unpool(self, indices, output_size, 2, "max_unpool2d");
}

Tensor max_unpool3d(const Tensor& self, const Tensor& indices, IntArrayRef output_size,
                    IntArrayRef /*stride*/, IntArrayRef /*padding*/) {
  return max_unpool(self, indices, output_size, 3, "max_unpool3d");
}

}  // namespace tg
