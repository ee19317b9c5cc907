#pragma once
/// AnyModule: any module behind one type, whatever the signature of its forward(), as
/// torch::nn::AnyModule; Sequential holds its modules as AnyModules. forward() takes the
/// arguments as AnyValues, checks their number and types against the module's forward() and
/// returns the result as an AnyValue (or as the type asked for). NamedAnyModule pairs one with a
/// name.
#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/modules/container/any_value.h"
#include "tensorgrad/nn/pimpl.h"

namespace tg::nn {

class SequentialImpl;

namespace detail {
template <class M>
inline constexpr bool is_module_v = std::is_base_of_v<Module, std::decay_t<M>>;

/// The type-erased part of an AnyModule.
struct AnyModulePlaceholder {
  explicit AnyModulePlaceholder(const std::type_info& type) : type_info(type) {}
  virtual ~AnyModulePlaceholder() = default;
  /// Calls the module's forward() with `arguments` (moved from).
  virtual AnyValue forward(std::span<AnyValue> arguments) = 0;
  virtual std::shared_ptr<Module> ptr() const = 0;
  /// A holder of a deep copy of the module.
  virtual std::shared_ptr<AnyModulePlaceholder> clone_module(
      const std::optional<Device>& device) const = 0;
  const std::type_info& type_info;
};

[[noreturn]] void fail_argument_count(const std::type_info& module, size_t required,
                                      size_t expected, size_t received, bool has_defaults);
[[noreturn]] void fail_argument_type(const std::type_info& module, size_t index,
                                     const std::type_info& expected, const AnyValue& received);
[[noreturn]] void fail_default_arguments(const std::type_info& module, const std::string& problem);

/// Holds a ModuleType whose forward() takes ArgumentTypes.
template <class ModuleType, class... ArgumentTypes>
struct AnyModuleHolder final : AnyModulePlaceholder {
  static constexpr size_t kArity = sizeof...(ArgumentTypes);

  explicit AnyModuleHolder(std::shared_ptr<ModuleType> m)
      : AnyModulePlaceholder(typeid(ModuleType)), module(std::move(m)) {
    TG_CHECK(module != nullptr, "AnyModule: the module is empty (nullptr); construct it first");
    if constexpr (ForwardDefaults::declared<ModuleType>) read_defaults();
  }

  AnyValue forward(std::span<AnyValue> arguments) override {
    if (arguments.size() == kArity)
      return call(arguments, std::index_sequence_for<ArgumentTypes...>{});
    if (defaults.empty() || arguments.size() < required || arguments.size() > kArity)
      fail_argument_count(typeid(ModuleType), required, kArity, arguments.size(),
                          !defaults.empty());
    // Missing trailing arguments take the declared defaults.
    std::vector<AnyValue> full(std::make_move_iterator(arguments.begin()),
                               std::make_move_iterator(arguments.end()));
    for (size_t i = arguments.size(); i < kArity; ++i) full.push_back(*defaults[i]);
    return call(full, std::index_sequence_for<ArgumentTypes...>{});
  }

  std::shared_ptr<Module> ptr() const override { return module; }

  std::shared_ptr<AnyModulePlaceholder> clone_module(
      const std::optional<Device>& device) const override {
    auto copy = std::dynamic_pointer_cast<ModuleType>(module->clone(device));
    TG_CHECK(copy != nullptr, "AnyModule::clone: clone() of ", torch_type_name(type_info),
             " returned a module of another type; its clone() must return a copy of itself");
    return std::make_shared<AnyModuleHolder>(std::move(copy));
  }

  std::shared_ptr<ModuleType> module;
  /// defaults[i]: the default of argument #i, or empty when it has none; empty without the macro.
  std::vector<std::optional<AnyValue>> defaults;
  size_t required = kArity;

 private:
  template <size_t... I>
  AnyValue call(std::span<AnyValue> arguments, std::index_sequence<I...>) {
    // All checked first, left to right, so that the first wrong argument is the one reported.
    (check<ArgumentTypes>(arguments[I], I), ...);
    return AnyValue(module->forward(
        std::move(*arguments[I].template try_get<std::decay_t<ArgumentTypes>>())...));
  }
  template <class Argument>
  void check(const AnyValue& value, size_t index) const {
    if (value.template try_get<std::decay_t<Argument>>() == nullptr)
      fail_argument_type(typeid(ModuleType), index, typeid(std::decay_t<Argument>), value);
  }
  void read_defaults() {
    defaults.resize(kArity);
    for (auto& [index, value] : ForwardDefaults::of<ModuleType>()) {
      if (index >= kArity)
        fail_default_arguments(typeid(ModuleType),
                               str("argument #", index, " has a default, but forward() takes ",
                                   kArity, " argument(s)"));
      if (defaults[index].has_value())
        fail_default_arguments(typeid(ModuleType), str("argument #", index, " has two defaults"));
      defaults[index].emplace(std::move(value));
      required = std::min<size_t>(required, index);
    }
    for (size_t i = required; i < kArity; ++i)
      if (!defaults[i].has_value())
        fail_default_arguments(
            typeid(ModuleType),
            str("argument #", i, " has no default, but argument #", required,
                " before it has one; defaults must cover the last arguments of forward()"));
    if (required == kArity) defaults.clear();
  }
};

template <class ModuleType>
concept HasOneForward = requires {
  &ModuleType::forward;
};
template <class ModuleType>
concept TensorForward = requires(ModuleType& m, const Tensor& x) {
  { m.forward(x) } -> std::convertible_to<Tensor>;
};

template <class ModuleType, class ReturnType, class... ArgumentTypes>
std::shared_ptr<AnyModulePlaceholder> make_any_module_holder_of(
    std::shared_ptr<ModuleType> module) {
  static_assert(!std::is_void_v<ReturnType>,
                "AnyModule: the module's forward() returns void; return a value (a dummy one "
                "will do)");
  static_assert(((!std::is_lvalue_reference_v<ArgumentTypes> ||
                  std::is_const_v<std::remove_reference_t<ArgumentTypes>>)&&...),
                "AnyModule: the module's forward() takes an argument by non-const reference; "
                "AnyModule passes copies, so changes would be lost: take a pointer instead");
  return std::make_shared<AnyModuleHolder<ModuleType, ArgumentTypes...>>(std::move(module));
}
template <class ModuleType, class Class, class ReturnType, class... ArgumentTypes>
std::shared_ptr<AnyModulePlaceholder> make_any_module_holder(
    std::shared_ptr<ModuleType> module, ReturnType (Class::*)(ArgumentTypes...)) {
  return make_any_module_holder_of<ModuleType, ReturnType, ArgumentTypes...>(std::move(module));
}
template <class ModuleType, class Class, class ReturnType, class... ArgumentTypes>
std::shared_ptr<AnyModulePlaceholder> make_any_module_holder(std::shared_ptr<ModuleType> module,
                                                             ReturnType (Class::*)(ArgumentTypes...)
                                                                 const) {
  return make_any_module_holder_of<ModuleType, ReturnType, ArgumentTypes...>(std::move(module));
}

/// The holder for `module`: the signature of its forward(), or Tensor(const Tensor&) for a module
/// whose forward() is a template that takes and returns a Tensor (such as a Sequential).
template <class ModuleType>
std::shared_ptr<AnyModulePlaceholder> make_any_module_holder(std::shared_ptr<ModuleType> module) {
  static_assert(is_module_v<ModuleType>, "AnyModule: the type must derive from tg::nn::Module");
  if constexpr (HasOneForward<ModuleType>) {
    return make_any_module_holder(std::move(module), &ModuleType::forward);
  } else {
    static_assert(TensorForward<ModuleType>,
                  "AnyModule / Sequential: the module needs one forward() method that is not a "
                  "template and not overloaded, or a forward(Tensor) that returns a Tensor");
    return std::make_shared<AnyModuleHolder<ModuleType, const Tensor&>>(std::move(module));
  }
}
}  // namespace detail

class AnyModule {
 public:
  /// The empty AnyModule.
  AnyModule() = default;
  /// Holds a module by shared pointer.
  template <class ModuleType>
  explicit AnyModule(std::shared_ptr<ModuleType> module)
      : content_(detail::make_any_module_holder(std::move(module))) {}
  /// Holds a module given by value (moved or copied into a new shared pointer).
  template <class ModuleType, class = std::enable_if_t<detail::is_module_v<ModuleType>>>
  explicit AnyModule(ModuleType&& module)
      : AnyModule(std::make_shared<std::decay_t<ModuleType>>(std::forward<ModuleType>(module))) {}
  /// Holds the module of a holder (shared with it).
  template <class ModuleType>
  explicit AnyModule(const ModuleHolder<ModuleType>& module_holder)
      : AnyModule(module_holder.ptr()) {}
  /// Copies share the module; clone() copies it.
  AnyModule(const AnyModule&) = default;
  AnyModule(AnyModule&&) noexcept = default;
  AnyModule& operator=(const AnyModule&) = default;
  AnyModule& operator=(AnyModule&&) noexcept = default;
  /// Holds another module: any = std::make_shared<M>().
  template <class ModuleType>
  AnyModule& operator=(std::shared_ptr<ModuleType> module) {
    return *this = AnyModule(std::move(module));
  }

  /// Calls the module's forward() with `arguments` and returns its result as an AnyValue. An
  /// argument must have exactly the (decayed) type of the parameter it goes to; missing trailing
  /// arguments take the defaults declared with FORWARD_HAS_DEFAULT_ARGS.
  template <class... ArgumentTypes>
  AnyValue any_forward(ArgumentTypes&&... arguments) {
    check_not_empty("forward");
    std::array<AnyValue, sizeof...(ArgumentTypes)> values{
        AnyValue(std::forward<ArgumentTypes>(arguments))...};
    return content_->forward(values);
  }
  /// As any_forward(), with the result as a ReturnType; throws when it is of another type.
  template <class ReturnType = Tensor, class... ArgumentTypes>
  ReturnType forward(ArgumentTypes&&... arguments) {
    AnyValue result = any_forward(std::forward<ArgumentTypes>(arguments)...);
    if (ReturnType* value = result.try_get<ReturnType>()) return std::move(*value);
    return result.get<ReturnType>();  // throws, naming both types
  }

  /// The module as a `T` (its Impl type or a base of it); throws when it is another type.
  template <class T, class = std::enable_if_t<detail::is_module_v<T>>>
  T& get() {
    check_not_empty("get");
    return *cast<T>();
  }
  template <class T, class = std::enable_if_t<detail::is_module_v<T>>>
  const T& get() const {
    check_not_empty("get");
    return *cast<T>();
  }
  /// The module in a holder: get<tg::nn::Linear>().
  template <class T, class ContainedType = typename T::ContainedType>
  T get() const {
    return T(ptr<ContainedType>());
  }
  /// The module, as a Module.
  std::shared_ptr<Module> ptr() const {
    check_not_empty("ptr");
    return content_->ptr();
  }
  /// The module as a `T`; throws when it is another type.
  template <class T, class = std::enable_if_t<detail::is_module_v<T>>>
  std::shared_ptr<T> ptr() const {
    check_not_empty("ptr");
    return cast<T>();
  }
  /// A deep copy of the module (it must be Cloneable); empty when this is empty.
  AnyModule clone(const std::optional<Device>& device = std::nullopt) const {
    AnyModule copy;
    if (content_ != nullptr) copy.content_ = content_->clone_module(device);
    return copy;
  }
  bool is_empty() const noexcept { return content_ == nullptr; }
  /// The type of the module.
  const std::type_info& type_info() const {
    check_not_empty("type_info");
    return content_->type_info;
  }

 private:
  friend class SequentialImpl;

  /// Calls forward() with arguments already made AnyValues (moved from).
  AnyValue forward_values(std::span<AnyValue> arguments) {
    check_not_empty("forward");
    return content_->forward(arguments);
  }
  template <class T>
  std::shared_ptr<T> cast() const {
    auto typed = std::dynamic_pointer_cast<T>(content_->ptr());
    if (typed == nullptr) fail_cast(typeid(T));
    return typed;
  }
  void check_not_empty(const char* method) const;
  [[noreturn]] void fail_cast(const std::type_info& target) const;

  std::shared_ptr<detail::AnyModulePlaceholder> content_;
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
