// Slicing and splitting along one dimension: slice, narrow, select, split, split_with_sizes,
// chunk and unbind return views that share storage with their input. Their derivatives place
// the gradient into zeros of the input's shape with slice_backward and select_backward, the
// differentiable adjoints declared in ops/slicing.h; the splits' derivatives join the output
// gradients with cat and stack (ops/join.cpp).
#include "ops/slicing.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "autograd/record.h"
#include "core/internal.h"

namespace tg {

namespace {

int64_t storage_offset(const Tensor& t) { return t.unsafeGetTensorImpl()->offset; }

/// Marks the views one op returned together: autograd cannot follow an in-place change to one of
/// them (See Note [Views and in-place] in src/autograd/view.cpp).
void mark_multi_output(std::vector<Tensor>& views) {
  for (Tensor& v : views) {
    TensorImpl* impl = v.unsafeGetTensorImpl();
    if (impl->base && impl->creation_meta == autograd::CreationMeta::DEFAULT)
      impl->creation_meta = autograd::CreationMeta::MULTI_OUTPUT_NODE;
  }
}

/// Shared by split and split_with_sizes: views of x along dim of the given lengths, recorded as
/// one node whose derivative concatenates the output gradients.
std::vector<Tensor> split_views(const Tensor& x, IntArrayRef lengths, int64_t dim,
                                const char* node_name) {
  std::vector<Tensor> outs;
  outs.reserve(lengths.size());
  int64_t start = 0;
  for (int64_t len : lengths) {
    outs.push_back(detail::slice_view(x, dim, start, len, 1));
    start += len;
  }
  mark_multi_output(outs);
  if (autograd::needs_grad(x))
    autograd::record_list(
        node_name, {x}, outs, autograd::save(),
        [dim](autograd::BackwardArgs<0>& a) -> variable_list { return {cat(a.grads, dim)}; });
  return outs;
}

}  // namespace

namespace detail {

Tensor slice_view(const Tensor& x, int64_t dim, int64_t start, int64_t length, int64_t step) {
  DimVector sizes(x.sizes()), strides(x.strides());
  const int64_t offset = storage_offset(x) + start * strides[dim];
  sizes[dim] = length;
  strides[dim] *= step;
  return detail::make_view(x, sizes, strides, offset);
}

Tensor select_view(const Tensor& x, int64_t dim, int64_t index) {
  DimVector sizes(x.sizes()), strides(x.strides());
  const int64_t offset = storage_offset(x) + index * strides[dim];
  sizes.erase(static_cast<size_t>(dim));
  strides.erase(static_cast<size_t>(dim));
  return detail::make_view(x, sizes, strides, offset);
}

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
  Tensor out = detail::slice_view(x, dim, s, length, step);
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
  Tensor out = detail::select_view(x, dim, index);
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
  for (int64_t i = 0; i < n; ++i) outs.push_back(detail::select_view(x, dim, i));
  mark_multi_output(outs);
  if (n > 0 && autograd::needs_grad(x))
    autograd::record_list(
        "UnbindBackward0", {x}, outs, autograd::save(),
        [dim](autograd::BackwardArgs<0>& a) -> variable_list { return {stack(a.grads, dim)}; });
  return outs;
}

// ---- Tensor methods ----
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

}  // namespace tg
