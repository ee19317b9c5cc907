// Indexing with tensors: index_select, gather, scatter_add, masked_fill, and the internal
// index_add that index_select's derivative uses. Every index is validated before a kernel runs,
// so a bad index throws instead of reading or writing out of bounds.
#include "kernels/index.h"

#include <algorithm>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"
#include "ops/shape_extra.h"

namespace tg {

namespace {

int64_t storage_offset(const Tensor& t) { return t.unsafeGetTensorImpl()->offset; }

/// A 0-d tensor seen as 1-d of size 1 (libtorch indexes scalars as if they had one dimension).
Tensor as_1d(const Tensor& t) {
  if (t.dim() > 0) return t;
  return detail::make_view(t, {1}, {1}, storage_offset(t));
}

/// allow_int: the op also takes Int (int32) indices, as libtorch's index_select does.
void check_index_dtype(const Tensor& index, const char* op, bool allow_int = false) {
  TG_CHECK(index.defined(), op, ": the index tensor is undefined");
  TG_CHECK(index.scalar_type() == kLong || (allow_int && index.scalar_type() == kInt), op,
           ": index must be a Long (int64)", allow_int ? " or Int (int32)" : "", " tensor but got ",
           index.scalar_type(), "; convert it with index.to(tg::kLong)");
}

/// Throws unless every value of the contiguous Long tensor idx lies in [0, size).
void check_index_range(const Tensor& idx, int64_t size, int64_t dim, const char* op) {
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0, n = idx.numel(); i < n; ++i)
    TG_CHECK(p[i] >= 0 && p[i] < size, op, ": index ", p[i], " is out of bounds for dimension ",
             dim, " with size ", size, "; indices must lie in [0, ", size, ")");
}

/// Elements per index below which index_select/index_add walk lines instead of copying one
/// slice per index (a slice copy has a fixed setup cost).
constexpr int64_t kMinSliceNumel = 64;

/// The view x[..., i, ...] along dim with the dimension kept (size 1).
Tensor slice_at(const Tensor& x, int64_t dim, int64_t i) {
  DimVector sizes(x.sizes());
  sizes[dim] = 1;
  return detail::make_view(x, sizes, x.strides(), storage_offset(x) + i * x.stride(dim));
}

/// The shape that self and mask broadcast to, or a masked_fill error naming both.
DimVector masked_fill_shape(const Tensor& self, const Tensor& mask) {
  TG_CHECK(mask.defined(), "masked_fill: the mask is undefined");
  TG_CHECK(mask.dtype() == kBool, "masked_fill: the mask must be a Bool tensor but got ",
           mask.dtype(), "; build it with a comparison (e.g. x > 0) or mask.to(tg::kBool)");
  const size_t nd = std::max(self.sizes().size(), mask.sizes().size());
  DimVector shape(nd, 1);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t a = i < self.sizes().size() ? self.sizes()[self.sizes().size() - 1 - i] : 1;
    const int64_t b = i < mask.sizes().size() ? mask.sizes()[mask.sizes().size() - 1 - i] : 1;
    TG_CHECK(a == b || a == 1 || b == 1, "masked_fill: the mask of shape ",
             detail::shape_str(mask.sizes()), " cannot be broadcast with the tensor of shape ",
             detail::shape_str(self.sizes()), "; give the mask a broadcastable shape");
    shape[nd - 1 - i] = a == 1 ? b : a;
  }
  return shape;
}

Tensor masked_fill_kernel(const Tensor& self, const Tensor& mask, const Scalar& value,
                          IntArrayRef shape) {
  Tensor out = detail::make_empty(shape, self.dtype());
  kernels::dispatch(self.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = value.to<T>();
    kernels::binary_loop<T, T, bool>(out, self, mask, [v](T x, bool m) { return m ? v : x; });
  });
  return out;
}

Tensor logical_not(const Tensor& mask) {
  Tensor out = detail::make_empty(mask.sizes(), kBool);
  kernels::unary_loop<bool, bool>(out, mask, [](bool m) { return !m; });
  return out;
}

/// grad (of the shape of index) placed into zeros of `sizes`, with differentiable ops: scatter_add
/// allows src to be larger than index, and its src gradient must have src's shape.
Tensor pad_to(Tensor g, IntArrayRef sizes) {
  for (int64_t d = 0; d < g.dim(); ++d) {
    if (g.size(d) == sizes[d]) continue;
    DimVector target(g.sizes());
    target[d] = sizes[d];
    g = detail::slice_backward(g, target, d, 0, g.size(d), 1);
  }
  return g;
}

}  // namespace

namespace detail {

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
  Tensor out = make_empty(self.sizes(), self.dtype());
  copy_into(out, self);
  Tensor idx = contiguous_data(index);
  const int64_t n = idx.numel();
  if (n > 0 && out.numel() > 0) {
    const Tensor o1 = as_1d(out), s1 = as_1d(source);
    const int64_t* ip = idx.data_ptr<int64_t>();
    if (s1.numel() / n >= kMinSliceNumel) {
      kernels::dispatch(out.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        // One slice addition per index; indices may repeat, so the loop over k stays serial.
        for (int64_t k = 0; k < n; ++k) {
          const Tensor dst = slice_at(o1, dim, ip[k]);
          kernels::binary_loop<T, T, T>(dst, dst, slice_at(s1, dim, k),
                                        [](T a, T b) { return static_cast<T>(a + b); });
        }
      });
    } else {
      kernels::index_add_lines(o1, s1, dim, ip);
    }
  }
  if (autograd::needs_grad(self, source))
    autograd::record("IndexAddBackward0", {self, source}, {out}, autograd::save(index),
                     [dim](autograd::BackwardArgs<1>& a) -> variable_list {
                       variable_list grads(2);
                       if (a.needs(0)) grads[0] = a.grad();
                       if (a.needs(1)) grads[1] = a.grad().index_select(dim, a.saved[0]);
                       return grads;
                     });
  return out;
}

}  // namespace detail

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index_dtype(index, "index_select", /*allow_int=*/true);
  TG_CHECK(index.dim() <= 1, "index_select: index must be 0-d or 1-d but has shape ",
           detail::shape_str(index.sizes()), "; flatten it first");
  dim = detail::wrap_dim(dim, x.dim(), "index_select");
  const Tensor idx = detail::contiguous_data(detail::cast(index, kLong));
  const int64_t n = idx.numel();
  TG_CHECK(x.dim() > 0 || n == 1,
           "index_select: indexing a 0-d tensor takes exactly one index "
           "but got ",
           n);
  const Tensor x1 = as_1d(x);
  check_index_range(idx, x1.size(dim), dim, "index_select");
  DimVector out_sizes(x.sizes());
  if (x.dim() > 0) out_sizes[dim] = n;
  Tensor out = detail::make_empty(out_sizes, x.dtype());
  if (out.numel() > 0) {
    const Tensor o1 = as_1d(out);
    const int64_t* ip = idx.data_ptr<int64_t>();
    if (out.numel() / n >= kMinSliceNumel) {
      for (int64_t k = 0; k < n; ++k)
        detail::copy_into(slice_at(o1, dim, k), slice_at(x1, dim, ip[k]));
    } else {
      kernels::index_select_lines(o1, x1, dim, ip);
    }
  }
  if (autograd::needs_grad(x))
    autograd::record(
        "IndexSelectBackward0", {x}, {out}, autograd::save(index),
        [sizes = DimVector(x.sizes()), dim](autograd::BackwardArgs<1>& a) -> variable_list {
          return {detail::index_add(zeros(sizes, a.grad().dtype()), dim, a.saved[0], a.grad())};
        });
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index_dtype(index, "gather");
  dim = detail::wrap_dim(dim, x.dim(), "gather");
  const Tensor x1 = as_1d(x), idx = as_1d(detail::contiguous_data(index));
  TG_CHECK(idx.dim() == x1.dim(),
           "gather: index must have the same number of dimensions as the input, but "
           "the index has shape ",
           detail::shape_str(index.sizes()), " and the input has shape ",
           detail::shape_str(x.sizes()));
  for (int64_t d = 0; d < x1.dim(); ++d)
    TG_CHECK(d == dim || idx.size(d) <= x1.size(d), "gather: the index of shape ",
             detail::shape_str(index.sizes()), " is larger than the input of shape ",
             detail::shape_str(x.sizes()), " in dimension ", d, "; outside dimension ", dim,
             " index sizes must not exceed the input's");
  check_index_range(idx, x1.size(dim), dim, "gather");
  Tensor out = detail::make_empty(index.sizes(), x.dtype());
  if (out.numel() > 0) kernels::gather(as_1d(out), x1, idx, dim);
  if (autograd::needs_grad(x))
    autograd::record(
        "GatherBackward0", {x}, {out}, autograd::save(index),
        [sizes = DimVector(x.sizes()), dim](autograd::BackwardArgs<1>& a) -> variable_list {
          return {zeros(sizes, a.grad().dtype()).scatter_add(dim, a.saved[0], a.grad())};
        });
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  check_index_dtype(index, "scatter_add");
  TG_CHECK(src.defined(), "scatter_add: src is undefined");
  TG_CHECK(src.dtype() == x.dtype(), "scatter_add: src has dtype ", src.dtype(),
           " but self has dtype ", x.dtype(), "; convert src with src.to(", x.dtype(), ")");
  dim = detail::wrap_dim(dim, x.dim(), "scatter_add");
  Tensor out = detail::make_empty(x.sizes(), x.dtype());
  detail::copy_into(out, x);
  if (index.numel() > 0) {
    const Tensor o1 = as_1d(out), s1 = as_1d(src), idx = as_1d(detail::contiguous_data(index));
    TG_CHECK(idx.dim() == o1.dim() && s1.dim() == o1.dim(),
             "scatter_add: self, index and src "
             "must have the same number of dimensions, but self has shape ",
             detail::shape_str(x.sizes()), ", index ", detail::shape_str(index.sizes()),
             " and src ", detail::shape_str(src.sizes()));
    for (int64_t d = 0; d < o1.dim(); ++d) {
      TG_CHECK(idx.size(d) <= s1.size(d), "scatter_add: the index of shape ",
               detail::shape_str(index.sizes()), " is larger than src of shape ",
               detail::shape_str(src.sizes()), " in dimension ", d,
               "; index sizes must not exceed src's");
      TG_CHECK(d == dim || idx.size(d) <= o1.size(d), "scatter_add: the index of shape ",
               detail::shape_str(index.sizes()), " is larger than self of shape ",
               detail::shape_str(x.sizes()), " in dimension ", d, "; outside dimension ", dim,
               " index sizes must not exceed self's");
    }
    check_index_range(idx, o1.size(dim), dim, "scatter_add");
    kernels::scatter_add(o1, s1, idx, dim);
  }
  if (autograd::needs_grad(x, src))
    autograd::record(
        "ScatterAddBackward0", {x, src}, {out}, autograd::save(index),
        [dim, src_sizes = DimVector(src.sizes())](autograd::BackwardArgs<1>& a) -> variable_list {
          variable_list grads(2);
          if (a.needs(0)) grads[0] = a.grad();
          if (a.needs(1)) {
            const Tensor& index = a.saved[0];
            grads[1] = index.numel() == 0 ? zeros(src_sizes, a.grad().dtype())
                                          : pad_to(a.grad().gather(dim, index), src_sizes);
          }
          return grads;
        });
  return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value) {
  const DimVector shape = masked_fill_shape(x, mask);
  Tensor out = masked_fill_kernel(x, mask, value, shape);
  if (autograd::needs_grad(x))
    autograd::record("MaskedFillBackward0", {x}, {out}, autograd::save(mask),
                     [](autograd::BackwardArgs<1>& a) -> variable_list {
                       return {a.grad().masked_fill(a.saved[0], 0)};
                     });
  return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value) {
  TG_CHECK(value.defined(), "masked_fill: the value tensor is undefined");
  TG_CHECK(value.dim() == 0, "masked_fill: the value must be a 0-d tensor but has shape ",
           detail::shape_str(value.sizes()), "; pass a Scalar or a 0-d tensor (e.g. v.sum())");
  const DimVector shape = masked_fill_shape(x, mask);
  Tensor out = masked_fill_kernel(x, mask, value.item(), shape);
  if (autograd::needs_grad(x, value))
    autograd::record("MaskedFillBackward1", {x, value}, {out}, autograd::save(mask),
                     [value_dtype = value.dtype()](autograd::BackwardArgs<1>& a) -> variable_list {
                       variable_list grads(2);
                       const Tensor& m = a.saved[0];
                       if (a.needs(0)) grads[0] = a.grad().masked_fill(m, 0);
                       if (a.needs(1)) {
                         // The value received the gradient of every position the mask selects.
                         Tensor g = a.grad().masked_fill(logical_not(m), 0).sum();
                         grads[1] = g.dtype() == value_dtype ? g : g.to(value_dtype);
                       }
                       return grads;
                     });
  return out;
}

// ---- Tensor methods ----
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return tg::index_select(*this, dim, index);
}
Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  return tg::gather(*this, dim, index);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return tg::scatter_add(*this, dim, index, src);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return tg::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  return tg::masked_fill(*this, mask, value);
}

}  // namespace tg
