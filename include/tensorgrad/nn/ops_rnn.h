#pragma once
/// One step of the recurrent cells, with libtorch's (ATen's) names and arguments. Each is made of
/// differentiable ops (linear, sigmoid, tanh, chunk...), so gradients of any order come from
/// theirs. input [B, input_size], hidden states [B, hidden_size]; w_ih [G * hidden_size,
/// input_size], w_hh [G * hidden_size, hidden_size], biases [G * hidden_size] or undefined, with G
/// gates (1 for the plain cells, 4 for LSTM, 3 for GRU).
#include <tuple>

#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg {

/// h' = tanh(x w_ih^T + b_ih + h w_hh^T + b_hh).
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// h' = relu(x w_ih^T + b_ih + h w_hh^T + b_hh).
Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// hx = {h, c}. With gates x w_ih^T + b_ih + h w_hh^T + b_hh split into (i, f, g, o):
/// c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c'). Returns (h', c').
std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, TensorList hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih = {},
                                     const Tensor& b_hh = {});
/// With x w_ih^T + b_ih split into (x_r, x_z, x_n) and h w_hh^T + b_hh into (h_r, h_z, h_n):
/// r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r h_n),
/// h' = (1 - z) n + z h.
Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih = {}, const Tensor& b_hh = {});

}  // namespace tg
