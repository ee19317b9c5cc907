// Embedding: rows of a table picked by indices, and the internal op its derivative is (the
// rows' gradients summed into the table), whose own derivative is embedding again, so double
// backward works.
#include "kernels/embedding.h"

#include <algorithm>
#include <vector>

#include "autograd/record.h"
#include "core/internal.h"
#include "tensorgrad/nn/ops_conv.h"

namespace tg {
namespace {

void check_indices(const Tensor& indices, const Tensor& weight, const char* op) {
  TG_CHECK(indices.defined(), op, ": the indices are undefined");
  TG_CHECK(indices.scalar_type() == kLong || indices.scalar_type() == kInt, op,
           ": expected indices of dtype Long or Int but got ", indices.scalar_type(),
           "; convert them with .to(tg::kLong)");
  const Tensor idx = detail::contiguous_data(detail::cast(indices, kLong));
  const int64_t rows = weight.size(0);
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0, n = idx.numel(); i < n; ++i)
    TG_CHECK(p[i] >= 0 && p[i] < rows, op, ": index ", p[i], " is out of range for a table of ",
             rows, " rows (weight ", detail::shape_str(weight.sizes()),
             "); indices must lie in [0, ", rows, ")");
}

/// The factor each looked-up row's gradient is multiplied by, as a Double tensor of one element
/// per index (see kernels::embedding_row_factors).
Tensor row_factors(const Tensor& idx, int64_t padding_idx, bool scale_by_freq) {
  Tensor f = detail::make_empty({idx.numel()}, kDouble);
  kernels::embedding_row_factors(f, idx, padding_idx, scale_by_freq);
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
  kernels::embedding_rows(out, detail::contiguous_data(weight), detail::contiguous_data(indices));
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
  Tensor gw = detail::make_empty({rows, g.size(-1)}, g.dtype());
  const Tensor idx = detail::contiguous_data(indices);
  kernels::embedding_backward(gw, detail::contiguous_data(g), idx,
                              row_factors(idx, padding_idx, scale_by_freq));
  if (autograd::needs_grad(g))
    autograd::record("EmbeddingDenseBackwardBackward0", {g}, {gw}, autograd::save(indices),
                     [padding_idx, scale_by_freq](autograd::BackwardArgs<1>& a) -> variable_list {
                       // The adjoint of summing rows into the table is picking them back out, each
                       // times its factor.
                       const Tensor& idx = a.saved[0];
                       Tensor picked = embedding_rows(a.grad(), idx, -1, false);
                       if (padding_idx < 0 && !scale_by_freq) return {picked};
                       const Tensor factors = detail::cast(
                           row_factors(detail::contiguous_data(idx), padding_idx, scale_by_freq),
                           a.grad().dtype());
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
  // Int indices (libtorch takes them too) are read as Long.
  return embedding_rows(weight, detail::cast(indices, kLong), padding_idx, scale_grad_by_freq);
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
  const Tensor idx = detail::contiguous_data(detail::cast(indices, kLong));
  std::vector<int64_t> unique(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  kernels::embedding_renorm(weight, unique.data(), static_cast<int64_t>(unique.size()), max_norm,
                            norm_type);
  detail::bump_version(weight);
  return weight;
}

}  // namespace tg
