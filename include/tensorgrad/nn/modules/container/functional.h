#pragma once
/// Functional: a module that wraps a function, so that tg::relu or a lambda can sit in a
/// Sequential, as torch::nn::Functional.
#include <functional>
#include <ostream>
#include <type_traits>
#include <utility>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

class FunctionalImpl : public Cloneable<FunctionalImpl> {
 public:
  using Function = std::function<Tensor(Tensor)>;

  /// Wraps `function` (called with the input).
  explicit FunctionalImpl(Function function);
  /// Wraps `function` with extra arguments bound after the input:
  /// Functional(tg::leaky_relu, 0.2) calls tg::leaky_relu(input, 0.2).
  template <class SomeFunction, class... Args, class = std::enable_if_t<(sizeof...(Args) > 0)>>
  explicit FunctionalImpl(SomeFunction original_function, Args&&... args)
      : function_([f = std::move(original_function), ... bound = std::forward<Args>(args)](
                      Tensor input) -> Tensor { return f(std::move(input), bound...); }) {}

  void reset() override {}
  /// "torch::nn::Functional()".
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);
  Tensor operator()(Tensor input) { return forward(std::move(input)); }
  bool is_serializable() const override { return false; }

 private:
  Function function_;
};
TG_MODULE(Functional);

}  // namespace tg::nn
