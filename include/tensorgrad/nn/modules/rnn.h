#pragma once
/// The recurrent modules RNN, LSTM and GRU (multi-layer, bidirectional, batch_first, dropout
/// between layers, LSTM projections, packed input) and the cells RNNCell, LSTMCell and GRUCell,
/// as torch/nn/modules/rnn.h. Every step is made of differentiable ops, so autograd (and double
/// backward) comes from theirs.
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/modules/container/any_value.h"
#include "tensorgrad/nn/options/rnn.h"
#include "tensorgrad/nn/utils/rnn.h"

namespace tg::nn {

namespace detail {

/// What RNN, LSTM and GRU share. Parameters, per layer l and direction (suffix "" forward,
/// "_reverse" backward): weight_ih_l<l>[G * hidden, layer input], weight_hh_l<l>[G * hidden,
/// H'], bias_ih_l<l> and bias_hh_l<l> [G * hidden] (with bias), and for an LSTM with proj_size
/// weight_hr_l<l>[proj_size, hidden]; G is 1, 4 or 3 gates, H' is proj_size or hidden_size, and a
/// layer's input is input_size for the first and H' * directions after. All are drawn from
/// U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
template <class Derived>
class RNNImplBase : public Cloneable<Derived> {
 public:
  explicit RNNImplBase(const RNNOptionsBase& options_);

  /// Checks the options and (re)creates the parameters.
  void reset() override;
  /// Draws every parameter anew from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
  void reset_parameters();
  void to(Device device, ScalarType dtype, bool non_blocking = false) override;
  void to(ScalarType dtype, bool non_blocking = false) override;
  void to(Device device, bool non_blocking = false) override;
  /// "torch::nn::LSTM(input_size=128, hidden_size=64, num_layers=3, bias=true,
  /// batch_first=false, dropout=0.2, bidirectional=false)" (and ", proj_size=32" when set).
  void pretty_print(std::ostream& stream) const override;
  /// Refreshes the module's list of its weights from its parameters. On the CPU there is no
  /// packed weight buffer to build, so nothing else happens (as libtorch without cuDNN).
  void flatten_parameters();
  /// The weights of every layer and direction, in parameter order.
  std::vector<Tensor> all_weights() const;

  RNNOptionsBase options_base;

 protected:
  void reset_flat_weights();
  /// Throws unless input has 3 dims ([T, B, input_size], or 2 dims packed) with input_size
  /// features.
  void check_input(const Tensor& input, const Tensor& batch_sizes) const;
  /// (layers * directions, batch, H') for this input.
  std::tuple<int64_t, int64_t, int64_t> get_expected_hidden_size(const Tensor& input,
                                                                 const Tensor& batch_sizes) const;
  void check_hidden_size(const Tensor& hx,
                         std::tuple<int64_t, int64_t, int64_t> expected_hidden_size,
                         const std::string& what = "hidden state") const;
  void check_forward_args(const Tensor& input, const Tensor& hidden,
                          const Tensor& batch_sizes) const;
  /// hx with its batch dimension (1) reordered by permutation (nothing when undefined).
  Tensor permute_hidden(const Tensor& hx, const Tensor& permutation) const;

  /// Runs the layers over input (padded [T, B, *] after batch_first is undone, or packed rows
  /// when batch_sizes is defined). Returns (output, h_n, c_n); c_n only for the LSTM.
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& input, const Tensor& batch_sizes,
                                         const Tensor& hx, const Tensor& cx);
  /// forward of RNN and GRU, whose state is one tensor: hx (zeros when undefined) is put in the
  /// order of sorted_indices, and h_n back in the order of unsorted_indices (either may be
  /// undefined: no reordering). Returns (output, h_n).
  std::tuple<Tensor, Tensor> run_single_state(const Tensor& input, const Tensor& batch_sizes,
                                              const Tensor& sorted_indices,
                                              const Tensor& unsorted_indices, Tensor hx);
  /// The same over a PackedSequence; the output is packed as the input.
  std::tuple<utils::rnn::PackedSequence, Tensor> run_single_state(
      const utils::rnn::PackedSequence& packed_input, Tensor hx);

  std::vector<std::string> flat_weights_names_;
  std::vector<std::vector<std::string>> all_weights_;
  std::vector<Tensor> flat_weights_;
};

/// What RNN and GRU share over RNNImplBase: a hidden state of one tensor, and so one forward.
template <class Derived, class Options>
class SingleStateRNNImplBase : public RNNImplBase<Derived> {
 public:
  explicit SingleStateRNNImplBase(const Options& options_);

  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  /// As forward, over a PackedSequence; the output is packed the same way.
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(
      const utils::rnn::PackedSequence& packed_input, Tensor hx = {});

  Options options;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(Tensor())})
};

}  // namespace detail

/// A multi-layer Elman RNN with tanh or ReLU. forward(input [T, B, input_size] (or [B, T, *] with
/// batch_first), h_0 [layers * directions, B, hidden_size] or undefined for zeros) returns
/// (output [T, B, directions * hidden_size], h_n).
class RNNImpl : public detail::SingleStateRNNImplBase<RNNImpl, RNNOptions> {
 public:
  using SingleStateRNNImplBase::SingleStateRNNImplBase;
  RNNImpl(int64_t input_size, int64_t hidden_size) : RNNImpl(RNNOptions(input_size, hidden_size)) {}
};
TG_MODULE(RNN);

/// A multi-layer LSTM. forward(input, optional (h_0, c_0)) returns (output, (h_n, c_n)); with
/// proj_size the hidden state h has proj_size features and the cell state c hidden_size.
class LSTMImpl : public detail::RNNImplBase<LSTMImpl> {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size)
      : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options_);

  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(
      const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx_opt = {});
  std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>> forward_with_packed_input(
      const utils::rnn::PackedSequence& packed_input,
      std::optional<std::tuple<Tensor, Tensor>> hx_opt = {});

  LSTMOptions options;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(std::optional<std::tuple<Tensor, Tensor>>())})

 private:
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward_helper(
      const Tensor& input, const Tensor& batch_sizes, const Tensor& sorted_indices,
      int64_t max_batch_size, std::optional<std::tuple<Tensor, Tensor>> hx_opt);
};
TG_MODULE(LSTM);

/// A multi-layer GRU. forward(input, h_0) returns (output, h_n).
class GRUImpl : public detail::SingleStateRNNImplBase<GRUImpl, GRUOptions> {
 public:
  using SingleStateRNNImplBase::SingleStateRNNImplBase;
  GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
};
TG_MODULE(GRU);

namespace detail {

/// What the cells share: weight_ih [G * hidden, input], weight_hh [G * hidden, hidden], bias_ih
/// and bias_hh [G * hidden] (undefined without bias), drawn from U(-1/sqrt(hidden),
/// 1/sqrt(hidden)).
template <class Derived>
class RNNCellImplBase : public Cloneable<Derived> {
 public:
  explicit RNNCellImplBase(const RNNCellOptionsBase& options_);
  void reset() override;
  void reset_parameters();
  /// "torch::nn::RNNCell(3, 4)", with ", bias=false" and ", nonlinearity=kReLU" when not default.
  void pretty_print(std::ostream& stream) const override;

  RNNCellOptionsBase options_base;
  Tensor weight_ih;
  Tensor weight_hh;
  Tensor bias_ih;
  Tensor bias_hh;

 protected:
  /// Throws unless input is [B, input_size] of the weights' dtype.
  void check_forward_input(const Tensor& input) const;
  /// Throws unless hx is [B, hidden_size] for the input's B.
  void check_forward_hidden(const Tensor& input, const Tensor& hx,
                            const std::string& hidden_label) const;
  virtual std::string get_nonlinearity_str() const;
};

}  // namespace detail

/// One RNN step: forward(input [B, input_size], hx [B, hidden_size] or undefined for zeros).
class RNNCellImpl : public detail::RNNCellImplBase<RNNCellImpl> {
 public:
  RNNCellImpl(int64_t input_size, int64_t hidden_size)
      : RNNCellImpl(RNNCellOptions(input_size, hidden_size)) {}
  explicit RNNCellImpl(const RNNCellOptions& options_);
  Tensor forward(const Tensor& input, Tensor hx = {});

  RNNCellOptions options;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(Tensor())})
  std::string get_nonlinearity_str() const override;
};
TG_MODULE(RNNCell);

/// One LSTM step: forward(input, optional (h, c)) returns (h', c').
class LSTMCellImpl : public detail::RNNCellImplBase<LSTMCellImpl> {
 public:
  LSTMCellImpl(int64_t input_size, int64_t hidden_size)
      : LSTMCellImpl(LSTMCellOptions(input_size, hidden_size)) {}
  explicit LSTMCellImpl(const LSTMCellOptions& options_);
  std::tuple<Tensor, Tensor> forward(const Tensor& input,
                                     std::optional<std::tuple<Tensor, Tensor>> hx_opt = {});

  LSTMCellOptions options;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(std::optional<std::tuple<Tensor, Tensor>>())})
};
TG_MODULE(LSTMCell);

/// One GRU step: forward(input, hx) returns h'.
class GRUCellImpl : public detail::RNNCellImplBase<GRUCellImpl> {
 public:
  GRUCellImpl(int64_t input_size, int64_t hidden_size)
      : GRUCellImpl(GRUCellOptions(input_size, hidden_size)) {}
  explicit GRUCellImpl(const GRUCellOptions& options_);
  Tensor forward(const Tensor& input, Tensor hx = {});

  GRUCellOptions options;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(Tensor())})
};
TG_MODULE(GRUCell);

}  // namespace tg::nn
