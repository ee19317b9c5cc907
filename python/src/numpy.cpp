// numpy: from_numpy(a) and t.numpy() share memory (each keeps the other's owner alive), as
// PyTorch's do; tensors from Python data (nested sequences, numbers, arrays).
#include <cstring>

#include "common.h"

namespace tgpy {

namespace {

using tg::Tensor;

std::optional<tg::ScalarType> dtype_of(const py::dtype& d) {
  if (d.kind() == 'b' && d.itemsize() == 1) return tg::kBool;
  if (d.kind() == 'i' && d.itemsize() == 8) return tg::kLong;
  if (d.kind() == 'f' && d.itemsize() == 4) return tg::kFloat;
  if (d.kind() == 'f' && d.itemsize() == 8) return tg::kDouble;
  return std::nullopt;
}

py::dtype numpy_dtype(tg::ScalarType t) {
  switch (t) {
    case tg::kBool:
      return py::dtype::of<bool>();
    case tg::kLong:
      return py::dtype::of<int64_t>();
    case tg::kFloat:
      return py::dtype::of<float>();
    case tg::kDouble:
      break;
  }
  return py::dtype::of<double>();
}

// The array's reference, dropped under the GIL by the last view of the storage.
void release_array(void* context, void*) {
  if (!Py_IsInitialized()) return;
  py::gil_scoped_acquire gil;
  Py_DECREF(static_cast<PyObject*>(context));
}

Tensor from_numpy(const py::handle& obj) {
  if (!py::isinstance<py::array>(obj))
    throw py::type_error("expected np.ndarray (got " +
                         std::string(py::str(obj.get_type().attr("__name__"))) + ")");
  auto arr = py::reinterpret_borrow<py::array>(obj);
  auto dtype = dtype_of(arr.dtype());
  if (!dtype)
    throw py::type_error("can't convert np.ndarray of type numpy." +
                         std::string(py::str(arr.dtype())) +
                         ". The only supported types are: float64, float32, int64, and bool.");
  auto item = static_cast<int64_t>(arr.itemsize());
  std::vector<int64_t> sizes, strides;
  int64_t extent = 1;
  for (py::ssize_t d = 0; d < arr.ndim(); ++d) {
    int64_t size = arr.shape(d), stride = arr.strides(d);
    if (stride < 0)
      throw py::value_error(
          "At least one stride in the given numpy array is negative, and tensors with negative "
          "strides are not currently supported. (You can probably work around this by making a "
          "copy of your array  with array.copy().) ");
    if (stride % item != 0)
      throw py::value_error(
          "given numpy array strides not a multiple of the element byte size. Copy the numpy "
          "array to reallocate the memory.");
    sizes.push_back(size);
    strides.push_back(stride / item);
    if (size == 0) extent = 0;
    if (extent) extent += (size - 1) * (stride / item);
  }
  auto* impl = new tg::TensorImpl();
  tg::TensorImplPtr ptr(impl);
  impl->dtype = *dtype;
  Py_INCREF(arr.ptr());
  impl->storage = tg::Storage::wrap(const_cast<void*>(arr.data()),
                                    static_cast<size_t>(extent * item), &release_array, arr.ptr());
  impl->sizes = tg::DimVector(tg::IntArrayRef(sizes));
  impl->strides = tg::DimVector(tg::IntArrayRef(strides));
  impl->compute_numel();
  return Tensor(std::move(ptr));
}

py::array to_numpy(const Tensor& t) {
  if (t.requires_grad())
    throw tg::Error(
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
  std::vector<py::ssize_t> shape, strides;
  auto item = static_cast<py::ssize_t>(t.element_size());
  for (int64_t d = 0; d < t.dim(); ++d) {
    shape.push_back(t.size(d));
    strides.push_back(t.stride(d) * item);
  }
  // The array's base owns a handle to the tensor, so the storage lives as long as the array.
  py::capsule owner(new Tensor(t.detach()), [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(numpy_dtype(t.dtype()), shape, strides, t.data_ptr(), owner);
}

// Nested sequences of numbers: the shape, and the values in order.
void collect(py::handle obj, size_t depth, std::vector<int64_t>& shape,
             std::vector<tg::Scalar>& values, bool& any_float, bool& any_int) {
  if (py::isinstance<Tensor>(obj)) {
    const Tensor& t = obj.cast<const Tensor&>();
    if (t.numel() != 1 || t.dim() != 0) {
      // A tensor inside a list: its values, by its nested lists.
      collect(py::cast(t).attr("tolist")(), depth, shape, values, any_float, any_int);
      return;
    }
    py::object value = py::cast(t.item());
    collect(value, depth, shape, values, any_float, any_int);
    return;
  }
  if (PyBool_Check(obj.ptr()) || PyLong_Check(obj.ptr()) || PyFloat_Check(obj.ptr()) ||
      (py::hasattr(obj, "dtype") && py::hasattr(obj, "item") && !py::isinstance<py::array>(obj))) {
    if (depth != shape.size())
      throw py::value_error("expected a sequence at depth " + std::to_string(depth) +
                            " (found a number)");
    auto s = obj.cast<tg::Scalar>();
    any_float = any_float || s.isFloatingPoint();
    any_int = any_int || s.kind() == tg::Scalar::Kind::Long;
    values.push_back(s);
    return;
  }
  if (py::isinstance<py::str>(obj) || !py::isinstance<py::sequence>(obj))
    throw py::type_error("Could not infer dtype of " +
                         std::string(py::str(obj.get_type().attr("__name__"))));
  auto seq = py::reinterpret_borrow<py::sequence>(obj);
  auto n = static_cast<int64_t>(seq.size());
  if (depth == shape.size()) {
    if (!values.empty())
      throw py::value_error("expected a number at depth " + std::to_string(depth) +
                            " (found a sequence)");
    shape.push_back(n);
  } else if (depth > shape.size() || shape[depth] != n) {
    throw py::value_error("expected sequence of length " +
                          std::to_string(depth < shape.size() ? shape[depth] : 0) + " at dim " +
                          std::to_string(depth) + " (got " + std::to_string(n) + ")");
  }
  for (py::handle item : seq) collect(item, depth + 1, shape, values, any_float, any_int);
}

template <class T>
void fill(const Tensor& t, const std::vector<tg::Scalar>& values) {
  T* p = t.data_ptr<T>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i].to<T>();
}

}  // namespace

Tensor tensor_from_data(const py::handle& data, std::optional<tg::ScalarType> dtype,
                        bool requires_grad) {
  Tensor out;
  if (py::isinstance<Tensor>(data)) {
    const Tensor& t = data.cast<const Tensor&>();
    out = t.detach().to(dtype.value_or(t.dtype()), false, true);
  } else if (py::isinstance<py::array>(data)) {
    auto arr = py::reinterpret_borrow<py::array>(data);
    if (!dtype_of(arr.dtype())) {
      // Other numpy types by their kind, as the dtype PyTorch would pick for them here.
      char k = arr.dtype().kind();
      arr = arr.attr("astype")(k == 'f' ? "float64" : k == 'b' ? "bool" : "int64");
    }
    Tensor shared = from_numpy(arr);
    out = shared.to(dtype.value_or(shared.dtype()), false, true).contiguous();
  } else {
    std::vector<int64_t> shape;
    std::vector<tg::Scalar> values;
    bool any_float = false, any_int = false;
    collect(data, 0, shape, values, any_float, any_int);
    tg::ScalarType inferred = any_float ? tg::kFloat : any_int ? tg::kLong : tg::kBool;
    if (shape.empty() && values.empty()) inferred = tg::kFloat;
    if (!shape.empty() && values.empty()) inferred = tg::kFloat;  // []: Float, as PyTorch
    out = tg::empty(shape, dtype.value_or(inferred));
    switch (out.dtype()) {
      case tg::kBool:
        fill<bool>(out, values);
        break;
      case tg::kLong:
        fill<int64_t>(out, values);
        break;
      case tg::kFloat:
        fill<float>(out, values);
        break;
      case tg::kDouble:
        fill<double>(out, values);
        break;
    }
  }
  if (requires_grad) out.requires_grad_(true);
  return out;
}

void bind_numpy(py::module_& m) {
  using namespace py::literals;
  m.def("from_numpy", &from_numpy, "ndarray"_a);
  m.def(
      "tensor",
      [](const py::handle& data, std::optional<tg::ScalarType> dtype, const py::object& device,
         bool requires_grad) { return tensor_from_data(data, dtype, requires_grad); },
      "data"_a, py::kw_only(), "dtype"_a = py::none(), "device"_a = py::none(),
      "requires_grad"_a = false);
  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  cls.def("numpy", &to_numpy)
      .def(
          "__array__",
          [](const Tensor& t, const py::object& dtype) -> py::object {
            py::array a = to_numpy(t);
            if (dtype.is_none()) return a;
            return a.attr("astype")(dtype);
          },
          "dtype"_a = py::none())
      .def("tolist", [](const Tensor& t) { return to_numpy(t.detach()).attr("tolist")(); });
  cls.attr("__array_priority__") = 1000;
}

}  // namespace tgpy
