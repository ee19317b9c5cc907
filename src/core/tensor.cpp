// Tensor's queries and its autograd surface.
#include "tensorgrad/tensor.h"

#include <cmath>

#include "autograd/meta.h"
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
    return Scalar(*static_cast<const T*>(data_ptr()));
  });
}

template <class T>
T* Tensor::data_ptr() const {
  TG_CHECK(scalar_type() == CppTypeToScalarType<T>::value, "data_ptr: expected scalar type ",
           CppTypeToScalarType<T>::value, " but found ", scalar_type());
  return reinterpret_cast<T*>(checked().data_bytes());
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
  return m && (m->requires_grad || m->grad_fn);
}

bool Tensor::is_leaf() const {
  const AutogradMeta* m = meta_if(*this);
  return !m || !m->grad_fn;
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  const AutogradMeta* m = meta_if(*this);
  return m ? m->grad_fn : none;
}

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
           "requires_grad_: only Tensors of floating point dtype can require gradients, but this "
           "tensor has dtype ",
           dtype(), "; convert it with .to(tg::kFloat) first");
  if (!requires_grad && !meta_if(*this)) return const_cast<Tensor&>(*this);
  meta_of(*this).requires_grad = requires_grad;
  return const_cast<Tensor&>(*this);
}

void Tensor::retain_grad() const {
  TG_CHECK(requires_grad(),
           "retain_grad: can't retain_grad on a Tensor that has requires_grad=False");
  if (is_leaf()) return;  // leaves always keep their gradient
  AutogradMeta& m = meta_of(*this);
  if (m.retains_grad) return;
  m.retains_grad = true;
  // Weak: the tensor owns grad_fn, which owns the hook.
  std::weak_ptr<AutogradMeta> weak = impl()->autograd;
  m.retain_grad_hook = m.grad_fn->add_tensor_pre_hook(m.output_nr, [weak](const Tensor& g) {
    if (auto meta = weak.lock()) {
      std::lock_guard<std::mutex> lock(meta->mutex);
      if (!meta->grad.defined()) {
        meta->grad = GradMode::is_enabled() ? g : g.detach().clone();
      } else {
        meta->grad = meta->grad + (GradMode::is_enabled() ? g : g.detach());
      }
      meta->grad.unsafeGetTensorImpl()->is_grad = true;
    }
    return Tensor();
  });
}

bool Tensor::retains_grad() const {
  const AutogradMeta* m = meta_if(*this);
  return m && m->retains_grad;
}

unsigned Tensor::register_hook_impl(std::function<Tensor(const Tensor&)> fn) const {
  TG_CHECK(requires_grad(),
           "register_hook: cannot register a hook on a tensor that doesn't "
           "require gradient; call requires_grad_() first");
  AutogradMeta& m = meta_of(*this);
  if (m.grad_fn) return m.grad_fn->add_tensor_pre_hook(m.output_nr, std::move(fn));
  unsigned handle = autograd::next_hook_id();
  m.leaf_hooks.push_back({handle, std::move(fn)});
  return handle;
}

void Tensor::remove_hook(unsigned handle) const {
  AutogradMeta* m = meta_if(*this);
  if (!m) return;
  if (m->grad_fn) m->grad_fn->remove_tensor_pre_hook(handle);
  std::erase_if(m->leaf_hooks, [&](const AutogradMeta::Hook& h) { return h.handle == handle; });
}

Tensor Tensor::detach() const {
  const TensorImpl& self = checked();
  Tensor out = detail::make_view(*this, self.sizes, self.strides, self.offset);
  out.unsafeGetTensorImpl()->is_view = self.is_view;
  return out;
}

Tensor& Tensor::detach_() const {
  TensorImpl& self = *impl_;
  if (self.autograd) {
    self.autograd->grad_fn.reset();
    self.autograd->requires_grad = false;
  }
  return const_cast<Tensor&>(*this);
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      std::optional<std::vector<Tensor>> inputs) const {
  autograd::backward({*this}, gradient.defined() ? variable_list{gradient} : variable_list{},
                     retain_graph, create_graph, inputs.value_or(variable_list{}));
}

bool Tensor::allclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return tg::allclose(*this, other, rtol, atol, equal_nan);
}
bool Tensor::equal(const Tensor& other) const { return tg::equal(*this, other); }

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  DimVector shape = broadcast_shapes(a.sizes(), b.sizes());
  Tensor ad = detail::cast(a.detach(), kDouble), bd = detail::cast(b.detach(), kDouble);
  Tensor ok = detail::make_empty(shape, kBool);
  kernels::binary_loop<bool, double, double>(ok, ad, bd, [&](double x, double y) {
    if (std::isnan(x) || std::isnan(y)) return equal_nan && std::isnan(x) && std::isnan(y);
    if (x == y) return true;
    return std::abs(x - y) <= atol + rtol * std::abs(y);
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
