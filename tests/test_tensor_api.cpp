// More of libtorch's Tensor API: tests of values, all/any, binary max/min, var_mean/std_mean,
// the _as forms, assignment to temporaries, output_nr, set_data and the in-place random fills.
// Expected values are PyTorch 1.13's.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

namespace {
using tg::testing::values;
using V = std::vector<double>;
using S = std::vector<int64_t>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST(TensorApi, TestsOfValues) {
  Tensor x = tensor({{1., kNaN, 0.}, {kInf, -kInf, 2.}});
  EXPECT_EQ(values(x.isnan()), (V{0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(values(isinf(x)), (V{0, 0, 0, 1, 1, 0}));
  EXPECT_EQ(values(x.isfinite()), (V{1, 0, 1, 0, 0, 1}));
  EXPECT_EQ(x.isnan().dtype(), kBool);
  EXPECT_EQ(values(tensor({1, 2}).isnan()), (V{0, 0}));
  EXPECT_EQ(values(tensor({1, 2}).isfinite()), (V{1, 1}));
}

TEST(TensorApi, AllAny) {
  Tensor x = tensor({{1., kNaN, 0.}, {kInf, -kInf, 2.}});
  EXPECT_FALSE(x.all().item<bool>());
  EXPECT_TRUE(x.any().item<bool>());
  EXPECT_EQ(x.all().dim(), 0);
  EXPECT_EQ(x.all().dtype(), kBool);
  EXPECT_EQ(values(x.all(1)), (V{0, 1}));
  EXPECT_EQ(values(any(x, 0)), (V{1, 1, 1}));
  EXPECT_EQ(x.all(0, /*keepdim=*/true).sizes().vec(), (S{1, 3}));
  EXPECT_TRUE(zeros({0}).all().item<bool>());
  EXPECT_FALSE(zeros({0}).any().item<bool>());
  EXPECT_TRUE((tensor({1, 2}) > 0).all().item<bool>());
}

TEST(TensorApi, BinaryMaxMinAndMoments) {
  Tensor a = tensor({1., 5., 3.}), b = tensor({4., 2., 3.});
  EXPECT_EQ(values(max(a, b)), (V{4, 5, 3}));
  EXPECT_EQ(values(a.min(b)), (V{1, 2, 3}));
  auto [v, m] = var_mean(tensor({{1., 2.}, {3., 5.}}), 0);
  EXPECT_EQ(values(v), (V{2.0, 4.5}));
  EXPECT_EQ(values(m), (V{2.0, 3.5}));
  auto [s, mm] = std_mean(tensor({1., 2., 4.}));
  EXPECT_NEAR(s.item<double>(), 1.5275251865386963, 1e-6);
  EXPECT_NEAR(mm.item<double>(), 2.3333332538604736, 1e-6);
  EXPECT_EQ(tg::var(randn({4, 3}), 0).numel(), 3);
  EXPECT_EQ(std::get<0>(std_mean(randn({4, 3}), 0, /*unbiased=*/true)).numel(), 3);
}

TEST(TensorApi, AsForms) {
  Tensor x = arange(6);
  EXPECT_EQ(x.reshape_as(zeros({2, 3})).sizes().vec(), (S{2, 3}));
  EXPECT_EQ(x.type_as(zeros({1}, kDouble)).dtype(), kDouble);
  EXPECT_EQ(x.cpu().data_ptr(), x.data_ptr());
}

TEST(TensorApi, AssignmentToTemporariesWritesThrough) {
  Tensor x = zeros({2, 2});
  x[0][1] = 2.5;
  x[1] = tensor({7.f, 8.f});
  EXPECT_EQ(values(x), (V{0, 2.5, 7, 8}));
  x.index({indexing::Slice(), 0}) = 1;
  EXPECT_EQ(values(x), (V{1, 2.5, 1, 8}));
  // An lvalue handle is rebound, never written into.
  Tensor y = ones({2});
  Tensor z = y;
  z = zeros({3});
  EXPECT_EQ(values(y), (V{1, 1}));
  EXPECT_EQ(z.numel(), 3);
}

TEST(TensorApi, OutputNrAndSetData) {
  Tensor x = tensor({5.f}, requires_grad());
  EXPECT_EQ(x.output_nr(), 0u);
  EXPECT_EQ((x * x).output_nr(), 0u);
  auto parts = (x * ones({4})).split(2);
  EXPECT_EQ(parts[1].output_nr(), 1u);

  Tensor a = randn({5}), b = randn({3}, kDouble);
  a.set_data(b);
  EXPECT_EQ(a.data_ptr(), b.data_ptr());
  EXPECT_EQ(a.dtype(), kDouble);
  EXPECT_EQ(a.sizes().vec(), (S{3}));
  // The tensor keeps its own autograd identity.
  Tensor w = zeros({2}, requires_grad());
  w.set_data(ones({2}));
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(values(w), (V{1, 1}));
}

TEST(TensorApi, RandomFills) {
  manual_seed(0);
  Tensor t = zeros({1000});
  t.random_(3);
  EXPECT_EQ(t.min().item<double>(), 0);
  EXPECT_EQ(t.max().item<double>(), 2);
  Tensor l = zeros({1000}, kLong);
  l.random_(-2, 2);
  EXPECT_EQ(l.min().item<int64_t>(), -2);
  EXPECT_EQ(l.max().item<int64_t>(), 1);
  Tensor f = zeros({1000}, kDouble);
  f.random_();
  EXPECT_GE(f.min().item<double>(), 0);
  EXPECT_LE(f.max().item<double>(), std::ldexp(1.0, 53));
  EXPECT_EQ(values(f - f.floor()), V(1000, 0.0));  // integers
  Tensor u = empty({2000}).uniform_(2, 3);
  EXPECT_GE(u.min().item<double>(), 2);
  EXPECT_LT(u.max().item<double>(), 3);
  Tensor n = empty({20000}, kDouble).normal_(5, 2);
  EXPECT_NEAR(n.mean().item<double>(), 5, 0.1);
  EXPECT_NEAR(n.std().item<double>(), 2, 0.1);
  // A view is filled in place.
  Tensor base = zeros({4, 4});
  base.t()[0].uniform_(1, 2);
  EXPECT_EQ(base.index({indexing::Slice(), 0}).ge(1).all().item<bool>(), true);
  EXPECT_EQ(base.index({indexing::Slice(), 1}).eq(0).all().item<bool>(), true);

  EXPECT_ERROR(l.random_(5, 3),
               "random_ expects 'from' to be less than 'to', but got from=5 >= "
               "to=3");
  EXPECT_ERROR(u.uniform_(2, 1),
               "uniform_ expects to return a [from, to) range, but found "
               "from=2 > to=1");
  EXPECT_ERROR(u.normal_(0, -1), "normal_ expects std >= 0.0, but found std -1");
  EXPECT_ERROR(zeros({2}, requires_grad()).uniform_(), "leaf Variable that requires grad");
}

TEST(TensorApi, DevicesAndTo) {
  EXPECT_EQ(ones({2}, kCPU).dtype(), kFloat);
  EXPECT_EQ(ones({2}, Device(kCPU)).numel(), 2);
  EXPECT_ERROR(ones({2}, kCUDA), "CPU only");
  Tensor x = zeros({3}, kDouble);
  EXPECT_EQ(x.to(x.device()).data_ptr(), x.data_ptr());  // nothing to do: the same tensor
  EXPECT_EQ(x.to(kCPU, kFloat).dtype(), kFloat);
  EXPECT_EQ(x.to(zeros({1}, kLong)).dtype(), kLong);
  EXPECT_EQ(x.to(x).data_ptr(), x.data_ptr());
  EXPECT_EQ(x.layout(), kStrided);
  EXPECT_ERROR(x.to(TensorOptions().requires_grad(true)),
               "Operators taking TensorOptions cannot take a TensorOptions with "
               "options.requires_grad set as true");
  EXPECT_TRUE(x.to(kFloat).to(TensorOptions().requires_grad(false)).defined());
}

TEST(TensorApi, DeviceNames) {
  EXPECT_TRUE(Device("cpu").is_cpu());
  EXPECT_FALSE(Device("cpu").has_index());
  EXPECT_TRUE(Device("cuda:1").is_cuda());
  EXPECT_EQ(Device("cuda:1").index(), 1);
  EXPECT_ERROR(Device("tpu"), "Expected one of cpu, cuda,",
               "device type at start of device string: tpu");
  EXPECT_ERROR(Device("cuda:x"), "Invalid device string: 'cuda:x'");
  EXPECT_EQ(zeros({2}, Device("cpu")).toType(kLong).dtype(), kLong);
}

// A new tensor starts at version 0 whichever factory made it, and each in-place write adds one.
TEST(TensorApi, NewTensorsStartAtVersionZero) {
  for (const Tensor& t : {ones({3}), zeros({3}), full({3}, 2.5), empty({3}), rand({3}), randn({3}),
                          arange(3.0), linspace(0, 1, 3), eye(3), tensor({1.0, 2.0, 3.0}),
                          ones_like(ones({3})), randint(0, 5, {3}).to(kFloat)}) {
    EXPECT_EQ(t._version(), 0u);
    t.mul_(2);
    EXPECT_EQ(t._version(), 1u);
    t.add_(1);
    EXPECT_EQ(t._version(), 2u);
  }
}
