// tensorgrad._C: the module, the dtypes, and the translation of C++ errors.
#include <sstream>

#include "common.h"

namespace tgpy {

namespace {
// Never destroyed: the interpreter may be gone when static destructors run.
py::object* const g_dtypes = new py::object[tg::kNumScalarTypes];

// PyTorch's names for the dtypes: tensorgrad.float32 and its aliases.
struct DtypeNames {
  tg::ScalarType type;
  const char* name;
  std::vector<const char*> aliases;
};
const DtypeNames kDtypeNames[] = {
    {tg::kByte, "uint8", {}},
    {tg::kChar, "int8", {}},
    {tg::kShort, "int16", {"short"}},
    {tg::kInt, "int32", {"int"}},
    {tg::kLong, "int64", {"long"}},
    {tg::kHalf, "float16", {"half"}},
    {tg::kBFloat16, "bfloat16", {}},
    {tg::kFloat, "float32", {"float"}},
    {tg::kDouble, "float64", {"double"}},
    {tg::kBool, "bool", {}},
};
}  // namespace

py::object dtype_object(tg::ScalarType t) {
  auto i = static_cast<int>(t);
  TG_CHECK(i >= 0 && i < tg::kNumScalarTypes, "unknown dtype ", i);
  return g_dtypes[i];
}

PyCallable::PyCallable(py::object fn)
    : fn_(new py::object(std::move(fn)), [](py::object* p) {
        // The last copy may die on any thread (the engine's, a tensor's destructor): the
        // reference is dropped under the GIL, and not at all once the interpreter is gone.
        if (Py_IsInitialized()) {
          py::gil_scoped_acquire gil;
          delete p;
        }
      }) {}

std::vector<int64_t> int_list(const py::handle& obj, const char* what) {
  std::vector<int64_t> out;
  if (PyLong_Check(obj.ptr()) || py::hasattr(obj, "__index__")) {
    if (py::isinstance<tg::Tensor>(obj) && obj.cast<const tg::Tensor&>().numel() != 1)
      throw py::type_error(std::string(what) + ": expected an int or a sequence of ints");
    out.push_back(py::cast<int64_t>(obj.attr("__index__")()));
    return out;
  }
  if (!py::isinstance<py::sequence>(obj) || py::isinstance<py::str>(obj))
    throw py::type_error(std::string(what) + ": expected an int or a sequence of ints but got " +
                         std::string(py::str(obj.get_type().attr("__name__"))));
  for (py::handle item : obj) {
    if (PyFloat_Check(item.ptr()) || !py::hasattr(item, "__index__"))
      throw py::type_error(std::string(what) + ": expected a sequence of ints but it holds " +
                           std::string(py::str(item.get_type().attr("__name__"))));
    out.push_back(py::cast<int64_t>(item.attr("__index__")()));
  }
  return out;
}

std::vector<int64_t> sizes_from_args(const py::args& args, const char* what) {
  if (args.size() == 1 && !PyLong_Check(args[0].ptr()) && py::isinstance<py::sequence>(args[0]))
    return int_list(args[0], what);
  std::vector<int64_t> out;
  for (py::handle a : args) {
    if (PyFloat_Check(a.ptr()) || !py::hasattr(a, "__index__"))
      throw py::type_error(std::string(what) + ": sizes must be ints, but got " +
                           std::string(py::str(a.get_type().attr("__name__"))));
    out.push_back(py::cast<int64_t>(a.attr("__index__")()));
  }
  return out;
}

std::string tensor_str(const tg::Tensor& t) {
  std::ostringstream out;
  out << t;
  std::string s = out.str();
  // The type line is the last: "[tg::FloatTensor of size 2x2]".
  size_t pos = s.rfind("[tg::");
  if (pos != std::string::npos && (pos == 0 || s[pos - 1] == '\n')) s.replace(pos, 5, "[torch.");
  return s;
}

void bind_dtypes(py::module_& m) {
  py::class_<DtypeObject>(m, "dtype")
      .def_property_readonly("is_floating_point",
                             [](const DtypeObject& d) { return tg::is_floating_point(d.type); })
      .def_property_readonly("is_signed",
                             [](const DtypeObject& d) { return tg::is_signed(d.type); })
      .def_property_readonly("is_complex", [](const DtypeObject&) { return false; })
      .def_property_readonly("itemsize",
                             [](const DtypeObject& d) { return tg::element_size(d.type); })
      .def("__repr__",
           [](const DtypeObject& d) {
             for (const auto& n : kDtypeNames)
               if (n.type == d.type) return std::string("tensorgrad.") + n.name;
             return std::string("tensorgrad.unknown");
           })
      .def("__reduce__", [](const DtypeObject& d) {
        for (const auto& n : kDtypeNames)
          if (n.type == d.type) return std::string(n.name);
        return std::string("float32");
      });
  for (const auto& n : kDtypeNames) {
    py::object o = py::cast(DtypeObject{n.type});
    g_dtypes[static_cast<int>(n.type)] = o;
    m.attr(n.name) = o;
    for (const char* alias : n.aliases) m.attr(alias) = o;
  }
}

}  // namespace tgpy

PYBIND11_MODULE(_C, m) {
  m.doc() = "tensorgrad's C++ library: tensors, autograd, nn (the Python API is tensorgrad)";

  // C++ errors arrive with their message, as the Python exception PyTorch raises for them.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const tg::IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const tg::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const tg::TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const tg::NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const tg::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  tgpy::bind_dtypes(m);
  tgpy::bind_tensor(m);
  tgpy::bind_functions(m);
  tgpy::bind_numpy(m);
  tgpy::bind_autograd(m);
  tgpy::bind_nn(m);
}
