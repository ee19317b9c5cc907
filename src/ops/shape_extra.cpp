// Slicing, splitting and joining: flatten, slice, narrow, select, chunk, split, split_with_sizes,
// unbind, repeat, cat and stack. slice, narrow, select, split, chunk and unbind return views that
// share storage with their input; their derivatives place the gradient into zeros of the input's
// shape with the differentiable adjoints in shape_extra.h.
#include "ops/shape_extra.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "autograd/record.h"
#include "core/internal.h"

namespace tg {

namespace {

int64_t storage_offset(const Tensor& t) { return t.unsafeGetTensorImpl()->offset; }

/// The view x[..., start:start+length*step:step, ...] along dim (no autograd).
Tensor slice_view(const Tensor& x, int64_t dim, int64_t start, int64_t length, int64_t step) {
  DimVector sizes(x.sizes()), strides(x.strides());
  const int64_t offset = storage_offset(x) + start * strides[dim];
  sizes[dim] = length;
  strides[dim] *= step;
  return detail::make_view(x, sizes, strides, offset);
}

/// The view x[..., index, ...] along dim, which drops that dimension (no autograd).
Tensor select_view(const Tensor& x, int64_t dim, int64_t index) {
  DimVector sizes(x.sizes()), strides(x.strides());
  const int64_t offset = storage_offset(x) + index * strides[dim];
  sizes.erase(static_cast<size_t>(dim));
  strides.erase(static_cast<size_t>(dim));
  return detail::make_view(x, sizes, strides, offset);
}

/// The dtype every operand of cat/stack converts to: the enum order is the promotion order
/// (Bool < Long < Float < Double) and the categories nest, so it is the largest one.
ScalarType promote_all(TensorList tensors) {
  ScalarType t = tensors[0].dtype();
  for (const Tensor& x : tensors) t = std::max(t, x.dtype());
  return t;
}

/// The gradient for an input of dtype `dtype` from a gradient in the promoted dtype.
Tensor to_dtype(const Tensor& g, ScalarType dtype) { return g.dtype() == dtype ? g : g.to(dtype); }

/// Shared by split and split_with_sizes: views of x along dim of the given lengths, recorded as
/// one node whose derivative concatenates the output gradients.
std::vector<Tensor> split_views(const Tensor& x, IntArrayRef lengths, int64_t dim,
                                const char* node_name) {
  std::vector<Tensor> outs;
  outs.reserve(lengths.size());
  int64_t start = 0;
  for (int64_t len : lengths) {
    outs.push_back(slice_view(x, dim, start, len, 1));
    start += len;
  }
  if (autograd::needs_grad(x))
    autograd::record_list(
        node_name, {x}, outs, autograd::save(),
        [dim](autograd::BackwardArgs<0>& a) -> variable_list { return {cat(a.grads, dim)}; });
  return outs;
}

}  // namespace

namespace detail {

Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start,
                      int64_t end, int64_t step) {
  Tensor result = zeros(input_sizes, grad.dtype());
  copy_into(slice_view(result, dim, start, grad.size(dim), step), grad);
  if (autograd::needs_grad(grad))
    autograd::record("SliceBackwardBackward0", {grad}, {result}, autograd::save(),
                     [dim, start, end, step](autograd::BackwardArgs<0>& a) -> variable_list {
                       return {a.grad().slice(dim, start, end, step)};
                     });
  return result;
}

Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index) {
  Tensor result = zeros(input_sizes, grad.dtype());
  copy_into(select_view(result, dim, index), grad);
  if (autograd::needs_grad(grad))
    autograd::record("SelectBackwardBackward0", {grad}, {result}, autograd::save(),
                     [dim, index](autograd::BackwardArgs<0>& a) -> variable_list {
                       return {a.grad().select(dim, index)};
                     });
  return result;
}

}  // namespace detail

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return x.reshape({1});
  const int64_t start = detail::wrap_dim(start_dim, x.dim(), "flatten");
  const int64_t end = detail::wrap_dim(end_dim, x.dim(), "flatten");
  TG_CHECK(start <= end, "flatten: start_dim (", start_dim, ") cannot come after end_dim (",
           end_dim, ") for a tensor of shape ", detail::shape_str(x.sizes()),
           "; pass start_dim <= end_dim");
  if (start == end) return x;
  DimVector shape;
  for (int64_t d = 0; d < start; ++d) shape.push_back(x.size(d));
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= x.size(d);
  shape.push_back(merged);
  for (int64_t d = end + 1; d < x.dim(); ++d) shape.push_back(x.size(d));
  return x.reshape(shape);
}

Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
             int64_t step) {
  TG_CHECK(x.dim() > 0, "slice: cannot slice a 0-d tensor; reshape it to 1-d first");
  dim = detail::wrap_dim(dim, x.dim(), "slice");
  TG_CHECK(step > 0, "slice: step must be positive but got ", step,
           "; reverse the order of elements another way (e.g. index_select)");
  const int64_t size = x.size(dim);
  // As Python slicing: negative bounds count from the end, then both clamp to [0, size].
  int64_t s = start.value_or(0), e = end.value_or(std::numeric_limits<int64_t>::max());
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = std::clamp<int64_t>(s, 0, size);
  e = std::clamp<int64_t>(e, s, size);
  const int64_t length = (e - s + step - 1) / step;
  Tensor out = slice_view(x, dim, s, length, step);
  if (autograd::needs_grad(x))
    autograd::record("SliceBackward0", {x}, {out}, autograd::save(),
                     [sizes = DimVector(x.sizes()), dim, s, e,
                      step](autograd::BackwardArgs<0>& a) -> variable_list {
                       return {detail::slice_backward(a.grad(), sizes, dim, s, e, step)};
                     });
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  TG_CHECK(x.dim() > 0, "narrow: cannot narrow a 0-d tensor; reshape it to 1-d first");
  dim = detail::wrap_dim(dim, x.dim(), "narrow");
  const int64_t size = x.size(dim);
  TG_CHECK(start >= -size && start <= size, "narrow: start ", start,
           " is out of range for dimension ", dim, " of size ", size, " (tensor of shape ",
           detail::shape_str(x.sizes()), "); start must lie in [", -size, ", ", size, "]");
  if (start < 0) start += size;
  TG_CHECK(length >= 0, "narrow: length must be non-negative but got ", length);
  TG_CHECK(start + length <= size, "narrow: start (", start, ") + length (", length,
           ") exceeds the size ", size, " of dimension ", dim, " (tensor of shape ",
           detail::shape_str(x.sizes()), "); shorten length to at most ", size - start);
  return slice(x, dim, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  TG_CHECK(x.dim() > 0, "select: cannot select from a 0-d tensor; it has no dimension to index");
  dim = detail::wrap_dim(dim, x.dim(), "select");
  const int64_t size = x.size(dim);
  TG_CHECK(index >= -size && index < size, "select: index ", index,
           " is out of range for dimension ", dim, " of size ", size, " (tensor of shape ",
           detail::shape_str(x.sizes()), "); valid indices are ", -size, " to ", size - 1);
  if (index < 0) index += size;
  Tensor out = select_view(x, dim, index);
  if (autograd::needs_grad(x))
    autograd::record(
        "SelectBackward0", {x}, {out}, autograd::save(),
        [sizes = DimVector(x.sizes()), dim, index](autograd::BackwardArgs<0>& a) -> variable_list {
          return {detail::select_backward(a.grad(), sizes, dim, index)};
        });
  return out;
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  TG_CHECK(x.dim() > 0, "split: cannot split a 0-d tensor; reshape it to 1-d first");
  dim = detail::wrap_dim(dim, x.dim(), "split");
  const int64_t size = x.size(dim);
  TG_CHECK(split_size >= 0, "split: split_size must be non-negative but got ", split_size);
  TG_CHECK(split_size > 0 || size == 0, "split: split_size can only be 0 if dimension ", dim,
           " has size 0, but it has size ", size, " (tensor of shape ",
           detail::shape_str(x.sizes()), "); pass a positive split_size");
  // An empty dimension still yields one (empty) piece, as libtorch.
  const int64_t pieces =
      split_size == 0 ? 1 : std::max<int64_t>((size + split_size - 1) / split_size, 1);
  DimVector lengths(static_cast<size_t>(pieces), split_size);
  lengths.back() = split_size - (split_size * pieces - size);
  return split_views(x, lengths, dim, "SplitBackward0");
}

std::vector<Tensor> split_with_sizes(const Tensor& x, IntArrayRef split_sizes, int64_t dim) {
  TG_CHECK(x.dim() > 0, "split_with_sizes: cannot split a 0-d tensor; reshape it to 1-d first");
  dim = detail::wrap_dim(dim, x.dim(), "split_with_sizes");
  const int64_t size = x.size(dim);
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    TG_CHECK(s >= 0, "split_with_sizes: split_sizes must be non-negative but got ",
             detail::shape_str(split_sizes));
    total += s;
  }
  TG_CHECK(total == size, "split_with_sizes: split_sizes ", detail::shape_str(split_sizes),
           " sum to ", total, " but dimension ", dim, " of the tensor of shape ",
           detail::shape_str(x.sizes()), " has size ", size, "; the sizes must sum to exactly ",
           size);
  return split_views(x, split_sizes, dim, "SplitWithSizesBackward0");
}

std::vector<Tensor> split(const Tensor& x, IntArrayRef split_sizes, int64_t dim) {
  return split_with_sizes(x, split_sizes, dim);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  TG_CHECK(x.dim() > 0, "chunk: cannot chunk a 0-d tensor; reshape it to 1-d first");
  TG_CHECK(chunks > 0, "chunk: chunks must be greater than 0 but got ", chunks);
  dim = detail::wrap_dim(dim, x.dim(), "chunk");
  const int64_t size = x.size(dim);
  const int64_t split_size = (size + chunks - 1) / chunks;
  // An empty dimension gives `chunks` empty pieces, as libtorch.
  if (split_size == 0 && size == 0) {
    DimVector lengths(static_cast<size_t>(chunks), 0);
    return split_views(x, lengths, dim, "SplitWithSizesBackward0");
  }
  return split(x, split_size, dim);
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  TG_CHECK(x.dim() > 0, "unbind: cannot unbind a 0-d tensor; it has no dimension to split");
  dim = detail::wrap_dim(dim, x.dim(), "unbind");
  const int64_t n = x.size(dim);
  std::vector<Tensor> outs;
  outs.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) outs.push_back(select_view(x, dim, i));
  if (n > 0 && autograd::needs_grad(x))
    autograd::record_list(
        "UnbindBackward0", {x}, outs, autograd::save(),
        [dim](autograd::BackwardArgs<0>& a) -> variable_list { return {stack(a.grads, dim)}; });
  return outs;
}

Tensor repeat(const Tensor& x, IntArrayRef repeats) {
  const int64_t nd = static_cast<int64_t>(repeats.size());
  TG_CHECK(nd >= x.dim(), "repeat: the number of repeats (", nd,
           ") cannot be smaller than the number of dimensions of the tensor of shape ",
           detail::shape_str(x.sizes()), "; give one repeat per dimension");
  for (int64_t r : repeats)
    TG_CHECK(r >= 0, "repeat: repeats must be non-negative but got ", detail::shape_str(repeats));
  // x seen with leading size-1 dimensions so that it has one dimension per repeat.
  const int64_t lead = nd - x.dim();
  DimVector padded(static_cast<size_t>(nd), 1), pstrides(static_cast<size_t>(nd), 0);
  for (int64_t d = 0; d < x.dim(); ++d) {
    padded[lead + d] = x.size(d);
    pstrides[lead + d] = x.stride(d);
  }
  DimVector out_sizes(static_cast<size_t>(nd));
  for (int64_t d = 0; d < nd; ++d) out_sizes[d] = padded[d] * repeats[d];
  Tensor out = detail::make_empty(out_sizes, x.dtype());
  // Copy through an interleaved geometry [r0, p0, r1, p1, ...]: the output walked in that order is
  // contiguous, and the source repeats along the r axes by having stride 0 there.
  DimVector split_sizes, dst_strides, src_strides;
  const DimVector out_strides = detail::contiguous_strides(out_sizes);
  for (int64_t d = 0; d < nd; ++d) {
    split_sizes.push_back(repeats[d]);
    split_sizes.push_back(padded[d]);
    dst_strides.push_back(out_strides[d] * padded[d]);
    dst_strides.push_back(out_strides[d]);
    src_strides.push_back(0);
    src_strides.push_back(pstrides[d]);
  }
  if (out.numel() > 0)
    detail::copy_into(detail::make_view(out, split_sizes, dst_strides, 0),
                      detail::make_view(x, split_sizes, src_strides, storage_offset(x)));
  if (autograd::needs_grad(x))
    autograd::record("RepeatBackward0", {x}, {out}, autograd::save(),
                     [sizes = DimVector(x.sizes()), split_sizes,
                      nd](autograd::BackwardArgs<0>& a) -> variable_list {
                       // Sum the gradient over the repeat axes of the interleaved geometry.
                       std::vector<int64_t> repeat_axes;
                       for (int64_t d = 0; d < nd; ++d) repeat_axes.push_back(2 * d);
                       Tensor g = a.grad().reshape(split_sizes);
                       if (!repeat_axes.empty()) g = g.sum(repeat_axes);
                       return {g.reshape(sizes)};
                     });
  return out;
}

Tensor cat(TensorList tensors, int64_t dim) {
  TG_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    TG_CHECK(tensors[i].defined(), "cat: the tensor at position ", i, " is undefined");
    TG_CHECK(tensors[i].dim() > 0, "cat: the zero-dimensional tensor at position ", i,
             " cannot be concatenated; unsqueeze it to 1-d or use stack");
  }
  // As libtorch, 1-d empty tensors (shape [0]) are skipped whatever the other shapes are.
  auto skipped = [](const Tensor& t) { return t.dim() == 1 && t.size(0) == 0; };
  size_t ref = 0;
  while (ref + 1 < tensors.size() && skipped(tensors[ref])) ++ref;
  const Tensor& first = tensors[ref];
  dim = detail::wrap_dim(dim, first.dim(), "cat");
  DimVector out_sizes(first.sizes());
  out_sizes[dim] = 0;
  std::vector<int64_t> lengths;
  std::vector<ScalarType> dtypes;
  std::vector<bool> skip;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    dtypes.push_back(t.dtype());
    skip.push_back(skipped(t));
    if (skip.back()) {
      lengths.push_back(0);
      continue;
    }
    TG_CHECK(t.dim() == first.dim(),
             "cat: tensors must have the same number of dimensions, but "
             "the tensor at position ",
             ref, " has shape ", detail::shape_str(first.sizes()), " and the tensor at position ",
             i, " has shape ", detail::shape_str(t.sizes()));
    for (int64_t d = 0; d < first.dim(); ++d)
      TG_CHECK(d == dim || t.size(d) == first.size(d),
               "cat: sizes of tensors must match except "
               "in dimension ",
               dim, ", but the tensor at position ", ref, " has shape ",
               detail::shape_str(first.sizes()), " and the tensor at position ", i, " has shape ",
               detail::shape_str(t.sizes()), " (dimension ", d, " differs)");
    out_sizes[dim] += t.size(dim);
    lengths.push_back(t.size(dim));
  }
  Tensor out = detail::make_empty(out_sizes, promote_all(tensors));
  int64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (lengths[i] > 0) detail::copy_into(slice_view(out, dim, offset, lengths[i], 1), tensors[i]);
    offset += lengths[i];
  }
  if (autograd::needs_grad_list(tensors))
    autograd::record_list(
        "CatBackward0", tensors, {out}, autograd::save(),
        [dim, lengths, dtypes, skip](autograd::BackwardArgs<0>& a) -> variable_list {
          variable_list grads(lengths.size());
          int64_t start = 0;
          for (size_t i = 0; i < lengths.size(); ++i) {
            if (!a.needs(i)) {
            } else if (skip[i]) {
              grads[i] = zeros({0}, dtypes[i]);
            } else {
              grads[i] = to_dtype(a.grad().narrow(dim, start, lengths[i]), dtypes[i]);
            }
            start += lengths[i];
          }
          return grads;
        });
  return out;
}

Tensor stack(TensorList tensors, int64_t dim) {
  TG_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  for (size_t i = 0; i < tensors.size(); ++i) {
    TG_CHECK(tensors[i].defined(), "stack: the tensor at position ", i, " is undefined");
    TG_CHECK(tensors[i].sizes() == first.sizes(),
             "stack: expects tensors of equal shape, but "
             "the tensor at position 0 has shape ",
             detail::shape_str(first.sizes()), " and the tensor at position ", i, " has shape ",
             detail::shape_str(tensors[i].sizes()));
  }
  dim = detail::wrap_dim(dim, first.dim() + 1, "stack");
  const int64_t n = static_cast<int64_t>(tensors.size());
  DimVector out_sizes(first.sizes());
  out_sizes.insert(static_cast<size_t>(dim), n);
  Tensor out = detail::make_empty(out_sizes, promote_all(tensors));
  std::vector<ScalarType> dtypes;
  for (int64_t i = 0; i < n; ++i) {
    if (first.numel() > 0) detail::copy_into(select_view(out, dim, i), tensors[i]);
    dtypes.push_back(tensors[i].dtype());
  }
  if (autograd::needs_grad_list(tensors))
    autograd::record_list("StackBackward0", tensors, {out}, autograd::save(),
                          [dim, dtypes](autograd::BackwardArgs<0>& a) -> variable_list {
                            variable_list grads(dtypes.size());
                            for (size_t i = 0; i < dtypes.size(); ++i)
                              if (a.needs(i))
                                grads[i] = to_dtype(a.grad().select(dim, static_cast<int64_t>(i)),
                                                    dtypes[i]);
                            return grads;
                          });
  return out;
}

// ---- Tensor methods ----
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return tg::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
                     int64_t step) const {
  return tg::slice(*this, dim, start, end, step);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return tg::narrow(*this, dim, start, length);
}
Tensor Tensor::select(int64_t dim, int64_t index) const { return tg::select(*this, dim, index); }
std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim) const {
  return tg::chunk(*this, chunks, dim);
}
std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim) const {
  return tg::split(*this, split_size, dim);
}
std::vector<Tensor> Tensor::split(IntArrayRef split_sizes, int64_t dim) const {
  return tg::split(*this, split_sizes, dim);
}
std::vector<Tensor> Tensor::split_with_sizes(IntArrayRef split_sizes, int64_t dim) const {
  return tg::split_with_sizes(*this, split_sizes, dim);
}
std::vector<Tensor> Tensor::unbind(int64_t dim) const { return tg::unbind(*this, dim); }
Tensor Tensor::repeat(IntArrayRef repeats) const { return tg::repeat(*this, repeats); }

}  // namespace tg
