// Python-style indexing: torch::indexing's objects, Tensor::index / index_put_ over them, and
// the advanced-indexing ops index, index_put(_), nonzero. Expected values are PyTorch 1.13's.
#include <gtest/gtest.h>

#include <sstream>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;
using namespace tg::indexing;

namespace {
using tg::testing::values;
using V = std::vector<double>;
using S = std::vector<int64_t>;

template <class T>
std::string printed(const T& v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

/// 0..23 as a Long tensor of shape [2, 3, 4].
Tensor iota234() { return arange(24).view({2, 3, 4}); }
}  // namespace

TEST(Indexing, SliceObject) {
  Slice s(1, 2, 3);
  EXPECT_EQ(s.start(), 1);
  EXPECT_EQ(s.stop(), 2);
  EXPECT_EQ(s.step(), 3);
  EXPECT_EQ(printed(s), "1:2:3");
  EXPECT_EQ(Slice().start(), 0);
  EXPECT_EQ(Slice().stop(), INDEX_MAX);
  EXPECT_EQ(Slice(None, None, -1).start(), INDEX_MAX);
  EXPECT_EQ(Slice(None, None, -1).stop(), INDEX_MIN);
  EXPECT_EQ(Slice(None, None, INDEX_MIN).step(), -INDEX_MAX);
  EXPECT_ERROR(Slice(0, 1, 0), "slice step cannot be zero");
}

TEST(Indexing, TensorIndexObject) {
  std::vector<TensorIndex> list = {None, "...", Ellipsis, 3, true, Slice(1, None, 2)};
  EXPECT_TRUE(list[0].is_none());
  EXPECT_TRUE(list[1].is_ellipsis());
  EXPECT_TRUE(list[2].is_ellipsis());
  EXPECT_TRUE(list[3].is_integer());
  EXPECT_EQ(list[3].integer(), 3);
  EXPECT_TRUE(list[4].is_boolean());
  EXPECT_TRUE(list[4].boolean());
  EXPECT_TRUE(list[5].is_slice());
  EXPECT_EQ(printed(list), "(None, ..., ..., 3, true, 1:" + std::to_string(INDEX_MAX) + ":2)");
  TensorIndex t(tensor({1, 2}));
  EXPECT_TRUE(t.is_tensor());
  EXPECT_EQ(values(t.tensor()), (V{1, 2}));
  EXPECT_ERROR(TensorIndex(".."),
               "Expected \"...\" to represent an ellipsis index, but got \"..\"");
}

TEST(Indexing, BasicIndexingGivesViews) {
  Tensor x = iota234();
  Tensor a = x.index({1, Slice(None, None, 2), -1});
  EXPECT_EQ(a.sizes().vec(), (S{2}));
  EXPECT_EQ(values(a), (V{15, 23}));
  EXPECT_EQ(a.data_ptr(), x.select(0, 1).select(1, 3).data_ptr());
  Tensor b = x.index({"...", None, 1});
  EXPECT_EQ(b.sizes().vec(), (S{2, 3, 1}));
  EXPECT_EQ(values(b), (V{1, 5, 9, 13, 17, 21}));
  EXPECT_EQ(x.index({None}).sizes().vec(), (S{1, 2, 3, 4}));
  EXPECT_EQ(x.index({Slice(), None, None}).sizes().vec(), (S{2, 1, 1, 3, 4}));
  // x[...] is a new tensor over the same data.
  Tensor all = x.index({"..."});
  EXPECT_FALSE(all.is_same(x));
  EXPECT_EQ(all.data_ptr(), x.data_ptr());
  // A 0-d integer tensor indexes as the integer: a view.
  EXPECT_EQ(x.index({tensor(1), 2}).data_ptr(), x.index({1, 2}).data_ptr());
  Tensor empty_slice = x.index({Slice(), Slice(1, 1)});
  EXPECT_EQ(empty_slice.sizes().vec(), (S{2, 0, 4}));
  EXPECT_EQ(empty_slice.strides().vec(), (S{12, 4, 1}));
}

TEST(Indexing, AdvancedIndexing) {
  Tensor x = iota234();
  Tensor a = x.index({Slice(), tensor({0, 2}), Slice(1, 3)});
  EXPECT_EQ(a.sizes().vec(), (S{2, 2, 2}));
  EXPECT_EQ(values(a), (V{1, 2, 9, 10, 13, 14, 21, 22}));
  // Index tensors apart: their dimensions go first.
  Tensor b = x.index({tensor({0, 1}), Slice(), tensor({1, 3})});
  EXPECT_EQ(b.sizes().vec(), (S{2, 3}));
  EXPECT_EQ(values(b), (V{1, 5, 9, 15, 19, 23}));
  // Index tensors broadcast together.
  Tensor c = x.index({0, tensor({{0}, {2}}), tensor({1, 3})});
  EXPECT_EQ(c.sizes().vec(), (S{2, 2}));
  EXPECT_EQ(values(c), (V{1, 3, 9, 11}));
  // Negative indices count from the end; the result is a copy.
  Tensor d = x.index({tensor({-1})});
  EXPECT_EQ(d.sizes().vec(), (S{1, 3, 4}));
  EXPECT_EQ(d.index({0, 0, 0}).item<int64_t>(), 12);
  EXPECT_NE(d.data_ptr(), x.index({1}).data_ptr());
  // The same through tg::index (one optional tensor per dimension) and operator[].
  Tensor e = tg::index(x, {std::nullopt, tensor({2, 0})});
  EXPECT_EQ(values(e.index({0})), (V{8, 9, 10, 11, 0, 1, 2, 3}));
  EXPECT_TRUE(x[tensor({1})].equal(x.index({Slice(1, 2)})));
  // A non-contiguous source.
  Tensor tx = x.transpose(0, 2);  // [4, 3, 2]
  EXPECT_EQ(values(tx.index({tensor({3}), 1})), (V{7, 19}));
}

TEST(Indexing, MasksAndBools) {
  Tensor x = iota234();
  EXPECT_EQ(values(x.index({x.remainder(3) == 0})), (V{0, 3, 6, 9, 12, 15, 18, 21}));
  Tensor m = x.index({1, x.index({0, Slice(), 0}) > 3});
  EXPECT_EQ(m.sizes().vec(), (S{2, 4}));
  EXPECT_EQ(values(m.index({0})), (V{16, 17, 18, 19}));
  EXPECT_EQ(x.index({true}).sizes().vec(), (S{1, 2, 3, 4}));
  EXPECT_EQ(x.index({false}).sizes().vec(), (S{0, 2, 3, 4}));
  EXPECT_EQ(x.index({false, true, "..."}).sizes().vec(), (S{0, 2, 3, 4}));
  EXPECT_EQ(x.index({tensor(true)}).sizes().vec(), (S{1, 2, 3, 4}));
  EXPECT_EQ(values(nonzero(tensor({{0, 1}, {2, 0}}))), (V{0, 1, 1, 0}));
  EXPECT_EQ(nonzero(zeros({2, 2})).sizes().vec(), (S{0, 2}));
}

// Byte tensors index as masks, as libtorch's older mask dtype: the same results as Bool masks.
TEST(Indexing, ByteTensorsAreMasks) {
  Tensor x = iota234();
  const Tensor mask = x.remainder(3) == 0;
  EXPECT_EQ(values(x.index({mask.to(kByte)})), values(x.index({mask})));
  EXPECT_EQ(x.index({tensor(1, kByte)}).sizes().vec(), (S{1, 2, 3, 4}));
  EXPECT_EQ(x.index({tensor(0, kByte)}).sizes().vec(), (S{0, 2, 3, 4}));
  Tensor y = zeros({2, 3});
  y.index_put_({tensor({uint8_t{0}, uint8_t{1}})}, 4.0);
  EXPECT_EQ(values(y), (V{0, 0, 0, 4, 4, 4}));
  EXPECT_ERROR(ones({5}).index({empty({0, 2}, kByte)}), "too many indices");
}

TEST(Indexing, IndexPut) {
  Tensor y = zeros({3, 4}, kLong);
  y.index_put_({tensor({0, 2}), Slice(1, None)}, tensor({7, 8, 9}));
  EXPECT_EQ(values(y), (V{0, 7, 8, 9, 0, 0, 0, 0, 0, 7, 8, 9}));
  y.index_put_({1}, 5);
  EXPECT_EQ(values(y.index({1})), (V{5, 5, 5, 5}));
  y.index_put_({y > 6}, -1);
  EXPECT_EQ(values(y.index({0})), (V{0, -1, -1, -1}));
  // Through a view: written in place.
  Tensor z = zeros({4, 4});
  Tensor col = z.t();
  col.index_put_({tensor({1, 3}), 0}, tensor({1.5f, 2.5f}));
  EXPECT_EQ(values(z.index({0})), (V{0, 1.5, 0, 2.5}));
  // Values with leading 1s, as NumPy allows.
  Tensor w = zeros({2, 3});
  w.index_put_({"..."}, ones({1, 1, 2, 3}));
  EXPECT_EQ(values(w), V(6, 1.0));
  // accumulate adds repeated indices up.
  Tensor acc = zeros({4}, kLong);
  acc.index_put_({tensor({0, 0, 3})}, tensor({1, 2, 5}), /*accumulate=*/true);
  EXPECT_EQ(values(acc), (V{3, 0, 0, 5}));
  Tensor fresh = index_put(zeros({3}), {tensor({1})}, ones({1}));
  EXPECT_EQ(values(fresh), (V{0, 1, 0}));
}

TEST(Indexing, Autograd) {
  Tensor x = arange(6, kDouble).view({2, 3}).requires_grad_();
  Tensor y = x.index({Slice(), tensor({2, 0, 2})});
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 0, 2, 1, 0, 2}));
  Tensor v = ones({2}, kDouble).requires_grad_();
  Tensor base = zeros({2, 3}, kDouble).requires_grad_();
  Tensor out = base.index_put({std::nullopt, tensor({1})}, v.view({2, 1}));
  (out * arange(6, kDouble).view({2, 3})).sum().backward();
  EXPECT_EQ(values(v.grad()), (V{1, 4}));
  EXPECT_EQ(values(base.grad()), (V{0, 0, 2, 3, 0, 5}));
}

TEST(Indexing, Errors) {
  Tensor x = arange(100).view({2, 5, 10});
  EXPECT_ERROR(x.index({0, 5}), "index 5 is out of bounds for dimension 1 with size 5");
  EXPECT_ERROR(x.index({Slice(), Slice(), 12}),
               "index 12 is out of bounds for dimension 2 with size 10");
  EXPECT_ERROR(x.index({tensor({0, 2})}), "index 2 is out of bounds for dimension 0 with size 2");
  EXPECT_ERROR(tensor(10).index({0}), "invalid index of a 0-dim tensor");
  EXPECT_ERROR(x.index({0, 0, 0, 0}), "too many indices for tensor of dimension 3 (got 4)");
  EXPECT_ERROR(x.index({}), "Passing an empty index list to Tensor::index() is not valid syntax");
  EXPECT_ERROR(x.index_put_({}, 1),
               "Passing an empty index list to Tensor::index_put_() is not valid syntax");
  EXPECT_ERROR(x.index({Slice(None, None, -1)}), "step must be greater than zero");
  EXPECT_ERROR(x.index({"...", "..."}), "an index can only have a single ellipsis");
  EXPECT_ERROR(x.index({tensor({0, 1}), tensor({0, 1, 2})}),
               "shape mismatch: indexing tensors could not be broadcast together with shapes "
               "[2], [3]");
  EXPECT_ERROR(ones({5, 4, 3}).index({tensor({true})}),
               "The shape of the mask [1] at index 0 does not match the shape of the indexed "
               "tensor [5, 4, 3] at index 0");
  EXPECT_ERROR(x.index({tensor({0.5})}), "tensors used as indices must be long");
  EXPECT_ERROR(empty({10, 0}).index({Slice(), tensor({0, 1})}),
               "index is out of bounds for dimension with size 0");
  EXPECT_ERROR(zeros({4}).index_put_({tensor({0, 1})}, ones({3})),
               "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result "
               "of shape [2]");
  EXPECT_ERROR(zeros({4}).index_put_({tensor({0})}, ones({1}, kDouble)),
               "Index put requires the source and destination dtypes match, got Float for the "
               "destination and Double for the source.");
  EXPECT_ERROR(index(x, {tensor(true)}), "0-d Bool index");
}

TEST(Indexing, AsStrided) {
  Tensor x = arange(9).view({3, 3});
  Tensor w = as_strided(x, {2, 2}, {1, 3}, 1);
  EXPECT_EQ(values(w), (V{1, 4, 2, 5}));
  EXPECT_EQ(w.data_ptr<int64_t>(), x.data_ptr<int64_t>() + 1);
  EXPECT_TRUE(_reshape_alias(x, {9}, {1}).equal(x.view({-1})));
  EXPECT_EQ(values(x.select(0, 1).as_strided({2}, {2})), (V{3, 5}));  // from the view's offset
  EXPECT_ERROR(as_strided(x, {3, 3}, {3, 1}, 1),
               "setStorage: sizes [3, 3], strides [3, 1], storage offset 1, and itemsize 8 "
               "requiring a storage size of 80 are out of bounds for storage of size 72");
  EXPECT_ERROR(as_strided(x, {2}, {1, 1}), "mismatch in length of strides and shape");
  // Gradients of overlapping windows add up.
  Tensor v = ones({4}, kDouble).requires_grad_();
  as_strided(v, {3, 2}, {1, 1}).sum().backward();
  EXPECT_EQ(values(v.grad()), (V{1, 2, 2, 1}));
}
