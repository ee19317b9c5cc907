#pragma once
/// Element types (ScalarType, TypeMeta), Scalars (a number of any dtype), devices, layouts and
/// TensorOptions, as in libtorch.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "tensorgrad/half.h"

namespace tg {

/// The element types, with libtorch's names, in libtorch's order (tensorgrad has no complex or
/// quantized types, so the values after Double differ from libtorch's). Promotion reads a table
/// (result_type, promote_types), never this order.
enum class ScalarType : int8_t {
  Byte = 0,  ///< uint8_t
  Char,      ///< int8_t
  Short,     ///< int16_t
  Int,       ///< int32_t
  Long,      ///< int64_t
  Half,      ///< tg::Half, IEEE binary16
  Float,     ///< float
  Double,    ///< double
  Bool,      ///< bool
  BFloat16,  ///< tg::BFloat16
};
using Dtype = ScalarType;

constexpr ScalarType kByte = ScalarType::Byte;
constexpr ScalarType kUInt8 = ScalarType::Byte;
constexpr ScalarType kChar = ScalarType::Char;
constexpr ScalarType kInt8 = ScalarType::Char;
constexpr ScalarType kShort = ScalarType::Short;
constexpr ScalarType kInt16 = ScalarType::Short;
constexpr ScalarType kInt = ScalarType::Int;
constexpr ScalarType kInt32 = ScalarType::Int;
constexpr ScalarType kLong = ScalarType::Long;
constexpr ScalarType kInt64 = ScalarType::Long;
constexpr ScalarType kHalf = ScalarType::Half;
constexpr ScalarType kFloat16 = ScalarType::Half;
constexpr ScalarType kFloat = ScalarType::Float;
constexpr ScalarType kFloat32 = ScalarType::Float;
constexpr ScalarType kDouble = ScalarType::Double;
constexpr ScalarType kFloat64 = ScalarType::Double;
constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kBFloat16 = ScalarType::BFloat16;

constexpr int kNumScalarTypes = 10;

/// One dtype's names and size. The one table of them, in src/core/dtype.cpp, is what every place
/// that names a dtype reads.
struct ScalarTypeInfo {
  ScalarType type;
  const char* name;               ///< libtorch's: "Float" (to_string, messages, "CPUFloatType")
  const char* tensor_type;        ///< the seed's printing: "FloatTensor" (tg::FloatTensor)
  const char* safetensors_dtype;  ///< the safetensors format's: "F32"
  const char* cpp_type;           ///< the C++ element type, TypeMeta::name(): "float"
  size_t element_size;            ///< bytes per element
};
/// The row of `t` (a row of "Unknown" names for a value outside the enum).
const ScalarTypeInfo& scalar_type_info(ScalarType t);

/// "Float", "Double", "Long", "Bool"... (libtorch's names).
const char* to_string(ScalarType t);
std::ostream& operator<<(std::ostream& out, ScalarType t);
size_t element_size(ScalarType t);

/// Half, BFloat16, Float and Double.
constexpr bool is_floating_point(ScalarType t) {
  return t == kFloat || t == kDouble || t == kHalf || t == kBFloat16;
}
/// The 16-bit floating types, which compute in float.
constexpr bool is_reduced_floating_point(ScalarType t) { return t == kHalf || t == kBFloat16; }
/// Byte, Char, Short, Int and Long; Bool too when include_bool.
constexpr bool is_integral(ScalarType t, bool include_bool) {
  return t == kByte || t == kChar || t == kShort || t == kInt || t == kLong ||
         (include_bool && t == kBool);
}
/// Whether the type holds negative values (all but Byte and Bool).
constexpr bool is_signed(ScalarType t) { return t != kByte && t != kBool; }

// libtorch's spellings of the queries above (c10/core/ScalarType.h).
/// libtorch's name for is_floating_point.
constexpr bool isFloatingType(ScalarType t) { return is_floating_point(t); }
/// libtorch's name for is_integral.
constexpr bool isIntegralType(ScalarType t, bool include_bool) {
  return is_integral(t, include_bool);
}
/// libtorch's name for is_signed.
constexpr bool isSignedType(ScalarType t) { return is_signed(t); }
/// tensorgrad has no complex types: always false.
constexpr bool isComplexType(ScalarType) { return false; }
/// libtorch's name for element_size.
inline size_t elementSize(ScalarType t) { return element_size(t); }

/// libtorch's promoteTypes: the dtype two tensors of the same category (dimensioned, 0-d, or
/// wrapped number) combine to. See Note [Type promotion] in src/core/operand_rules.cpp.
ScalarType promote_types(ScalarType a, ScalarType b);
/// libtorch's name for promote_types.
inline ScalarType promoteTypes(ScalarType a, ScalarType b) { return promote_types(a, b); }

template <class T>
struct CppTypeToScalarType;
#define TG_CPP_TYPE_TO_SCALAR_TYPE(cpp, st)    \
  template <>                                  \
  struct CppTypeToScalarType<cpp> {            \
    static constexpr ScalarType value = k##st; \
  };
TG_CPP_TYPE_TO_SCALAR_TYPE(uint8_t, Byte)
TG_CPP_TYPE_TO_SCALAR_TYPE(int8_t, Char)
TG_CPP_TYPE_TO_SCALAR_TYPE(int16_t, Short)
TG_CPP_TYPE_TO_SCALAR_TYPE(int32_t, Int)
TG_CPP_TYPE_TO_SCALAR_TYPE(int64_t, Long)
TG_CPP_TYPE_TO_SCALAR_TYPE(Half, Half)
TG_CPP_TYPE_TO_SCALAR_TYPE(float, Float)
TG_CPP_TYPE_TO_SCALAR_TYPE(double, Double)
TG_CPP_TYPE_TO_SCALAR_TYPE(bool, Bool)
TG_CPP_TYPE_TO_SCALAR_TYPE(BFloat16, BFloat16)
#undef TG_CPP_TYPE_TO_SCALAR_TYPE

/// The dtype of a C++ element type: c10::CppTypeToScalarType<T>::value.
template <class T>
inline constexpr ScalarType scalar_type_of_v = CppTypeToScalarType<T>::value;

/// What libtorch's Tensor::dtype() and TensorOptions::dtype() return: a dtype as a type
/// descriptor (caffe2::TypeMeta). It compares with ScalarTypes, and it also converts implicitly
/// to its ScalarType, so that code written for either reads it.
class TypeMeta {
 public:
  /// The descriptor of the C++ type T (one of the dtypes' element types).
  template <class T>
  static constexpr TypeMeta Make() {
    return TypeMeta(CppTypeToScalarType<T>::value);
  }
  static constexpr TypeMeta fromScalarType(ScalarType t) { return TypeMeta(t); }
  constexpr ScalarType toScalarType() const { return type_; }
  constexpr operator ScalarType() const { return type_; }  // NOLINT: implicit by design
  TypeMeta& operator=(ScalarType t) {
    type_ = t;
    return *this;
  }
  /// Bytes per element.
  size_t itemsize() const { return element_size(type_); }
  /// The C++ type's name, as libtorch's: "float", "long int", "tg::Half".
  std::string_view name() const { return scalar_type_info(type_).cpp_type; }
  constexpr bool isScalarType() const { return true; }
  constexpr bool isScalarType(ScalarType t) const { return type_ == t; }
  template <class T>
  constexpr bool Match() const {
    return type_ == CppTypeToScalarType<T>::value;
  }
  friend constexpr bool operator==(TypeMeta a, TypeMeta b) { return a.type_ == b.type_; }
  friend constexpr bool operator==(TypeMeta a, ScalarType b) { return a.type_ == b; }

 private:
  constexpr explicit TypeMeta(ScalarType t) : type_(t) {}
  ScalarType type_;
};
/// Prints the dtype's name, "Float", as a ScalarType does (libtorch prints name(), "float").
std::ostream& operator<<(std::ostream& out, TypeMeta t);
constexpr TypeMeta scalarTypeToTypeMeta(ScalarType t) { return TypeMeta::fromScalarType(t); }
constexpr ScalarType typeMetaToScalarType(TypeMeta t) { return t.toScalarType(); }

/// The dtype factories make when given none, and the floating dtype integral values become:
/// kFloat unless set_default_dtype changed it. One setting for the whole program, as libtorch's;
/// factories, floating literals in tg::tensor, true division and promotion all read it here.
TypeMeta get_default_dtype();
ScalarType get_default_dtype_as_scalartype();
/// Sets the default dtype: kFloat or kDouble (libtorch allows only floating-point types).
void set_default_dtype(ScalarType dtype);

/// A number of one of the dtypes; built implicitly from any arithmetic type, as c10::Scalar.
class Scalar {
 public:
  enum class Kind : int8_t { Bool, Long, Double };
  Scalar() : Scalar(int64_t(0)) {}
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Scalar(T v) {  // NOLINT: implicit by design
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = Kind::Bool;
      l_ = v;
    } else if constexpr (std::is_integral_v<T>) {
      kind_ = Kind::Long;
      l_ = static_cast<int64_t>(v);
    } else {
      kind_ = Kind::Double;
      d_ = static_cast<double>(v);
    }
  }
  Scalar(Half v) : Scalar(static_cast<float>(v)) {}      // NOLINT: implicit by design
  Scalar(BFloat16 v) : Scalar(static_cast<float>(v)) {}  // NOLINT: implicit by design
  Kind kind() const { return kind_; }
  bool isFloatingPoint() const { return kind_ == Kind::Double; }
  bool isIntegral(bool include_bool) const {
    return kind_ == Kind::Long || (include_bool && kind_ == Kind::Bool);
  }
  bool isBoolean() const { return kind_ == Kind::Bool; }
  bool isComplex() const { return false; }
  double toDouble() const { return kind_ == Kind::Double ? d_ : static_cast<double>(l_); }
  float toFloat() const { return static_cast<float>(toDouble()); }
  int64_t toLong() const { return kind_ == Kind::Double ? static_cast<int64_t>(d_) : l_; }
  bool toBool() const { return kind_ == Kind::Double ? d_ != 0 : l_ != 0; }
  int32_t toInt() const { return to<int32_t>(); }
  int16_t toShort() const { return to<int16_t>(); }
  int8_t toChar() const { return to<int8_t>(); }
  uint8_t toByte() const { return to<uint8_t>(); }
  Half toHalf() const { return to<Half>(); }
  BFloat16 toBFloat16() const { return to<BFloat16>(); }
  /// The value as T; an integral T narrower than 64 bits wraps, as a cast in libtorch does.
  template <class T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>)
      return toBool();
    else if constexpr (std::is_integral_v<T>)
      return static_cast<T>(toLong());
    else
      return static_cast<T>(toDouble());
  }
  /// The dtype a Scalar has on its own: Double, Long or Bool.
  ScalarType type() const {
    return kind_ == Kind::Double ? kDouble : kind_ == Kind::Long ? kLong : kBool;
  }
  Scalar operator-() const;

 private:
  Kind kind_;
  union {
    double d_;
    int64_t l_;
  };
};
std::ostream& operator<<(std::ostream& out, const Scalar& s);

/// Whether v lies outside what dtype t holds, by libtorch's rule (c10::overflows): integers
/// outside [lowest, max] of t (an unsigned t also takes negatives down to -max, which wrap),
/// floating values outside them or NaN for an integral t; infinities and NaN fit the floating
/// types, and anything fits Bool.
bool overflows(const Scalar& v, ScalarType t);

namespace detail {
/// Throws naming `op` when overflows(v, t): "value 300 cannot be converted to type Byte without
/// overflow".
void check_fits(const char* op, const Scalar& v, ScalarType t);
template <class T, class = void>
inline constexpr bool has_scalar_type_v = false;
template <class T>
inline constexpr bool has_scalar_type_v<T, std::void_t<decltype(CppTypeToScalarType<T>::value)>> =
    true;
}  // namespace detail

namespace cuda {
/// tensorgrad is CPU-only: false.
inline bool is_available() { return false; }
/// 0: tensorgrad is CPU-only.
inline int64_t device_count() { return 0; }
inline bool cudnn_is_available() { return false; }
/// Does nothing: there are no CUDA generators.
inline void manual_seed(uint64_t) {}
/// Does nothing: there are no CUDA generators.
inline void manual_seed_all(uint64_t) {}
}  // namespace cuda
/// False: tensorgrad is CPU-only (at::hasCUDA()).
inline bool hasCUDA() { return false; }

/// libtorch's device types, with its values. tensorgrad computes on the CPU only: the others
/// exist so that programs written for libtorch compile, and a tensor made or moved there is
/// refused.
enum class DeviceType : int8_t {
  CPU = 0,
  CUDA = 1,
  MKLDNN = 2,
  OPENGL = 3,
  OPENCL = 4,
  IDEEP = 5,
  HIP = 6,
  FPGA = 7,
  ORT = 8,
  XLA = 9,
  Vulkan = 10,
  Metal = 11,
  XPU = 12,
  MPS = 13,
  Meta = 14,
  HPU = 15,
  VE = 16,
  Lazy = 17,
  IPU = 18,
  PrivateUse1 = 19,
};
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;
constexpr DeviceType kHIP = DeviceType::HIP;
constexpr DeviceType kFPGA = DeviceType::FPGA;
constexpr DeviceType kORT = DeviceType::ORT;
constexpr DeviceType kXLA = DeviceType::XLA;
constexpr DeviceType kMPS = DeviceType::MPS;
constexpr DeviceType kMeta = DeviceType::Meta;
constexpr DeviceType kVulkan = DeviceType::Vulkan;
constexpr DeviceType kMetal = DeviceType::Metal;
constexpr DeviceType kXPU = DeviceType::XPU;
constexpr DeviceType kHPU = DeviceType::HPU;
constexpr DeviceType kVE = DeviceType::VE;
constexpr DeviceType kLazy = DeviceType::Lazy;
constexpr DeviceType kIPU = DeviceType::IPU;
constexpr DeviceType kPrivateUse1 = DeviceType::PrivateUse1;

/// "cpu", "cuda"... (libtorch's lower-case names, as in device strings); upper case when
/// lower_case is false: "CPU", "CUDA".
std::string DeviceTypeName(DeviceType t, bool lower_case = false);
std::ostream& operator<<(std::ostream& out, DeviceType t);

using DeviceIndex = int8_t;

/// A device and its index (-1: none given), as c10::Device. Parses libtorch's device strings:
/// "cpu", "cpu:0", "cuda", "cuda:1" (a type, then optionally ':' and an index without leading
/// zeros).
class Device {
 public:
  Device(DeviceType type = kCPU, DeviceIndex index = -1);  // NOLINT: implicit as in libtorch
  Device(const std::string& device_string);                // NOLINT: implicit as in libtorch
  Device(const char* device_string) : Device(std::string(device_string)) {}  // NOLINT
  DeviceType type() const { return type_; }
  DeviceIndex index() const { return index_; }
  bool has_index() const { return index_ != -1; }
  void set_index(DeviceIndex index) { index_ = index; }
  bool is_cpu() const { return type_ == kCPU; }
  bool is_cuda() const { return type_ == kCUDA; }
  bool is_meta() const { return type_ == kMeta; }
  /// "cpu", "cuda:1".
  std::string str() const;
  friend bool operator==(const Device& a, const Device& b) {
    return a.type_ == b.type_ && a.index_ == b.index_;
  }

 private:
  DeviceType type_;
  DeviceIndex index_;
};
std::ostream& operator<<(std::ostream& out, const Device& d);

/// How a tensor's elements are laid out. tensorgrad's tensors are all strided; the others exist
/// for source compatibility, and a tensor with one of them is refused.
enum class Layout : int8_t { Strided, Sparse, SparseCsr, Mkldnn, SparseCsc, SparseBsr, SparseBsc };
constexpr Layout kStrided = Layout::Strided;
constexpr Layout kSparse = Layout::Sparse;
constexpr Layout kSparseCsr = Layout::SparseCsr;
constexpr Layout kMkldnn = Layout::Mkldnn;
constexpr Layout kSparseCsc = Layout::SparseCsc;
constexpr Layout kSparseBsr = Layout::SparseBsr;
constexpr Layout kSparseBsc = Layout::SparseBsc;
/// "Strided", "Sparse"... (libtorch's names).
std::ostream& operator<<(std::ostream& out, Layout layout);

/// libtorch's backends: a device type with a layout.
enum class Backend : int8_t {
  CPU,
  CUDA,
  HIP,
  SparseCPU,
  SparseCUDA,
  SparseHIP,
  SparseCsrCPU,
  SparseCsrCUDA,
  MkldnnCPU,
  Meta,
  Undefined,
};
/// "CPU", "SparseCUDA"...
const char* toString(Backend b);
/// The backend's device type and layout.
DeviceType backendToDeviceType(Backend b);
Layout layout_from_backend(Backend b);

class TensorOptions;

/// A backend with a dtype, as libtorch's (deprecated) Tensor::type(): what
/// getDeprecatedTypeProperties returns.
class DeprecatedTypeProperties {
 public:
  DeprecatedTypeProperties(Backend backend, ScalarType scalar_type)
      : backend_(backend), scalar_type_(scalar_type) {}
  Backend backend() const { return backend_; }
  ScalarType scalarType() const { return scalar_type_; }
  TypeMeta typeMeta() const { return TypeMeta::fromScalarType(scalar_type_); }
  Layout layout() const { return layout_from_backend(backend_); }
  DeviceType device_type() const { return backendToDeviceType(backend_); }
  bool is_cuda() const { return device_type() == kCUDA; }
  bool is_sparse() const { return layout() == kSparse; }
  /// "CPUFloatType", "SparseCPUByteType".
  std::string toString() const;
  /// The options of a tensor of this type.
  TensorOptions options() const;
  operator TensorOptions() const;  // NOLINT: implicit as in libtorch
  friend bool operator==(const DeprecatedTypeProperties& a, const DeprecatedTypeProperties& b) {
    return a.backend_ == b.backend_ && a.scalar_type_ == b.scalar_type_;
  }

 private:
  Backend backend_;
  ScalarType scalar_type_;
};
/// The type of backend `b` and dtype `t`.
DeprecatedTypeProperties getDeprecatedTypeProperties(Backend b, ScalarType t);

/// What a factory makes: dtype, device, layout and requires_grad, each unset until given. A bare
/// dtype, device or layout converts to options. Factories refuse a device other than the CPU and
/// a layout other than strided.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType d) : dtype_(d) {}               // NOLINT: implicit as in libtorch
  TensorOptions(TypeMeta d) : dtype_(d.toScalarType()) {}  // NOLINT: implicit as in libtorch
  TensorOptions(Layout l) : layout_(l) {}                  // NOLINT: implicit as in libtorch
  /// From anything a Device is made of: kCPU, "cpu", Device(kCPU). A template, as libtorch's, so
  /// that a literal 0 does not read as a device string.
  template <class... Args>
  requires std::is_constructible_v<Device, Args&&...> TensorOptions(
      Args&&... args)  // NOLINT: implicit as in libtorch
      : device_(std::in_place, std::forward<Args>(args)...) {}

  TensorOptions dtype(ScalarType d) const { return with(&TensorOptions::dtype_, d); }
  TensorOptions dtype(TypeMeta d) const { return dtype(d.toScalarType()); }
  TensorOptions dtype(std::optional<ScalarType> d) const { return with(&TensorOptions::dtype_, d); }
  /// dtype(CppTypeToScalarType<T>): options.dtype<float>().
  template <class T>
  TensorOptions dtype() const {
    return dtype(CppTypeToScalarType<T>::value);
  }
  TensorOptions requires_grad(bool r) const { return with(&TensorOptions::requires_grad_, r); }
  TensorOptions requires_grad(std::optional<bool> r) const {
    return with(&TensorOptions::requires_grad_, r);
  }
  TensorOptions device(Device d) const { return with(&TensorOptions::device_, d); }
  TensorOptions device(DeviceType t, DeviceIndex index) const { return device(Device(t, index)); }
  /// device(kCUDA, index), as libtorch.
  TensorOptions device_index(int16_t index) const {
    return device(Device(kCUDA, static_cast<DeviceIndex>(index)));
  }
  TensorOptions layout(Layout l) const { return with(&TensorOptions::layout_, l); }
  TensorOptions layout(std::optional<Layout> l) const { return with(&TensorOptions::layout_, l); }

  /// The dtype given, else the default dtype (get_default_dtype()).
  TypeMeta dtype() const {
    return dtype_ ? TypeMeta::fromScalarType(*dtype_) : get_default_dtype();
  }
  /// The device given, else the CPU.
  Device device() const { return device_.value_or(Device(kCPU)); }
  /// The layout given, else strided.
  Layout layout() const { return layout_.value_or(kStrided); }
  bool requires_grad() const { return requires_grad_.value_or(false); }
  bool has_dtype() const { return dtype_.has_value(); }
  bool has_device() const { return device_.has_value(); }
  bool has_layout() const { return layout_.has_value(); }
  bool has_requires_grad() const { return requires_grad_.has_value(); }
  std::optional<ScalarType> dtype_opt() const { return dtype_; }
  std::optional<Device> device_opt() const { return device_; }
  std::optional<Layout> layout_opt() const { return layout_; }
  std::optional<bool> requires_grad_opt() const { return requires_grad_; }
  bool is_sparse() const { return layout() == kSparse; }
  /// These options with what `other` sets replacing what they set.
  TensorOptions merge_in(const TensorOptions& other) const;

 private:
  /// A copy with `field` set: the setters return new options and leave these as they are.
  template <class T, class Value>
  TensorOptions with(std::optional<T> TensorOptions::*field, Value value) const {
    TensorOptions o = *this;
    o.*field = std::move(value);
    return o;
  }

  std::optional<ScalarType> dtype_;
  std::optional<Device> device_;
  std::optional<Layout> layout_;
  std::optional<bool> requires_grad_;
};
/// "TensorOptions(dtype=Float, device=cpu, layout=Strided, requires_grad=false (default))".
std::ostream& operator<<(std::ostream& out, const TensorOptions& options);

inline TensorOptions dtype(ScalarType d) { return TensorOptions().dtype(d); }
inline TensorOptions dtype(TypeMeta d) { return TensorOptions().dtype(d); }
/// Options with the dtype of the C++ type T: at::dtype<float>().
template <class T>
TensorOptions dtype() {
  return TensorOptions().dtype<T>();
}
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
/// Options with the device kCUDA:index, as libtorch's at::device_index.
inline TensorOptions device_index(int16_t index) { return TensorOptions().device_index(index); }
inline TensorOptions layout(Layout l) { return TensorOptions().layout(l); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

}  // namespace tg
