// tg::tensor and its argument, TensorDataContainer (tensorgrad/tensor_data.h): a number, a braced
// list nested to any depth or a 1-d run of numbers, checked as it is built (one shape for the
// sub-lists of a list, one literal type for all its numbers) and written into a new tensor.
#include <algorithm>
#include <ostream>

#include "core/internal.h"
#include "kernels/loop.h"
#include "tensorgrad/tensor_data.h"

namespace tg {
namespace detail {

namespace {

/// The dtype a tensor of these numbers has when no dtype is given, as libtorch: int and int64_t
/// give Long, float and double the default dtype, other C++ types their own dtype.
ScalarType desired_dtype(ScalarType literal) {
  switch (literal) {
    case kInt:
    case kLong:
      return kLong;
    case kFloat:
    case kDouble:
      return get_default_dtype_as_scalartype();
    default:
      return literal;
  }
}

/// libtorch writes a list of sizes as its numbers separated by spaces ("2 3"; nothing for a
/// number's empty shape), and its messages quote them so.
std::string sizes_words(IntArrayRef sizes) {
  std::string out;
  for (size_t i = 0; i < sizes.size(); ++i) out += (i ? " " : "") + std::to_string(sizes[i]);
  return out;
}

void print_value(std::ostream& out, const Scalar& v, ScalarType literal) {
  if (literal == kBool)
    out << v.toBool();
  else if (literal == kFloat)
    out << v.to<float>();
  else if (is_floating_point(literal))
    out << v.toDouble();
  else
    out << v.toLong();
}

/// Throws unless c holds a `want`, naming the accessor that asked for one ("scalar" for
/// scalar(), ...) and what c holds instead.
void check_holds(const TensorDataContainer& c, TensorDataContainer::Kind want,
                 const char* accessor) {
  // By Kind: Scalar, InitList, Tensor.
  constexpr const char* kHeld[] = {"number", "list", "tensor"};
  TG_CHECK(c.kind() == want, "TensorDataContainer: Can only call `", accessor,
           "()` on a TensorDataContainer that has `is_", accessor, "() == true`; this one holds a ",
           kHeld[static_cast<int>(c.kind())]);
}

template <class T>
Tensor values_tensor(ArrayRef<T> values) {
  Tensor t = make_empty({static_cast<int64_t>(values.size())}, scalar_type_of_v<T>);
  std::copy(values.begin(), values.end(), t.data_ptr<T>());
  return t;
}

}  // namespace

TensorDataContainer::TensorDataContainer()
    : sizes_({0}), literal_(get_default_dtype_as_scalartype()), kind_(Kind::InitList) {}

TensorDataContainer::TensorDataContainer(std::initializer_list<TensorDataContainer> list)
    : TensorDataContainer() {
  if (list.size() == 0) return;  // an empty list, as `{}`
  list_.assign(list.begin(), list.end());
  const TensorDataContainer& first = list_.front();
  literal_ = first.literal_;
  sizes_.clear();
  for (const TensorDataContainer& e : list_) {
    TG_CHECK(e.sizes_ == first.sizes_,
             "tensor: Expected all sub-lists to have sizes: ", sizes_words(first.sizes_), " (e.g. ",
             first, "), but got sub-list ", e, " with sizes: ", sizes_words(e.sizes_),
             "; every element of a list must have the same shape");
    TG_CHECK(e.literal_ == first.literal_,
             "tensor: Expected all elements of the tensor to have the same scalar type: ",
             first.literal_, ", but got element of scalar type: ", e.literal_,
             "; write every number with one type (1.0 and 2.0, or 1 and 2) and pass the dtype "
             "you want in the options");
  }
  sizes_.push_back(static_cast<int64_t>(list_.size()));
  for (int64_t s : first.sizes_) sizes_.push_back(s);
}

TensorDataContainer::TensorDataContainer(Tensor values, ScalarType literal)
    : sizes_({values.numel()}),
      literal_(literal),
      kind_(Kind::Tensor),
      values_(std::move(values)) {}

#define TG_ARRAY_CONTAINER(T)                                  \
  TensorDataContainer::TensorDataContainer(ArrayRef<T> values) \
      : TensorDataContainer(values_tensor(values), scalar_type_of_v<T>) {}
TG_ARRAY_CONTAINER(bool)
TG_ARRAY_CONTAINER(uint8_t)
TG_ARRAY_CONTAINER(int8_t)
TG_ARRAY_CONTAINER(int16_t)
TG_ARRAY_CONTAINER(int)
TG_ARRAY_CONTAINER(int64_t)
TG_ARRAY_CONTAINER(Half)
TG_ARRAY_CONTAINER(BFloat16)
TG_ARRAY_CONTAINER(float)
TG_ARRAY_CONTAINER(double)
#undef TG_ARRAY_CONTAINER

TensorDataContainer::TensorDataContainer(const std::vector<bool>& values)
    : TensorDataContainer(make_empty({static_cast<int64_t>(values.size())}, kBool), kBool) {
  bool* out = values_.data_ptr<bool>();
  for (bool v : values) *out++ = v;
}

const Scalar& TensorDataContainer::scalar() const {
  check_holds(*this, Kind::Scalar, "scalar");
  return scalar_;
}

const std::vector<TensorDataContainer>& TensorDataContainer::init_list() const {
  check_holds(*this, Kind::InitList, "init_list");
  return list_;
}

const Tensor& TensorDataContainer::tensor() const {
  check_holds(*this, Kind::Tensor, "tensor");
  return values_;
}

int64_t TensorDataContainer::fill(const Tensor& out, int64_t at) const {
  switch (kind_) {
    case Kind::Scalar:
      kernels::dispatch(out.dtype(), [&](auto tag) {
        using D = typename decltype(tag)::type;
        static_cast<D*>(out.data_ptr())[at] = scalar_.to<D>();
      });
      return at + 1;
    case Kind::InitList:
      for (const TensorDataContainer& e : list_) at = e.fill(out, at);
      return at;
    case Kind::Tensor: {
      const int64_t n = values_.numel();
      copy_into(make_view(out, {n}, {1}, out.unsafeGetTensorImpl()->offset + at), values_);
      return at + n;
    }
  }
  return at;
}

Tensor TensorDataContainer::convert_to_tensor(const TensorOptions& options) const {
  const ScalarType given = factory_dtype("tensor", options);
  const ScalarType dtype = options.has_dtype() ? given : desired_dtype(literal_);
  Tensor out = make_empty(sizes_, dtype);
  fill(out, 0);
  return out;
}

void TensorDataContainer::pretty_print_recursive(std::ostream& out) const {
  switch (kind_) {
    case Kind::Scalar:
      print_value(out, scalar_, literal_);
      return;
    case Kind::InitList:
      out << '{';
      for (size_t i = 0; i < list_.size(); ++i) {
        if (i) out << ", ";
        list_[i].pretty_print_recursive(out);
      }
      out << '}';
      return;
    case Kind::Tensor:
      out << '{';
      for (int64_t i = 0; i < values_.numel(); ++i) {
        if (i) out << ", ";
        print_value(out, values_[i].item(), literal_);
      }
      out << '}';
      return;
  }
}

std::ostream& operator<<(std::ostream& out, const TensorDataContainer& data) {
  data.pretty_print_recursive(out);
  return out;
}

}  // namespace detail

Tensor tensor(const detail::TensorDataContainer& data, const TensorOptions& options) {
  Tensor t = data.convert_to_tensor(options);
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

}  // namespace tg
