#pragma once
/// TG_ARG(T, name) declares an option field with libtorch's accessor style: `name(value)` sets it
/// and returns the options (for chaining), `name()` reads it.
#include <utility>

#define TG_ARG(T, name)                                           \
 public:                                                          \
  inline auto name(const T& new_##name)->decltype(*this) {        \
    this->name##_ = new_##name;                                   \
    return *this;                                                 \
  }                                                               \
  inline auto name(T&& new_##name)->decltype(*this) {             \
    this->name##_ = std::move(new_##name);                        \
    return *this;                                                 \
  }                                                               \
  inline const T& name() const noexcept { return this->name##_; } \
  inline T& name() noexcept { return this->name##_; }             \
                                                                  \
 private:                                                         \
  T name##_ /* NOLINT */

/// TG_ARG for a base that several options structs share (CRTP): the setters return the derived
/// `Options`, so that chaining keeps its type (`LSTMOptions(4, 8).num_layers(2)` is still an
/// LSTMOptions).
#define TG_SHARED_ARG(Options, T, name)                           \
 public:                                                          \
  inline Options& name(const T& new_##name) {                     \
    this->name##_ = new_##name;                                   \
    return static_cast<Options&>(*this);                          \
  }                                                               \
  inline Options& name(T&& new_##name) {                          \
    this->name##_ = std::move(new_##name);                        \
    return static_cast<Options&>(*this);                          \
  }                                                               \
  inline const T& name() const noexcept { return this->name##_; } \
  inline T& name() noexcept { return this->name##_; }             \
                                                                  \
 private:                                                         \
  T name##_ /* NOLINT */
