// tensorgrad._C._nn: the parameter initialisers, safetensors files and the C++ optimisers, with
// PyTorch's Python arguments; the ops (what torch.nn.functional calls) are in nn_functional.cpp.
#include "common.h"

namespace tgpy {

namespace {

using tg::Tensor;

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
               // Copied from a named object: cast() of the temporary would move the tensor out
               // of the loss's Python object, which then died leaving its identity entry.
               py::object result = closure();
               loss = result.cast<Tensor>();
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

  bind_nn_functional(m);

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
  py::class_<tg::optim::RMSprop> rmsprop(m, "RMSprop");
  rmsprop.def(py::init([](const py::handle& params, double lr, double alpha, double eps,
                          double weight_decay, double momentum, bool centered) {
                return std::make_unique<tg::optim::RMSprop>(params_of(params),
                                                            tg::optim::RMSpropOptions(lr)
                                                                .alpha(alpha)
                                                                .eps(eps)
                                                                .weight_decay(weight_decay)
                                                                .momentum(momentum)
                                                                .centered(centered));
              }),
              "params"_a, "lr"_a = 1e-2, "alpha"_a = 0.99, "eps"_a = 1e-8, "weight_decay"_a = 0.0,
              "momentum"_a = 0.0, "centered"_a = false);
  bind_optimizer_common(rmsprop);
  py::class_<tg::optim::Adagrad> adagrad(m, "Adagrad");
  adagrad.def(py::init([](const py::handle& params, double lr, double lr_decay, double weight_decay,
                          double initial_accumulator_value, double eps) {
                return std::make_unique<tg::optim::Adagrad>(
                    params_of(params), tg::optim::AdagradOptions(lr)
                                           .lr_decay(lr_decay)
                                           .weight_decay(weight_decay)
                                           .initial_accumulator_value(initial_accumulator_value)
                                           .eps(eps));
              }),
              "params"_a, "lr"_a = 1e-2, "lr_decay"_a = 0.0, "weight_decay"_a = 0.0,
              "initial_accumulator_value"_a = 0.0, "eps"_a = 1e-10);
  bind_optimizer_common(adagrad);
}

}  // namespace tgpy
