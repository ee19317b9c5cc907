// tensorgrad._C._nn, the ops: what tensorgrad.nn.functional calls. Each is the C++ op (the
// tensor-level tg:: function, else torch::nn::functional's with its Options), bound with the
// argument names of its tensorgrad.nn.functional counterpart. Losses take their reduction as a
// tg::Reduction value: the Python layer turns "mean" and the legacy size_average/reduce into it.
#include <cctype>
#include <utility>

#include "common.h"

namespace tgpy {

namespace {

using tg::IntArrayRef;
using tg::Scalar;
using tg::Tensor;
using OptTensor = std::optional<Tensor>;
namespace F = tg::nn::functional;

std::string fold(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '-' && c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// The tag of an enum variant (libtorch's kBilinear, kNearestExact...) that PyTorch's Python API
/// names "bilinear", "nearest-exact": the same letters, case, '-' and '_' aside.
template <class Variant, size_t... I>
Variant enum_from_string(const std::string& name, const char* what, std::index_sequence<I...>) {
  std::optional<Variant> found;
  auto match = [&](auto tag) {
    if (!found && fold(decltype(tag)::name + 1) == fold(name)) found = tag;
  };
  (match(std::variant_alternative_t<I, Variant>{}), ...);
  if (!found) throw py::value_error(std::string(what) + ": unknown mode '" + name + "'");
  return *found;
}
template <class Variant>
Variant enum_from_string(const std::string& name, const char* what) {
  return enum_from_string<Variant>(name, what,
                                   std::make_index_sequence<std::variant_size_v<Variant>>{});
}

/// conv1d/2d/3d: padding is ints or "same"/"valid". `conv` is a generic lambda over tg::convNd,
/// whose overloads take either.
template <class Conv>
void def_conv(py::module_& m, const char* name, Conv conv) {
  using namespace py::literals;
  m.def(
      name,
      [conv](const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
             const py::object& padding, IntArrayRef dilation, int64_t groups) {
        if (py::isinstance<py::str>(padding)) {
          auto p = padding.cast<std::string>();
          py::gil_scoped_release release;
          return conv(input, weight, bias, stride, p, dilation, groups);
        }
        std::vector<int64_t> p = int_list(padding, "padding");
        py::gil_scoped_release release;
        return conv(input, weight, bias, stride, IntArrayRef(p), dilation, groups);
      },
      "input"_a, "weight"_a, "bias"_a = py::none(), "stride"_a = 1, "padding"_a = 0,
      "dilation"_a = 1, "groups"_a = 1);
}

/// One value (for every dim) or D, as an Options field.
template <size_t D>
tg::ExpandingArray<D> expand(IntArrayRef values) {
  if (values.size() == 1) return tg::ExpandingArray<D>(values[0]);
  return tg::ExpandingArray<D>(values);
}

/// max_unpool1d/2d/3d through torch::nn::functional (which works out the output size).
template <size_t D>
void def_unpool(py::module_& m, const char* name,
                Tensor (*unpool)(const Tensor&, const Tensor&, const F::MaxUnpoolFuncOptions<D>&)) {
  using namespace py::literals;
  m.def(
      name,
      [unpool](const Tensor& input, const Tensor& indices, IntArrayRef kernel, IntArrayRef stride,
               IntArrayRef padding, std::optional<std::vector<int64_t>> output_size) {
        return unpool(input, indices,
                      F::MaxUnpoolFuncOptions<D>(expand<D>(kernel))
                          .stride(expand<D>(stride.empty() ? kernel : stride))
                          .padding(expand<D>(padding))
                          .output_size(output_size));
      },
      "input"_a, "indices"_a, "kernel_size"_a, "stride"_a = py::none(), "padding"_a = 0,
      "output_size"_a = py::none(), py::call_guard<py::gil_scoped_release>());
}

/// lp_pool1d/2d: (sum of x^p over each window)^(1/p).
template <size_t D>
void def_lp_pool(py::module_& m, const char* name,
                 Tensor (*pool)(const Tensor&, const tg::nn::LPPoolOptions<D>&)) {
  using namespace py::literals;
  m.def(
      name,
      [pool](const Tensor& input, double norm_type, IntArrayRef kernel, IntArrayRef stride,
             bool ceil_mode) {
        return pool(input, tg::nn::LPPoolOptions<D>(norm_type, expand<D>(kernel))
                               .stride(expand<D>(stride.empty() ? kernel : stride))
                               .ceil_mode(ceil_mode));
      },
      "input"_a, "norm_type"_a, "kernel_size"_a, "stride"_a = py::none(), "ceil_mode"_a = false,
      py::call_guard<py::gil_scoped_release>());
}

void bind_conv_and_pool(py::module_& m) {
  using namespace py::literals;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  def_conv(m, "conv1d", [](const auto&... a) { return tg::conv1d(a...); });
  def_conv(m, "conv2d", [](const auto&... a) { return tg::conv2d(a...); });
  def_conv(m, "conv3d", [](const auto&... a) { return tg::conv3d(a...); });
  for (auto [name, fn] : {std::pair{"conv_transpose1d", &tg::conv_transpose1d},
                          std::pair{"conv_transpose2d", &tg::conv_transpose2d},
                          std::pair{"conv_transpose3d", &tg::conv_transpose3d}})
    m.def(name, fn, "input"_a, "weight"_a, "bias"_a = py::none(), "stride"_a = 1, "padding"_a = 0,
          "output_padding"_a = 0, "groups"_a = 1, "dilation"_a = 1, nogil);

  // stride None (an empty list) is kernel_size, as in the C++ ops.
  for (auto [name, fn] : {std::pair{"max_pool1d", &tg::max_pool1d_with_indices},
                          std::pair{"max_pool2d", &tg::max_pool2d_with_indices},
                          std::pair{"max_pool3d", &tg::max_pool3d_with_indices}})
    m.def((std::string(name) + "_with_indices").c_str(), fn, "input"_a, "kernel_size"_a,
          "stride"_a = py::none(), "padding"_a = 0, "dilation"_a = 1, "ceil_mode"_a = false, nogil);
  for (auto [name, fn] :
       {std::pair{"max_pool1d", &tg::max_pool1d}, std::pair{"max_pool2d", &tg::max_pool2d},
        std::pair{"max_pool3d", &tg::max_pool3d}})
    m.def(name, fn, "input"_a, "kernel_size"_a, "stride"_a = py::none(), "padding"_a = 0,
          "dilation"_a = 1, "ceil_mode"_a = false, nogil);
  m.def("avg_pool1d", &tg::avg_pool1d, "input"_a, "kernel_size"_a, "stride"_a = py::none(),
        "padding"_a = 0, "ceil_mode"_a = false, "count_include_pad"_a = true, nogil);
  for (auto [name, fn] :
       {std::pair{"avg_pool2d", &tg::avg_pool2d}, std::pair{"avg_pool3d", &tg::avg_pool3d}})
    m.def(name, fn, "input"_a, "kernel_size"_a, "stride"_a = py::none(), "padding"_a = 0,
          "ceil_mode"_a = false, "count_include_pad"_a = true, "divisor_override"_a = py::none(),
          nogil);
  for (auto [name, fn] : {std::pair{"adaptive_avg_pool1d", &tg::adaptive_avg_pool1d},
                          std::pair{"adaptive_avg_pool2d", &tg::adaptive_avg_pool2d},
                          std::pair{"adaptive_avg_pool3d", &tg::adaptive_avg_pool3d}})
    m.def(name, fn, "input"_a, "output_size"_a, nogil);
  for (auto [name, fn] : {std::pair{"adaptive_max_pool1d", &tg::adaptive_max_pool1d},
                          std::pair{"adaptive_max_pool2d", &tg::adaptive_max_pool2d},
                          std::pair{"adaptive_max_pool3d", &tg::adaptive_max_pool3d}})
    m.def(name, fn, "input"_a, "output_size"_a, nogil);
  def_unpool<1>(m, "max_unpool1d", &F::max_unpool1d);
  def_unpool<2>(m, "max_unpool2d", &F::max_unpool2d);
  def_unpool<3>(m, "max_unpool3d", &F::max_unpool3d);
  def_lp_pool<1>(m, "lp_pool1d", &F::lp_pool1d);
  def_lp_pool<2>(m, "lp_pool2d", &F::lp_pool2d);
}

void bind_activations(py::module_& m) {
  using namespace py::literals;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  // Out of place and in place (name_) with the same arguments.
  m.def("elu", &tg::elu, "input"_a, "alpha"_a = 1.0, "scale"_a = 1, "input_scale"_a = 1, nogil);
  m.def("elu_", &tg::elu_, "input"_a, "alpha"_a = 1.0, "scale"_a = 1, "input_scale"_a = 1, nogil);
  m.def("celu", &tg::celu, "input"_a, "alpha"_a = 1.0, nogil);
  m.def("celu_", &tg::celu_, "input"_a, "alpha"_a = 1.0, nogil);
  m.def("hardtanh", &tg::hardtanh, "input"_a, "min_val"_a = -1.0, "max_val"_a = 1.0, nogil);
  m.def("hardtanh_", &tg::hardtanh_, "input"_a, "min_val"_a = -1.0, "max_val"_a = 1.0, nogil);
  m.def("threshold", &tg::threshold, "input"_a, "threshold"_a, "value"_a, nogil);
  m.def("threshold_", &tg::threshold_, "input"_a, "threshold"_a, "value"_a, nogil);
  m.def("leaky_relu", &tg::leaky_relu, "input"_a, "negative_slope"_a = 0.01, nogil);
  m.def("leaky_relu_", &tg::leaky_relu_, "input"_a, "negative_slope"_a = 0.01, nogil);
  m.def("rrelu", &tg::rrelu, "input"_a, "lower"_a = 1.0 / 8, "upper"_a = 1.0 / 3,
        "training"_a = false, nogil);
  m.def("rrelu_", &tg::rrelu_, "input"_a, "lower"_a = 1.0 / 8, "upper"_a = 1.0 / 3,
        "training"_a = false, nogil);
  for (auto [name, fn] : {std::pair{"selu_", &tg::selu_}, std::pair{"relu6_", &tg::relu6_}})
    m.def(name, fn, "input"_a, nogil);
  for (auto [name, fn] :
       {std::pair{"selu", &tg::selu}, std::pair{"relu6", &tg::relu6},
        std::pair{"logsigmoid", &tg::log_sigmoid}, std::pair{"mish", &tg::mish},
        std::pair{"hardsigmoid", &tg::hardsigmoid}, std::pair{"hardswish", &tg::hardswish},
        std::pair{"silu", &tg::silu}, std::pair{"softsign", &F::softsign},
        std::pair{"tanhshrink", &F::tanhshrink}})
    m.def(name, fn, "input"_a, nogil);
  m.def("hardshrink", &tg::hardshrink, "input"_a, "lambd"_a = 0.5, nogil);
  m.def("softshrink", &tg::softshrink, "input"_a, "lambd"_a = 0.5, nogil);
  m.def("softplus", &tg::softplus, "input"_a, "beta"_a = 1, "threshold"_a = 20, nogil);
  m.def(
      "gelu", [](const Tensor& x, const std::string& a) { return tg::gelu(x, a); }, "input"_a,
      "approximate"_a = "none", nogil);
  m.def("glu", &tg::glu, "input"_a, "dim"_a = -1, nogil);
  m.def("prelu", &tg::prelu, "input"_a, "weight"_a, nogil);
  m.def(
      "softmin",
      [](const Tensor& input, int64_t dim, std::optional<tg::ScalarType> dtype) {
        return F::softmin(input, F::SoftminFuncOptions(dim).dtype(dtype));
      },
      "input"_a, "dim"_a, "dtype"_a = py::none(), nogil);
  m.def(
      "gumbel_softmax",
      [](const Tensor& logits, double tau, bool hard, int dim) {
        return F::gumbel_softmax(logits,
                                 F::GumbelSoftmaxFuncOptions().tau(tau).hard(hard).dim(dim));
      },
      "logits"_a, "tau"_a = 1.0, "hard"_a = false, "dim"_a = -1, nogil);
}

void bind_normalization_and_dropout(py::module_& m) {
  using namespace py::literals;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def(
      "batch_norm",
      [](const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
         const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
        return tg::batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                              eps);
      },
      "input"_a, "running_mean"_a, "running_var"_a, "weight"_a = py::none(), "bias"_a = py::none(),
      "training"_a = false, "momentum"_a = 0.1, "eps"_a = 1e-5, nogil);
  m.def(
      "instance_norm",
      [](const Tensor& input, const OptTensor& running_mean, const OptTensor& running_var,
         const OptTensor& weight, const OptTensor& bias, bool use_input_stats, double momentum,
         double eps) {
        return tg::instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                                 momentum, eps);
      },
      "input"_a, "running_mean"_a = py::none(), "running_var"_a = py::none(),
      "weight"_a = py::none(), "bias"_a = py::none(), "use_input_stats"_a = true,
      "momentum"_a = 0.1, "eps"_a = 1e-5, nogil);
  m.def(
      "layer_norm",
      [](const Tensor& input, IntArrayRef normalized_shape, const OptTensor& weight,
         const OptTensor& bias,
         double eps) { return tg::layer_norm(input, normalized_shape, weight, bias, eps); },
      "input"_a, "normalized_shape"_a, "weight"_a = py::none(), "bias"_a = py::none(),
      "eps"_a = 1e-5, nogil);
  m.def(
      "group_norm",
      [](const Tensor& input, int64_t num_groups, const OptTensor& weight, const OptTensor& bias,
         double eps) { return tg::group_norm(input, num_groups, weight, bias, eps); },
      "input"_a, "num_groups"_a, "weight"_a = py::none(), "bias"_a = py::none(), "eps"_a = 1e-5,
      nogil);
  m.def(
      "local_response_norm",
      [](const Tensor& input, int64_t size, double alpha, double beta, double k) {
        return F::local_response_norm(
            input, F::LocalResponseNormFuncOptions(size).alpha(alpha).beta(beta).k(k));
      },
      "input"_a, "size"_a, "alpha"_a = 1e-4, "beta"_a = 0.75, "k"_a = 1.0, nogil);
  m.def(
      "normalize",
      [](const Tensor& input, double p, int64_t dim, double eps, const OptTensor& out) {
        return F::normalize(input, F::NormalizeFuncOptions().p(p).dim(dim).eps(eps).out(out));
      },
      "input"_a, "p"_a = 2.0, "dim"_a = 1, "eps"_a = 1e-12, "out"_a = py::none(), nogil);

  m.def("dropout", &tg::dropout, "input"_a, "p"_a = 0.5, "train"_a = true, nogil);
  m.def("dropout_", &tg::dropout_, "input"_a, "p"_a = 0.5, "train"_a = true, nogil);
  // One draw per channel: the C++ Dropout2d module over [N, C, H, W] or [C, H, W]; the 1-d and
  // 3-d forms view their input as that (one trailing dim of 1, or D H W as one).
  m.def(
      "feature_dropout",
      [](Tensor input, double p, bool training, bool inplace) {
        TG_CHECK(p >= 0. && p <= 1., "dropout probability has to be between 0 and 1, but got ", p);
        tg::nn::Dropout2d drop(tg::nn::Dropout2dOptions(p).inplace(inplace));
        drop->train(training);
        return drop->forward(std::move(input));
      },
      "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false, nogil);
  m.def(
      "embedding",
      [](const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx,
         std::optional<double> max_norm, double norm_type, bool scale_grad_by_freq, bool sparse) {
        return F::embedding(input, weight,
                            F::EmbeddingFuncOptions()
                                .padding_idx(padding_idx)
                                .max_norm(max_norm)
                                .norm_type(norm_type)
                                .scale_grad_by_freq(scale_grad_by_freq)
                                .sparse(sparse));
      },
      "input"_a, "weight"_a, "padding_idx"_a = py::none(), "max_norm"_a = py::none(),
      "norm_type"_a = 2.0, "scale_grad_by_freq"_a = false, "sparse"_a = false, nogil);
}

void bind_losses(py::module_& m) {
  using namespace py::literals;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def("nll_loss", &tg::nll_loss_nd, "input"_a, "target"_a, "weight"_a, "reduction"_a,
        "ignore_index"_a, nogil);
  m.def("cross_entropy", &tg::cross_entropy_loss, "input"_a, "target"_a, "weight"_a, "reduction"_a,
        "ignore_index"_a, "label_smoothing"_a, nogil);
  for (auto [name, fn] : {std::pair{"mse_loss", &tg::mse_loss}, std::pair{"l1_loss", &tg::l1_loss},
                          std::pair{"soft_margin_loss", &tg::soft_margin_loss},
                          std::pair{"multilabel_margin_loss", &tg::multilabel_margin_loss}})
    m.def(name, fn, "input"_a, "target"_a, "reduction"_a, nogil);
  m.def("binary_cross_entropy", &tg::binary_cross_entropy, "input"_a, "target"_a, "weight"_a,
        "reduction"_a, nogil);
  m.def("binary_cross_entropy_with_logits", &tg::binary_cross_entropy_with_logits, "input"_a,
        "target"_a, "weight"_a, "pos_weight"_a, "reduction"_a, nogil);
  m.def("multilabel_soft_margin_loss", &tg::multilabel_soft_margin_loss, "input"_a, "target"_a,
        "weight"_a, "reduction"_a, nogil);
  m.def("kl_div", &tg::kl_div, "input"_a, "target"_a, "reduction"_a, "log_target"_a, nogil);
  m.def("smooth_l1_loss", &tg::smooth_l1_loss, "input"_a, "target"_a, "reduction"_a, "beta"_a,
        nogil);
  m.def("huber_loss", &tg::huber_loss, "input"_a, "target"_a, "reduction"_a, "delta"_a, nogil);
  m.def("hinge_embedding_loss", &tg::hinge_embedding_loss, "input"_a, "target"_a, "margin"_a,
        "reduction"_a, nogil);
  m.def("multi_margin_loss", &tg::multi_margin_loss, "input"_a, "target"_a, "p"_a, "margin"_a,
        "weight"_a, "reduction"_a, nogil);
  for (auto [name, fn] : {std::pair{"cosine_embedding_loss", &tg::cosine_embedding_loss},
                          std::pair{"margin_ranking_loss", &tg::margin_ranking_loss}})
    m.def(name, fn, "input1"_a, "input2"_a, "target"_a, "margin"_a, "reduction"_a, nogil);
  m.def("triplet_margin_loss", &tg::triplet_margin_loss, "anchor"_a, "positive"_a, "negative"_a,
        "margin"_a, "p"_a, "eps"_a, "swap"_a, "reduction"_a, nogil);
  m.def("poisson_nll_loss", &tg::poisson_nll_loss, "input"_a, "target"_a, "log_input"_a, "full"_a,
        "eps"_a, "reduction"_a, nogil);
  // distance_function is a Python callable (called with the GIL, which this op keeps).
  m.def(
      "triplet_margin_with_distance_loss",
      [](const Tensor& anchor, const Tensor& positive, const Tensor& negative,
         const py::object& distance_function, double margin, bool swap,
         const std::string& reduction) {
        auto options =
            F::TripletMarginWithDistanceLossFuncOptions().margin(margin).swap(swap).reduction(
                enum_from_string<tg::LossReduction>(reduction, "reduction"));
        if (!distance_function.is_none())
          options.distance_function([distance_function](const Tensor& a, const Tensor& b) {
            // Copied out of the result object: casting the temporary would move the tensor out
            // of it, and the object would leave its identity entry behind (see tensor.cpp).
            py::object result = distance_function(a, b);
            return result.cast<Tensor>();
          });
        return F::triplet_margin_with_distance_loss(anchor, positive, negative, options);
      },
      "anchor"_a, "positive"_a, "negative"_a, py::kw_only(), "distance_function"_a = py::none(),
      "margin"_a = 1.0, "swap"_a = false, "reduction"_a = "mean");
  m.def("cosine_similarity", &tg::cosine_similarity, "x1"_a, "x2"_a, "dim"_a = 1, "eps"_a = 1e-8,
        nogil);
  m.def("pairwise_distance", &tg::pairwise_distance, "x1"_a, "x2"_a, "p"_a = 2.0, "eps"_a = 1e-6,
        "keepdim"_a = false, nogil);
  m.def("pdist", &tg::pdist, "input"_a, "p"_a = 2.0, nogil);
}

void bind_shape_ops(py::module_& m) {
  using namespace py::literals;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def("linear", &tg::linear, "input"_a, "weight"_a, "bias"_a = py::none(), nogil);
  m.def("pad", &tg::pad, "input"_a, "pad"_a, "mode"_a = "constant", "value"_a = py::none(), nogil);
  m.def("pixel_shuffle", &tg::pixel_shuffle, "input"_a, "upscale_factor"_a, nogil);
  m.def("pixel_unshuffle", &tg::pixel_unshuffle, "input"_a, "downscale_factor"_a, nogil);
  m.def(
      "interpolate",
      [](const Tensor& input, std::optional<std::vector<int64_t>> size,
         std::optional<std::vector<double>> scale_factor, const std::string& mode,
         std::optional<bool> align_corners, std::optional<bool> recompute_scale_factor,
         bool antialias) {
        using Mode = F::InterpolateFuncOptions::mode_t;
        auto options = F::InterpolateFuncOptions()
                           .size(std::move(size))
                           .scale_factor(std::move(scale_factor))
                           .mode(enum_from_string<Mode>(mode, "interpolate"))
                           .align_corners(align_corners)
                           .recompute_scale_factor(recompute_scale_factor)
                           .antialias(antialias);
        py::gil_scoped_release release;
        return F::interpolate(input, options);
      },
      "input"_a, "size"_a = py::none(), "scale_factor"_a = py::none(), "mode"_a = "nearest",
      "align_corners"_a = py::none(), "recompute_scale_factor"_a = py::none(),
      "antialias"_a = false);
}

void bind_recurrent_and_attention(py::module_& m) {
  using namespace py::literals;
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  for (auto [name, fn] :
       {std::pair{"rnn_tanh_cell", &tg::rnn_tanh_cell},
        std::pair{"rnn_relu_cell", &tg::rnn_relu_cell}, std::pair{"gru_cell", &tg::gru_cell}})
    m.def(name, fn, "input"_a, "hx"_a, "w_ih"_a, "w_hh"_a, "b_ih"_a = py::none(),
          "b_hh"_a = py::none(), nogil);
  m.def(
      "lstm_cell",
      [](const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih, const Tensor& w_hh,
         const Tensor& b_ih,
         const Tensor& b_hh) { return tg::lstm_cell(input, hx, w_ih, w_hh, b_ih, b_hh); },
      "input"_a, "hx"_a, "w_ih"_a, "w_hh"_a, "b_ih"_a = py::none(), "b_hh"_a = py::none(), nogil);
  m.def(
      "multi_head_attention_forward",
      [](const Tensor& query, const Tensor& key, const Tensor& value, int64_t embed_dim_to_check,
         int64_t num_heads, const Tensor& in_proj_weight, const Tensor& in_proj_bias,
         const Tensor& bias_k, const Tensor& bias_v, bool add_zero_attn, double dropout_p,
         const Tensor& out_proj_weight, const Tensor& out_proj_bias, bool training,
         const Tensor& key_padding_mask, bool need_weights, const Tensor& attn_mask,
         bool use_separate_proj_weight, const Tensor& q_proj_weight, const Tensor& k_proj_weight,
         const Tensor& v_proj_weight, const Tensor& static_k, const Tensor& static_v,
         bool average_attn_weights) {
        return F::multi_head_attention_forward(
            query, key, value,
            F::MultiheadAttentionForwardFuncOptions(embed_dim_to_check, num_heads, in_proj_weight,
                                                    in_proj_bias, bias_k, bias_v, add_zero_attn,
                                                    dropout_p, out_proj_weight, out_proj_bias)
                .training(training)
                .key_padding_mask(key_padding_mask)
                .need_weights(need_weights)
                .attn_mask(attn_mask)
                .use_separate_proj_weight(use_separate_proj_weight)
                .q_proj_weight(q_proj_weight)
                .k_proj_weight(k_proj_weight)
                .v_proj_weight(v_proj_weight)
                .static_k(static_k)
                .static_v(static_v)
                .average_attn_weights(average_attn_weights));
      },
      "query"_a, "key"_a, "value"_a, "embed_dim_to_check"_a, "num_heads"_a, "in_proj_weight"_a,
      "in_proj_bias"_a, "bias_k"_a, "bias_v"_a, "add_zero_attn"_a, "dropout_p"_a,
      "out_proj_weight"_a, "out_proj_bias"_a, "training"_a = true,
      "key_padding_mask"_a = py::none(), "need_weights"_a = true, "attn_mask"_a = py::none(),
      "use_separate_proj_weight"_a = false, "q_proj_weight"_a = py::none(),
      "k_proj_weight"_a = py::none(), "v_proj_weight"_a = py::none(), "static_k"_a = py::none(),
      "static_v"_a = py::none(), "average_attn_weights"_a = true, nogil);
}

}  // namespace

void bind_nn_functional(py::module_& m) {
  // The values a loss's reduction argument takes, by PyTorch's names.
  py::dict reductions;
  reductions["none"] = static_cast<int64_t>(tg::Reduction::None);
  reductions["mean"] = static_cast<int64_t>(tg::Reduction::Mean);
  reductions["sum"] = static_cast<int64_t>(tg::Reduction::Sum);
  m.attr("reductions") = reductions;
  bind_conv_and_pool(m);
  bind_activations(m);
  bind_normalization_and_dropout(m);
  bind_losses(m);
  bind_shape_ops(m);
  bind_recurrent_and_attention(m);
}

}  // namespace tgpy
