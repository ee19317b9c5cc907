// Op cases for advanced indexing: index (through Tensor::index with slices, index tensors and
// masks) and index_put. References read the inputs' contiguous kDouble data element by element.
#include <cmath>
#include <functional>
#include <vector>

#include "op_case.h"

namespace tg::testing {
namespace {

using Index = std::vector<int64_t>;
using namespace tg::indexing;

Tensor input(const Index& shape, double seed) {
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = std::cos(seed + 0.9 * static_cast<double>(i));
  t.requires_grad_(true);
  return t;
}

Tensor long_tensor(const Index& shape, const Index& values) {
  Tensor t = empty(shape, kLong);
  int64_t* p = t.data_ptr<int64_t>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return t;
}

Tensor bool_tensor(const Index& shape, const std::vector<int>& values) {
  Tensor t = empty(shape, kBool);
  bool* p = t.data_ptr<bool>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i] != 0;
  return t;
}

double at(const Tensor& t, const Index& idx) {
  int64_t offset = 0;
  for (size_t d = 0; d < idx.size(); ++d)
    offset = offset * t.size(static_cast<int64_t>(d)) + idx[d];
  return t.data_ptr<double>()[offset];
}

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

// ---- index ----
TG_OP_CASE({
    .op = "index",
    .variant = "slice_and_repeated_indices",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.3)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].index({Slice(1, None), long_tensor({3}, {3, 0, 3})})};
        },
    .reference =
        [](const variable_list& x) {
          const Index cols = {3, 0, 3};
          return variable_list{build({2, 3}, [&](const Index& i) {
            return at(x[0], {i[0] + 1, cols[i[1]]});
          })};
        },
});

TG_OP_CASE({
    .op = "index",
    .variant = "apart_broadcast_transposed",
    .inputs =
        [] {
          return variable_list{input({4, 2, 3}, 1.3)};
        },
    .fn =
        [](const variable_list& x) {
          // x.t-like view [3, 2, 4]; indices on dims 0 and 2 broadcast to [2, 2] and go first.
          Tensor v = x[0].permute({2, 1, 0});
          return variable_list{
              v.index({long_tensor({2, 1}, {2, 0}), Slice(), long_tensor({2}, {1, 3})})};
        },
    .reference =
        [](const variable_list& x) {
          const Index a = {2, 0}, c = {1, 3};
          return variable_list{build({2, 2, 2}, [&](const Index& i) {
            // v[a[i0], i2, c[i1]] = x[c[i1], i2, a[i0]]
            return at(x[0], {c[i[1]], i[2], a[i[0]]});
          })};
        },
});

TG_OP_CASE({
    .op = "index",
    .variant = "mask",
    .inputs =
        [] {
          return variable_list{input({2, 3}, 2.1)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].index({bool_tensor({2, 3}, {1, 0, 1, 0, 0, 1})})};
        },
    .reference =
        [](const variable_list& x) {
          const std::vector<Index> hits = {{0, 0}, {0, 2}, {1, 2}};
          return variable_list{build({3}, [&](const Index& i) { return at(x[0], hits[i[0]]); })};
        },
});

// ---- index_put ----
TG_OP_CASE({
    .op = "index_put",
    .variant = "broadcast_values",
    .inputs =
        [] {
          return variable_list{input({3, 4}, 0.7), input({1, 4}, 1.9)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].index_put({long_tensor({2}, {2, 0})}, x[1])};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3, 4}, [&](const Index& i) {
            return i[0] == 1 ? at(x[0], i) : at(x[1], {0, i[1]});
          })};
        },
});

TG_OP_CASE({
    .op = "index_put",
    .variant = "accumulate_repeated",
    .inputs =
        [] {
          return variable_list{input({4}, 0.2), input({3}, 2.6)};
        },
    .fn =
        [](const variable_list& x) {
          Tensor r = index_put(x[0], {long_tensor({3}, {1, 3, 1})}, x[1], /*accumulate=*/true);
          return variable_list{r * r};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({4}, [&](const Index& i) {
            double v = at(x[0], i);
            if (i[0] == 1) v += at(x[1], {0}) + at(x[1], {2});
            if (i[0] == 3) v += at(x[1], {1});
            return v * v;
          })};
        },
});

// ---- as_strided ----
TG_OP_CASE({
    .op = "as_strided",
    .variant = "transposed_window",
    .inputs =
        [] {
          return variable_list{input({3, 3}, 0.4)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{x[0].as_strided({2, 2}, {1, 3}, 1)};
        },
    .reference =
        [](const variable_list& x) {
          // element (i, j) is storage place 1 + i + 3j, i.e. x[j][1 + i]
          return variable_list{build({2, 2}, [&](const Index& i) {
            return at(x[0], {i[1], 1 + i[0]});
          })};
        },
});

TG_OP_CASE({
    .op = "as_strided",
    .variant = "overlapping_reads",
    .inputs = [] { return variable_list{input({5}, 1.4)}; },
    .fn =
        [](const variable_list& x) {
          Tensor w = as_strided(x[0], {3, 3}, {1, 1});  // sliding windows share elements
          return variable_list{w * w};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({3, 3}, [&](const Index& i) {
            const double v = at(x[0], {i[0] + i[1]});
            return v * v;
          })};
        },
});

TG_OP_CASE({
    .op = "as_strided",
    .variant = "reshape_alias_of_a_view",
    .inputs =
        [] {
          return variable_list{input({4, 3}, 2.4)};
        },
    .fn =
        [](const variable_list& x) {
          // rows 1..2 of x as one flat run of 6 elements
          return variable_list{_reshape_alias(x[0].narrow(0, 1, 2), {6}, {1})};
        },
    .reference =
        [](const variable_list& x) {
          return variable_list{build({6}, [&](const Index& i) {
            return at(x[0], {1 + i[0] / 3, i[0] % 3});
          })};
        },
});

}  // namespace
}  // namespace tg::testing
