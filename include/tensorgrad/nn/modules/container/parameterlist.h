#pragma once
/// ParameterList: a list of parameters of a module, named "0", "1", ..., as
/// torch::nn::ParameterList.
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/ordered_dict.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

class ParameterListImpl : public Cloneable<ParameterListImpl> {
 public:
  using Iterator = OrderedDict<std::string, Tensor>::Iterator;
  using ConstIterator = OrderedDict<std::string, Tensor>::ConstIterator;

  ParameterListImpl() = default;
  /// ParameterList(a, b, c): the tensors, each requiring grad as it does.
  template <class... Tensors>
  requires(std::is_convertible_v<Tensors, const Tensor&>&&...) explicit ParameterListImpl(
      Tensors&&... params) {
    parameters_.reserve(sizeof...(Tensors));
    (append(std::forward<Tensors>(params)), ...);
  }

  /// Copies every parameter (same values, new storage).
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  /// "torch::nn::ParameterList(" then "(0): Parameter containing: [Float of size [2, 3]]" for
  /// each parameter, one a line, then ")".
  void pretty_print(std::ostream& stream) const override;

  /// Appends a parameter, requiring grad as the tensor does.
  void append(const Tensor& param);
  /// Appends the tensor of an item of another ParameterList or ParameterDict.
  void append(const OrderedDict<std::string, Tensor>::Item& item) { append(item.value()); }
  /// Appends every tensor (or item) of a container.
  template <class Container>
  void extend(const Container& container) {
    for (const auto& param : container) append(param);
  }
  /// extend(other).
  template <class Container>
  ParameterListImpl& operator+=(const Container& other) {
    extend(other);
    return *this;
  }

  Iterator begin() { return parameters_.begin(); }
  ConstIterator begin() const { return parameters_.begin(); }
  Iterator end() { return parameters_.end(); }
  ConstIterator end() const { return parameters_.end(); }
  /// The parameter at `index`; throws when out of range.
  Tensor& at(size_t index);
  const Tensor& at(size_t index) const;
  Tensor& operator[](size_t index) { return at(index); }
  const Tensor& operator[](size_t index) const { return at(index); }
  size_t size() const noexcept { return parameters_.size(); }
  bool is_empty() const noexcept { return parameters_.is_empty(); }

 private:
  void check_index(size_t index) const;
};
TG_MODULE(ParameterList);

}  // namespace tg::nn
