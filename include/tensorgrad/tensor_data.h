#pragma once
/// The argument of tg::tensor: a number, a braced list nested to any depth, or a std::vector /
/// ArrayRef of numbers, as libtorch's torch::detail::TensorDataContainer.
///
///   tg::tensor(3.5)                    0-d, the default dtype
///   tg::tensor({{1, 2}, {3, 4}})       2x2, Long
///   tg::tensor({true, false})          Bool
///   tg::tensor(std::vector<float>{})   shape {0}, the default dtype
///
/// Every number of a list must be written with one C++ type (1 and 2.0 together are refused, as
/// libtorch refuses them), and the sub-lists of a list must have one shape.
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <type_traits>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::detail {

/// A number, a list of containers (all of one shape and literal type) or a 1-d run of numbers
/// from a std::vector or ArrayRef.
class TensorDataContainer {
 public:
  enum class Kind : int8_t { Scalar, InitList, Tensor };

  /// `{}`: an empty list, of shape {0} and the default dtype.
  TensorDataContainer();
  TensorDataContainer(bool v) : TensorDataContainer(Scalar(v), kBool) {}      // NOLINT
  TensorDataContainer(uint8_t v) : TensorDataContainer(Scalar(v), kByte) {}   // NOLINT
  TensorDataContainer(int8_t v) : TensorDataContainer(Scalar(v), kChar) {}    // NOLINT
  TensorDataContainer(int16_t v) : TensorDataContainer(Scalar(v), kShort) {}  // NOLINT
  TensorDataContainer(int v) : TensorDataContainer(Scalar(v), kInt) {}        // NOLINT
  TensorDataContainer(long v) : TensorDataContainer(Scalar(v), kLong) {}      // NOLINT
  TensorDataContainer(long long v)                                            // NOLINT
      : TensorDataContainer(Scalar(static_cast<int64_t>(v)), kLong) {}
  TensorDataContainer(Half v) : TensorDataContainer(Scalar(v), kHalf) {}          // NOLINT
  TensorDataContainer(BFloat16 v) : TensorDataContainer(Scalar(v), kBFloat16) {}  // NOLINT
  TensorDataContainer(float v) : TensorDataContainer(Scalar(v), kFloat) {}        // NOLINT
  TensorDataContainer(double v) : TensorDataContainer(Scalar(v), kDouble) {}      // NOLINT
  /// A braced list: its elements must have one shape and one literal type.
  TensorDataContainer(std::initializer_list<TensorDataContainer> list);  // NOLINT
  /// A 1-d run of numbers.
  TensorDataContainer(ArrayRef<bool> values);            // NOLINT
  TensorDataContainer(ArrayRef<uint8_t> values);         // NOLINT
  TensorDataContainer(ArrayRef<int8_t> values);          // NOLINT
  TensorDataContainer(ArrayRef<int16_t> values);         // NOLINT
  TensorDataContainer(ArrayRef<int> values);             // NOLINT
  TensorDataContainer(ArrayRef<int64_t> values);         // NOLINT
  TensorDataContainer(ArrayRef<Half> values);            // NOLINT
  TensorDataContainer(ArrayRef<BFloat16> values);        // NOLINT
  TensorDataContainer(ArrayRef<float> values);           // NOLINT
  TensorDataContainer(ArrayRef<double> values);          // NOLINT
  TensorDataContainer(const std::vector<bool>& values);  // NOLINT
  /// A std::vector of any of those element types, as its ArrayRef (std::vector<bool>, which packs
  /// its bits, takes the non-template constructor above).
  template <class T, class = std::enable_if_t<detail::has_scalar_type_v<T>>>
  TensorDataContainer(const std::vector<T>& values)  // NOLINT
      : TensorDataContainer(ArrayRef<T>(values)) {}

  Kind kind() const { return kind_; }
  bool is_scalar() const { return kind_ == Kind::Scalar; }
  bool is_init_list() const { return kind_ == Kind::InitList; }
  bool is_tensor() const { return kind_ == Kind::Tensor; }
  /// The number; throws unless is_scalar().
  const Scalar& scalar() const;
  /// The elements of the list; throws unless is_init_list().
  const std::vector<TensorDataContainer>& init_list() const;
  /// The 1-d run of numbers, in the dtype of their C++ type;
  /// throws unless is_tensor().
  const Tensor& tensor() const;
  /// The shape of the tensor it makes: {} for a number, {n, sizes of an element} for a list.
  IntArrayRef sizes() const { return sizes_; }
  /// The dtype of the C++ type its numbers were written with (kInt for int literals).
  ScalarType scalar_type() const { return literal_; }

  /// The tensor it describes: with options' dtype when given, otherwise as libtorch: int and
  /// int64_t numbers give Long, float and double the default dtype, the other C++ types their
  /// own dtype (bool: Bool, uint8_t: Byte, Half: Half...). Ignores options.requires_grad().
  Tensor convert_to_tensor(const TensorOptions& options) const;
  /// Writes it as it was written: "{{1, 2}, {3, 4}}", "1.5".
  void pretty_print_recursive(std::ostream& out) const;

 private:
  TensorDataContainer(Scalar v, ScalarType literal)
      : literal_(literal), kind_(Kind::Scalar), scalar_(v) {}
  TensorDataContainer(Tensor values, ScalarType literal);
  /// Writes the numbers into the contiguous `out` from element `at` on; returns the next index.
  int64_t fill(const Tensor& out, int64_t at) const;

  DimVector sizes_;
  ScalarType literal_;  // the C++ type its numbers were written with
  Kind kind_;
  Scalar scalar_;
  std::vector<TensorDataContainer> list_;
  Tensor values_;
};

std::ostream& operator<<(std::ostream& out, const TensorDataContainer& data);

}  // namespace tg::detail
