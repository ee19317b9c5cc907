#pragma once
/// Options of the recurrent modules and cells, as libtorch's torch/nn/options/rnn.h.
#include <cstdint>
#include <variant>

#include "tensorgrad/enum.h"
#include "tensorgrad/nn/arg.h"

namespace tg::nn {

namespace detail {

/// The fields the options of every recurrent module and cell have; setters return the `Options`
/// that derive from it.
template <class Options>
struct RNNCellCommonOptions {
  RNNCellCommonOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  /// Features of each input step.
  TG_SHARED_ARG(Options, int64_t, input_size);
  /// Features of the hidden state (and of LSTM's cell state).
  TG_SHARED_ARG(Options, int64_t, hidden_size);
  /// Whether the layers have the biases b_ih and b_hh.
  TG_SHARED_ARG(Options, bool, bias) = true;
};

/// What RNN, LSTM and GRU options add to the cells' fields.
template <class Options>
struct RNNCommonOptions : RNNCellCommonOptions<Options> {
  using RNNCellCommonOptions<Options>::RNNCellCommonOptions;
  /// Stacked recurrent layers.
  TG_SHARED_ARG(Options, int64_t, num_layers) = 1;
  /// Input and output as [batch, seq, feature] instead of [seq, batch, feature].
  TG_SHARED_ARG(Options, bool, batch_first) = false;
  /// Dropout on the outputs of every layer but the last, in training.
  TG_SHARED_ARG(Options, double, dropout) = 0.0;
  /// A second set of layers reads the sequence backwards; outputs are concatenated.
  TG_SHARED_ARG(Options, bool, bidirectional) = false;
};

/// The nonlinearity of RNN and RNNCell (LSTM and GRU have fixed gates).
template <class Options>
struct RNNNonlinearityOption {
  using nonlinearity_t = std::variant<enumtype::kTanh, enumtype::kReLU>;
  /// kTanh (the default) or kReLU.
  TG_SHARED_ARG(Options, nonlinearity_t, nonlinearity) = kTanh;
};

/// What RNN, LSTM and GRU share: the module keeps its options in this form as `options_base`.
struct RNNOptionsBase : RNNCommonOptions<RNNOptionsBase> {
  using rnn_options_base_mode_t =
      std::variant<enumtype::kLSTM, enumtype::kGRU, enumtype::kRNN_TANH, enumtype::kRNN_RELU>;
  RNNOptionsBase(rnn_options_base_mode_t mode, int64_t input_size, int64_t hidden_size)
      : RNNCommonOptions(input_size, hidden_size), mode_(mode) {}
  /// Which recurrence: kLSTM, kGRU, kRNN_TANH or kRNN_RELU.
  TG_ARG(rnn_options_base_mode_t, mode);
  /// LSTM only: the hidden state is projected to this size (0: no projection).
  TG_ARG(int64_t, proj_size) = 0;
};

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

/// RNN(input_size, hidden_size): h' = nonlinearity(x W_ih^T + b_ih + h W_hh^T + b_hh).
struct RNNOptions : detail::RNNCommonOptions<RNNOptions>,
                    detail::RNNNonlinearityOption<RNNOptions> {
  using RNNCommonOptions::RNNCommonOptions;
};

/// LSTM(input_size, hidden_size), optionally with a projection of the hidden state (proj_size).
struct LSTMOptions : detail::RNNCommonOptions<LSTMOptions> {
  using RNNCommonOptions::RNNCommonOptions;
  TG_ARG(int64_t, proj_size) = 0;
};

/// GRU(input_size, hidden_size).
struct GRUOptions : detail::RNNCommonOptions<GRUOptions> {
  using RNNCommonOptions::RNNCommonOptions;
};

/// RNNCell(input_size, hidden_size): one step of RNN.
struct RNNCellOptions : detail::RNNCellCommonOptions<RNNCellOptions>,
                        detail::RNNNonlinearityOption<RNNCellOptions> {
  using RNNCellCommonOptions::RNNCellCommonOptions;
};

/// LSTMCell(input_size, hidden_size): one step of LSTM.
struct LSTMCellOptions : detail::RNNCellCommonOptions<LSTMCellOptions> {
  using RNNCellCommonOptions::RNNCellCommonOptions;
};

/// GRUCell(input_size, hidden_size): one step of GRU.
struct GRUCellOptions : detail::RNNCellCommonOptions<GRUCellOptions> {
  using RNNCellCommonOptions::RNNCellCommonOptions;
};

}  // namespace tg::nn
