// Tensor core: factories, dtypes and promotion, broadcasting arithmetic, core views, errors.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

namespace {
using tg::testing::values;
using V = std::vector<double>;
using S = std::vector<int64_t>;
}  // namespace

TEST(Tensor, UndefinedTensor) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_ERROR(t.dim(), "undefined");
}

TEST(Tensor, FactoriesAndQueries) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.dim(), 2);
  EXPECT_EQ(z.sizes().vec(), (S{2, 3}));
  EXPECT_EQ(z.strides().vec(), (S{3, 1}));
  EXPECT_EQ(z.size(-1), 3);
  EXPECT_EQ(z.stride(0), 3);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.dtype(), kFloat);
  EXPECT_EQ(z.scalar_type(), kFloat);
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(values(z), V(6, 0.0));
  EXPECT_EQ(values(ones({2}, kDouble)), (V{1, 1}));
  EXPECT_EQ(ones({2}, kDouble).dtype(), kDouble);
  EXPECT_EQ(full({2}, 7).dtype(), kLong);  // inferred from the value, as libtorch
  EXPECT_EQ(full({2}, 7.5).dtype(), kFloat);
  EXPECT_EQ(values(full({2}, 7.5)), (V{7.5, 7.5}));
  EXPECT_EQ(full({2}, true).dtype(), kBool);
  Tensor like = zeros_like(ones({3, 1}, kDouble));
  EXPECT_EQ(like.dtype(), kDouble);
  EXPECT_EQ(like.sizes().vec(), (S{3, 1}));
  EXPECT_EQ(ones_like(z, kLong).dtype(), kLong);
  EXPECT_EQ(values(full_like(z, 2)), V(6, 2.0));
  EXPECT_EQ(empty_like(z).sizes().vec(), (S{2, 3}));
  EXPECT_TRUE(ones({2}, requires_grad()).requires_grad());
  EXPECT_TRUE(ones({2}, TensorOptions().dtype(kDouble).requires_grad(true)).requires_grad());
  EXPECT_EQ(ones({}).dim(), 0);
  EXPECT_EQ(ones({}).numel(), 1);
  EXPECT_EQ(ones({0, 3}).numel(), 0);
  EXPECT_ERROR(zeros({2, -1}), "negative dimension", "[2, -1]");
}

TEST(Tensor, TensorFromValues) {
  EXPECT_EQ(tensor({1.5, 2.5}).dtype(), kFloat);
  EXPECT_EQ(tensor({1, 2}).dtype(), kLong);
  EXPECT_EQ(tensor({true, false}).dtype(), kBool);
  EXPECT_EQ(tensor({1.5, 2.5}, kDouble).dtype(), kDouble);
  EXPECT_EQ(tensor(std::vector<double>{1, 2, 3}, kDouble).numel(), 3);
  EXPECT_EQ(tensor(std::vector<float>{1, 2}).dtype(), kFloat);
  EXPECT_EQ(tensor(std::vector<int64_t>{1, 2}).dtype(), kLong);
  EXPECT_EQ(values(tensor(std::vector<bool>{true, false})), (V{1, 0}));
  EXPECT_EQ(values(tensor({1, 2, 3})), (V{1, 2, 3}));
  EXPECT_EQ(scalar_tensor(3.5).dim(), 0);
  EXPECT_DOUBLE_EQ(scalar_tensor(3.5).item<double>(), 3.5);
}

TEST(Tensor, FromBlobSharesMemory) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(data, {2, 3});
  EXPECT_EQ(t.data_ptr<float>(), data);
  data[4] = 50;
  EXPECT_FLOAT_EQ(t[1][1].item<float>(), 50.f);
  Tensor strided = from_blob(data, {3}, {2});
  EXPECT_EQ(values(strided), (V{1, 3, 50}));
}

TEST(Tensor, ItemAndDataPtr) {
  EXPECT_FLOAT_EQ(tensor({2.5f}).item<float>(), 2.5f);
  EXPECT_EQ(tensor({7}).item<int64_t>(), 7);
  EXPECT_ERROR(ones({2, 2}).item(), "item", "4 elements", "[2, 2]");
  EXPECT_ERROR(ones({2}).data_ptr<double>(), "data_ptr", "Double", "Float");
}

TEST(Tensor, Promotion) {
  Tensor f = ones({2}), d = ones({2}, kDouble), l = ones({2}, kLong), b = ones({2}, kBool);
  EXPECT_EQ((f + d).dtype(), kDouble);
  EXPECT_EQ((l * 2).dtype(), kLong);
  EXPECT_EQ((l * 2.5).dtype(), kFloat);
  EXPECT_EQ((f * 2.5).dtype(), kFloat);  // a double Scalar does not promote a Float tensor
  EXPECT_EQ((l + f).dtype(), kFloat);
  EXPECT_EQ((b + b).dtype(), kBool);
  EXPECT_EQ((b + 1).dtype(), kLong);
  EXPECT_EQ((l / l).dtype(), kFloat);  // true division
  EXPECT_EQ(values(tensor({3}) / tensor({2})), (V{1.5}));
  EXPECT_EQ((f < 1).dtype(), kBool);
  // A 0-d tensor counts only when it is of a higher kind.
  EXPECT_EQ((f + scalar_tensor(1.0, kDouble)).dtype(), kFloat);
  EXPECT_EQ((l + scalar_tensor(1.0, kDouble)).dtype(), kDouble);
  EXPECT_EQ(result_type(f, d), kDouble);
  EXPECT_EQ(result_type(l, Scalar(1.5)), kFloat);
  EXPECT_ERROR(b - b, "sub", "bool");
  EXPECT_ERROR(-b, "neg", "bool");
}

TEST(Tensor, BroadcastingArithmetic) {
  Tensor a = tensor({1.0, 2.0, 3.0}, kDouble).view({3, 1});
  Tensor b = tensor({10.0, 20.0}, kDouble);
  EXPECT_EQ(values(a + b), (V{11, 21, 12, 22, 13, 23}));
  EXPECT_EQ(values(a - b), (V{-9, -19, -8, -18, -7, -17}));
  EXPECT_EQ(values(a * b), (V{10, 20, 20, 40, 30, 60}));
  EXPECT_EQ(values(b / a), (V{10, 20, 5, 10, 10.0 / 3, 20.0 / 3}));
  EXPECT_EQ(values(add(a, b, 2)), (V{21, 41, 22, 42, 23, 43}));
  EXPECT_EQ(values(sub(b, 1.0, 2)), (V{8, 18}));
  EXPECT_EQ(values(2.0 - b), (V{-8, -18}));
  EXPECT_EQ(values(40.0 / b), (V{4, 2}));
  EXPECT_EQ(values(3 + b), (V{13, 23}));
  EXPECT_EQ(values(3 * b), (V{30, 60}));
  EXPECT_EQ(values(-b), (V{-10, -20}));
  EXPECT_ERROR(ones({2, 3}) + ones({4}), "size of tensor a (3) must match the size of tensor b (4)",
               "[2, 3]", "[4]", "not broadcastable");
  EXPECT_EQ(broadcast_shapes(S{2, 1}, S{3}).vec(), (S{2, 3}));
}

TEST(Tensor, NonContiguousOperands) {
  Tensor m = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, kDouble).view({2, 3});
  Tensor mt = m.t();
  EXPECT_FALSE(mt.is_contiguous());
  EXPECT_EQ(values(mt + 0), (V{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(values(mt * mt), (V{1, 16, 4, 25, 9, 36}));
}

TEST(Tensor, Comparisons) {
  Tensor a = tensor({1.0, 2.0, 3.0});
  EXPECT_EQ(values(a == 2), (V{0, 1, 0}));
  EXPECT_EQ(values(a != 2), (V{1, 0, 1}));
  EXPECT_EQ(values(a < 2), (V{1, 0, 0}));
  EXPECT_EQ(values(a <= 2), (V{1, 1, 0}));
  EXPECT_EQ(values(a > tensor({0.0, 5.0, 1.0})), (V{1, 0, 1}));
  EXPECT_EQ(values(a.ge(3)), (V{0, 0, 1}));
  EXPECT_EQ(values(tensor({2}).lt(2.5)), (V{1}));
  EXPECT_EQ((a == a).dtype(), kBool);
}

TEST(Tensor, InPlaceArithmetic) {
  Tensor a = tensor({1.0, 2.0}, kDouble);
  a += 1;
  a *= tensor({2.0, 3.0}, kDouble);
  a -= 1;
  a /= 2;
  EXPECT_EQ(values(a), (V{1.5, 4}));
  EXPECT_EQ(a._version(), 4u);
  a.add_(ones({2}, kDouble), 2).sub_(1.0).mul_(2).div_(ones({2}, kDouble));
  EXPECT_EQ(values(a), (V{5, 10}));
  a.neg_();
  EXPECT_EQ(values(a), (V{-5, -10}));
  a.zero_();
  EXPECT_EQ(values(a), (V{0, 0}));
  a.fill_(3);
  EXPECT_EQ(values(a), (V{3, 3}));
  a.copy_(tensor({7.f, 8.f}));
  EXPECT_EQ(values(a), (V{7, 8}));
  Tensor l = tensor({1, 2});
  EXPECT_ERROR(l.add_(1.5), "add_", "result type Float can't be cast", "Long");
  EXPECT_ERROR(ones({2}).add_(ones({3, 2})), "add_", "output with shape [2]",
               "broadcast shape [3, 2]");
  Tensor m = zeros({2, 2});
  m.add_(tensor({1.f, 2.f}));  // the other operand may broadcast
  EXPECT_EQ(values(m), (V{1, 2, 1, 2}));
}

TEST(Tensor, ViewsShareStorage) {
  Tensor a = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, kDouble);
  Tensor v = a.view({2, 3});
  EXPECT_EQ(v.data_ptr(), a.data_ptr());
  v.mul_(2);
  EXPECT_EQ(values(a), (V{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(a._version(), 1u);  // views share the version counter
  EXPECT_EQ(a.view({-1, 2}).sizes().vec(), (S{3, 2}));
  EXPECT_EQ(a.view({3, 2}).t().sizes().vec(), (S{2, 3}));
  EXPECT_EQ(a.view({2, 3}).transpose(0, 1).strides().vec(), (S{1, 3}));
  EXPECT_EQ(a.view({2, 3}).permute({1, 0}).sizes().vec(), (S{3, 2}));
  EXPECT_EQ(a.view({1, 6, 1}).squeeze().sizes().vec(), (S{6}));
  EXPECT_EQ(a.view({1, 6, 1}).squeeze(-1).sizes().vec(), (S{1, 6}));
  EXPECT_EQ(a.unsqueeze(0).sizes().vec(), (S{1, 6}));
  EXPECT_EQ(a.unsqueeze(-1).sizes().vec(), (S{6, 1}));
  Tensor e = tensor({1.0, 2.0}, kDouble).view({2, 1}).expand({2, 3});
  EXPECT_EQ(e.strides().vec(), (S{1, 0}));
  EXPECT_EQ(values(e), (V{1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(tensor({1.0}).expand({-1}).sizes().vec(), (S{1}));
  EXPECT_EQ(e.expand_as(ones({4, 2, 3})).sizes().vec(), (S{4, 2, 3}));
}

TEST(Tensor, ReshapeCopiesOnlyWhenItMust) {
  Tensor a = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, kDouble).view({2, 3});
  EXPECT_EQ(a.reshape({3, 2}).data_ptr(), a.data_ptr());
  Tensor t = a.t();
  Tensor r = t.reshape({6});
  EXPECT_NE(r.data_ptr(), a.data_ptr());
  EXPECT_EQ(values(r), (V{1, 4, 2, 5, 3, 6}));
  EXPECT_ERROR(t.view({6}), "view", "not compatible", "[3, 2]", "stride [1, 3]", "reshape");
  EXPECT_ERROR(a.view({4, 2}), "view", "shape [4, 2] is invalid for input of size 6");
  EXPECT_ERROR(a.view({-1, -1}), "only one dimension can be inferred");
  EXPECT_TRUE(t.contiguous().is_contiguous());
  EXPECT_EQ(values(t.contiguous()), (V{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(a.contiguous().data_ptr(), a.data_ptr());
  EXPECT_NE(a.clone().data_ptr(), a.data_ptr());
}

TEST(Tensor, DimErrors) {
  Tensor a = ones({2, 3});
  EXPECT_ERROR(a.transpose(0, 2), "transpose", "dimension out of range", "[-2, 1]", "got 2");
  EXPECT_ERROR(a.size(5), "size", "out of range");
  EXPECT_ERROR(a.unsqueeze(4), "unsqueeze", "out of range");
  EXPECT_ERROR(a.sum(3), "sum", "out of range");
  EXPECT_ERROR(a.permute({0}), "permute", "number of dims don't match");
  EXPECT_ERROR(a.permute({0, 0}), "permute", "repeated dim");
  EXPECT_ERROR(a.expand({3, 3}), "expand", "must match the existing size (2)");
  EXPECT_ERROR(ones({2, 2, 2}).t(), "t", "<= 2 dimensions");
}

TEST(Tensor, ToDtype) {
  Tensor a = tensor({1.7, -2.2}, kDouble);
  EXPECT_EQ(a.to(kDouble).data_ptr(), a.data_ptr());
  EXPECT_EQ(values(a.to(kLong)), (V{1, -2}));
  EXPECT_EQ(values(a.to(kBool)), (V{1, 1}));
  EXPECT_EQ(a.to(kFloat).dtype(), kFloat);
  EXPECT_EQ(a.to(TensorOptions(kFloat)).dtype(), kFloat);
}

TEST(Tensor, Sum) {
  Tensor a = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, kDouble).view({2, 3});
  EXPECT_DOUBLE_EQ(a.sum().item<double>(), 21);
  EXPECT_EQ(values(a.sum(0)), (V{5, 7, 9}));
  EXPECT_EQ(values(a.sum(-1)), (V{6, 15}));
  EXPECT_EQ(a.sum(1, true).sizes().vec(), (S{2, 1}));
  EXPECT_EQ(values(a.sum({0, 1})), (V{21}));
  EXPECT_EQ(values(a.t().sum(0)), (V{6, 15}));
  EXPECT_EQ(tensor({1, 2}).sum().dtype(), kLong);
  EXPECT_EQ(tensor({true, true}).sum().item<int64_t>(), 2);
  EXPECT_EQ(ones({2}).sum(kDouble).dtype(), kDouble);
  EXPECT_EQ(zeros({0}).sum().item<float>(), 0.f);
  EXPECT_ERROR(a.sum({0, 0}), "sum", "appears multiple times");
  // Large sums are deterministic and accurate.
  Tensor big = ones({1 << 20});
  EXPECT_FLOAT_EQ(big.sum().item<float>(), float(1 << 20));
  EXPECT_EQ(values(sum_to(ones({2, 3, 4}), S{3, 1})), (V{8, 8, 8}));
}

TEST(Tensor, AllcloseAndEqual) {
  Tensor a = tensor({1.0, 2.0});
  EXPECT_TRUE(allclose(a, a + 1e-9));
  EXPECT_FALSE(allclose(a, a + 1e-3));
  EXPECT_TRUE(a.allclose(a + 1e-3, 1e-2));
  EXPECT_TRUE(equal(a, tensor({1.0, 2.0})));
  EXPECT_FALSE(equal(a, tensor({1.0, 2.5})));
  EXPECT_FALSE(equal(a, tensor({1.0, 2.0, 3.0})));
}

TEST(Tensor, Threads) {
  int before = get_num_threads();
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
  set_num_threads(before);
  EXPECT_ERROR(set_num_threads(0), "set_num_threads", "positive");
}
