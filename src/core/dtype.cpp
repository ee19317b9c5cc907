#include "tensorgrad/dtype.h"

#include <atomic>
#include <ostream>

#include "tensorgrad/error.h"

namespace tg {

namespace {

// Indexed by the enum's value.
constexpr ScalarTypeInfo kScalarTypes[kNumScalarTypes] = {
    {kBool, "Bool", "BoolTensor", "BOOL", 1},
    {kLong, "Long", "LongTensor", "I64", 8},
    {kFloat, "Float", "FloatTensor", "F32", 4},
    {kDouble, "Double", "DoubleTensor", "F64", 8},
};
static_assert([] {
  for (int i = 0; i < kNumScalarTypes; ++i)
    if (static_cast<int>(kScalarTypes[i].type) != i) return false;
  return true;
}());

constexpr ScalarTypeInfo kUnknownScalarType = {kFloat, "Unknown", "Tensor", "?", 1};

// Internal, so that element_size (on every data_ptr()) inlines it.
const ScalarTypeInfo& info_of(ScalarType t) {
  const int i = static_cast<int>(t);
  return i >= 0 && i < kNumScalarTypes ? kScalarTypes[i] : kUnknownScalarType;
}

std::atomic<ScalarType> default_dtype{kFloat};

}  // namespace

ScalarType get_default_dtype_as_scalartype() {
  return default_dtype.load(std::memory_order_relaxed);
}

void set_default_dtype(ScalarType dtype) {
  TG_CHECK(is_floating_point(dtype),
           "set_default_dtype: only floating-point types are supported "
           "as the default type, but got ",
           dtype, "; use tg::kFloat or tg::kDouble");
  default_dtype.store(dtype, std::memory_order_relaxed);
}

const ScalarTypeInfo& scalar_type_info(ScalarType t) { return info_of(t); }

const char* to_string(ScalarType t) { return info_of(t).name; }

std::ostream& operator<<(std::ostream& out, ScalarType t) { return out << to_string(t); }

size_t element_size(ScalarType t) { return info_of(t).element_size; }

Scalar Scalar::operator-() const {
  TG_CHECK(kind_ != Kind::Bool, "Scalar: negation of a bool scalar is not supported");
  return kind_ == Kind::Double ? Scalar(-d_) : Scalar(-l_);
}

std::ostream& operator<<(std::ostream& out, const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Bool:
      return out << (s.toBool() ? "true" : "false");
    case Scalar::Kind::Long:
      return out << s.toLong();
    case Scalar::Kind::Double:
      return out << s.toDouble();
  }
  return out;
}

Device::Device(const std::string& name) : type_(kCPU), index_(-1) {
  const size_t colon = name.find(':');
  const std::string type = name.substr(0, colon);
  TG_CHECK(type == "cpu" || type == "cuda",
           "Expected one of cpu, cuda device type at start of device string: ", name);
  type_ = type == "cpu" ? kCPU : kCUDA;
  if (colon == std::string::npos) return;
  const std::string index = name.substr(colon + 1);
  TG_CHECK(!index.empty() && index.size() < 10 &&
               index.find_first_not_of("0123456789") == std::string::npos,
           "Invalid device string: '", name, "'");
  index_ = std::stoi(index);
}

TensorOptions::TensorOptions(const Device& d) { device(d); }
TensorOptions::TensorOptions(DeviceType t) { device(Device(t)); }

TensorOptions TensorOptions::device(const Device& d) const {
  TG_CHECK(d.is_cpu(), "TensorOptions::device: tensorgrad runs on the CPU only; use tg::kCPU");
  return *this;
}

}  // namespace tg
