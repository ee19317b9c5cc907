// tensorgrad.Tensor: the C++ tg::Tensor with PyTorch's Python methods, arguments and defaults.
// Every method calls the C++ op of the same name; nothing is computed here.
#include <optional>
#include <unordered_map>

#include "common.h"

namespace tgpy {

namespace {

using tg::Tensor;

// Note [Tensor identity]
// PyTorch gives a tensor one Python object while that object lives: the TensorImpl points back
// at it without owning it. Here the back-pointers are a table beside the library (the C++
// TensorImpl stays as it is): an object enters it when it is made for a tensor (the caster in
// common.h) or constructed from Python (Tensor.__init__), and leaves it when it dies or the
// garbage collector clears it. The object owns its impl, so an impl in the table cannot die and
// its address cannot be reused while its entry is there.
std::unordered_map<const tg::TensorImpl*, PyObject*>& wrappers() {
  static auto* table = new std::unordered_map<const tg::TensorImpl*, PyObject*>();
  return *table;
}

/// The tensor an object of tensorgrad.Tensor (or of a Python subclass) holds, or null before its
/// __init__ has run.
Tensor* held_tensor(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  auto vh = inst->get_value_and_holder(nullptr, false);
  if (!vh || !vh.holder_constructed()) return nullptr;
  return vh.value_ptr<Tensor>();
}

void forget(PyObject* self, const Tensor& t) {
  if (!t.defined()) return;
  auto it = wrappers().find(t.unsafeGetTensorImpl());
  if (it != wrappers().end() && it->second == self) wrappers().erase(it);
}

// Note [Tensor GC]
// A Python hook that refers to its own tensor, or a Function's ctx that holds its output, is a
// cycle through C++: object -> TensorImpl -> hook (or node -> ctx) -> ... -> object. Python's
// collector finds it only if the tensor's object reports what it owns: tp_traverse visits the
// Python objects in the tensor's autograd state, and tp_clear drops the tensor. As in PyTorch, an
// object reports them only while it is their sole owner (its impl, the impl's autograd state and
// the grad_fn held by nobody else): state that C++ also holds stays reachable, and is collected
// once the C++ side has let go.
int tensor_traverse(PyObject* self, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(self));
  if (PyObject** dict = _PyObject_GetDictPtr(self)) Py_VISIT(*dict);
  if (Tensor* t = held_tensor(self); t != nullptr && t->defined())
    return visit_python_objects(*t, visit, arg);
  return 0;
}

int tensor_clear(PyObject* self) {
  if (PyObject** dict = _PyObject_GetDictPtr(self)) Py_CLEAR(*dict);
  if (Tensor* t = held_tensor(self); t != nullptr && t->defined()) {
    forget(self, *t);
    Tensor dropped = std::move(*t);  // may free hooks and nodes, which release Python objects
  }
  return 0;
}

void tensor_dealloc(PyObject* self) {
  PyObject_GC_UnTrack(self);
  if (Tensor* t = held_tensor(self)) forget(self, *t);
  py::detail::pybind11_object_dealloc(self);
}

using tg::Scalar;
using OptDtype = std::optional<tg::ScalarType>;
constexpr auto kSelf = py::return_value_policy::reference;  // in-place ops return self

// Results with names, as torch.return_types: values and indices of max(dim), min(dim).
py::object& return_type(const char* name) {
  static py::object* max_t = nullptr;
  static py::object* min_t = nullptr;
  py::object*& slot = std::string(name) == "max" ? max_t : min_t;
  if (slot == nullptr) {
    py::object nt = py::module_::import("collections").attr("namedtuple");
    slot = new py::object(nt(name, py::make_tuple("values", "indices")));
  }
  return *slot;
}

py::tuple to_tuple(const std::vector<Tensor>& v) {
  py::tuple out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = py::cast(v[i]);
  return out;
}

// tensorgrad.Size (a tuple subclass defined in Python), once the package has set it.
py::object* g_size_type = nullptr;

py::object shape_tuple(tg::IntArrayRef s) {
  py::tuple out(s.size());
  for (size_t i = 0; i < s.size(); ++i) out[i] = py::int_(s[i]);
  if (g_size_type != nullptr) return (*g_size_type)(out);
  return out;
}

py::object reduce_max_min(const Tensor& s, const py::object& dim, bool keepdim, bool is_max) {
  if (dim.is_none()) return py::cast(is_max ? s.max() : s.min());
  if (py::isinstance<Tensor>(dim)) {
    const Tensor& o = dim.cast<const Tensor&>();
    return py::cast(is_max ? s.maximum(o) : s.minimum(o));
  }
  auto d = dim.cast<int64_t>();
  auto [values, indices] = is_max ? s.max(d, keepdim) : s.min(d, keepdim);
  return return_type(is_max ? "max" : "min")(values, indices);
}

// x.var(), x.var(0), x.var(False), x.var(dim=(0, 1), unbiased=False, keepdim=True).
Tensor var_std(const Tensor& s, const py::object& dim, bool unbiased, bool keepdim, bool is_var) {
  if (PyBool_Check(dim.ptr())) return is_var ? s.var(dim.cast<bool>()) : s.std(dim.cast<bool>());
  if (dim.is_none()) return is_var ? s.var(unbiased) : s.std(unbiased);
  auto d = int_list(dim, is_var ? "var" : "std");
  return is_var ? s.var(d, unbiased, keepdim) : s.std(d, unbiased, keepdim);
}

// The destination dtype of x.to(...): a dtype, a tensor (its dtype) or a device ("cpu").
Tensor to_impl(const Tensor& s, const py::args& args, const py::kwargs& kwargs) {
  OptDtype dtype;
  bool copy = false;
  auto take = [&](py::handle a) {
    if (py::isinstance<DtypeObject>(a)) {
      dtype = a.cast<tg::ScalarType>();
    } else if (py::isinstance<Tensor>(a)) {
      dtype = a.cast<const Tensor&>().dtype();
    } else if (py::isinstance<py::str>(a)) {
      auto d = a.cast<std::string>();
      if (d != "cpu") throw py::value_error("tensorgrad runs on the CPU only, not on " + d);
    } else if (!a.is_none()) {
      throw py::type_error("to(): expected a dtype, a tensor or a device");
    }
  };
  for (py::handle a : args) take(a);
  for (auto item : kwargs) {
    auto key = item.first.cast<std::string>();
    if (key == "dtype" || key == "device" || key == "other")
      take(item.second);
    else if (key == "copy")
      copy = item.second.cast<bool>();
    else if (key != "non_blocking")
      throw py::type_error("to() got an unexpected keyword argument '" + key + "'");
  }
  return s.to(dtype.value_or(s.dtype()), false, copy);
}

}  // namespace

PyObject* wrapper_of(const tg::TensorImpl* impl) {
  auto& table = wrappers();
  auto it = table.find(impl);
  return it == table.end() ? nullptr : it->second;
}

void set_wrapper(const tg::TensorImpl* impl, PyObject* obj) { wrappers()[impl] = obj; }

void bind_tensor(py::module_& m) {
  using namespace py::literals;
  py::class_<Tensor> cls(m, "Tensor", py::dynamic_attr(),
                         py::custom_type_setup([](PyHeapTypeObject* heap_type) {
                           auto* type = &heap_type->ht_type;
                           type->tp_flags |= Py_TPFLAGS_HAVE_GC;
                           type->tp_traverse = tensor_traverse;
                           type->tp_clear = tensor_clear;
                           type->tp_dealloc = tensor_dealloc;
                         }));
  // An object constructed from Python (Tensor(...), nn.Parameter(...)) becomes its tensor's
  // object: tensorgrad/_tensor.py calls this after __init__.
  m.def("_adopt", [](py::handle self) {
    if (!py::isinstance<Tensor>(self)) throw py::type_error("_adopt: expected a Tensor");
    if (Tensor* t = held_tensor(self.ptr());
        t != nullptr && t->defined() && wrapper_of(t->unsafeGetTensorImpl()) == nullptr)
      set_wrapper(t->unsafeGetTensorImpl(), self.ptr());
  });
  // Ops whose arguments are all C++ values run without the GIL: a long kernel lets other Python
  // threads run (the result is converted after the GIL is back).
  const auto nogil = py::call_guard<py::gil_scoped_release>();
  m.def("_set_size_type", [](py::object type) { g_size_type = new py::object(std::move(type)); });

  // Tensor(t, requires_grad): a tensor sharing t's storage without its history (what
  // nn.Parameter, a Python subclass, is built with).
  cls.def(py::init([](const Tensor& t, bool requires_grad) {
            TG_CHECK(t.defined(), "Tensor: expected a tensor, not None");
            Tensor s = t.detach();
            if (requires_grad) s.requires_grad_(true);
            return s;
          }),
          "data"_a, "requires_grad"_a);
  // torch.Tensor(data) (a Float tensor from data) and torch.Tensor(2, 3) (uninitialised sizes).
  cls.def(py::init([](const py::args& args) {
    if (args.size() == 0) return tg::empty({0});
    if (args.size() == 1 && !PyLong_Check(args[0].ptr()))
      return tensor_from_data(args[0], tg::kFloat, false);
    return tg::empty(sizes_from_args(args, "Tensor"));
  }));

  // ---- queries ----
  cls.def_property_readonly("shape", [](const Tensor& s) { return shape_tuple(s.sizes()); })
      .def(
          "size",
          [](const Tensor& s, std::optional<int64_t> dim) -> py::object {
            if (dim) return py::int_(s.size(*dim));
            return shape_tuple(s.sizes());
          },
          "dim"_a = py::none())
      .def(
          "stride",
          [](const Tensor& s, std::optional<int64_t> dim) -> py::object {
            if (dim) return py::int_(s.stride(*dim));
            return shape_tuple(s.strides());
          },
          "dim"_a = py::none())
      .def("dim", &Tensor::dim)
      .def("ndimension", &Tensor::dim)
      .def_property_readonly("ndim", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def("element_size", &Tensor::element_size)
      .def_property_readonly("dtype", [](const Tensor& s) { return s.scalar_type(); })
      .def_property_readonly("device", [](const Tensor&) { return std::string("cpu"); })
      .def_property_readonly("is_cuda", [](const Tensor&) { return false; })
      .def("is_floating_point", &Tensor::is_floating_point)
      .def("is_contiguous", &Tensor::is_contiguous)
      .def("storage_offset", [](const Tensor& s) { return s.unsafeGetTensorImpl()->offset; })
      .def("data_ptr", [](const Tensor& s) { return reinterpret_cast<uintptr_t>(s.data_ptr()); })
      .def_property_readonly("_version", &Tensor::_version)
      .def("item", [](const Tensor& s) { return s.item(); })
      .def("__len__",
           [](const Tensor& s) {
             if (s.dim() == 0) throw py::type_error("len() of a 0-d tensor");
             return s.size(0);
           })
      .def("__iter__",
           [](const Tensor& s) {
             if (s.dim() == 0) throw py::type_error("iteration over a 0-d tensor");
             return py::iter(to_tuple(s.unbind(0)));
           })
      .def("__bool__",
           [](const Tensor& s) {
             if (s.numel() != 1)
               throw py::value_error(s.numel() == 0
                                         ? "Boolean value of Tensor with no values is ambiguous"
                                         : "Boolean value of Tensor with more than one value is "
                                           "ambiguous");
             return s.item().toBool();
           })
      .def("__float__", [](const Tensor& s) { return s.item().toDouble(); })
      .def("__int__", [](const Tensor& s) { return s.item().toLong(); })
      .def("__index__",
           [](const Tensor& s) {
             if (s.numel() != 1 || tg::is_floating_point(s.dtype()))
               throw py::type_error(
                   "only integer tensors of a single element can be converted to an index");
             return s.item().toLong();
           })
      .def("__hash__", [](py::handle self) { return reinterpret_cast<intptr_t>(self.ptr()); })
      .def("__str__", &tensor_str)
      .def("__repr__", &tensor_str)
      .def("__getitem__", [](const Tensor& s, py::handle index) { return getitem(s, index); })
      .def("__setitem__",
           [](const Tensor& s, py::handle index, py::handle value) { setitem(s, index, value); });

  // ---- autograd ----
  cls.def_property("requires_grad", &Tensor::requires_grad,
                   [](const Tensor& s, bool r) { s.requires_grad_(r); })
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def_property_readonly("grad_fn", [](const Tensor& s) { return s.grad_fn(); })
      .def_property_readonly("creator", [](const Tensor& s) { return s.grad_fn(); })
      .def_property(
          "grad", [](const Tensor& s) { return s.grad(); },
          [](const Tensor& s, const Tensor& g) {
            if (g.defined()) {
              TG_CHECK(g.sizes() == s.sizes(), "assigned grad has data of a different size");
              TG_CHECK(g.dtype() == s.dtype(), "assigned grad has data of a different type");
            }
            s.mutable_grad() = g;
          })
      // The seed's .data: the same storage, without history; assigning replaces the data.
      .def_property(
          "data", [](const Tensor& s) { return s.data(); },
          [](const Tensor& s, const Tensor& src) {
            TG_CHECK(src.defined(), "data: expected a tensor, not None");
            tg::TensorImpl* impl = s.unsafeGetTensorImpl();
            const tg::TensorImpl* from = src.unsafeGetTensorImpl();
            impl->storage = from->storage;
            impl->dtype = from->dtype;
            impl->offset = from->offset;
            impl->sizes = from->sizes;
            impl->strides = from->strides;
            impl->numel = from->numel;
          })
      .def("retain_grad", &Tensor::retain_grad)
      .def_property_readonly("retains_grad", &Tensor::retains_grad)
      .def(
          "requires_grad_",
          [](Tensor& s, bool r) -> Tensor& {
            s.requires_grad_(r);
            return s;
          },
          "requires_grad"_a = true, kSelf)
      .def("detach", &Tensor::detach)
      .def(
          "detach_",
          [](Tensor& s) -> Tensor& {
            s.detach_();
            return s;
          },
          kSelf)
      .def(
          "backward",
          [](const Tensor& s, const Tensor& gradient, std::optional<bool> retain_graph,
             bool create_graph, std::optional<std::vector<Tensor>> inputs) {
            py::gil_scoped_release release;
            s.backward(gradient, retain_graph, create_graph, inputs);
          },
          "gradient"_a = py::none(), "retain_graph"_a = py::none(), "create_graph"_a = false,
          "inputs"_a = py::none());

  // ---- arithmetic, with Python numbers on either side ----
#define TG_ARITH(name, op, rop, iop, inplace)                                                     \
  cls.def(                                                                                        \
         op, [](const Tensor& a, const Tensor& b) { return tg::name(a, b); }, py::is_operator(),  \
         nogil)                                                                                   \
      .def(                                                                                       \
          op, [](const Tensor& a, const Scalar& b) { return tg::name(a, b); }, py::is_operator(), \
          nogil)                                                                                  \
      .def(                                                                                       \
          iop,                                                                                    \
          [](Tensor& a, const Tensor& b) -> Tensor& {                                             \
            a.inplace(b);                                                                         \
            return a;                                                                             \
          },                                                                                      \
          kSelf, nogil)                                                                           \
      .def(                                                                                       \
          iop,                                                                                    \
          [](Tensor& a, const Scalar& b) -> Tensor& {                                             \
            a.inplace(b);                                                                         \
            return a;                                                                             \
          },                                                                                      \
          kSelf, nogil)
  TG_ARITH(add, "__add__", "__radd__", "__iadd__", add_);
  TG_ARITH(sub, "__sub__", "__rsub__", "__isub__", sub_);
  TG_ARITH(mul, "__mul__", "__rmul__", "__imul__", mul_);
  TG_ARITH(div, "__truediv__", "__rtruediv__", "__itruediv__", div_);
  TG_ARITH(pow, "__pow__", "__rpow__", "__ipow__", pow_);
#undef TG_ARITH
  cls.def(
         "__radd__", [](const Tensor& a, const Scalar& b) { return tg::add(a, b); },
         py::is_operator(), nogil)
      .def(
          "__rmul__", [](const Tensor& a, const Scalar& b) { return tg::mul(a, b); },
          py::is_operator(), nogil)
      .def(
          "__rsub__", [](const Tensor& a, const Scalar& b) { return tg::rsub(a, b); },
          py::is_operator(), nogil)
      .def(
          "__rtruediv__", [](const Tensor& a, const Scalar& b) { return tg::rdiv(a, b); },
          py::is_operator(), nogil)
      .def(
          "__rpow__", [](const Tensor& a, const Scalar& b) { return tg::pow(b, a); },
          py::is_operator(), nogil)
      .def(
          "__mod__", [](const Tensor& a, const Tensor& b) { return tg::remainder(a, b); },
          py::is_operator(), nogil)
      .def(
          "__mod__", [](const Tensor& a, const Scalar& b) { return tg::remainder(a, b); },
          py::is_operator(), nogil)
      .def(
          "__rmod__", [](const Tensor& a, const Scalar& b) { return tg::remainder(b, a); },
          py::is_operator(), nogil)
      .def(
          "__floordiv__", [](const Tensor& a, const Tensor& b) { return tg::div(a, b).floor(); },
          py::is_operator(), nogil)
      .def(
          "__floordiv__", [](const Tensor& a, const Scalar& b) { return tg::div(a, b).floor(); },
          py::is_operator(), nogil)
      .def("__neg__", [](const Tensor& a) { return a.neg(); })
      .def("__pos__", [](const Tensor& a) { return a; })
      .def("__abs__", [](const Tensor& a) { return a.abs(); })
      .def(
          "__matmul__", [](const Tensor& a, const Tensor& b) { return a.matmul(b); },
          py::is_operator(), py::call_guard<py::gil_scoped_release>())
      .def(
          "__rmatmul__", [](const Tensor& a, const Tensor& b) { return b.matmul(a); },
          py::is_operator(), py::call_guard<py::gil_scoped_release>());

#define TG_COMPARE(name, op)                                                                 \
  cls.def(                                                                                   \
         op, [](const Tensor& a, const Tensor& b) { return a.name(b); }, py::is_operator())  \
      .def(                                                                                  \
          op, [](const Tensor& a, const Scalar& b) { return a.name(b); }, py::is_operator()) \
      .def(#name, [](const Tensor& a, const Tensor& b) { return a.name(b); })                \
      .def(#name, [](const Tensor& a, const Scalar& b) { return a.name(b); });
  // x == None is False and x != None is True, as in PyTorch (None is otherwise an undefined
  // tensor here).
  cls.def(
         "__eq__", [](const Tensor&, py::none) { return false; }, py::is_operator())
      .def(
          "__ne__", [](const Tensor&, py::none) { return true; }, py::is_operator());
  TG_COMPARE(eq, "__eq__")
  TG_COMPARE(ne, "__ne__")
  TG_COMPARE(lt, "__lt__")
  TG_COMPARE(le, "__le__")
  TG_COMPARE(gt, "__gt__")
  TG_COMPARE(ge, "__ge__")
#undef TG_COMPARE

  // Methods with alpha, as PyTorch: x.add(y, alpha=2).
#define TG_ALPHA(name)                                                                            \
  cls.def(                                                                                        \
         #name,                                                                                   \
         [](const Tensor& a, const Tensor& b, const Scalar& alpha) { return a.name(b, alpha); },  \
         "other"_a, py::kw_only(), "alpha"_a = 1)                                                 \
      .def(                                                                                       \
          #name,                                                                                  \
          [](const Tensor& a, const Scalar& b, const Scalar& alpha) { return a.name(b, alpha); }, \
          "other"_a, py::kw_only(), "alpha"_a = 1)                                                \
      .def(                                                                                       \
          #name "_",                                                                              \
          [](Tensor& a, const Tensor& b, const Scalar& alpha) -> Tensor& {                        \
            a.name##_(b, alpha);                                                                  \
            return a;                                                                             \
          },                                                                                      \
          "other"_a, py::kw_only(), "alpha"_a = 1, kSelf)                                         \
      .def(                                                                                       \
          #name "_",                                                                              \
          [](Tensor& a, const Scalar& b, const Scalar& alpha) -> Tensor& {                        \
            a.name##_(b, alpha);                                                                  \
            return a;                                                                             \
          },                                                                                      \
          "other"_a, py::kw_only(), "alpha"_a = 1, kSelf);
  TG_ALPHA(add)
  TG_ALPHA(sub)
#undef TG_ALPHA

  // Binary methods: x.mul(y), x.mul(2), x.mul_(y)... and the binary rows of the op table.
#define TG_BINARY_METHOD(name)                                                                 \
  cls.def(                                                                                     \
         #name, [](const Tensor& a, const Tensor& b) { return a.name(b); }, "other"_a, nogil)  \
      .def(                                                                                    \
          #name, [](const Tensor& a, const Scalar& b) { return a.name(b); }, "other"_a, nogil) \
      .def(                                                                                    \
          #name "_",                                                                           \
          [](Tensor& a, const Tensor& b) -> Tensor& {                                          \
            a.name##_(b);                                                                      \
            return a;                                                                          \
          },                                                                                   \
          "other"_a, kSelf, nogil)                                                             \
      .def(                                                                                    \
          #name "_",                                                                           \
          [](Tensor& a, const Scalar& b) -> Tensor& {                                          \
            a.name##_(b);                                                                      \
            return a;                                                                          \
          },                                                                                   \
          "other"_a, kSelf, nogil);
  TG_BINARY_METHOD(mul)
  TG_BINARY_METHOD(div)
  TG_BINARY_METHOD(pow)
#define TG_UNARY(name, ...)                                      \
  cls.def(                                                       \
         #name, [](const Tensor& a) { return a.name(); }, nogil) \
      .def(                                                      \
          #name "_",                                             \
          [](Tensor& a) -> Tensor& {                             \
            a.name##_();                                         \
            return a;                                            \
          },                                                     \
          kSelf, nogil);
#define TG_BINARY(name, ...) TG_BINARY_METHOD(name)
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY
#undef TG_BINARY_METHOD
  cls.def("multiply", [](const Tensor& a, const Tensor& b) { return a.mul(b); })
      .def("divide", [](const Tensor& a, const Tensor& b) { return a.div(b); })
      .def("true_divide", [](const Tensor& a, const Tensor& b) { return a.div(b); })
      .def("neg", &Tensor::neg)
      .def("negative", &Tensor::neg)
      .def(
          "neg_",
          [](Tensor& a) -> Tensor& {
            a.neg_();
            return a;
          },
          kSelf, nogil)
      .def("relu", &Tensor::relu)
      .def(
          "relu_",
          [](Tensor& a) -> Tensor& {
            a.relu_();
            return a;
          },
          kSelf, nogil)
      .def("square", &Tensor::square)
      .def(
          "square_",
          [](Tensor& a) -> Tensor& {
            a.square_();
            return a;
          },
          kSelf, nogil)
      .def("polygamma", &Tensor::polygamma, "n"_a)
      .def("logit", &Tensor::logit, "eps"_a = py::none())
      .def("lerp", py::overload_cast<const Tensor&, const Tensor&>(&Tensor::lerp, py::const_),
           "end"_a, "weight"_a)
      .def("lerp", py::overload_cast<const Tensor&, const Scalar&>(&Tensor::lerp, py::const_),
           "end"_a, "weight"_a)
      .def("addcmul", &Tensor::addcmul, "tensor1"_a, "tensor2"_a, py::kw_only(), "value"_a = 1)
      .def("addcdiv", &Tensor::addcdiv, "tensor1"_a, "tensor2"_a, py::kw_only(), "value"_a = 1)
      .def(
          "zero_",
          [](Tensor& a) -> Tensor& {
            a.zero_();
            return a;
          },
          kSelf, nogil)
      .def(
          "fill_",
          [](Tensor& a, const Scalar& v) -> Tensor& {
            a.fill_(v);
            return a;
          },
          "value"_a, kSelf, nogil)
      .def(
          "copy_",
          [](Tensor& a, const Tensor& src) -> Tensor& {
            a.copy_(src);
            return a;
          },
          "src"_a, kSelf, nogil)
      .def("clamp", &Tensor::clamp, "min"_a = py::none(), "max"_a = py::none())
      .def("clip", &Tensor::clamp, "min"_a = py::none(), "max"_a = py::none())
      .def(
          "clamp_",
          [](Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi) -> Tensor& {
            a.clamp_(lo, hi);
            return a;
          },
          "min"_a = py::none(), "max"_a = py::none(), kSelf, nogil)
      .def("clamp_min", &Tensor::clamp_min, "min"_a)
      .def("clamp_max", &Tensor::clamp_max, "max"_a)
      .def("maximum", &Tensor::maximum, "other"_a, nogil)
      .def("minimum", &Tensor::minimum, "other"_a, nogil)
      .def("where", &Tensor::where, "condition"_a, "other"_a, nogil);

  // ---- reductions ----
  cls.def(
         "sum",
         [](const Tensor& s, const py::object& dim, bool keepdim, OptDtype dtype) {
           if (dim.is_none()) return s.sum(dtype);
           return s.sum(int_list(dim, "sum"), keepdim, dtype);
         },
         "dim"_a = py::none(), "keepdim"_a = false, py::kw_only(), "dtype"_a = py::none())
      .def(
          "mean",
          [](const Tensor& s, const py::object& dim, bool keepdim, OptDtype dtype) {
            if (dim.is_none()) return s.mean(dtype);
            return s.mean(int_list(dim, "mean"), keepdim, dtype);
          },
          "dim"_a = py::none(), "keepdim"_a = false, py::kw_only(), "dtype"_a = py::none())
      .def(
          "prod",
          [](const Tensor& s, std::optional<int64_t> dim, bool keepdim, OptDtype dtype) {
            if (!dim) return s.prod(dtype);
            return s.prod(*dim, keepdim, dtype);
          },
          "dim"_a = py::none(), "keepdim"_a = false, py::kw_only(), "dtype"_a = py::none())
      .def(
          "max",
          [](const Tensor& s, const py::object& dim, bool keepdim) {
            return reduce_max_min(s, dim, keepdim, true);
          },
          "dim"_a = py::none(), "keepdim"_a = false)
      .def(
          "min",
          [](const Tensor& s, const py::object& dim, bool keepdim) {
            return reduce_max_min(s, dim, keepdim, false);
          },
          "dim"_a = py::none(), "keepdim"_a = false)
      .def("argmax", &Tensor::argmax, "dim"_a = py::none(), "keepdim"_a = false)
      .def("argmin", &Tensor::argmin, "dim"_a = py::none(), "keepdim"_a = false)
      .def(
          "amax",
          [](const Tensor& s, const py::object& dim, bool keepdim) {
            return s.amax(dim.is_none() ? std::vector<int64_t>{} : int_list(dim, "amax"), keepdim);
          },
          "dim"_a = py::tuple(), "keepdim"_a = false)
      .def(
          "amin",
          [](const Tensor& s, const py::object& dim, bool keepdim) {
            return s.amin(dim.is_none() ? std::vector<int64_t>{} : int_list(dim, "amin"), keepdim);
          },
          "dim"_a = py::tuple(), "keepdim"_a = false)
      .def(
          "norm",
          [](const Tensor& s, const py::object& p, const py::object& dim, bool keepdim) {
            std::optional<Scalar> pv;
            if (py::isinstance<py::str>(p)) {
              if (p.cast<std::string>() != "fro")
                throw py::value_error("norm: p must be a number or 'fro'");
              pv = Scalar(2.0);
            } else if (!p.is_none()) {
              pv = p.cast<Scalar>();
            }
            if (dim.is_none()) return s.norm(pv.value_or(Scalar(2.0)));
            return s.norm(pv, int_list(dim, "norm"), keepdim);
          },
          "p"_a = 2, "dim"_a = py::none(), "keepdim"_a = false)
      .def(
          "var",
          [](const Tensor& s, const py::object& dim, bool unbiased, bool keepdim) {
            return var_std(s, dim, unbiased, keepdim, true);
          },
          "dim"_a = py::none(), "unbiased"_a = true, "keepdim"_a = false)
      .def(
          "std",
          [](const Tensor& s, const py::object& dim, bool unbiased, bool keepdim) {
            return var_std(s, dim, unbiased, keepdim, false);
          },
          "dim"_a = py::none(), "unbiased"_a = true, "keepdim"_a = false)
      .def(
          "logsumexp",
          [](const Tensor& s, const py::object& dim, bool keepdim) {
            return s.logsumexp(int_list(dim, "logsumexp"), keepdim);
          },
          "dim"_a, "keepdim"_a = false)
      .def("softmax", &Tensor::softmax, "dim"_a, "dtype"_a = py::none())
      .def("log_softmax", &Tensor::log_softmax, "dim"_a, "dtype"_a = py::none())
      .def("cumsum", &Tensor::cumsum, "dim"_a, py::kw_only(), "dtype"_a = py::none());

  // ---- shape and views ----
  cls.def("view", [](const Tensor& s,
                     const py::args& shape) { return s.view(sizes_from_args(shape, "view")); })
      .def("view_as", &Tensor::view_as, "other"_a)
      .def("reshape",
           [](const Tensor& s, const py::args& shape) {
             return s.reshape(sizes_from_args(shape, "reshape"));
           })
      .def("reshape_as", [](const Tensor& s, const Tensor& o) { return s.reshape(o.sizes()); })
      .def("flatten", &Tensor::flatten, "start_dim"_a = 0, "end_dim"_a = -1)
      .def("t", &Tensor::t)
      .def_property_readonly("T",
                             [](const Tensor& s) {
                               std::vector<int64_t> dims;
                               for (int64_t d = s.dim() - 1; d >= 0; --d) dims.push_back(d);
                               return s.permute(dims);
                             })
      .def("transpose", &Tensor::transpose, "dim0"_a, "dim1"_a)
      .def("permute",
           [](const Tensor& s, const py::args& dims) {
             return s.permute(sizes_from_args(dims, "permute"));
           })
      .def(
          "squeeze",
          [](const Tensor& s, std::optional<int64_t> dim) {
            return dim ? s.squeeze(*dim) : s.squeeze();
          },
          "dim"_a = py::none())
      .def("unsqueeze", &Tensor::unsqueeze, "dim"_a)
      .def("expand",
           [](const Tensor& s, const py::args& sizes) {
             return s.expand(sizes_from_args(sizes, "expand"));
           })
      .def("expand_as", &Tensor::expand_as, "other"_a)
      .def("narrow", &Tensor::narrow, "dim"_a, "start"_a, "length"_a)
      .def("select", &Tensor::select, "dim"_a, "index"_a)
      .def("index_select", &Tensor::index_select, "dim"_a, "index"_a)
      .def("gather", &Tensor::gather, "dim"_a, "index"_a)
      .def("scatter_add", &Tensor::scatter_add, "dim"_a, "index"_a, "src"_a)
      .def("masked_fill",
           py::overload_cast<const Tensor&, const Tensor&>(&Tensor::masked_fill, py::const_),
           "mask"_a, "value"_a)
      .def("masked_fill",
           py::overload_cast<const Tensor&, const Scalar&>(&Tensor::masked_fill, py::const_),
           "mask"_a, "value"_a)
      .def(
          "chunk",
          [](const Tensor& s, int64_t chunks, int64_t dim) {
            return to_tuple(s.chunk(chunks, dim));
          },
          "chunks"_a, "dim"_a = 0)
      .def(
          "split",
          [](const Tensor& s, const py::object& size, int64_t dim) {
            if (PyLong_Check(size.ptr())) return to_tuple(s.split(size.cast<int64_t>(), dim));
            return to_tuple(s.split(int_list(size, "split"), dim));
          },
          "split_size"_a, "dim"_a = 0)
      .def(
          "unbind", [](const Tensor& s, int64_t dim) { return to_tuple(s.unbind(dim)); },
          "dim"_a = 0)
      .def("repeat", [](const Tensor& s,
                        const py::args& r) { return s.repeat(sizes_from_args(r, "repeat")); })
      .def("contiguous", &Tensor::contiguous)
      .def("clone", &Tensor::clone)
      .def("to", &to_impl)
      .def(
          "type",
          [](const Tensor& s, OptDtype dtype) -> py::object {
            if (!dtype)
              return py::str(std::string("torch.") + tg::scalar_type_info(s.dtype()).tensor_type);
            return py::cast(s.to(*dtype));
          },
          "dtype"_a = py::none())
      .def("type_as", [](const Tensor& s, const Tensor& o) { return s.to(o.dtype()); })
      .def("cpu", [](const Tensor& s) { return s; });
  // x.float(), x.int(), x.half()...: x.to(that dtype).
  const std::pair<const char*, tg::ScalarType> conversions[] = {
      {"byte", tg::kByte},   {"char", tg::kChar},         {"short", tg::kShort},
      {"int", tg::kInt},     {"long", tg::kLong},         {"half", tg::kHalf},
      {"float", tg::kFloat}, {"bfloat16", tg::kBFloat16}, {"double", tg::kDouble},
      {"bool", tg::kBool}};
  for (const auto& [name, type] : conversions)
    cls.def(name, [type = type](const Tensor& s) { return s.to(type); });

  // ---- linear algebra ----
  cls.def("matmul", &Tensor::matmul, "other"_a, nogil)
      .def("mm", &Tensor::mm, "mat2"_a, nogil)
      .def("bmm", &Tensor::bmm, "mat2"_a, nogil)
      .def("mv", &Tensor::mv, "vec"_a, nogil)
      .def("dot", &Tensor::dot, "other"_a, nogil)
      .def("outer", &Tensor::outer, "vec2"_a, nogil)
      .def("addmm", &Tensor::addmm, "mat1"_a, "mat2"_a, py::kw_only(), "beta"_a = 1, "alpha"_a = 1,
           nogil)
      .def("allclose", &Tensor::allclose, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8,
           "equal_nan"_a = false)
      .def("equal", &Tensor::equal, "other"_a);
}

}  // namespace tgpy
