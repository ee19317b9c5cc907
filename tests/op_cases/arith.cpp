// Op cases for arithmetic (add, sub, mul, div, neg, rsub, rdiv, add_, mul_), sum, and the shape
// and copy ops (view, reshape, expand, squeeze, unsqueeze, transpose, permute, t, contiguous,
// clone, to). References read the inputs through their sizes and strides with plain loops.
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "op_case.h"

namespace tg::testing {
namespace {

using Shape = std::vector<int64_t>;

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

/// Deterministic values in [lo, hi), different for each seed.
std::vector<double> draw(int64_t n, uint64_t seed, double lo, double hi) {
  std::mt19937_64 gen(seed);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = lo + (hi - lo) * (static_cast<double>(gen() >> 11) * 0x1.0p-53);
  return v;
}

/// A contiguous kDouble tensor holding `values` (no autograd).
Tensor make(const Shape& shape, const std::vector<double>& values) {
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (size_t k = 0; k < values.size(); ++k) p[k] = values[k];
  return t;
}

/// A contiguous leaf that requires grad, values in [lo, hi).
Tensor leaf(const Shape& shape, uint64_t seed, double lo = -2.0, double hi = 2.0) {
  return make(shape, draw(numel_of(shape), seed, lo, hi)).requires_grad_(true);
}

/// A leaf of `shape` whose values are far from zero (denominators): |x| in [0.5, 2].
Tensor away_from_zero(const Shape& shape, uint64_t seed) {
  std::vector<double> v = draw(numel_of(shape), seed, 0.5, 2.0);
  for (size_t k = 0; k < v.size(); k += 2) v[k] = -v[k];
  return make(shape, v).requires_grad_(true);
}

/// A non-contiguous 2-D leaf that requires grad: the transpose of a contiguous [cols, rows].
Tensor transposed_leaf(int64_t rows, int64_t cols, uint64_t seed, double lo = -2.0,
                       double hi = 2.0) {
  Tensor base = make({cols, rows}, draw(rows * cols, seed, lo, hi));
  return base.t().requires_grad_(true);
}

Shape shape_of(const Tensor& t) { return t.sizes().vec(); }

/// Element of t at a multi-index, through strides.
double at(const Tensor& t, const Shape& index) {
  int64_t offset = 0;
  for (size_t d = 0; d < index.size(); ++d) offset += index[d] * t.stride(static_cast<int64_t>(d));
  return t.data_ptr<double>()[offset];
}

/// Calls f(index) for every multi-index of `shape` in row-major order.
void for_each_index(const Shape& shape, const std::function<void(const Shape&)>& f) {
  const int64_t n = numel_of(shape);
  Shape index(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    f(index);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

/// t's values in row-major order.
std::vector<double> read(const Tensor& t) {
  std::vector<double> v;
  for_each_index(shape_of(t), [&](const Shape& i) { v.push_back(at(t, i)); });
  return v;
}

/// Element of t for an index into a shape t broadcasts to (right-aligned, size-1 dims repeat).
double at_broadcast(const Tensor& t, const Shape& out_index) {
  const size_t shift = out_index.size() - static_cast<size_t>(t.dim());
  Shape index(static_cast<size_t>(t.dim()));
  for (size_t d = 0; d < index.size(); ++d)
    index[d] = t.size(static_cast<int64_t>(d)) == 1 ? 0 : out_index[d + shift];
  return at(t, index);
}

Shape broadcast(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t d = 0; d < out.size(); ++d) {
    int64_t x = d < out.size() - a.size() ? 1 : a[d - (out.size() - a.size())];
    int64_t y = d < out.size() - b.size() ? 1 : b[d - (out.size() - b.size())];
    out[d] = x == 1 ? y : x;
  }
  return out;
}

Tensor ref_unary(const Tensor& a, const std::function<double(double)>& f) {
  std::vector<double> v = read(a);
  for (double& x : v) x = f(x);
  return make(shape_of(a), v);
}

Tensor ref_binary(const Tensor& a, const Tensor& b,
                  const std::function<double(double, double)>& f) {
  const Shape shape = broadcast(shape_of(a), shape_of(b));
  std::vector<double> v;
  for_each_index(shape,
                 [&](const Shape& i) { v.push_back(f(at_broadcast(a, i), at_broadcast(b, i))); });
  return make(shape, v);
}

/// Sum over `dims` (non-negative), keeping them as size 1 when keepdim.
Tensor ref_sum(const Tensor& a, const Shape& dims, bool keepdim) {
  const Shape in = shape_of(a);
  std::vector<bool> reduced(in.size(), false);
  for (int64_t d : dims) reduced[static_cast<size_t>(d)] = true;
  Shape kept;  // output shape with reduced dims as 1
  for (size_t d = 0; d < in.size(); ++d) kept.push_back(reduced[d] ? 1 : in[d]);
  std::vector<double> acc(static_cast<size_t>(numel_of(kept)), 0.0);
  for_each_index(in, [&](const Shape& i) {
    int64_t flat = 0;
    for (size_t d = 0; d < in.size(); ++d) flat = flat * kept[d] + (reduced[d] ? 0 : i[d]);
    acc[static_cast<size_t>(flat)] += at(a, i);
  });
  Shape out;
  for (size_t d = 0; d < in.size(); ++d)
    if (!reduced[d] || keepdim) out.push_back(kept[d]);
  return make(out, acc);
}

/// Output dimension d is input dimension perm[d].
Tensor ref_permute(const Tensor& a, const Shape& perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(a.size(p));
  std::vector<double> v;
  for_each_index(out, [&](const Shape& o) {
    Shape i(perm.size());
    for (size_t d = 0; d < perm.size(); ++d) i[static_cast<size_t>(perm[d])] = o[d];
    v.push_back(at(a, i));
  });
  return make(out, v);
}

/// Same values in row-major order, new shape (view, reshape, squeeze, unsqueeze).
Tensor ref_reshape(const Tensor& a, const Shape& shape) { return make(shape, read(a)); }

Tensor ref_expand(const Tensor& a, const Shape& shape) {
  std::vector<double> v;
  for_each_index(shape, [&](const Shape& i) { v.push_back(at_broadcast(a, i)); });
  return make(shape, v);
}

// ---- add ----
TG_OP_CASE({
    .op = "add",
    .variant = "same_shape",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 1), leaf({2, 3}, 2)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] + v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a + b; })};
        },
});
TG_OP_CASE({
    .op = "add",
    .variant = "broadcast_rhs",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 3), leaf({3}, 4)};
        },
    .fn = [](const variable_list& v) { return variable_list{add(v[0], v[1])}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a + b; })};
        },
});
TG_OP_CASE({
    .op = "add",
    .variant = "broadcast_both",
    .inputs =
        [] {
          return variable_list{leaf({4, 1, 3}, 5), leaf({2, 1}, 6)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].add(v[1])}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a + b; })};
        },
});
TG_OP_CASE({
    .op = "add",
    .variant = "alpha",
    .inputs =
        [] {
          return variable_list{leaf({3, 2}, 7), leaf({3, 2}, 8)};
        },
    .fn = [](const variable_list& v) { return variable_list{add(v[0], v[1], 2.5)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_binary(v[0], v[1], [](double a, double b) { return a + 2.5 * b; })};
        },
});
TG_OP_CASE({
    .op = "add",
    .variant = "scalar_both_sides",
    .inputs =
        [] {
          return variable_list{leaf({2, 2}, 9)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0] + 1.5, -0.5 + v[0]};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return a + 1.5; }),
                               ref_unary(v[0], [](double a) { return a - 0.5; })};
        },
});
TG_OP_CASE({
    .op = "add",
    .variant = "noncontiguous",
    .inputs =
        [] {
          return variable_list{transposed_leaf(2, 3, 10), leaf({2, 3}, 11)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] + v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a + b; })};
        },
});
TG_OP_CASE({
    .op = "add",
    .variant = "zero_dim_and_matrix",
    .inputs =
        [] {
          return variable_list{leaf({}, 12), leaf({2, 2}, 13)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] + v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a + b; })};
        },
});

// ---- sub ----
TG_OP_CASE({
    .op = "sub",
    .variant = "same_shape",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 20), leaf({2, 3}, 21)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] - v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a - b; })};
        },
});
TG_OP_CASE({
    .op = "sub",
    .variant = "broadcast_both",
    .inputs =
        [] {
          return variable_list{leaf({3, 1}, 22), leaf({1, 4}, 23)};
        },
    .fn = [](const variable_list& v) { return variable_list{sub(v[0], v[1])}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a - b; })};
        },
});
TG_OP_CASE({
    .op = "sub",
    .variant = "alpha",
    .inputs =
        [] {
          return variable_list{leaf({4}, 24), leaf({2, 4}, 25)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].sub(v[1], 0.5)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_binary(v[0], v[1], [](double a, double b) { return a - 0.5 * b; })};
        },
});
TG_OP_CASE({
    .op = "sub",
    .variant = "scalar",
    .inputs = [] { return variable_list{leaf({3}, 26)}; },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0] - 1.5, sub(v[0], 2.0, 3)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return a - 1.5; }),
                               ref_unary(v[0], [](double a) { return a - 6.0; })};
        },
});

// ---- mul ----
TG_OP_CASE({
    .op = "mul",
    .variant = "same_shape",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 30), leaf({2, 3}, 31)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] * v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a * b; })};
        },
});
TG_OP_CASE({
    .op = "mul",
    .variant = "broadcast_both",
    .inputs =
        [] {
          return variable_list{leaf({2, 1, 3}, 32), leaf({4, 1}, 33)};
        },
    .fn = [](const variable_list& v) { return variable_list{mul(v[0], v[1])}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a * b; })};
        },
});
TG_OP_CASE({
    .op = "mul",
    .variant = "scalar_both_sides",
    .inputs =
        [] {
          return variable_list{leaf({2, 2}, 34)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0] * 2.5, -3.0 * v[0]};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return a * 2.5; }),
                               ref_unary(v[0], [](double a) { return -3.0 * a; })};
        },
});
TG_OP_CASE({
    .op = "mul",
    .variant = "noncontiguous",
    .inputs =
        [] {
          return variable_list{transposed_leaf(3, 2, 35), transposed_leaf(3, 2, 36)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].mul(v[1])}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a * b; })};
        },
});
TG_OP_CASE({
    .op = "mul",
    .variant = "zero_dim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 37), leaf({}, 38)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] * v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a * b; })};
        },
});
TG_OP_CASE({
    .op = "mul",
    .variant = "same_tensor_twice",
    .inputs = [] { return variable_list{leaf({3}, 39)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0] * v[0]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return a * a; })};
        },
});
TG_OP_CASE({
    .op = "mul",
    .variant = "one_input_without_grad",
    .inputs =
        [] {
          return variable_list{leaf({2, 2}, 40), leaf({2, 2}, 41).detach()};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] * v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a * b; })};
        },
});

// ---- div ----
TG_OP_CASE({
    .op = "div",
    .variant = "same_shape",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 50), away_from_zero({2, 3}, 51)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] / v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a / b; })};
        },
});
TG_OP_CASE({
    .op = "div",
    .variant = "broadcast_both",
    .inputs =
        [] {
          return variable_list{leaf({3, 1}, 52), away_from_zero({2, 1, 4}, 53)};
        },
    .fn = [](const variable_list& v) { return variable_list{div(v[0], v[1])}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a / b; })};
        },
});
TG_OP_CASE({
    .op = "div",
    .variant = "scalar",
    .inputs =
        [] {
          return variable_list{leaf({2, 2}, 54)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0] / 4.0, v[0].div(-0.5)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return a / 4.0; }),
                               ref_unary(v[0], [](double a) { return a / -0.5; })};
        },
});
TG_OP_CASE({
    .op = "div",
    .variant = "noncontiguous_denominator",
    .inputs =
        [] {
          Tensor base = make({3, 2}, {0.5, -1.5, 2.0, 0.75, -0.6, 1.25});
          return variable_list{leaf({2, 3}, 55), base.t().requires_grad_(true)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0] / v[1]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a / b; })};
        },
});

// ---- neg ----
TG_OP_CASE({
    .op = "neg",
    .variant = "operator_method_function",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 60)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{-v[0], v[0].neg(), neg(v[0])};
        },
    .reference =
        [](const variable_list& v) {
          Tensor r = ref_unary(v[0], [](double a) { return -a; });
          return variable_list{r, r, r};
        },
});

// ---- rsub, rdiv: a Scalar on the left ----
TG_OP_CASE({
    .op = "rsub",
    .variant = "scalar_minus_tensor",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 70)};
        },
    .fn = [](const variable_list& v) { return variable_list{2.0 - v[0]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return 2.0 - a; })};
        },
});
TG_OP_CASE({
    .op = "rsub",
    .variant = "function_alpha",
    .inputs = [] { return variable_list{leaf({4}, 71)}; },
    .fn = [](const variable_list& v) { return variable_list{rsub(v[0], 2.0, 3)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return 2.0 - 3.0 * a; })};
        },
});
TG_OP_CASE({
    .op = "rdiv",
    .variant = "scalar_over_tensor",
    .inputs =
        [] {
          return variable_list{away_from_zero({2, 3}, 72)};
        },
    .fn = [](const variable_list& v) { return variable_list{2.0 / v[0]}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return 2.0 / a; })};
        },
});
TG_OP_CASE({
    .op = "rdiv",
    .variant = "function",
    .inputs = [] { return variable_list{away_from_zero({5}, 73)}; },
    .fn = [](const variable_list& v) { return variable_list{rdiv(v[0], -3.0)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return -3.0 / a; })};
        },
});

// ---- in-place on a non-leaf: the graph is rebased onto the in-place op ----
TG_OP_CASE({
    .op = "add_",
    .variant = "non_leaf",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 80), leaf({2, 3}, 81)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] * 2.0;
          y.add_(v[1]);
          return variable_list{y};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_binary(v[0], v[1], [](double a, double b) { return 2 * a + b; })};
        },
});
TG_OP_CASE({
    .op = "add_",
    .variant = "broadcast_alpha",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 82), leaf({3}, 83)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] * 1.0;
          y.add_(v[1], -2);
          return variable_list{y};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_binary(v[0], v[1], [](double a, double b) { return a - 2 * b; })};
        },
});
TG_OP_CASE({
    .op = "add_",
    .variant = "scalar_then_used",
    .inputs = [] { return variable_list{leaf({4}, 84)}; },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] * v[0];
          y += 1.5;
          return variable_list{y * v[0]};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return (a * a + 1.5) * a; })};
        },
});
TG_OP_CASE({
    .op = "mul_",
    .variant = "non_leaf",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 90), leaf({2, 3}, 91)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] * 1.0;
          y.mul_(v[1]);
          return variable_list{y};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_binary(v[0], v[1], [](double a, double b) { return a * b; })};
        },
});
TG_OP_CASE({
    .op = "mul_",
    .variant = "broadcast_twice",
    .inputs =
        [] {
          return variable_list{leaf({3, 2}, 92), leaf({2}, 93)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] + 0.0;
          y *= v[1];
          y.mul_(v[1]);
          return variable_list{y};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_binary(v[0], v[1], [](double a, double b) { return a * b * b; })};
        },
});
TG_OP_CASE({
    .op = "mul_",
    .variant = "scalar",
    .inputs =
        [] {
          return variable_list{leaf({2, 2}, 94)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] * v[0];
          y.mul_(-3.0);
          return variable_list{y};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_unary(v[0], [](double a) { return -3.0 * a * a; })};
        },
});

// ---- sum ----
TG_OP_CASE({
    .op = "sum",
    .variant = "all",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 2}, 100)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].sum()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_sum(v[0], {0, 1, 2}, false)};
        },
});
TG_OP_CASE({
    .op = "sum",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 101)};
        },
    .fn = [](const variable_list& v) { return variable_list{sum(v[0], {1})}; },
    .reference = [](const variable_list& v) { return variable_list{ref_sum(v[0], {1}, false)}; },
});
TG_OP_CASE({
    .op = "sum",
    .variant = "dims02_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 102)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].sum({0, 2}, true)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_sum(v[0], {0, 2}, true)};
        },
});
TG_OP_CASE({
    .op = "sum",
    .variant = "negative_dim_noncontiguous",
    .inputs = [] { return variable_list{transposed_leaf(3, 4, 103)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].sum({-1})}; },
    .reference = [](const variable_list& v) { return variable_list{ref_sum(v[0], {1}, false)}; },
});
TG_OP_CASE({
    .op = "sum",
    .variant = "zero_dim",
    .inputs = [] { return variable_list{leaf({}, 104)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].sum()}; },
    .reference = [](const variable_list& v) { return variable_list{ref_sum(v[0], {}, false)}; },
});
TG_OP_CASE({
    .op = "sum",
    .variant = "empty_input",
    .inputs =
        [] {
          return variable_list{leaf({0, 3}, 105)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].sum(), v[0].sum({0})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_sum(v[0], {0, 1}, false), ref_sum(v[0], {0}, false)};
        },
});

// ---- view, reshape ----
TG_OP_CASE({
    .op = "view",
    .variant = "regroup",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 2}, 110)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].view({3, 4})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {3, 4})};
        },
});
TG_OP_CASE({
    .op = "view",
    .variant = "inferred_dim",
    .inputs =
        [] {
          return variable_list{leaf({4, 3}, 111)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{view(v[0], {2, -1})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {2, 6})};
        },
});
TG_OP_CASE({
    .op = "reshape",
    .variant = "contiguous",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 2}, 112)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].reshape({6, 2})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {6, 2})};
        },
});
TG_OP_CASE({
    .op = "reshape",
    .variant = "noncontiguous_copies",
    .inputs = [] { return variable_list{transposed_leaf(3, 4, 113)}; },
    .fn = [](const variable_list& v) { return variable_list{reshape(v[0], {-1})}; },
    .reference = [](const variable_list& v) { return variable_list{ref_reshape(v[0], {12})}; },
});

// ---- expand ----
TG_OP_CASE({
    .op = "expand",
    .variant = "new_leading_dims",
    .inputs =
        [] {
          return variable_list{leaf({3, 1}, 120)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].expand({2, 3, 4})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_expand(v[0], {2, 3, 4})};
        },
});
TG_OP_CASE({
    .op = "expand",
    .variant = "minus_one_keeps_size",
    .inputs =
        [] {
          return variable_list{leaf({1, 3}, 121)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{expand(v[0], {4, -1})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_expand(v[0], {4, 3})};
        },
});
TG_OP_CASE({
    .op = "expand",
    .variant = "zero_dim",
    .inputs = [] { return variable_list{leaf({}, 122)}; },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].expand({2, 2})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_expand(v[0], {2, 2})};
        },
});

// ---- squeeze, unsqueeze ----
TG_OP_CASE({
    .op = "squeeze",
    .variant = "all",
    .inputs =
        [] {
          return variable_list{leaf({2, 1, 3, 1}, 130)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].squeeze()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {2, 3})};
        },
});
TG_OP_CASE({
    .op = "squeeze",
    .variant = "dim_and_negative_dim",
    .inputs =
        [] {
          return variable_list{leaf({2, 1, 3, 1}, 131)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{squeeze(v[0], 1), v[0].squeeze(-1), v[0].squeeze(0)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {2, 3, 1}), ref_reshape(v[0], {2, 1, 3}),
                               ref_reshape(v[0], {2, 1, 3, 1})};
        },
});
TG_OP_CASE({
    .op = "unsqueeze",
    .variant = "front_middle_back",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 132)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].unsqueeze(0), unsqueeze(v[0], 1), v[0].unsqueeze(-1)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {1, 2, 3}), ref_reshape(v[0], {2, 1, 3}),
                               ref_reshape(v[0], {2, 3, 1})};
        },
});
TG_OP_CASE({
    .op = "unsqueeze",
    .variant = "zero_dim",
    .inputs = [] { return variable_list{leaf({}, 133)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].unsqueeze(0)}; },
    .reference = [](const variable_list& v) { return variable_list{ref_reshape(v[0], {1})}; },
});

// ---- transpose, permute, t ----
TG_OP_CASE({
    .op = "transpose",
    .variant = "dims02",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 140)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].transpose(0, 2)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_permute(v[0], {2, 1, 0})};
        },
});
TG_OP_CASE({
    .op = "transpose",
    .variant = "negative_dims",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 141)};
        },
    .fn = [](const variable_list& v) { return variable_list{transpose(v[0], -1, -2)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_permute(v[0], {0, 2, 1})};
        },
});
TG_OP_CASE({
    .op = "permute",
    .variant = "rotate",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 142)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].permute({2, 0, 1})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_permute(v[0], {2, 0, 1})};
        },
});
TG_OP_CASE({
    .op = "permute",
    .variant = "negative_dims",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 143)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{permute(v[0], {-2, -1, 0})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_permute(v[0], {1, 2, 0})};
        },
});
TG_OP_CASE({
    .op = "t",
    .variant = "matrix",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 144)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].t()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_permute(v[0], {1, 0})};
        },
});
TG_OP_CASE({
    .op = "t",
    .variant = "vector_unchanged",
    .inputs = [] { return variable_list{leaf({3}, 145)}; },
    .fn = [](const variable_list& v) { return variable_list{t(v[0])}; },
    .reference = [](const variable_list& v) { return variable_list{ref_reshape(v[0], {3})}; },
});

// ---- contiguous, clone, to ----
TG_OP_CASE({
    .op = "contiguous",
    .variant = "of_transpose",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 150)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].t().contiguous()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_permute(v[0], {1, 0})};
        },
});
TG_OP_CASE({
    .op = "contiguous",
    .variant = "noncontiguous_leaf",
    .inputs = [] { return variable_list{transposed_leaf(2, 3, 151)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].contiguous()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {2, 3})};
        },
});
TG_OP_CASE({
    .op = "clone",
    .variant = "method_and_function",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 152)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].clone(), clone(v[0])};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {2, 3}), ref_reshape(v[0], {2, 3})};
        },
});
TG_OP_CASE({
    .op = "clone",
    .variant = "noncontiguous",
    .inputs = [] { return variable_list{transposed_leaf(3, 2, 153)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].clone()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {3, 2})};
        },
});
TG_OP_CASE({
    .op = "to",
    .variant = "same_dtype",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 154)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].to(kDouble), v[0].to(TensorOptions().dtype(kDouble))};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {2, 3}), ref_reshape(v[0], {2, 3})};
        },
});
TG_OP_CASE({
    .op = "to",
    .variant = "forced_copy",
    .inputs = [] { return variable_list{transposed_leaf(2, 3, 155)}; },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].to(kDouble, /*non_blocking=*/false, /*copy=*/true)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reshape(v[0], {2, 3})};
        },
});

}  // namespace
}  // namespace tg::testing
