// tg::nn::Module: registration, traversal, modes, dtype conversion and printing.
#include "tensorgrad/nn/module.h"

#include <ostream>

#include "autograd/meta.h"
#include "core/internal.h"

namespace tg::nn {

namespace detail {

void set_data(const Tensor& dst, const Tensor& src) {
  TG_CHECK(dst.defined() && src.defined(),
           "set_data: both tensors must be defined (got an undefined ",
           dst.defined() ? "source" : "destination", ")");
  TensorImpl* d = dst.unsafeGetTensorImpl();
  const TensorImpl* s = src.unsafeGetTensorImpl();
  if (d == s) return;
  tg::detail::share_data(*d, *s);
  if (autograd::AutogradMeta* m = autograd::meta_if(dst)) {
    std::lock_guard<std::mutex> lock(m->mutex);
    // A graph recorded before carries the old shape and dtype: new graphs get a fresh sink.
    m->grad_accumulator.reset();
    if (m->grad.defined() && m->grad.dtype() != d->dtype)
      m->grad = tg::detail::cast(m->grad.detach(), d->dtype);
  }
}

}  // namespace detail

namespace {

std::string join_name(const std::string& prefix, const std::string& name) {
  if (prefix.empty()) return name;
  return prefix + "." + name;
}

// The defined tensors of tensors_of(module) for this module (and, with recurse, every module
// below it), named by their dotted paths.
template <class TensorsOf>
OrderedDict<std::string, Tensor> named_defined(const Module& self, bool recurse,
                                               TensorsOf tensors_of) {
  OrderedDict<std::string, Tensor> result;
  auto add = [&result, &tensors_of](const std::string& prefix, const Module& module) {
    for (const auto& item : tensors_of(module))
      if (item.value().defined()) result.insert(join_name(prefix, item.key()), item.value());
  };
  if (recurse) {
    self.apply(add);
  } else {
    add("", self);
  }
  return result;
}

/// `what` is "Parameter", "Buffer" or "Submodule".
// Takes the module rather than its name: name() is asked only for a message, because a base
// class that registers in its constructor would otherwise fix the name to its own type's.
void check_name(const std::string& name, const char* op, const char* what, const Module& module) {
  TG_CHECK(!name.empty(), op, ": ", what, " name must not be empty (in module ", module.name(),
           ")");
  TG_CHECK(name.find('.') == std::string::npos, op, ": ", what,
           " name must not contain a dot (got '", name, "') in module ", module.name(),
           "; dots separate the levels of nested modules: register it in a submodule and the "
           "submodule with register_module");
}

// What a registration of a parameter or a buffer calls itself in messages.
struct TensorTable {
  const char* op;    // "register_parameter"
  const char* what;  // "Parameter"
  const char* noun;  // "parameter"
};
constexpr TensorTable kParameters{"register_parameter", "Parameter", "parameter"};
constexpr TensorTable kBuffers{"register_buffer", "Buffer", "buffer"};

// Parameters and buffers share one namespace: a new name of table `own` must be in neither.
void check_new_tensor_name(const std::string& name, const TensorTable& own,
                           const OrderedDict<std::string, Tensor>& own_items,
                           const TensorTable& other,
                           const OrderedDict<std::string, Tensor>& other_items,
                           const Module& module) {
  check_name(name, own.op, own.what, module);
  TG_CHECK(!own_items.contains(name), own.op, ": ", own.what, " '", name,
           "' already defined in module ", module.name(), "; give each ", own.noun,
           " its own name");
  TG_CHECK(!other_items.contains(name), own.op, ": '", name, "' is already registered as a ",
           other.noun, " of module ", module.name(),
           "; parameters and buffers share one namespace");
}

}  // namespace

Module::Module(std::string name) : name_(std::move(name)) {}

Module::Module() = default;

const std::string& Module::name() const noexcept {
  // Computed lazily: during construction typeid(*this) is still the base class.
  if (!name_.has_value()) name_ = torch_type_name(typeid(*this));
  return *name_;
}

std::shared_ptr<Module> Module::clone(const std::optional<Device>& device) const {
  tg::detail::fail("clone: clone() has not been implemented for ", name(),
                   ". Subclass tg::nn::Cloneable<", name(),
                   "> instead of tg::nn::Module and implement reset() to inherit the ability to "
                   "clone");
}

void Module::clone_(Module& other, const std::optional<Device>& device) {
  tg::detail::fail("clone: ", name(), " cannot be cloned into; derive it from tg::nn::Cloneable");
}

// ---- traversal ----

void Module::apply(const ModuleApplyFunction& fn) {
  fn(*this);
  apply_to_submodules(
      [&fn](const std::string&, const std::shared_ptr<Module>& module) { fn(*module); }, "");
}

void Module::apply(const ConstModuleApplyFunction& fn) const {
  fn(*this);
  apply_to_submodules(
      [&fn](const std::string&, const std::shared_ptr<Module>& module) { fn(*module); }, "");
}

void Module::apply(const NamedModuleApplyFunction& fn, const std::string& name_prefix) {
  fn(name_prefix, *this);
  apply_to_submodules(
      [&fn](const std::string& name, const std::shared_ptr<Module>& module) { fn(name, *module); },
      name_prefix);
}

void Module::apply(const ConstNamedModuleApplyFunction& fn, const std::string& name_prefix) const {
  fn(name_prefix, *this);
  apply_to_submodules(
      [&fn](const std::string& name, const std::shared_ptr<Module>& module) { fn(name, *module); },
      name_prefix);
}

void Module::apply(const ModulePointerApplyFunction& fn) const {
  fn(shared_from_this_checked());
  apply_to_submodules(
      [&fn](const std::string&, const std::shared_ptr<Module>& module) { fn(module); }, "");
}

void Module::apply(const NamedModulePointerApplyFunction& fn,
                   const std::string& name_prefix) const {
  fn(name_prefix, shared_from_this_checked());
  apply_to_submodules(fn, name_prefix);
}

void Module::apply_to_submodules(const NamedModulePointerApplyFunction& fn,
                                 const std::string& name_prefix) const {
  for (const auto& child : children_) {
    const std::string qualified = join_name(name_prefix, child.key());
    fn(qualified, child.value());
    child.value()->apply_to_submodules(fn, qualified);
  }
}

std::shared_ptr<Module> Module::shared_from_this_checked() const {
  std::shared_ptr<const Module> ptr = weak_from_this().lock();
  TG_CHECK(ptr != nullptr,
           "Module: It looks like you attempted to retrieve your top-level "
           "module as a shared_ptr, but ",
           name(),
           " is not owned by a std::shared_ptr, so it cannot hand out a pointer to itself; "
           "create it with std::make_shared (or a module holder), or pass include_self=false "
           "to modules() / named_modules()");
  return std::const_pointer_cast<Module>(ptr);
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  return named_parameters(recurse).values();
}

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  return named_defined(
      *this, recurse, [](const Module& module) -> const auto& { return module.parameters_; });
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  return named_defined(
      *this, recurse, [](const Module& module) -> const auto& { return module.buffers_; });
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) const {
  std::vector<std::shared_ptr<Module>> result;
  if (include_self) result.push_back(shared_from_this_checked());
  apply_to_submodules(
      [&result](const std::string&, const std::shared_ptr<Module>& m) { result.push_back(m); }, "");
  return result;
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(
    const std::string& name_prefix, bool include_self) const {
  OrderedDict<std::string, std::shared_ptr<Module>> result;
  if (include_self) result.insert(name_prefix, shared_from_this_checked());
  apply_to_submodules([&result](const std::string& name,
                                const std::shared_ptr<Module>& m) { result.insert(name, m); },
                      name_prefix);
  return result;
}

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const {
  return children_;
}

// ---- modes, dtype, gradients ----

void Module::train(bool on) {
  for (auto& child : children_) child.value()->train(on);
  is_training_ = on;
}

void Module::eval() { train(false); }

bool Module::is_training() const noexcept { return is_training_; }

void Module::to(Device device, ScalarType dtype, bool non_blocking) {
  to(device, non_blocking);
  to(dtype, non_blocking);
}

void Module::to(ScalarType dtype, bool non_blocking) {
  TG_CHECK(is_floating_point(dtype),
           "Module::to: expected a floating-point dtype (Float or Double)"
           " but got ",
           dtype, " for module ", name(), "; parameters must stay floating point to be trained");
  for (auto& child : children_) child.value()->to(dtype, non_blocking);
  NoGradGuard no_grad;
  auto convert = [dtype](OrderedDict<std::string, Tensor>& tensors) {
    for (auto& item : tensors) {
      const Tensor& t = item.value();
      if (t.defined() && t.is_floating_point() && t.dtype() != dtype)
        detail::set_data(t, tg::detail::cast(t.detach(), dtype));
    }
  };
  convert(parameters_);
  convert(buffers_);
}

void Module::to(Device device, bool non_blocking) {
  TG_CHECK(device.is_cpu(), "Module::to: tensorgrad runs on the CPU only; module ", name(),
           " cannot be moved to another device (use tg::kCPU)");
}

void Module::zero_grad(bool set_to_none) {
  for (auto& child : children_) child.value()->zero_grad(set_to_none);
  for (auto& item : parameters_) {
    if (!item.value().defined()) continue;
    Tensor& grad = item.value().mutable_grad();
    if (!grad.defined()) continue;
    if (set_to_none) {
      grad = Tensor();
    } else {
      // Detached first, so that a gradient kept from create_graph loses its history.
      grad = grad.detach();
      NoGradGuard no_grad;
      grad.zero_();
    }
  }
}

// ---- registration ----

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_new_tensor_name(name, kParameters, parameters_, kBuffers, buffers_, *this);
  if (!tensor.defined() && requires_grad) {
    tg::detail::warn(str("register_parameter: parameter '", name, "' of module ", this->name(),
                         " is an undefined tensor, which cannot require grad. Ignoring the "
                         "`requires_grad=true` function parameter; pass requires_grad=false"));
  } else if (tensor.defined()) {
    TG_CHECK(!requires_grad || tensor.is_floating_point(), "register_parameter: parameter '", name,
             "' of module ", this->name(), " has dtype ", tensor.dtype(),
             " but only floating-point tensors can require grad; register it as a buffer or "
             "pass requires_grad=false");
    // A parameter is a leaf of every graph that uses it.
    if (!tensor.is_leaf()) tensor = tensor.detach();
    tensor.set_requires_grad(requires_grad);
  }
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_new_tensor_name(name, kBuffers, buffers_, kParameters, parameters_, *this);
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::check_new_child_name(const std::string& name, bool defined) const {
  check_name(name, "register_module", "Submodule", *this);
  TG_CHECK(defined, "register_module: the submodule '", name, "' of module ", this->name(),
           " is empty (nullptr); construct it first, e.g. tg::nn::Linear(4, 2)");
  TG_CHECK(!children_.contains(name), "register_module: Submodule '", name,
           "' already defined in module ", this->name(),
           "; give each submodule its own name, or use replace_module to swap it");
}

void Module::check_replace(const std::string& name, bool defined) const {
  TG_CHECK(children_.contains(name), "replace_module: Submodule '", name,
           "' is not defined in module ", this->name(),
           ", so there is nothing to replace; use register_module to add it");
  TG_CHECK(defined, "replace_module: the new submodule '", name, "' of module ", this->name(),
           " is empty (nullptr)");
}

void Module::unregister_module(const std::string& name) {
  TG_CHECK(children_.contains(name), "unregister_module: No Module with name `", name,
           "` is registered in module ", this->name());
  children_.erase(name);
}

// ---- printing ----

void Module::pretty_print(std::ostream& stream) const { stream << name(); }

void Module::pretty_print_recursive(std::ostream& stream, const std::string& indentation) const {
  pretty_print(stream);
  if (children_.is_empty()) return;
  stream << "(\n";
  const std::string next = indentation + "  ";
  for (const auto& child : children_) {
    stream << next << "(" << child.key() << "): ";
    child.value()->pretty_print_recursive(stream, next);
    stream << '\n';
  }
  stream << indentation << ")";
}

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  module.pretty_print_recursive(stream, "");
  return stream;
}

}  // namespace tg::nn
