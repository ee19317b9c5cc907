// Op cases for the activations of nn/ops_activation.h, the normalisations of nn/ops_norm.h and
// the padding of nn/ops_pad.h. References are plain loops over the inputs' data with std::
// functions, never tensorgrad's ops. Inputs stay away from the kinks (0, the shrink and clamp
// bounds, the threshold) so that finite differences are meaningful.
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "op_case.h"
#include "tensorgrad/nn/ops_activation.h"
#include "tensorgrad/nn/ops_norm.h"
#include "tensorgrad/nn/ops_pad.h"

namespace {

using tg::Tensor;
using tg::variable_list;

/// A contiguous kDouble tensor of `shape` with values gen(i).
Tensor make(std::vector<int64_t> shape, const std::function<double(int64_t)>& gen,
            bool requires_grad = true) {
  Tensor t = tg::empty(shape, tg::kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = gen(i);
  t.requires_grad_(requires_grad);
  return t;
}

/// +-values in [0.1, 2.9], distinct, shuffled, alternating in sign; none within 0.02 of 0.55,
/// 1.5, 2.0 or 3 (the kinks used below).
double away(int64_t i) {
  const int64_t k = (i * 7) % 24;
  const double v = 0.1 + 2.8 * (static_cast<double>(k) + 0.5) / 24.0;
  return i % 2 ? v : -v;
}

double wave(int64_t i) { return std::sin(0.7 + 1.3 * static_cast<double>(i)); }

Tensor map1(const Tensor& x, const std::function<double(double)>& f) {
  Tensor out = tg::empty(x.sizes(), tg::kDouble);
  for (int64_t i = 0; i < x.numel(); ++i) out.data_ptr<double>()[i] = f(x.data_ptr<double>()[i]);
  return out;
}

void elementwise_case(const char* op, const char* variant, std::function<Tensor(const Tensor&)> fn,
                      std::function<double(double)> f) {
  tg::testing::OpCaseRegistrar registrar(tg::testing::OpCase{
      .op = op,
      .variant = variant,
      .inputs =
          [] {
            return variable_list{make({3, 8}, away)};
          },
      .fn = [fn](const variable_list& x) { return variable_list{fn(x[0])}; },
      .reference = [f](const variable_list& x) { return variable_list{map1(x[0], f)}; },
  });
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

[[maybe_unused]] const bool kElementwise = [] {
  elementwise_case(
      "elu", "alpha_0_7_scale_1_2_input_scale_0_8",
      [](const Tensor& x) { return tg::elu(x, 0.7, 1.2, 0.8); },
      [](double v) { return v > 0 ? 1.2 * v : 1.2 * 0.7 * std::expm1(0.8 * v); });
  elementwise_case(
      "selu", "default", [](const Tensor& x) { return tg::selu(x); },
      [](double v) {
        const double a = 1.6732632423543772848170429916717, s = 1.0507009873554804934193349852946;
        return v > 0 ? s * v : s * a * std::expm1(v);
      });
  elementwise_case(
      "celu", "alpha_1_3", [](const Tensor& x) { return tg::celu(x, 1.3); },
      [](double v) { return v > 0 ? v : 1.3 * std::expm1(v / 1.3); });
  elementwise_case(
      "hardshrink", "lambda_0_55", [](const Tensor& x) { return tg::hardshrink(x, 0.55); },
      [](double v) { return std::abs(v) > 0.55 ? v : 0.0; });
  elementwise_case(
      "softshrink", "lambda_0_55", [](const Tensor& x) { return tg::softshrink(x, 0.55); },
      [](double v) { return v > 0.55 ? v - 0.55 : (v < -0.55 ? v + 0.55 : 0.0); });
  elementwise_case(
      "hardtanh", "min_-1_5_max_2", [](const Tensor& x) { return tg::hardtanh(x, -1.5, 2.0); },
      [](double v) { return std::min(std::max(v, -1.5), 2.0); });
  elementwise_case(
      "relu6", "scaled_by_3", [](const Tensor& x) { return tg::relu6(x * 3); },
      [](double v) { return std::min(std::max(3 * v, 0.0), 6.0); });
  elementwise_case(
      "log_sigmoid", "default", [](const Tensor& x) { return tg::log_sigmoid(x); },
      [](double v) { return std::log(sigmoid(v)); });
  elementwise_case(
      "mish", "default", [](const Tensor& x) { return tg::mish(x); },
      [](double v) { return v * std::tanh(std::log1p(std::exp(v))); });
  elementwise_case(
      "threshold", "threshold_0_55_value_-2",
      [](const Tensor& x) { return tg::threshold(x, 0.55, -2.0); },
      [](double v) { return v > 0.55 ? v : -2.0; });
  elementwise_case(
      "rrelu", "evaluation", [](const Tensor& x) { return tg::rrelu(x, 0.1, 0.3, false); },
      [](double v) { return v >= 0 ? v : 0.2 * v; });
  elementwise_case(
      "hardsigmoid", "default", [](const Tensor& x) { return tg::hardsigmoid(x * 2); },
      [](double v) { return std::min(std::max(2 * v + 3, 0.0), 6.0) / 6; });
  elementwise_case(
      "hardswish", "default", [](const Tensor& x) { return tg::hardswish(x * 2); },
      [](double v) { return 2 * v * std::min(std::max(2 * v + 3, 0.0), 6.0) / 6; });
  return true;
}();

TG_OP_CASE({
    .op = "glu",
    .variant = "dim_1",
    .inputs =
        [] {
          return variable_list{make({3, 4, 2}, wave)};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::glu(x[0], 1)}; },
    .reference =
        [](const variable_list& x) {
          Tensor out = tg::empty({3, 2, 2}, tg::kDouble);
          const double* p = x[0].data_ptr<double>();
          double* o = out.data_ptr<double>();
          for (int64_t i = 0; i < 3; ++i)
            for (int64_t j = 0; j < 2; ++j)
              for (int64_t k = 0; k < 2; ++k)
                o[(i * 2 + j) * 2 + k] =
                    p[(i * 4 + j) * 2 + k] * sigmoid(p[(i * 4 + j + 2) * 2 + k]);
          return variable_list{out};
        },
});

TG_OP_CASE({
    .op = "prelu",
    .variant = "per_channel",
    .inputs =
        [] {
          return variable_list{make({2, 3, 4}, away),
                               make({3}, [](int64_t i) { return 0.1 + 0.2 * i; })};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::prelu(x[0], x[1])}; },
    .reference =
        [](const variable_list& x) {
          Tensor out = tg::empty({2, 3, 4}, tg::kDouble);
          const double* p = x[0].data_ptr<double>();
          const double* w = x[1].data_ptr<double>();
          for (int64_t i = 0; i < 24; ++i)
            out.data_ptr<double>()[i] = p[i] > 0 ? p[i] : w[(i / 4) % 3] * p[i];
          return variable_list{out};
        },
});

/// Normalises each of `groups` consecutive runs of `size` values of x (biased variance), then
/// applies per-element scale/shift given by index functions (or none).
Tensor normalize_runs(const Tensor& x, int64_t size, double eps,
                      const std::function<double(int64_t)>& scale,
                      const std::function<double(int64_t)>& shift) {
  Tensor out = tg::empty(x.sizes(), tg::kDouble);
  const double* p = x.data_ptr<double>();
  double* o = out.data_ptr<double>();
  for (int64_t start = 0; start < x.numel(); start += size) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < size; ++i) mean += p[start + i];
    mean /= static_cast<double>(size);
    for (int64_t i = 0; i < size; ++i) var += (p[start + i] - mean) * (p[start + i] - mean);
    var /= static_cast<double>(size);
    for (int64_t i = 0; i < size; ++i) {
      const int64_t k = start + i;
      o[k] = (p[k] - mean) / std::sqrt(var + eps) * scale(k) + shift(k);
    }
  }
  return out;
}

TG_OP_CASE({
    .op = "layer_norm",
    .variant = "last_two_dims_affine",
    .inputs =
        [] {
          return variable_list{make({2, 3, 4}, wave),
                               make({3, 4}, [](int64_t i) { return 0.5 + 0.1 * i; }),
                               make({3, 4}, [](int64_t i) { return 0.2 - 0.05 * i; })};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::layer_norm(x[0], {3, 4}, x[1], x[2], 1e-3)};
        },
    .reference =
        [](const variable_list& x) {
          const double* w = x[1].data_ptr<double>();
          const double* b = x[2].data_ptr<double>();
          return variable_list{normalize_runs(
              x[0], 12, 1e-3, [w](int64_t k) { return w[k % 12]; },
              [b](int64_t k) { return b[k % 12]; })};
        },
});

TG_OP_CASE({
    .op = "group_norm",
    .variant = "two_groups_affine",
    .inputs =
        [] {
          return variable_list{make({2, 4, 3}, wave),
                               make({4}, [](int64_t i) { return 0.5 + 0.3 * i; }),
                               make({4}, [](int64_t i) { return 0.2 - 0.1 * i; })};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::group_norm(x[0], 2, x[1], x[2], 1e-4)};
        },
    .reference =
        [](const variable_list& x) {
          const double* w = x[1].data_ptr<double>();
          const double* b = x[2].data_ptr<double>();
          return variable_list{normalize_runs(
              x[0], 6, 1e-4, [w](int64_t k) { return w[(k / 3) % 4]; },
              [b](int64_t k) { return b[(k / 3) % 4]; })};
        },
});

TG_OP_CASE({
    .op = "instance_norm",
    .variant = "input_stats_affine",
    .inputs =
        [] {
          return variable_list{make({2, 3, 5}, wave),
                               make({3}, [](int64_t i) { return 0.5 + 0.3 * i; }),
                               make({3}, [](int64_t i) { return 0.2 - 0.1 * i; })};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{
              tg::instance_norm(x[0], x[1], x[2], std::nullopt, std::nullopt, true, 0.1, 1e-5)};
        },
    .reference =
        [](const variable_list& x) {
          const double* w = x[1].data_ptr<double>();
          const double* b = x[2].data_ptr<double>();
          return variable_list{normalize_runs(
              x[0], 5, 1e-5, [w](int64_t k) { return w[(k / 5) % 3]; },
              [b](int64_t k) { return b[(k / 5) % 3]; })};
        },
});

/// Pads the last two dims of a contiguous [P, H, W] x: out(p, i, j) = x(p, src(i), src(j)) or
/// `fill` where a source index function returns -1.
Tensor pad_reference(const Tensor& x, int64_t t, int64_t bottom, int64_t l, int64_t r,
                     const std::function<int64_t(int64_t, int64_t)>& src, double fill) {
  const int64_t P = x.size(0), H = x.size(1), W = x.size(2);
  const int64_t OH = H + t + bottom, OW = W + l + r;
  Tensor out = tg::empty({P, OH, OW}, tg::kDouble);
  const double* p = x.data_ptr<double>();
  double* o = out.data_ptr<double>();
  for (int64_t c = 0; c < P; ++c)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        const int64_t si = src(i - t, H), sj = src(j - l, W);
        o[(c * OH + i) * OW + j] = (si < 0 || sj < 0) ? fill : p[(c * H + si) * W + sj];
      }
  return out;
}

TG_OP_CASE({
    .op = "constant_pad_nd",
    .variant = "grow_and_crop",
    .inputs =
        [] {
          return variable_list{make({2, 3, 4}, wave)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::constant_pad_nd(x[0], {2, -1, 1, 0}, 0.5)};
        },
    .reference =
        [](const variable_list& x) {
          // Pad W by 2 on the left, crop 1 on the right; pad H by 1 on top.
          return variable_list{pad_reference(
              x[0], 1, 0, 2, -1,
              [](int64_t i, int64_t n) { return i < 0 || i >= n ? int64_t{-1} : i; }, 0.5)};
        },
});

TG_OP_CASE({
    .op = "pad",
    .variant = "reflect",
    .inputs =
        [] {
          return variable_list{make({2, 3, 4}, wave)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::pad(x[0], {3, 1, 2, 2}, "reflect")};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{pad_reference(
              x[0], 2, 2, 3, 1,
              [](int64_t i, int64_t n) { return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); }, 0)};
        },
});

TG_OP_CASE({
    .op = "pad",
    .variant = "replicate",
    .inputs =
        [] {
          return variable_list{make({2, 3, 4}, wave)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::pad(x[0], {2, 0, 1, 3}, "replicate")};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{pad_reference(
              x[0], 1, 3, 2, 0,
              [](int64_t i, int64_t n) { return i < 0 ? int64_t{0} : (i >= n ? n - 1 : i); }, 0)};
        },
});

TG_OP_CASE({
    .op = "pad",
    .variant = "circular",
    .inputs =
        [] {
          return variable_list{make({2, 3, 4}, wave)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::pad(x[0], {4, 1, 3, 2}, "circular")};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{pad_reference(
              x[0], 3, 2, 4, 1, [](int64_t i, int64_t n) { return ((i % n) + n) % n; }, 0)};
        },
});

}  // namespace
