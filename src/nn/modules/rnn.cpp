// RNN, LSTM and GRU (over padded or packed sequences) and their cells.
#include "tensorgrad/nn/modules/rnn.h"

#include <cmath>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/internal.h"
#include "nn/rnn_step.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/ops_loss.h"

namespace tg::nn {

namespace {

using tg::detail::shape_str;

enum class Mode { Lstm, Gru, RnnTanh, RnnRelu };

Mode mode_of(const detail::RNNOptionsBase& options) {
  return std::visit(
      [](const auto& tag) {
        using Tag = std::decay_t<decltype(tag)>;
        if constexpr (std::is_same_v<Tag, enumtype::kLSTM>)
          return Mode::Lstm;
        else if constexpr (std::is_same_v<Tag, enumtype::kGRU>)
          return Mode::Gru;
        else if constexpr (std::is_same_v<Tag, enumtype::kRNN_TANH>)
          return Mode::RnnTanh;
        else
          return Mode::RnnRelu;
      },
      options.mode());
}

int64_t gate_count(Mode mode) {
  switch (mode) {
    case Mode::Lstm:
      return 4;
    case Mode::Gru:
      return 3;
    default:
      return 1;
  }
}

std::string sizes_str(const std::tuple<int64_t, int64_t, int64_t>& s) {
  return shape_str({std::get<0>(s), std::get<1>(s), std::get<2>(s)});
}

std::vector<int64_t> long_values(const Tensor& t) {
  const Tensor c = t.to(kLong).contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + c.numel());
}

/// The weights of one layer in one direction.
struct LayerWeights {
  Tensor w_ih, w_hh, b_ih, b_hh, w_hr;
};

struct DirectionResult {
  Tensor output;  // [N, H'], rows as the input's
  Tensor h, c;    // [B, H'], [B, H]
};

/// One direction of one layer over rows `data` [N, in] laid out step after step, batch_sizes[t]
/// rows at step t (non-increasing). h0 [B, H'], c0 [B, H] (LSTM only). Sequences that end drop
/// out of the batch (forward) or join it (reverse), as in a packed sequence.
DirectionResult run_direction(Mode mode, const Tensor& data,
                              const std::vector<int64_t>& batch_sizes, const Tensor& h0,
                              const Tensor& c0, const LayerWeights& w, bool reverse) {
  const auto steps = static_cast<int64_t>(batch_sizes.size());
  // The input's share of every step's gates, in one product.
  const Tensor gi_all = tg::linear(data, w.w_ih, w.b_ih);
  std::vector<int64_t> offsets(steps + 1, 0);
  for (int64_t t = 0; t < steps; ++t) offsets[t + 1] = offsets[t] + batch_sizes[t];
  const bool lstm = mode == Mode::Lstm;

  auto step = [&](int64_t t, Tensor& h, Tensor& c) {
    const Tensor gi = gi_all.narrow(0, offsets[t], batch_sizes[t]);
    switch (mode) {
      case Mode::Lstm:
        std::tie(h, c) = detail::lstm_step(gi, h, c, w.w_hh, w.b_hh, w.w_hr);
        break;
      case Mode::Gru:
        h = detail::gru_step(gi, h, w.w_hh, w.b_hh);
        break;
      default:
        h = detail::rnn_step(gi, h, w.w_hh, w.b_hh, mode == Mode::RnnRelu);
    }
  };

  std::vector<Tensor> outputs(steps);
  DirectionResult result;
  if (!reverse) {
    Tensor h = h0, c = c0;
    std::vector<Tensor> done_h, done_c;  // rows of sequences that ended, last rows first
    for (int64_t t = 0; t < steps; ++t) {
      const int64_t rows = batch_sizes[t];
      if (rows < h.size(0)) {
        done_h.push_back(h.narrow(0, rows, h.size(0) - rows));
        h = h.narrow(0, 0, rows);
        if (lstm) {
          done_c.push_back(c.narrow(0, rows, c.size(0) - rows));
          c = c.narrow(0, 0, rows);
        }
      }
      step(t, h, c);
      outputs[t] = h;
    }
    auto assemble = [](Tensor last, std::vector<Tensor>& done) {
      if (done.empty()) return last;
      std::vector<Tensor> parts{std::move(last)};
      parts.insert(parts.end(), done.rbegin(), done.rend());
      return tg::cat(parts, 0);
    };
    result.h = assemble(h, done_h);
    if (lstm) result.c = assemble(c, done_c);
  } else {
    Tensor h = h0.narrow(0, 0, batch_sizes[steps - 1]);
    Tensor c = lstm ? c0.narrow(0, 0, batch_sizes[steps - 1]) : Tensor();
    for (int64_t t = steps - 1; t >= 0; --t) {
      const int64_t rows = batch_sizes[t];
      if (rows > h.size(0)) {
        h = tg::cat({h, h0.narrow(0, h.size(0), rows - h.size(0))}, 0);
        if (lstm) c = tg::cat({c, c0.narrow(0, c.size(0), rows - c.size(0))}, 0);
      }
      step(t, h, c);
      outputs[t] = h;
    }
    result.h = h;
    result.c = c;
  }
  result.output = steps == 1 ? outputs[0] : tg::cat(outputs, 0);
  return result;
}

/// Draws every parameter of the module from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
void init_uniform(Module& module, int64_t hidden_size) {
  const double stdv = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (Tensor& p : module.parameters()) init::uniform_(p, -stdv, stdv);
}

/// The zeros a missing initial state stands for.
Tensor zero_state(int64_t rows, int64_t batch, int64_t size, const Tensor& like) {
  return tg::zeros({rows, batch, size}, like.dtype());
}

}  // namespace

namespace detail {

template <class Derived>
RNNImplBase<Derived>::RNNImplBase(const RNNOptionsBase& options_) : options_base(options_) {
  reset();
}

template <class Derived>
void RNNImplBase<Derived>::reset() {
  const RNNOptionsBase& o = options_base;
  const std::string module = torch_type_name<Derived>();
  TG_CHECK(o.dropout() >= 0 && o.dropout() <= 1, module,
           ": dropout should be a number in range [0, 1] representing the probability of an "
           "element being zeroed, got ",
           o.dropout());
  if (o.dropout() > 0 && o.num_layers() == 1)
    tg::detail::warn(str(module,
                         ": dropout adds dropout after all but the last recurrent layer, so a "
                         "non-zero dropout expects num_layers greater than 1, but got dropout=",
                         o.dropout(), " and num_layers=", o.num_layers()));
  TG_CHECK(o.input_size() >= 0, module, ": input_size must be non-negative, got ", o.input_size());
  TG_CHECK(o.hidden_size() > 0, module, ": hidden_size must be greater than zero, got ",
           o.hidden_size());
  TG_CHECK(o.num_layers() > 0, module, ": num_layers must be greater than zero, got ",
           o.num_layers());
  TG_CHECK(o.proj_size() >= 0 && o.proj_size() < o.hidden_size(), module,
           ": proj_size has to be a positive integer, smaller than hidden_size, or zero to "
           "disable projections; got proj_size=",
           o.proj_size(), " and hidden_size=", o.hidden_size());
  const Mode mode = mode_of(o);
  TG_CHECK(o.proj_size() == 0 || mode == Mode::Lstm, module,
           ": proj_size argument is only supported for LSTM, not RNN or GRU");

  const int64_t directions = o.bidirectional() ? 2 : 1;
  const int64_t gate_size = gate_count(mode) * o.hidden_size();
  const int64_t real_hidden = o.proj_size() > 0 ? o.proj_size() : o.hidden_size();
  flat_weights_names_.clear();
  all_weights_.clear();
  for (int64_t layer = 0; layer < o.num_layers(); ++layer) {
    for (int64_t direction = 0; direction < directions; ++direction) {
      const int64_t layer_input = layer == 0 ? o.input_size() : real_hidden * directions;
      const std::string suffix = std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      std::vector<std::pair<std::string, std::vector<int64_t>>> params = {
          {"weight_ih_l" + suffix, {gate_size, layer_input}},
          {"weight_hh_l" + suffix, {gate_size, real_hidden}}};
      if (o.bias()) {
        params.push_back({"bias_ih_l" + suffix, {gate_size}});
        params.push_back({"bias_hh_l" + suffix, {gate_size}});
      }
      if (o.proj_size() > 0)
        params.push_back({"weight_hr_l" + suffix, {o.proj_size(), o.hidden_size()}});
      std::vector<std::string> names;
      for (auto& [name, shape] : params) {
        this->register_parameter(name, tg::empty(shape));
        names.push_back(name);
        flat_weights_names_.push_back(name);
      }
      all_weights_.push_back(std::move(names));
    }
  }
  reset_flat_weights();
  reset_parameters();
}

template <class Derived>
void RNNImplBase<Derived>::reset_parameters() {
  init_uniform(*this, options_base.hidden_size());
}

template <class Derived>
void RNNImplBase<Derived>::reset_flat_weights() {
  flat_weights_.clear();
  for (const std::string& name : flat_weights_names_) {
    const Tensor* p = this->parameters_.find(name);
    flat_weights_.push_back(p != nullptr ? *p : Tensor());
  }
}

template <class Derived>
void RNNImplBase<Derived>::flatten_parameters() {
  reset_flat_weights();
}

template <class Derived>
std::vector<Tensor> RNNImplBase<Derived>::all_weights() const {
  std::vector<Tensor> result;
  for (const auto& names : all_weights_)
    for (const std::string& name : names) result.push_back(this->parameters_[name]);
  return result;
}

template <class Derived>
void RNNImplBase<Derived>::to(Device device, ScalarType dtype, bool non_blocking) {
  Module::to(device, dtype, non_blocking);
  flatten_parameters();
}

template <class Derived>
void RNNImplBase<Derived>::to(ScalarType dtype, bool non_blocking) {
  Module::to(dtype, non_blocking);
  flatten_parameters();
}

template <class Derived>
void RNNImplBase<Derived>::to(Device device, bool non_blocking) {
  Module::to(device, non_blocking);
  flatten_parameters();
}

template <class Derived>
void RNNImplBase<Derived>::pretty_print(std::ostream& stream) const {
  const RNNOptionsBase& o = options_base;
  stream << std::boolalpha << holder_name(this->name()) << "(input_size=" << o.input_size()
         << ", hidden_size=" << o.hidden_size() << ", num_layers=" << o.num_layers()
         << ", bias=" << o.bias() << ", batch_first=" << o.batch_first()
         << ", dropout=" << o.dropout() << ", bidirectional=" << o.bidirectional();
  if (o.proj_size() > 0) stream << ", proj_size=" << o.proj_size();
  stream << ")";
}

template <class Derived>
void RNNImplBase<Derived>::check_input(const Tensor& input, const Tensor& batch_sizes) const {
  const std::string module = torch_type_name<Derived>();
  TG_CHECK(input.defined(), module, ": the input is undefined");
  const int64_t expected_dim = batch_sizes.defined() ? 2 : 3;
  TG_CHECK(input.dim() == expected_dim, module, ": input must have ", expected_dim, " dimensions (",
           batch_sizes.defined()        ? "packed rows [rows, input_size]"
           : options_base.batch_first() ? "[batch, seq, input_size]"
                                        : "[seq, batch, input_size]",
           "), got ", input.dim(), ": ", shape_str(input.sizes()));
  TG_CHECK(input.size(-1) == options_base.input_size(), module,
           ": input.size(-1) must be equal to input_size. Expected ", options_base.input_size(),
           ", got ", input.size(-1), " (input shape ", shape_str(input.sizes()), ")");
  TG_CHECK(flat_weights_.empty() || input.dtype() == flat_weights_[0].dtype(), module,
           ": the input has dtype ", input.dtype(), " but the weights have dtype ",
           flat_weights_[0].dtype(), "; convert the input with .to(", flat_weights_[0].dtype(),
           ") or the module with ->to(", input.dtype(), ")");
}

template <class Derived>
std::tuple<int64_t, int64_t, int64_t> RNNImplBase<Derived>::get_expected_hidden_size(
    const Tensor& input, const Tensor& batch_sizes) const {
  int64_t mini_batch;
  if (batch_sizes.defined()) {
    mini_batch = long_values(batch_sizes.narrow(0, 0, 1))[0];
  } else {
    mini_batch = options_base.batch_first() ? input.size(0) : input.size(1);
  }
  const int64_t directions = options_base.bidirectional() ? 2 : 1;
  const int64_t real_hidden =
      options_base.proj_size() > 0 ? options_base.proj_size() : options_base.hidden_size();
  return {options_base.num_layers() * directions, mini_batch, real_hidden};
}

template <class Derived>
void RNNImplBase<Derived>::check_hidden_size(
    const Tensor& hx, std::tuple<int64_t, int64_t, int64_t> expected_hidden_size,
    const std::string& what) const {
  const std::vector<int64_t> expected = {std::get<0>(expected_hidden_size),
                                         std::get<1>(expected_hidden_size),
                                         std::get<2>(expected_hidden_size)};
  TG_CHECK(hx.sizes() == IntArrayRef(expected), torch_type_name<Derived>(), ": expected ", what,
           " of size ", sizes_str(expected_hidden_size),
           " ([layers * directions, batch, size]), got ", shape_str(hx.sizes()));
  TG_CHECK(flat_weights_.empty() || hx.dtype() == flat_weights_[0].dtype(),
           torch_type_name<Derived>(), ": the ", what, " has dtype ", hx.dtype(),
           " but the weights have dtype ", flat_weights_[0].dtype());
}

template <class Derived>
void RNNImplBase<Derived>::check_forward_args(const Tensor& input, const Tensor& hidden,
                                              const Tensor& batch_sizes) const {
  check_input(input, batch_sizes);
  check_hidden_size(hidden, get_expected_hidden_size(input, batch_sizes));
}

template <class Derived>
Tensor RNNImplBase<Derived>::permute_hidden(const Tensor& hx, const Tensor& permutation) const {
  if (!permutation.defined()) return hx;
  return hx.index_select(1, permutation);
}

template <class Derived>
std::tuple<Tensor, Tensor, Tensor> RNNImplBase<Derived>::run(const Tensor& input,
                                                             const Tensor& batch_sizes,
                                                             const Tensor& hx, const Tensor& cx) {
  const RNNOptionsBase& o = options_base;
  const Mode mode = mode_of(o);
  const int64_t directions = o.bidirectional() ? 2 : 1;
  const size_t per_direction = all_weights_.empty() ? 0 : all_weights_[0].size();
  TG_CHECK(flat_weights_.size() == per_direction * o.num_layers() * directions,
           torch_type_name<Derived>(), ": the module has ", flat_weights_.size(),
           " weights but its options call for ", per_direction * o.num_layers() * directions,
           "; call reset() after changing the options");

  // The rows, step after step, and how many there are at each step.
  Tensor data;
  std::vector<int64_t> sizes;
  int64_t steps = 0, batch = 0;
  if (batch_sizes.defined()) {
    data = input;
    sizes = long_values(batch_sizes);
  } else {
    const Tensor seq_first = o.batch_first() ? input.transpose(0, 1) : input;
    steps = seq_first.size(0);
    batch = seq_first.size(1);
    data = seq_first.reshape({steps * batch, seq_first.size(2)});
    sizes.assign(steps, batch);
  }
  TG_CHECK(!sizes.empty() && sizes[0] > 0, torch_type_name<Derived>(),
           ": the input has no time steps or an empty batch (shape ", shape_str(input.sizes()),
           ")");

  std::vector<Tensor> h_n, c_n;
  Tensor layer_input = data;
  for (int64_t layer = 0; layer < o.num_layers(); ++layer) {
    std::vector<Tensor> outputs;
    for (int64_t direction = 0; direction < directions; ++direction) {
      const int64_t index = layer * directions + direction;
      const Tensor* w = flat_weights_.data() + index * per_direction;
      LayerWeights lw;
      lw.w_ih = w[0];
      lw.w_hh = w[1];
      size_t next = 2;
      if (o.bias()) {
        lw.b_ih = w[2];
        lw.b_hh = w[3];
        next = 4;
      }
      if (o.proj_size() > 0) lw.w_hr = w[next];
      DirectionResult r =
          run_direction(mode, layer_input, sizes, hx[index],
                        mode == Mode::Lstm ? cx[index] : Tensor(), lw, direction == 1);
      outputs.push_back(r.output);
      h_n.push_back(r.h);
      if (mode == Mode::Lstm) c_n.push_back(r.c);
    }
    layer_input = directions == 1 ? outputs[0] : tg::cat(outputs, 1);
    if (o.dropout() > 0 && this->is_training() && layer + 1 < o.num_layers())
      layer_input = tg::dropout(layer_input, o.dropout(), true);
  }

  Tensor output = layer_input;
  if (!batch_sizes.defined()) {
    output = output.view({steps, batch, output.size(1)});
    if (o.batch_first()) output = output.transpose(0, 1);
  }
  return {output, tg::stack(h_n, 0), mode == Mode::Lstm ? tg::stack(c_n, 0) : Tensor()};
}

template <class Derived>
std::tuple<Tensor, Tensor> RNNImplBase<Derived>::run_single_state(const Tensor& input,
                                                                  const Tensor& batch_sizes,
                                                                  const Tensor& sorted_indices,
                                                                  const Tensor& unsorted_indices,
                                                                  Tensor hx) {
  check_input(input, batch_sizes);
  const auto expected = get_expected_hidden_size(input, batch_sizes);
  if (!hx.defined()) {
    hx = zero_state(std::get<0>(expected), std::get<1>(expected), std::get<2>(expected), input);
  } else {
    hx = permute_hidden(hx, sorted_indices);
  }
  check_hidden_size(hx, expected);
  auto [output, h_n, unused] = run(input, batch_sizes, hx, Tensor());
  return {output, permute_hidden(h_n, unsorted_indices)};
}

template <class Derived>
std::tuple<utils::rnn::PackedSequence, Tensor> RNNImplBase<Derived>::run_single_state(
    const utils::rnn::PackedSequence& packed_input, Tensor hx) {
  auto [output, h_n] =
      run_single_state(packed_input.data(), packed_input.batch_sizes(),
                       packed_input.sorted_indices(), packed_input.unsorted_indices(), hx);
  return {
      utils::rnn::PackedSequence(output, packed_input.batch_sizes(), packed_input.sorted_indices(),
                                 packed_input.unsorted_indices()),
      h_n};
}

template class RNNImplBase<RNNImpl>;
template class RNNImplBase<LSTMImpl>;
template class RNNImplBase<GRUImpl>;

}  // namespace detail

namespace {

template <class Options>
detail::RNNOptionsBase base_options(detail::RNNOptionsBase::rnn_options_base_mode_t mode,
                                    const Options& o) {
  return detail::RNNOptionsBase(mode, o.input_size(), o.hidden_size())
      .num_layers(o.num_layers())
      .bias(o.bias())
      .batch_first(o.batch_first())
      .dropout(o.dropout())
      .bidirectional(o.bidirectional());
}

detail::RNNOptionsBase base_options(const RNNOptions& o) {
  detail::RNNOptionsBase::rnn_options_base_mode_t mode = enumtype::kRNN_TANH();
  if (std::holds_alternative<enumtype::kReLU>(o.nonlinearity())) mode = enumtype::kRNN_RELU();
  return base_options(mode, o);
}

detail::RNNOptionsBase base_options(const GRUOptions& o) {
  return base_options(enumtype::kGRU(), o);
}

}  // namespace

// ---- RNN and GRU ----

namespace detail {

template <class Derived, class Options>
SingleStateRNNImplBase<Derived, Options>::SingleStateRNNImplBase(const Options& options_)
    : RNNImplBase<Derived>(base_options(options_)), options(options_) {}

template <class Derived, class Options>
std::tuple<Tensor, Tensor> SingleStateRNNImplBase<Derived, Options>::forward(const Tensor& input,
                                                                             Tensor hx) {
  return this->run_single_state(input, Tensor(), Tensor(), Tensor(), std::move(hx));
}

template <class Derived, class Options>
std::tuple<utils::rnn::PackedSequence, Tensor>
SingleStateRNNImplBase<Derived, Options>::forward_with_packed_input(
    const utils::rnn::PackedSequence& packed_input, Tensor hx) {
  return this->run_single_state(packed_input, std::move(hx));
}

template class SingleStateRNNImplBase<RNNImpl, RNNOptions>;
template class SingleStateRNNImplBase<GRUImpl, GRUOptions>;

}  // namespace detail

// ---- LSTM ----

LSTMImpl::LSTMImpl(const LSTMOptions& options_)
    : detail::RNNImplBase<LSTMImpl>(
          base_options(enumtype::kLSTM(), options_).proj_size(options_.proj_size())),
      options(options_) {}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward_helper(
    const Tensor& input, const Tensor& batch_sizes, const Tensor& sorted_indices,
    int64_t max_batch_size, std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  check_input(input, batch_sizes);
  const auto expected = get_expected_hidden_size(input, batch_sizes);
  const auto expected_cell =
      std::make_tuple(std::get<0>(expected), max_batch_size, options_base.hidden_size());
  Tensor hx, cx;
  if (!hx_opt.has_value()) {
    hx = zero_state(std::get<0>(expected), max_batch_size, std::get<2>(expected), input);
    cx = zero_state(std::get<0>(expected), max_batch_size, options_base.hidden_size(), input);
  } else {
    hx = permute_hidden(std::get<0>(*hx_opt), sorted_indices);
    cx = permute_hidden(std::get<1>(*hx_opt), sorted_indices);
    TG_CHECK(hx.defined() && cx.defined(),
             "torch::nn::LSTMImpl: the initial state (h_0, c_0) must have both tensors defined");
  }
  check_hidden_size(hx, expected, "hidden[0] (h_0)");
  check_hidden_size(cx, expected_cell, "hidden[1] (c_0)");
  auto [output, h_n, c_n] = run(input, batch_sizes, hx, cx);
  return {output, {h_n, c_n}};
}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward(
    const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  TG_CHECK(input.defined(), "torch::nn::LSTMImpl: the input is undefined");
  const int64_t max_batch =
      input.dim() == 3 ? (options_base.batch_first() ? input.size(0) : input.size(1)) : 0;
  return forward_helper(input, Tensor(), Tensor(), max_batch, std::move(hx_opt));
}

std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>>
LSTMImpl::forward_with_packed_input(const utils::rnn::PackedSequence& packed_input,
                                    std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  const Tensor& batch_sizes = packed_input.batch_sizes();
  TG_CHECK(batch_sizes.defined() && batch_sizes.numel() > 0,
           "torch::nn::LSTMImpl: the packed input has no batch sizes");
  const int64_t max_batch = long_values(batch_sizes.narrow(0, 0, 1))[0];
  auto [output, state] =
      forward_helper(packed_input.data(), batch_sizes, packed_input.sorted_indices(), max_batch,
                     std::move(hx_opt));
  const Tensor& unsorted = packed_input.unsorted_indices();
  return {
      utils::rnn::PackedSequence(output, batch_sizes, packed_input.sorted_indices(), unsorted),
      {permute_hidden(std::get<0>(state), unsorted), permute_hidden(std::get<1>(state), unsorted)}};
}

// ---- Cells ----

namespace detail {

template <class Derived>
RNNCellImplBase<Derived>::RNNCellImplBase(const RNNCellOptionsBase& options_)
    : options_base(options_) {
  reset();
}

template <class Derived>
void RNNCellImplBase<Derived>::reset() {
  const RNNCellOptionsBase& o = options_base;
  TG_CHECK(o.input_size() >= 0 && o.hidden_size() > 0, torch_type_name<Derived>(),
           ": input_size must be non-negative and hidden_size positive, got input_size=",
           o.input_size(), " and hidden_size=", o.hidden_size());
  const int64_t rows = o.num_chunks() * o.hidden_size();
  weight_ih = this->register_parameter("weight_ih", tg::empty({rows, o.input_size()}));
  weight_hh = this->register_parameter("weight_hh", tg::empty({rows, o.hidden_size()}));
  if (o.bias()) {
    bias_ih = this->register_parameter("bias_ih", tg::empty({rows}));
    bias_hh = this->register_parameter("bias_hh", tg::empty({rows}));
  } else {
    bias_ih = this->register_parameter("bias_ih", Tensor(), /*requires_grad=*/false);
    bias_hh = this->register_parameter("bias_hh", Tensor(), /*requires_grad=*/false);
  }
  reset_parameters();
}

template <class Derived>
void RNNCellImplBase<Derived>::reset_parameters() {
  init_uniform(*this, options_base.hidden_size());
}

template <class Derived>
void RNNCellImplBase<Derived>::pretty_print(std::ostream& stream) const {
  stream << holder_name(this->name()) << "(" << options_base.input_size() << ", "
         << options_base.hidden_size();
  if (!options_base.bias()) stream << ", bias=false";
  stream << get_nonlinearity_str() << ")";
}

template <class Derived>
void RNNCellImplBase<Derived>::check_forward_input(const Tensor& input) const {
  const std::string module = torch_type_name<Derived>();
  TG_CHECK(input.defined(), module, ": the input is undefined");
  TG_CHECK(input.dim() == 2 && input.size(1) == options_base.input_size(), module,
           ": expected an input of shape [batch, ", options_base.input_size(),
           "] (input_size=", options_base.input_size(), "), got ", shape_str(input.sizes()));
  TG_CHECK(input.dtype() == weight_ih.dtype(), module, ": the input has dtype ", input.dtype(),
           " but the weights have dtype ", weight_ih.dtype(), "; convert the input with .to(",
           weight_ih.dtype(), ") or the module with ->to(", input.dtype(), ")");
}

template <class Derived>
void RNNCellImplBase<Derived>::check_forward_hidden(const Tensor& input, const Tensor& hx,
                                                    const std::string& hidden_label) const {
  const std::string module = torch_type_name<Derived>();
  TG_CHECK(hx.dim() == 2 && hx.size(0) == input.size(0) && hx.size(1) == options_base.hidden_size(),
           module, ": expected hidden", hidden_label, " of shape [", input.size(0), ", ",
           options_base.hidden_size(), "] (the input's batch, hidden_size), got ",
           shape_str(hx.sizes()));
  TG_CHECK(hx.dtype() == input.dtype(), module, ": hidden", hidden_label, " has dtype ", hx.dtype(),
           " but the input has dtype ", input.dtype());
}

template <class Derived>
std::string RNNCellImplBase<Derived>::get_nonlinearity_str() const {
  return "";
}

template class RNNCellImplBase<RNNCellImpl>;
template class RNNCellImplBase<LSTMCellImpl>;
template class RNNCellImplBase<GRUCellImpl>;

}  // namespace detail

RNNCellImpl::RNNCellImpl(const RNNCellOptions& options_)
    : detail::RNNCellImplBase<RNNCellImpl>(detail::RNNCellOptionsBase(
          options_.input_size(), options_.hidden_size(), options_.bias(), 1)),
      options(options_) {}

std::string RNNCellImpl::get_nonlinearity_str() const {
  if (std::holds_alternative<enumtype::kTanh>(options.nonlinearity())) return "";
  return ", nonlinearity=" + enumtype::get_enum_name(options.nonlinearity());
}

Tensor RNNCellImpl::forward(const Tensor& input, Tensor hx) {
  check_forward_input(input);
  if (!hx.defined()) hx = tg::zeros({input.size(0), options.hidden_size()}, input.dtype());
  check_forward_hidden(input, hx, "");
  const bool relu = std::holds_alternative<enumtype::kReLU>(options.nonlinearity());
  return detail::rnn_step(tg::linear(input, weight_ih, bias_ih), hx, weight_hh, bias_hh, relu);
}

LSTMCellImpl::LSTMCellImpl(const LSTMCellOptions& options_)
    : detail::RNNCellImplBase<LSTMCellImpl>(detail::RNNCellOptionsBase(
          options_.input_size(), options_.hidden_size(), options_.bias(), 4)),
      options(options_) {}

std::tuple<Tensor, Tensor> LSTMCellImpl::forward(const Tensor& input,
                                                 std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  check_forward_input(input);
  Tensor h, c;
  if (hx_opt.has_value()) {
    std::tie(h, c) = *hx_opt;
  } else {
    h = tg::zeros({input.size(0), options.hidden_size()}, input.dtype());
    c = tg::zeros({input.size(0), options.hidden_size()}, input.dtype());
  }
  TG_CHECK(h.defined() && c.defined(),
           "torch::nn::LSTMCellImpl: the state (h, c) must have both tensors defined");
  check_forward_hidden(input, h, "[0]");
  check_forward_hidden(input, c, "[1]");
  return detail::lstm_step(tg::linear(input, weight_ih, bias_ih), h, c, weight_hh, bias_hh, {});
}

GRUCellImpl::GRUCellImpl(const GRUCellOptions& options_)
    : detail::RNNCellImplBase<GRUCellImpl>(detail::RNNCellOptionsBase(
          options_.input_size(), options_.hidden_size(), options_.bias(), 3)),
      options(options_) {}

Tensor GRUCellImpl::forward(const Tensor& input, Tensor hx) {
  check_forward_input(input);
  if (!hx.defined()) hx = tg::zeros({input.size(0), options.hidden_size()}, input.dtype());
  check_forward_hidden(input, hx, "");
  return detail::gru_step(tg::linear(input, weight_ih, bias_ih), hx, weight_hh, bias_hh);
}

}  // namespace tg::nn
