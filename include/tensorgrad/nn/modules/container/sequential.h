#pragma once
/// Sequential: a chain of modules, each one's output the next one's input, as
/// torch::nn::Sequential. Submodules are named "0", "1", ... unless given names, so parameters
/// read "0.weight" (and "features.0.weight" inside a parent).
#include <array>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

class SequentialImpl : public Cloneable<SequentialImpl> {
 public:
  using Iterator = std::vector<AnyModule>::iterator;
  using ConstIterator = std::vector<AnyModule>::const_iterator;

  SequentialImpl() = default;
  /// Sequential(Linear(2, 3), ReLU(), ...): holders, shared pointers or Impl values.
  template <class... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    modules_.reserve(sizeof...(Modules));
    (push_back(std::forward<Modules>(modules)), ...);
  }
  /// Named modules, in order.
  explicit SequentialImpl(OrderedDict<std::string, AnyModule>&& ordered_dict);
  explicit SequentialImpl(std::initializer_list<NamedAnyModule> named_modules);

  /// Clones every module (they must all be Cloneable).
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  /// "torch::nn::Sequential"; the modules follow on their own lines.
  void pretty_print(std::ostream& stream) const override;

  /// Runs the modules in order: the first gets `inputs`, each next one the result of the one
  /// before; returns the last result as a ReturnType (a Tensor unless asked otherwise). An error
  /// inside a module is rethrown with its position, its description and what reached it.
  template <class ReturnType = Tensor, class... InputTypes>
  ReturnType forward(InputTypes&&... inputs) {
    std::array<AnyValue, sizeof...(InputTypes)> values{
        AnyValue(std::forward<InputTypes>(inputs))...};
    AnyValue result = run(values);
    if (ReturnType* value = result.try_get<ReturnType>()) return std::move(*value);
    fail_return_type(result, typeid(ReturnType));
  }

  /// Appends a module (holder, shared pointer, Impl value or AnyModule), named by its position
  /// or by `name`.
  template <class ModuleType>
  void push_back(std::shared_ptr<ModuleType> module_ptr) {
    push_back(std::to_string(modules_.size()), std::move(module_ptr));
  }
  template <class ModuleType>
  void push_back(std::string name, std::shared_ptr<ModuleType> module_ptr) {
    push_back(std::move(name), AnyModule(std::move(module_ptr)));
  }
  template <class M, class = std::enable_if_t<detail::is_module_v<M>>>
  void push_back(M&& module) {
    push_back(std::to_string(modules_.size()), std::forward<M>(module));
  }
  template <class M, class = std::enable_if_t<detail::is_module_v<M>>>
  void push_back(std::string name, M&& module) {
    push_back(std::move(name), std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }
  template <class M>
  void push_back(const ModuleHolder<M>& module_holder) {
    push_back(std::to_string(modules_.size()), module_holder);
  }
  template <class M>
  void push_back(std::string name, const ModuleHolder<M>& module_holder) {
    push_back(std::move(name), module_holder.ptr());
  }
  void push_back(AnyModule any_module) {
    push_back(std::to_string(modules_.size()), std::move(any_module));
  }
  void push_back(std::string name, AnyModule any_module);
  /// Appends every module of a container (another Sequential, a vector of holders...).
  template <class Container>
  void extend(const Container& container) {
    for (const auto& module : container) push_back(module);
  }

  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }

  /// The module at `index` as a `T` (an Impl type).
  template <class T>
  T& at(size_t index) {
    static_assert(detail::is_module_v<T>, "Sequential::at: T must be a tg::nn::Module type");
    check_index(index);
    return modules_[index].get<T>();
  }
  template <class T>
  const T& at(size_t index) const {
    static_assert(detail::is_module_v<T>, "Sequential::at: T must be a tg::nn::Module type");
    check_index(index);
    return modules_[index].get<T>();
  }
  std::shared_ptr<Module> ptr(size_t index) const {
    check_index(index);
    return modules_[index].ptr();
  }
  template <class T>
  std::shared_ptr<T> ptr(size_t index) const {
    static_assert(detail::is_module_v<T>, "Sequential::ptr: T must be a tg::nn::Module type");
    check_index(index);
    return modules_[index].ptr<T>();
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }

 private:
  /// Runs the chain on the first module's arguments (moved from).
  AnyValue run(std::span<AnyValue> inputs);
  /// Calls module `index`, adding the context to an error.
  AnyValue call(size_t index, std::span<AnyValue> inputs);
  [[noreturn]] static void fail_return_type(const AnyValue& result, const std::type_info& asked);
  void check_index(size_t index) const;

  std::vector<AnyModule> modules_;
};

/// The holder of SequentialImpl; also constructible from {{"name", module}, ...}.
class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  using Impl = SequentialImpl;
  Sequential() : ModuleHolder() {}
  Sequential(std::initializer_list<NamedAnyModule> named_modules)
      : ModuleHolder(std::make_shared<SequentialImpl>(named_modules)) {}
};

}  // namespace tg::nn
