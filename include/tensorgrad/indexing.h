#pragma once
/// Python-style indexing, as libtorch's torch::indexing: the index objects of
/// `x.index({Slice(1, None), None, "...", 0, true, mask})` and `x.index_put_({...}, value)`.
///
///   Python            C++
///   x[None]           x.index({None})
///   x[...]            x.index({"..."}) or x.index({Ellipsis})
///   x[1:3:2]          x.index({Slice(1, 3, 2)})
///   x[:, 0]           x.index({Slice(), 0})
///   x[mask]           x.index({mask})            (a Bool tensor)
///   x[idx] = v        x.index_put_({idx}, v)
///
/// Integers and slices give views of x; tensors and booleans give copies (advanced indexing,
/// NumPy's rules: index tensors broadcast together, and their dimensions go where the first one
/// was when they are adjacent, else to the front).
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <limits>
#include <optional>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::indexing {

/// The bounds an open-ended Slice stands for.
constexpr int64_t INDEX_MAX = std::numeric_limits<int64_t>::max();
constexpr int64_t INDEX_MIN = std::numeric_limits<int64_t>::min();

enum class TensorIndexType { None, Ellipsis, Integer, Boolean, Slice, Tensor };

/// A new dimension of size 1 (Python's None).
constexpr std::nullopt_t None = std::nullopt;

/// As many `:` as the dimensions not otherwise indexed (Python's ...).
struct EllipsisIndexType final {
  EllipsisIndexType() = default;
};
inline constexpr EllipsisIndexType Ellipsis{};

/// start:stop:step; None for a bound means the start (or the end) in the step's direction.
class Slice final {
 public:
  Slice(std::optional<int64_t> start_index = std::nullopt,
        std::optional<int64_t> stop_index = std::nullopt,
        std::optional<int64_t> step_index = std::nullopt);
  int64_t start() const { return start_; }
  int64_t stop() const { return stop_; }
  int64_t step() const { return step_; }

 private:
  int64_t start_, stop_, step_;
};
/// "start:stop:step".
std::ostream& operator<<(std::ostream& out, const Slice& slice);

/// One entry of an index list: None, an ellipsis ("..." or Ellipsis), an integer, a bool, a
/// Slice or a tensor (Long indices, or a Bool mask).
class TensorIndex final {
 public:
  TensorIndex(std::nullopt_t) : type_(TensorIndexType::None) {}         // NOLINT
  TensorIndex(EllipsisIndexType) : type_(TensorIndexType::Ellipsis) {}  // NOLINT
  /// Only "..." is accepted.
  TensorIndex(const char* str);                                                         // NOLINT
  TensorIndex(int64_t integer) : integer_(integer), type_(TensorIndexType::Integer) {}  // NOLINT
  TensorIndex(int integer) : TensorIndex(static_cast<int64_t>(integer)) {}              // NOLINT
  /// A template so that integers and pointers do not convert to it.
  template <class T, class = std::enable_if_t<std::is_same_v<T, bool>>>
  TensorIndex(T boolean) : boolean_(boolean), type_(TensorIndexType::Boolean) {}  // NOLINT
  TensorIndex(Slice slice) : slice_(slice), type_(TensorIndexType::Slice) {}      // NOLINT
  TensorIndex(Tensor tensor)                                                      // NOLINT
      : tensor_(std::move(tensor)), type_(TensorIndexType::Tensor) {}

  TensorIndexType type() const { return type_; }
  bool is_none() const { return type_ == TensorIndexType::None; }
  bool is_ellipsis() const { return type_ == TensorIndexType::Ellipsis; }
  bool is_integer() const { return type_ == TensorIndexType::Integer; }
  int64_t integer() const { return integer_; }
  bool is_boolean() const { return type_ == TensorIndexType::Boolean; }
  bool boolean() const { return boolean_; }
  bool is_slice() const { return type_ == TensorIndexType::Slice; }
  const Slice& slice() const { return slice_; }
  bool is_tensor() const { return type_ == TensorIndexType::Tensor; }
  const Tensor& tensor() const { return tensor_; }

 private:
  int64_t integer_ = 0;
  bool boolean_ = false;
  Slice slice_;
  Tensor tensor_;
  TensorIndexType type_;
};
/// "None", "...", "3", "true", "1:4:1", or the tensor.
std::ostream& operator<<(std::ostream& out, const TensorIndex& index);
/// "(None, ..., 0)".
std::ostream& operator<<(std::ostream& out, const std::vector<TensorIndex>& indices);

}  // namespace tg::indexing

namespace tg {

/// Advanced indexing, libtorch's at::index: one entry per dimension from the first (an entry
/// left empty keeps its dimension whole); a Bool entry is a mask over as many dimensions as it
/// has. Long index tensors broadcast together. Differentiable in self.
Tensor index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices);
/// self with the elements index(self, indices) selects replaced by values (or increased by them
/// with accumulate, repeated indices adding up), values broadcast to that selection's shape.
/// Differentiable in self and values.
Tensor index_put(const Tensor& self, const std::vector<std::optional<Tensor>>& indices,
                 const Tensor& values, bool accumulate = false);
/// index_put written into self.
Tensor& index_put_(Tensor& self, const std::vector<std::optional<Tensor>>& indices,
                   const Tensor& values, bool accumulate = false);
/// The indices of the non-zero elements of x: a Long tensor of shape [count, x.dim()], in
/// row-major order.
Tensor nonzero(const Tensor& x);
/// A view of x's storage with the given sizes and strides, from storage_offset (x's own offset
/// when not given), all in elements; it must lie within the storage. Differentiable in x
/// (elements the view reads twice get the sum of their gradients).
Tensor as_strided(const Tensor& x, IntArrayRef size, IntArrayRef stride,
                  std::optional<int64_t> storage_offset = std::nullopt);
/// as_strided at x's own offset (libtorch's view with explicit strides behind reshape).
Tensor _reshape_alias(const Tensor& x, IntArrayRef size, IntArrayRef stride);

}  // namespace tg
