// Op cases for the recurrent cell ops: rnn_tanh_cell, rnn_relu_cell, lstm_cell and gru_cell,
// batched and unbatched, with and without biases. References are the cell equations in plain
// loops over the inputs' values.
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "op_case.h"
#include "tensorgrad/nn/ops_rnn.h"

namespace tg::testing {
namespace {

using Shape = std::vector<int64_t>;

/// A contiguous kDouble leaf with deterministic values in [-1, 1).
Tensor leaf(const Shape& shape, uint64_t seed) {
  std::mt19937_64 gen(seed);
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = -1.0 + 2.0 * (static_cast<double>(gen() >> 11) * 0x1.0p-53);
  return t.requires_grad_(true);
}

std::vector<double> values(const Tensor& t) {
  Tensor c = t.contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

Tensor from_values(const Shape& shape, const std::vector<double>& v) {
  Tensor t = empty(shape, kDouble);
  std::copy(v.begin(), v.end(), t.data_ptr<double>());
  return t;
}

double sigmoid_of(double v) { return 1.0 / (1.0 + std::exp(-v)); }

/// The gate pre-activations a[b][r] = x[b] . w_ih[r] + b_ih[r], and hh[b][r] = h[b] . w_hh[r] +
/// b_hh[r], kept apart (GRU needs them apart).
struct Gates {
  std::vector<double> xi, hh;
  int64_t rows;
};

Gates gates(const Tensor& x, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh,
            const Tensor& b_ih, const Tensor& b_hh) {
  const int64_t batch = x.dim() == 2 ? x.size(0) : 1, in = w_ih.size(1), hid = w_hh.size(1);
  const int64_t rows = w_ih.size(0);
  const auto xv = values(x), hv = values(h), wi = values(w_ih), wh = values(w_hh);
  const auto bi = b_ih.defined() ? values(b_ih) : std::vector<double>(rows, 0.0);
  const auto bh = b_hh.defined() ? values(b_hh) : std::vector<double>(rows, 0.0);
  Gates g{std::vector<double>(batch * rows), std::vector<double>(batch * rows), rows};
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t r = 0; r < rows; ++r) {
      double a = bi[r], c = bh[r];
      for (int64_t k = 0; k < in; ++k) a += xv[b * in + k] * wi[r * in + k];
      for (int64_t k = 0; k < hid; ++k) c += hv[b * hid + k] * wh[r * hid + k];
      g.xi[b * rows + r] = a;
      g.hh[b * rows + r] = c;
    }
  return g;
}

void plain_case(const char* op, const char* variant, bool relu, Shape x, int64_t hidden,
                bool bias) {
  const int64_t in = x.back();
  Shape hs = x;
  hs.back() = hidden;
  OpCaseRegistrar registrar({.op = op,
                             .variant = variant,
                             .inputs =
                                 [=] {
                                   return variable_list{leaf(x, 1),
                                                        leaf(hs, 2),
                                                        leaf({hidden, in}, 3),
                                                        leaf({hidden, hidden}, 4),
                                                        bias ? leaf({hidden}, 5) : Tensor(),
                                                        bias ? leaf({hidden}, 6) : Tensor()};
                                 },
                             .fn =
                                 [=](const variable_list& v) {
                                   return variable_list{
                                       relu ? rnn_relu_cell(v[0], v[1], v[2], v[3], v[4], v[5])
                                            : rnn_tanh_cell(v[0], v[1], v[2], v[3], v[4], v[5])};
                                 },
                             .reference =
                                 [=](const variable_list& v) {
                                   const Gates g = gates(v[0], v[1], v[2], v[3], v[4], v[5]);
                                   std::vector<double> out(g.xi.size());
                                   for (size_t i = 0; i < out.size(); ++i) {
                                     const double a = g.xi[i] + g.hh[i];
                                     out[i] = relu ? (a > 0 ? a : 0.0) : std::tanh(a);
                                   }
                                   return variable_list{from_values(hs, out)};
                                 }});
}

void lstm_case(const char* variant, Shape x, int64_t hidden, bool bias) {
  const int64_t in = x.back();
  Shape hs = x;
  hs.back() = hidden;
  OpCaseRegistrar registrar(
      {.op = "lstm_cell",
       .variant = variant,
       .inputs =
           [=] {
             return variable_list{leaf(x, 1),
                                  leaf(hs, 2),
                                  leaf(hs, 3),
                                  leaf({4 * hidden, in}, 4),
                                  leaf({4 * hidden, hidden}, 5),
                                  bias ? leaf({4 * hidden}, 6) : Tensor(),
                                  bias ? leaf({4 * hidden}, 7) : Tensor()};
           },
       .fn =
           [=](const variable_list& v) {
             auto [h, c] = lstm_cell(v[0], {v[1], v[2]}, v[3], v[4], v[5], v[6]);
             return variable_list{h, c};
           },
       .reference =
           [=](const variable_list& v) {
             const Gates g = gates(v[0], v[1], v[3], v[4], v[5], v[6]);
             const auto cv = values(v[2]);
             const int64_t batch = static_cast<int64_t>(cv.size()) / hidden;
             std::vector<double> h(cv.size()), c(cv.size());
             for (int64_t b = 0; b < batch; ++b)
               for (int64_t j = 0; j < hidden; ++j) {
                 auto pre = [&](int64_t gate) {
                   const int64_t k = b * 4 * hidden + gate * hidden + j;
                   return g.xi[k] + g.hh[k];
                 };
                 const int64_t k = b * hidden + j;
                 c[k] = sigmoid_of(pre(1)) * cv[k] + sigmoid_of(pre(0)) * std::tanh(pre(2));
                 h[k] = sigmoid_of(pre(3)) * std::tanh(c[k]);
               }
             return variable_list{from_values(hs, h), from_values(hs, c)};
           }});
}

void gru_case(const char* variant, Shape x, int64_t hidden, bool bias) {
  const int64_t in = x.back();
  Shape hs = x;
  hs.back() = hidden;
  OpCaseRegistrar registrar(
      {.op = "gru_cell",
       .variant = variant,
       .inputs =
           [=] {
             return variable_list{leaf(x, 1),
                                  leaf(hs, 2),
                                  leaf({3 * hidden, in}, 3),
                                  leaf({3 * hidden, hidden}, 4),
                                  bias ? leaf({3 * hidden}, 5) : Tensor(),
                                  bias ? leaf({3 * hidden}, 6) : Tensor()};
           },
       .fn =
           [=](const variable_list& v) {
             return variable_list{gru_cell(v[0], v[1], v[2], v[3], v[4], v[5])};
           },
       .reference =
           [=](const variable_list& v) {
             const Gates g = gates(v[0], v[1], v[2], v[3], v[4], v[5]);
             const auto hv = values(v[1]);
             const int64_t batch = static_cast<int64_t>(hv.size()) / hidden;
             std::vector<double> out(hv.size());
             for (int64_t b = 0; b < batch; ++b)
               for (int64_t j = 0; j < hidden; ++j) {
                 auto at = [&](int64_t gate) { return b * 3 * hidden + gate * hidden + j; };
                 const double r = sigmoid_of(g.xi[at(0)] + g.hh[at(0)]);
                 const double z = sigmoid_of(g.xi[at(1)] + g.hh[at(1)]);
                 const double n = std::tanh(g.xi[at(2)] + r * g.hh[at(2)]);
                 out[b * hidden + j] = (1 - z) * n + z * hv[b * hidden + j];
               }
             return variable_list{from_values(hs, out)};
           }});
}

const bool rnn_cases = [] {
  plain_case("rnn_tanh_cell", "batched_bias", false, {3, 4}, 2, true);
  plain_case("rnn_tanh_cell", "unbatched_no_bias", false, {4}, 3, false);
  plain_case("rnn_relu_cell", "batched_bias", true, {3, 4}, 2, true);
  lstm_case("batched_bias", {2, 3}, 2, true);
  lstm_case("unbatched_no_bias", {3}, 2, false);
  gru_case("batched_bias", {2, 3}, 2, true);
  gru_case("unbatched_no_bias", {3}, 2, false);
  return true;
}();

}  // namespace
}  // namespace tg::testing
