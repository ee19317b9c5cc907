// The recurrent steps and the cell ops (rnn_tanh_cell, rnn_relu_cell, lstm_cell, gru_cell),
// composed of differentiable ops.
#include <tuple>
#include <vector>

#include "core/internal.h"
#include "nn/rnn_step.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/ops_loss.h"
#include "tensorgrad/nn/ops_rnn.h"

namespace tg {

namespace nn::detail {

Tensor rnn_step(const Tensor& gi, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh,
                bool relu) {
  const Tensor pre = gi + tg::linear(h, w_hh, b_hh);
  return relu ? tg::relu(pre) : tg::tanh(pre);
}

std::tuple<Tensor, Tensor> lstm_step(const Tensor& gi, const Tensor& h, const Tensor& c,
                                     const Tensor& w_hh, const Tensor& b_hh, const Tensor& w_hr) {
  const std::vector<Tensor> g = (gi + tg::linear(h, w_hh, b_hh)).chunk(4, 1);
  const Tensor c_next = tg::sigmoid(g[1]) * c + tg::sigmoid(g[0]) * tg::tanh(g[2]);
  Tensor h_next = tg::sigmoid(g[3]) * tg::tanh(c_next);
  if (w_hr.defined()) h_next = tg::linear(h_next, w_hr);
  return {h_next, c_next};
}

Tensor gru_step(const Tensor& gi, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh) {
  const std::vector<Tensor> x = gi.chunk(3, 1);
  const std::vector<Tensor> hh = tg::linear(h, w_hh, b_hh).chunk(3, 1);
  const Tensor r = tg::sigmoid(x[0] + hh[0]);
  const Tensor z = tg::sigmoid(x[1] + hh[1]);
  const Tensor n = tg::tanh(x[2] + r * hh[2]);
  // (1 - z) n + z h, written with one product less.
  return n + z * (h - n);
}

}  // namespace nn::detail

namespace {

/// Checks a cell op's operands: input [B, I] (or [I]), hidden [B, H] (or [H]), w_ih [G H, I],
/// w_hh [G H, H], biases [G H].
void check_cell(const char* op, int64_t gates, const Tensor& input, const Tensor& hx,
                const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  TG_CHECK(input.defined() && hx.defined() && w_ih.defined() && w_hh.defined(), op,
           ": the input, the hidden state and both weights must be defined");
  TG_CHECK(w_ih.dim() == 2 && w_hh.dim() == 2, op, ": expected 2-D weights, got w_ih ",
           tg::detail::shape_str(w_ih.sizes()), " and w_hh ", tg::detail::shape_str(w_hh.sizes()));
  const int64_t hidden = w_hh.size(1);
  TG_CHECK(w_ih.size(0) == gates * hidden && w_hh.size(0) == gates * hidden, op, ": expected ",
           gates, " gates of ", hidden, " rows, so w_ih and w_hh with ", gates * hidden,
           " rows, got w_ih ", tg::detail::shape_str(w_ih.sizes()), " and w_hh ",
           tg::detail::shape_str(w_hh.sizes()));
  TG_CHECK(input.dim() >= 1 && input.dim() <= 2 && input.size(-1) == w_ih.size(1), op,
           ": expected an input [batch, ", w_ih.size(1), "] for w_ih ",
           tg::detail::shape_str(w_ih.sizes()), ", got ", tg::detail::shape_str(input.sizes()));
  TG_CHECK(hx.dim() == input.dim() && hx.size(-1) == hidden &&
               (input.dim() == 1 || hx.size(0) == input.size(0)),
           op, ": expected a hidden state of ", input.dim() == 2 ? input.size(0) : 1, " x ", hidden,
           " for the input ", tg::detail::shape_str(input.sizes()), ", got ",
           tg::detail::shape_str(hx.sizes()));
  for (const Tensor* b : {&b_ih, &b_hh})
    TG_CHECK(!b->defined() || (b->dim() == 1 && b->size(0) == gates * hidden), op,
             ": expected biases of shape [", gates * hidden, "], got ",
             tg::detail::shape_str(b->sizes()));
}

Tensor plain_cell(const char* op, bool relu, const Tensor& input, const Tensor& hx,
                  const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  check_cell(op, 1, input, hx, w_ih, w_hh, b_ih, b_hh);
  return nn::detail::rnn_step(tg::linear(input, w_ih, b_ih), hx, w_hh, b_hh, relu);
}

}  // namespace

Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh) {
  return plain_cell("rnn_tanh_cell", false, input, hx, w_ih, w_hh, b_ih, b_hh);
}

Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh) {
  return plain_cell("rnn_relu_cell", true, input, hx, w_ih, w_hh, b_ih, b_hh);
}

std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, TensorList hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  TG_CHECK(hx.size() == 2, "lstm_cell: expected hx = {h, c}, two tensors, got ", hx.size());
  check_cell("lstm_cell", 4, input, hx[0], w_ih, w_hh, b_ih, b_hh);
  TG_CHECK(hx[1].defined() && hx[1].sizes() == hx[0].sizes(),
           "lstm_cell: the cell state must have the hidden state's shape ",
           tg::detail::shape_str(hx[0].sizes()), ", got ",
           hx[1].defined() ? tg::detail::shape_str(hx[1].sizes()) : std::string("undefined"));
  // The step works on [B, *]; an unbatched step is a batch of one.
  if (input.dim() == 1) {
    auto [h, c] = nn::detail::lstm_step(tg::linear(input.unsqueeze(0), w_ih, b_ih),
                                        hx[0].unsqueeze(0), hx[1].unsqueeze(0), w_hh, b_hh, {});
    return {h.squeeze(0), c.squeeze(0)};
  }
  return nn::detail::lstm_step(tg::linear(input, w_ih, b_ih), hx[0], hx[1], w_hh, b_hh, {});
}

Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih, const Tensor& b_hh) {
  check_cell("gru_cell", 3, input, hx, w_ih, w_hh, b_ih, b_hh);
  if (input.dim() == 1)
    return nn::detail::gru_step(tg::linear(input.unsqueeze(0), w_ih, b_ih), hx.unsqueeze(0), w_hh,
                                b_hh)
        .squeeze(0);
  return nn::detail::gru_step(tg::linear(input, w_ih, b_ih), hx, w_hh, b_hh);
}

}  // namespace tg
