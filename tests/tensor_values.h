#pragma once
// Reading a tensor's elements as doubles straight from its memory, through its strides, so that
// checking a result involves no tensorgrad op.
#include <cstdint>
#include <vector>

#include "tensorgrad/tensorgrad.h"

namespace tg::testing {

/// The element `offset` elements after t's first element.
inline double element_at(const Tensor& t, int64_t offset) {
  switch (t.dtype()) {
    case kFloat:
      return t.data_ptr<float>()[offset];
    case kDouble:
      return t.data_ptr<double>()[offset];
    case kLong:
      return static_cast<double>(t.data_ptr<int64_t>()[offset]);
    case kBool:
      return t.data_ptr<bool>()[offset] ? 1.0 : 0.0;
    case kByte:
      return t.data_ptr<uint8_t>()[offset];
    case kChar:
      return t.data_ptr<int8_t>()[offset];
    case kShort:
      return t.data_ptr<int16_t>()[offset];
    case kInt:
      return t.data_ptr<int32_t>()[offset];
    case kHalf:
      return static_cast<float>(t.data_ptr<Half>()[offset]);
    case kBFloat16:
      return static_cast<float>(t.data_ptr<BFloat16>()[offset]);
  }
  return 0.0;
}

/// The element at a multi-index (one entry per dimension).
inline double element_at(const Tensor& t, const std::vector<int64_t>& index) {
  int64_t offset = 0;
  for (size_t d = 0; d < index.size(); ++d) offset += index[d] * t.stride(static_cast<int64_t>(d));
  return element_at(t, offset);
}

/// All elements in row-major order.
inline std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(t.numel()));
  std::vector<int64_t> index(static_cast<size_t>(t.dim()), 0);
  for (int64_t k = 0; k < t.numel(); ++k) {
    out.push_back(element_at(t, index));
    for (int64_t d = t.dim(); d-- > 0;) {
      if (++index[static_cast<size_t>(d)] < t.size(d)) break;
      index[static_cast<size_t>(d)] = 0;
    }
  }
  return out;
}

}  // namespace tg::testing
