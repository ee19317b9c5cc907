// numpy: from_numpy(a) and t.numpy() share memory (each keeps the other's owner alive), as
// PyTorch's do; tensors from Python data (nested sequences, numbers, arrays).
#include <cstring>

#include "common.h"

namespace tgpy {

namespace {

using tg::Tensor;

// The numpy dtype of each tensorgrad dtype (numpy has no bfloat16).
struct NumpyType {
  tg::ScalarType type;
  char kind;
  int itemsize;
  const char* name;
};
const NumpyType kNumpyTypes[] = {
    {tg::kBool, 'b', 1, "bool"},      {tg::kByte, 'u', 1, "uint8"},
    {tg::kChar, 'i', 1, "int8"},      {tg::kShort, 'i', 2, "int16"},
    {tg::kInt, 'i', 4, "int32"},      {tg::kLong, 'i', 8, "int64"},
    {tg::kHalf, 'f', 2, "float16"},   {tg::kFloat, 'f', 4, "float32"},
    {tg::kDouble, 'f', 8, "float64"},
};

std::optional<tg::ScalarType> dtype_of(const py::dtype& d) {
  for (const auto& n : kNumpyTypes)
    if (d.kind() == n.kind && d.itemsize() == n.itemsize) return n.type;
  return std::nullopt;
}

py::dtype numpy_dtype(tg::ScalarType t) {
  for (const auto& n : kNumpyTypes)
    if (n.type == t) return py::dtype(n.name);
  throw py::type_error(std::string("Got unsupported ScalarType ") + tg::to_string(t));
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
    throw py::type_error(
        "can't convert np.ndarray of type numpy." + std::string(py::str(arr.dtype())) +
        ". The only supported types are: float64, float32, float16, int64, int32, int16, int8, "
        "uint8, and bool.");
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
void fill_as(const Tensor& t, const std::vector<tg::Scalar>& values) {
  T* p = t.data_ptr<T>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i].to<T>();
}

// Each value converted straight to t's dtype, as PyTorch converts Python numbers.
void fill(const Tensor& t, const std::vector<tg::Scalar>& values) {
  switch (t.dtype()) {
    case tg::kByte:
      return fill_as<uint8_t>(t, values);
    case tg::kChar:
      return fill_as<int8_t>(t, values);
    case tg::kShort:
      return fill_as<int16_t>(t, values);
    case tg::kInt:
      return fill_as<int32_t>(t, values);
    case tg::kLong:
      return fill_as<int64_t>(t, values);
    case tg::kHalf:
      return fill_as<tg::Half>(t, values);
    case tg::kBFloat16:
      return fill_as<tg::BFloat16>(t, values);
    case tg::kFloat:
      return fill_as<float>(t, values);
    case tg::kDouble:
      return fill_as<double>(t, values);
    case tg::kBool:
      return fill_as<bool>(t, values);
  }
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
    fill(out, values);
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
      .def("tolist", [](const Tensor& t) {
        // numpy has no bfloat16: its values are exact in float32.
        Tensor s = t.dtype() == tg::kBFloat16 ? t.detach().to(tg::kFloat) : t.detach();
        return to_numpy(s).attr("tolist")();
      });
  cls.attr("__array_priority__") = 1000;
}

}  // namespace tgpy
