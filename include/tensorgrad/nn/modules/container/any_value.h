#pragma once
/// AnyValue: one value of any copyable type, as torch::nn::AnyValue. AnyModule passes a module's
/// forward() arguments and its result as AnyValues, so that modules with different signatures
/// can sit in one Sequential. FORWARD_HAS_DEFAULT_ARGS, for modules whose forward() has default
/// arguments, is here too, so that a module's header needs no more than this one.
#include <any>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "tensorgrad/demangle.h"
#include "tensorgrad/error.h"

namespace tg::nn {

class AnyValue {
 public:
  /// Stores `value` as its decayed type: a string literal becomes a `const char*`, a `const
  /// std::string&` a `std::string`.
  template <class T, class = std::enable_if_t<!std::is_same_v<std::decay_t<T>, AnyValue>>>
  explicit AnyValue(T&& value)
      : value_(std::in_place_type<std::decay_t<T>>, std::forward<T>(value)) {}
  AnyValue(const AnyValue&) = default;
  AnyValue(AnyValue&&) noexcept = default;
  AnyValue& operator=(const AnyValue&) = default;
  AnyValue& operator=(AnyValue&&) noexcept = default;

  /// A pointer to the value when it is a `T` (exactly that type, after decay), else nullptr.
  template <class T>
  T* try_get() noexcept {
    check_decayed<T>();
    return std::any_cast<T>(&value_);
  }
  template <class T>
  const T* try_get() const noexcept {
    check_decayed<T>();
    return std::any_cast<T>(&value_);
  }

  /// A copy of the value as a `T`; throws when it holds another type.
  template <class T>
  T get() const {
    if (const T* value = try_get<T>()) return *value;
    const std::string actual = torch_type_name(type_info());
    tg::detail::fail("AnyValue::get: Attempted to cast AnyValue to ", torch_type_name<T>(),
                     ", but its actual type is ", actual, "; ask for get<", actual,
                     ">() or test the type with try_get<T>() first");
  }

  /// The type of the value (typeid(void) for a moved-from AnyValue).
  const std::type_info& type_info() const noexcept { return value_.type(); }

 private:
  template <class T>
  static constexpr void check_decayed() {
    static_assert(!std::is_reference_v<T>,
                  "AnyValue::try_get: AnyValue stores decayed types; ask for T, not T&");
    static_assert(!std::is_array_v<T>,
                  "AnyValue::try_get: AnyValue stores decayed types; ask for T*, not T[]");
  }

  std::any value_;
};

namespace detail {
/// Reads the default arguments that a module declares with FORWARD_HAS_DEFAULT_ARGS (the macro
/// makes this class a friend of the module).
struct ForwardDefaults {
  template <class M>
  static constexpr bool declared = requires {
    M::tg_forward_default_args();
  };
  template <class M>
  static std::vector<std::pair<unsigned, AnyValue>> of() {
    if constexpr (declared<M>)
      return M::tg_forward_default_args();
    else
      return {};
  }
};
}  // namespace detail

}  // namespace tg::nn

/// Declares default values for the last arguments of a module's forward(), so that an AnyModule
/// (and a Sequential) may call it with fewer arguments, as libtorch's macro of the same name:
/// FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(2)}, {2, AnyValue(3.0)}) says that argument #1 defaults
/// to 2 and argument #2 to 3.0. Place it in the module's class body.
#define FORWARD_HAS_DEFAULT_ARGS(...)                                                     \
  friend struct ::tg::nn::detail::ForwardDefaults;                                        \
  static std::vector<std::pair<unsigned, ::tg::nn::AnyValue>> tg_forward_default_args() { \
    return {__VA_ARGS__};                                                                 \
  }
