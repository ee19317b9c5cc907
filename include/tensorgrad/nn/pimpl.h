#pragma once
/// ModuleHolder<Impl>: the shared handle that user code passes around (tg::nn::Linear holds a
/// std::shared_ptr<LinearImpl>), used with `->`, callable like forward, and empty when made from
/// nullptr. TG_MODULE(Name) declares the holder `Name` of a user module `NameImpl`, as
/// TORCH_MODULE.
#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "tensorgrad/demangle.h"
#include "tensorgrad/error.h"
#include "tensorgrad/nn/arg.h"

namespace tg::nn {

class Module;

namespace detail {
/// Base of every ModuleHolder, to recognise holders in templates.
struct ModuleHolderIndicator {};
template <class T>
inline constexpr bool is_module_holder_v =
    std::is_base_of_v<ModuleHolderIndicator, std::decay_t<T>>;

template <class T, class Contained, class = void>
struct is_module_holder_of : std::false_type {};
template <class T, class Contained>
struct is_module_holder_of<T, Contained, std::void_t<typename std::decay_t<T>::ContainedType>>
    : std::bool_constant<is_module_holder_v<T> &&
                         std::is_same_v<typename std::decay_t<T>::ContainedType, Contained>> {};
template <class T, class Contained>
inline constexpr bool is_module_holder_of_v = is_module_holder_of<T, Contained>::value;
}  // namespace detail

template <class Contained>
class ModuleHolder : detail::ModuleHolderIndicator {
 protected:
  std::shared_ptr<Contained> impl_;

 public:
  using ContainedType = Contained;

  /// Default-constructs the module; a module without a default constructor must be given
  /// arguments or nullptr.
  ModuleHolder() : impl_(default_construct()) {
    static_assert(std::is_default_constructible_v<Contained>,
                  "You are trying to default construct a module which has no default "
                  "constructor. Use = nullptr to give it the empty state (e.g. "
                  "`Linear linear = nullptr;` instead of `Linear linear;`).");
  }
  /// The empty holder; assign a module to it before use.
  ModuleHolder(std::nullptr_t) : impl_(nullptr) {}  // NOLINT: implicit as in libtorch
  /// Constructs the module from the Impl's constructor arguments: Linear(784, 256).
  template <class Head, class... Tail,
            class = std::enable_if_t<!(detail::is_module_holder_of_v<Head, Contained> &&
                                       sizeof...(Tail) == 0)>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Contained>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}
  /// Shares an existing module (what register_module returns).
  ModuleHolder(std::shared_ptr<Contained> module)  // NOLINT: implicit as in libtorch
      : impl_(std::move(module)) {}

  explicit operator bool() const noexcept { return !is_empty(); }
  Contained* operator->() { return get(); }
  const Contained* operator->() const { return get(); }
  Contained& operator*() { return *get(); }
  const Contained& operator*() const { return *get(); }
  const std::shared_ptr<Contained>& ptr() const {
    check_not_empty();
    return impl_;
  }
  Contained* get() {
    check_not_empty();
    return impl_.get();
  }
  const Contained* get() const {
    check_not_empty();
    return impl_.get();
  }
  /// Calls the module's forward.
  template <class... Args, class C = Contained>
  auto operator()(Args&&... args)
      -> decltype(std::declval<C&>().forward(std::forward<Args>(args)...)) {
    return get()->forward(std::forward<Args>(args)...);
  }
  /// Indexes the module (Sequential, ModuleList).
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) {
    return (*get())[std::forward<Arg>(arg)];
  }
  bool is_empty() const noexcept { return impl_ == nullptr; }

 private:
  void check_not_empty() const {
    TG_CHECK(impl_ != nullptr, "ModuleHolder: Accessing empty ModuleHolder of ",
             torch_type_name<Contained>(),
             " (it was made from nullptr); assign it a module first, for example "
             "`fc = register_module(\"fc\", tg::nn::Linear(4, 2));`");
  }
  static std::shared_ptr<Contained> default_construct() {
    if constexpr (std::is_default_constructible_v<Contained>)
      return std::make_shared<Contained>();
    else
      return nullptr;
  }
};

/// Prints the held module as operator<<(ostream, Module) does.
template <class ModuleType>
std::ostream& operator<<(std::ostream& stream, const ModuleHolder<ModuleType>& module) {
  return stream << *module;
}

}  // namespace tg::nn

/// Declares `class Name : public tg::nn::ModuleHolder<NameImpl>` with NameImpl's constructors,
/// as TORCH_MODULE.
#define TG_MODULE_IMPL(Name, ImplType)                                \
  class Name : public ::tg::nn::ModuleHolder<ImplType> { /* NOLINT */ \
   public:                                                            \
    using ::tg::nn::ModuleHolder<ImplType>::ModuleHolder;             \
    using Impl [[maybe_unused]] = ImplType;                           \
  }

#define TG_MODULE(Name) TG_MODULE_IMPL(Name, Name##Impl)

/// Declares one dimension of a per-dimension module family, `Name##Impl : public
/// Base<args..., Name##Impl>` with Base's constructors (as libtorch's Conv2dImpl derives from
/// ConvNdImpl<2, Conv2dImpl>), and its holder `Name`. TG_MODULE_ND(Conv2d, ConvImpl, 2).
#define TG_MODULE_ND(Name, Base, ...)                                    \
  class Name##Impl : public Base<__VA_ARGS__, Name##Impl> { /* NOLINT */ \
   public:                                                               \
    using Base<__VA_ARGS__, Name##Impl>::Base;                           \
  };                                                                     \
  TG_MODULE(Name)
