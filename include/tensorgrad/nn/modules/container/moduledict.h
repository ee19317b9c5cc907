#pragma once
/// ModuleDict: modules of any types under names, in insertion order, as torch::nn::ModuleDict.
/// Its modules are its submodules (their parameters read "name.weight"); it has no forward.
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/modules/container/dict_base.h"
#include "tensorgrad/nn/ordered_dict.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

class ModuleDictImpl : public detail::DictImplBase<ModuleDictImpl, std::shared_ptr<Module>> {
 public:
  ModuleDictImpl() = default;
  /// ModuleDict({{"fc", Linear(3, 4).ptr()}, ...}), in that order.
  explicit ModuleDictImpl(
      const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  explicit ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules);

  /// Clones every module (they must all be Cloneable).
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  /// "torch::nn::ModuleDict"; the modules follow on their own lines.
  void pretty_print(std::ostream& stream) const override;

  /// The (name, module) pairs, names and modules, in order.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> items() const;
  std::vector<std::string> keys() const;
  std::vector<std::shared_ptr<Module>> values() const;

  /// The module under `key`; throws when there is none.
  std::shared_ptr<Module> operator[](const std::string& key) const { return children_[key]; }
  /// The module under `key` as a `T` (an Impl type); throws when it is another type.
  template <class T>
  T& at(const std::string& key) {
    static_assert(detail::is_module_v<T>, "ModuleDict::at: T must be a tg::nn::Module type");
    return *typed<T>(key);
  }
  template <class T>
  const T& at(const std::string& key) const {
    static_assert(detail::is_module_v<T>, "ModuleDict::at: T must be a tg::nn::Module type");
    return *typed<T>(key);
  }

  /// Inserts a module under `key`, replacing the one there (which keeps its position).
  void insert(const std::string& key, std::shared_ptr<Module> module);
  /// Removes the module under `key` and returns it; throws when there is none.
  std::shared_ptr<Module> pop(const std::string& key);
  /// Removes every module.
  void clear();
  /// Inserts every (name, module) pair, replacing modules under names already present.
  void update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  /// The same from anything whose items have key() and value(): an OrderedDict, a ModuleDict.
  template <class Container>
  void update(const Container& container) {
    for (const auto& item : container) insert(item.key(), item.value());
  }

 private:
  template <class T>
  T* typed(const std::string& key) const {
    T* module = children_[key]->template as<T>();
    if (module == nullptr) fail_type(key, torch_type_name<T>());
    return module;
  }
  [[noreturn]] void fail_type(const std::string& key, const std::string& type) const;
};
TG_MODULE(ModuleDict);

}  // namespace tg::nn
