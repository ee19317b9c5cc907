#pragma once
/// Options of the recurrent modules and cells, as libtorch's torch/nn/options/rnn.h.
#include <cstdint>
#include <variant>

#include "tensorgrad/enum.h"
#include "tensorgrad/nn/arg.h"

namespace tg::nn {

namespace detail {
/// What RNN, LSTM and GRU share: the module keeps its options in this form as `options_base`.
struct RNNOptionsBase {
  using rnn_options_base_mode_t =
      std::variant<enumtype::kLSTM, enumtype::kGRU, enumtype::kRNN_TANH, enumtype::kRNN_RELU>;
  RNNOptionsBase(rnn_options_base_mode_t mode, int64_t input_size, int64_t hidden_size)
      : mode_(mode), input_size_(input_size), hidden_size_(hidden_size) {}
  /// Which recurrence: kLSTM, kGRU, kRNN_TANH or kRNN_RELU.
  TG_ARG(rnn_options_base_mode_t, mode);
  /// Features of each input step.
  TG_ARG(int64_t, input_size);
  /// Features of the hidden state (and of LSTM's cell state).
  TG_ARG(int64_t, hidden_size);
  /// Stacked recurrent layers.
  TG_ARG(int64_t, num_layers) = 1;
  /// Whether the layers have the biases b_ih and b_hh.
  TG_ARG(bool, bias) = true;
  /// Input and output as [batch, seq, feature] instead of [seq, batch, feature].
  TG_ARG(bool, batch_first) = false;
  /// Dropout on the outputs of every layer but the last, in training.
  TG_ARG(double, dropout) = 0.0;
  /// A second set of layers reads the sequence backwards; outputs are concatenated.
  TG_ARG(bool, bidirectional) = false;
  /// LSTM only: the hidden state is projected to this size (0: no projection).
  TG_ARG(int64_t, proj_size) = 0;
};
}  // namespace detail

/// RNN(input_size, hidden_size): h' = nonlinearity(x W_ih^T + b_ih + h W_hh^T + b_hh).
struct RNNOptions {
  using nonlinearity_t = std::variant<enumtype::kTanh, enumtype::kReLU>;
  RNNOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  TG_ARG(int64_t, input_size);
  TG_ARG(int64_t, hidden_size);
  TG_ARG(int64_t, num_layers) = 1;
  /// kTanh (the default) or kReLU.
  TG_ARG(nonlinearity_t, nonlinearity) = kTanh;
  TG_ARG(bool, bias) = true;
  TG_ARG(bool, batch_first) = false;
  TG_ARG(double, dropout) = 0.0;
  TG_ARG(bool, bidirectional) = false;
};

/// LSTM(input_size, hidden_size), optionally with a projection of the hidden state (proj_size).
struct LSTMOptions {
  LSTMOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  TG_ARG(int64_t, input_size);
  TG_ARG(int64_t, hidden_size);
  TG_ARG(int64_t, num_layers) = 1;
  TG_ARG(bool, bias) = true;
  TG_ARG(bool, batch_first) = false;
  TG_ARG(double, dropout) = 0.0;
  TG_ARG(bool, bidirectional) = false;
  TG_ARG(int64_t, proj_size) = 0;
};

/// GRU(input_size, hidden_size).
struct GRUOptions {
  GRUOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  TG_ARG(int64_t, input_size);
  TG_ARG(int64_t, hidden_size);
  TG_ARG(int64_t, num_layers) = 1;
  TG_ARG(bool, bias) = true;
  TG_ARG(bool, batch_first) = false;
  TG_ARG(double, dropout) = 0.0;
  TG_ARG(bool, bidirectional) = false;
};

namespace detail {
/// What the cells share; num_chunks is the number of gates (1 RNN, 4 LSTM, 3 GRU).
struct RNNCellOptionsBase {
  RNNCellOptionsBase(int64_t input_size, int64_t hidden_size, bool bias, int64_t num_chunks)
      : input_size_(input_size), hidden_size_(hidden_size), bias_(bias), num_chunks_(num_chunks) {}
  virtual ~RNNCellOptionsBase() = default;
  TG_ARG(int64_t, input_size);
  TG_ARG(int64_t, hidden_size);
  TG_ARG(bool, bias);
  TG_ARG(int64_t, num_chunks);
};
}  // namespace detail

/// RNNCell(input_size, hidden_size): one step of RNN.
struct RNNCellOptions {
  using nonlinearity_t = std::variant<enumtype::kTanh, enumtype::kReLU>;
  RNNCellOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  TG_ARG(int64_t, input_size);
  TG_ARG(int64_t, hidden_size);
  TG_ARG(bool, bias) = true;
  TG_ARG(nonlinearity_t, nonlinearity) = kTanh;
};

/// LSTMCell(input_size, hidden_size): one step of LSTM.
struct LSTMCellOptions {
  LSTMCellOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  TG_ARG(int64_t, input_size);
  TG_ARG(int64_t, hidden_size);
  TG_ARG(bool, bias) = true;
};

/// GRUCell(input_size, hidden_size): one step of GRU.
struct GRUCellOptions {
  GRUCellOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  TG_ARG(int64_t, input_size);
  TG_ARG(int64_t, hidden_size);
  TG_ARG(bool, bias) = true;
};

}  // namespace tg::nn
