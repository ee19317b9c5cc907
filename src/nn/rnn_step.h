#pragma once
// One step of each recurrence, from the input's share of the gates (x w_ih^T + b_ih, computed
// for the whole sequence at once by the modules) and the previous state. Shared by the cell ops
// (tg::lstm_cell...) and the RNN, LSTM and GRU modules, so both compute the same thing.
#include <tuple>

#include "tensorgrad/tensor.h"

namespace tg::nn::detail {

/// h' = act(gi + h w_hh^T + b_hh), act = relu or tanh.
Tensor rnn_step(const Tensor& gi, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh,
                bool relu);
/// (h', c') of the LSTM; h' is projected by w_hr when it is defined.
std::tuple<Tensor, Tensor> lstm_step(const Tensor& gi, const Tensor& h, const Tensor& c,
                                     const Tensor& w_hh, const Tensor& b_hh, const Tensor& w_hr);
/// h' of the GRU.
Tensor gru_step(const Tensor& gi, const Tensor& h, const Tensor& w_hh, const Tensor& b_hh);

}  // namespace tg::nn::detail
