// Op cases for the neural-network functions: linear, leaky_relu, gelu, silu, softplus and the
// losses. References are plain loops over the inputs' data with std:: functions, never
// tensorgrad's ops. Inputs stay away from kinks (leaky_relu at 0, |x - y| at 0, the softplus
// threshold) so that finite differences are meaningful; probabilities stay inside (0, 1).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "op_case.h"
#include "tensorgrad/nn/ops_loss.h"

namespace {

using tg::Tensor;
using tg::variable_list;
namespace Reduction = tg::Reduction;

/// A contiguous kDouble tensor of `shape` with values gen(i).
Tensor make(std::vector<int64_t> shape, const std::function<double(int64_t)>& gen,
            bool requires_grad = true) {
  Tensor t = tg::empty(shape, tg::kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = gen(i);
  t.requires_grad_(requires_grad);
  return t;
}

/// Smooth, distinct values in about [-scale, scale].
std::function<double(int64_t)> wave(double seed, double scale = 1.0) {
  return [seed, scale](int64_t i) { return scale * std::sin(seed + 1.3 * static_cast<double>(i)); };
}

/// Values in [lo, hi], distinct and shuffled.
std::function<double(int64_t)> spread(double lo, double hi, int64_t n) {
  return [lo, hi, n](int64_t i) {
    const int64_t k = (i * 7) % n;
    return lo + (hi - lo) * (static_cast<double>(k) + 0.5) / static_cast<double>(n);
  };
}

Tensor longs(std::vector<int64_t> shape, std::vector<int64_t> values) {
  Tensor t = tg::empty(shape, tg::kLong);
  for (size_t i = 0; i < values.size(); ++i) t.data_ptr<int64_t>()[i] = values[i];
  return t;
}

Tensor doubles(std::vector<int64_t> shape, std::vector<double> values) {
  Tensor t = tg::empty(shape, tg::kDouble);
  for (size_t i = 0; i < values.size(); ++i) t.data_ptr<double>()[i] = values[i];
  return t;
}

Tensor scalar(double v) { return doubles({}, {v}); }

/// out[i] = f(x[i]) for a contiguous kDouble x.
Tensor map1(const Tensor& x, const std::function<double(double)>& f) {
  Tensor out = tg::empty(x.sizes(), tg::kDouble);
  for (int64_t i = 0; i < x.numel(); ++i) out.data_ptr<double>()[i] = f(x.data_ptr<double>()[i]);
  return out;
}

/// Applies a reduction to per-element values of shape `shape`; Mean divides by `denominator`.
Tensor reduce(std::vector<int64_t> shape, const std::vector<double>& values, int64_t reduction,
              double denominator) {
  if (reduction == Reduction::None) return doubles(shape, values);
  double s = 0;
  for (double v : values) s += v;
  return scalar(reduction == Reduction::Sum ? s : s / denominator);
}

// ---- linear -----------------------------------------------------------------------------------

/// y[r, o] = sum_i x[r, i] w[o, i] + b[o] over the rows of a contiguous x [rows, in].
std::vector<double> linear_rows(const double* x, int64_t rows, const Tensor& w, const Tensor& b) {
  const int64_t out = w.size(0), in = w.size(1);
  std::vector<double> y(static_cast<size_t>(rows * out));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double s = b.defined() ? b.data_ptr<double>()[o] : 0.0;
      for (int64_t i = 0; i < in; ++i) s += x[r * in + i] * w.data_ptr<double>()[o * in + i];
      y[static_cast<size_t>(r * out + o)] = s;
    }
  return y;
}

void linear_case(const char* variant, std::vector<int64_t> in_shape, bool bias) {
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = "linear",
      .variant = variant,
      .inputs =
          [in_shape, bias] {
            variable_list v{make(in_shape, wave(0.2)), make({3, in_shape.back()}, wave(1.1))};
            if (bias) v.push_back(make({3}, wave(2.5)));
            return v;
          },
      .fn =
          [bias](const variable_list& x) {
            return variable_list{bias ? tg::linear(x[0], x[1], x[2]) : tg::linear(x[0], x[1])};
          },
      .reference =
          [in_shape, bias](const variable_list& x) {
            std::vector<int64_t> out_shape = in_shape;
            out_shape.back() = 3;
            const int64_t rows = x[0].numel() / in_shape.back();
            return variable_list{doubles(out_shape, linear_rows(x[0].data_ptr<double>(), rows, x[1],
                                                                bias ? x[2] : Tensor()))};
          },
  });
}

const bool linear_cases = [] {
  linear_case("2d_bias", {4, 5}, true);
  linear_case("2d_no_bias", {4, 5}, false);
  linear_case("1d_bias", {5}, true);
  linear_case("3d_bias", {2, 3, 5}, true);
  linear_case("3d_no_bias", {2, 3, 5}, false);
  return true;
}();

// A non-contiguous 3-D input (takes the matmul + bias path).
TG_OP_CASE({
    .op = "linear",
    .variant = "3d_transposed_input_bias",
    .inputs =
        [] {
          return variable_list{make({3, 2, 4}, wave(0.4)), make({3, 4}, wave(1.7)),
                               make({3}, wave(0.9))};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::linear(x[0].transpose(0, 1), x[1], x[2])};
        },
    .reference =
        [](const variable_list& x) {
          // xt[a, b, i] = x[b, a, i]: gather the rows in the transposed order first.
          std::vector<double> rows;
          for (int64_t a = 0; a < 2; ++a)
            for (int64_t b = 0; b < 3; ++b)
              for (int64_t i = 0; i < 4; ++i)
                rows.push_back(x[0].data_ptr<double>()[(b * 2 + a) * 4 + i]);
          return variable_list{doubles({2, 3, 3}, linear_rows(rows.data(), 6, x[1], x[2]))};
        },
});

// ---- activations ------------------------------------------------------------------------------

// Inputs in [-2, 2] that avoid 0 (the kink of leaky_relu).
std::function<double(int64_t)> away_from_zero() {
  return [](int64_t i) {
    const double v = spread(0.1, 2.0, 12)(i);
    return i % 2 ? v : -v;
  };
}

TG_OP_CASE({
    .op = "leaky_relu",
    .variant = "slope_0_2",
    .inputs =
        [] {
          return variable_list{make({3, 4}, away_from_zero())};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::leaky_relu(x[0], 0.2)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{map1(x[0], [](double v) { return v > 0 ? v : 0.2 * v; })};
        },
});

TG_OP_CASE({
    .op = "leaky_relu",
    .variant = "default_slope",
    .inputs = [] { return variable_list{make({12}, away_from_zero())}; },
    .fn = [](const variable_list& x) { return variable_list{tg::leaky_relu(x[0])}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{map1(x[0], [](double v) { return v > 0 ? v : 0.01 * v; })};
        },
});

TG_OP_CASE({
    .op = "gelu",
    .variant = "exact",
    .inputs =
        [] {
          return variable_list{make({3, 4}, spread(-3, 3, 12))};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::gelu(x[0])}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{map1(
              x[0], [](double v) { return 0.5 * v * (1 + std::erf(v / std::numbers::sqrt2)); })};
        },
});

TG_OP_CASE({
    .op = "gelu",
    .variant = "tanh",
    .inputs =
        [] {
          return variable_list{make({3, 4}, spread(-3, 3, 12))};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::gelu(x[0], "tanh")}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{map1(x[0], [](double v) {
            const double k = std::sqrt(2 / std::numbers::pi);
            return 0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v)));
          })};
        },
});

TG_OP_CASE({
    .op = "silu",
    .variant = "values",
    .inputs =
        [] {
          return variable_list{make({2, 5}, spread(-4, 4, 10))};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::silu(x[0])}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{map1(x[0], [](double v) { return v / (1 + std::exp(-v)); })};
        },
});

TG_OP_CASE({
    .op = "softplus",
    .variant = "default",
    .inputs =
        [] {
          return variable_list{make({2, 5}, spread(-4, 4, 10))};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::softplus(x[0])}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{map1(x[0], [](double v) { return std::log(1 + std::exp(v)); })};
        },
});

TG_OP_CASE({
    .op = "softplus",
    .variant = "beta_2_threshold_1_both_sides",
    .inputs =
        [] {
          return variable_list{make({2, 5}, spread(-2, 2, 10))};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::softplus(x[0], 2, 1)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{map1(
              x[0], [](double v) { return 2 * v > 1 ? v : std::log(1 + std::exp(2 * v)) / 2; })};
        },
});

// ---- nll_loss and cross_entropy -----------------------------------------------------------------

/// x[n, c, k] of a contiguous [N, C, K...] tensor (K = product of the trailing dims).
double at3(const Tensor& x, int64_t n, int64_t c, int64_t k, int64_t C, int64_t K) {
  return x.data_ptr<double>()[(n * C + c) * K + k];
}

/// nll_loss by hand: input [N, C, K] (or [C] with N = K = 1), target [N * K].
Tensor ref_nll(const Tensor& x, const Tensor& target, const Tensor& weight, int64_t reduction,
               int64_t ignore_index) {
  const bool one = x.dim() == 1;
  const int64_t C = one ? x.size(0) : x.size(1);
  const int64_t N = one ? 1 : x.size(0);
  const int64_t K = one ? 1 : x.numel() / (N * C);
  std::vector<double> values;
  double total = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t t = target.data_ptr<int64_t>()[n * K + k];
      if (t == ignore_index) {
        values.push_back(0);
        continue;
      }
      const double w = weight.defined() ? weight.data_ptr<double>()[t] : 1.0;
      values.push_back(-w * at3(x, n, t, k, C, K));
      total += w;
    }
  return reduce(target.sizes().vec(), values, reduction, total);
}

void nll_case(const char* variant, std::vector<int64_t> shape, std::vector<int64_t> targets,
              std::vector<int64_t> target_shape, bool weighted, int64_t reduction,
              int64_t ignore_index) {
  const int64_t C = shape.size() == 1 ? shape[0] : shape[1];
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = "nll_loss",
      .variant = variant,
      .inputs =
          [=] {
            variable_list v{make(shape, wave(0.5, 2.0)), longs(target_shape, targets)};
            if (weighted) v.push_back(make({C}, spread(0.2, 2.0, C), false));
            return v;
          },
      .fn =
          [=](const variable_list& x) {
            return variable_list{
                tg::nll_loss(x[0], x[1], weighted ? x[2] : Tensor(), reduction, ignore_index)};
          },
      .reference =
          [=](const variable_list& x) {
            return variable_list{
                ref_nll(x[0], x[1], weighted ? x[2] : Tensor(), reduction, ignore_index)};
          },
  });
}

/// log_softmax along dim 1 of a contiguous [N, C, K] (or along dim 0 of [C]) by hand.
Tensor ref_log_softmax(const Tensor& x) {
  const bool one = x.dim() == 1;
  const int64_t C = one ? x.size(0) : x.size(1);
  const int64_t N = one ? 1 : x.size(0);
  const int64_t K = one ? 1 : x.numel() / (N * C);
  Tensor out = tg::empty(x.sizes(), tg::kDouble);
  double* o = out.data_ptr<double>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      double m = -INFINITY, s = 0;
      for (int64_t c = 0; c < C; ++c) m = std::max(m, at3(x, n, c, k, C, K));
      for (int64_t c = 0; c < C; ++c) s += std::exp(at3(x, n, c, k, C, K) - m);
      for (int64_t c = 0; c < C; ++c)
        o[(n * C + c) * K + k] = at3(x, n, c, k, C, K) - m - std::log(s);
    }
  return out;
}

/// cross entropy with class indices and label smoothing, by hand (libtorch's definition).
Tensor ref_cross_entropy(const Tensor& x, const Tensor& target, const Tensor& weight,
                         int64_t reduction, int64_t ignore_index, double ls) {
  const Tensor lp = ref_log_softmax(x);
  const bool one = x.dim() == 1;
  const int64_t C = one ? x.size(0) : x.size(1);
  const int64_t N = one ? 1 : x.size(0);
  const int64_t K = one ? 1 : x.numel() / (N * C);
  std::vector<double> values;
  double total = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t t = target.data_ptr<int64_t>()[n * K + k];
      if (t == ignore_index) {
        values.push_back(0);
        continue;
      }
      auto w = [&](int64_t c) { return weight.defined() ? weight.data_ptr<double>()[c] : 1.0; };
      double smooth = 0;
      for (int64_t c = 0; c < C; ++c) smooth -= w(c) * at3(lp, n, c, k, C, K);
      values.push_back((1 - ls) * -w(t) * at3(lp, n, t, k, C, K) + ls / C * smooth);
      total += w(t);
    }
  return reduce(target.sizes().vec(), values, reduction, total);
}

/// cross entropy with class probabilities (target of the input's shape), by hand.
Tensor ref_cross_entropy_probs(const Tensor& x, const Tensor& q, const Tensor& weight,
                               int64_t reduction, double ls) {
  const Tensor lp = ref_log_softmax(x);
  const bool one = x.dim() == 1;
  const int64_t C = one ? x.size(0) : x.size(1);
  const int64_t N = one ? 1 : x.size(0);
  const int64_t K = one ? 1 : x.numel() / (N * C);
  std::vector<double> values;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      double s = 0;
      for (int64_t c = 0; c < C; ++c) {
        const double w = weight.defined() ? weight.data_ptr<double>()[c] : 1.0;
        const double p = at3(q, n, c, k, C, K) * (1 - ls) + ls / C;
        s -= w * p * at3(lp, n, c, k, C, K);
      }
      values.push_back(s);
    }
  std::vector<int64_t> shape;
  if (!one) {
    shape.push_back(N);
    for (int64_t d = 2; d < x.dim(); ++d) shape.push_back(x.size(d));
  }
  return reduce(shape, values, reduction, static_cast<double>(N * K));
}

void cross_entropy_case(const char* variant, std::vector<int64_t> shape,
                        std::vector<int64_t> targets, std::vector<int64_t> target_shape,
                        bool weighted, int64_t reduction, int64_t ignore_index, double ls) {
  const int64_t C = shape.size() == 1 ? shape[0] : shape[1];
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = "cross_entropy_loss",
      .variant = variant,
      .inputs =
          [=] {
            variable_list v{make(shape, wave(0.8, 2.0)), longs(target_shape, targets)};
            if (weighted) v.push_back(make({C}, spread(0.3, 1.8, C), false));
            return v;
          },
      .fn =
          [=](const variable_list& x) {
            return variable_list{tg::cross_entropy_loss(x[0], x[1], weighted ? x[2] : Tensor(),
                                                        reduction, ignore_index, ls)};
          },
      .reference =
          [=](const variable_list& x) {
            return variable_list{ref_cross_entropy(x[0], x[1], weighted ? x[2] : Tensor(),
                                                   reduction, ignore_index, ls)};
          },
  });
}

/// Rows of class probabilities (each row of C sums to 1 along dim 1).
Tensor probabilities(std::vector<int64_t> shape, bool requires_grad) {
  const int64_t C = shape.size() == 1 ? shape[0] : shape[1];
  const int64_t N = shape.size() == 1 ? 1 : shape[0];
  Tensor t = make(shape, spread(0.5, 3.0, 29), false);
  const int64_t K = t.numel() / (N * C);
  double* p = t.data_ptr<double>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      double s = 0;
      for (int64_t c = 0; c < C; ++c) s += p[(n * C + c) * K + k];
      for (int64_t c = 0; c < C; ++c) p[(n * C + c) * K + k] /= s;
    }
  t.requires_grad_(requires_grad);
  return t;
}

void cross_entropy_probs_case(const char* variant, std::vector<int64_t> shape, bool weighted,
                              int64_t reduction, double ls, bool target_grad) {
  const int64_t C = shape.size() == 1 ? shape[0] : shape[1];
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = "cross_entropy_loss",
      .variant = variant,
      .inputs =
          [=] {
            variable_list v{make(shape, wave(0.3, 2.0)), probabilities(shape, target_grad)};
            if (weighted) v.push_back(make({C}, spread(0.3, 1.8, C), false));
            return v;
          },
      .fn =
          [=](const variable_list& x) {
            return variable_list{tg::cross_entropy_loss(x[0], x[1], weighted ? x[2] : Tensor(),
                                                        reduction, -100, ls)};
          },
      .reference =
          [=](const variable_list& x) {
            return variable_list{
                ref_cross_entropy_probs(x[0], x[1], weighted ? x[2] : Tensor(), reduction, ls)};
          },
  });
}

const bool class_cases = [] {
  const std::vector<int64_t> t4{1, 0, 4, 2}, t4_ignored{1, -100, 4, 2}, t4_ignore2{2, 0, 4, 2};
  nll_case("mean", {4, 5}, t4, {4}, false, Reduction::Mean, -100);
  nll_case("sum", {4, 5}, t4, {4}, false, Reduction::Sum, -100);
  nll_case("none", {4, 5}, t4, {4}, false, Reduction::None, -100);
  nll_case("weight_mean", {4, 5}, t4, {4}, true, Reduction::Mean, -100);
  nll_case("weight_ignored_mean", {4, 5}, t4_ignored, {4}, true, Reduction::Mean, -100);
  nll_case("weight_ignore_index_2_none", {4, 5}, t4_ignore2, {4}, true, Reduction::None, 2);
  nll_case("ignore_index_2_sum", {4, 5}, t4_ignore2, {4}, false, Reduction::Sum, 2);
  nll_case("1d_input", {5}, {3}, {}, true, Reduction::Mean, -100);
  nll_case("3d_input_none", {2, 3, 4}, {0, 2, 1, 1, 2, 0, -100, 1}, {2, 4}, false, Reduction::None,
           -100);
  nll_case("4d_input_weight_mean", {2, 3, 2, 2}, {0, 2, 1, 1, 2, 0, -100, 1}, {2, 2, 2}, true,
           Reduction::Mean, -100);

  cross_entropy_case("mean", {4, 5}, t4, {4}, false, Reduction::Mean, -100, 0.0);
  cross_entropy_case("weight_ignored_none", {4, 5}, t4_ignored, {4}, true, Reduction::None, -100,
                     0.0);
  cross_entropy_case("1d_input", {5}, {3}, {}, false, Reduction::Sum, -100, 0.0);
  cross_entropy_case("3d_input_mean", {2, 3, 4}, {0, 2, 1, 1, 2, 0, 0, 1}, {2, 4}, false,
                     Reduction::Mean, -100, 0.0);
  cross_entropy_case("label_smoothing_mean", {4, 5}, t4, {4}, false, Reduction::Mean, -100, 0.1);
  cross_entropy_case("label_smoothing_weight_ignored_mean", {4, 5}, t4_ignored, {4}, true,
                     Reduction::Mean, -100, 0.2);
  cross_entropy_case("label_smoothing_weight_ignored_none", {4, 5}, t4_ignored, {4}, true,
                     Reduction::None, -100, 0.2);
  cross_entropy_case("label_smoothing_ignored_sum", {4, 5}, t4_ignored, {4}, false, Reduction::Sum,
                     -100, 0.3);
  cross_entropy_case("label_smoothing_3d_weight_mean", {2, 3, 4}, {0, 2, 1, 1, 2, -100, 0, 1},
                     {2, 4}, true, Reduction::Mean, -100, 0.25);

  cross_entropy_probs_case("probabilities_mean", {4, 5}, false, Reduction::Mean, 0.0, false);
  cross_entropy_probs_case("probabilities_target_grad_none", {4, 5}, false, Reduction::None, 0.0,
                           true);
  cross_entropy_probs_case("probabilities_weight_smoothing_sum", {4, 5}, true, Reduction::Sum, 0.2,
                           true);
  cross_entropy_probs_case("probabilities_3d_weight_mean", {2, 3, 4}, true, Reduction::Mean, 0.0,
                           false);
  cross_entropy_probs_case("probabilities_1d", {5}, false, Reduction::Mean, 0.1, true);
  return true;
}();

// ---- mse_loss, l1_loss
// ---------------------------------------------------------------------------

/// Per-element f(x, y) over x [R, C] and y broadcast from [C] or of x's shape.
std::vector<double> pairwise(const Tensor& x, const Tensor& y,
                             const std::function<double(double, double)>& f) {
  std::vector<double> v;
  const int64_t n = x.numel(), m = y.numel();
  for (int64_t i = 0; i < n; ++i)
    v.push_back(f(x.data_ptr<double>()[i], y.data_ptr<double>()[i % m]));
  return v;
}

void pairwise_loss_case(const char* op, const char* variant, std::vector<int64_t> target_shape,
                        bool target_grad, int64_t reduction) {
  const bool mse = std::string(op) == "mse_loss";
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = op,
      .variant = variant,
      .inputs =
          [=] {
            // x - y stays at least 0.1 away from 0 (the kink of |x - y|).
            return variable_list{
                make({3, 4}, spread(-2, 2, 12)),
                make(
                    target_shape, [](int64_t i) { return 0.05 + 0.3 * (i % 3); }, target_grad)};
          },
      .fn =
          [=](const variable_list& x) {
            return variable_list{mse ? tg::mse_loss(x[0], x[1], reduction)
                                     : tg::l1_loss(x[0], x[1], reduction)};
          },
      .reference =
          [=](const variable_list& x) {
            const auto v = pairwise(x[0], x[1], [mse](double a, double b) {
              return mse ? (a - b) * (a - b) : std::abs(a - b);
            });
            return variable_list{reduce({3, 4}, v, reduction, 12)};
          },
  });
}

const bool pairwise_cases = [] {
  for (const char* op : {"mse_loss", "l1_loss"}) {
    pairwise_loss_case(op, "mean", {3, 4}, false, Reduction::Mean);
    pairwise_loss_case(op, "sum_target_grad", {3, 4}, true, Reduction::Sum);
    pairwise_loss_case(op, "none_target_grad", {3, 4}, true, Reduction::None);
    pairwise_loss_case(op, "broadcast_target_mean", {4}, true, Reduction::Mean);
  }
  return true;
}();

// ---- binary cross entropy
// ------------------------------------------------------------------------

void bce_case(const char* variant, bool weighted, int64_t reduction) {
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = "binary_cross_entropy",
      .variant = variant,
      .inputs =
          [=] {
            variable_list v{make({3, 4}, spread(0.05, 0.95, 12)),
                            make({3, 4}, spread(0.0, 1.0, 12))};
            if (weighted) v.push_back(make({4}, spread(0.5, 2.0, 4), false));
            return v;
          },
      .fn =
          [=](const variable_list& x) {
            return variable_list{
                tg::binary_cross_entropy(x[0], x[1], weighted ? x[2] : Tensor(), reduction)};
          },
      .reference =
          [=](const variable_list& x) {
            std::vector<double> v;
            for (int64_t i = 0; i < 12; ++i) {
              const double p = x[0].data_ptr<double>()[i], t = x[1].data_ptr<double>()[i];
              const double w = weighted ? x[2].data_ptr<double>()[i % 4] : 1.0;
              v.push_back(-w * (t * std::log(p) + (1 - t) * std::log(1 - p)));
            }
            return variable_list{reduce({3, 4}, v, reduction, 12)};
          },
  });
}

void bce_logits_case(const char* variant, bool weighted, bool pos_weighted, int64_t reduction) {
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = "binary_cross_entropy_with_logits",
      .variant = variant,
      .inputs =
          [=] {
            variable_list v{make({3, 4}, spread(-4, 4, 12)), make({3, 4}, spread(0.0, 1.0, 12))};
            v.push_back(weighted ? make({3, 1}, spread(0.5, 2.0, 3), false) : Tensor());
            v.push_back(pos_weighted ? make({4}, spread(0.3, 3.0, 4), false) : Tensor());
            return v;
          },
      .fn =
          [=](const variable_list& x) {
            return variable_list{
                tg::binary_cross_entropy_with_logits(x[0], x[1], x[2], x[3], reduction)};
          },
      .reference =
          [=](const variable_list& x) {
            std::vector<double> v;
            for (int64_t i = 0; i < 12; ++i) {
              const double z = x[0].data_ptr<double>()[i], t = x[1].data_ptr<double>()[i];
              const double w = weighted ? x[2].data_ptr<double>()[i / 4] : 1.0;
              const double pw = pos_weighted ? x[3].data_ptr<double>()[i % 4] : 1.0;
              const double s = 1 / (1 + std::exp(-z));
              v.push_back(-w * (pw * t * std::log(s) + (1 - t) * std::log(1 - s)));
            }
            return variable_list{reduce({3, 4}, v, reduction, 12)};
          },
  });
}

/// The broadcast shape of `shapes` (right-aligned; every shape is compatible).
std::vector<int64_t> broadcast_all(const std::vector<std::vector<int64_t>>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto& s : shapes)
    for (size_t d = 0; d < s.size(); ++d) {
      int64_t& o = out[rank - s.size() + d];
      if (s[d] != 1) o = s[d];
    }
  return out;
}

/// The flat offset in a contiguous tensor of `shape` of the element that broadcasts to element
/// `i` of the contiguous `out_shape`.
int64_t broadcast_offset(int64_t i, const std::vector<int64_t>& out_shape,
                         const std::vector<int64_t>& shape) {
  int64_t offset = 0, stride = 1;
  for (size_t k = 0; k < out_shape.size(); ++k) {
    const size_t d = out_shape.size() - 1 - k;
    const int64_t index = i % out_shape[d];
    i /= out_shape[d];
    if (k < shape.size()) {
      const int64_t size = shape[shape.size() - 1 - k];
      if (size != 1) offset += index * stride;
      stride *= size;
    }
  }
  return offset;
}

/// binary_cross_entropy_with_logits where the input, the target (which takes a gradient too),
/// weight and pos_weight have different shapes that broadcast: the target's derivative must
/// come back in the target's shape, also when the target is the largest operand.
void bce_logits_broadcast_case(const char* variant, std::vector<int64_t> x_shape,
                               std::vector<int64_t> t_shape, std::vector<int64_t> w_shape,
                               std::vector<int64_t> pw_shape, int64_t reduction) {
  const bool weighted = !w_shape.empty(), pos_weighted = !pw_shape.empty();
  tg::testing::op_case_registry().push_back(tg::testing::OpCase{
      .op = "binary_cross_entropy_with_logits",
      .variant = variant,
      .inputs =
          [=] {
            auto numel = [](const std::vector<int64_t>& s) {
              int64_t n = 1;
              for (int64_t d : s) n *= d;
              return n;
            };
            variable_list v{make(x_shape, spread(-4, 4, numel(x_shape))),
                            make(t_shape, spread(0.0, 1.0, numel(t_shape)))};
            v.push_back(weighted ? make(w_shape, spread(0.5, 2.0, numel(w_shape)), false)
                                 : Tensor());
            v.push_back(pos_weighted ? make(pw_shape, spread(0.3, 3.0, numel(pw_shape)), false)
                                     : Tensor());
            return v;
          },
      .fn =
          [=](const variable_list& x) {
            return variable_list{
                tg::binary_cross_entropy_with_logits(x[0], x[1], x[2], x[3], reduction)};
          },
      .reference =
          [=](const variable_list& x) {
            std::vector<std::vector<int64_t>> shapes{x_shape, t_shape};
            if (weighted) shapes.push_back(w_shape);
            if (pos_weighted) shapes.push_back(pw_shape);
            const std::vector<int64_t> out = broadcast_all(shapes);
            int64_t n = 1;
            for (int64_t d : out) n *= d;
            auto at = [&](const Tensor& t, const std::vector<int64_t>& shape, int64_t i) {
              return t.data_ptr<double>()[broadcast_offset(i, out, shape)];
            };
            std::vector<double> v;
            for (int64_t i = 0; i < n; ++i) {
              const double z = at(x[0], x_shape, i), t = at(x[1], t_shape, i);
              const double w = weighted ? at(x[2], w_shape, i) : 1.0;
              const double pw = pos_weighted ? at(x[3], pw_shape, i) : 1.0;
              const double s = 1 / (1 + std::exp(-z));
              v.push_back(-w * (pw * t * std::log(s) + (1 - t) * std::log(1 - s)));
            }
            return variable_list{reduce(out, v, reduction, static_cast<double>(n))};
          },
  });
}

const bool bce_cases = [] {
  bce_case("mean", false, Reduction::Mean);
  bce_case("weight_sum", true, Reduction::Sum);
  bce_case("weight_none", true, Reduction::None);
  bce_logits_case("mean", false, false, Reduction::Mean);
  bce_logits_case("pos_weight_mean", false, true, Reduction::Mean);
  bce_logits_case("weight_pos_weight_none", true, true, Reduction::None);
  bce_logits_case("weight_sum", true, false, Reduction::Sum);
  bce_logits_broadcast_case("target_larger_mean", {3, 1}, {3, 4}, {}, {}, Reduction::Mean);
  bce_logits_broadcast_case("target_larger_weight_sum", {4}, {2, 3, 4}, {3, 1}, {}, Reduction::Sum);
  bce_logits_broadcast_case("input_larger_mean", {2, 3, 4}, {3, 1}, {}, {}, Reduction::Mean);
  bce_logits_broadcast_case("target_larger_pos_weight_mean", {3, 1}, {2, 3, 4}, {}, {4},
                            Reduction::Mean);
  bce_logits_broadcast_case("target_larger_weight_pos_weight_sum", {3, 1}, {2, 3, 4}, {3, 1},
                            {1, 4}, Reduction::Sum);
  bce_logits_broadcast_case("pos_weight_larger_none", {3, 1}, {1, 4}, {}, {2, 1, 4},
                            Reduction::None);
  return true;
}();

}  // namespace
