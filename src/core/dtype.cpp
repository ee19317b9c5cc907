#include "tensorgrad/dtype.h"

#include <ostream>

#include "tensorgrad/error.h"

namespace tg {

const char* to_string(ScalarType t) {
  switch (t) {
    case kFloat:
      return "Float";
    case kDouble:
      return "Double";
    case kLong:
      return "Long";
    case kBool:
      return "Bool";
  }
  return "Unknown";
}

std::ostream& operator<<(std::ostream& out, ScalarType t) { return out << to_string(t); }

size_t element_size(ScalarType t) {
  switch (t) {
    case kFloat:
      return 4;
    case kDouble:
      return 8;
    case kLong:
      return 8;
    case kBool:
      return 1;
  }
  return 1;
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

TensorOptions TensorOptions::device(const Device& d) const {
  TG_CHECK(d.is_cpu(), "TensorOptions::device: tensorgrad runs on the CPU only; use tg::kCPU");
  return *this;
}

}  // namespace tg
