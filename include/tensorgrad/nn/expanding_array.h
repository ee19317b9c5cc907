#pragma once
/// ExpandingArray<D>: D values that can be given as one value (repeated D times) or as exactly D
/// values, as torch::ExpandingArray. Options classes use it for kernel sizes, strides and
/// paddings, so `Conv2dOptions(1, 32, 3)` and `Conv2dOptions(1, 32, {3, 5})` both work.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <vector>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/error.h"

namespace tg {

/// D values of type T, built from one value or from exactly D values.
template <size_t D, typename T = int64_t>
class ExpandingArray {
 public:
  /// From exactly D values; throws tg::Error for any other count.
  ExpandingArray(std::initializer_list<T> list)  // NOLINT: implicit as in libtorch
      : ExpandingArray(ArrayRef<T>(list)) {}
  ExpandingArray(std::vector<T> vec) : ExpandingArray(ArrayRef<T>(vec)) {}  // NOLINT
  ExpandingArray(ArrayRef<T> values) {                                      // NOLINT
    TG_CHECK(values.size() == D, "ExpandingArray: Expected ", D, " values, but instead got ",
             values.size(), "; pass one value (used for every dimension) or exactly ", D);
    std::copy(values.begin(), values.end(), values_.begin());
  }
  /// One value, used for all D entries.
  ExpandingArray(T single_size) { values_.fill(single_size); }         // NOLINT
  ExpandingArray(const std::array<T, D>& values) : values_(values) {}  // NOLINT

  std::array<T, D>& operator*() { return values_; }
  const std::array<T, D>& operator*() const { return values_; }
  std::array<T, D>* operator->() { return &values_; }
  const std::array<T, D>* operator->() const { return &values_; }
  /// A view of the D values (for the tensor-level functions that take IntArrayRef).
  operator ArrayRef<T>() const { return ArrayRef<T>(values_.data(), D); }  // NOLINT
  size_t size() const noexcept { return D; }

 protected:
  std::array<T, D> values_;
};

/// Prints the one value when D is 1, else "[a, b]".
template <size_t D, typename T>
std::ostream& operator<<(std::ostream& out, const ExpandingArray<D, T>& a) {
  if (D == 1) return out << a->at(0);
  out << "[";
  for (size_t i = 0; i < D; ++i) out << (i ? ", " : "") << a->at(i);
  return out << "]";
}

/// An ExpandingArray whose entries may be empty (std::nullopt), as
/// torch::ExpandingArrayWithOptionalElem: adaptive pooling reads an empty entry as "keep the
/// input's size in that dimension".
template <size_t D, typename T = int64_t>
class ExpandingArrayWithOptionalElem : public ExpandingArray<D, std::optional<T>> {
 public:
  using ExpandingArray<D, std::optional<T>>::ExpandingArray;
  ExpandingArrayWithOptionalElem(std::initializer_list<T> list)  // NOLINT
      : ExpandingArrayWithOptionalElem(ArrayRef<T>(list)) {}
  ExpandingArrayWithOptionalElem(std::vector<T> vec)  // NOLINT
      : ExpandingArrayWithOptionalElem(ArrayRef<T>(vec)) {}
  ExpandingArrayWithOptionalElem(ArrayRef<T> values)  // NOLINT
      : ExpandingArray<D, std::optional<T>>(std::optional<T>()) {
    TG_CHECK(values.size() == D, "ExpandingArray: Expected ", D, " values, but instead got ",
             values.size(), "; pass one value (used for every dimension) or exactly ", D);
    for (size_t i = 0; i < D; ++i) this->values_[i] = values[i];
  }
  ExpandingArrayWithOptionalElem(T single_size)  // NOLINT
      : ExpandingArray<D, std::optional<T>>(std::optional<T>(single_size)) {}
  ExpandingArrayWithOptionalElem(const std::array<T, D>& values)  // NOLINT
      : ExpandingArray<D, std::optional<T>>(std::optional<T>()) {
    for (size_t i = 0; i < D; ++i) this->values_[i] = values[i];
  }
};

/// Prints "None" for an empty entry.
template <size_t D, typename T>
std::ostream& operator<<(std::ostream& out, const ExpandingArrayWithOptionalElem<D, T>& a) {
  auto one = [&](const std::optional<T>& v) -> std::ostream& {
    return v ? (out << *v) : (out << "None");
  };
  if (D == 1) return one(a->at(0));
  out << "[";
  for (size_t i = 0; i < D; ++i) {
    if (i) out << ", ";
    one(a->at(i));
  }
  return out << "]";
}

}  // namespace tg
