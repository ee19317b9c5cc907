#pragma once
// What every binding file shares: the conversions between Python objects and tensorgrad's types.
//
// - tg::Tensor is a pybind11 class (tensorgrad.Tensor); an undefined Tensor is None both ways, as
//   PyTorch's Python API has None where libtorch has an undefined tensor (x.grad, the gradients
//   of unused inputs, backward(gradient=None)).
// - tg::Scalar is a Python bool, int or float (numpy scalars included).
// - tg::ScalarType is one of the ten dtype objects (tensorgrad.uint8 ... tensorgrad.bool, with
//   PyTorch's aliases such as tensorgrad.long), which are singletons as PyTorch's are (x.dtype is
//   tensorgrad.float32); Python's own float, int and bool are accepted where a dtype is expected,
//   as PyTorch accepts them.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <tensorgrad/tensorgrad.h>

#include <memory>
#include <string>
#include <vector>

namespace py = pybind11;

namespace tgpy {

/// The Python object of a dtype (the ten are made once, in module.cpp).
struct DtypeObject {
  tg::ScalarType type;
};
py::object dtype_object(tg::ScalarType t);

/// A Python callable that may be copied, called and destroyed on any thread: copies share one
/// reference, and the last one releases it holding the GIL.
class PyCallable {
 public:
  explicit PyCallable(py::object fn);
  /// Calls fn(args...) with the GIL taken; a Python exception leaves as py::error_already_set.
  template <class... Args>
  py::object operator()(Args&&... args) const {
    py::gil_scoped_acquire gil;
    return (*fn_)(std::forward<Args>(args)...);
  }
  const py::object& get() const { return *fn_; }
  /// How many copies share the reference: the garbage collector may see it only through a
  /// sole owner.
  long use_count() const { return fn_.use_count(); }
  std::weak_ptr<py::object> weak() const { return fn_; }

 private:
  std::shared_ptr<py::object> fn_;
};

/// Identity: one Python object per tensor (TensorImpl) while that object is alive, as in
/// PyTorch (x.grad is x.grad). The table maps each impl to its object without owning it; an object
/// leaves it when it dies. All three run with the GIL held.
PyObject* wrapper_of(const tg::TensorImpl* impl);
void set_wrapper(const tg::TensorImpl* impl, PyObject* obj);
/// Visits the Python objects that t's autograd state owns (Python hooks, a Python Function's
/// ctx), when the wrapper being traversed is their only owner: see Note [Tensor GC] in tensor.cpp.
int visit_python_objects(const tg::Tensor& t, visitproc visit, void* arg);

/// Sizes given as f(2, 3), f((2, 3)), f([2, 3]) or f(torch.Size): PyTorch's *size convention.
std::vector<int64_t> sizes_from_args(const py::args& args, const char* what);
/// One int or a sequence of ints (dim=1, dim=(0, 1)).
std::vector<int64_t> int_list(const py::handle& obj, const char* what);

void bind_dtypes(py::module_& m);
void bind_tensor(py::module_& m);
void bind_functions(py::module_& m);
void bind_autograd(py::module_& m);
void bind_numpy(py::module_& m);
void bind_nn(py::module_& m);
/// The ops of tensorgrad._C._nn (nn_functional.cpp), into that submodule.
void bind_nn_functional(py::module_& nn);

/// The seed's printing: the C++ text with "[torch.FloatTensor ...]" for the type line, as the
/// seed's notebook (which imports tensorgrad as torch) prints it.
std::string tensor_str(const tg::Tensor& t);

/// Indexing: x[index] and x[index] = value.
tg::Tensor getitem(const tg::Tensor& self, const py::handle& index);
void setitem(const tg::Tensor& self, const py::handle& index, const py::handle& value);

/// A tensor from Python data (nested sequences, numbers, numpy arrays, tensors).
tg::Tensor tensor_from_data(const py::handle& data, std::optional<tg::ScalarType> dtype,
                            bool requires_grad);

}  // namespace tgpy

namespace pybind11::detail {

template <>
struct type_caster<tg::Scalar> {
  PYBIND11_TYPE_CASTER(tg::Scalar, const_name("Number"));
  bool load(handle src, bool convert) {
    PyObject* o = src.ptr();
    if (PyBool_Check(o)) {
      value = tg::Scalar(o == Py_True);
      return true;
    }
    if (PyLong_Check(o)) {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow != 0) {
        // Beyond int64, as PyTorch: the value as a double.
        double d = PyLong_AsDouble(o);
        if (d == -1.0 && PyErr_Occurred()) {
          PyErr_Clear();
          return false;
        }
        value = tg::Scalar(d);
        return true;
      }
      value = tg::Scalar(static_cast<int64_t>(v));
      return true;
    }
    if (PyFloat_Check(o)) {
      value = tg::Scalar(PyFloat_AS_DOUBLE(o));
      return true;
    }
    if (!convert) return false;
    // numpy scalars (np.float32, np.int32, np.bool_...): by their kind. Never a tensor: that
    // would silently cut it from the graph.
    if (isinstance<tg::Tensor>(src)) return false;
    if (hasattr(src, "dtype") && hasattr(src, "item")) {
      object item = src.attr("item")();
      if (PyBool_Check(item.ptr()) || PyLong_Check(item.ptr()) || PyFloat_Check(item.ptr()))
        return load(item, false);
    }
    return false;
  }
  static handle cast(const tg::Scalar& s, return_value_policy, handle) {
    switch (s.kind()) {
      case tg::Scalar::Kind::Bool:
        return PyBool_FromLong(s.toBool() ? 1 : 0);
      case tg::Scalar::Kind::Long:
        return PyLong_FromLongLong(s.toLong());
      case tg::Scalar::Kind::Double:
        break;
    }
    return PyFloat_FromDouble(s.toDouble());
  }
};

template <>
struct type_caster<tg::ScalarType> {
  PYBIND11_TYPE_CASTER(tg::ScalarType, const_name("dtype"));
  bool load(handle src, bool) {
    if (isinstance<tgpy::DtypeObject>(src)) {
      value = src.cast<const tgpy::DtypeObject&>().type;
      return true;
    }
    PyObject* o = src.ptr();
    if (o == reinterpret_cast<PyObject*>(&PyFloat_Type)) {
      value = tg::kDouble;
      return true;
    }
    if (o == reinterpret_cast<PyObject*>(&PyLong_Type)) {
      value = tg::kLong;
      return true;
    }
    if (o == reinterpret_cast<PyObject*>(&PyBool_Type)) {
      value = tg::kBool;
      return true;
    }
    return false;
  }
  static handle cast(tg::ScalarType t, return_value_policy, handle) {
    return tgpy::dtype_object(t).release();
  }
};

/// An int or a sequence of ints (kernel_size=3, stride=(2, 1)) as an IntArrayRef, viewing a
/// vector that the caster owns for the length of the call; None is the empty list (an op's
/// default, such as a pooling stride of kernel_size).
template <>
struct type_caster<tg::IntArrayRef> {
  PYBIND11_TYPE_CASTER(tg::IntArrayRef, const_name("Union[int, Sequence[int]]"));
  bool load(handle src, bool) {
    if (!src.is_none()) {
      if (!hasattr(src, "__index__") && !isinstance<sequence>(src)) return false;
      try {
        storage_ = tgpy::int_list(src, "size");
      } catch (const error_already_set&) {
        return false;
      } catch (const type_error&) {
        return false;
      }
    }
    value = tg::IntArrayRef(storage_);
    return true;
  }
  static handle cast(tg::IntArrayRef a, return_value_policy, handle) {
    tuple out(a.size());
    for (size_t i = 0; i < a.size(); ++i) out[i] = int_(a[i]);
    return out.release();
  }

 private:
  std::vector<int64_t> storage_;
};

/// Tensors are the pybind11 class tensorgrad.Tensor; None stands for an undefined tensor.
/// Take a tensor out of a Python result with obj.cast<Tensor>() on a named py::object: on a
/// temporary, pybind11 moves the tensor out of a sole-owner object, which then dies as an empty
/// object and leaves its impl's identity entry behind.
template <>
struct type_caster<tg::Tensor> : public type_caster_base<tg::Tensor> {
  using base = type_caster_base<tg::Tensor>;
  bool load(handle src, bool convert) {
    if (src.is_none()) {
      value = const_cast<tg::Tensor*>(&undefined());
      return true;
    }
    return base::load(src, convert);
  }
  // A tensor that already has a Python object comes back as that object; otherwise a new one
  // owns a copy of the handle (never a reference to a C++ Tensor that may die first).
  static handle cast(const tg::Tensor& t, return_value_policy, handle parent) {
    if (!t.defined()) return none().release();
    if (PyObject* o = tgpy::wrapper_of(t.unsafeGetTensorImpl())) return handle(o).inc_ref();
    handle h = base::cast(t, return_value_policy::copy, parent);
    if (h) tgpy::set_wrapper(t.unsafeGetTensorImpl(), h.ptr());
    return h;
  }
  static handle cast(tg::Tensor&& t, return_value_policy, handle parent) {
    if (!t.defined()) return none().release();
    const tg::TensorImpl* impl = t.unsafeGetTensorImpl();
    if (PyObject* o = tgpy::wrapper_of(impl)) return handle(o).inc_ref();
    handle h = base::cast(std::move(t), return_value_policy::move, parent);
    if (h) tgpy::set_wrapper(impl, h.ptr());
    return h;
  }
  static handle cast(const tg::Tensor* t, return_value_policy policy, handle parent) {
    if (t == nullptr || !t->defined()) return none().release();
    return cast(*t, policy, parent);
  }

 private:
  static const tg::Tensor& undefined() {
    static const tg::Tensor t;
    return t;
  }
};

}  // namespace pybind11::detail
