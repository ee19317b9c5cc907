// tensorgrad._C._nn: the C++ neural-network ops (what torch.nn.functional calls), the parameter
// initialisers, and the C++ optimisers, with PyTorch's Python arguments.
#include "common.h"

namespace tgpy {

namespace {

using tg::Tensor;
using OptTensor = std::optional<Tensor>;

int64_t reduction(const std::string& r) {
  if (r == "mean") return tg::Reduction::Mean;
  if (r == "sum") return tg::Reduction::Sum;
  if (r == "none") return tg::Reduction::None;
  throw py::value_error(r + " is not a valid value for reduction");
}

/// An int or a pair: kernel_size=3, stride=(2, 1).
std::vector<int64_t> pair(const py::handle& h, const char* what) { return int_list(h, what); }

OptTensor optional(const Tensor& t) {
  if (!t.defined()) return std::nullopt;
  return t;
}

tg::nn::init::NonlinearityType nonlinearity(const std::string& name) {
  if (name == "leaky_relu") return tg::kLeakyReLU;
  if (name == "relu") return tg::kReLU;
  if (name == "linear") return tg::kLinear;
  if (name == "tanh") return tg::kTanh;
  if (name == "sigmoid") return tg::kSigmoid;
  if (name == "conv2d") return tg::kConv2D;
  throw py::value_error("Unsupported nonlinearity " + name);
}

tg::nn::init::FanModeType fan_mode(const std::string& mode) {
  if (mode == "fan_in") return tg::kFanIn;
  if (mode == "fan_out") return tg::kFanOut;
  throw py::value_error("Mode " + mode + " not supported, please use one of fan_in, fan_out");
}

template <class Opt>
void bind_optimizer_common(Opt& cls) {
  using namespace py::literals;
  cls.def(
         "step",
         [](typename Opt::type& o, const py::object& closure) {
           if (!closure.is_none()) {
             tg::Tensor loss;
             {
               tg::AutoGradMode enable(true);
               loss = closure().template cast<Tensor>();
             }
             py::gil_scoped_release release;
             o.step();
             return loss;
           }
           py::gil_scoped_release release;
           return o.step();
         },
         "closure"_a = py::none())
      .def(
          "zero_grad",
          [](typename Opt::type& o, bool set_to_none) {
            if (!set_to_none) {
              o.zero_grad();
              return;
            }
            for (auto& group : o.param_groups())
              for (auto& p : group.params()) p.mutable_grad() = Tensor();
          },
          "set_to_none"_a = false)
      .def_property(
          "lr", [](const typename Opt::type& o) { return o.param_groups()[0].options().get_lr(); },
          [](typename Opt::type& o, double lr) {
            for (auto& g : o.param_groups()) g.options().set_lr(lr);
          });
}

std::vector<Tensor> params_of(const py::handle& params) {
  std::vector<Tensor> out;
  for (py::handle p : params) out.push_back(p.cast<Tensor>());
  TG_CHECK(!out.empty(), "optimizer got an empty parameter list");
  return out;
}

}  // namespace

void bind_nn(py::module_& root) {
  using namespace py::literals;
  py::module_ m = root.def_submodule("_nn", "the C++ neural-network ops and optimisers");
  auto nogil = py::call_guard<py::gil_scoped_release>();

  m.def(
      "linear",
      [](const Tensor& input, const Tensor& weight, const Tensor& bias) {
        return tg::linear(input, weight, optional(bias));
      },
      "input"_a, "weight"_a, "bias"_a = py::none(), nogil);
  m.def(
      "conv2d",
      [](const Tensor& input, const Tensor& weight, const Tensor& bias, const py::object& stride,
         const py::object& padding, const py::object& dilation, int64_t groups) {
        auto s = pair(stride, "stride"), p = pair(padding, "padding"),
             d = pair(dilation, "dilation");
        py::gil_scoped_release release;
        return tg::conv2d(input, weight, bias, s, p, d, groups);
      },
      "input"_a, "weight"_a, "bias"_a = py::none(), "stride"_a = 1, "padding"_a = 0,
      "dilation"_a = 1, "groups"_a = 1);
  m.def(
      "max_pool2d",
      [](const Tensor& input, const py::object& kernel, const py::object& stride,
         const py::object& padding, const py::object& dilation, bool ceil_mode) {
        auto k = pair(kernel, "kernel_size");
        std::vector<int64_t> s = stride.is_none() ? std::vector<int64_t>{} : pair(stride, "stride");
        auto p = pair(padding, "padding"), d = pair(dilation, "dilation");
        py::gil_scoped_release release;
        return tg::max_pool2d(input, k, s, p, d, ceil_mode);
      },
      "input"_a, "kernel_size"_a, "stride"_a = py::none(), "padding"_a = 0, "dilation"_a = 1,
      "ceil_mode"_a = false);
  m.def(
      "avg_pool2d",
      [](const Tensor& input, const py::object& kernel, const py::object& stride,
         const py::object& padding, bool ceil_mode, bool count_include_pad,
         std::optional<int64_t> divisor_override) {
        auto k = pair(kernel, "kernel_size");
        std::vector<int64_t> s = stride.is_none() ? std::vector<int64_t>{} : pair(stride, "stride");
        auto p = pair(padding, "padding");
        py::gil_scoped_release release;
        return tg::avg_pool2d(input, k, s, p, ceil_mode, count_include_pad, divisor_override);
      },
      "input"_a, "kernel_size"_a, "stride"_a = py::none(), "padding"_a = 0, "ceil_mode"_a = false,
      "count_include_pad"_a = true, "divisor_override"_a = py::none());
  m.def(
      "adaptive_avg_pool2d",
      [](const Tensor& input, const py::object& size) {
        return tg::adaptive_avg_pool2d(input, pair(size, "output_size"));
      },
      "input"_a, "output_size"_a);
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
      "dropout",
      [](const Tensor& input, double p, bool training) { return tg::dropout(input, p, training); },
      "input"_a, "p"_a = 0.5, "training"_a = true);
  m.def(
      "embedding",
      [](const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx) {
        return tg::embedding(weight, input, padding_idx.value_or(-1));
      },
      "input"_a, "weight"_a, "padding_idx"_a = py::none());
  m.def(
      "leaky_relu", [](const Tensor& x, double slope) { return tg::leaky_relu(x, slope); },
      "input"_a, "negative_slope"_a = 0.01);
  m.def(
      "gelu", [](const Tensor& x, const std::string& a) { return tg::gelu(x, a); }, "input"_a,
      "approximate"_a = "none");
  m.def(
      "silu", [](const Tensor& x) { return tg::silu(x); }, "input"_a);
  m.def(
      "softplus",
      [](const Tensor& x, double beta, double threshold) {
        return tg::softplus(x, beta, threshold);
      },
      "input"_a, "beta"_a = 1, "threshold"_a = 20);

  m.def(
      "nll_loss",
      [](const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
         const std::string& r) {
        return tg::nll_loss_nd(input, target, optional(weight), reduction(r), ignore_index);
      },
      "input"_a, "target"_a, "weight"_a = py::none(), "ignore_index"_a = -100,
      "reduction"_a = "mean", nogil);
  m.def(
      "cross_entropy",
      [](const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
         const std::string& r, double label_smoothing) {
        return tg::cross_entropy_loss(input, target, optional(weight), reduction(r), ignore_index,
                                      label_smoothing);
      },
      "input"_a, "target"_a, "weight"_a = py::none(), "ignore_index"_a = -100,
      "reduction"_a = "mean", "label_smoothing"_a = 0.0, nogil);
  m.def(
      "mse_loss",
      [](const Tensor& input, const Tensor& target, const std::string& r) {
        return tg::mse_loss(input, target, reduction(r));
      },
      "input"_a, "target"_a, "reduction"_a = "mean");
  m.def(
      "l1_loss",
      [](const Tensor& input, const Tensor& target, const std::string& r) {
        return tg::l1_loss(input, target, reduction(r));
      },
      "input"_a, "target"_a, "reduction"_a = "mean");
  m.def(
      "binary_cross_entropy",
      [](const Tensor& input, const Tensor& target, const Tensor& weight, const std::string& r) {
        return tg::binary_cross_entropy(input, target, optional(weight), reduction(r));
      },
      "input"_a, "target"_a, "weight"_a = py::none(), "reduction"_a = "mean");
  m.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& input, const Tensor& target, const Tensor& weight, const std::string& r,
         const Tensor& pos_weight) {
        return tg::binary_cross_entropy_with_logits(input, target, optional(weight),
                                                    optional(pos_weight), reduction(r));
      },
      "input"_a, "target"_a, "weight"_a = py::none(), "reduction"_a = "mean",
      "pos_weight"_a = py::none());

  // ---- init (in place, without autograd, as torch.nn.init) ----
  namespace init = tg::nn::init;
  m.def(
      "uniform_", [](const Tensor& t, double a, double b) { return init::uniform_(t, a, b); },
      "tensor"_a, "a"_a = 0.0, "b"_a = 1.0);
  m.def(
      "normal_",
      [](const Tensor& t, double mean, double std) { return init::normal_(t, mean, std); },
      "tensor"_a, "mean"_a = 0.0, "std"_a = 1.0);
  m.def(
      "constant_", [](const Tensor& t, const tg::Scalar& v) { return init::constant_(t, v); },
      "tensor"_a, "val"_a);
  m.def(
      "zeros_", [](const Tensor& t) { return init::zeros_(t); }, "tensor"_a);
  m.def(
      "ones_", [](const Tensor& t) { return init::ones_(t); }, "tensor"_a);
  m.def(
      "xavier_uniform_",
      [](const Tensor& t, double gain) { return init::xavier_uniform_(t, gain); }, "tensor"_a,
      "gain"_a = 1.0);
  m.def(
      "xavier_normal_", [](const Tensor& t, double gain) { return init::xavier_normal_(t, gain); },
      "tensor"_a, "gain"_a = 1.0);
  m.def(
      "kaiming_uniform_",
      [](const Tensor& t, double a, const std::string& mode, const std::string& nl) {
        return init::kaiming_uniform_(t, a, fan_mode(mode), nonlinearity(nl));
      },
      "tensor"_a, "a"_a = 0.0, "mode"_a = "fan_in", "nonlinearity"_a = "leaky_relu");
  m.def(
      "kaiming_normal_",
      [](const Tensor& t, double a, const std::string& mode, const std::string& nl) {
        return init::kaiming_normal_(t, a, fan_mode(mode), nonlinearity(nl));
      },
      "tensor"_a, "a"_a = 0.0, "mode"_a = "fan_in", "nonlinearity"_a = "leaky_relu");
  m.def(
      "_calculate_fan_in_and_fan_out",
      [](const Tensor& t) { return init::_calculate_fan_in_and_fan_out(t); }, "tensor"_a);

  // ---- safetensors files, the same as the C++ tg::save / tg::load write and read ----
  m.def(
      "save",
      [](const std::vector<std::pair<std::string, Tensor>>& tensors, const std::string& path,
         const tg::SafetensorsMetadata& metadata) {
        py::gil_scoped_release release;
        tg::save(tensors, path, metadata);
      },
      "tensors"_a, "path"_a, "metadata"_a = tg::SafetensorsMetadata{});
  m.def(
      "load",
      [](const std::string& path) {
        tg::OrderedDict<std::string, Tensor> loaded;
        {
          py::gil_scoped_release release;
          loaded = tg::load_tensors(path);
        }
        py::list out;
        for (const auto& item : loaded) out.append(py::make_tuple(item.key(), item.value()));
        return out;
      },
      "path"_a);
  m.def("load_metadata", &tg::load_metadata, "path"_a);

  // ---- optimisers: the C++ ones, over the same tensors as the Python parameters ----
  py::class_<tg::optim::SGD> sgd(m, "SGD");
  sgd.def(py::init([](const py::handle& params, double lr, double momentum, double dampening,
                      double weight_decay, bool nesterov) {
            return std::make_unique<tg::optim::SGD>(params_of(params),
                                                    tg::optim::SGDOptions(lr)
                                                        .momentum(momentum)
                                                        .dampening(dampening)
                                                        .weight_decay(weight_decay)
                                                        .nesterov(nesterov));
          }),
          "params"_a, "lr"_a, "momentum"_a = 0.0, "dampening"_a = 0.0, "weight_decay"_a = 0.0,
          "nesterov"_a = false);
  bind_optimizer_common(sgd);
  py::class_<tg::optim::Adam> adam(m, "Adam");
  adam.def(py::init([](const py::handle& params, double lr, std::tuple<double, double> betas,
                       double eps, double weight_decay, bool amsgrad) {
             return std::make_unique<tg::optim::Adam>(params_of(params),
                                                      tg::optim::AdamOptions(lr)
                                                          .betas(betas)
                                                          .eps(eps)
                                                          .weight_decay(weight_decay)
                                                          .amsgrad(amsgrad));
           }),
           "params"_a, "lr"_a = 1e-3, "betas"_a = std::make_tuple(0.9, 0.999), "eps"_a = 1e-8,
           "weight_decay"_a = 0.0, "amsgrad"_a = false);
  bind_optimizer_common(adam);
  py::class_<tg::optim::AdamW> adamw(m, "AdamW");
  adamw.def(py::init([](const py::handle& params, double lr, std::tuple<double, double> betas,
                        double eps, double weight_decay, bool amsgrad) {
              return std::make_unique<tg::optim::AdamW>(params_of(params),
                                                        tg::optim::AdamWOptions(lr)
                                                            .betas(betas)
                                                            .eps(eps)
                                                            .weight_decay(weight_decay)
                                                            .amsgrad(amsgrad));
            }),
            "params"_a, "lr"_a = 1e-3, "betas"_a = std::make_tuple(0.9, 0.999), "eps"_a = 1e-8,
            "weight_decay"_a = 1e-2, "amsgrad"_a = false);
  bind_optimizer_common(adamw);
}

}  // namespace tgpy
