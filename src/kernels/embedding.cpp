// Embedding kernels (see embedding.h).
#include "kernels/embedding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "kernels/loop.h"

namespace tg::kernels {

void embedding_rows(const View& out, const View& weight, const View& indices) {
  const int64_t* ip = indices.data_ptr<int64_t>();
  const size_t row_bytes = static_cast<size_t>(weight.size(1)) * weight.element_size();
  const char* src = static_cast<const char*>(weight.data_ptr());
  char* dst = static_cast<char*>(out.data_ptr());
  for (int64_t i = 0, n = indices.numel(); i < n; ++i)
    if (row_bytes) std::memcpy(dst + i * row_bytes, src + ip[i] * row_bytes, row_bytes);
}

void embedding_row_factors(const View& factors, const View& indices, int64_t padding_idx,
                           bool scale_by_freq) {
  const int64_t n = indices.numel();
  const int64_t* p = indices.data_ptr<int64_t>();
  double* f = factors.data_ptr<double>();
  std::unordered_map<int64_t, int64_t> counts;
  if (scale_by_freq)
    for (int64_t i = 0; i < n; ++i) ++counts[p[i]];
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] == padding_idx)
      f[i] = 0.0;
    else if (scale_by_freq)
      f[i] = 1.0 / static_cast<double>(counts[p[i]]);
    else
      f[i] = 1.0;
  }
}

void embedding_backward(const View& gw, const View& g, const View& indices, const View& factors) {
  const int64_t dim = gw.size(1);
  const double* factor = factors.data_ptr<double>();
  dispatch_float_double(g.dtype(), "embedding backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int64_t* ip = indices.data_ptr<int64_t>();
    const T* gp = g.data_ptr<T>();
    T* out = gw.data_ptr<T>();
    std::fill(out, out + gw.numel(), T(0));
    for (int64_t i = 0, n = indices.numel(); i < n; ++i) {
      if (factor[i] == 0.0) continue;
      const T f = static_cast<T>(factor[i]);
      T* row = out + ip[i] * dim;
      const T* gr = gp + i * dim;
      for (int64_t k = 0; k < dim; ++k) row[k] += f * gr[k];
    }
  });
}

void embedding_renorm(const View& weight, const int64_t* rows, int64_t n, double max_norm,
                      double norm_type) {
  const int64_t dim = weight.size(1), s0 = weight.stride(0), s1 = weight.stride(1);
  dispatch_float_double(weight.dtype(), "embedding_renorm_", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* base = weight.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) {
      T* row = base + rows[i] * s0;
      double norm = 0;
      if (norm_type == 1) {
        for (int64_t k = 0; k < dim; ++k) norm += std::abs(static_cast<double>(row[k * s1]));
      } else if (norm_type == 2) {
        for (int64_t k = 0; k < dim; ++k) norm += static_cast<double>(row[k * s1]) * row[k * s1];
        norm = std::sqrt(norm);
      } else {
        for (int64_t k = 0; k < dim; ++k)
          norm += std::pow(std::abs(static_cast<double>(row[k * s1])), norm_type);
        norm = std::pow(norm, 1.0 / norm_type);
      }
      if (norm > max_norm) {
        const T scale = static_cast<T>(max_norm / (norm + 1e-7));
        for (int64_t k = 0; k < dim; ++k) row[k * s1] *= scale;
      }
    }
  });
}

}  // namespace tg::kernels
