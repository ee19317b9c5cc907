// Random factories and ranges: reproducibility, distributions, dtypes and error messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tensorgrad/tensorgrad.h"

namespace {

template <class T>
std::vector<T> values(const tg::Tensor& t) {
  tg::Tensor c = t.contiguous();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}

// Expects `fn` to throw tg::Error whose message contains every one of `parts`.
template <class F>
void expect_error(F&& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected tg::Error";
  } catch (const tg::Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << msg << " lacks " << p;
  }
}

TEST(Random, SameSeedSameValues) {
  tg::manual_seed(42);
  auto a = values<float>(tg::rand({100}));
  auto an = values<float>(tg::randn({7}));
  auto ai = values<int64_t>(tg::randint(0, 1000, {50}));
  auto ap = values<int64_t>(tg::randperm(30));
  tg::manual_seed(42);
  EXPECT_EQ(values<float>(tg::rand({100})), a);
  EXPECT_EQ(values<float>(tg::randn({7})), an);
  EXPECT_EQ(values<int64_t>(tg::randint(0, 1000, {50})), ai);
  EXPECT_EQ(values<int64_t>(tg::randperm(30)), ap);
  tg::manual_seed(43);
  EXPECT_NE(values<float>(tg::rand({100})), a);
}

TEST(Random, SuccessiveCallsDiffer) {
  tg::manual_seed(1);
  EXPECT_NE(values<float>(tg::rand({10})), values<float>(tg::rand({10})));
}

TEST(Random, RandIsUniformOnUnitInterval) {
  tg::manual_seed(0);
  for (auto dtype : {tg::kFloat, tg::kDouble}) {
    auto t = tg::rand({200, 100}, dtype);
    EXPECT_EQ(t.dtype(), dtype);
    EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{200, 100}));
    std::vector<double> v;
    if (dtype == tg::kFloat) {
      for (float x : values<float>(t)) v.push_back(x);
    } else {
      v = values<double>(t);
    }
    double sum = 0;
    int below_quarter = 0;
    for (double x : v) {
      EXPECT_GE(x, 0.0);
      EXPECT_LT(x, 1.0);
      sum += x;
      below_quarter += x < 0.25;
    }
    const double n = static_cast<double>(v.size());
    EXPECT_NEAR(sum / n, 0.5, 0.01);
    EXPECT_NEAR(below_quarter / n, 0.25, 0.01);
  }
}

TEST(Random, RandnIsStandardNormal) {
  tg::manual_seed(0);
  for (auto dtype : {tg::kFloat, tg::kDouble}) {
    auto t = tg::randn({100001}, dtype);  // odd count: the last pair is cut in half
    EXPECT_EQ(t.dtype(), dtype);
    std::vector<double> v;
    if (dtype == tg::kFloat) {
      for (float x : values<float>(t)) v.push_back(x);
    } else {
      v = values<double>(t);
    }
    double sum = 0, sq = 0;
    int within_one = 0;
    for (double x : v) {
      ASSERT_TRUE(std::isfinite(x));
      sum += x;
      sq += x * x;
      within_one += std::fabs(x) < 1;
    }
    const double n = static_cast<double>(v.size());
    const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
    EXPECT_NEAR(mean, 0.0, 0.02);
    EXPECT_NEAR(sd, 1.0, 0.02);
    EXPECT_NEAR(within_one / n, 0.6827, 0.01);  // the normal's one-sigma mass
  }
}

TEST(Random, LikeFactoriesTakeShapeAndDtype) {
  auto d = tg::zeros({3, 4}, tg::kDouble);
  auto r = tg::rand_like(d);
  EXPECT_EQ(r.dtype(), tg::kDouble);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{3, 4}));
  auto n = tg::randn_like(d, tg::kFloat);
  EXPECT_EQ(n.dtype(), tg::kFloat);
  EXPECT_EQ(n.sizes().vec(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(tg::randn(tg::IntArrayRef{}).dim(), 0);
  EXPECT_EQ(tg::rand({0, 3}).numel(), 0);
}

TEST(Random, RequiresGradHonoured) {
  auto r = tg::rand({2}, tg::requires_grad());
  EXPECT_TRUE(r.requires_grad());
  EXPECT_TRUE(r.is_leaf());
  EXPECT_TRUE(
      tg::randn({2}, tg::TensorOptions().dtype(tg::kDouble).requires_grad(true)).requires_grad());
  EXPECT_TRUE(tg::arange(0., 3., tg::requires_grad()).requires_grad());
  EXPECT_TRUE(tg::linspace(0, 1, 3, tg::requires_grad()).requires_grad());
  EXPECT_TRUE(tg::eye(2, tg::requires_grad()).requires_grad());
  EXPECT_FALSE(tg::rand({2}).requires_grad());
  // Integer tensors cannot require grad, as libtorch.
  EXPECT_THROW(tg::randint(0, 3, {2}, tg::TensorOptions(tg::kLong).requires_grad(true)), tg::Error);
}

TEST(Random, IntegerDtypesAreRejectedByRandAndRandn) {
  expect_error([] { tg::rand({2}, tg::kLong); }, {"rand", "Long", "randint"});
  expect_error([] { tg::randn({2}, tg::kBool); }, {"randn", "Bool"});
  expect_error([] { tg::rand_like(tg::zeros({2}, tg::kLong)); }, {"rand", "Long"});
  expect_error([] { tg::rand({2, -1}); }, {"rand", "negative", "[2, -1]"});
}

TEST(Random, RandintRangeAndDtype) {
  tg::manual_seed(3);
  auto t = tg::randint(-3, 5, {2000});
  EXPECT_EQ(t.dtype(), tg::kLong);
  std::set<int64_t> seen;
  for (int64_t v : values<int64_t>(t)) {
    EXPECT_GE(v, -3);
    EXPECT_LT(v, 5);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 8u);  // every value of the range occurs
  for (int64_t v : values<int64_t>(tg::randint(10, {100}))) {
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 10);
  }
  auto f = tg::randint(0, 4, {50}, tg::kFloat);
  EXPECT_EQ(f.dtype(), tg::kFloat);
  for (float v : values<float>(f)) EXPECT_EQ(v, std::floor(v));
  // The whole int64 range does not overflow.
  auto wide =
      tg::randint(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), {10});
  EXPECT_EQ(wide.numel(), 10);
  expect_error([] { tg::randint(5, 5, {2}); }, {"randint", "low=5", "high=5"});
  expect_error([] { tg::randint(0, 3, {2}, tg::kBool); }, {"randint", "Bool"});
}

TEST(Random, RandpermIsAPermutation) {
  tg::manual_seed(5);
  auto p = tg::randperm(100);
  EXPECT_EQ(p.dtype(), tg::kLong);
  auto v = values<int64_t>(p);
  auto sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  int64_t fixed = 0;
  for (int64_t i = 0; i < 100; ++i) fixed += v[static_cast<size_t>(i)] == i;
  EXPECT_LT(fixed, 10);  // a shuffle, not the identity (expected 1 fixed point)
  EXPECT_EQ(tg::randperm(0).numel(), 0);
  EXPECT_EQ(values<double>(tg::randperm(1, tg::kDouble)), std::vector<double>{0.0});
  expect_error([] { tg::randperm(-1); }, {"randperm", "-1"});
}

TEST(Random, ConcurrentCallsEachGetAWholeBlock) {
  tg::manual_seed(9);
  auto a = values<float>(tg::rand({5000}));
  auto b = values<float>(tg::rand({5000}));
  tg::manual_seed(9);
  std::vector<float> x, y;
  std::thread t1([&] { x = values<float>(tg::rand({5000})); });
  std::thread t2([&] { y = values<float>(tg::rand({5000})); });
  t1.join();
  t2.join();
  EXPECT_TRUE((x == a && y == b) || (x == b && y == a));
}

TEST(Ranges, ArangeDtypes) {
  auto a = tg::arange(5);
  EXPECT_EQ(a.dtype(), tg::kLong);
  EXPECT_EQ(values<int64_t>(a), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(values<int64_t>(tg::arange(1, 4)), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(values<int64_t>(tg::arange(0, 10, 3)), (std::vector<int64_t>{0, 3, 6, 9}));
  EXPECT_EQ(values<int64_t>(tg::arange(10, 0, -3)), (std::vector<int64_t>{10, 7, 4, 1}));
  EXPECT_EQ(values<int64_t>(tg::arange(-5, -2)), (std::vector<int64_t>{-5, -4, -3}));
  auto f = tg::arange(0., 1., 0.25);
  EXPECT_EQ(f.dtype(), tg::kFloat);
  EXPECT_EQ(values<float>(f), (std::vector<float>{0.f, 0.25f, 0.5f, 0.75f}));
  EXPECT_EQ(tg::arange(1, 2.5, 0.5).dtype(), tg::kFloat);
  EXPECT_EQ(values<float>(tg::arange(1, 2.5, 0.5)), (std::vector<float>{1.f, 1.5f, 2.f}));
  auto d = tg::arange(3, tg::kDouble);
  EXPECT_EQ(d.dtype(), tg::kDouble);
  EXPECT_EQ(values<double>(d), (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(tg::arange(0).numel(), 0);
  EXPECT_EQ(tg::arange(2.5).numel(), 3);  // ceil(2.5)
  EXPECT_EQ(tg::arange(0., 0.3, 0.1).numel(), 3);
}

TEST(Ranges, ArangeErrors) {
  expect_error([] { tg::arange(0, 5, 0); }, {"arange", "step", "nonzero"});
  expect_error([] { tg::arange(0, 5, -1); }, {"arange", "sign"});
  expect_error([] { tg::arange(5, 0, 1); }, {"arange", "sign"});
  expect_error([] { tg::arange(0., std::numeric_limits<double>::infinity()); },
               {"arange", "finite"});
}

TEST(Ranges, Linspace) {
  auto l = tg::linspace(0, 1, 5);
  EXPECT_EQ(l.dtype(), tg::kFloat);
  EXPECT_EQ(values<float>(l), (std::vector<float>{0.f, 0.25f, 0.5f, 0.75f, 1.f}));
  auto d = tg::linspace(-1.0, 1.0, 3, tg::kDouble);
  EXPECT_EQ(values<double>(d), (std::vector<double>{-1, 0, 1}));
  EXPECT_EQ(values<float>(tg::linspace(2, 7, 1)), std::vector<float>{2.f});
  EXPECT_EQ(tg::linspace(0, 1, 0).numel(), 0);
  EXPECT_EQ(values<int64_t>(tg::linspace(0, 10, 5, tg::kLong)),
            (std::vector<int64_t>{0, 2, 5, 7, 10}));
  // Both ends exact, and the values symmetric about the middle.
  auto s = values<double>(tg::linspace(0.1, 0.7, 7, tg::kDouble));
  EXPECT_EQ(s.front(), 0.1);
  EXPECT_EQ(s.back(), 0.7);
  for (size_t i = 0; i < s.size(); ++i)
    EXPECT_NEAR(s[i], 0.1 + 0.1 * static_cast<double>(i), 1e-15);
  expect_error([] { tg::linspace(0, 1, -1); }, {"linspace", "non-negative", "-1"});
}

TEST(Ranges, Eye) {
  auto e = tg::eye(3);
  EXPECT_EQ(e.dtype(), tg::kFloat);
  EXPECT_EQ(values<float>(e), (std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  auto r = tg::eye(2, 3, tg::kLong);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<int64_t>(r), (std::vector<int64_t>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(values<int64_t>(tg::eye(3, 2, tg::kLong)), (std::vector<int64_t>{1, 0, 0, 1, 0, 0}));
  EXPECT_EQ(tg::eye(2, tg::kBool).dtype(), tg::kBool);
  EXPECT_EQ(tg::eye(0).numel(), 0);
  expect_error([] { tg::eye(-1); }, {"eye", "-1"});
  expect_error([] { tg::eye(2, -3); }, {"eye", "-3"});
}

}  // namespace
