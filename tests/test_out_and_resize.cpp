// The out= forms of ops, resize_, assignment to a temporary (x[0] = y), and cross's errors.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {
using testing::values;

TEST(OutForms, WriteIntoOutAndCountAsAnInPlaceChange) {
  Tensor a = arange(4, kDouble), b = full({4}, 2.0, kDouble);
  Tensor out = empty({4}, kDouble);
  const uint32_t version = out._version();
  Tensor& r = mul_out(out, a, b);
  EXPECT_TRUE(r.is_same(out));
  EXPECT_EQ(values(out), (std::vector<double>{0, 2, 4, 6}));
  EXPECT_EQ(out._version(), version + 1);
  add_out(out, a, b, 10);
  EXPECT_EQ(values(out), (std::vector<double>{20, 21, 22, 23}));
  sub_out(out, a, b);
  EXPECT_EQ(values(out), (std::vector<double>{-2, -1, 0, 1}));
  div_out(out, a, b);
  EXPECT_EQ(values(out), (std::vector<double>{0, 0.5, 1, 1.5}));
}

TEST(OutForms, ResizeTheOutTensor) {
  Tensor x = arange(6, kDouble).reshape({2, 3});
  Tensor w = ones({4, 3}, kDouble);
  Tensor y = empty({0}, kDouble);
  linear_out(y, x, w, arange(4, kDouble));
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(values(y), (std::vector<double>{3, 4, 5, 6, 12, 13, 14, 15}));
  Tensor m = empty({0}, kDouble);
  mm_out(m, x, w.t());
  EXPECT_EQ(values(m), (std::vector<double>{3, 3, 3, 3, 12, 12, 12, 12}));
  matmul_out(m, x, ones({3}, kDouble));
  EXPECT_EQ(values(m), (std::vector<double>{3, 12}));
}

TEST(OutForms, RefuseAutogradAndInferenceTensors) {
  Tensor s = ones({2}, kDouble).requires_grad_(true);
  Tensor out = empty({2}, kDouble);
  EXPECT_ERROR(mul_out(out, s, s), "mul()",
               "out=... arguments don't support automatic differentiation, but one of the "
               "arguments requires grad");
  {
    NoGradGuard no_grad;
    mul_out(out, s, s);  // nothing to record
  }
  Tensor c;
  {
    InferenceMode guard;
    c = ones({2}, kDouble);
  }
  EXPECT_ERROR(mul_out(c, out, out), "mul_out",
               "Inplace update to inference tensor outside InferenceMode is not allowed");
  Tensor l = empty({2}, kLong);
  EXPECT_ERROR(mul_out(l, out, out), "mul_out", "can't be cast to the desired output type");
  Tensor undefined;
  EXPECT_ERROR(mul_out(undefined, out, out), "mul_out", "undefined");
}

TEST(Resize, KeepsTheDataAndGrowsTheStorage) {
  Tensor x = arange(4, kDouble);
  x.resize_({2, 2});
  EXPECT_EQ(x.sizes().vec(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values(x), (std::vector<double>{0, 1, 2, 3}));
  x.resize_({3, 2});
  EXPECT_EQ(x.numel(), 6);
  EXPECT_EQ(values(x.narrow(0, 0, 2)), (std::vector<double>{0, 1, 2, 3}));
  x.resize_({1});
  EXPECT_EQ(values(x), (std::vector<double>{0}));
  EXPECT_ERROR(x.resize_({-1}), "resize_", "negative dimension");
  EXPECT_ERROR(Tensor().resize_({1}), "Tensor", "undefined");
  Tensor g = ones({2}, kDouble).requires_grad_(true);
  EXPECT_ERROR(g.resize_({4}), "resize_", "cannot resize variables that require grad");
}

TEST(Resize, LentMemoryShrinksButDoesNotGrow) {
  double data[4] = {1, 2, 3, 4};
  Tensor x = from_blob(data, {4}, kDouble);
  x.resize_({2});
  EXPECT_EQ(values(x), (std::vector<double>{1, 2}));
  x.resize_({4});  // within the lent memory
  EXPECT_EQ(x.data_ptr<double>(), data);
  EXPECT_ERROR(x.resize_({5}), "resize_", "Trying to resize storage that is not resizable");
}

TEST(Assignment, ToATemporaryWritesValues) {
  Tensor x = zeros({2, 3}, kDouble);
  x[1] = arange(3, kDouble);
  x[0][2] = 7.0;
  EXPECT_EQ(values(x), (std::vector<double>{0, 0, 7, 0, 1, 2}));
  Tensor y = x;  // plain assignment still rebinds the handle
  y = ones({1});
  EXPECT_EQ(x.numel(), 6);
}

TEST(Cross, Errors) {
  EXPECT_ERROR(cross(ones({2, 4}), ones({2, 4})), "cross", "no dimension of size 3");
  EXPECT_ERROR(cross(ones({2, 4}), ones({2, 4}), 1), "cross",
               "inputs dimension 1 must have length 3. Got 4 and 4");
  EXPECT_ERROR(cross(ones({2, 3}), ones({3})), "cross",
               "inputs must have the same number of dimensions");
  EXPECT_ERROR(cross(ones({2, 3}), ones({2, 3}, kDouble)), "cross", "expected scalar type");
  EXPECT_EQ(cross(ones({3, 2}), ones({3, 1})).sizes().vec(), (std::vector<int64_t>{3, 2}));
}

}  // namespace
}  // namespace tg
