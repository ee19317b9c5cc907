#pragma once
/// What the module headers share, as torch/nn/modules/common.h: Module and Cloneable, the holders
/// (TG_MODULE), and the bases of the modules whose only state is their options.
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "tensorgrad/demangle.h"
#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn::detail {

/// The base of a module whose only state is its options (most activations, losses, pooling and
/// padding modules): it holds them, is made from them (or from default options, where the
/// options have defaults) and has nothing to create on reset(). The module itself declares its
/// pretty_print and forward.
template <class Derived, class Options>
class OptionsOnlyImpl : public Cloneable<Derived> {
 public:
  OptionsOnlyImpl() requires std::is_default_constructible_v<Options> : options() {}
  explicit OptionsOnlyImpl(Options options_) : options(std::move(options_)) {}
  void reset() override {}

  Options options;
};

/// A module type's name without its "Impl" ("torch::nn::LSTMImpl" -> "torch::nn::LSTM"): the
/// name of its holder, which several modules print.
inline std::string holder_name(std::string type_name) {
  if (type_name.size() > 4 && type_name.ends_with("Impl")) type_name.resize(type_name.size() - 4);
  return type_name;
}

/// A module that is its functional form applied with its options, as most activations and
/// losses are: forward(inputs...) returns Function(inputs..., options). Inputs are forward's
/// parameters as libtorch declares them (Tensor where the function may work in place). It
/// prints as its holder with empty parentheses ("torch::nn::L1Loss()") unless the module
/// overrides pretty_print to show its options.
template <class Derived, class Options, auto Function, class... Inputs>
class FunctionalImpl : public OptionsOnlyImpl<Derived, Options> {
 public:
  using OptionsOnlyImpl<Derived, Options>::OptionsOnlyImpl;
  void pretty_print(std::ostream& stream) const override {
    stream << holder_name(torch_type_name<Derived>()) << "()";
  }
  Tensor forward(Inputs... inputs) { return Function(std::move(inputs)..., this->options); }
};

/// A module without options that applies one function to its input (Tanh, Sigmoid...). It
/// prints as its holder with empty parentheses: "torch::nn::Tanh()".
template <class Derived, Tensor (*Function)(const Tensor&)>
class ElementwiseImpl : public Cloneable<Derived> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& stream) const override {
    stream << holder_name(torch_type_name<Derived>()) << "()";
  }
  Tensor forward(const Tensor& input) { return Function(input); }
};

}  // namespace tg::nn::detail
