#pragma once
/// AnyValue: one value of any copyable type, as torch::nn::AnyValue. AnyModule passes a module's
/// forward() arguments and its result as AnyValues, so that modules with different signatures
/// can sit in one Sequential.
#include <any>
#include <type_traits>
#include <typeinfo>
#include <utility>

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
    static_assert(!std::is_reference_v<T>,
                  "AnyValue::try_get: AnyValue stores decayed types; ask for T, not T&");
    static_assert(!std::is_array_v<T>,
                  "AnyValue::try_get: AnyValue stores decayed types; ask for T*, not T[]");
    return std::any_cast<T>(&value_);
  }
  template <class T>
  const T* try_get() const noexcept {
    static_assert(!std::is_reference_v<T>,
                  "AnyValue::try_get: AnyValue stores decayed types; ask for T, not T&");
    static_assert(!std::is_array_v<T>,
                  "AnyValue::try_get: AnyValue stores decayed types; ask for T*, not T[]");
    return std::any_cast<T>(&value_);
  }

  /// A copy of the value as a `T`; throws when it holds another type.
  template <class T>
  T get() const {
    if (const T* value = try_get<T>()) return *value;
    tg::detail::fail("AnyValue::get: Attempted to cast AnyValue to ", demangle_type<T>(),
                     ", but its actual type is ", demangle(type_info().name()), "; ask for get<",
                     demangle(type_info().name()), ">() or test the type with try_get<T>() first");
  }

  /// The type of the value (typeid(void) for a moved-from AnyValue).
  const std::type_info& type_info() const noexcept { return value_.type(); }

 private:
  std::any value_;
};

}  // namespace tg::nn
