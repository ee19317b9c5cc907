#pragma once
/// AnyModule: any module whose forward takes one Tensor and returns a Tensor, behind one type, so
/// that Sequential can hold different modules. NamedAnyModule pairs one with a name.
#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

namespace detail {
template <class M>
inline constexpr bool is_module_v = std::is_base_of_v<Module, std::decay_t<M>>;

/// A module type usable in a Sequential: forward(Tensor) returns something a Tensor is made of.
template <class M>
concept TensorToTensorModule = requires(M& m, const Tensor& x) {
  { m.forward(x) } -> std::convertible_to<Tensor>;
};
}  // namespace detail

class AnyModule {
 public:
  /// The empty AnyModule.
  AnyModule() = default;
  /// Holds a module by shared pointer.
  template <class ModuleType>
  explicit AnyModule(std::shared_ptr<ModuleType> module)
      : content_(std::make_shared<Holder<ModuleType>>(std::move(module))) {}
  /// Holds a module given by value (moved into a new shared pointer).
  template <class ModuleType, class = std::enable_if_t<detail::is_module_v<ModuleType>>>
  explicit AnyModule(ModuleType&& module)
      : AnyModule(std::make_shared<std::decay_t<ModuleType>>(std::forward<ModuleType>(module))) {}
  /// Holds the module of a holder (shared with it).
  template <class ModuleType>
  explicit AnyModule(const ModuleHolder<ModuleType>& module_holder)
      : AnyModule(module_holder.ptr()) {}

  /// Calls the module's forward.
  Tensor forward(const Tensor& input) {
    check_not_empty();
    return content_->forward(input);
  }
  /// The module, as a Module.
  std::shared_ptr<Module> ptr() const {
    check_not_empty();
    return content_->module();
  }
  /// The module as a `T` (an Impl type); throws when it is another type.
  template <class T, class = std::enable_if_t<detail::is_module_v<T>>>
  std::shared_ptr<T> ptr() const {
    auto typed = std::dynamic_pointer_cast<T>(ptr());
    TG_CHECK(typed != nullptr, "AnyModule: attempted to cast the module of type ",
             demangle(type_info().name()), " to type ", demangle_type<T>());
    return typed;
  }
  template <class T, class = std::enable_if_t<detail::is_module_v<T>>>
  T& get() {
    return *ptr<T>();
  }
  template <class T, class = std::enable_if_t<detail::is_module_v<T>>>
  const T& get() const {
    return *ptr<T>();
  }
  /// A deep copy of the module (it must be Cloneable).
  AnyModule clone(const std::optional<Device>& device = std::nullopt) const {
    check_not_empty();
    AnyModule copy;
    copy.content_ = content_->clone(device);
    return copy;
  }
  bool is_empty() const noexcept { return content_ == nullptr; }
  /// The type of the module.
  const std::type_info& type_info() const {
    check_not_empty();
    return content_->type_info();
  }

 private:
  struct Placeholder {
    virtual ~Placeholder() = default;
    virtual Tensor forward(const Tensor& input) = 0;
    virtual std::shared_ptr<Module> module() const = 0;
    virtual std::shared_ptr<Placeholder> clone(const std::optional<Device>& device) const = 0;
    virtual const std::type_info& type_info() const = 0;
  };
  template <class ModuleType>
  struct Holder final : Placeholder {
    static_assert(detail::is_module_v<ModuleType>,
                  "AnyModule: the type must derive from tg::nn::Module");
    static_assert(detail::TensorToTensorModule<ModuleType>,
                  "AnyModule / Sequential: the module needs a forward(Tensor) that returns a "
                  "Tensor");
    explicit Holder(std::shared_ptr<ModuleType> m) : module_(std::move(m)) {
      TG_CHECK(module_ != nullptr, "AnyModule: the module is empty (nullptr); construct it first");
    }
    Tensor forward(const Tensor& input) override { return module_->forward(input); }
    std::shared_ptr<Module> module() const override { return module_; }
    std::shared_ptr<Placeholder> clone(const std::optional<Device>& device) const override {
      auto copy = std::dynamic_pointer_cast<ModuleType>(module_->clone(device));
      TG_CHECK(copy != nullptr, "AnyModule: clone() of ", module_->name(),
               " returned a module of another type");
      return std::make_shared<Holder>(std::move(copy));
    }
    const std::type_info& type_info() const override { return typeid(ModuleType); }
    std::shared_ptr<ModuleType> module_;
  };

  void check_not_empty() const {
    TG_CHECK(content_ != nullptr, "AnyModule: the AnyModule is empty; construct it from a module");
  }

  std::shared_ptr<Placeholder> content_;
};

/// A name and a module, for Sequential({{"fc", tg::nn::Linear(4, 2)}, {"act", tg::nn::ReLU()}}).
class NamedAnyModule {
 public:
  template <class ModuleType>
  NamedAnyModule(std::string name, std::shared_ptr<ModuleType> module_ptr)
      : NamedAnyModule(std::move(name), AnyModule(std::move(module_ptr))) {}
  template <class ModuleType, class = std::enable_if_t<detail::is_module_v<ModuleType>>>
  NamedAnyModule(std::string name, ModuleType&& module)
      : NamedAnyModule(std::move(name), AnyModule(std::forward<ModuleType>(module))) {}
  template <class ModuleType>
  NamedAnyModule(std::string name, const ModuleHolder<ModuleType>& module_holder)
      : NamedAnyModule(std::move(name), AnyModule(module_holder)) {}
  NamedAnyModule(std::string name, AnyModule any_module)
      : name_(std::move(name)), module_(std::move(any_module)) {}

  const std::string& name() const noexcept { return name_; }
  AnyModule& module() noexcept { return module_; }
  const AnyModule& module() const noexcept { return module_; }

 private:
  std::string name_;
  AnyModule module_;
};

}  // namespace tg::nn
