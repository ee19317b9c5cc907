// Op cases for the reductions (mean, prod, max, min, amax, amin, norm, var, std, logsumexp,
// softmax, log_softmax, cumsum): full reductions, one dim, keepdim, negative dims, several dims
// and non-contiguous inputs. References gather each reduced slice with plain loops and fold it
// with a plain function.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "op_case.h"

namespace tg::testing {
namespace {

using Shape = std::vector<int64_t>;
using Values = std::vector<double>;

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

/// Deterministic values in [lo, hi), different for each seed.
Values draw(int64_t n, uint64_t seed, double lo, double hi) {
  std::mt19937_64 gen(seed);
  Values v(static_cast<size_t>(n));
  for (double& x : v) x = lo + (hi - lo) * (static_cast<double>(gen() >> 11) * 0x1.0p-53);
  return v;
}

/// A contiguous kDouble tensor holding `values` (no autograd).
Tensor make(const Shape& shape, const Values& values) {
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (size_t k = 0; k < values.size(); ++k) p[k] = values[k];
  return t;
}

/// A contiguous leaf that requires grad, values in [lo, hi).
Tensor leaf(const Shape& shape, uint64_t seed, double lo = -2.0, double hi = 2.0) {
  return make(shape, draw(numel_of(shape), seed, lo, hi)).requires_grad_(true);
}

/// A leaf with the given values.
Tensor leaf_of(const Shape& shape, const Values& values) {
  return make(shape, values).requires_grad_(true);
}

/// A non-contiguous 2-D leaf: the transpose of a contiguous [cols, rows].
Tensor transposed_leaf(int64_t rows, int64_t cols, uint64_t seed) {
  return make({cols, rows}, draw(rows * cols, seed, -2.0, 2.0)).t().requires_grad_(true);
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

/// Folds each slice of `a` over `dims` (all dims when empty; negative dims count from the end)
/// with f, in row-major order of the slice.
Tensor ref_reduce(const Tensor& a, Shape dims, bool keepdim,
                  const std::function<double(const Values&)>& f) {
  const Shape in = shape_of(a);
  const int64_t nd = static_cast<int64_t>(in.size());
  std::vector<bool> reduced(in.size(), dims.empty());
  for (int64_t d : dims) reduced[static_cast<size_t>(d < 0 ? d + nd : d)] = true;
  Shape kept;
  for (size_t d = 0; d < in.size(); ++d) kept.push_back(reduced[d] ? 1 : in[d]);
  std::vector<Values> slices(static_cast<size_t>(numel_of(kept)));
  for_each_index(in, [&](const Shape& i) {
    int64_t flat = 0;
    for (size_t d = 0; d < in.size(); ++d) flat = flat * kept[d] + (reduced[d] ? 0 : i[d]);
    slices[static_cast<size_t>(flat)].push_back(at(a, i));
  });
  Values out;
  for (const Values& s : slices) out.push_back(f(s));
  Shape shape;
  for (size_t d = 0; d < in.size(); ++d)
    if (!reduced[d] || keepdim) shape.push_back(kept[d]);
  return make(shape, out);
}

/// Maps each line of `a` along `dim` through f (softmax, cumsum).
Tensor ref_along(const Tensor& a, int64_t dim, const std::function<Values(const Values&)>& f) {
  const Shape in = shape_of(a);
  if (dim < 0) dim += static_cast<int64_t>(in.size());
  const size_t d = static_cast<size_t>(dim);
  Values out(static_cast<size_t>(numel_of(in)));
  auto flat_of = [&](const Shape& i) {
    int64_t flat = 0;
    for (size_t k = 0; k < in.size(); ++k) flat = flat * in[k] + i[k];
    return flat;
  };
  for_each_index(in, [&](const Shape& i) {
    if (i[d] != 0) return;
    Shape j = i;
    Values line;
    for (j[d] = 0; j[d] < in[d]; ++j[d]) line.push_back(at(a, j));
    const Values mapped = f(line);
    for (j[d] = 0; j[d] < in[d]; ++j[d])
      out[static_cast<size_t>(flat_of(j))] = mapped[static_cast<size_t>(j[d])];
  });
  return make(in, out);
}

double ref_sum(const Values& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}
double ref_mean(const Values& v) { return ref_sum(v) / static_cast<double>(v.size()); }
double ref_prod(const Values& v) {
  double p = 1;
  for (double x : v) p *= x;
  return p;
}
double ref_max(const Values& v) { return *std::max_element(v.begin(), v.end()); }
double ref_min(const Values& v) { return *std::min_element(v.begin(), v.end()); }
double ref_var(const Values& v, bool unbiased) {
  const double m = ref_mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - (unbiased ? 1 : 0));
}
std::function<double(const Values&)> ref_norm(double p) {
  return [p](const Values& v) {
    if (std::isinf(p)) {
      double m = p > 0 ? 0.0 : std::numeric_limits<double>::infinity();
      for (double x : v) m = p > 0 ? std::max(m, std::abs(x)) : std::min(m, std::abs(x));
      return m;
    }
    double s = 0;
    for (double x : v) s += std::pow(std::abs(x), p);
    return std::pow(s, 1.0 / p);
  };
}
double ref_logsumexp(const Values& v) {
  double s = 0;
  for (double x : v) s += std::exp(x);
  return std::log(s);
}
Values ref_softmax(const Values& v) {
  Values out;
  double s = 0;
  for (double x : v) s += std::exp(x);
  for (double x : v) out.push_back(std::exp(x) / s);
  return out;
}
Values ref_log_softmax(const Values& v) {
  Values out = ref_softmax(v);
  for (double& x : out) x = std::log(x);
  return out;
}
Values ref_cumsum(const Values& v) {
  Values out;
  double s = 0;
  for (double x : v) out.push_back(s += x);
  return out;
}

// ---- mean ----
TG_OP_CASE({
    .op = "mean",
    .variant = "full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 101)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].mean()}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {}, false, ref_mean)}; },
});
TG_OP_CASE({
    .op = "mean",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 102)};
        },
    .fn = [](const variable_list& v) { return variable_list{mean(v[0], {1})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {1}, false, ref_mean)};
        },
});
TG_OP_CASE({
    .op = "mean",
    .variant = "neg_dim_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 103)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].mean({-2}, true)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {-2}, true, ref_mean)};
        },
});
TG_OP_CASE({
    .op = "mean",
    .variant = "dims_0_2",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 104)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{mean(v[0], {0, 2})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {0, 2}, false, ref_mean)};
        },
});
TG_OP_CASE({
    .op = "mean",
    .variant = "transposed_dim0",
    .inputs = [] { return variable_list{transposed_leaf(3, 5, 105)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].mean({0})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {0}, false, ref_mean)};
        },
});

// ---- prod ----
TG_OP_CASE({
    .op = "prod",
    .variant = "full",
    .inputs =
        [] {
          return variable_list{leaf({2, 3}, 111)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].prod()}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {}, false, ref_prod)}; },
});
TG_OP_CASE({
    .op = "prod",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 112)};
        },
    .fn = [](const variable_list& v) { return variable_list{prod(v[0], 1)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {1}, false, ref_prod)};
        },
});
TG_OP_CASE({
    .op = "prod",
    .variant = "neg_dim_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 2}, 113)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].prod(-2, true)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {-2}, true, ref_prod)};
        },
});
TG_OP_CASE({
    .op = "prod",
    .variant = "one_zero",
    .inputs =
        [] {
          return variable_list{leaf_of({5}, {1.5, -0.7, 0.0, 1.2, -1.1})};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].prod()}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {}, false, ref_prod)}; },
});
TG_OP_CASE({
    .op = "prod",
    .variant = "zeros_in_some_rows",
    .inputs =
        [] {
          // row 0: one zero; row 1: two zeros; row 2: none; row 3: three zeros.
          return variable_list{
              leaf_of({4, 3}, {0.8, 0.0, -1.3, 0.0, 1.4, 0.0, 0.9, -1.2, 1.1, 0.0, 0.0, 0.0})};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].prod(1)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {1}, false, ref_prod)};
        },
});
TG_OP_CASE({
    .op = "prod",
    .variant = "two_zeros",
    .inputs =
        [] {
          return variable_list{leaf_of({2, 2}, {0.0, 1.3, -0.6, 0.0})};
        },
    .fn = [](const variable_list& v) { return variable_list{prod(v[0])}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {}, false, ref_prod)}; },
});
TG_OP_CASE({
    .op = "prod",
    .variant = "transposed_dim1",
    .inputs = [] { return variable_list{transposed_leaf(3, 4, 114)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].prod(1)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {1}, false, ref_prod)};
        },
});

// ---- max, min ----
TG_OP_CASE({
    .op = "max",
    .variant = "full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 121)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].max()}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {}, false, ref_max)}; },
});
TG_OP_CASE({
    .op = "max",
    .variant = "dim1_values",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 122)};
        },
    .fn = [](const variable_list& v) { return variable_list{std::get<0>(max(v[0], 1))}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {1}, false, ref_max)}; },
});
TG_OP_CASE({
    .op = "max",
    .variant = "neg_dim_keepdim_values",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 123)};
        },
    .fn = [](const variable_list& v) { return variable_list{std::get<0>(v[0].max(-3, true))}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {-3}, true, ref_max)}; },
});
TG_OP_CASE({
    .op = "min",
    .variant = "full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 124)};
        },
    .fn = [](const variable_list& v) { return variable_list{min(v[0])}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {}, false, ref_min)}; },
});
TG_OP_CASE({
    .op = "min",
    .variant = "dim0_values",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 125)};
        },
    .fn = [](const variable_list& v) { return variable_list{std::get<0>(v[0].min(0))}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {0}, false, ref_min)}; },
});
TG_OP_CASE({
    .op = "min",
    .variant = "neg_dim_keepdim_values_transposed",
    .inputs = [] { return variable_list{transposed_leaf(4, 3, 126)}; },
    .fn = [](const variable_list& v) { return variable_list{std::get<0>(min(v[0], -1, true))}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {-1}, true, ref_min)}; },
});

// ---- amax, amin ----
TG_OP_CASE({
    .op = "amax",
    .variant = "full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 131)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].amax()}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {}, false, ref_max)}; },
});
TG_OP_CASE({
    .op = "amax",
    .variant = "dims_0_2_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 132)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{amax(v[0], {0, 2}, true)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {0, 2}, true, ref_max)};
        },
});
TG_OP_CASE({
    .op = "amax",
    .variant = "neg_dim_transposed",
    .inputs = [] { return variable_list{transposed_leaf(3, 2, 133)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].amax({-1})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {-1}, false, ref_max)};
        },
});
TG_OP_CASE({
    .op = "amin",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 134)};
        },
    .fn = [](const variable_list& v) { return variable_list{amin(v[0], {1})}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_reduce(v[0], {1}, false, ref_min)}; },
});
TG_OP_CASE({
    .op = "amin",
    .variant = "neg_dims_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 135)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].amin({-1, -3}, true)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {-1, -3}, true, ref_min)};
        },
});

// ---- norm ----
TG_OP_CASE({
    .op = "norm",
    .variant = "p2_full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 141)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].norm()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {}, false, ref_norm(2))};
        },
});
TG_OP_CASE({
    .op = "norm",
    .variant = "p1_dim1",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 142)};
        },
    .fn = [](const variable_list& v) { return variable_list{norm(v[0], 1, {1})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {1}, false, ref_norm(1))};
        },
});
TG_OP_CASE({
    .op = "norm",
    .variant = "pinf_full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 143)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].norm(std::numeric_limits<double>::infinity())};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_reduce(v[0], {}, false, ref_norm(std::numeric_limits<double>::infinity()))};
        },
});
TG_OP_CASE({
    .op = "norm",
    .variant = "pneginf_dim0",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 144)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].norm(-std::numeric_limits<double>::infinity(), {0})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_reduce(v[0], {0}, false, ref_norm(-std::numeric_limits<double>::infinity()))};
        },
});
TG_OP_CASE({
    .op = "norm",
    .variant = "p3_neg_dim_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 145)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].norm(3, {-1}, true)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {-1}, true, ref_norm(3))};
        },
});
TG_OP_CASE({
    .op = "norm",
    .variant = "p1_5_dims_0_2",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 146)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{norm(v[0], 1.5, {0, 2})};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {0, 2}, false, ref_norm(1.5))};
        },
});
TG_OP_CASE({
    .op = "norm",
    .variant = "p0_5_default_dims",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 147)};
        },
    .fn = [](const variable_list& v) { return variable_list{norm(v[0], 0.5, {})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {}, false, ref_norm(0.5))};
        },
});
TG_OP_CASE({
    .op = "norm",
    .variant = "p2_nullopt_transposed",
    .inputs = [] { return variable_list{transposed_leaf(3, 4, 148)}; },
    .fn = [](const variable_list& v) { return variable_list{norm(v[0], std::nullopt, {1})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {1}, false, ref_norm(2))};
        },
});

// ---- var, std ----
TG_OP_CASE({
    .op = "var",
    .variant = "full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 151)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].var()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_reduce(v[0], {}, false, [](const Values& s) { return ref_var(s, true); })};
        },
});
TG_OP_CASE({
    .op = "var",
    .variant = "dim1_biased",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 152)};
        },
    .fn = [](const variable_list& v) { return variable_list{var(v[0], {1}, false)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_reduce(v[0], {1}, false, [](const Values& s) { return ref_var(s, false); })};
        },
});
TG_OP_CASE({
    .op = "var",
    .variant = "dims_neg_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 153)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].var({0, -1}, true, true)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{
              ref_reduce(v[0], {0, -1}, true, [](const Values& s) { return ref_var(s, true); })};
        },
});
TG_OP_CASE({
    .op = "std",
    .variant = "full",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 154)};
        },
    .fn = [](const variable_list& v) { return variable_list{std(v[0])}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(
              v[0], {}, false, [](const Values& s) { return std::sqrt(ref_var(s, true)); })};
        },
});
TG_OP_CASE({
    .op = "std",
    .variant = "dim0_biased_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 155)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].std({0}, false, true)}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(
              v[0], {0}, true, [](const Values& s) { return std::sqrt(ref_var(s, false)); })};
        },
});
TG_OP_CASE({
    .op = "std",
    .variant = "neg_dim_transposed",
    .inputs = [] { return variable_list{transposed_leaf(3, 5, 156)}; },
    .fn = [](const variable_list& v) { return variable_list{std(v[0], IntArrayRef{-1})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(
              v[0], {-1}, false, [](const Values& s) { return std::sqrt(ref_var(s, true)); })};
        },
});

// ---- logsumexp ----
TG_OP_CASE({
    .op = "logsumexp",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 161)};
        },
    .fn = [](const variable_list& v) { return variable_list{logsumexp(v[0], {1})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {1}, false, ref_logsumexp)};
        },
});
TG_OP_CASE({
    .op = "logsumexp",
    .variant = "dims_0_2_keepdim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 162)};
        },
    .fn =
        [](const variable_list& v) {
          return variable_list{v[0].logsumexp({0, 2}, true)};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {0, 2}, true, ref_logsumexp)};
        },
});
TG_OP_CASE({
    .op = "logsumexp",
    .variant = "neg_dim",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 163)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].logsumexp({-2})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {-2}, false, ref_logsumexp)};
        },
});
TG_OP_CASE({
    .op = "logsumexp",
    .variant = "all_dims",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 164)};
        },
    .fn = [](const variable_list& v) { return variable_list{logsumexp(v[0], {})}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{ref_reduce(v[0], {}, false, ref_logsumexp)};
        },
});

// ---- softmax, log_softmax ----
TG_OP_CASE({
    .op = "softmax",
    .variant = "last_dim",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 171)};
        },
    .fn = [](const variable_list& v) { return variable_list{softmax(v[0], -1)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], -1, ref_softmax)}; },
});
TG_OP_CASE({
    .op = "softmax",
    .variant = "dim0",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 172)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].softmax(0)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], 0, ref_softmax)}; },
});
TG_OP_CASE({
    .op = "softmax",
    .variant = "middle_dim_transposed",
    .inputs = [] { return variable_list{transposed_leaf(4, 3, 173)}; },
    .fn = [](const variable_list& v) { return variable_list{v[0].unsqueeze(0).softmax(1)}; },
    .reference =
        [](const variable_list& v) {
          // softmax along dim 0 of the [4, 3] input, then the leading 1.
          const Tensor r = ref_along(v[0], 0, ref_softmax);
          const double* p = r.data_ptr<double>();
          return variable_list{make({1, 4, 3}, Values(p, p + r.numel()))};
        },
});
TG_OP_CASE({
    .op = "softmax",
    .variant = "3d_dim1",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 174)};
        },
    .fn = [](const variable_list& v) { return variable_list{softmax(v[0], 1)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], 1, ref_softmax)}; },
});
TG_OP_CASE({
    .op = "log_softmax",
    .variant = "last_dim",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 175)};
        },
    .fn = [](const variable_list& v) { return variable_list{log_softmax(v[0], -1)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], -1, ref_log_softmax)}; },
});
TG_OP_CASE({
    .op = "log_softmax",
    .variant = "dim0",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 176)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].log_softmax(0)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], 0, ref_log_softmax)}; },
});
TG_OP_CASE({
    .op = "log_softmax",
    .variant = "3d_neg_dim2",
    .inputs =
        [] {
          return variable_list{leaf({2, 3, 4}, 177)};
        },
    .fn = [](const variable_list& v) { return variable_list{log_softmax(v[0], -2)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], -2, ref_log_softmax)}; },
});

// ---- cumsum ----
TG_OP_CASE({
    .op = "cumsum",
    .variant = "1d",
    .inputs = [] { return variable_list{leaf({5}, 181)}; },
    .fn = [](const variable_list& v) { return variable_list{cumsum(v[0], 0)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], 0, ref_cumsum)}; },
});
TG_OP_CASE({
    .op = "cumsum",
    .variant = "dim0",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 182)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].cumsum(0)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], 0, ref_cumsum)}; },
});
TG_OP_CASE({
    .op = "cumsum",
    .variant = "neg_dim",
    .inputs =
        [] {
          return variable_list{leaf({3, 4}, 183)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].cumsum(-1)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], -1, ref_cumsum)}; },
});
TG_OP_CASE({
    .op = "cumsum",
    .variant = "3d_dim1_transposed",
    .inputs = [] { return variable_list{transposed_leaf(4, 3, 184)}; },
    .fn = [](const variable_list& v) { return variable_list{cumsum(v[0], 1)}; },
    .reference =
        [](const variable_list& v) { return variable_list{ref_along(v[0], 1, ref_cumsum)}; },
});

}  // namespace
}  // namespace tg::testing
