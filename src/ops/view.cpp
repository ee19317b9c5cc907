// The core shape ops: view, reshape, flatten, expand, squeeze, unsqueeze, transpose, permute, t,
// contiguous, clone, to. Views share storage with their input.
#include "autograd/record.h"
#include "core/internal.h"

namespace tg {

namespace {

DimVector infer_size(IntArrayRef shape, int64_t numel, const char* op, IntArrayRef from) {
  DimVector out(shape);
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      TG_CHECK(infer < 0, op, ": only one dimension can be inferred (-1) in shape ",
               detail::shape_str(shape));
      infer = static_cast<int64_t>(i);
    } else {
      TG_CHECK(shape[i] >= 0, op, ": invalid shape dimension ", shape[i], " in ",
               detail::shape_str(shape));
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    TG_CHECK(known != 0 && numel % known == 0, op, ": shape ", detail::shape_str(shape),
             " is invalid for input of size ", numel, " (shape ", detail::shape_str(from), ")");
    out[infer] = numel / known;
  } else {
    TG_CHECK(known == numel, op, ": shape ", detail::shape_str(shape),
             " is invalid for input of size ", numel, " (shape ", detail::shape_str(from), ")");
  }
  return out;
}

// Strides for viewing (sizes, strides) as `shape` without copying, if possible: dims that are
// contiguous with each other can be split or merged freely.
std::optional<DimVector> view_strides(IntArrayRef sizes, IntArrayRef strides, IntArrayRef shape) {
  DimVector out(shape.size());
  if (sizes.empty()) {
    for (auto& s : out) s = 1;
    return out;
  }
  int64_t numel = 1;
  for (int64_t s : sizes) numel *= s;
  if (numel == 0) return detail::contiguous_strides(shape);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

Tensor view_of(const Tensor& x, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  return detail::make_view(x, sizes, strides, offset);
}

/// A view of x's elements in their order under another shape (view, squeeze): its gradient is
/// the incoming one reshaped back to x's shape.
Tensor reshaped_view(const Tensor& x, IntArrayRef sizes, IntArrayRef strides, const char* node) {
  Tensor result = view_of(x, sizes, strides, x.unsafeGetTensorImpl()->offset);
  if (needs_grad(x))
    record(node, {x}, {result}, save(),
           [in = DimVector(x.sizes())](BackwardArgs<0>& a) -> variable_list {
             return {a.grad().reshape(in)};
           });
  return result;
}

}  // namespace

Tensor view(const Tensor& x, IntArrayRef size) {
  DimVector shape = infer_size(size, x.numel(), "view", x.sizes());
  auto strides = view_strides(x.sizes(), x.strides(), shape);
  TG_CHECK(strides.has_value(), "view: view size ", detail::shape_str(shape),
           " is not compatible with input tensor's size ", detail::shape_str(x.sizes()),
           " and stride ", detail::shape_str(x.strides()),
           " (at least one dimension spans across two contiguous subspaces); use .reshape(...) "
           "instead");
  return reshaped_view(x, shape, *strides, "ViewBackward0");
}

Tensor alias(const Tensor& x) {
  Tensor result = view_of(x, x.sizes(), x.strides(), x.unsafeGetTensorImpl()->offset);
  if (needs_grad(x))
    record("AliasBackward0", {x}, {result}, save(),
           [](BackwardArgs<0>& a) -> variable_list { return {a.grad()}; });
  return result;
}

Tensor reshape(const Tensor& x, IntArrayRef shape) {
  DimVector s = infer_size(shape, x.numel(), "reshape", x.sizes());
  if (view_strides(x.sizes(), x.strides(), s)) return view(x, s);
  // CloneBackward0, then the copy in its new shape: not a view, since nothing else can reach its
  // data (as libtorch's _unsafe_view).
  Tensor result = view(clone(x), s);
  result.unsafeGetTensorImpl()->base.reset();
  return result;
}

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

Tensor expand(const Tensor& x, IntArrayRef size, bool /*implicit*/) {
  const int64_t nd = static_cast<int64_t>(size.size());
  TG_CHECK(nd >= x.dim(), "expand: the number of sizes provided (", nd,
           ") must be greater or equal to the number of dimensions in the tensor (", x.dim(),
           "); shape ", detail::shape_str(x.sizes()), " cannot expand to ",
           detail::shape_str(size));
  DimVector sizes(static_cast<size_t>(nd)), strides(static_cast<size_t>(nd));
  for (int64_t i = nd - 1; i >= 0; --i) {
    const int64_t d = i - (nd - x.dim());
    const int64_t have = d >= 0 ? x.size(d) : 1;
    int64_t want = size[i];
    if (want == -1) {
      TG_CHECK(d >= 0, "expand: -1 is not allowed in a leading, non-existing dimension (",
               detail::shape_str(size), ")");
      want = have;
    }
    TG_CHECK(want >= 0, "expand: the expanded size of the tensor (", want,
             ") must be non-negative (-1 keeps an existing dimension) at dimension ", i,
             "; target sizes ", detail::shape_str(size), ", tensor sizes ",
             detail::shape_str(x.sizes()));
    TG_CHECK(have == want || have == 1, "expand: the expanded size of the tensor (", want,
             ") must match the existing size (", have, ") at non-singleton dimension ", i,
             "; target sizes ", detail::shape_str(size), ", tensor sizes ",
             detail::shape_str(x.sizes()));
    sizes[i] = want;
    strides[i] = (d >= 0 && have == want) ? x.stride(d) : 0;
  }
  Tensor result = view_of(x, sizes, strides, x.unsafeGetTensorImpl()->offset);
  if (needs_grad(x))
    record("ExpandBackward0", {x}, {result}, save(),
           [in = DimVector(x.sizes())](BackwardArgs<0>& a) -> variable_list {
             return {sum_to(a.grad(), in)};
           });
  return result;
}

Tensor squeeze(const Tensor& x) {
  DimVector sizes, strides;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (x.size(d) != 1) {
      sizes.push_back(x.size(d));
      strides.push_back(x.stride(d));
    }
  return reshaped_view(x, sizes, strides, "SqueezeBackward0");
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  const int64_t d = detail::wrap_dim(dim, x.dim(), "squeeze");
  DimVector sizes(x.sizes()), strides(x.strides());
  if (x.dim() > 0 && x.size(d) == 1) {
    sizes.erase(static_cast<size_t>(d));
    strides.erase(static_cast<size_t>(d));
  }
  return reshaped_view(x, sizes, strides, "SqueezeBackward1");
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  const int64_t d = detail::wrap_dim(dim, x.dim() + 1, "unsqueeze");
  DimVector sizes(x.sizes()), strides(x.strides());
  const int64_t stride = d < x.dim() ? x.size(d) * x.stride(d) : 1;
  sizes.insert(static_cast<size_t>(d), 1);
  strides.insert(static_cast<size_t>(d), stride);
  Tensor result = view_of(x, sizes, strides, x.unsafeGetTensorImpl()->offset);
  if (needs_grad(x))
    record("UnsqueezeBackward0", {x}, {result}, save(),
           [d](BackwardArgs<0>& a) -> variable_list { return {a.grad().squeeze(d)}; });
  return result;
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  const int64_t d0 = detail::wrap_dim(dim0, x.dim(), "transpose");
  const int64_t d1 = detail::wrap_dim(dim1, x.dim(), "transpose");
  DimVector sizes(x.sizes()), strides(x.strides());
  if (x.dim() > 0) {
    std::swap(sizes[d0], sizes[d1]);
    std::swap(strides[d0], strides[d1]);
  }
  Tensor result = view_of(x, sizes, strides, x.unsafeGetTensorImpl()->offset);
  if (needs_grad(x))
    record("TransposeBackward0", {x}, {result}, save(),
           [d0, d1](BackwardArgs<0>& a) -> variable_list { return {a.grad().transpose(d0, d1)}; });
  return result;
}

Tensor t(const Tensor& x) {
  TG_CHECK(x.dim() <= 2, "t: expects a tensor with <= 2 dimensions, but self is ", x.dim(),
           "-D (shape ", detail::shape_str(x.sizes()), "); use transpose(dim0, dim1) instead");
  DimVector sizes(x.sizes()), strides(x.strides());
  if (x.dim() == 2) {
    std::swap(sizes[0], sizes[1]);
    std::swap(strides[0], strides[1]);
  }
  Tensor result = view_of(x, sizes, strides, x.unsafeGetTensorImpl()->offset);
  if (needs_grad(x))
    record("TBackward0", {x}, {result}, save(),
           [](BackwardArgs<0>& a) -> variable_list { return {a.grad().t()}; });
  return result;
}

Tensor permute(const Tensor& x, IntArrayRef dims) {
  TG_CHECK(static_cast<int64_t>(dims.size()) == x.dim(),
           "permute: number of dims don't match: ", "the tensor has ", x.dim(),
           " dimensions (shape ", detail::shape_str(x.sizes()), ") but ", dims.size(),
           " were given (", detail::shape_str(dims), ")");
  DimVector sizes(dims.size()), strides(dims.size()), inverse(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = detail::wrap_dim(dims[i], x.dim(), "permute");
    TG_CHECK(!seen[d], "permute: repeated dim ", d, " in ", detail::shape_str(dims));
    seen[d] = true;
    sizes[i] = x.size(d);
    strides[i] = x.stride(d);
    inverse[d] = static_cast<int64_t>(i);
  }
  Tensor result = view_of(x, sizes, strides, x.unsafeGetTensorImpl()->offset);
  if (needs_grad(x))
    record("PermuteBackward0", {x}, {result}, save(),
           [inverse](BackwardArgs<0>& a) -> variable_list { return {a.grad().permute(inverse)}; });
  return result;
}

Tensor clone(const Tensor& x) {
  Tensor result = detail::make_empty(x.sizes(), x.dtype());
  detail::copy_into(result, x);
  if (needs_grad(x))
    record("CloneBackward0", {x}, {result}, save(),
           [](BackwardArgs<0>& a) -> variable_list { return {a.grad()}; });
  return result;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : tg::clone(*this); }

Tensor Tensor::to(ScalarType dtype, bool /*non_blocking*/, bool copy) const {
  if (dtype == scalar_type() && !copy) return *this;
  Tensor result = detail::make_empty(sizes(), dtype);
  detail::copy_into(result, *this);
  if (needs_grad(*this) && tg::is_floating_point(dtype)) {
    record("ToCopyBackward0", {*this}, {result}, save(),
           [from = scalar_type()](BackwardArgs<0>& a) -> variable_list {
             return {a.grad().to(from)};
           });
  }
  return result;
}

Tensor Tensor::to(const TensorOptions& options, bool non_blocking, bool copy) const {
  TG_CHECK(!options.requires_grad(),
           "to: Operators taking TensorOptions cannot take a TensorOptions with "
           "options.requires_grad set as true; call "
           ".requires_grad_() on the result instead");
  if (options.has_device() || options.has_layout()) detail::factory_dtype("to", options);
  return to(options.has_dtype() ? options.dtype().toScalarType() : scalar_type(), non_blocking,
            copy);
}

Tensor Tensor::to(TypeMeta dtype, bool non_blocking, bool copy) const {
  return to(dtype.toScalarType(), non_blocking, copy);
}

Tensor Tensor::to(Device device, ScalarType dtype, bool non_blocking, bool copy) const {
  detail::check_device("to", device);
  return to(dtype, non_blocking, copy);
}

Tensor Tensor::to(Device device, TypeMeta dtype, bool non_blocking, bool copy) const {
  return to(device, dtype.toScalarType(), non_blocking, copy);
}

Tensor Tensor::to(const Tensor& other, bool non_blocking, bool copy) const {
  return to(other.scalar_type(), non_blocking, copy);
}

Tensor Tensor::view(IntArrayRef size) const { return tg::view(*this, size); }
Tensor Tensor::alias() const { return tg::alias(*this); }
Tensor Tensor::view_as(const Tensor& other) const { return tg::view(*this, other.sizes()); }
Tensor Tensor::reshape(IntArrayRef shape) const { return tg::reshape(*this, shape); }
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return tg::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::expand(IntArrayRef size, bool implicit) const {
  return tg::expand(*this, size, implicit);
}
Tensor Tensor::expand_as(const Tensor& other) const { return tg::expand(*this, other.sizes()); }
Tensor Tensor::squeeze() const { return tg::squeeze(*this); }
Tensor Tensor::squeeze(int64_t dim) const { return tg::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(int64_t dim) const { return tg::unsqueeze(*this, dim); }
Tensor Tensor::transpose(int64_t d0, int64_t d1) const { return tg::transpose(*this, d0, d1); }
Tensor Tensor::t() const { return tg::t(*this); }
Tensor Tensor::permute(IntArrayRef dims) const { return tg::permute(*this, dims); }
Tensor Tensor::clone() const { return tg::clone(*this); }

}  // namespace tg
