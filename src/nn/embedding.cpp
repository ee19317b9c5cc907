// Embedding: rows of a table picked by indices, and the internal op its derivative is (the
// rows' gradients summed into the table), whose own derivative is embedding again, so double
// backward works.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/loop.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

void check_indices(const Tensor& indices, const Tensor& weight, const char* op) {
  TG_CHECK(indices.defined(), op, ": the indices are undefined");
  TG_CHECK(indices.dtype() == kLong, op, ": expected indices of dtype Long but got ",
           indices.dtype(), "; convert them with .to(tg::kLong)");
  const Tensor idx = detail::contiguous_data(indices);
  const int64_t rows = weight.size(0);
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0, n = idx.numel(); i < n; ++i)
    TG_CHECK(p[i] >= 0 && p[i] < rows, op, ": index ", p[i], " is out of range for a table of ",
             rows, " rows (weight ", detail::shape_str(weight.sizes()),
             "); indices must lie in [0, ", rows, ")");
}

/// 1 / (occurrences of idx[i] in idx) for each i (scale_grad_by_freq), 0 where idx[i] is
/// padding_idx, else 1: the factor each looked-up row's gradient is multiplied by.
std::vector<double> row_factors(const Tensor& idx, int64_t padding_idx, bool scale_by_freq) {
  const int64_t n = idx.numel();
  const int64_t* p = idx.data_ptr<int64_t>();
  std::unordered_map<int64_t, int64_t> counts;
  if (scale_by_freq)
    for (int64_t i = 0; i < n; ++i) ++counts[p[i]];
  std::vector<double> f(static_cast<size_t>(n), 1.0);
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] == padding_idx)
      f[i] = 0.0;
    else if (scale_by_freq)
      f[i] = 1.0 / static_cast<double>(counts[p[i]]);
  }
  return f;
}

Tensor embedding_rows(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                      bool scale_by_freq);
Tensor embedding_backward(const Tensor& g, const Tensor& indices, int64_t rows, int64_t padding_idx,
                          bool scale_by_freq);

/// out[i] = weight[indices[i]] (indices already checked), node EmbeddingBackward0.
Tensor embedding_rows(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                      bool scale_by_freq) {
  const int64_t rows = weight.size(0), dim = weight.size(1);
  DimVector out_sizes(indices.sizes());
  out_sizes.push_back(dim);
  Tensor out = detail::make_empty(out_sizes, weight.dtype());
  const Tensor idx = detail::contiguous_data(indices), w = detail::contiguous_data(weight);
  const int64_t* ip = idx.data_ptr<int64_t>();
  const size_t row_bytes = static_cast<size_t>(dim) * weight.element_size();
  const char* src = static_cast<const char*>(w.data_ptr());
  char* dst = static_cast<char*>(out.data_ptr());
  for (int64_t i = 0, n = idx.numel(); i < n; ++i)
    if (row_bytes) std::memcpy(dst + i * row_bytes, src + ip[i] * row_bytes, row_bytes);
  if (autograd::needs_grad(weight))
    autograd::record(
        "EmbeddingBackward0", {weight}, {out}, autograd::save(indices),
        [rows, padding_idx, scale_by_freq](autograd::BackwardArgs<1>& a) -> variable_list {
          return {embedding_backward(a.grad(), a.saved[0], rows, padding_idx, scale_by_freq)};
        });
  return out;
}

/// The table's gradient: grad rows (times their factor) summed into the rows they came from.
Tensor embedding_backward(const Tensor& g, const Tensor& indices, int64_t rows, int64_t padding_idx,
                          bool scale_by_freq) {
  const int64_t dim = g.size(-1);
  Tensor gw = zeros({rows, dim}, g.dtype());
  const Tensor idx = detail::contiguous_data(indices), gc = detail::contiguous_data(g);
  const std::vector<double> factor = row_factors(idx, padding_idx, scale_by_freq);
  kernels::dispatch_floating(g.dtype(), "embedding backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int64_t* ip = idx.data_ptr<int64_t>();
    const T* gp = gc.data_ptr<T>();
    T* out = gw.data_ptr<T>();
    for (int64_t i = 0, n = idx.numel(); i < n; ++i) {
      if (factor[i] == 0.0) continue;
      const T f = static_cast<T>(factor[i]);
      T* row = out + ip[i] * dim;
      const T* gr = gp + i * dim;
      for (int64_t k = 0; k < dim; ++k) row[k] += f * gr[k];
    }
  });
  if (autograd::needs_grad(g))
    autograd::record("EmbeddingDenseBackwardBackward0", {g}, {gw}, autograd::save(indices),
                     [padding_idx, scale_by_freq](autograd::BackwardArgs<1>& a) -> variable_list {
                       // The adjoint of summing rows into the table is picking them back out, each
                       // times its factor.
                       const Tensor& idx = a.saved[0];
                       Tensor picked = embedding_rows(a.grad(), idx, -1, false);
                       if (padding_idx < 0 && !scale_by_freq) return {picked};
                       const Tensor ic = detail::contiguous_data(idx);
                       const std::vector<double> f = row_factors(ic, padding_idx, scale_by_freq);
                       Tensor factors = empty({static_cast<int64_t>(f.size())}, a.grad().dtype());
                       kernels::dispatch_floating(factors.dtype(), "embedding backward",
                                                  [&](auto tag) {
                                                    using T = typename decltype(tag)::type;
                                                    T* p = factors.data_ptr<T>();
                                                    for (size_t i = 0; i < f.size(); ++i)
                                                      p[i] = static_cast<T>(f[i]);
                                                  });
                       DimVector fshape(idx.sizes());
                       fshape.push_back(1);
                       return {picked * factors.view(fshape)};
                     });
  return gw;
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                 bool scale_grad_by_freq, bool sparse) {
  TG_CHECK(weight.defined(), "embedding: the weight is undefined");
  TG_CHECK(weight.dim() == 2,
           "embedding: expected a 2-D weight [num_embeddings, embedding_dim] "
           "but got shape ",
           detail::shape_str(weight.sizes()));
  TG_CHECK(!sparse, "embedding: sparse gradients are not supported; pass sparse = false");
  check_indices(indices, weight, "embedding");
  return embedding_rows(weight, indices, padding_idx, scale_grad_by_freq);
}

Tensor& embedding_renorm_(Tensor& weight, const Tensor& indices, double max_norm,
                          double norm_type) {
  TG_CHECK(weight.defined() && weight.dim() == 2,
           "embedding_renorm_: expected a 2-D weight "
           "[num_embeddings, embedding_dim]");
  TG_CHECK(!(GradMode::is_enabled() && weight.requires_grad() && weight.is_leaf()),
           "embedding_renorm_: a leaf Variable that requires grad is being used in an in-place "
           "operation; call it under tg::NoGradGuard");
  check_indices(indices, weight, "embedding_renorm_");
  const Tensor idx = detail::contiguous_data(indices);
  std::vector<int64_t> unique(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  const int64_t dim = weight.size(1), s0 = weight.stride(0), s1 = weight.stride(1);
  kernels::dispatch_floating(weight.dtype(), "embedding_renorm_", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* base = weight.data_ptr<T>();
    for (int64_t r : unique) {
      T* row = base + r * s0;
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
  detail::bump_version(weight);
  return weight;
}

}  // namespace tg
