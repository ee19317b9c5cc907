// Free functions: factories with PyTorch's *size convention and keyword arguments, the op table's
// functions, and those that are not methods (cat, stack, where...).
#include "common.h"

namespace tgpy {

namespace {

using tg::Scalar;
using tg::Tensor;
using OptDtype = std::optional<tg::ScalarType>;

void check_device(const py::object& device) {
  if (device.is_none()) return;
  auto d = py::str(device).cast<std::string>();
  if (d != "cpu") throw py::value_error("tensorgrad runs on the CPU only, not on " + d);
}

tg::TensorOptions options(OptDtype dtype, bool requires_grad) {
  tg::TensorOptions o;
  if (dtype) o = o.dtype(*dtype);
  return o.requires_grad(requires_grad);
}

// arange's dtype: Long when every bound is an integer, else Float, as PyTorch.
tg::TensorOptions arange_options(OptDtype dtype, bool requires_grad,
                                 std::initializer_list<Scalar> bounds) {
  if (!dtype) {
    bool any_float = false;
    for (const Scalar& s : bounds) any_float = any_float || s.isFloatingPoint();
    dtype = any_float ? tg::kFloat : tg::kLong;
  }
  return options(dtype, requires_grad);
}

std::vector<Tensor> tensor_list(const py::handle& seq, const char* what) {
  if (py::isinstance<Tensor>(seq) || !py::isinstance<py::sequence>(seq))
    throw py::type_error(std::string(what) +
                         "(): argument 'tensors' must be a tuple or list of Tensors");
  std::vector<Tensor> out;
  for (py::handle h : seq) out.push_back(h.cast<Tensor>());
  return out;
}

}  // namespace

void bind_functions(py::module_& m) {
  using namespace py::literals;
  const auto nogil = py::call_guard<py::gil_scoped_release>();

#define TG_SIZED_FACTORY(name)                                                                 \
  m.def(                                                                                       \
      #name,                                                                                   \
      [](const py::args& size, OptDtype dtype, const py::object& device, bool requires_grad) { \
        check_device(device);                                                                  \
        return tg::name(sizes_from_args(size, #name), options(dtype, requires_grad));          \
      },                                                                                       \
      "dtype"_a = py::none(), "device"_a = py::none(), "requires_grad"_a = false);
  TG_SIZED_FACTORY(empty)
  TG_SIZED_FACTORY(zeros)
  TG_SIZED_FACTORY(ones)
  TG_SIZED_FACTORY(rand)
  TG_SIZED_FACTORY(randn)
#undef TG_SIZED_FACTORY

#define TG_LIKE_FACTORY(name)                                                             \
  m.def(                                                                                  \
      #name,                                                                              \
      [](const Tensor& t, OptDtype dtype, const py::object& device, bool requires_grad) { \
        check_device(device);                                                             \
        return tg::name(t, options(dtype.value_or(t.dtype()), requires_grad));            \
      },                                                                                  \
      "input"_a, py::kw_only(), "dtype"_a = py::none(), "device"_a = py::none(),          \
      "requires_grad"_a = false);
  TG_LIKE_FACTORY(empty_like)
  TG_LIKE_FACTORY(zeros_like)
  TG_LIKE_FACTORY(ones_like)
  TG_LIKE_FACTORY(rand_like)
  TG_LIKE_FACTORY(randn_like)
#undef TG_LIKE_FACTORY

  m.def(
      "full",
      [](const py::object& size, const Scalar& value, OptDtype dtype, const py::object& device,
         bool requires_grad) {
        check_device(device);
        // As PyTorch: the dtype follows the fill value when none is given.
        if (!dtype) dtype = value.isFloatingPoint() ? tg::kFloat : value.type();
        return tg::full(int_list(size, "full"), value, options(dtype, requires_grad));
      },
      "size"_a, "fill_value"_a, py::kw_only(), "dtype"_a = py::none(), "device"_a = py::none(),
      "requires_grad"_a = false);
  m.def(
      "full_like",
      [](const Tensor& t, const Scalar& value, OptDtype dtype, bool requires_grad) {
        return tg::full_like(t, value, options(dtype.value_or(t.dtype()), requires_grad));
      },
      "input"_a, "fill_value"_a, py::kw_only(), "dtype"_a = py::none(), "requires_grad"_a = false);
  m.def(
      "arange",
      [](const Scalar& a, const std::optional<Scalar>& b, const Scalar& step, OptDtype dtype,
         const py::object& device, bool requires_grad) {
        check_device(device);
        if (!b) return tg::arange(a, arange_options(dtype, requires_grad, {a, step}));
        return tg::arange(a, *b, step, arange_options(dtype, requires_grad, {a, *b, step}));
      },
      "start"_a, "end"_a = py::none(), "step"_a = 1, py::kw_only(), "dtype"_a = py::none(),
      "device"_a = py::none(), "requires_grad"_a = false);
  m.def(
      "linspace",
      [](const Scalar& start, const Scalar& end, int64_t steps, OptDtype dtype,
         bool requires_grad) {
        return tg::linspace(start, end, steps, options(dtype, requires_grad));
      },
      "start"_a, "end"_a, "steps"_a, py::kw_only(), "dtype"_a = py::none(),
      "requires_grad"_a = false);
  m.def(
      "eye",
      [](int64_t n, std::optional<int64_t> cols, OptDtype dtype, bool requires_grad) {
        if (cols) return tg::eye(n, *cols, options(dtype, requires_grad));
        return tg::eye(n, options(dtype, requires_grad));
      },
      "n"_a, "m"_a = py::none(), py::kw_only(), "dtype"_a = py::none(), "requires_grad"_a = false);
  m.def(
      "randint",
      [](const py::args& args, OptDtype dtype, bool requires_grad) {
        // randint(high, size) or randint(low, high, size).
        if (args.size() != 2 && args.size() != 3)
          throw py::type_error("randint(): expected (high, size) or (low, high, size)");
        int64_t low = args.size() == 3 ? args[0].cast<int64_t>() : 0;
        auto high = args[args.size() - 2].cast<int64_t>();
        auto size = int_list(args[args.size() - 1], "randint");
        return tg::randint(low, high, size, options(dtype.value_or(tg::kLong), requires_grad));
      },
      "dtype"_a = py::none(), "requires_grad"_a = false);
  m.def(
      "randperm",
      [](int64_t n, OptDtype dtype, bool requires_grad) {
        return tg::randperm(n, options(dtype.value_or(tg::kLong), requires_grad));
      },
      "n"_a, py::kw_only(), "dtype"_a = py::none(), "requires_grad"_a = false);
  m.def(
      "scalar_tensor",
      [](const Scalar& v, OptDtype dtype, bool requires_grad) {
        return tg::scalar_tensor(v, options(dtype.value_or(tg::kFloat), requires_grad));
      },
      "s"_a, py::kw_only(), "dtype"_a = py::none(), "requires_grad"_a = false);
  m.def(
      "manual_seed", [](uint64_t seed) { tg::manual_seed(seed); }, "seed"_a);
  m.def("set_num_threads", &tg::set_num_threads, "n"_a);
  m.def("get_num_threads", &tg::get_num_threads);
  m.def("set_flush_denormal", &tg::set_flush_denormal, "mode"_a);

  // The op table's functions: torch.exp(x), torch.atan2(a, b)...
#define TG_UNARY(name, ...) \
  m.def(                    \
      #name, [](const Tensor& x) { return tg::name(x); }, "input"_a, nogil);
#define TG_BINARY(name, ...)                                                             \
  m.def(                                                                                 \
      #name, [](const Tensor& a, const Tensor& b) { return tg::name(a, b); }, "input"_a, \
      "other"_a, nogil);                                                                 \
  m.def(                                                                                 \
      #name, [](const Tensor& a, const Scalar& b) { return tg::name(a, b); }, "input"_a, \
      "other"_a, nogil);
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY

#define TG_ALPHA_FN(name)                                                                          \
  m.def(                                                                                           \
      #name,                                                                                       \
      [](const Tensor& a, const Tensor& b, const Scalar& alpha) { return tg::name(a, b, alpha); }, \
      "input"_a, "other"_a, py::kw_only(), "alpha"_a = 1);                                         \
  m.def(                                                                                           \
      #name,                                                                                       \
      [](const Tensor& a, const Scalar& b, const Scalar& alpha) { return tg::name(a, b, alpha); }, \
      "input"_a, "other"_a, py::kw_only(), "alpha"_a = 1);
  TG_ALPHA_FN(add)
  TG_ALPHA_FN(sub)
#undef TG_ALPHA_FN
#define TG_BINARY_FN(name)                                                               \
  m.def(                                                                                 \
      #name, [](const Tensor& a, const Tensor& b) { return tg::name(a, b); }, "input"_a, \
      "other"_a);                                                                        \
  m.def(                                                                                 \
      #name, [](const Tensor& a, const Scalar& b) { return tg::name(a, b); }, "input"_a, \
      "other"_a);
  TG_BINARY_FN(mul)
  TG_BINARY_FN(div)
  TG_BINARY_FN(eq)
  TG_BINARY_FN(ne)
  TG_BINARY_FN(lt)
  TG_BINARY_FN(le)
  TG_BINARY_FN(gt)
  TG_BINARY_FN(ge)
#undef TG_BINARY_FN
  m.def(
      "pow", [](const Tensor& a, const Tensor& b) { return tg::pow(a, b); }, "input"_a,
      "exponent"_a);
  m.def(
      "pow", [](const Tensor& a, const Scalar& b) { return tg::pow(a, b); }, "input"_a,
      "exponent"_a);
  m.def(
      "pow", [](const Scalar& a, const Tensor& b) { return tg::pow(a, b); }, "self"_a,
      "exponent"_a);
  m.def("maximum", &tg::maximum, "input"_a, "other"_a);
  m.def("minimum", &tg::minimum, "input"_a, "other"_a);
  m.def("where", py::overload_cast<const Tensor&, const Tensor&, const Tensor&>(&tg::where),
        "condition"_a, "input"_a, "other"_a);
  m.def("where", py::overload_cast<const Tensor&, const Tensor&, const Scalar&>(&tg::where),
        "condition"_a, "input"_a, "other"_a);
  m.def("where", py::overload_cast<const Tensor&, const Scalar&, const Tensor&>(&tg::where),
        "condition"_a, "input"_a, "other"_a);
  m.def(
      "cat",
      [](const py::handle& tensors, int64_t dim) {
        auto list = tensor_list(tensors, "cat");
        py::gil_scoped_release release;
        return tg::cat(list, dim);
      },
      "tensors"_a, "dim"_a = 0);
  m.def(
      "concat",
      [](const py::handle& tensors, int64_t dim) {
        return tg::cat(tensor_list(tensors, "concat"), dim);
      },
      "tensors"_a, "dim"_a = 0);
  m.def(
      "stack",
      [](const py::handle& tensors, int64_t dim) {
        auto list = tensor_list(tensors, "stack");
        py::gil_scoped_release release;
        return tg::stack(list, dim);
      },
      "tensors"_a, "dim"_a = 0);
  m.def("allclose", &tg::allclose, "input"_a, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8,
        "equal_nan"_a = false);
  m.def("equal", &tg::equal, "input"_a, "other"_a);
  m.def("broadcast_shapes", [](const py::args& shapes) {
    tg::DimVector out;
    for (py::handle s : shapes) out = tg::broadcast_shapes(out, int_list(s, "broadcast_shapes"));
    py::tuple t(out.size());
    for (size_t i = 0; i < out.size(); ++i) t[i] = py::int_(out[i]);
    return t;
  });
}

}  // namespace tgpy
