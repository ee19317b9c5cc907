// Op cases for linear algebra: matmul in every rank combination, mm, bmm, mv, dot, outer, addmm,
// cross.
// References are plain loops over the inputs' contiguous kDouble data.
#include <cmath>
#include <vector>

#include "op_case.h"

namespace tg::testing {
namespace {

// A fresh contiguous kDouble leaf with distinct, smooth values (not via tensorgrad's ops).
Tensor input(std::vector<int64_t> shape, double seed, bool grad = true) {
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = std::sin(seed + 0.7 * static_cast<double>(i));
  if (grad) t.requires_grad_(true);
  return t;
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

// libtorch's matmul semantics, by hand: 1-D operands get a unit dim (dropped from the result),
// batch dims broadcast, then a triple loop per batch.
Tensor ref_matmul(const Tensor& a, const Tensor& b) {
  std::vector<int64_t> sa = a.sizes().vec(), sb = b.sizes().vec();
  const bool a_vec = sa.size() == 1, b_vec = sb.size() == 1;
  if (a_vec) sa.insert(sa.begin(), 1);
  if (b_vec) sb.push_back(1);
  const int64_t n = sa[sa.size() - 2], k = sa.back(), p = sb.back();
  const std::vector<int64_t> ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
  const size_t nd = std::max(ba.size(), bb.size());
  std::vector<int64_t> batch(nd, 1), pa(nd, 1), pb(nd, 1);  // padded batch shapes
  for (size_t i = 0; i < nd; ++i) {
    if (i >= nd - ba.size()) pa[i] = ba[i - (nd - ba.size())];
    if (i >= nd - bb.size()) pb[i] = bb[i - (nd - bb.size())];
    batch[i] = std::max(pa[i], pb[i]);
  }
  std::vector<int64_t> out_shape = batch;
  if (!a_vec) out_shape.push_back(n);
  if (!b_vec) out_shape.push_back(p);
  const std::vector<int64_t> stride_a = contiguous_strides(pa), stride_b = contiguous_strides(pb);
  int64_t nbatch = 1;
  for (int64_t s : batch) nbatch *= s;
  Tensor out = empty(out_shape, kDouble);
  double* o = out.data_ptr<double>();
  const double* x = a.data_ptr<double>();
  const double* y = b.data_ptr<double>();
  for (int64_t bi = 0; bi < nbatch; ++bi) {
    int64_t rest = bi, ia = 0, ib = 0;
    for (size_t d = nd; d-- > 0;) {
      const int64_t idx = rest % batch[d];
      rest /= batch[d];
      if (pa[d] != 1) ia += idx * stride_a[d];
      if (pb[d] != 1) ib += idx * stride_b[d];
    }
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < p; ++j) {
        double s = 0;
        for (int64_t q = 0; q < k; ++q) s += x[(ia * n + i) * k + q] * y[(ib * k + q) * p + j];
        o[(bi * n + i) * p + j] = s;
      }
  }
  return out;
}

// matmul over a pair of shapes; the reference does not call matmul.
void matmul_case(const char* variant, std::vector<int64_t> sa, std::vector<int64_t> sb) {
  op_case_registry().push_back(OpCase{
      .op = "matmul",
      .variant = variant,
      .inputs =
          [sa, sb] {
            return variable_list{input(sa, 0.3), input(sb, 1.9)};
          },
      .fn = [](const variable_list& x) { return variable_list{matmul(x[0], x[1])}; },
      .reference = [](const variable_list& x) { return variable_list{ref_matmul(x[0], x[1])}; },
  });
}

[[maybe_unused]] const bool matmul_cases = [] {
  matmul_case("1d_1d_dot", {4}, {4});
  matmul_case("2d_1d_mv", {3, 4}, {4});
  matmul_case("1d_2d", {4}, {4, 3});
  matmul_case("2d_2d_mm", {2, 4}, {4, 3});
  matmul_case("3d_1d_folded", {2, 3, 4}, {4});
  matmul_case("3d_2d_folded", {2, 3, 4}, {4, 2});
  matmul_case("1d_3d", {4}, {2, 4, 3});
  matmul_case("2d_3d_broadcast", {3, 4}, {2, 4, 2});
  matmul_case("3d_3d", {2, 3, 4}, {2, 4, 2});
  matmul_case("4d_3d_broadcast", {2, 1, 2, 3}, {3, 3, 2});
  matmul_case("1d_4d", {3}, {2, 2, 3, 2});
  matmul_case("4d_1d_folded", {2, 2, 2, 3}, {3});
  return true;
}();

TG_OP_CASE({
    .op = "mm",
    .variant = "basic",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.1), input({4, 2}, 2.0)};
        },
    .fn = [](const variable_list& x) { return variable_list{mm(x[0], x[1])}; },
    .reference = [](const variable_list& x) { return variable_list{ref_matmul(x[0], x[1])}; },
});

TG_OP_CASE({
    .op = "mm",
    .variant = "transposed_operands",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 0.4), input({2, 4}, 1.1)};
        },
    .fn = [](const variable_list& x) { return variable_list{x[0].t().mm(x[1].t())}; },
    .reference =
        [](const variable_list& x) {
          // (x0^T)(x1^T) = (x1 x0)^T: entry (i, j) is sum_q x0[q, i] * x1[j, q].
          const double* a = x[0].data_ptr<double>();
          const double* b = x[1].data_ptr<double>();
          Tensor out = empty({3, 2}, kDouble);
          double* o = out.data_ptr<double>();
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 2; ++j) {
              double s = 0;
              for (int q = 0; q < 4; ++q) s += a[q * 3 + i] * b[j * 4 + q];
              o[i * 2 + j] = s;
            }
          return variable_list{out};
        },
});

TG_OP_CASE({
    .op = "bmm",
    .variant = "basic",
    .inputs =
        [] {
          return variable_list{input({2, 3, 4}, 0.2), input({2, 4, 2}, 0.9)};
        },
    .fn = [](const variable_list& x) { return variable_list{bmm(x[0], x[1])}; },
    .reference = [](const variable_list& x) { return variable_list{ref_matmul(x[0], x[1])}; },
});

TG_OP_CASE({
    .op = "mv",
    .variant = "basic",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.5), input({4}, 2.5)};
        },
    .fn = [](const variable_list& x) { return variable_list{mv(x[0], x[1])}; },
    .reference = [](const variable_list& x) { return variable_list{ref_matmul(x[0], x[1])}; },
});

TG_OP_CASE({
    .op = "dot",
    .variant = "basic",
    .inputs =
        [] {
          return variable_list{input({5}, 0.6), input({5}, 3.0)};
        },
    .fn = [](const variable_list& x) { return variable_list{dot(x[0], x[1])}; },
    .reference = [](const variable_list& x) { return variable_list{ref_matmul(x[0], x[1])}; },
});

TG_OP_CASE({
    .op = "outer",
    .variant = "basic",
    .inputs =
        [] {
          return variable_list{input({3}, 0.7), input({4}, 1.3)};
        },
    .fn = [](const variable_list& x) { return variable_list{outer(x[0], x[1])}; },
    .reference =
        [](const variable_list& x) {
          const double* a = x[0].data_ptr<double>();
          const double* b = x[1].data_ptr<double>();
          Tensor out = empty({3, 4}, kDouble);
          double* o = out.data_ptr<double>();
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 4; ++j) o[i * 4 + j] = a[i] * b[j];
          return variable_list{out};
        },
});

// addmm: beta * self (broadcast to [n, p]) + alpha * mat1 @ mat2.
Tensor ref_addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, double beta,
                 double alpha) {
  Tensor prod = ref_matmul(m1, m2);
  double* o = prod.data_ptr<double>();
  const int64_t n = prod.size(0), p = prod.size(1);
  const double* s = self.data_ptr<double>();
  const int64_t sd = self.dim();
  const int64_t rows = sd == 2 ? self.size(0) : 1, cols = sd >= 1 ? self.size(sd - 1) : 1;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < p; ++j) {
      const double sv = s[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j)];
      o[i * p + j] = beta * sv + alpha * o[i * p + j];
    }
  return prod;
}

TG_OP_CASE({
    .op = "addmm",
    .variant = "default_scalars",
    .inputs =
        [] {
          return variable_list{input({3, 2}, 0.8), input({3, 4}, 1.7), input({4, 2}, 2.2)};
        },
    .fn = [](const variable_list& x) { return variable_list{addmm(x[0], x[1], x[2])}; },
    .reference =
        [](const variable_list& x) { return variable_list{ref_addmm(x[0], x[1], x[2], 1, 1)}; },
});

TG_OP_CASE({
    .op = "addmm",
    .variant = "beta_alpha_broadcast_row",
    .inputs =
        [] {
          return variable_list{input({2}, 0.15), input({3, 4}, 1.2), input({4, 2}, 2.9)};
        },
    .fn = [](const variable_list& x) { return variable_list{addmm(x[0], x[1], x[2], 0.5, -2.0)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{ref_addmm(x[0], x[1], x[2], 0.5, -2.0)};
        },
});

TG_OP_CASE({
    .op = "addmm",
    .variant = "broadcast_column_method",
    .inputs =
        [] {
          return variable_list{input({3, 1}, 0.45), input({3, 4}, 0.35), input({4, 2}, 1.45)};
        },
    .fn = [](const variable_list& x) { return variable_list{x[0].addmm(x[1], x[2], 3, 0.25)}; },
    .reference =
        [](const variable_list& x) { return variable_list{ref_addmm(x[0], x[1], x[2], 3, 0.25)}; },
});

// cross along `dim` of [rows, 3] (dim 1) or [3, cols] (dim 0) operands, by hand.
Tensor ref_cross(const Tensor& a, const Tensor& b, int64_t dim) {
  Tensor out = empty(a.sizes(), kDouble);
  const double* x = a.data_ptr<double>();
  const double* y = b.data_ptr<double>();
  double* o = out.data_ptr<double>();
  const int64_t lines = a.numel() / 3;
  const int64_t step = dim == 0 ? lines : 1;  // between the 3 components of one vector
  for (int64_t l = 0; l < lines; ++l) {
    const int64_t base = dim == 0 ? l : 3 * l;
    auto c = [&](const double* p, int64_t k) { return p[base + k * step]; };
    o[base] = c(x, 1) * c(y, 2) - c(x, 2) * c(y, 1);
    o[base + step] = c(x, 2) * c(y, 0) - c(x, 0) * c(y, 2);
    o[base + 2 * step] = c(x, 0) * c(y, 1) - c(x, 1) * c(y, 0);
  }
  return out;
}

TG_OP_CASE({
    .op = "cross",
    .variant = "rows_first_size_3_dim",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 0.3), input({4, 3}, 1.9)};
        },
    .fn = [](const variable_list& x) { return variable_list{cross(x[0], x[1])}; },
    .reference = [](const variable_list& x) { return variable_list{ref_cross(x[0], x[1], 1)}; },
});

TG_OP_CASE({
    .op = "cross",
    .variant = "dim0_method",
    .inputs =
        [] {
          return variable_list{input({3, 3}, 0.8), input({3, 3}, 2.4)};
        },
    .fn = [](const variable_list& x) { return variable_list{x[0].cross(x[1], 0)}; },
    .reference = [](const variable_list& x) { return variable_list{ref_cross(x[0], x[1], 0)}; },
});

}  // namespace
}  // namespace tg::testing
