// Deferred elementwise chains (Note [Deferred elementwise chains], src/core/deferred.cpp): what
// defers, that the values and gradients are bit for bit those of the ops run one by one, and that
// nothing that changes an input, hands out a pointer or reads from several threads can see a
// value computed from the wrong data.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

namespace {

constexpr int64_t kLarge = int64_t(1) << 17;  // deferred: above the threshold of 2^16

bool is_deferred(const Tensor& t) {
  return t.unsafeGetTensorImpl()->storage->deferred.load() != nullptr;
}

/// Equal bits, NaNs included.
bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes() || a.dtype() != b.dtype()) return false;
  const Tensor ac = a.contiguous(), bc = b.contiguous();
  return std::memcmp(ac.data_ptr(), bc.data_ptr(), ac.nbytes()) == 0;
}

/// Runs f with fusion on and off and expects the same bits from both.
void expect_same_with_and_without_fusion(const std::function<std::vector<Tensor>()>& f) {
  ASSERT_TRUE(fusion_enabled());
  const std::vector<Tensor> fused = f();
  set_fusion_enabled(false);
  const std::vector<Tensor> plain = f();
  set_fusion_enabled(true);
  ASSERT_EQ(fused.size(), plain.size());
  for (size_t i = 0; i < fused.size(); ++i)
    EXPECT_TRUE(same_bits(fused[i], plain[i])) << "result " << i;
}

Tensor large(ScalarType t = kFloat, uint64_t seed = 0) {
  manual_seed(seed);
  return randn({kLarge}, TensorOptions().dtype(t));
}

}  // namespace

TEST(Fusion, LargeFloatingOpsDeferAndOthersDoNot) {
  const Tensor x = large();
  const Tensor y = x * 2;
  EXPECT_TRUE(is_deferred(y));
  EXPECT_TRUE(is_deferred(y.tanh()));
  EXPECT_TRUE(is_deferred(1 - y));
  EXPECT_TRUE(is_deferred(y * y));
  EXPECT_FALSE(is_deferred(randn({100}) * 2)) << "small";
  EXPECT_FALSE(is_deferred(x.to(kLong) * 2)) << "integral";
  EXPECT_FALSE(is_deferred(x.view({2, -1}).t() * 2)) << "not contiguous";
  EXPECT_FALSE(is_deferred(x.view({-1, 1}) * x.view({1, -1}).narrow(1, 0, 4))) << "broadcast";
  set_fusion_enabled(false);
  EXPECT_FALSE(is_deferred(x * 2)) << "fusion off";
  set_fusion_enabled(true);
  // Reading the values settles the storage.
  const float first = (x[0] * 2).item<float>();
  EXPECT_EQ(y[0].item<float>(), first);
  EXPECT_FALSE(is_deferred(y));
}

TEST(Fusion, EveryTableRowGivesTheSameBits) {
  for (ScalarType t : {kFloat, kDouble}) {
    const Tensor x = large(t) * 0.5 + 0.25;  // mostly inside every row's domain
    const std::vector<std::function<Tensor(const Tensor&)>> rows = {
        [](const Tensor& v) { return v.exp(); },   [](const Tensor& v) { return v.log(); },
        [](const Tensor& v) { return v.sqrt(); },  [](const Tensor& v) { return v.rsqrt(); },
        [](const Tensor& v) { return v.sin(); },   [](const Tensor& v) { return v.cos(); },
        [](const Tensor& v) { return v.tanh(); },  [](const Tensor& v) { return v.sigmoid(); },
        [](const Tensor& v) { return v.erf(); },   [](const Tensor& v) { return v.lgamma(); },
        [](const Tensor& v) { return v.floor(); }, [](const Tensor& v) { return v.abs(); },
        [](const Tensor& v) { return v.log1p(); }, [](const Tensor& v) { return v.erfinv(); },
        [](const Tensor& v) { return v.sinh(); },  [](const Tensor& v) { return v.digamma(); }};
    for (size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE(testing::Message() << "row " << i << ", " << t);
      expect_same_with_and_without_fusion([&] {
        const Tensor y = rows[i](x * 3 - 1);
        return std::vector<Tensor>{rows[i](y / 2 + x)};
      });
    }
  }
}

TEST(Fusion, ForwardAndBackwardOfAChainGiveTheSameBits) {
  for (ScalarType t : {kFloat, kDouble}) {
    expect_same_with_and_without_fusion([&] {
      const Tensor x = large(t).requires_grad_();
      const Tensor w = large(t, 1).requires_grad_();
      const Tensor y = tg::tanh(x * 2 + 1) * w.sigmoid() - (x / (w * w + 1)).exp();
      y.backward(tg::ones_like(y));
      return std::vector<Tensor>{y.detach(), x.grad(), w.grad()};
    });
  }
}

TEST(Fusion, SecondDerivativesGiveTheSameBits) {
  expect_same_with_and_without_fusion([] {
    const Tensor x = large(kDouble).requires_grad_();
    const Tensor y = (x * x * 0.5).tanh().sum();
    const Tensor g = autograd::grad({y}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    const Tensor gg = autograd::grad({(g * g).sum()}, {x})[0];
    return std::vector<Tensor>{g.detach(), gg};
  });
}

TEST(Fusion, ChainsLongerThanOnePassGiveTheSameBits) {
  expect_same_with_and_without_fusion([] {
    Tensor y = large();
    for (int i = 0; i < 100; ++i) y = (y * 0.999f + 0.001f).sin();
    return std::vector<Tensor>{y};
  });
}

TEST(Fusion, SharedIntermediatesAreWrittenOnceAndRight) {
  const Tensor x = large();
  const Tensor a = x * 2;  // held: written when b settles
  const Tensor b = (a + 1).exp() + a;
  ASSERT_TRUE(is_deferred(a));
  (void)b.sum();
  EXPECT_FALSE(is_deferred(a));
  set_fusion_enabled(false);
  EXPECT_TRUE(same_bits(a, x * 2));
  EXPECT_TRUE(same_bits(b, (x * 2 + 1).exp() + x * 2));
  set_fusion_enabled(true);
}

TEST(Fusion, AnInPlaceChangeOfAnInputCannotReachADeferredResult) {
  Tensor x = large();
  const Tensor before = x.clone();
  const Tensor y = x * 2;
  const Tensor z = y + 1;  // reads y, which reads x
  ASSERT_TRUE(is_deferred(z));
  x.add_(100);
  x.mul_(0);
  set_fusion_enabled(false);
  EXPECT_TRUE(same_bits(y, before * 2));
  EXPECT_TRUE(same_bits(z, before * 2 + 1));
  set_fusion_enabled(true);
}

TEST(Fusion, AnInPlaceChangeOfASettledIntermediateCannotReachItsReaders) {
  Tensor x = large();
  Tensor y = x * 2;
  const Tensor z = y + 1;
  (void)y.sum();  // y settles; z still reads it
  y.zero_();
  set_fusion_enabled(false);
  EXPECT_TRUE(same_bits(z, x * 2 + 1));
  set_fusion_enabled(true);
}

TEST(Fusion, WritesThroughDataPtrCannotReachADeferredResult) {
  Tensor x = large();
  const float x0 = x[0].item<float>();
  const Tensor y = x * 2;
  ASSERT_TRUE(is_deferred(y));
  x.data_ptr<float>()[0] = 1000;  // y settles before the pointer is handed out
  EXPECT_EQ(y[0].item<float>(), x0 * 2);
  // A storage whose pointer is out is not read by a deferred op: the owner may write any time.
  float* p = x.data_ptr<float>();
  const Tensor z = x * 2;
  EXPECT_FALSE(is_deferred(z));
  p[1] = -1;
  EXPECT_NE(z[1].item<float>(), -2);
}

TEST(Fusion, FromBlobMemoryIsNeverReadLater) {
  std::vector<float> owned(kLarge, 1.0f);
  const Tensor x = from_blob(owned.data(), {kLarge});
  const Tensor y = x * 2;
  EXPECT_FALSE(is_deferred(y));
  owned[0] = 5;
  EXPECT_EQ(y[0].item<float>(), 2);
}

TEST(Fusion, ViewsOfDeferredResultsAndDeferredOpsOnViews) {
  const Tensor base = large();
  const Tensor x = base.narrow(0, 64, kLarge - 64);  // contiguous, at an offset
  const Tensor y = x * 3;
  ASSERT_TRUE(is_deferred(y));
  const Tensor v = y.view({-1, 64}).select(1, 5);  // a strided view of a deferred result
  set_fusion_enabled(false);
  const Tensor expect = x * 3;
  set_fusion_enabled(true);
  EXPECT_TRUE(same_bits(v, expect.view({-1, 64}).select(1, 5)));
  EXPECT_TRUE(same_bits(y, expect));
  // An in-place op on a view of a deferred result settles it first.
  const Tensor w = x * 4;
  w.narrow(0, 0, 10).fill_(0);
  EXPECT_EQ(w[10].item<float>(), x[10].item<float>() * 4);
  EXPECT_EQ(w[9].item<float>(), 0);
}

TEST(Fusion, ResizingADeferredResultKeepsItsValues) {
  const Tensor x = large();
  Tensor y = x * 2;
  ASSERT_TRUE(is_deferred(y));
  y.resize_({2 * kLarge});
  set_fusion_enabled(false);
  EXPECT_TRUE(same_bits(y.narrow(0, 0, kLarge), x * 2));
  set_fusion_enabled(true);
}

TEST(Fusion, SavedDeferredOutputsStillCatchInPlaceChanges) {
  const Tensor x = large().requires_grad_();
  const Tensor y = x.exp();  // saves y
  y.add_(1);
  EXPECT_ERROR(y.sum().backward(), "modified by an inplace operation");
}

TEST(Fusion, ErrorsAreRaisedWhenTheOpIsCalled) {
  const Tensor x = large();
  EXPECT_ERROR(x * 2 * randn({3}), "mul");
  EXPECT_ERROR((x * 2).to(kBool) - (x * 2).to(kBool), "subtraction");
}

TEST(Fusion, ThreadsReadingOneDeferredTensorSeeTheSameValues) {
  const Tensor x = large();
  const Tensor y = (x * 2 + 1).tanh();
  const Tensor z = y * y;
  std::vector<Tensor> sums(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < sums.size(); ++i)
    threads.emplace_back([&, i] { sums[i] = (i % 2 ? y : z).sum(); });
  for (std::thread& t : threads) t.join();
  set_fusion_enabled(false);
  const Tensor y_plain = (x * 2 + 1).tanh();
  set_fusion_enabled(true);
  for (size_t i = 0; i < sums.size(); ++i)
    EXPECT_TRUE(same_bits(sums[i], (i % 2 ? y_plain : y_plain * y_plain).sum())) << i;
}

TEST(Fusion, OnlyWhatIsWrittenTakesMemory) {
  const Tensor x = large();
  const int64_t before = memory_stats().current_bytes;
  {
    const Tensor y = ((x * 2 + 1).tanh() - 3).exp();
    EXPECT_EQ(memory_stats().current_bytes, before);
    (void)y.sum();  // writes y; the three intermediates are never written
    EXPECT_EQ(memory_stats().current_bytes - before, kLarge * int64_t(sizeof(float)));
  }
  EXPECT_EQ(memory_stats().current_bytes, before);
}
