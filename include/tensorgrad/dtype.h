#pragma once
/// Element types, Scalars (a number of any dtype) and TensorOptions, as in libtorch.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <type_traits>

namespace tg {

/// The four element types. The order is the promotion order within a category.
enum class ScalarType : int8_t { Bool = 0, Long = 1, Float = 2, Double = 3 };
using Dtype = ScalarType;

constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kLong = ScalarType::Long;
constexpr ScalarType kInt64 = ScalarType::Long;
constexpr ScalarType kFloat = ScalarType::Float;
constexpr ScalarType kFloat32 = ScalarType::Float;
constexpr ScalarType kDouble = ScalarType::Double;
constexpr ScalarType kFloat64 = ScalarType::Double;

constexpr int kNumScalarTypes = 4;

/// One dtype's names and size. The one table of them, in src/core/dtype.cpp, is what every place
/// that names a dtype reads.
struct ScalarTypeInfo {
  ScalarType type;
  const char* name;               ///< libtorch's: "Float" (to_string, messages, "CPUFloatType")
  const char* tensor_type;        ///< the seed's printing: "FloatTensor" (tg::FloatTensor)
  const char* safetensors_dtype;  ///< the safetensors format's: "F32"
  size_t element_size;            ///< bytes per element
};
/// The row of `t` (a row of "Unknown" names for a value outside the enum).
const ScalarTypeInfo& scalar_type_info(ScalarType t);

/// "Float", "Double", "Long", "Bool" (libtorch's names).
const char* to_string(ScalarType t);
std::ostream& operator<<(std::ostream& out, ScalarType t);
size_t element_size(ScalarType t);
inline bool is_floating_point(ScalarType t) { return t == kFloat || t == kDouble; }
inline bool is_integral(ScalarType t, bool include_bool) {
  return t == kLong || (include_bool && t == kBool);
}

template <class T>
struct CppTypeToScalarType;
template <>
struct CppTypeToScalarType<float> {
  static constexpr ScalarType value = kFloat;
};
template <>
struct CppTypeToScalarType<double> {
  static constexpr ScalarType value = kDouble;
};
template <>
struct CppTypeToScalarType<int64_t> {
  static constexpr ScalarType value = kLong;
};
template <>
struct CppTypeToScalarType<bool> {
  static constexpr ScalarType value = kBool;
};

/// The dtype of floating-point tensors made without one: factories, floating literals in
/// tg::tensor, arange and full with a floating value. kFloat unless set_default_dtype changed it.
/// One setting for the whole program, as libtorch's.
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
  Kind kind() const { return kind_; }
  bool isFloatingPoint() const { return kind_ == Kind::Double; }
  bool isIntegral(bool include_bool) const {
    return kind_ == Kind::Long || (include_bool && kind_ == Kind::Bool);
  }
  bool isBoolean() const { return kind_ == Kind::Bool; }
  double toDouble() const { return kind_ == Kind::Double ? d_ : static_cast<double>(l_); }
  float toFloat() const { return static_cast<float>(toDouble()); }
  int64_t toLong() const { return kind_ == Kind::Double ? static_cast<int64_t>(d_) : l_; }
  bool toBool() const { return kind_ == Kind::Double ? d_ != 0 : l_ != 0; }
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

struct Device;
enum class DeviceType : int8_t;

/// What a factory makes: dtype and requires_grad. A bare dtype converts to options.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType d) : dtype_(d) {}  // NOLINT: implicit as in libtorch
  /// A device alone, as libtorch allows (tg::ones({2}, tg::kCPU)); any but the CPU throws.
  TensorOptions(const Device& d);  // NOLINT: implicit as in libtorch
  TensorOptions(DeviceType t);     // NOLINT: implicit as in libtorch
  TensorOptions dtype(ScalarType d) const {
    TensorOptions o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions dtype(std::optional<ScalarType> d) const {
    TensorOptions o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r) const {
    TensorOptions o = *this;
    o.requires_grad_ = r;
    return o;
  }
  /// Accepted for source compatibility; tensorgrad is CPU only, any device but CPU throws.
  TensorOptions device(const struct Device& d) const;
  /// The dtype given, or the default dtype (get_default_dtype_as_scalartype()).
  ScalarType dtype() const { return dtype_ ? *dtype_ : get_default_dtype_as_scalartype(); }
  bool has_dtype() const { return dtype_.has_value(); }
  bool requires_grad() const { return requires_grad_; }

 private:
  std::optional<ScalarType> dtype_;
  bool requires_grad_ = false;
};

inline TensorOptions dtype(ScalarType d) { return TensorOptions().dtype(d); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

/// Devices exist for source compatibility with libtorch: only the CPU is supported.
enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;
struct Device {
  Device(DeviceType t = kCPU, int index = -1) : type_(t), index_(index) {}  // NOLINT
  /// "cpu", "cuda", "cuda:1" (as libtorch); anything else throws.
  Device(const std::string& name);                         // NOLINT: implicit as in libtorch
  Device(const char* name) : Device(std::string(name)) {}  // NOLINT
  DeviceType type() const { return type_; }
  int index() const { return index_; }  // -1: none given
  bool has_index() const { return index_ != -1; }
  bool is_cpu() const { return type_ == kCPU; }
  bool is_cuda() const { return type_ == kCUDA; }
  friend bool operator==(const Device& a, const Device& b) {
    return a.type_ == b.type_ && a.index_ == b.index_;
  }

 private:
  DeviceType type_;
  int index_;
};

/// Memory layouts, for source compatibility: tensorgrad's tensors are all strided.
enum class Layout : int8_t { Strided = 0 };
constexpr Layout kStrided = Layout::Strided;

}  // namespace tg
