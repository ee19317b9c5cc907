#include "tensorgrad/dtype.h"

#include <atomic>
#include <cmath>
#include <iterator>
#include <limits>
#include <ostream>
#include <sstream>

#include "kernels/loop.h"
#include "tensorgrad/error.h"

namespace tg {

namespace {

// Indexed by the enum's value.
constexpr ScalarTypeInfo kScalarTypes[kNumScalarTypes] = {
    {kByte, "Byte", "ByteTensor", "U8", "unsigned char", 1},
    {kChar, "Char", "CharTensor", "I8", "signed char", 1},
    {kShort, "Short", "ShortTensor", "I16", "short int", 2},
    {kInt, "Int", "IntTensor", "I32", "int", 4},
    {kLong, "Long", "LongTensor", "I64", "long int", 8},
    {kHalf, "Half", "HalfTensor", "F16", "tg::Half", 2},
    {kFloat, "Float", "FloatTensor", "F32", "float", 4},
    {kDouble, "Double", "DoubleTensor", "F64", "double", 8},
    {kBool, "Bool", "BoolTensor", "BOOL", "bool", 1},
    {kBFloat16, "BFloat16", "BFloat16Tensor", "BF16", "tg::BFloat16", 2},
};
static_assert([] {
  for (int i = 0; i < kNumScalarTypes; ++i)
    if (static_cast<int>(kScalarTypes[i].type) != i) return false;
  return true;
}());
static_assert(sizeof(Half) == 2 && sizeof(BFloat16) == 2 && alignof(Half) == 2);

constexpr ScalarTypeInfo kUnknownScalarType = {kFloat, "Unknown", "Tensor", "?", "?", 1};

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

std::ostream& operator<<(std::ostream& out, TypeMeta t) { return out << t.toScalarType(); }

std::ostream& operator<<(std::ostream& out, Half h) { return out << static_cast<float>(h); }
std::ostream& operator<<(std::ostream& out, BFloat16 b) { return out << static_cast<float>(b); }

TypeMeta get_default_dtype() {
  return TypeMeta::fromScalarType(default_dtype.load(std::memory_order_relaxed));
}

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

bool overflows(const Scalar& v, ScalarType t) {
  // A bool fits every dtype; Bool takes any value, Double any Scalar, Long any integer.
  if (t == kBool || t == kDouble || v.isBoolean() || (t == kLong && !v.isFloatingPoint()))
    return false;
  double lowest = 0, max = 0;
  kernels::dispatch(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    lowest = static_cast<double>(std::numeric_limits<T>::lowest());
    max = static_cast<double>(std::numeric_limits<T>::max());
  });
  if (v.isFloatingPoint()) {
    const double d = v.toDouble();
    if (is_floating_point(t) && !std::isfinite(d)) return false;  // inf and NaN are values
    return !(d >= lowest && d <= max);                            // NaN overflows an integer
  }
  const int64_t i = v.toLong();
  if (t == kByte && i < 0) return i < -255;  // wraps, as libtorch allows for unsigned types
  return static_cast<double>(i) < lowest || static_cast<double>(i) > max;
}

namespace detail {
void check_fits(const char* op, const Scalar& v, ScalarType t) {
  TG_CHECK(!overflows(v, t), op, ": value ", v, " cannot be converted to type ", t,
           " without overflow; use a value the dtype holds, or another dtype");
}
}  // namespace detail

// ---- devices ----

namespace {
struct DeviceTypeNames {
  DeviceType type;
  const char* lower;
  const char* upper;
  bool parsed;  // accepted at the start of a device string
};
constexpr DeviceTypeNames kDeviceTypes[] = {
    {DeviceType::CPU, "cpu", "CPU", true},
    {DeviceType::CUDA, "cuda", "CUDA", true},
    {DeviceType::MKLDNN, "mkldnn", "MKLDNN", true},
    {DeviceType::OPENGL, "opengl", "OPENGL", true},
    {DeviceType::OPENCL, "opencl", "OPENCL", true},
    {DeviceType::IDEEP, "ideep", "IDEEP", true},
    {DeviceType::HIP, "hip", "HIP", true},
    {DeviceType::FPGA, "fpga", "FPGA", true},
    {DeviceType::ORT, "ort", "ORT", true},
    {DeviceType::XLA, "xla", "XLA", true},
    {DeviceType::Vulkan, "vulkan", "VULKAN", true},
    {DeviceType::Metal, "metal", "METAL", false},
    {DeviceType::XPU, "xpu", "XPU", true},
    {DeviceType::MPS, "mps", "MPS", true},
    {DeviceType::Meta, "meta", "META", true},
    {DeviceType::HPU, "hpu", "HPU", true},
    {DeviceType::VE, "ve", "VE", true},
    {DeviceType::Lazy, "lazy", "LAZY", true},
    {DeviceType::IPU, "ipu", "IPU", true},
    {DeviceType::PrivateUse1, "privateuseone", "PRIVATEUSEONE", true},
};

std::string parsed_device_types() {
  std::string out;
  for (const DeviceTypeNames& n : kDeviceTypes) {
    if (!n.parsed) continue;
    if (!out.empty()) out += ", ";
    out += n.lower;
  }
  return out;
}
}  // namespace

std::string DeviceTypeName(DeviceType t, bool lower_case) {
  for (const DeviceTypeNames& n : kDeviceTypes)
    if (n.type == t) return lower_case ? n.lower : n.upper;
  detail::fail("DeviceTypeName: unknown device type ", static_cast<int>(t));
}

std::ostream& operator<<(std::ostream& out, DeviceType t) {
  return out << DeviceTypeName(t, /*lower_case=*/true);
}

Device::Device(DeviceType type, DeviceIndex index) : type_(type), index_(index) {
  TG_CHECK(index >= -1, "Device: device index must be -1 or non-negative, got ",
           static_cast<int>(index));
}

Device::Device(const std::string& device_string) : Device(kCPU) {
  TG_CHECK(!device_string.empty(), "Device: device string must not be empty");
  // <type>[:<index>], the type a known lower-case name, the index digits without leading zeros.
  const size_t colon = device_string.find(':');
  const std::string type = device_string.substr(0, colon);
  bool found = false;
  for (const DeviceTypeNames& n : kDeviceTypes) {
    if (n.parsed && type == n.lower) {
      type_ = n.type;
      found = true;
    }
  }
  TG_CHECK(found, "Device: Expected one of ", parsed_device_types(),
           " device type at start of device string: ", device_string);
  if (colon == std::string::npos) return;
  const std::string index = device_string.substr(colon + 1);
  bool valid = !index.empty() && index.size() <= 3 && (index == "0" || index[0] != '0');
  for (char c : index) valid = valid && c >= '0' && c <= '9';
  TG_CHECK(valid && std::stoi(index) <= 127, "Device: Invalid device string: '", device_string,
           "' (expected a device type, then optionally ':' and an index such as \"cuda:1\")");
  index_ = static_cast<DeviceIndex>(std::stoi(index));
}

std::string Device::str() const {
  std::string out = DeviceTypeName(type_, /*lower_case=*/true);
  if (has_index()) out += ":" + std::to_string(static_cast<int>(index_));
  return out;
}

std::ostream& operator<<(std::ostream& out, const Device& d) { return out << d.str(); }

std::ostream& operator<<(std::ostream& out, Layout layout) {
  // In the enum's order.
  constexpr const char* kNames[] = {"Strided",   "Sparse",    "SparseCsr", "Mkldnn",
                                    "SparseCsc", "SparseBsr", "SparseBsc"};
  const auto i = static_cast<size_t>(layout);
  return out << (i < std::size(kNames) ? kNames[i] : "Unknown");
}

// ---- backends ----

namespace {
struct BackendInfo {
  Backend backend;
  const char* name;
  DeviceType device;
  Layout layout;
};
constexpr BackendInfo kBackends[] = {
    {Backend::CPU, "CPU", kCPU, kStrided},
    {Backend::CUDA, "CUDA", kCUDA, kStrided},
    {Backend::HIP, "HIP", kHIP, kStrided},
    {Backend::SparseCPU, "SparseCPU", kCPU, kSparse},
    {Backend::SparseCUDA, "SparseCUDA", kCUDA, kSparse},
    {Backend::SparseHIP, "SparseHIP", kHIP, kSparse},
    {Backend::SparseCsrCPU, "SparseCsrCPU", kCPU, kSparseCsr},
    {Backend::SparseCsrCUDA, "SparseCsrCUDA", kCUDA, kSparseCsr},
    {Backend::MkldnnCPU, "MkldnnCPU", kCPU, kMkldnn},
    {Backend::Meta, "Meta", kMeta, kStrided},
};
const BackendInfo& backend_info(Backend b) {
  for (const BackendInfo& info : kBackends)
    if (info.backend == b) return info;
  detail::fail("Backend: the backend Undefined has no device type or layout");
}
}  // namespace

const char* toString(Backend b) {
  return b == Backend::Undefined ? "UNKNOWN_BACKEND" : backend_info(b).name;
}
DeviceType backendToDeviceType(Backend b) { return backend_info(b).device; }
Layout layout_from_backend(Backend b) { return backend_info(b).layout; }

std::string DeprecatedTypeProperties::toString() const {
  return std::string(tg::toString(backend_)) + to_string(scalar_type_) + "Type";
}

TensorOptions DeprecatedTypeProperties::options() const {
  return TensorOptions(scalar_type_).device(Device(device_type())).layout(layout());
}

DeprecatedTypeProperties::operator TensorOptions() const { return options(); }

DeprecatedTypeProperties getDeprecatedTypeProperties(Backend b, ScalarType t) {
  return DeprecatedTypeProperties(b, t);
}

// ---- options ----

TensorOptions TensorOptions::merge_in(const TensorOptions& other) const {
  TensorOptions o = *this;
  if (other.dtype_) o.dtype_ = other.dtype_;
  if (other.device_) o.device_ = other.device_;
  if (other.layout_) o.layout_ = other.layout_;
  if (other.requires_grad_) o.requires_grad_ = other.requires_grad_;
  return o;
}

std::ostream& operator<<(std::ostream& out, const TensorOptions& o) {
  out << "TensorOptions(dtype=" << o.dtype() << (o.has_dtype() ? "" : " (default)")
      << ", device=" << o.device() << (o.has_device() ? "" : " (default)")
      << ", layout=" << o.layout() << (o.has_layout() ? "" : " (default)")
      << ", requires_grad=" << (o.requires_grad() ? "true" : "false")
      << (o.has_requires_grad() ? "" : " (default)") << ")";
  return out;
}

}  // namespace tg
