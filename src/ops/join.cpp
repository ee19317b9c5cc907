// Joining: cat and stack put their inputs side by side along a dimension (in the promoted
// dtype); repeat tiles copies of one input. Each result is a new tensor; the derivatives cut the
// output gradient back into the inputs' pieces (narrow, select) or sum the copies.
#include <algorithm>
#include <vector>

#include "autograd/record.h"
#include "core/internal.h"
#include "ops/slicing.h"

namespace tg {

namespace {

int64_t storage_offset(const Tensor& t) { return t.unsafeGetTensorImpl()->offset; }

/// The dtype every operand of cat/stack converts to: promote_types over all of them.
ScalarType promote_all(TensorList tensors) {
  ScalarType t = tensors[0].scalar_type();
  for (const Tensor& x : tensors) t = promote_types(t, x.scalar_type());
  return t;
}

/// The gradient for an input of dtype `dtype` from a gradient in the promoted dtype.
Tensor to_dtype(const Tensor& g, ScalarType dtype) { return g.dtype() == dtype ? g : g.to(dtype); }

}  // namespace

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
    if (lengths[i] > 0)
      detail::copy_into(detail::slice_view(out, dim, offset, lengths[i], 1), tensors[i]);
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
    if (first.numel() > 0) detail::copy_into(detail::select_view(out, dim, i), tensors[i]);
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
Tensor Tensor::repeat(IntArrayRef repeats) const { return tg::repeat(*this, repeats); }

}  // namespace tg
