// Python-style indexing (tensorgrad/indexing.h): the index objects, Tensor::index and
// Tensor::index_put_ over them, and the advanced-indexing ops index, index_put, index_put_ and
// nonzero.
//
// Note [Advanced indexing by offsets]
// An index list is first reduced to one Long index tensor per dimension (masks become their
// nonzero coordinates), which broadcast together to a shape B. The result has shape R: the
// dimensions kept whole, with B inserted where the first indexed dimension was when the indexed
// dimensions are adjacent, else in front (NumPy's rule). selected_offsets computes, for every
// element of R, the offset of the element it selects, as a sum of broadcast Long terms (one per
// dimension: index * stride, or arange(size) * stride for a kept one). With the strides of a
// contiguous layout, index is then a gather from the flattened tensor (index_select, so its
// gradients of any order come for free) and index_put a write at those offsets, whose
// derivative is again these two ops. With a view's own strides, index_put_ writes through the
// view without copying it.
#include "tensorgrad/indexing.h"

#include <algorithm>
#include <cstring>
#include <ostream>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/index.h"
#include "kernels/loop.h"

namespace tg {

namespace indexing {

Slice::Slice(std::optional<int64_t> start_index, std::optional<int64_t> stop_index,
             std::optional<int64_t> step_index) {
  step_ = step_index.value_or(1);
  if (step_ == 0) throw ValueError("slice step cannot be zero");
  // -INDEX_MAX - 1 cannot be negated; as a step it means the same as -INDEX_MAX.
  if (step_ < -INDEX_MAX) step_ = -INDEX_MAX;
  start_ = start_index ? *start_index : step_ < 0 ? INDEX_MAX : 0;
  stop_ = stop_index ? *stop_index : step_ < 0 ? INDEX_MIN : INDEX_MAX;
}

std::ostream& operator<<(std::ostream& out, const Slice& slice) {
  return out << slice.start() << ':' << slice.stop() << ':' << slice.step();
}

TensorIndex::TensorIndex(const char* str) : TensorIndex(Ellipsis) {
  if (std::strcmp(str, "...") != 0)
    throw ValueError(
        tg::str("Expected \"...\" to represent an ellipsis index, but got \"", str, "\""));
}

std::ostream& operator<<(std::ostream& out, const TensorIndex& index) {
  switch (index.type()) {
    case TensorIndexType::None:
      return out << "None";
    case TensorIndexType::Ellipsis:
      return out << "...";
    case TensorIndexType::Integer:
      return out << index.integer();
    case TensorIndexType::Boolean:
      return out << (index.boolean() ? "true" : "false");
    case TensorIndexType::Slice:
      return out << index.slice();
    case TensorIndexType::Tensor:
      return out << index.tensor();
  }
  return out;
}

std::ostream& operator<<(std::ostream& out, const std::vector<TensorIndex>& indices) {
  out << '(';
  for (size_t i = 0; i < indices.size(); ++i) out << (i ? ", " : "") << indices[i];
  return out << ')';
}

}  // namespace indexing

namespace {

using indexing::TensorIndex;
using indexing::TensorIndexType;
using OptionalTensors = std::vector<std::optional<Tensor>>;

template <class... Args>
[[noreturn]] void index_error(const Args&... args) {
  throw IndexError(str(args...));
}

/// Bool tensors index as masks, and so do Byte tensors (libtorch's older mask dtype).
bool is_mask(const Tensor& t) { return t.dtype() == kBool || t.dtype() == kByte; }

/// One Long index tensor per dimension of self, from the first (undefined where a dimension is
/// kept whole): a Bool entry becomes the coordinates of its true elements, one tensor per
/// dimension it covers.
std::vector<Tensor> per_dim_indices(const Tensor& self, const OptionalTensors& list) {
  std::vector<Tensor> out;
  for (const std::optional<Tensor>& entry : list) {
    if (!entry || !entry->defined()) {
      out.emplace_back();
      continue;
    }
    const Tensor& t = *entry;
    if (is_mask(t)) {
      TG_CHECK(t.dim() > 0,
               "index: a 0-d Bool index has no dimension to mask; use x.index({mask}), which "
               "adds one");
      const int64_t first = static_cast<int64_t>(out.size());
      for (int64_t j = 0; j < t.dim(); ++j)
        if (first + j >= self.dim() || t.size(j) != self.size(first + j))
          index_error("The shape of the mask ", detail::shape_str(t.sizes()), " at index ", j,
                      " does not match the shape of the indexed tensor ",
                      detail::shape_str(self.sizes()), " at index ", first + j);
      const Tensor coords = nonzero(t);
      for (int64_t j = 0; j < t.dim(); ++j) out.push_back(coords.select(1, j));
    } else if (is_integral(t.dtype(), false)) {
      out.push_back(t.dtype() == kLong ? t : t.to(kLong));
    } else {
      index_error("tensors used as indices must be long, int, byte or bool tensors, but got ",
                  t.dtype());
    }
  }
  if (static_cast<int64_t>(out.size()) > self.dim())
    index_error("too many indices for tensor of dimension ", self.dim(), " (got ", out.size(), ")");
  return out;
}

bool any_defined(const std::vector<Tensor>& idx) {
  for (const Tensor& t : idx)
    if (t.defined()) return true;
  return false;
}

/// The index tensors broadcast shape, or an error naming all their shapes.
DimVector broadcast_index_shape(const std::vector<Tensor>& idx) {
  DimVector shape;
  bool ok = true;
  for (const Tensor& t : idx) {
    if (!t.defined()) continue;
    const size_t nd = std::max(shape.size(), t.sizes().size());
    DimVector next(nd, 1);
    for (size_t i = 0; i < nd && ok; ++i) {
      const int64_t a = i < shape.size() ? shape[shape.size() - 1 - i] : 1;
      const int64_t b = i < t.sizes().size() ? t.sizes()[t.sizes().size() - 1 - i] : 1;
      ok = a == b || a == 1 || b == 1;
      next[nd - 1 - i] = a == 1 ? b : a;
    }
    shape = next;
  }
  if (!ok) {
    std::string shapes;
    for (const Tensor& t : idx)
      if (t.defined()) shapes += (shapes.empty() ? "" : ", ") + detail::shape_str(t.sizes());
    index_error("shape mismatch: indexing tensors could not be broadcast together with shapes ",
                shapes);
  }
  return shape;
}

/// The indices of t as a new contiguous Long tensor, each in [0, size) after negative ones are
/// counted from the end; throws for one out of range.
Tensor wrapped(const Tensor& t, int64_t size, int64_t dim) {
  Tensor w = detail::make_empty(t.sizes(), kLong);
  detail::copy_into(w, t);
  int64_t* p = w.data_ptr<int64_t>();
  for (int64_t i = 0, n = w.numel(); i < n; ++i) {
    if (p[i] < -size || p[i] >= size) {
      if (size == 0) index_error("index is out of bounds for dimension with size 0");
      index_error("index ", p[i], " is out of bounds for dimension ", dim, " with size ", size);
    }
    if (p[i] < 0) p[i] += size;
  }
  return w;
}

/// Note [Advanced indexing by offsets]: the offsets, in a tensor of `sizes` and `strides`, of
/// the elements the per-dimension indices select, in a Long tensor of the result's shape. With
/// no index tensor it covers every element.
Tensor selected_offsets(IntArrayRef sizes, IntArrayRef strides, const std::vector<Tensor>& idx) {
  NoGradGuard no_grad;
  const int64_t nd = static_cast<int64_t>(sizes.size());
  std::vector<int64_t> indexed, kept;
  for (int64_t d = 0; d < nd; ++d)
    (d < static_cast<int64_t>(idx.size()) && idx[d].defined() ? indexed : kept).push_back(d);
  const DimVector b = broadcast_index_shape(idx);
  const int64_t nb = static_cast<int64_t>(b.size());
  const bool adjacent = indexed.empty() || indexed.back() - indexed.front() + 1 ==
                                               static_cast<int64_t>(indexed.size());
  const int64_t at = adjacent && !indexed.empty() ? indexed.front() : 0;  // where B goes
  // The result: the kept dimensions before `at`, B, the other kept dimensions.
  DimVector shape, position(static_cast<size_t>(nd), 0);
  for (size_t i = 0; i < kept.size(); ++i) {
    const int64_t d = kept[i];
    if (static_cast<int64_t>(shape.size()) == at)
      for (int64_t s : b) shape.push_back(s);
    position[d] = static_cast<int64_t>(shape.size());
    shape.push_back(sizes[d]);
  }
  if (static_cast<int64_t>(shape.size()) <= at)
    for (int64_t s : b) shape.push_back(s);
  const int64_t rank = static_cast<int64_t>(shape.size());
  Tensor offsets = zeros(shape, kLong);
  auto add_term = [&](const Tensor& term, int64_t first, int64_t stride) {
    DimVector view_shape(static_cast<size_t>(rank), 1);
    for (int64_t j = 0; j < term.dim(); ++j) view_shape[first + j] = term.size(j);
    offsets = offsets.add(term.view(view_shape).mul(stride));
  };
  for (int64_t d = 0; d < nd; ++d) {
    if (d < static_cast<int64_t>(idx.size()) && idx[d].defined()) {
      const Tensor w = wrapped(idx[d], sizes[d], d);
      add_term(w, at + nb - w.dim(), strides[d]);  // right-aligned within B
    } else {
      add_term(arange(sizes[d], kLong), position[d], strides[d]);
    }
  }
  return offsets;
}

/// The elements of x at offsets (of its contiguous layout), in the shape of offsets.
/// Differentiable in x through index_select.
Tensor take_offsets(const Tensor& x, const Tensor& offsets) {
  return x.reshape({-1}).index_select(0, offsets.reshape({-1})).view(offsets.sizes());
}

/// A new contiguous tensor of dtype and shape with values broadcast into it.
Tensor broadcast_copy(const Tensor& values, IntArrayRef shape, ScalarType dtype) {
  Tensor v = detail::make_empty(shape, dtype);
  detail::copy_into(v, values);
  return v;
}

/// x with the elements at offsets (of its contiguous layout) set to, or increased by, values
/// (broadcast to the shape of offsets). Derivatives: x <- grad with those elements zeroed
/// (accumulate: grad), values <- grad at those elements, summed to values' shape.
Tensor put_offsets(const Tensor& x, const Tensor& offsets, const Tensor& values, bool accumulate) {
  Tensor out = detail::make_empty(x.sizes(), x.dtype());
  detail::copy_into(out, x);
  kernels::put(out, offsets, broadcast_copy(values, offsets.sizes(), x.dtype()), accumulate);
  if (autograd::needs_grad(x, values))
    autograd::record(
        "IndexPutBackward0", {x, values}, {out}, autograd::save(offsets),
        [accumulate,
         vsizes = DimVector(values.sizes())](autograd::BackwardArgs<1>& a) -> variable_list {
          variable_list grads(2);
          const Tensor& off = a.saved[0];
          if (a.needs(0))
            grads[0] = accumulate ? a.grad()
                                  : put_offsets(a.grad(), off, zeros({}, a.grad().dtype()), false);
          if (a.needs(1)) grads[1] = sum_to(take_offsets(a.grad(), off), vsizes);
          return grads;
        });
  return out;
}

/// The storage offsets of every element of a geometry, in its shape.
Tensor geometry_offsets(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  NoGradGuard no_grad;
  return selected_offsets(sizes, strides, {}).add(offset);
}

/// as_strided's derivative: the gradient of the view (out geometry) summed into the elements of
/// the input (in geometry) that share its storage places, through a flat buffer over both.
Tensor as_strided_backward(const Tensor& grad, IntArrayRef in_sizes, IntArrayRef in_strides,
                           int64_t in_offset, IntArrayRef out_sizes, IntArrayRef out_strides,
                           int64_t out_offset) {
  Tensor in = geometry_offsets(in_sizes, in_strides, in_offset);
  Tensor out = geometry_offsets(out_sizes, out_strides, out_offset);
  int64_t lo = std::min(in_offset, out_offset), hi = lo;
  for (const Tensor& t : {in, out}) {
    const int64_t* p = t.data_ptr<int64_t>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) {
      lo = std::min(lo, p[i]);
      hi = std::max(hi, p[i]);
    }
  }
  {
    NoGradGuard no_grad;
    in = in.sub(lo);
    out = out.sub(lo);
  }
  const Tensor buffer =
      put_offsets(zeros({hi - lo + 1}, grad.dtype()), out, grad, /*accumulate=*/true);
  return take_offsets(buffer, in);
}

/// The checks of index_put and index_put_; returns the per-dimension indices.
std::vector<Tensor> put_indices(const Tensor& self, const OptionalTensors& indices,
                                const Tensor& values, const char* op) {
  TG_CHECK(self.defined() && values.defined(), op, ": the tensor or the values are undefined");
  TG_CHECK(values.dtype() == self.dtype(),
           "Index put requires the source and destination dtypes match, got ", self.dtype(),
           " for the destination and ", values.dtype(), " for the source.");
  return per_dim_indices(self, indices);
}

/// Throws unless values broadcast to the shape of the selection.
void check_values_shape(const Tensor& values, IntArrayRef selection) {
  bool ok = values.dim() <= static_cast<int64_t>(selection.size());
  for (int64_t i = 0; ok && i < values.dim(); ++i) {
    const int64_t v = values.size(values.dim() - 1 - i);
    ok = v == 1 || v == selection[selection.size() - 1 - i];
  }
  TG_CHECK(ok, "shape mismatch: value tensor of shape ", detail::shape_str(values.sizes()),
           " cannot be broadcast to indexing result of shape ", detail::shape_str(selection));
}

// ---- the index objects ----

/// An index tensor for a bool: [0] selects the new dimension of size 1, [] nothing.
Tensor bool_index(bool value) { return value ? zeros({1}, kLong) : empty({0}, kLong); }

/// The view and the advanced part of an index list: Python's basic indexing (integers, slices,
/// None, ellipsis) done as views of self, and the tensors and bools left for advanced indexing,
/// one entry per dimension of the view.
struct Sliced {
  Tensor view;
  OptionalTensors advanced;
};

Tensor select_checked(const Tensor& x, int64_t dim, int64_t index, int64_t real_dim) {
  const int64_t size = x.size(dim);
  if (index < -size || index >= size)
    index_error("index ", index, " is out of bounds for dimension ", real_dim, " with size ", size);
  return x.select(dim, index);
}

Sliced apply_indices(const Tensor& self, ArrayRef<TensorIndex> indices, const char* op) {
  TG_CHECK(!indices.empty(), "Passing an empty index list to Tensor::", op,
           "() is not valid syntax");
  TG_CHECK(self.defined(), op, ": the tensor is undefined");
  // The dimensions of self the list names; an ellipsis stands for the others.
  int64_t specified = 0, ellipses = 0;
  for (const TensorIndex& i : indices) {
    if (i.is_integer() || i.is_slice()) ++specified;
    if (i.is_ellipsis()) ++ellipses;
    if (i.is_tensor()) {
      const Tensor& t = i.tensor();
      TG_CHECK(t.defined(), op, ": an index tensor is undefined");
      specified += is_mask(t) ? t.dim() : 1;
    }
  }
  if (specified > self.dim()) {
    if (self.dim() == 0 && indices[0].is_integer())
      index_error(
          "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
          "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
    index_error("too many indices for tensor of dimension ", self.dim(), " (got ", specified, ")");
  }
  TG_CHECK(ellipses <= 1, "an index can only have a single ellipsis ('...')");
  Tensor result = self;
  int64_t dim = 0;       // the next dimension of result to index
  int64_t real_dim = 0;  // the same dimension of self (for messages)
  OptionalTensors advanced;
  int64_t covered = 0;  // dimensions of result that `advanced` covers
  auto record = [&](const Tensor& t, int64_t width) {
    for (; covered < dim; ++covered) advanced.emplace_back();
    advanced.emplace_back(t);
    covered += width;
    dim += width;
  };
  for (const TensorIndex& i : indices) {
    switch (i.type()) {
      case TensorIndexType::None:
        result = result.unsqueeze(dim++);
        break;
      case TensorIndexType::Ellipsis:
        dim += self.dim() - specified;
        real_dim += self.dim() - specified;
        break;
      case TensorIndexType::Integer:
        result = select_checked(result, dim, i.integer(), real_dim++);
        break;
      case TensorIndexType::Slice: {
        const indexing::Slice& s = i.slice();
        TG_CHECK(s.step() > 0, "step must be greater than zero");
        result = result.slice(dim++, s.start(), s.stop(), s.step());
        ++real_dim;
        break;
      }
      case TensorIndexType::Boolean:
        result = result.unsqueeze(dim);
        record(bool_index(i.boolean()), 1);
        break;
      case TensorIndexType::Tensor: {
        const Tensor& t = i.tensor();
        if (t.dim() == 0 && is_mask(t)) {
          result = result.unsqueeze(dim);
          record(bool_index(t.item<int64_t>() != 0), 1);
        } else if (t.dim() == 0 && is_integral(t.dtype(), false)) {
          // A 0-d integer tensor indexes as the integer does: a view.
          result = select_checked(result, dim, t.item<int64_t>(), real_dim++);
        } else {
          const int64_t width = is_mask(t) ? t.dim() : 1;
          record(t, width);
          real_dim += width;
        }
        break;
      }
    }
  }
  return {result, advanced};
}

/// Python's leading 1s of a value do not count against the selection's shape (NumPy drops them).
Tensor drop_leading_ones(Tensor value) {
  while (value.dim() > 0 && value.size(0) == 1) value = value.squeeze(0);
  return value;
}

}  // namespace

// ---- advanced indexing ----

Tensor nonzero(const Tensor& x) {
  TG_CHECK(x.defined(), "nonzero: the tensor is undefined");
  const Tensor c = detail::contiguous_data(x);
  const int64_t n = c.numel(), nd = c.dim();
  std::vector<int64_t> hits;
  kernels::dispatch(c.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = c.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i)
      if (p[i] != T(0)) hits.push_back(i);
  });
  Tensor out = detail::make_empty({static_cast<int64_t>(hits.size()), nd}, kLong);
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t flat : hits) {
    // The row-major coordinates of flat, last dimension first.
    for (int64_t d = nd - 1; d >= 0; --d) {
      o[d] = flat % c.size(d);
      flat /= c.size(d);
    }
    o += nd;
  }
  return out;
}

Tensor index(const Tensor& self, const OptionalTensors& indices) {
  TG_CHECK(self.defined(), "index: the tensor is undefined");
  const std::vector<Tensor> idx = per_dim_indices(self, indices);
  if (!any_defined(idx)) return self.view(self.sizes());
  return take_offsets(
      self, selected_offsets(self.sizes(), detail::contiguous_strides(self.sizes()), idx));
}

Tensor index_put(const Tensor& self, const OptionalTensors& indices, const Tensor& values,
                 bool accumulate) {
  const std::vector<Tensor> idx = put_indices(self, indices, values, "index_put");
  const Tensor off = selected_offsets(self.sizes(), detail::contiguous_strides(self.sizes()), idx);
  check_values_shape(values, off.sizes());
  return put_offsets(self, off, values, accumulate);
}

Tensor& index_put_(Tensor& self, const OptionalTensors& indices, const Tensor& values,
                   bool accumulate) {
  const std::vector<Tensor> idx = put_indices(self, indices, values, "index_put_");
  const Tensor off = selected_offsets(self.sizes(), detail::contiguous_strides(self.sizes()), idx);
  check_values_shape(values, off.sizes());
  return detail::inplace(
      self, "index_put_", values.requires_grad(),
      [&](const Tensor& old) { return put_offsets(old, off, values, accumulate); },
      [&] {
        // Offsets through self's own strides: a view is written in place.
        const Tensor own = selected_offsets(self.sizes(), self.strides(), idx);
        kernels::put(self, own, broadcast_copy(values, own.sizes(), self.dtype()), accumulate);
      });
}

Tensor as_strided(const Tensor& x, IntArrayRef size, IntArrayRef stride,
                  std::optional<int64_t> storage_offset) {
  TG_CHECK(x.defined(), "as_strided: the tensor is undefined");
  TG_CHECK(size.size() == stride.size(), "mismatch in length of strides and shape: ", size.size(),
           " sizes but ", stride.size(), " strides");
  const int64_t offset = storage_offset.value_or(x.unsafeGetTensorImpl()->offset);
  TG_CHECK(offset >= 0, "as_strided: Negative storage offset ", offset, " is not supported");
  int64_t last = offset;  // the furthest element the view reaches
  bool empty = false;
  for (size_t d = 0; d < size.size(); ++d) {
    TG_CHECK(size[d] >= 0, "as_strided: negative size ", size[d], " in ", detail::shape_str(size));
    TG_CHECK(stride[d] >= 0, "as_strided: negative stride ", stride[d], " in ",
             detail::shape_str(stride), " is not supported");
    if (size[d] == 0) empty = true;
    last += (size[d] - 1) * stride[d];
  }
  const int64_t storage_numel =
      static_cast<int64_t>(x.unsafeGetTensorImpl()->storage->nbytes / x.element_size());
  TG_CHECK(empty || last < storage_numel, "setStorage: sizes ", detail::shape_str(size),
           ", strides ", detail::shape_str(stride), ", storage offset ", offset, ", and itemsize ",
           x.element_size(), " requiring a storage size of ",
           (last + 1) * static_cast<int64_t>(x.element_size()),
           " are out of bounds for storage of size ",
           storage_numel * static_cast<int64_t>(x.element_size()));
  Tensor out = detail::make_view(x, size, stride, offset);
  if (autograd::needs_grad(x))
    autograd::record(
        "AsStridedBackward0", {x}, {out}, autograd::save(),
        [in_sizes = DimVector(x.sizes()), in_strides = DimVector(x.strides()),
         in_offset = x.unsafeGetTensorImpl()->offset, out_sizes = DimVector(size),
         out_strides = DimVector(stride), offset](autograd::BackwardArgs<0>& a) -> variable_list {
          return {as_strided_backward(a.grad(), in_sizes, in_strides, in_offset, out_sizes,
                                      out_strides, offset)};
        });
  return out;
}

Tensor _reshape_alias(const Tensor& x, IntArrayRef size, IntArrayRef stride) {
  return as_strided(x, size, stride);
}

// ---- Tensor methods ----

Tensor Tensor::as_strided(IntArrayRef size, IntArrayRef stride,
                          std::optional<int64_t> storage_offset) const {
  return tg::as_strided(*this, size, stride, storage_offset);
}

Tensor Tensor::index(ArrayRef<TensorIndex> indices) const {
  Sliced s = apply_indices(*this, indices, "index");
  if (!s.advanced.empty()) return tg::index(s.view, s.advanced);
  // Python's x[...] is a new tensor viewing x, never x itself.
  return s.view.is_same(*this) ? s.view.view(sizes()) : s.view;
}

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return index(ArrayRef<TensorIndex>(indices));
}

Tensor Tensor::index(const OptionalTensors& indices) const { return tg::index(*this, indices); }

Tensor Tensor::operator[](const Tensor& index) const { return this->index({TensorIndex(index)}); }

Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Tensor& rhs) const {
  Sliced s = apply_indices(*this, indices, "index_put_");
  TG_CHECK(rhs.defined(), "index_put_: the value tensor is undefined");
  const Tensor value = drop_leading_ones(rhs);
  if (s.advanced.empty()) {
    s.view.copy_(value);
  } else {
    tg::index_put_(s.view, s.advanced, value, false);
  }
  return const_cast<Tensor&>(*this);
}

Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Scalar& v) const {
  return index_put_(indices, full({}, v, dtype()));
}

Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& rhs) const {
  return index_put_(ArrayRef<TensorIndex>(indices), rhs);
}

Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Scalar& v) const {
  return index_put_(ArrayRef<TensorIndex>(indices), v);
}

Tensor& Tensor::index_put_(const OptionalTensors& indices, const Tensor& values,
                           bool accumulate) const {
  return tg::index_put_(const_cast<Tensor&>(*this), indices, values, accumulate);
}

Tensor Tensor::index_put(const OptionalTensors& indices, const Tensor& values,
                         bool accumulate) const {
  return tg::index_put(*this, indices, values, accumulate);
}

Tensor Tensor::nonzero() const { return tg::nonzero(*this); }

}  // namespace tg
