// Slicing, indexing, splitting and joining: values (read through strides, so views are checked as
// they are), storage sharing of the view ops, negative dims and indices, 0-d and empty tensors,
// dtype promotion, gradients and graph names, and every error message.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

using Shape = std::vector<int64_t>;
using Values = std::vector<double>;

// t's values in row-major order, read through its strides.
using tg::testing::element_at;
using tg::testing::values;

// A contiguous tensor holding 0, 1, 2, ... in row-major order (built without tensorgrad's ops).
Tensor iota(const Shape& shape, ScalarType dtype = kFloat) {
  Tensor t = empty(shape, dtype);
  for (int64_t i = 0; i < t.numel(); ++i) {
    switch (dtype) {
      case kFloat:
        t.data_ptr<float>()[i] = static_cast<float>(i);
        break;
      case kDouble:
        t.data_ptr<double>()[i] = static_cast<double>(i);
        break;
      case kLong:
        t.data_ptr<int64_t>()[i] = i;
        break;
      case kBool:
        t.data_ptr<bool>()[i] = i % 2 != 0;
        break;
    }
  }
  return t;
}

Tensor longs(const Shape& shape, const Shape& v) {
  Tensor t = empty(shape, kLong);
  for (size_t i = 0; i < v.size(); ++i) t.data_ptr<int64_t>()[i] = v[i];
  return t;
}

Tensor bools(const Shape& shape, const std::vector<int>& v) {
  Tensor t = empty(shape, kBool);
  for (size_t i = 0; i < v.size(); ++i) t.data_ptr<bool>()[i] = v[i] != 0;
  return t;
}

Tensor doubles(const Shape& shape, const Values& v, bool grad = false) {
  Tensor t = empty(shape, kDouble);
  for (size_t i = 0; i < v.size(); ++i) t.data_ptr<double>()[i] = v[i];
  if (grad) t.requires_grad_(true);
  return t;
}

// Runs f, expecting a tg::Error whose message contains every one of `words`.
template <class F>
void expect_error(F f, const std::vector<std::string>& words) {
  try {
    f();
    ADD_FAILURE() << "expected a tg::Error mentioning " << words[0];
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const std::string& w : words)
      EXPECT_NE(msg.find(w), std::string::npos) << "message lacks '" << w << "': " << msg;
  }
}

std::string grad_fn_name(const Tensor& t) { return t.grad_fn() ? t.grad_fn()->name() : "none"; }

// ---------------------------------------------------------------- flatten
TEST(Flatten, MergesTheGivenRange) {
  Tensor x = iota({2, 3, 4});
  Tensor y = x.flatten(1);
  EXPECT_EQ(y.sizes().vec(), Shape({2, 12}));
  EXPECT_EQ(values(y), values(x));
  EXPECT_EQ(flatten(x, 0, 1).sizes().vec(), Shape({6, 4}));
  EXPECT_EQ(x.flatten(-3, -2).sizes().vec(), Shape({6, 4}));
  EXPECT_EQ(x.flatten().sizes().vec(), Shape({24}));
}

TEST(Flatten, SameStartAndEndReturnsTheInputAndZeroDimBecomesOneElement) {
  Tensor x = iota({2, 3});
  EXPECT_TRUE(x.flatten(1, 1).is_same(x));
  Tensor s = full({}, 7.0);
  Tensor f = s.flatten();
  EXPECT_EQ(f.sizes().vec(), Shape({1}));
  EXPECT_EQ(values(f), Values({7}));
}

TEST(Flatten, TransposedInputIsCopiedInLogicalOrder) {
  Tensor x = iota({2, 3}).t();
  EXPECT_EQ(values(x.flatten()), Values({0, 3, 1, 4, 2, 5}));
}

TEST(Flatten, Errors) {
  Tensor x = iota({2, 3, 4});
  expect_error([&] { x.flatten(2, 1); }, {"flatten", "start_dim", "end_dim", "[2, 3, 4]"});
  expect_error([&] { x.flatten(3); }, {"flatten", "dimension out of range", "3"});
}

// ---------------------------------------------------------------- slice
TEST(Slice, ValuesStepsAndNegativeBounds) {
  Tensor x = iota({10});
  EXPECT_EQ(values(x.slice(0, 2, 8, 3)), Values({2, 5}));
  EXPECT_EQ(values(x.slice(0, -3)), Values({7, 8, 9}));
  EXPECT_EQ(values(x.slice(0, 1, -7)), Values({1, 2}));
  EXPECT_EQ(values(x.slice(0, std::nullopt, 3)), Values({0, 1, 2}));
  EXPECT_EQ(values(slice(x, -1, 0, std::nullopt, 4)), Values({0, 4, 8}));
}

TEST(Slice, BoundsClampLikePython) {
  Tensor x = iota({5});
  EXPECT_EQ(values(x.slice(0, -100, 100)), Values({0, 1, 2, 3, 4}));
  EXPECT_EQ(x.slice(0, 4, 2).numel(), 0);
  EXPECT_EQ(x.slice(0, 7, 9).sizes().vec(), Shape({0}));
}

TEST(Slice, IsAViewThatSharesStorage) {
  Tensor x = iota({3, 4});
  Tensor v = x.slice(1, 1, 4, 2);  // columns 1 and 3
  EXPECT_EQ(v.sizes().vec(), Shape({3, 2}));
  EXPECT_EQ(v.strides().vec(), Shape({4, 2}));
  EXPECT_FALSE(v.is_contiguous());
  {
    NoGradGuard guard;
    v.fill_(-1);
  }
  EXPECT_EQ(values(x), Values({0, -1, 2, -1, 4, -1, 6, -1, 8, -1, 10, -1}));
  v.data_ptr<float>()[0] = 42;  // element (0, 1) of x
  EXPECT_EQ(element_at(x, {0, 1}), 42);
}

TEST(Slice, OfATransposedView) {
  Tensor x = iota({3, 4}).t();  // [4, 3], x[i][j] = 4 * j + i
  Tensor s = x.slice(0, 1, 3);
  EXPECT_EQ(values(s), Values({1, 5, 9, 2, 6, 10}));
}

TEST(Slice, GradientLandsInTheSlicedPositions) {
  Tensor x = doubles({6}, {1, 2, 3, 4, 5, 6}, true);
  Tensor y = x.slice(0, 1, 6, 2);
  EXPECT_EQ(grad_fn_name(y), "SliceBackward0");
  y.backward(doubles({3}, {10, 20, 30}));
  EXPECT_EQ(values(x.grad()), Values({0, 10, 0, 20, 0, 30}));
}

TEST(Slice, Errors) {
  expect_error([] { full({}, 1.0).slice(0, 0, 1); }, {"slice", "0-d"});
  expect_error([] { iota({4}).slice(0, 0, 4, 0); }, {"slice", "step", "positive", "0"});
  expect_error([] { iota({4}).slice(0, 0, 4, -1); }, {"slice", "step", "-1"});
  expect_error([] { iota({4}).slice(1); }, {"slice", "dimension out of range"});
}

// ---------------------------------------------------------------- narrow
TEST(Narrow, ValuesAndNegativeStart) {
  Tensor x = iota({3, 5});
  EXPECT_EQ(values(x.narrow(1, 1, 2)), Values({1, 2, 6, 7, 11, 12}));
  EXPECT_EQ(values(narrow(x, -1, -2, 2)), Values({3, 4, 8, 9, 13, 14}));
  EXPECT_EQ(x.narrow(0, 3, 0).sizes().vec(), Shape({0, 5}));
  Tensor x2 = doubles({3}, {1, 2, 3}, true);
  EXPECT_EQ(grad_fn_name(x2.narrow(0, 0, 2)), "SliceBackward0");
}

TEST(Narrow, SharesStorage) {
  Tensor x = iota({4});
  Tensor v = x.narrow(0, 1, 2);
  {
    NoGradGuard guard;
    v.fill_(9);
  }
  EXPECT_EQ(values(x), Values({0, 9, 9, 3}));
}

TEST(Narrow, Errors) {
  Tensor x = iota({3, 5});
  expect_error([&] { x.narrow(1, 4, 2); }, {"narrow", "start (4) + length (2)", "5", "[3, 5]"});
  expect_error([&] { x.narrow(1, 6, 0); }, {"narrow", "start 6", "out of range", "5"});
  expect_error([&] { x.narrow(1, -6, 1); }, {"narrow", "start -6"});
  expect_error([&] { x.narrow(0, 0, -1); }, {"narrow", "length", "non-negative", "-1"});
  expect_error([] { full({}, 1.0).narrow(0, 0, 1); }, {"narrow", "0-d"});
}

// ---------------------------------------------------------------- select
TEST(Select, ValuesNegativeIndexAndChaining) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(x.select(1, 2).sizes().vec(), Shape({2, 4}));
  EXPECT_EQ(values(x.select(1, 2)), Values({8, 9, 10, 11, 20, 21, 22, 23}));
  EXPECT_EQ(values(x.select(-1, -1)), Values({3, 7, 11, 15, 19, 23}));
  EXPECT_EQ(values(select(x, 0, -2)), values(x.select(0, 0)));
  Tensor e = x[1][2][3];
  EXPECT_EQ(e.dim(), 0);
  EXPECT_EQ(e.item<float>(), 23);
}

TEST(Select, SharesStorage) {
  Tensor x = iota({2, 3});
  Tensor row = x[1];
  {
    NoGradGuard guard;
    row.fill_(0);
  }
  EXPECT_EQ(values(x), Values({0, 1, 2, 0, 0, 0}));
  x.select(1, 0).data_ptr<float>()[0] = 5;  // x[0][0]
  EXPECT_EQ(element_at(x, {0, 0}), 5);
}

TEST(Select, GradientAndDoubleBackward) {
  Tensor x = doubles({2, 2}, {1, 2, 3, 4}, true);
  Tensor y = x.select(1, -1);
  EXPECT_EQ(grad_fn_name(y), "SelectBackward0");
  Tensor loss = (y * y).sum();
  auto g = autograd::grad({loss}, {x}, {}, std::nullopt, /*create_graph=*/true);
  EXPECT_EQ(values(g[0]), Values({0, 4, 0, 8}));
  // d/dx sum(g * g) = 2 g * dg/dx = 2 * (2 x) * 2 on the selected column.
  auto h = autograd::grad({(g[0] * g[0]).sum()}, {x});
  EXPECT_EQ(values(h[0]), Values({0, 16, 0, 32}));
}

TEST(Select, Errors) {
  Tensor x = iota({2, 3});
  expect_error([&] { x.select(1, 3); }, {"select", "index 3", "out of range", "size 3", "[2, 3]"});
  expect_error([&] { x.select(0, -3); }, {"select", "index -3", "size 2"});
  expect_error([&] { x[5]; }, {"select", "index 5"});
  expect_error([] { full({}, 1.0).select(0, 0); }, {"select", "0-d"});
  expect_error([&] { x.select(2, 0); }, {"select", "dimension out of range"});
}

// ---------------------------------------------------------------- index_select
TEST(IndexSelect, ValuesWithRepeatsAndNegativeDim) {
  Tensor x = iota({3, 4});
  Tensor r = x.index_select(0, longs({3}, {2, 0, 2}));
  EXPECT_EQ(r.sizes().vec(), Shape({3, 4}));
  EXPECT_EQ(values(r), Values({8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}));
  EXPECT_EQ(values(index_select(x, -1, longs({2}, {3, 1}))), Values({3, 1, 7, 5, 11, 9}));
  EXPECT_EQ(index_select(x, 1, longs({0}, {})).sizes().vec(), Shape({3, 0}));
}

TEST(IndexSelect, ZeroDimIndexAndZeroDimInput) {
  Tensor x = iota({3, 2});
  Tensor r = x.index_select(0, longs({}, {1}));
  EXPECT_EQ(r.sizes().vec(), Shape({1, 2}));
  EXPECT_EQ(values(r), Values({2, 3}));
  Tensor s = full({}, 5.0);
  Tensor rs = s.index_select(0, longs({1}, {0}));
  EXPECT_EQ(rs.dim(), 0);
  EXPECT_EQ(rs.item<float>(), 5);
}

TEST(IndexSelect, NonContiguousInputAndIndexAndAllDtypes) {
  Tensor x = iota({4, 3}, kLong).t();                     // [3, 4], x[i][j] = 3 * j + i
  Tensor idx = longs({2, 2}, {3, 0, 1, 9}).select(1, 0);  // strided index {3, 1}
  EXPECT_FALSE(idx.is_contiguous());
  Tensor r = x.index_select(1, idx);
  EXPECT_EQ(r.dtype(), kLong);
  EXPECT_EQ(values(r), Values({9, 3, 10, 4, 11, 5}));
  Tensor b = iota({4}, kBool).index_select(0, longs({2}, {1, 2}));
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_EQ(values(b), Values({1, 0}));
}

TEST(IndexSelect, WideRowsMatchNarrowRows) {
  // 100 elements per index take the slice-copy path, 10 per index the line path.
  Tensor x = iota({5, 100}, kDouble);
  Tensor idx = longs({4}, {4, 0, 4, 2});
  Tensor wide = x.index_select(0, idx);
  Tensor narrow_rows = x.t().slice(0, 0, 10).index_select(1, idx);
  ASSERT_EQ(narrow_rows.sizes().vec(), Shape({10, 4}));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 100; ++j) {
      const double expected = static_cast<double>(idx.data_ptr<int64_t>()[i] * 100 + j);
      ASSERT_EQ(element_at(wide, {i, j}), expected);
      if (j < 10) ASSERT_EQ(element_at(narrow_rows, {j, i}), expected);
    }
}

TEST(IndexSelect, GradientAccumulatesRepeatedIndices) {
  for (int64_t width : {2, 80}) {  // both kernel paths of the backward index_add
    SCOPED_TRACE(width);
    Tensor x = zeros({3, width}, kDouble).requires_grad_(true);
    Tensor y = x.index_select(0, longs({4}, {2, 0, 2, 2}));
    EXPECT_EQ(grad_fn_name(y), "IndexSelectBackward0");
    y.sum().backward();
    for (int64_t j = 0; j < width; ++j) {
      EXPECT_EQ(element_at(x.grad(), {0, j}), 1);
      EXPECT_EQ(element_at(x.grad(), {1, j}), 0);
      EXPECT_EQ(element_at(x.grad(), {2, j}), 3);
    }
  }
}

TEST(IndexSelect, Errors) {
  Tensor x = iota({3, 4});
  expect_error(
      [&] {
        x.index_select(0, longs({2}, {0, 3}));
      },
      {"index_select", "index 3", "out of bounds", "dimension 0", "size 3"});
  expect_error([&] { x.index_select(1, longs({1}, {-1})); },
               {"index_select", "index -1", "size 4"});
  expect_error([&] { x.index_select(0, iota({2})); }, {"index_select", "Long", "Float"});
  expect_error(
      [&] {
        x.index_select(0, longs({1, 1}, {0}));
      },
      {"index_select", "0-d or 1-d", "[1, 1]"});
  expect_error(
      [] {
        full({}, 1.0).index_select(0, longs({2}, {0, 0}));
      },
      {"index_select", "0-d", "one index", "2"});
  expect_error([&] { x.index_select(2, longs({1}, {0})); },
               {"index_select", "dimension out of range"});
}

// ---------------------------------------------------------------- gather
TEST(Gather, ValuesAlongEachDim) {
  Tensor x = iota({3, 4});
  Tensor g1 = x.gather(1, longs({3, 2}, {3, 0, 1, 1, 2, 3}));
  EXPECT_EQ(values(g1), Values({3, 0, 5, 5, 10, 11}));
  Tensor g0 = gather(x, -2, longs({2, 3}, {2, 0, 1, 0, 0, 2}));
  EXPECT_EQ(values(g0), Values({8, 1, 6, 0, 1, 10}));
}

TEST(Gather, TransposedInputNonContiguousIndexAndZeroDim) {
  Tensor x = iota({4, 3}).t();                         // [3, 4], x[i][j] = 3 * j + i
  Tensor idx = longs({3, 2}, {0, 3, 2, 1, 1, 0}).t();  // [2, 3]
  Tensor g = x.gather(1, idx);
  // g[i][j] = x[i][idx[i][j]] with idx = [[0, 2, 1], [3, 1, 0]]
  EXPECT_EQ(values(g), Values({0, 6, 3, 10, 4, 1}));
  Tensor s = full({}, 4.0);
  EXPECT_EQ(s.gather(0, longs({}, {0})).item<float>(), 4);
  EXPECT_EQ(x.gather(0, longs({0, 4}, {})).sizes().vec(), Shape({0, 4}));
}

TEST(Gather, GradientScattersAndAccumulates) {
  Tensor x = zeros({2, 3}, kDouble).requires_grad_(true);
  Tensor y = x.gather(1, longs({2, 3}, {0, 0, 2, 1, 1, 1}));
  EXPECT_EQ(grad_fn_name(y), "GatherBackward0");
  y.backward(doubles({2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(values(x.grad()), Values({3, 0, 3, 0, 15, 0}));
}

TEST(Gather, LargeInputMatchesNaiveLoop) {
  // Enough lines to take the parallel path of the iterator.
  const int64_t rows = 300, cols = 7;
  Tensor x = iota({rows, cols}, kDouble).t();  // [7, 300]
  Tensor idx = empty({cols, rows}, kLong);
  for (int64_t k = 0; k < idx.numel(); ++k) idx.data_ptr<int64_t>()[k] = (k * 7919) % rows;
  Tensor g = x.gather(1, idx);
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = 0; j < rows; ++j)
      ASSERT_EQ(element_at(g, {i, j}), element_at(x, {i, idx.data_ptr<int64_t>()[i * rows + j]}));
  Tensor big = iota({200000, 2}, kDouble);
  Tensor bidx = empty({200000, 1}, kLong);
  for (int64_t k = 0; k < 200000; ++k) bidx.data_ptr<int64_t>()[k] = k % 2;
  Tensor bg = big.gather(1, bidx);
  for (int64_t k = 0; k < 200000; ++k) ASSERT_EQ(element_at(bg, {k, 0}), 2.0 * k + k % 2);
}

TEST(Gather, Errors) {
  Tensor x = iota({3, 4});
  expect_error(
      [&] {
        x.gather(1, longs({3, 1}, {0, 4, 1}));
      },
      {"gather", "index 4", "out of bounds", "dimension 1", "size 4"});
  expect_error([&] { x.gather(0, longs({1, 1}, {-1})); }, {"gather", "index -1", "size 3"});
  expect_error(
      [&] {
        x.gather(1, longs({3}, {0, 0, 0}));
      },
      {"gather", "same number of dimensions", "[3]", "[3, 4]"});
  expect_error(
      [&] {
        x.gather(1, longs({4, 1}, {0, 0, 0, 0}));
      },
      {"gather", "[4, 1]", "larger", "dimension 0"});
  expect_error([&] { x.gather(1, iota({3, 1}, kDouble)); }, {"gather", "Long", "Double"});
}

// ---------------------------------------------------------------- scatter_add
TEST(ScatterAdd, AccumulatesDuplicatesWithoutTouchingSelf) {
  Tensor self = iota({3, 2});
  Tensor src = full({2, 2}, 10.0f);
  Tensor r = self.scatter_add(0, longs({2, 2}, {2, 0, 2, 0}), src);
  EXPECT_EQ(values(r), Values({0, 21, 2, 3, 24, 5}));
  EXPECT_EQ(values(self), Values({0, 1, 2, 3, 4, 5}));
}

TEST(ScatterAdd, SrcLargerThanIndexAndNegativeDimAndTransposedSelf) {
  Tensor self = zeros({4, 2}).t();  // [2, 4]
  Tensor src = iota({3, 3});
  Tensor r = scatter_add(self, -1, longs({2, 2}, {3, 3, 0, 1}), src);
  // row 0: src[0][0] + src[0][1] into column 3; row 1: src[1][0] -> 0, src[1][1] -> 1
  EXPECT_EQ(values(r), Values({0, 0, 0, 1, 3, 4, 0, 0}));
}

TEST(ScatterAdd, EmptyIndexReturnsACopy) {
  Tensor self = iota({2, 2});
  Tensor r = self.scatter_add(0, longs({0}, {}), iota({1}));
  EXPECT_EQ(values(r), Values({0, 1, 2, 3}));
  EXPECT_FALSE(r.is_same(self));
}

TEST(ScatterAdd, ParallelLinesMatchNaiveLoop) {
  const int64_t n = 100000;
  Tensor self = zeros({n, 3}, kLong);
  Tensor src = iota({n, 4}, kLong);
  Tensor idx = empty({n, 4}, kLong);
  for (int64_t k = 0; k < 4 * n; ++k) idx.data_ptr<int64_t>()[k] = (k * 5) % 3;
  Tensor r = self.scatter_add(1, idx, src);
  std::vector<int64_t> expected(3 * n, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < 4; ++j)
      expected[i * 3 + idx.data_ptr<int64_t>()[i * 4 + j]] += i * 4 + j;
  for (int64_t k = 0; k < 3 * n; ++k) ASSERT_EQ(r.data_ptr<int64_t>()[k], expected[k]);
}

TEST(ScatterAdd, Gradients) {
  Tensor self = zeros({2, 3}, kDouble).requires_grad_(true);
  Tensor src = zeros({2, 4}, kDouble).requires_grad_(true);
  Tensor r = self.scatter_add(1, longs({2, 2}, {2, 2, 0, 1}), src);
  EXPECT_EQ(grad_fn_name(r), "ScatterAddBackward0");
  r.backward(doubles({2, 3}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(values(self.grad()), Values({1, 2, 3, 4, 5, 6}));
  // src[i][j] for j < 2 receives grad[i][index[i][j]]; the unread columns get zero.
  EXPECT_EQ(values(src.grad()), Values({3, 3, 0, 0, 4, 5, 0, 0}));
}

TEST(ScatterAdd, Errors) {
  Tensor self = zeros({3, 2});
  Tensor src = ones({3, 2});
  expect_error(
      [&] {
        self.scatter_add(0, longs({1, 1}, {3}), src);
      },
      {"scatter_add", "index 3", "out of bounds", "dimension 0", "size 3"});
  expect_error(
      [&] {
        self.scatter_add(1, longs({1, 1}, {-1}), src);
      },
      {"scatter_add", "index -1", "size 2"});
  expect_error(
      [&] {
        self.scatter_add(0, longs({1, 1}, {0}), ones({3, 2}, kDouble));
      },
      {"scatter_add", "Double", "Float"});
  expect_error([&] { self.scatter_add(0, longs({1}, {0}), src); },
               {"scatter_add", "same number of dimensions", "[1]"});
  expect_error(
      [&] {
        self.scatter_add(0, longs({4, 1}, {0, 0, 0, 0}), src);
      },
      {"scatter_add", "[4, 1]", "larger than src"});
  expect_error(
      [&] {
        self.scatter_add(0, longs({1, 3}, {0, 0, 0}), ones({3, 3}));
      },
      {"scatter_add", "[1, 3]", "larger than self", "dimension 1"});
  expect_error([&] { self.scatter_add(0, iota({1, 1}), src); }, {"scatter_add", "Long", "Float"});
}

// ---------------------------------------------------------------- masked_fill
TEST(MaskedFill, ScalarValueBroadcastMaskAndDtypes) {
  Tensor x = iota({2, 3});
  Tensor r = x.masked_fill(bools({3}, {1, 0, 1}), -1.5);
  EXPECT_EQ(r.dtype(), kFloat);
  EXPECT_EQ(values(r), Values({-1.5, 1, -1.5, -1.5, 4, -1.5}));
  EXPECT_EQ(values(x), Values({0, 1, 2, 3, 4, 5}));
  Tensor l = masked_fill(iota({3}, kLong), bools({3}, {0, 1, 0}), 7);
  EXPECT_EQ(l.dtype(), kLong);
  EXPECT_EQ(values(l), Values({0, 7, 2}));
}

TEST(MaskedFill, ResultHasTheBroadcastShapeOfSelfAndMask) {
  Tensor x = iota({1, 3});
  Tensor r = x.masked_fill(bools({2, 1}, {0, 1}), 9.0);
  EXPECT_EQ(r.sizes().vec(), Shape({2, 3}));
  EXPECT_EQ(values(r), Values({0, 1, 2, 9, 9, 9}));
}

TEST(MaskedFill, TensorValueAndTransposedSelf) {
  Tensor x = iota({3, 2}).t();  // [2, 3] = [[0, 2, 4], [1, 3, 5]]
  Tensor r = x.masked_fill(bools({2, 3}, {0, 1, 0, 1, 0, 0}), full({}, 8.0, kDouble));
  EXPECT_EQ(r.dtype(), kFloat);
  EXPECT_EQ(values(r), Values({0, 8, 4, 8, 3, 5}));
}

TEST(MaskedFill, GradientsOfSelfAndValue) {
  Tensor x = zeros({2, 2}, kDouble).requires_grad_(true);
  Tensor v = full({}, 3.0, kDouble).requires_grad_(true);
  Tensor m = bools({2, 2}, {1, 0, 0, 1});
  Tensor r = x.masked_fill(m, v);
  EXPECT_EQ(grad_fn_name(r), "MaskedFillBackward1");
  r.backward(doubles({2, 2}, {1, 2, 3, 5}));
  EXPECT_EQ(values(x.grad()), Values({0, 2, 3, 0}));
  EXPECT_EQ(v.grad().dim(), 0);
  EXPECT_EQ(v.grad().item<double>(), 6);  // the masked positions: 1 + 5
  Tensor x2 = zeros({2}, kDouble).requires_grad_(true);
  EXPECT_EQ(grad_fn_name(x2.masked_fill(bools({2}, {1, 0}), 1.0)), "MaskedFillBackward0");
}

TEST(MaskedFill, Errors) {
  Tensor x = iota({2, 3});
  expect_error([&] { x.masked_fill(longs({3}, {1, 0, 1}), 0.0); }, {"masked_fill", "Bool", "Long"});
  expect_error(
      [&] {
        x.masked_fill(bools({2}, {1, 0}), 0.0);
      },
      {"masked_fill", "[2]", "[2, 3]", "broadcast"});
  expect_error(
      [&] {
        x.masked_fill(bools({3}, {1, 0, 1}), ones({1}));
      },
      {"masked_fill", "0-d", "[1]"});
}

// ---------------------------------------------------------------- chunk / split / unbind
std::vector<Shape> shapes_of(const std::vector<Tensor>& ts) {
  std::vector<Shape> out;
  for (const Tensor& t : ts) out.push_back(t.sizes().vec());
  return out;
}

TEST(Chunk, PieceSizesAsLibtorch) {
  Tensor x = iota({7, 2});
  EXPECT_EQ(shapes_of(x.chunk(3)), (std::vector<Shape>{{3, 2}, {3, 2}, {1, 2}}));
  EXPECT_EQ(shapes_of(x.chunk(4)), (std::vector<Shape>{{2, 2}, {2, 2}, {2, 2}, {1, 2}}));
  // 6 elements in 4 chunks: pieces of 2, so only 3 pieces, as libtorch.
  EXPECT_EQ(shapes_of(iota({6}).chunk(4)), (std::vector<Shape>{{2}, {2}, {2}}));
  EXPECT_EQ(shapes_of(chunk(x, 5, -1)), (std::vector<Shape>{{7, 1}, {7, 1}}));
  EXPECT_EQ(shapes_of(iota({0, 2}).chunk(3)), (std::vector<Shape>{{0, 2}, {0, 2}, {0, 2}}));
  EXPECT_EQ(values(x.chunk(3)[2]), Values({12, 13}));
}

TEST(Chunk, PiecesShareStorageAndGradFnIsSplit) {
  Tensor x = iota({4});
  auto parts = x.chunk(2);
  {
    NoGradGuard guard;
    parts[1].fill_(-2);
  }
  EXPECT_EQ(values(x), Values({0, 1, -2, -2}));
  Tensor xg = zeros({4}, kDouble).requires_grad_(true);
  EXPECT_EQ(grad_fn_name(xg.chunk(2)[0]), "SplitBackward0");
}

TEST(Chunk, Errors) {
  expect_error([] { iota({4}).chunk(0); }, {"chunk", "greater than 0", "0"});
  expect_error([] { full({}, 1.0).chunk(2); }, {"chunk", "0-d"});
}

TEST(Split, BySizeAndBySizes) {
  Tensor x = iota({5, 3});
  auto parts = x.split(2);
  EXPECT_EQ(shapes_of(parts), (std::vector<Shape>{{2, 3}, {2, 3}, {1, 3}}));
  EXPECT_EQ(values(parts[2]), Values({12, 13, 14}));
  EXPECT_EQ(shapes_of(x.split(5)), (std::vector<Shape>{{5, 3}}));
  EXPECT_EQ(shapes_of(x.split(10)), (std::vector<Shape>{{5, 3}}));
  auto cols = split(x, Shape{2, 0, 1}, -1);
  EXPECT_EQ(shapes_of(cols), (std::vector<Shape>{{5, 2}, {5, 0}, {5, 1}}));
  EXPECT_EQ(values(cols[2]), Values({2, 5, 8, 11, 14}));
  EXPECT_EQ(shapes_of(x.split_with_sizes({4, 1})), (std::vector<Shape>{{4, 3}, {1, 3}}));
  EXPECT_EQ(shapes_of(iota({0}).split(0)), (std::vector<Shape>{{0}}));
}

TEST(Split, ViewsShareStorageAndGradientsConcatenate) {
  Tensor x = iota({6});
  auto parts = x.split(4);
  {
    NoGradGuard guard;
    parts[1].fill_(7);
  }
  EXPECT_EQ(values(x), Values({0, 1, 2, 3, 7, 7}));
  Tensor xg = zeros({5}, kDouble).requires_grad_(true);
  auto pieces = xg.split_with_sizes({2, 3});
  EXPECT_EQ(grad_fn_name(pieces[0]), "SplitWithSizesBackward0");
  EXPECT_EQ(grad_fn_name(xg.split({1, 4})[1]), "SplitWithSizesBackward0");
  // Only the second piece is used: the first one's gradient is zeros.
  (pieces[1] * doubles({3}, {1, 2, 3})).sum().backward();
  EXPECT_EQ(values(xg.grad()), Values({0, 0, 1, 2, 3}));
}

TEST(Split, Errors) {
  Tensor x = iota({5, 3});
  expect_error([&] { x.split(-1); }, {"split", "non-negative", "-1"});
  expect_error([&] { x.split(0); }, {"split", "split_size", "0", "size 5"});
  expect_error([] { full({}, 1.0).split(1); }, {"split", "0-d"});
  expect_error(
      [&] {
        x.split_with_sizes({2, 2});
      },
      {"split_with_sizes", "[2, 2]", "sum to 4", "size 5"});
  expect_error([&] { x.split({6, -1}); }, {"split_with_sizes", "non-negative", "[6, -1]"});
  expect_error([&] { x.split(1, 2); }, {"split", "dimension out of range"});
}

TEST(Unbind, ViewsAlongADimAndStackedGradient) {
  Tensor x = iota({2, 3});
  auto cols = x.unbind(-1);
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(values(cols[1]), Values({1, 4}));
  {
    NoGradGuard guard;
    cols[2].fill_(-1);
  }
  EXPECT_EQ(values(x), Values({0, 1, -1, 3, 4, -1}));
  EXPECT_TRUE(iota({0, 2}).unbind(0).empty());
  Tensor xg = zeros({2, 2}, kDouble).requires_grad_(true);
  auto rows = unbind(xg);
  EXPECT_EQ(grad_fn_name(rows[0]), "UnbindBackward0");
  (rows[1] * doubles({2}, {5, 6})).sum().backward();
  EXPECT_EQ(values(xg.grad()), Values({0, 0, 5, 6}));
}

TEST(Unbind, Errors) {
  expect_error([] { full({}, 1.0).unbind(); }, {"unbind", "0-d"});
  expect_error([] { iota({2}).unbind(1); }, {"unbind", "dimension out of range"});
}

// ---------------------------------------------------------------- repeat
TEST(Repeat, TilesAndAddsLeadingDims) {
  Tensor x = iota({2, 2});
  Tensor r = x.repeat({1, 2});
  EXPECT_EQ(values(r), Values({0, 1, 0, 1, 2, 3, 2, 3}));
  Tensor r3 = repeat(x.t(), {2, 1, 1});  // x.t() = [[0, 2], [1, 3]]
  EXPECT_EQ(r3.sizes().vec(), Shape({2, 2, 2}));
  EXPECT_EQ(values(r3), Values({0, 2, 1, 3, 0, 2, 1, 3}));
  EXPECT_EQ(x.repeat({0, 3}).sizes().vec(), Shape({0, 6}));
  Tensor s = full({}, 4.0).repeat({3});
  EXPECT_EQ(values(s), Values({4, 4, 4}));
  EXPECT_EQ(iota({2}, kBool).repeat({2}).dtype(), kBool);
}

TEST(Repeat, GradientSumsTheCopies) {
  Tensor x = zeros({2}, kDouble).requires_grad_(true);
  Tensor r = x.repeat({2, 3});
  EXPECT_EQ(grad_fn_name(r), "RepeatBackward0");
  r.backward(iota({2, 6}, kDouble));
  // x[0] collects columns 0, 2, 4 of both rows: 0 + 2 + 4 + 6 + 8 + 10.
  EXPECT_EQ(values(x.grad()), Values({30, 36}));
}

TEST(Repeat, Errors) {
  expect_error([] { iota({2, 2}).repeat({2}); }, {"repeat", "number of repeats (1)", "[2, 2]"});
  expect_error([] { iota({2}).repeat({-1}); }, {"repeat", "non-negative", "[-1]"});
}

// ---------------------------------------------------------------- cat / stack
TEST(Cat, ValuesAlongEachDim) {
  Tensor a = iota({2, 2}), b = full({1, 2}, 9.0f);
  EXPECT_EQ(values(cat({a, b})), Values({0, 1, 2, 3, 9, 9}));
  Tensor c = cat({a, a.t()}, -1);
  EXPECT_EQ(c.sizes().vec(), Shape({2, 4}));
  EXPECT_EQ(values(c), Values({0, 1, 0, 2, 2, 3, 1, 3}));
  EXPECT_EQ(values(cat({a, iota({0, 2})})), values(a));
  EXPECT_EQ(cat({a}).sizes().vec(), Shape({2, 2}));
}

TEST(Cat, SkipsOneDimEmptyTensorsAsLibtorch) {
  Tensor a = iota({2, 2});
  Tensor r = cat({iota({0}), a, iota({0}, kDouble)}, 1);
  EXPECT_EQ(r.sizes().vec(), Shape({2, 2}));
  EXPECT_EQ(r.dtype(), kDouble);  // skipped tensors still take part in promotion
  EXPECT_EQ(values(r), values(a));
  EXPECT_EQ(cat({iota({0}), iota({0})}).sizes().vec(), Shape({0}));
  Tensor e = zeros({0}, kDouble).requires_grad_(true);
  Tensor b = zeros({1, 2}, kDouble).requires_grad_(true);
  cat({e, b}).sum().backward();
  EXPECT_EQ(e.grad().sizes().vec(), Shape({0}));
  EXPECT_EQ(values(b.grad()), Values({1, 1}));
}

TEST(Cat, PromotesDtypes) {
  EXPECT_EQ(cat({iota({2}), iota({2}, kDouble)}).dtype(), kDouble);
  Tensor lf = cat({iota({2}, kLong), full({1}, 0.5f)});
  EXPECT_EQ(lf.dtype(), kFloat);
  EXPECT_EQ(values(lf), Values({0, 1, 0.5}));
  EXPECT_EQ(cat({iota({2}, kBool), iota({1}, kLong)}).dtype(), kLong);
}

TEST(Cat, GradientsNarrowBackToEachInputInItsDtype) {
  Tensor a = zeros({2}, kDouble).requires_grad_(true);
  Tensor b = zeros({1}, kFloat).requires_grad_(true);
  Tensor c = zeros({2}, kDouble);
  Tensor r = cat({a, b, c});
  EXPECT_EQ(grad_fn_name(r), "CatBackward0");
  EXPECT_EQ(r.dtype(), kDouble);
  r.backward(doubles({5}, {1, 2, 3, 4, 5}));
  EXPECT_EQ(values(a.grad()), Values({1, 2}));
  EXPECT_EQ(b.grad().dtype(), kFloat);
  EXPECT_EQ(values(b.grad()), Values({3}));
  EXPECT_FALSE(c.grad().defined());
}

TEST(Cat, Errors) {
  expect_error([] { cat(std::vector<Tensor>{}); }, {"cat", "non-empty"});
  expect_error([] { cat({iota({2}), full({}, 1.0)}); }, {"cat", "zero-dimensional", "position 1"});
  expect_error(
      [] {
        cat({iota({2, 2}), iota({2})});
      },
      {"cat", "same number of dimensions", "[2, 2]", "[2]"});
  expect_error(
      [] {
        cat({iota({2, 2}), iota({2, 3})});
      },
      {"cat", "dimension 0", "[2, 2]", "[2, 3]", "position 1"});
  expect_error([] { cat({iota({2}), iota({2})}, 1); }, {"cat", "dimension out of range"});
}

TEST(Stack, NewDimAtEachPosition) {
  Tensor a = iota({2, 2}), b = full({2, 2}, 9.0f);
  Tensor s0 = stack({a, b});
  EXPECT_EQ(s0.sizes().vec(), Shape({2, 2, 2}));
  EXPECT_EQ(values(s0), Values({0, 1, 2, 3, 9, 9, 9, 9}));
  Tensor s2 = stack({a, b}, -1);
  EXPECT_EQ(s2.sizes().vec(), Shape({2, 2, 2}));
  EXPECT_EQ(values(s2), Values({0, 9, 1, 9, 2, 9, 3, 9}));
  Tensor s1 = stack({a.t(), b}, 1);
  EXPECT_EQ(values(s1), Values({0, 2, 9, 9, 1, 3, 9, 9}));
  Tensor scalars = stack({full({}, 1.0), full({}, 2.0, kDouble)});
  EXPECT_EQ(scalars.sizes().vec(), Shape({2}));
  EXPECT_EQ(scalars.dtype(), kDouble);
}

TEST(Stack, GradientSelectsEachSlice) {
  Tensor a = zeros({2}, kDouble).requires_grad_(true);
  Tensor b = zeros({2}, kDouble).requires_grad_(true);
  Tensor s = stack({a, b}, 1);
  EXPECT_EQ(grad_fn_name(s), "StackBackward0");
  s.backward(doubles({2, 2}, {1, 2, 3, 4}));
  EXPECT_EQ(values(a.grad()), Values({1, 3}));
  EXPECT_EQ(values(b.grad()), Values({2, 4}));
}

TEST(Stack, Errors) {
  expect_error([] { stack(std::vector<Tensor>{}); }, {"stack", "non-empty"});
  expect_error(
      [] {
        stack({iota({2, 3}), iota({3, 2})});
      },
      {"stack", "equal shape", "[2, 3]", "[3, 2]", "position 1"});
  expect_error([] { stack({iota({2}), iota({2})}, 2); }, {"stack", "dimension out of range"});
}

// ---------------------------------------------------------------- views without grad mode
TEST(Views, NoHistoryWhenInputNeedsNoGrad) {
  Tensor x = iota({3, 4});
  EXPECT_FALSE(x.slice(0, 1).requires_grad());
  EXPECT_FALSE(x[0].grad_fn());
  Tensor xg = zeros({3}, kDouble).requires_grad_(true);
  NoGradGuard guard;
  // As libtorch: a view made without grad mode requires grad through its base, but has no
  // history (a leaf that gradients do not reach).
  EXPECT_TRUE(xg.slice(0, 1).requires_grad());
  EXPECT_TRUE(xg.slice(0, 1).is_leaf());
  EXPECT_FALSE(xg.split(1)[0].grad_fn());
}

}  // namespace
}  // namespace tg
