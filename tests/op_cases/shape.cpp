// Op cases for slicing, indexing, splitting and joining: flatten, slice, narrow, select,
// index_select, gather, scatter_add, masked_fill, chunk, split, unbind, repeat, cat, stack,
// alias, and in-place ops on views.
// Several cases feed the op a transposed (non-contiguous) view. References read the inputs'
// contiguous kDouble data element by element and build the expected values with plain loops.
#include <cmath>
#include <functional>
#include <vector>

#include "op_case.h"

namespace tg::testing {
namespace {

using Index = std::vector<int64_t>;

// A fresh contiguous kDouble leaf with distinct, smooth values (not via tensorgrad's ops).
Tensor input(const Index& shape, double seed) {
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = std::sin(seed + 0.7 * static_cast<double>(i));
  t.requires_grad_(true);
  return t;
}

// A Long tensor of the given shape and row-major values.
Tensor long_tensor(const Index& shape, const Index& values) {
  Tensor t = empty(shape, kLong);
  int64_t* p = t.data_ptr<int64_t>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}

// A Bool tensor of the given shape and row-major values.
Tensor bool_tensor(const Index& shape, const std::vector<int>& values) {
  Tensor t = empty(shape, kBool);
  bool* p = t.data_ptr<bool>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i] != 0;
  return t;
}

// Element `idx` of a contiguous kDouble tensor.
double at(const Tensor& t, const Index& idx) {
  int64_t offset = 0;
  for (size_t d = 0; d < idx.size(); ++d)
    offset = offset * t.size(static_cast<int64_t>(d)) + idx[d];
  return t.data_ptr<double>()[offset];
}

// A kDouble tensor of `shape` whose element at each multi-index is f(index).
Tensor build(const Index& shape, const std::function<double(const Index&)>& f) {
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  Index idx(shape.size(), 0);
  for (int64_t k = 0; k < t.numel(); ++k) {
    p[k] = f(idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return t;
}

// ---- flatten ----
TG_OP_CASE({
    .op = "flatten",
    .variant = "middle_dims",
    .inputs =
        [] {
          return variable_list{input({2, 3, 4}, 0.1)};
        },
    .fn = [](const variable_list& x) { return variable_list{x[0].flatten(1, 2)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({2, 12}, [&](const Index& i) {
            return at(x[0], {i[0], i[1] / 4, i[1] % 4});
          })};
        },
});

TG_OP_CASE({
    .op = "flatten",
    .variant = "transposed_all_dims",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.2)};
        },
    .fn = [](const variable_list& x) { return variable_list{flatten(x[0].t())}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({12}, [&](const Index& i) {
            return at(x[0], {i[0] % 3, i[0] / 3});
          })};
        },
});

TG_OP_CASE({
    .op = "flatten",
    .variant = "zero_dim",
    .inputs = [] { return variable_list{input({}, 0.3)}; },
    .fn = [](const variable_list& x) { return variable_list{x[0].flatten()}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({1}, [&](const Index&) { return at(x[0], {}); })};
        },
});

// ---- slice / narrow / select ----
TG_OP_CASE({
    .op = "slice",
    .variant = "step2_transposed",
    .inputs =
        [] {
          return variable_list{input({5, 4}, 0.4)};
        },
    .fn = [](const variable_list& x) { return variable_list{x[0].t().slice(1, 1, 5, 2)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({4, 2}, [&](const Index& i) {
            return at(x[0], {1 + 2 * i[1], i[0]});
          })};
        },
});

TG_OP_CASE({
    .op = "slice",
    .variant = "negative_bounds",
    .inputs = [] { return variable_list{input({6}, 0.5)}; },
    .fn = [](const variable_list& x) { return variable_list{slice(x[0], 0, -4, -1)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3}, [&](const Index& i) { return at(x[0], {2 + i[0]}); })};
        },
});

TG_OP_CASE({
    .op = "slice",
    .variant = "open_end_last_dim_then_square",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.6)};
        },
    // Squaring makes the second derivative depend on where the gradient lands.
    .fn =
        [](const variable_list& x) {
          Tensor s = x[0].slice(-1, 1);
          return variable_list{s * s};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3, 3}, [&](const Index& i) {
            const double v = at(x[0], {i[0], i[1] + 1});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "narrow",
    .variant = "negative_start",
    .inputs =
        [] {
          return variable_list{input({4, 5}, 0.7)};
        },
    .fn = [](const variable_list& x) { return variable_list{x[0].narrow(1, -3, 2)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({4, 2}, [&](const Index& i) {
            return at(x[0], {i[0], 2 + i[1]});
          })};
        },
});

TG_OP_CASE({
    .op = "narrow",
    .variant = "transposed_dim0",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.8)};
        },
    .fn = [](const variable_list& x) { return variable_list{narrow(x[0].t(), 0, 1, 2)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({2, 3}, [&](const Index& i) {
            return at(x[0], {i[1], 1 + i[0]});
          })};
        },
});

TG_OP_CASE({
    .op = "select",
    .variant = "negative_index",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.9)};
        },
    .fn = [](const variable_list& x) { return variable_list{x[0].select(1, -1)}; },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3}, [&](const Index& i) { return at(x[0], {i[0], 3}); })};
        },
});

TG_OP_CASE({
    .op = "select",
    .variant = "chained_on_transposed_then_square",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 1.0)};
        },
    .fn =
        [](const variable_list& x) {
          Tensor s = x[0].t()[2][1];
          return variable_list{s * s};
        },
    .reference =
        [](const variable_list& x) {
          const double v = at(x[0], {1, 2});
          return variable_list{build({}, [&](const Index&) { return v * v; })};
        },
});

// ---- index_select ----
TG_OP_CASE({
    .op = "index_select",
    .variant = "repeated_indices_dim0",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 1.1)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].index_select(0, long_tensor({3}, {2, 0, 2}))};
        },
    .reference =
        [](const variable_list& x) {
          const Index idx = {2, 0, 2};
          return variable_list{build({3, 3}, [&](const Index& i) {
            return at(x[0], {idx[i[0]], i[1]});
          })};
        },
});

TG_OP_CASE({
    .op = "index_select",
    .variant = "transposed_dim1",
    .inputs =
        [] {
          return variable_list{input({5, 3}, 1.2)};
        },
    .fn =
        [](const variable_list& x) {
          Tensor s = index_select(x[0].t(), -1, long_tensor({4}, {1, 4, 1, 0}));
          return variable_list{s * s};
        },
    .reference =
        [](const variable_list& x) {
          const Index idx = {1, 4, 1, 0};
          return variable_list{build({3, 4}, [&](const Index& i) {
            const double v = at(x[0], {idx[i[1]], i[0]});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "index_select",
    .variant = "wide_rows",  // rows of 70 elements: the slice-copy path of the kernel
    .inputs =
        [] {
          return variable_list{input({3, 70}, 1.3)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].index_select(0, long_tensor({3}, {2, 2, 0}))};
        },
    .reference =
        [](const variable_list& x) {
          const Index idx = {2, 2, 0};
          return variable_list{build({3, 70}, [&](const Index& i) {
            return at(x[0], {idx[i[0]], i[1]});
          })};
        },
});

// ---- gather / scatter_add ----
TG_OP_CASE({
    .op = "gather",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 1.4)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].gather(1, long_tensor({3, 2}, {3, 0, 1, 1, 2, 3}))};
        },
    .reference =
        [](const variable_list& x) {
          const Index idx = {3, 0, 1, 1, 2, 3};
          return variable_list{build({3, 2}, [&](const Index& i) {
            return at(x[0], {i[0], idx[i[0] * 2 + i[1]]});
          })};
        },
});

TG_OP_CASE({
    .op = "gather",
    .variant = "dim0_transposed_smaller_index",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 1.5)};
        },
    .fn =
        [](const variable_list& x) {
          // x.t() has shape [4, 3]; the index is [2, 2], smaller in both dimensions.
          Tensor g = gather(x[0].t(), 0, long_tensor({2, 2}, {3, 0, 3, 3}));
          return variable_list{g * g};
        },
    .reference =
        [](const variable_list& x) {
          const Index idx = {3, 0, 3, 3};
          return variable_list{build({2, 2}, [&](const Index& i) {
            const double v = at(x[0], {i[1], idx[i[0] * 2 + i[1]]});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "scatter_add",
    .variant = "dim0_duplicates",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 1.6), input({2, 4}, 1.7)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{
              x[0].scatter_add(0, long_tensor({2, 4}, {0, 2, 2, 1, 0, 0, 2, 1}), x[1])};
        },
    .reference =
        [](const variable_list& x) {
          const Index idx = {0, 2, 2, 1, 0, 0, 2, 1};
          Tensor out = build({3, 4}, [&](const Index& i) { return at(x[0], i); });
          double* o = out.data_ptr<double>();
          for (int64_t i = 0; i < 2; ++i)
            for (int64_t j = 0; j < 4; ++j) o[idx[i * 4 + j] * 4 + j] += at(x[1], {i, j});
          return variable_list{out};
        },
});

TG_OP_CASE({
    .op = "scatter_add",
    .variant = "dim1_src_larger_than_index_transposed",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 1.8), input({3, 5}, 1.9)};
        },
    .fn =
        [](const variable_list& x) {
          // self is x0.t() ([3, 4]); only src[:2, :3] is read, the rest gets zero gradient.
          Tensor r = scatter_add(x[0].t(), 1, long_tensor({2, 3}, {3, 3, 0, 1, 2, 1}), x[1]);
          return variable_list{r * r};
        },
    .reference =
        [](const variable_list& x) {
          const Index idx = {3, 3, 0, 1, 2, 1};
          Tensor out = build({3, 4}, [&](const Index& i) { return at(x[0], {i[1], i[0]}); });
          double* o = out.data_ptr<double>();
          for (int64_t i = 0; i < 2; ++i)
            for (int64_t j = 0; j < 3; ++j) o[i * 4 + idx[i * 3 + j]] += at(x[1], {i, j});
          for (int64_t k = 0; k < 12; ++k) o[k] *= o[k];
          return variable_list{out};
        },
});

// ---- masked_fill ----
TG_OP_CASE({
    .op = "masked_fill",
    .variant = "scalar_broadcast_mask",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 2.0)};
        },
    .fn =
        [](const variable_list& x) {
          Tensor r = x[0].masked_fill(bool_tensor({4}, {1, 0, 0, 1}), 2.5);
          return variable_list{r * r};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3, 4}, [&](const Index& i) {
            const double v = (i[1] == 0 || i[1] == 3) ? 2.5 : at(x[0], i);
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "masked_fill",
    .variant = "tensor_value_mask_broadcasts_self",
    .inputs =
        [] {
          return variable_list{input({1, 4}, 2.1), input({}, 2.2)};
        },
    .fn =
        [](const variable_list& x) {
          // self [1, 4] and mask [3, 1] broadcast to [3, 4].
          Tensor r = masked_fill(x[0].t().t(), bool_tensor({3, 1}, {1, 0, 1}), x[1]);
          return variable_list{r * r};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3, 4}, [&](const Index& i) {
            const double v = i[0] != 1 ? at(x[1], {}) : at(x[0], {0, i[1]});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "masked_fill",
    .variant = "tensor_value_transposed",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 2.3), input({}, 2.4)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].t().masked_fill(
              bool_tensor({3, 4}, {1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1}), x[1])};
        },
    .reference =
        [](const variable_list& x) {
          const Index m = {1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1};
          return variable_list{build({3, 4}, [&](const Index& i) {
            return m[i[0] * 4 + i[1]] ? at(x[1], {}) : at(x[0], {i[1], i[0]});
          })};
        },
});

// ---- chunk / split / unbind ----
TG_OP_CASE({
    .op = "chunk",
    .variant = "uneven_dim0",
    .inputs =
        [] {
          return variable_list{input({7, 2}, 2.5)};
        },
    .fn = [](const variable_list& x) { return x[0].chunk(3, 0); },
    .reference =
        [](const variable_list& x) {
          variable_list out;
          for (int64_t c = 0; c < 3; ++c) {
            const int64_t len = c < 2 ? 3 : 1;
            out.push_back(build({len, 2}, [&](const Index& i) {
              return at(x[0], {3 * c + i[0], i[1]});
            }));
          }
          return out;
        },
});

TG_OP_CASE({
    .op = "chunk",
    .variant = "transposed_last_dim",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 2.6)};
        },
    .fn =
        [](const variable_list& x) {
          // Only the first chunk is squared: the other output's gradient is materialised zeros
          // when the first alone is differentiated.
          variable_list c = chunk(x[0].t(), 2, -1);
          return variable_list{c[0] * c[0], c[1]};
        },
    .reference =
        [](const variable_list& x) {
          Tensor a = build({3, 2}, [&](const Index& i) {
            const double v = at(x[0], {i[1], i[0]});
            return v * v;
          });
          Tensor b = build({3, 2}, [&](const Index& i) { return at(x[0], {2 + i[1], i[0]}); });
          return variable_list{a, b};
        },
});

TG_OP_CASE({
    .op = "split",
    .variant = "split_size_uneven",
    .inputs =
        [] {
          return variable_list{input({5, 3}, 2.7)};
        },
    .fn = [](const variable_list& x) { return x[0].split(2); },
    .reference =
        [](const variable_list& x) {
          variable_list out;
          for (int64_t s = 0; s < 3; ++s) {
            const int64_t len = s < 2 ? 2 : 1;
            out.push_back(build({len, 3}, [&](const Index& i) {
              return at(x[0], {2 * s + i[0], i[1]});
            }));
          }
          return out;
        },
});

TG_OP_CASE({
    .op = "split",
    .variant = "with_sizes_transposed_dim1",
    .inputs =
        [] {
          return variable_list{input({5, 2}, 2.8)};
        },
    .fn =
        [](const variable_list& x) {
          variable_list parts = split(x[0].t(), Index{1, 3, 1}, 1);
          return variable_list{parts[0], parts[1] * parts[1], parts[2]};
        },
    .reference =
        [](const variable_list& x) {
          const Index starts = {0, 1, 4}, lens = {1, 3, 1};
          variable_list out;
          for (int s = 0; s < 3; ++s)
            out.push_back(build({2, lens[s]}, [&](const Index& i) {
              const double v = at(x[0], {starts[s] + i[1], i[0]});
              return s == 1 ? v * v : v;
            }));
          return out;
        },
});

TG_OP_CASE({
    .op = "split",
    .variant = "split_with_sizes_zero_piece",
    .inputs =
        [] {
          return variable_list{input({2, 4}, 2.9)};
        },
    .fn =
        [](const variable_list& x) {
          return x[0].split_with_sizes({3, 0, 1}, -1);
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({2, 3}, [&](const Index& i) { return at(x[0], i); }),
                               build({2, 0}, [&](const Index&) { return 0.0; }),
                               build({2, 1}, [&](const Index& i) {
                                 return at(x[0], {i[0], 3});
                               })};
        },
});

TG_OP_CASE({
    .op = "unbind",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{input({3, 2}, 3.0)};
        },
    .fn =
        [](const variable_list& x) {
          variable_list u = x[0].unbind(1);
          return variable_list{u[0], u[1] * u[1]};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3},
                                     [&](const Index& i) {
                                       return at(x[0], {i[0], 0});
                                     }),
                               build({3}, [&](const Index& i) {
                                 const double v = at(x[0], {i[0], 1});
                                 return v * v;
                               })};
        },
});

TG_OP_CASE({
    .op = "unbind",
    .variant = "transposed_negative_dim",
    .inputs =
        [] {
          return variable_list{input({2, 3}, 3.1)};
        },
    .fn = [](const variable_list& x) { return unbind(x[0].t(), -2); },
    .reference =
        [](const variable_list& x) {
          variable_list out;
          for (int64_t k = 0; k < 3; ++k)
            out.push_back(build({2}, [&](const Index& i) { return at(x[0], {i[0], k}); }));
          return out;
        },
});

// ---- repeat ----
TG_OP_CASE({
    .op = "repeat",
    .variant = "new_leading_dim",
    .inputs =
        [] {
          return variable_list{input({2, 3}, 3.2)};
        },
    .fn =
        [](const variable_list& x) {
          Tensor r = x[0].repeat({2, 1, 2});
          return variable_list{r * r};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({2, 2, 6}, [&](const Index& i) {
            const double v = at(x[0], {i[1], i[2] % 3});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "repeat",
    .variant = "transposed",
    .inputs =
        [] {
          return variable_list{input({3, 2}, 3.3)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{repeat(x[0].t(), {3, 2})};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({6, 6}, [&](const Index& i) {
            return at(x[0], {i[1] % 3, i[0] % 2});
          })};
        },
});

// ---- cat / stack ----
TG_OP_CASE({
    .op = "cat",
    .variant = "dim0_three_inputs",
    .inputs =
        [] {
          return variable_list{input({2, 3}, 3.4), input({1, 3}, 3.5), input({2, 3}, 3.6)};
        },
    .fn =
        [](const variable_list& x) {
          Tensor c = cat({x[0], x[1], x[2]});
          return variable_list{c * c};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({5, 3}, [&](const Index& i) {
            const double v = i[0] < 2   ? at(x[0], i)
                             : i[0] < 3 ? at(x[1], {0, i[1]})
                                        : at(x[2], {i[0] - 3, i[1]});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "cat",
    .variant = "last_dim_transposed_with_constant_float",
    .inputs =
        [] {
          return variable_list{input({3, 2}, 3.7)};
        },
    .fn =
        [](const variable_list& x) {
          // A Float operand that needs no gradient is promoted to Double.
          Tensor k = empty({2, 1}, kFloat);
          k.data_ptr<float>()[0] = 0.5f;
          k.data_ptr<float>()[1] = -1.5f;
          return variable_list{cat({x[0].t(), k}, -1)};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({2, 4}, [&](const Index& i) {
            return i[1] < 3 ? at(x[0], {i[1], i[0]}) : (i[0] == 0 ? 0.5 : -1.5);
          })};
        },
});

TG_OP_CASE({
    .op = "stack",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{input({2, 3}, 3.8), input({2, 3}, 3.9)};
        },
    .fn =
        [](const variable_list& x) {
          Tensor s = stack({x[0], x[1]}, 1);
          return variable_list{s * s};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({2, 2, 3}, [&](const Index& i) {
            const double v = at(x[i[1]], {i[0], i[2]});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "stack",
    .variant = "negative_dim_transposed",
    .inputs =
        [] {
          return variable_list{input({3, 2}, 4.0), input({2, 3}, 4.1)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{stack({x[0].t(), x[1]}, -1)};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({2, 3, 2}, [&](const Index& i) {
            return i[2] == 0 ? at(x[0], {i[1], i[0]}) : at(x[1], {i[0], i[1]});
          })};
        },
});

// ---- alias; in-place ops through views, recorded on the base ----
TG_OP_CASE({
    .op = "alias",
    .variant = "plain",
    .inputs =
        [] {
          return variable_list{input({2, 3}, 2.5)};
        },
    .fn = [](const variable_list& v) { return variable_list{v[0].alias()}; },
    .reference =
        [](const variable_list& v) {
          return variable_list{build({2, 3}, [&](const Index& i) { return at(v[0], i); })};
        },
});
TG_OP_CASE({
    .op = "mul_",
    .variant = "on_a_view_of_a_non_leaf",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.3), input({4}, 1.1)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] * 1.0;
          y.select(0, 1).mul_(v[1]);  // y's history becomes CopySlices
          return variable_list{y};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{build({3, 4}, [&](const Index& i) {
            return at(v[0], i) * (i[0] == 1 ? at(v[1], {i[1]}) : 1.0);
          })};
        },
});
TG_OP_CASE({
    .op = "mul_",
    .variant = "base_changed_under_a_view",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.7)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor y = v[0] * 1.0;
          Tensor r = y.narrow(1, 1, 2);
          y.mul_(v[0]);  // r's history is rebuilt from y's (AsStridedBackward0)
          return variable_list{r};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{build({3, 2}, [&](const Index& i) {
            const double a = at(v[0], {i[0], i[1] + 1});
            return a * a;
          })};
        },
});
TG_OP_CASE({
    .op = "add_",
    .variant = "on_a_view_of_a_non_contiguous_base",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 0.9).detach(), input({3}, 2.0)};
        },
    .fn =
        [](const variable_list& v) {
          Tensor base = v[0].clone().t().detach();  // [3, 4], strides [1, 3], no history
          base.select(1, 2).add_(v[1]);
          return variable_list{base * 2.0};
        },
    .reference =
        [](const variable_list& v) {
          return variable_list{build({3, 4}, [&](const Index& i) {
            return 2.0 * (at(v[0], {i[1], i[0]}) + (i[1] == 2 ? at(v[1], {i[0]}) : 0.0));
          })};
        },
});

}  // namespace
}  // namespace tg::testing
