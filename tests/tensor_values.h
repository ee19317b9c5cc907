#pragma once
// A tensor's elements as doubles in row-major order, read straight from its memory through its
// strides, so that checking a result involves no tensorgrad op.
#include <cstdint>
#include <vector>

#include "tensorgrad/tensorgrad.h"

namespace tg::testing {

inline std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(t.numel()));
  std::vector<int64_t> idx(static_cast<size_t>(t.dim()), 0);
  for (int64_t k = 0; k < t.numel(); ++k) {
    int64_t off = 0;
    for (int64_t d = 0; d < t.dim(); ++d) off += idx[static_cast<size_t>(d)] * t.stride(d);
    switch (t.dtype()) {
      case kFloat:
        out.push_back(t.data_ptr<float>()[off]);
        break;
      case kDouble:
        out.push_back(t.data_ptr<double>()[off]);
        break;
      case kLong:
        out.push_back(static_cast<double>(t.data_ptr<int64_t>()[off]));
        break;
      case kBool:
        out.push_back(t.data_ptr<bool>()[off]);
        break;
    }
    for (int64_t d = t.dim(); d-- > 0;) {
      if (++idx[static_cast<size_t>(d)] < t.size(d)) break;
      idx[static_cast<size_t>(d)] = 0;
    }
  }
  return out;
}

}  // namespace tg::testing
