// Tensor's queries and its autograd surface.
#include "tensorgrad/tensor.h"

#include <cmath>
#include <cstring>

#include "autograd/meta.h"
#include "autograd/view.h"
#include "core/internal.h"
#include "kernels/loop.h"

namespace tg {

using autograd::AutogradMeta;
using autograd::meta_if;
using autograd::meta_of;

void Tensor::throw_undefined() {
  throw Error("Tensor: the tensor is undefined (default-constructed); assign it a value first");
}

int64_t Tensor::size(int64_t d) const {
  TG_CHECK(dim() > 0, "size: a 0-d tensor has no dimensions");
  return checked().sizes[detail::wrap_dim(d, dim(), "size")];
}

int64_t Tensor::stride(int64_t d) const {
  TG_CHECK(dim() > 0, "stride: a 0-d tensor has no dimensions");
  return checked().strides[detail::wrap_dim(d, dim(), "stride")];
}

Scalar Tensor::item() const {
  TG_CHECK(numel() == 1, "item: a Tensor with ", numel(),
           " elements cannot be converted to Scalar; only one-element tensors can (shape ",
           detail::shape_str(sizes()), ")");
  return kernels::dispatch(dtype(), [&](auto tag) -> Scalar {
    using T = typename decltype(tag)::type;
    return Scalar(*reinterpret_cast<const T*>(checked().data_bytes()));  // no pointer escapes
  });
}

template <class T>
T* Tensor::data_ptr() const {
  TG_CHECK(scalar_type() == CppTypeToScalarType<T>::value, "data_ptr: expected scalar type ",
           CppTypeToScalarType<T>::value, " but found ", scalar_type());
  return reinterpret_cast<T*>(checked().exposed_data_bytes());
}
template uint8_t* Tensor::data_ptr<uint8_t>() const;
template int8_t* Tensor::data_ptr<int8_t>() const;
template int16_t* Tensor::data_ptr<int16_t>() const;
template int32_t* Tensor::data_ptr<int32_t>() const;
template int64_t* Tensor::data_ptr<int64_t>() const;
template Half* Tensor::data_ptr<Half>() const;
template float* Tensor::data_ptr<float>() const;
template double* Tensor::data_ptr<double>() const;
template bool* Tensor::data_ptr<bool>() const;
template BFloat16* Tensor::data_ptr<BFloat16>() const;

Tensor::Tensor(const Tensor& t, bool requires_grad) : Tensor(t.detach()) {
  if (requires_grad) requires_grad_(true);
}

// ---- autograd ----

bool Tensor::requires_grad() const {
  const AutogradMeta* m = meta_if(*this);
  if (m && (m->requires_grad || m->grad_fn)) return true;
  // A view requires grad when its base does: See Note [Views and in-place].
  const TensorImpl* base = impl_->base.get();
  if (!base) [[likely]]
    return false;
  const AutogradMeta* b = base->autograd.get();
  return b && (b->requires_grad || b->grad_fn);
}

bool Tensor::is_leaf() const { return grad_fn() == nullptr; }

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  if (checked().base) [[unlikely]]
    return autograd::view_grad_fn(*this);
  const AutogradMeta* m = meta_if(*this);
  return m ? m->grad_fn : none;
}

uint32_t Tensor::output_nr() const {
  const AutogradMeta* m = meta_if(*this);
  return m ? m->output_nr : 0;
}

Tensor Tensor::_base() const { return is_view() ? Tensor(impl_->base) : Tensor(); }

Tensor Tensor::tensor_data() const {
  Tensor out = detail::shallow_copy(*this);
  TensorImpl* impl = out.unsafeGetTensorImpl();
  impl->base.reset();
  impl->creation_meta = autograd::CreationMeta::DEFAULT;
  return out;
}

Tensor Tensor::variable_data() const { return tensor_data(); }

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  const AutogradMeta* m = meta_if(*this);
  return m ? m->grad : undefined;
}

Tensor& Tensor::mutable_grad() const { return meta_of(*this).grad; }

Tensor& Tensor::requires_grad_(bool requires_grad) const {
  TG_CHECK(is_leaf() || requires_grad,
           "requires_grad_: you can only change requires_grad flags of leaf variables. If you "
           "want to use a computed variable in a subgraph that doesn't require differentiation "
           "use var_no_grad = var.detach()");
  TG_CHECK(!requires_grad || is_floating_point(),
           "requires_grad_: Only Tensors of floating point and complex dtype can require gradients "
           "(tensorgrad has no complex dtype), but this "
           "tensor has dtype ",
           dtype(), "; convert it with .to(tg::kFloat) first");
  TG_CHECK(!requires_grad || !is_inference() || InferenceMode::is_enabled(),
           "requires_grad_: Setting requires_grad=True on inference tensor outside InferenceMode "
           "is not allowed. Make a normal tensor from it with clone() first");
  if (!requires_grad && !meta_if(*this)) return const_cast<Tensor&>(*this);
  meta_of(*this).requires_grad = requires_grad;
  return const_cast<Tensor&>(*this);
}

void Tensor::retain_grad() const {
  TG_CHECK(requires_grad(),
           "retain_grad: can't retain_grad on a Tensor that has requires_grad=False");
  const std::shared_ptr<autograd::Node>& fn = grad_fn();
  if (!fn) return;  // leaves always keep their gradient
  AutogradMeta& m = meta_of(*this);
  if (m.retains_grad) return;
  m.retains_grad = true;
  // Weak: the tensor owns grad_fn, which owns the hook.
  m.retain_grad_hook =
      fn->add_tensor_pre_hook(m.output_nr, autograd::retain_grad_hook(impl()->autograd));
}

bool Tensor::retains_grad() const {
  const AutogradMeta* m = meta_if(*this);
  return m && m->retains_grad;
}

unsigned Tensor::register_hook_impl(std::function<Tensor(const Tensor&)> fn) const {
  TG_CHECK(requires_grad(),
           "register_hook: cannot register a hook on a tensor that doesn't "
           "require gradient; call requires_grad_() first");
  const std::shared_ptr<autograd::Node>& grad_fn = this->grad_fn();
  AutogradMeta& m = meta_of(*this);
  if (grad_fn) {
    // The hook belongs to the tensor's current value: an in-place op later gives the tensor a
    // new grad_fn, and the hook stays with this one.
    m.hooks.push_back({grad_fn, grad_fn->add_tensor_pre_hook(m.output_nr, std::move(fn))});
  } else {
    unsigned handle = autograd::next_hook_id();
    m.leaf_hooks.push_back({handle, std::move(fn)});
    m.hooks.push_back({{}, handle});
  }
  return static_cast<unsigned>(m.hooks.size() - 1);
}

void Tensor::remove_hook(unsigned position) const {
  AutogradMeta* m = meta_if(*this);
  TG_CHECK(m && position < m->hooks.size(), "remove_hook: Invalid index, no hook at position ",
           position, " (this tensor has ", m ? m->hooks.size() : 0,
           " hooks); pass what register_hook returned");
  const AutogradMeta::HookRef& ref = m->hooks[position];
  if (auto node = ref.node.lock()) node->remove_tensor_pre_hook(ref.handle);
  std::erase_if(m->leaf_hooks, [&](const AutogradMeta::Hook& h) { return h.handle == ref.handle; });
}

Tensor Tensor::detach() const {
  Tensor out = detail::shallow_copy(*this);
  TensorImpl* impl = out.unsafeGetTensorImpl();
  impl->base.reset();  // not a view for autograd, as libtorch
  impl->creation_meta = autograd::CreationMeta::DEFAULT;
  return out;
}

Tensor& Tensor::resize_(IntArrayRef size) const {
  checked();  // throws for an undefined tensor
  TensorImpl& self = *impl_;
  TG_CHECK(!requires_grad(),
           "resize_: cannot resize variables that require grad; resize a tensor made under "
           "tg::NoGradGuard or a detach()ed one");
  detail::check_inplace_allowed(*this, "resize_");
  int64_t numel = 1;
  for (int64_t s : size) {
    TG_CHECK(s >= 0, "resize_: negative dimension in size ", detail::shape_str(size));
    TG_CHECK(!__builtin_mul_overflow(numel, s, &numel), "resize_: the number of elements of size ",
             detail::shape_str(size), " overflows int64");
  }
  const size_t needed = static_cast<size_t>(self.offset + numel) * element_size();
  if (needed > self.storage->nbytes) {
    if (!self.storage->settled()) detail::settle(*self.storage);  // the old data is copied
    TG_CHECK(detail::storage_is_resizable(*self.storage),
             "resize_: Trying to resize storage that is not resizable (from_blob memory of ",
             self.storage->nbytes, " bytes, ", needed, " needed); clone() the tensor first");
    // A larger buffer with the old data at its start. Unlike libtorch, other tensors on the old
    // storage (views) keep the old buffer rather than seeing the new one.
    StoragePtr grown = Storage::allocate(needed);
    std::memcpy(grown->data, self.storage->data, self.storage->nbytes);
    grown->version.store(self.storage->version.load(std::memory_order_relaxed),
                         std::memory_order_relaxed);
    self.storage = std::move(grown);
  }
  self.sizes = DimVector(size);
  self.strides = detail::contiguous_strides(size);
  self.numel = numel;
  return const_cast<Tensor&>(*this);
}

Tensor& Tensor::detach_() const {
  TensorImpl& self = *impl_;
  TG_CHECK(!self.base, "detach_: Can't detach views in-place. Use detach() instead");
  if (self.autograd) {
    self.autograd->grad_fn.reset();
    self.autograd->requires_grad = false;
  }
  return const_cast<Tensor&>(*this);
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      std::optional<TensorList> inputs) const {
  TG_CHECK(!inputs || !inputs->empty(),
           "backward: 'inputs' argument to backward() cannot be empty; leave it out to "
           "accumulate into every leaf");
  autograd::backward({*this}, gradient.defined() ? variable_list{gradient} : variable_list{},
                     retain_graph, create_graph, inputs ? inputs->vec() : variable_list{});
}

bool Tensor::allclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return tg::allclose(*this, other, rtol, atol, equal_nan);
}
bool Tensor::equal(const Tensor& other) const { return tg::equal(*this, other); }

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  DimVector shape = broadcast_shapes(a.sizes(), b.sizes());
  // As libtorch: floating tensors compare in their common dtype (float for Half and BFloat16),
  // tolerances included, so allclose(0.1f, 0, 0, 0.1) holds; integers compare in double.
  const ScalarType common = result_type(a, b);
  const ScalarType dtype = common == kDouble || !is_floating_point(common) ? kDouble : kFloat;
  Tensor ad = detail::cast(a.detach(), dtype), bd = detail::cast(b.detach(), dtype);
  Tensor ok = detail::make_empty(shape, kBool);
  kernels::dispatch_float_double(dtype, "allclose", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T rt = static_cast<T>(rtol), at = static_cast<T>(atol);
    kernels::binary_loop<bool, T, T>(ok, ad, bd, [&](T x, T y) {
      if (std::isnan(x) || std::isnan(y)) return equal_nan && std::isnan(x) && std::isnan(y);
      if (x == y) return true;
      return std::abs(x - y) <= at + rt * std::abs(y);
    });
  });
  const bool* p = ok.data_ptr<bool>();
  for (int64_t i = 0; i < ok.numel(); ++i)
    if (!p[i]) return false;
  return true;
}

bool equal(const Tensor& a, const Tensor& b) {
  if (!a.sizes().equals(b.sizes())) return false;
  Tensor ad = detail::cast(a.detach(), kDouble), bd = detail::cast(b.detach(), kDouble);
  Tensor same = detail::make_empty(a.sizes(), kBool);
  kernels::binary_loop<bool, double, double>(same, ad, bd,
                                             [](double x, double y) { return x == y; });
  const bool* p = same.data_ptr<bool>();
  for (int64_t i = 0; i < same.numel(); ++i)
    if (!p[i]) return false;
  return true;
}

}  // namespace tg
