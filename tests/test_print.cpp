// Printing in the seed's layout (PyTorch 0.3's printer): exact expected strings.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "tensorgrad/tensorgrad.h"

namespace {

std::string str(const tg::Tensor& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

// n copies of `item` joined by single spaces.
std::string repeat_joined(const std::string& item, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? " " : "") + item;
  return s;
}

TEST(Print, OnesRequiringGradOpenWithVariableContaining) {
  tg::Variable x(tg::ones({2, 2}), true);
  EXPECT_EQ(str(x), "Variable containing:\n 1  1\n 1  1\n[tg::FloatTensor of size 2x2]");
}

TEST(Print, PlainTensorHasNoVariableLine) {
  EXPECT_EQ(str(tg::ones({2, 2})), " 1  1\n 1  1\n[tg::FloatTensor of size 2x2]");
}

TEST(Print, SeedCellsYZOut) {
  tg::Variable x(tg::ones({2, 2}), true);
  auto y = x + 2;
  EXPECT_EQ(str(y), "Variable containing:\n 3  3\n 3  3\n[tg::FloatTensor of size 2x2]");
  auto z = y * y * 3;
  EXPECT_EQ(str(z), "Variable containing:\n 27  27\n 27  27\n[tg::FloatTensor of size 2x2]");
  auto out = z.mean();
  EXPECT_EQ(str(out), "Variable containing:\n 27\n[tg::FloatTensor of size ()]");
}

TEST(Print, SeedGradientIsFourAndAHalf) {
  tg::Variable x(tg::ones({2, 2}), true);
  auto y = x + 2;
  auto out = (y * y * 3).mean();
  out.backward();
  // A gradient stored by backward prints as the seed's Variable did.
  EXPECT_EQ(
      str(x.grad()),
      "Variable containing:\n 4.5000  4.5000\n 4.5000  4.5000\n[tg::FloatTensor of size 2x2]");
  // Its detached data is a plain tensor again.
  EXPECT_EQ(str(x.grad().detach()),
            " 4.5000  4.5000\n 4.5000  4.5000\n[tg::FloatTensor of size 2x2]");
}

TEST(Print, OneDimensionalOneValuePerLine) {
  // The seed's doubling-loop output and its gradient.
  auto y = tg::tensor({-1020.3505f, 1633.7242f, -333.5652f});
  EXPECT_EQ(str(y), "-1020.3505\n 1633.7242\n -333.5652\n[tg::FloatTensor of size 3]");
  auto g = tg::tensor({102.4f, 1024.0f, 0.1024f});
  EXPECT_EQ(str(g), "  102.4000\n 1024.0000\n    0.1024\n[tg::FloatTensor of size 3]");
}

TEST(Print, ZeroDim) {
  EXPECT_EQ(str(tg::scalar_tensor(3.5)), " 3.5000\n[tg::FloatTensor of size ()]");
  EXPECT_EQ(str(tg::scalar_tensor(7, tg::kLong)), " 7\n[tg::LongTensor of size ()]");
  EXPECT_EQ(str(tg::scalar_tensor(2.0, tg::kDouble)), " 2\n[tg::DoubleTensor of size ()]");
}

TEST(Print, Long) {
  EXPECT_EQ(str(tg::tensor({int64_t{1}, int64_t{-20}, int64_t{3}})),
            "  1\n-20\n  3\n[tg::LongTensor of size 3]");
  EXPECT_EQ(str(tg::arange(6).view({2, 3})), " 0  1  2\n 3  4  5\n[tg::LongTensor of size 2x3]");
  // Long values are exact integers at any magnitude (never rounded through double).
  EXPECT_EQ(str(tg::tensor({std::numeric_limits<int64_t>::max()})),
            " 9223372036854775807\n[tg::LongTensor of size 1]");
  EXPECT_EQ(str(tg::tensor({std::numeric_limits<int64_t>::min()})),
            "-9223372036854775808\n[tg::LongTensor of size 1]");
}

TEST(Print, Bool) {
  EXPECT_EQ(str(tg::tensor({true, false})), " 1\n 0\n[tg::BoolTensor of size 2]");
  EXPECT_EQ(str(tg::tensor({1.f, 2.f}).gt(1.5f).view({1, 2})),
            " 0  1\n[tg::BoolTensor of size 1x2]");
}

TEST(Print, DoubleRequiringGrad) {
  auto x = tg::tensor({0.5, -1.25}, tg::TensorOptions().dtype(tg::kDouble).requires_grad(true));
  EXPECT_EQ(str(x), "Variable containing:\n 0.5000\n-1.2500\n[tg::DoubleTensor of size 2]");
}

TEST(Print, ScaleFactorForSmallValues) {
  EXPECT_EQ(str(tg::tensor({0.001f, 0.002f})),
            "1.00000e-03 *\n  1.0000\n  2.0000\n[tg::FloatTensor of size 2]");
  EXPECT_EQ(str(tg::tensor({0.01f, 0.02f, 0.03f, 0.04f}).view({2, 2})),
            "1.00000e-02 *\n  1.0000  2.0000\n  3.0000  4.0000\n[tg::FloatTensor of size 2x2]");
}

TEST(Print, ScaleFactorForLargeValues) {
  EXPECT_EQ(str(tg::tensor({123456.25, 234567.75})),
            "1.00000e+05 *\n  1.2346\n  2.3457\n[tg::FloatTensor of size 2]");
}

TEST(Print, ScientificWhenMagnitudesSpreadWide) {
  EXPECT_EQ(str(tg::tensor({1e-5, 1.0}, tg::kDouble)),
            " 1.0000e-05\n 1.0000e+00\n[tg::DoubleTensor of size 2]");
  // Integral values with more than 5 digits.
  EXPECT_EQ(str(tg::tensor({1e6f, 1.f})), " 1.0000e+06\n 1.0000e+00\n[tg::FloatTensor of size 2]");
}

TEST(Print, NegativeAndMixedWidths) {
  EXPECT_EQ(str(tg::tensor({-1.f, 10.f, 100.f})), "  -1\n  10\n 100\n[tg::FloatTensor of size 3]");
  EXPECT_EQ(str(tg::tensor({-0.5f, 12.25f})), " -0.5000\n 12.2500\n[tg::FloatTensor of size 2]");
}

TEST(Print, NanAndInf) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(str(tg::tensor({1.5f, nan, inf, -inf})),
            " 1.5000\n    nan\n    inf\n   -inf\n[tg::FloatTensor of size 4]");
  EXPECT_EQ(str(tg::tensor({nan})), "nan\n[tg::FloatTensor of size 1]");
}

TEST(Print, ThreeDimensionalSlices) {
  EXPECT_EQ(str(tg::arange(8).view({2, 2, 2})),
            "(0 ,.,.) = \n  0  1\n  2  3\n\n(1 ,.,.) = \n  4  5\n  6  7\n"
            "[tg::LongTensor of size 2x2x2]");
  EXPECT_EQ(str(tg::ones({1, 1, 1, 2})),
            "(0 ,0 ,.,.) = \n  1  1\n[tg::FloatTensor of size 1x1x1x2]");
}

TEST(Print, NonContiguousPrintsLogicalOrder) {
  auto t = tg::arange(6).view({2, 3}).t();
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(str(t), " 0  3\n 1  4\n 2  5\n[tg::LongTensor of size 3x2]");
  auto s = tg::arange(10).slice(0, 1, 10, 4);  // 1, 5, 9
  EXPECT_EQ(str(s), " 1\n 5\n 9\n[tg::LongTensor of size 3]");
  auto e = tg::tensor({2.5f}).expand({2, 2});
  EXPECT_EQ(str(e), " 2.5000  2.5000\n 2.5000  2.5000\n[tg::FloatTensor of size 2x2]");
}

TEST(Print, EmptyAndUndefined) {
  EXPECT_EQ(str(tg::zeros({0})), "[tg::FloatTensor of size 0]");
  EXPECT_EQ(str(tg::zeros({2, 0}, tg::kLong)), "[tg::LongTensor of size 2x0]");
  EXPECT_EQ(str(tg::Tensor()), "[ Tensor (undefined) ]");
}

TEST(Print, WideMatrixInColumnBlocks) {
  // A matrix wider than 6 columns uses at least width 5: 80 / (5 + 1) -> 13 columns per block.
  const std::string a = repeat_joined("    1", 13) + "\n", b = repeat_joined("    1", 4) + "\n";
  EXPECT_EQ(str(tg::ones({2, 30})), "\nColumns 0 to 12 \n" + a + a + "\nColumns 13 to 25 \n" + a +
                                        a + "\nColumns 26 to 29 \n" + b + b +
                                        "[tg::FloatTensor of size 2x30]");
}

TEST(Print, LongVectorIsSummarised) {
  EXPECT_EQ(str(tg::arange(2000)),
            "    0\n    1\n    2\n  \u22EE  \n 1997\n 1998\n 1999\n[tg::LongTensor of size 2000]");
}

TEST(Print, LargeMatrixIsSummarised) {
  // Summaries use at least width 5.
  const std::string row = "    0     0     0  ...      0     0     0\n";
  const std::string dots = "       ...          \u22F1          ...       \n";
  EXPECT_EQ(str(tg::zeros({40, 40}, tg::kLong)),
            row + row + row + dots + row + row + row + "[tg::LongTensor of size 40x40]");
  // Tall but narrow: a vertical ellipsis centred over the row.
  const std::string r = "    1     1\n";
  EXPECT_EQ(str(tg::ones({600, 2})),
            r + r + r + "     \u22EE      \n" + r + r + r + "[tg::FloatTensor of size 600x2]");
}

TEST(Print, IntArrayRef) {
  std::ostringstream out;
  out << tg::IntArrayRef({2, 3}) << ' ' << tg::IntArrayRef() << ' ' << tg::ones({4, 1, 5}).sizes();
  EXPECT_EQ(out.str(), "[2, 3] [] [4, 1, 5]");
}

TEST(Print, ToStringIsTheTypeNameAsLibtorch) {
  EXPECT_EQ(tg::ones({1}).toString(), "CPUFloatType");
  EXPECT_EQ(tg::ones({1}, tg::kLong).toString(), "CPULongType");
  EXPECT_EQ(tg::ones({1}, tg::kDouble).toString(), "CPUDoubleType");
  EXPECT_EQ(tg::ones({1}, tg::kBool).toString(), "CPUBoolType");
}

}  // namespace
