// The autograd engine from Python: backward and grad without the GIL (Python callbacks take it
// back), tensor hooks that are Python callables, grad mode, the backward graph's nodes, anomaly
// mode and the transforms over Python functions.
#include <unordered_map>

#include "common.h"

namespace tgpy {

namespace {

using tg::Tensor;
using tg::variable_list;
using tg::autograd::Node;

/// What register_hook returns: remove() takes the hook off again.
struct HookHandle {
  Tensor tensor;
  unsigned id;
  bool removed = false;
  void remove() {
    if (!removed) tensor.remove_hook(id);
    removed = true;
  }
};

/// A Python callable as a tensor hook. A named type, so that the garbage collector's traversal can
/// find the callable in the hooks' std::function (Note [Tensor GC] in tensor.cpp).
struct PyHook {
  PyCallable cb;
  Tensor operator()(const Tensor& g) const {
    py::gil_scoped_acquire gil;
    py::object r = cb.get()(g);
    if (r.is_none()) return Tensor();
    if (!py::isinstance<Tensor>(r))
      throw py::type_error("a hook must return None or a Tensor, not " +
                           std::string(py::str(r.get_type().attr("__name__"))));
    return r.cast<Tensor>();
  }
};

/// The Python hooks registered on each owner: the grad_fn a non-leaf's hook went to, or the
/// TensorImpl of a leaf. The library keeps the hooks; this only remembers which Python objects
/// they hold, for the garbage collector's traversal (Note [Tensor GC] in tensor.cpp). Entries
/// do not own the callables: a hook freed by the library leaves an expired entry (skipped, and
/// pruned from time to time), so an owner's address reused later finds only its own live hooks.
/// Read and written with the GIL held.
struct HookEntry {
  std::weak_ptr<py::object> ref;
  PyObject* obj;
};
struct HookRegistry {
  std::unordered_map<const void*, std::vector<HookEntry>> by_owner;
  size_t entries = 0;
  size_t prune_at = 1024;

  void add(const void* owner, const PyCallable& cb) {
    by_owner[owner].push_back({cb.weak(), cb.get().ptr()});
    if (++entries < prune_at) return;
    entries = 0;
    for (auto it = by_owner.begin(); it != by_owner.end();) {
      std::erase_if(it->second, [](const HookEntry& e) { return e.ref.expired(); });
      entries += it->second.size();
      it = it->second.empty() ? by_owner.erase(it) : std::next(it);
    }
    prune_at = std::max<size_t>(1024, 2 * entries);
  }
  int visit(const void* owner, visitproc visit, void* arg) const {
    auto it = by_owner.find(owner);
    if (it == by_owner.end()) return 0;
    // Only a callable whose one owner is the hook (not also a copy elsewhere) is reported.
    for (const HookEntry& e : it->second)
      if (e.ref.use_count() == 1) Py_VISIT(e.obj);
    return 0;
  }
};
HookRegistry& hook_registry() {
  static auto* r = new HookRegistry();
  return *r;
}

/// The outputs of a Python function as a list of tensors (one tensor or a sequence of them).
variable_list as_list(const py::object& out, const char* what) {
  if (py::isinstance<Tensor>(out)) return {out.cast<Tensor>()};
  if (py::isinstance<py::sequence>(out)) {
    variable_list v;
    for (py::handle h : out) v.push_back(h.cast<Tensor>());
    return v;
  }
  throw py::type_error(std::string(what) +
                       ": the function must return a Tensor or a tuple of "
                       "Tensors, not " +
                       std::string(py::str(out.get_type().attr("__name__"))));
}

/// A Python function of tensors as the C++ transforms take it: called with the GIL, with the
/// inputs as positional arguments.
tg::autograd::VariableListFn wrap_fn(const py::object& fn, const char* what) {
  PyCallable cb(fn);
  return [cb, what](const variable_list& inputs) {
    py::gil_scoped_acquire gil;
    py::tuple args(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) args[i] = py::cast(inputs[i]);
    py::object out = cb.get()(*args);
    return as_list(out, what);
  };
}

/// The node of a Function subclassed in Python: backward calls the class's backward(ctx, *grads)
/// with the GIL; the ctx object lives as long as the node.
class PyFunctionNode final : public tg::autograd::CustomNodeBase {
 public:
  std::string name() const override { return name_; }
  void release_variables() override {
    CustomNodeBase::release_variables();
    // What forward stored on ctx (ctx.x = ...) may hold tensors whose history leads back here:
    // dropped with the saved tensors, as PyTorch does, so that no cycle outlives backward.
    if (ctx_obj_ && Py_IsInitialized()) {
      py::gil_scoped_acquire gil;
      py::object dict = py::getattr(ctx_obj_->get(), "__dict__", py::none());
      if (!dict.is_none()) dict.attr("clear")();
    }
  }

  std::string name_;
  std::optional<PyCallable> cls_;
  std::optional<PyCallable> ctx_obj_;

 protected:
  variable_list call_backward(variable_list grads) override {
    py::gil_scoped_acquire gil;
    py::tuple args(grads.size() + 1);
    args[0] = ctx_obj_->get();
    for (size_t i = 0; i < grads.size(); ++i) args[i + 1] = py::cast(grads[i]);
    py::object out = cls_->get().attr("backward")(*args);
    variable_list result;
    if (out.is_none() || py::isinstance<Tensor>(out)) {
      result.push_back(out.cast<Tensor>());
    } else if (py::isinstance<py::tuple>(out) || py::isinstance<py::list>(out)) {
      for (py::handle h : out) {
        if (!h.is_none() && !py::isinstance<Tensor>(h))
          throw py::type_error(name_ + ": backward must return Tensors or None, not " +
                               std::string(py::str(h.get_type().attr("__name__"))));
        result.push_back(h.cast<Tensor>());
      }
    } else {
      throw py::type_error(name_ + ": backward must return a Tensor, None or a tuple of them");
    }
    return result;
  }
};

/// ctx in a Python Function's forward and backward.
struct FunctionCtx {
  std::weak_ptr<PyFunctionNode> node;
  std::shared_ptr<PyFunctionNode> get() const {
    auto n = node.lock();
    TG_CHECK(n != nullptr, "this ctx belongs to a Function whose graph no longer exists");
    return n;
  }
};

variable_list tensors_of(const py::args& args) {
  variable_list out;
  for (py::handle h : args) out.push_back(h.cast<Tensor>());
  return out;
}

py::object function_apply(const py::object& cls, const py::args& args) {
  auto node = std::make_shared<PyFunctionNode>();
  node->name_ = py::str(cls.attr("__name__")).cast<std::string>() + "Backward";
  node->cls_.emplace(cls);
  variable_list inputs;
  for (py::handle a : args) {
    bool is_tensor = py::isinstance<Tensor>(a);
    node->is_variable_input_.push_back(is_tensor);
    if (is_tensor) inputs.push_back(a.cast<Tensor>());
  }
  node->begin(inputs);
  py::object ctx = py::cast(FunctionCtx{node});
  node->ctx_obj_.emplace(ctx);
  py::object out;
  {
    tg::AutoGradMode no_grad(false);
    py::tuple fargs(args.size() + 1);
    fargs[0] = ctx;
    for (size_t i = 0; i < args.size(); ++i) fargs[i + 1] = args[i];
    out = cls.attr("forward")(*fargs);
  }
  bool is_tuple = !py::isinstance<Tensor>(out);
  variable_list outputs = as_list(out, "Function.forward");
  bool once =
      py::bool_(py::getattr(cls.attr("backward"), "_once_differentiable", py::bool_(false)));
  node->finish(inputs, outputs, once);
  if (!is_tuple) return py::cast(outputs[0]);
  py::tuple result(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) result[i] = py::cast(outputs[i]);
  return result;
}

py::list to_list(const variable_list& v) {
  py::list out;
  for (const Tensor& t : v) out.append(py::cast(t));
  return out;
}

}  // namespace

int visit_python_objects(const Tensor& t, visitproc visit, void* arg) {
  const tg::TensorImpl* impl = t.unsafeGetTensorImpl();
  if (impl->refcount_.load(std::memory_order_relaxed) != 1 || !impl->autograd ||
      impl->autograd.use_count() != 1)
    return 0;
  if (int r = hook_registry().visit(impl, visit, arg)) return r;
  const std::shared_ptr<Node>& grad_fn = t.grad_fn();
  if (grad_fn && grad_fn.use_count() == 1) {
    if (int r = hook_registry().visit(grad_fn.get(), visit, arg)) return r;
    if (const auto* node = dynamic_cast<const PyFunctionNode*>(grad_fn.get())) {
      if (node->ctx_obj_ && node->ctx_obj_->use_count() == 1) Py_VISIT(node->ctx_obj_->get().ptr());
      if (node->cls_ && node->cls_->use_count() == 1) Py_VISIT(node->cls_->get().ptr());
    }
  }
  return 0;
}

void bind_autograd(py::module_& root) {
  using namespace py::literals;
  py::module_ m = root.def_submodule("_autograd", "the engine, grad mode and the backward graph");

  py::class_<Node, std::shared_ptr<Node>>(m, "Node")
      .def("name", &Node::name)
      .def_property_readonly("next_functions",
                             [](const Node& n) {
                               py::tuple out(n.next_edges().size());
                               size_t i = 0;
                               for (const auto& e : n.next_edges()) {
                                 py::object fn = e.function ? py::cast(e.function) : py::none();
                                 out[i++] = py::make_tuple(fn, e.input_nr);
                               }
                               return out;
                             })
      .def("__repr__", [](py::handle self) {
        const Node& n = self.cast<const Node&>();
        char addr[32];
        std::snprintf(addr, sizeof addr, "%p", static_cast<void*>(self.ptr()));
        return "<" + n.name() + " object at " + addr + ">";
      });

  py::class_<HookHandle>(m, "RemovableHandle")
      .def("remove", &HookHandle::remove)
      .def("__enter__", [](py::handle self) { return self; })
      .def("__exit__", [](HookHandle& h, py::args) { h.remove(); });

  auto tensor_cls = py::reinterpret_borrow<py::class_<Tensor>>(root.attr("Tensor"));
  tensor_cls.def(
      "register_hook",
      [](const Tensor& t, const py::object& fn) {
        if (!PyCallable_Check(fn.ptr())) throw py::type_error("register_hook: expected a callable");
        TG_CHECK(t.requires_grad(),
                 "cannot register a hook on a tensor that doesn't require gradient");
        PyCallable cb(fn);
        const std::shared_ptr<Node>& grad_fn = t.grad_fn();
        const void* owner = grad_fn ? static_cast<const void*>(grad_fn.get())
                                    : static_cast<const void*>(t.unsafeGetTensorImpl());
        unsigned id = t.register_hook(PyHook{cb});
        hook_registry().add(owner, cb);
        return HookHandle{t, id};
      },
      "hook"_a);

  m.def("is_grad_enabled", &tg::GradMode::is_enabled);
  m.def("set_grad_enabled", &tg::GradMode::set_enabled, "mode"_a);
  m.def("is_anomaly_enabled", &tg::autograd::AnomalyMode::is_enabled);
  m.def(
      "set_anomaly_enabled",
      [](bool enabled, bool check_nan) {
        tg::autograd::AnomalyMode::set_enabled(enabled, check_nan);
      },
      "enabled"_a, "check_nan"_a = true);

  m.def(
      "backward",
      [](const variable_list& tensors, const variable_list& grad_tensors,
         std::optional<bool> retain_graph, bool create_graph, const variable_list& inputs) {
        py::gil_scoped_release release;
        tg::autograd::backward(tensors, grad_tensors, retain_graph, create_graph, inputs);
      },
      "tensors"_a, "grad_tensors"_a, "retain_graph"_a, "create_graph"_a, "inputs"_a);
  m.def(
      "grad",
      [](const variable_list& outputs, const variable_list& inputs,
         const variable_list& grad_outputs, std::optional<bool> retain_graph, bool create_graph,
         bool allow_unused) {
        variable_list out;
        {
          py::gil_scoped_release release;
          out = tg::autograd::grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                                   allow_unused);
        }
        return to_list(out);
      },
      "outputs"_a, "inputs"_a, "grad_outputs"_a, "retain_graph"_a, "create_graph"_a,
      "allow_unused"_a);

  // The transforms over Python functions (fn takes the inputs as arguments).
  m.def(
      "jacobian",
      [](const py::object& fn, const variable_list& inputs, bool create_graph) {
        auto f = wrap_fn(fn, "jacobian");
        std::vector<variable_list> j;
        {
          py::gil_scoped_release release;
          j = tg::autograd::jacobian(f, inputs, create_graph);
        }
        py::list out;
        for (const auto& row : j) out.append(to_list(row));
        return out;
      },
      "func"_a, "inputs"_a, "create_graph"_a);
  m.def(
      "hessian",
      [](const py::object& fn, const variable_list& inputs, bool create_graph) {
        auto f = wrap_fn(fn, "hessian");
        std::vector<variable_list> h;
        {
          py::gil_scoped_release release;
          h = tg::autograd::hessian(f, inputs, create_graph);
        }
        py::list out;
        for (const auto& row : h) out.append(to_list(row));
        return out;
      },
      "func"_a, "inputs"_a, "create_graph"_a);
#define TG_PRODUCT(name)                                                            \
  m.def(                                                                            \
      #name,                                                                        \
      [](const py::object& fn, const variable_list& inputs, const variable_list& v, \
         bool create_graph) {                                                       \
        auto f = wrap_fn(fn, #name);                                                \
        std::pair<variable_list, variable_list> r;                                  \
        {                                                                           \
          py::gil_scoped_release release;                                           \
          r = tg::autograd::name(f, inputs, v, create_graph);                       \
        }                                                                           \
        return py::make_tuple(to_list(r.first), to_list(r.second));                 \
      },                                                                            \
      "func"_a, "inputs"_a, "v"_a, "create_graph"_a);
  TG_PRODUCT(vjp)
  TG_PRODUCT(jvp)
  TG_PRODUCT(hvp)
#undef TG_PRODUCT
  m.def(
      "gradcheck",
      [](const py::object& fn, const variable_list& inputs, double eps, double atol, double rtol,
         bool raise, bool second_order) {
        auto f = wrap_fn(fn, "gradcheck");
        py::gil_scoped_release release;
        return second_order ? tg::autograd::gradgradcheck(f, inputs, eps, atol, rtol, raise)
                            : tg::autograd::gradcheck(f, inputs, eps, atol, rtol, raise);
      },
      "func"_a, "inputs"_a, "eps"_a, "atol"_a, "rtol"_a, "raise_exception"_a, "second_order"_a);
  m.def(
      "checkpoint",
      [](const py::object& fn, const variable_list& inputs) {
        auto f = wrap_fn(fn, "checkpoint");
        variable_list out;
        {
          py::gil_scoped_release release;
          out = tg::autograd::checkpoint(f, inputs);
        }
        return to_list(out);
      },
      "func"_a, "inputs"_a);
  m.def("to_dot", &tg::autograd::to_dot, "roots"_a);

  // Functions subclassed in Python (tensorgrad.autograd.Function).
  py::class_<FunctionCtx>(m, "FunctionCtx", py::dynamic_attr())
      .def("save_for_backward",
           [](const FunctionCtx& c, const py::args& tensors) {
             c.get()->ctx_.save_for_backward(tensors_of(tensors));
           })
      .def_property_readonly("saved_tensors",
                             [](const FunctionCtx& c) {
                               auto saved = c.get()->ctx_.get_saved_variables();
                               py::tuple out(saved.size());
                               for (size_t i = 0; i < saved.size(); ++i)
                                 out[i] = py::cast(saved[i]);
                               return out;
                             })
      .def("mark_dirty",
           [](const FunctionCtx& c, const py::args& tensors) {
             c.get()->ctx_.mark_dirty(tensors_of(tensors));
           })
      .def("mark_non_differentiable",
           [](const FunctionCtx& c, const py::args& tensors) {
             c.get()->ctx_.mark_non_differentiable(tensors_of(tensors));
           })
      .def("set_materialize_grads",
           [](const FunctionCtx& c, bool value) { c.get()->ctx_.set_materialize_grads(value); })
      .def_property_readonly("needs_input_grad", [](const FunctionCtx& c) {
        auto n = c.get();
        py::tuple out(n->is_variable_input_.size());
        size_t tensor_index = 0;
        for (size_t i = 0; i < n->is_variable_input_.size(); ++i)
          out[i] = py::bool_(n->is_variable_input_[i] && n->ctx_.needs_input_grad(tensor_index++));
        return out;
      });
  m.def("function_apply", &function_apply, "cls"_a);
}

}  // namespace tgpy
