// Linear algebra: mm, bmm, mv, dot, addmm (each a GEMM and a node), and matmul, outer and cross,
// which are composite: their grad_fn is whatever they decompose into.
//
// Derivatives (derivatives.yaml), written with differentiable ops so double backward works:
//   mm(a, b):            a: grad.mm(b.t())              b: a.t().mm(grad)
//   bmm(a, b):           a: grad.bmm(b.transpose(1, 2)) b: a.transpose(1, 2).bmm(grad)
//   mv(a, v):            a: outer(grad, v)              v: a.t().mv(grad)
//   dot(a, b):           a: grad * b                    b: grad * a
//   addmm(s, a, b, β, α): s: β grad (summed to s's shape by the engine), a: α grad.mm(b.t()),
//                        b: α a.t().mm(grad)
// Each node saves only the operands that the needed gradients read.
#include <algorithm>
#include <string>

#include "autograd/record.h"
#include "core/internal.h"
#include "kernels/gemm.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg {
namespace {

using detail::shape_str;

void check_defined(const char* op, const Tensor& a, const Tensor& b) {
  TG_CHECK(a.defined() && b.defined(), op, ": the ", a.defined() ? "second" : "first",
           " operand is an undefined (default-constructed) tensor; assign it a value first");
}

// Same dtype, and one that has a matrix product (libtorch has none for Bool).
void check_dtypes(const char* op, const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dtype() == b.dtype(), op, ": expected both operands to have the same dtype, but got ",
           a.dtype(), " (shape ", shape_str(a.sizes()), ") and ", b.dtype(), " (shape ",
           shape_str(b.sizes()), "); convert one with .to(), e.g. b.to(a.dtype())");
  TG_CHECK(a.dtype() != kBool, op, ": Bool tensors have no matrix product (shapes ",
           shape_str(a.sizes()), " and ", shape_str(b.sizes()),
           "); convert them with .to(tg::kFloat) or .to(tg::kLong)");
}

// Rank check naming the argument: "mm: expected a 2-D matrix for mat1 but got ...".
void check_dim(const char* op, const Tensor& t, int64_t dim, const char* name, const char* what,
               const char* hint) {
  TG_CHECK(t.dim() == dim, op, ": expected ", what, " for ", name, " but got a ", t.dim(),
           "-D tensor of shape ", shape_str(t.sizes()), "; ", hint);
}

// "op: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4); <hint>".
void check_inner(const char* op, const Tensor& a, const Tensor& b, int64_t ka, int64_t kb,
                 const char* hint) {
  TG_CHECK(ka == kb, op, ": shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()),
           " cannot be multiplied (", ka, " != ", kb, "); ", hint);
}

// An operand and the rank the op wants: name says which argument it is, what the rank in words.
struct Operand {
  const Tensor& t;
  int64_t dim;
  const char* name;
  const char* what;
};

// Both operands defined, each of its rank.
void check_ranks(const char* op, const Operand& a, const Operand& b, const char* hint) {
  check_defined(op, a.t, b.t);
  check_dim(op, a.t, a.dim, a.name, a.what, hint);
  check_dim(op, b.t, b.dim, b.name, b.what, hint);
}

void check_mm_operands(const char* op, const Tensor& a, const Tensor& b) {
  check_ranks(op, {a, 2, "mat1", "a 2-D matrix"}, {b, 2, "mat2", "a 2-D matrix"},
              "use bmm for batches of matrices, or matmul for any ranks and broadcasting");
  check_dtypes(op, a, b);
  check_inner(
      op, a, b, a.size(1), b.size(0),
      "mat1's number of columns must equal mat2's number of rows (transpose one with .t()?)");
}

// Tensor handles are kept in the saved list only where a needed gradient reads them.
Tensor if_needed(const Tensor& t, bool needed) { return needed ? t : Tensor(); }

// libtorch's _unsafe_view: gives a freshly computed contiguous result its final shape without
// making it a view (nothing else can reach its storage), recorded as UnsafeViewBackward0.
Tensor unsafe_view(const Tensor& t, IntArrayRef sizes) {
  Tensor out = detail::make_view(t, sizes, detail::contiguous_strides(sizes),
                                 t.unsafeGetTensorImpl()->offset);
  out.unsafeGetTensorImpl()->is_view = false;
  out.unsafeGetTensorImpl()->base.reset();
  if (autograd::needs_grad(t)) {
    DimVector in_sizes(t.sizes());
    autograd::record("UnsafeViewBackward0", {t}, {out}, autograd::save(),
                     [in_sizes](autograd::BackwardArgs<0>& a) -> variable_list {
                       return {a.grad().reshape(in_sizes)};
                     });
  }
  return out;
}

int64_t product(IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

// t ([..., rows, cols], batch dims broadcastable to `batch`) as a [prod(batch), rows, cols]
// operand for bmm: expanded where broadcast, folded where it has several batch dims.
Tensor as_bmm_operand(const Tensor& t, IntArrayRef batch, int64_t rows, int64_t cols) {
  DimVector target(batch);
  target.push_back(rows);
  target.push_back(cols);
  Tensor r = t;
  if (!(r.sizes() == IntArrayRef(target))) r = r.expand(target);
  if (target.size() != 3) r = r.reshape({product(batch), rows, cols});
  return r;
}

// Records the backward of `out`, a product of a and b that is linear in each: a's gradient is
// grad_a(grad, b) and b's is grad_b(a, grad). Each operand is saved only when the other needs a
// gradient.
template <class GradA, class GradB>
void record_product(const char* name, const Tensor& a, const Tensor& b, const Tensor& out,
                    GradA grad_a, GradB grad_b) {
  if (!autograd::needs_grad(a, b)) return;
  autograd::record(name, {a, b}, {out},
                   autograd::save(if_needed(a, b.requires_grad()), if_needed(b, a.requires_grad())),
                   [grad_a, grad_b](autograd::BackwardArgs<2>& g) -> variable_list {
                     Tensor ga, gb;
                     if (g.needs(0)) ga = grad_a(g.grad(), g.saved[1]);
                     if (g.needs(1)) gb = grad_b(g.saved[0], g.grad());
                     return {ga, gb};
                   });
}

/// t * s, without the multiply when s is 1.
Tensor scaled(const Tensor& t, const Scalar& s) { return s.toDouble() == 1 ? t : t * s; }

// The gradients of mat1 and mat2 in alpha * mat1 @ mat2, as libtorch's mm_mat1_backward and
// mm_mat2_backward: an operand that is column-major (the transpose of a contiguous matrix, such as
// Linear's weight.t()) gets a column-major gradient, computed as the transposed product (and
// scaled before the transpose, which an elementwise op would not keep), so that its leaf's
// gradient arrives contiguous (accumulating a transposed one is a slow strided pass).
bool column_major(const Tensor& m) { return m.stride(0) == 1 && m.stride(1) == m.size(0); }
Tensor mm_mat1_grad(const Tensor& grad, const Tensor& mat2, bool mat1_column_major,
                    const Scalar& alpha = 1) {
  return mat1_column_major ? scaled(mat2.mm(grad.t()), alpha).t()
                           : scaled(grad.mm(mat2.t()), alpha);
}
Tensor mm_mat2_grad(const Tensor& mat1, const Tensor& grad, bool mat2_column_major,
                    const Scalar& alpha = 1) {
  return mat2_column_major ? scaled(grad.t().mm(mat1), alpha).t()
                           : scaled(mat1.t().mm(grad), alpha);
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_mm_operands("mm", a, b);
  Tensor out = detail::make_empty({a.size(0), b.size(1)}, a.dtype());
  kernels::mm_out(out, a, b);
  record_product(
      "MmBackward0", a, b, out,
      [a_cols = column_major(a)](const Tensor& grad, const Tensor& b) {
        return mm_mat1_grad(grad, b, a_cols);
      },
      [b_cols = column_major(b)](const Tensor& a, const Tensor& grad) {
        return mm_mat2_grad(a, grad, b_cols);
      });
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_ranks("bmm", {a, 3, "batch1", "a 3-D batch of matrices"},
              {b, 3, "batch2", "a 3-D batch of matrices"},
              "use mm for single matrices, or matmul for any ranks and broadcasting");
  check_dtypes("bmm", a, b);
  TG_CHECK(a.size(0) == b.size(0), "bmm: batch sizes differ (", a.size(0), " != ", b.size(0),
           ") for shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()),
           "; bmm does not broadcast: use matmul to broadcast batch dimensions");
  check_inner("bmm", a, b, a.size(2), b.size(1),
              "each matrix of batch1 must have as many columns as each of batch2 has rows");
  Tensor out = detail::make_empty({a.size(0), a.size(1), b.size(2)}, a.dtype());
  kernels::bmm_out(out, a, b);
  record_product(
      "BmmBackward0", a, b, out,
      [](const Tensor& grad, const Tensor& b) { return grad.bmm(b.transpose(1, 2)); },
      [](const Tensor& a, const Tensor& grad) { return a.transpose(1, 2).bmm(grad); });
  return out;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  check_ranks("mv", {a, 2, "the matrix (first argument)", "a 2-D matrix"},
              {v, 1, "the vector (second argument)", "a 1-D vector"},
              "mv multiplies a matrix by a vector; use matmul for other ranks");
  check_dtypes("mv", a, v);
  check_inner("mv", a, v, a.size(1), v.size(0),
              "the matrix must have as many columns as the vector has elements");
  Tensor out = detail::make_empty({a.size(0)}, a.dtype());
  // The vector is a K x 1 matrix and the result an M x 1 one.
  kernels::gemm_batched(a.dtype(), 1, a.size(0), 1, a.size(1), 1,
                        kernels::MatrixRef{a.data_ptr(), 0, a.stride(0), a.stride(1)},
                        kernels::MatrixRef{v.data_ptr(), 0, v.stride(0), 1}, 0,
                        kernels::MatrixRef{out.data_ptr(), 0, 1, 1});
  record_product(
      "MvBackward0", a, v, out, [](const Tensor& grad, const Tensor& v) { return outer(grad, v); },
      [](const Tensor& a, const Tensor& grad) { return a.t().mv(grad); });
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_ranks("dot", {a, 1, "the first argument", "a 1-D vector"},
              {b, 1, "the second argument", "a 1-D vector"},
              "dot takes two vectors; use matmul for matrices or (a * b).sum() otherwise");
  check_dtypes("dot", a, b);
  TG_CHECK(a.size(0) == b.size(0), "dot: vectors of shapes ", shape_str(a.sizes()), " and ",
           shape_str(b.sizes()), " have different lengths (", a.size(0), " != ", b.size(0),
           "); both must have the same number of elements");
  Tensor out = detail::make_empty({}, a.dtype());
  // A 1 x K row times a K x 1 column.
  kernels::gemm_batched(a.dtype(), 1, 1, 1, a.size(0), 1,
                        kernels::MatrixRef{a.data_ptr(), 0, 1, a.stride(0)},
                        kernels::MatrixRef{b.data_ptr(), 0, b.stride(0), 1}, 0,
                        kernels::MatrixRef{out.data_ptr(), 0, 1, 1});
  record_product(
      "DotBackward0", a, b, out, [](const Tensor& grad, const Tensor& b) { return grad * b; },
      [](const Tensor& a, const Tensor& grad) { return grad * a; });
  return out;
}

// As libtorch 1.13: a broadcasting mul, so its grad_fn is MulBackward0 and dtypes promote.
Tensor outer(const Tensor& a, const Tensor& b) {
  check_ranks("outer", {a, 1, "the first argument", "a 1-D vector"},
              {b, 1, "the second argument", "a 1-D vector"},
              "outer takes two vectors; flatten them first with .flatten()");
  return a.reshape({a.size(0), 1}) * b;
}

Tensor cross(const Tensor& a, const Tensor& b, std::optional<int64_t> dim) {
  check_defined("cross", a, b);
  TG_CHECK(a.dim() == b.dim(), "cross: inputs must have the same number of dimensions (got ",
           shape_str(a.sizes()), " and ", shape_str(b.sizes()), "); unsqueeze the smaller one");
  TG_CHECK(a.dtype() == b.dtype(), "cross: expected scalar type ", a.dtype(), " but found ",
           b.dtype(), "; convert one of them with .to()");
  int64_t d = -1;
  if (dim) {
    d = detail::wrap_dim(*dim, a.dim(), "cross");
  } else {
    for (int64_t i = 0; i < a.dim() && d < 0; ++i)
      if (a.size(i) == 3) d = i;
    TG_CHECK(d >= 0, "cross: no dimension of size 3 in input (shape ", shape_str(a.sizes()),
             "); pass dim");
  }
  TG_CHECK(a.size(d) == 3 && b.size(d) == 3, "cross: inputs dimension ", d,
           " must have length 3. Got ", a.size(d), " and ", b.size(d));
  const DimVector shape = broadcast_shapes(a.sizes(), b.sizes());
  const Tensor x = a.expand(shape), y = b.expand(shape);
  const Tensor x0 = x.select(d, 0), x1 = x.select(d, 1), x2 = x.select(d, 2);
  const Tensor y0 = y.select(d, 0), y1 = y.select(d, 1), y2 = y.select(d, 2);
  return stack({x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0}, d);
}

Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta,
             const Scalar& alpha) {
  check_mm_operands("addmm", mat1, mat2);
  TG_CHECK(self.defined(),
           "addmm: self is an undefined (default-constructed) tensor; pass a "
           "tensor broadcastable to the product's shape");
  TG_CHECK(self.dtype() == mat1.dtype(),
           "addmm: expected self to have the dtype of mat1 and mat2 (", mat1.dtype(), ") but got ",
           self.dtype(), " (shape ", shape_str(self.sizes()), "); convert it with .to(",
           mat1.dtype(), ")");
  const int64_t n = mat1.size(0), p = mat2.size(1);
  bool fits = self.dim() <= 2;
  for (int64_t d = 0; fits && d < self.dim(); ++d) {
    const int64_t s = self.size(self.dim() - 1 - d), target = d == 0 ? p : n;
    fits = s == 1 || s == target;
  }
  TG_CHECK(fits, "addmm: self of shape ", shape_str(self.sizes()),
           " cannot be broadcast to the shape [", n, ", ", p, "] of mat1 ", shape_str(mat1.sizes()),
           " @ mat2 ", shape_str(mat2.sizes()), "; self must be broadcastable to [", n, ", ", p,
           "]");
  TG_CHECK(mat1.dtype() != kLong || (!beta.isFloatingPoint() && !alpha.isFloatingPoint()),
           "addmm: for integral input tensors, beta and alpha must be integers, but got beta=",
           beta, " and alpha=", alpha, "; convert the tensors with .to(tg::kDouble)");
  Tensor out = detail::make_empty({n, p}, mat1.dtype());
  const double b = beta.toDouble();
  // beta == 0 ignores self entirely (NaN and inf in it do not propagate), as libtorch.
  if (b != 0) detail::copy_into(out, self);
  kernels::mm_out(out, mat1, mat2, alpha.toDouble(), b);
  if (autograd::needs_grad(self, mat1, mat2)) {
    autograd::record("AddmmBackward0", {self, mat1, mat2}, {out},
                     autograd::save(if_needed(mat1, mat2.requires_grad()),
                                    if_needed(mat2, mat1.requires_grad())),
                     [beta, alpha, mat1_cols = column_major(mat1), mat2_cols = column_major(mat2)](
                         autograd::BackwardArgs<2>& g) -> variable_list {
                       Tensor gs, g1, g2;
                       if (g.needs(0)) gs = scaled(g.grad(), beta);
                       if (g.needs(1)) g1 = mm_mat1_grad(g.grad(), g.saved[1], mat1_cols, alpha);
                       if (g.needs(2)) g2 = mm_mat2_grad(g.saved[0], g.grad(), mat2_cols, alpha);
                       return {gs, g1, g2};
                     });
  }
  return out;
}

// Note [matmul decomposition]
// matmul is composite, as in libtorch, so its grad_fn is that of the op it reduces to:
//   1-D · 1-D  dot                                   DotBackward0
//   2-D · 1-D  mv                                    MvBackward0
//   1-D · 2-D  a.unsqueeze(0).mm(b).squeeze(0)       SqueezeBackward1
//   2-D · 2-D  mm                                    MmBackward0
//   N-D · 1-D or 2-D (N >= 3): a's batch dims are folded into its rows, one mm (or mv) computes
//              everything, and the result takes its shape through UnsafeViewBackward0
//   otherwise: the batch dims broadcast, each operand is expanded and folded into a 3-D batch
//              (1-D operands get a unit dim, dropped after), bmm, then UnsafeViewBackward0.
// With a single batch dim, an expanded operand reaches bmm with batch stride 0, so a matrix shared
// by the batch is not copied; folding several batch dims of an expanded operand copies it (as
// libtorch's reshape does).
Tensor matmul(const Tensor& a, const Tensor& b) {
  check_defined("matmul", a, b);
  const int64_t da = a.dim(), db = b.dim();
  TG_CHECK(da > 0 && db > 0, "matmul: both arguments need to be at least 1-D, but got shapes ",
           shape_str(a.sizes()), " and ", shape_str(b.sizes()), " (", da, "-D and ", db,
           "-D); use mul (or *) to multiply by a 0-d tensor");
  check_dtypes("matmul", a, b);
  const int64_t k = a.size(-1);
  const int64_t kb = db == 1 ? b.size(0) : b.size(-2);
  check_inner("matmul", a, b, k, kb,
              "the last dimension of the first operand must equal the second-to-last dimension "
              "of the second (its only one when it is 1-D)");

  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return a.unsqueeze(0).mm(b).squeeze(0);
  if (da == 2 && db == 2) return mm(a, b);

  if (da >= 3 && db <= 2) {
    DimVector out_shape(a.sizes().slice(0, static_cast<size_t>(da - 1)));
    const Tensor folded = a.reshape({product(out_shape), k});
    Tensor flat;
    if (db == 2) {
      out_shape.push_back(b.size(1));
      flat = folded.mm(b);
    } else {
      flat = folded.mv(b);
    }
    return unsafe_view(flat, out_shape);
  }

  const int64_t n = da > 1 ? a.size(-2) : 1;
  const int64_t p = db > 1 ? b.size(-1) : 1;
  const IntArrayRef batch_a = a.sizes().slice(0, static_cast<size_t>(std::max<int64_t>(da - 2, 0)));
  const IntArrayRef batch_b = b.sizes().slice(0, static_cast<size_t>(std::max<int64_t>(db - 2, 0)));
  const size_t nd = std::max(batch_a.size(), batch_b.size());
  DimVector batch(nd, 1);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t sa = i < nd - batch_a.size() ? 1 : batch_a[i - (nd - batch_a.size())];
    const int64_t sb = i < nd - batch_b.size() ? 1 : batch_b[i - (nd - batch_b.size())];
    TG_CHECK(sa == sb || sa == 1 || sb == 1, "matmul: the batch dimensions ", shape_str(batch_a),
             " of ", shape_str(a.sizes()), " and ", shape_str(batch_b), " of ",
             shape_str(b.sizes()), " cannot be broadcast (", sa, " != ", sb, " at batch dim ", i,
             "); each pair of batch sizes must be equal or one of them 1");
    batch[i] = sa == 1 ? sb : sa;
  }
  const Tensor a3 = as_bmm_operand(da == 1 ? a.unsqueeze(0) : a, batch, n, k);
  const Tensor b3 = as_bmm_operand(db == 1 ? b.unsqueeze(-1) : b, batch, k, p);
  DimVector out_shape(batch);
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(p);
  return unsafe_view(a3.bmm(b3), out_shape);
}

Tensor Tensor::matmul(const Tensor& other) const { return tg::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& mat2) const { return tg::mm(*this, mat2); }
Tensor Tensor::bmm(const Tensor& mat2) const { return tg::bmm(*this, mat2); }
Tensor Tensor::mv(const Tensor& vec) const { return tg::mv(*this, vec); }
Tensor Tensor::dot(const Tensor& other) const { return tg::dot(*this, other); }
Tensor Tensor::outer(const Tensor& vec2) const { return tg::outer(*this, vec2); }
Tensor Tensor::cross(const Tensor& other, std::optional<int64_t> dim) const {
  return tg::cross(*this, other, dim);
}
Tensor Tensor::addmm(const Tensor& mat1, const Tensor& mat2, const Scalar& beta,
                     const Scalar& alpha) const {
  return tg::addmm(*this, mat1, mat2, beta, alpha);
}

}  // namespace tg
