#pragma once
/// ModuleList: an indexable list of modules of any types, as torch::nn::ModuleList. It has no
/// forward; the owner iterates it. Submodules are named "0", "1", ...
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

class ModuleListImpl : public Cloneable<ModuleListImpl> {
 public:
  using Iterator = std::vector<std::shared_ptr<Module>>::iterator;
  using ConstIterator = std::vector<std::shared_ptr<Module>>::const_iterator;

  ModuleListImpl() = default;
  /// ModuleList(Linear(2, 3), ReLU(), ...).
  template <class... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    modules_.reserve(sizeof...(Modules));
    (push_back(std::forward<Modules>(modules)), ...);
  }

  /// Clones every module (they must all be Cloneable).
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  /// "torch::nn::ModuleList"; the modules follow on their own lines.
  void pretty_print(std::ostream& stream) const override;

  /// Appends a module (holder, shared pointer or Impl value).
  void push_back(std::shared_ptr<Module> module);
  template <class M, class = std::enable_if_t<detail::is_module_v<M>>>
  void push_back(M&& module) {
    push_back(std::static_pointer_cast<Module>(
        std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }
  template <class M>
  void push_back(const ModuleHolder<M>& module_holder) {
    push_back(std::static_pointer_cast<Module>(module_holder.ptr()));
  }
  template <class M>
  void push_back(std::shared_ptr<M> module) {
    push_back(std::static_pointer_cast<Module>(std::move(module)));
  }
  /// Appends every module of a container.
  template <class Container>
  void extend(const Container& container) {
    for (const auto& module : container) push_back(module);
  }
  /// Inserts before position `index` (0..size()); later modules are renamed one up.
  void insert(size_t index, std::shared_ptr<Module> module);
  template <class M>
  void insert(size_t index, const ModuleHolder<M>& module_holder) {
    insert(index, std::static_pointer_cast<Module>(module_holder.ptr()));
  }
  template <class M, class = std::enable_if_t<detail::is_module_v<M>>>
  void insert(size_t index, M&& module) {
    insert(index, std::static_pointer_cast<Module>(
                      std::make_shared<std::decay_t<M>>(std::forward<M>(module))));
  }

  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }

  /// The module at `index` as a `T` (an Impl type); throws when it is another type.
  template <class T>
  T& at(size_t index) {
    return *ptr<T>(index);
  }
  template <class T>
  const T& at(size_t index) const {
    return *ptr<T>(index);
  }
  std::shared_ptr<Module> ptr(size_t index) const {
    check_index(index);
    return modules_[index];
  }
  template <class T>
  std::shared_ptr<T> ptr(size_t index) const {
    static_assert(detail::is_module_v<T>, "ModuleList::ptr: T must be a tg::nn::Module type");
    auto typed = std::dynamic_pointer_cast<T>(ptr(index));
    TG_CHECK(typed != nullptr, "ModuleList: the module at index ", index, " is a ",
             modules_[index]->name(), ", not a ", torch_type_name<T>());
    return typed;
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }

 private:
  void check_index(size_t index) const;

  std::vector<std::shared_ptr<Module>> modules_;
};
TG_MODULE(ModuleList);

}  // namespace tg::nn
