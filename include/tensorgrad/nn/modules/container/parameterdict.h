#pragma once
/// ParameterDict: named parameters of a module, in insertion order, as torch::nn::ParameterDict.
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/dict_base.h"
#include "tensorgrad/nn/ordered_dict.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

class ParameterDictImpl : public detail::DictImplBase<ParameterDictImpl, Tensor> {
 public:
  ParameterDictImpl() = default;
  /// The parameters of `params`, in order, each requiring grad as its tensor does.
  explicit ParameterDictImpl(const OrderedDict<std::string, Tensor>& params);

  /// Copies every parameter (same values, new storage).
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  /// "torch::nn::ParameterDict(" then "(name): Parameter containing: [Float of size [2, 3]]"
  /// for each parameter, one a line, then ")".
  void pretty_print(std::ostream& stream) const override;

  /// Registers `param` under `key` (a new name), requiring grad as it does; returns the stored
  /// tensor.
  Tensor& insert(std::string key, Tensor param);
  /// Removes the parameter under `key` and returns it; throws when there is none.
  Tensor pop(const std::string& key);
  std::vector<std::string> keys() const { return parameters_.keys(); }
  std::vector<Tensor> values() const { return parameters_.values(); }
  void clear() { parameters_.clear(); }
  /// Sets the parameters under the keys of `container` (an OrderedDict or a ParameterDict) to its
  /// tensors. Every key must be here already (nothing changes otherwise), as in libtorch.
  template <class Container>
  void update(const Container& container) {
    for (const auto& item : container) check_update_key(item.key());
    for (const auto& item : container) parameters_[item.key()] = item.value();
  }
  /// The parameter under `key`; throws when there is none.
  Tensor& get(const std::string& key) { return parameters_[key]; }
  const Tensor& get(const std::string& key) const { return parameters_[key]; }
  Tensor& operator[](const std::string& key) { return parameters_[key]; }
  const Tensor& operator[](const std::string& key) const { return parameters_[key]; }

 private:
  void check_update_key(const std::string& key) const;
};
TG_MODULE(ParameterDict);

}  // namespace tg::nn
