// Every dtype (Byte, Char, Short, Int, Long, Half, Float, Double, Bool, BFloat16) through
// factories, casts, arithmetic, promotion, printing, item/data_ptr, safetensors and reductions.
// The expected values are PyTorch 1.13's, obtained by running it and written here as constants.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tensorgrad/tensorgrad.h"

namespace {

using namespace tg;

const ScalarType kAll[] = {kByte, kChar,  kShort,  kInt,  kLong,
                           kHalf, kFloat, kDouble, kBool, kBFloat16};

std::string str(const Tensor& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

std::vector<double> values(const Tensor& t) {
  const Tensor d = t.to(kDouble).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

template <class E>
std::string error_of(const E& f) {
  try {
    f();
  } catch (const tg::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Dtypes, NamesSizesAndAliases) {
  EXPECT_EQ(kUInt8, kByte);
  EXPECT_EQ(kInt8, kChar);
  EXPECT_EQ(kInt16, kShort);
  EXPECT_EQ(kInt32, kInt);
  EXPECT_EQ(kInt64, kLong);
  EXPECT_EQ(kFloat16, kHalf);
  EXPECT_EQ(kFloat32, kFloat);
  EXPECT_EQ(kFloat64, kDouble);
  const char* names[] = {"Byte", "Char",  "Short",  "Int",  "Long",
                         "Half", "Float", "Double", "Bool", "BFloat16"};
  const char* st[] = {"U8", "I8", "I16", "I32", "I64", "F16", "F32", "F64", "BOOL", "BF16"};
  const size_t sizes[] = {1, 1, 2, 4, 8, 2, 4, 8, 1, 2};
  for (int i = 0; i < 10; ++i) {
    EXPECT_STREQ(to_string(kAll[i]), names[i]);
    EXPECT_STREQ(scalar_type_info(kAll[i]).safetensors_dtype, st[i]);
    EXPECT_EQ(element_size(kAll[i]), sizes[i]);
    EXPECT_EQ(zeros({3}, kAll[i]).element_size(), sizes[i]);
  }
  EXPECT_TRUE(is_floating_point(kHalf) && is_floating_point(kBFloat16));
  EXPECT_TRUE(is_integral(kByte, false) && is_integral(kChar, false) && !is_integral(kBool, false));
  EXPECT_FALSE(isSignedType(kByte));
  EXPECT_TRUE(isSignedType(kChar));
}

// The limits are derived from each type's bit layout; these are the patterns c10 writes out.
TEST(Dtypes, NumericLimitsOfTheSixteenBitTypes) {
  using H = std::numeric_limits<Half>;
  using B = std::numeric_limits<BFloat16>;
  static_assert(H::is_iec559 && H::digits == 11 && H::digits10 == 3 && H::max_digits10 == 5);
  static_assert(H::min_exponent == -13 && H::max_exponent == 16);
  static_assert(!B::is_iec559 && B::digits == 8 && B::digits10 == 2 && B::max_digits10 == 4);
  static_assert(B::min_exponent == -125 && B::max_exponent == 128);
  const std::vector<uint16_t> half_bits = {
      H::min().x,      H::lowest().x,    H::max().x,           H::epsilon().x,   H::round_error().x,
      H::infinity().x, H::quiet_NaN().x, H::signaling_NaN().x, H::denorm_min().x};
  EXPECT_EQ(half_bits, (std::vector<uint16_t>{0x0400, 0xfbff, 0x7bff, 0x1400, 0x3800, 0x7c00,
                                              0x7e00, 0x7d00, 0x0001}));
  const std::vector<uint16_t> bfloat16_bits = {
      B::min().x,      B::lowest().x,    B::max().x,           B::epsilon().x,   B::round_error().x,
      B::infinity().x, B::quiet_NaN().x, B::signaling_NaN().x, B::denorm_min().x};
  EXPECT_EQ(bfloat16_bits, (std::vector<uint16_t>{0x0080, 0xff7f, 0x7f7f, 0x3c00, 0x3f00, 0x7f80,
                                                  0x7fc0, 0x7fa0, 0x0001}));
  EXPECT_EQ(static_cast<float>(H::max()), 65504.0f);
  EXPECT_EQ(static_cast<float>(B::epsilon()), 0.0078125f);
}

TEST(Dtypes, PromotionMatchesPyTorch) {
  // torch.promote_types
  EXPECT_EQ(promote_types(kByte, kChar), kShort);
  EXPECT_EQ(promote_types(kHalf, kBFloat16), kFloat);
  EXPECT_EQ(promote_types(kBool, kShort), kShort);
  EXPECT_EQ(promote_types(kInt, kHalf), kHalf);
  EXPECT_EQ(promote_types(kByte, kInt), kInt);
  EXPECT_EQ(promote_types(kLong, kBFloat16), kBFloat16);
  EXPECT_EQ(promote_types(kDouble, kHalf), kDouble);
  for (ScalarType a : kAll)
    for (ScalarType b : kAll) EXPECT_EQ(promote_types(a, b), promote_types(b, a));
  // uint8 [1, 2] + int8 [1] -> int16 [2, 3]
  const Tensor s = tensor({1, 2}, kByte) + tensor({1}, kChar);
  EXPECT_EQ(s.scalar_type(), kShort);
  EXPECT_EQ(values(s), (std::vector<double>{2, 3}));
  // half [1.5, 2.25] + bfloat16 [1.0] -> float [2.5, 3.25]
  const Tensor h = tensor({1.5, 2.25}, kHalf) + tensor({1.0}, kBFloat16);
  EXPECT_EQ(h.scalar_type(), kFloat);
  EXPECT_EQ(values(h), (std::vector<double>{2.5, 3.25}));
  // int32 [1, 2] + 2.5 -> float [3.5, 4.5]; + a 0-d double tensor -> still floating: Double
  const Tensor i = tensor({1, 2}, kInt);
  EXPECT_EQ((i + 2.5).scalar_type(), kFloat);
  EXPECT_EQ(values(i + 2.5), (std::vector<double>{3.5, 4.5}));
  EXPECT_EQ((i + scalar_tensor(2.5, kDouble)).scalar_type(), kDouble);
  // An integral scalar keeps the tensor's dtype.
  EXPECT_EQ((tensor({1, 2}, kChar) + 1000).scalar_type(), kChar);
  EXPECT_EQ((tensor({1.0}, kHalf) * 3).scalar_type(), kHalf);
}

TEST(Dtypes, IntegerArithmeticWraps) {
  // int8 127 + 1 = -128
  EXPECT_EQ(values(tensor({127}, kChar) + 1), (std::vector<double>{-128}));
  // uint8 200 + 100 = 44
  EXPECT_EQ(values(tensor({200}, kByte) + tensor({100}, kByte)), (std::vector<double>{44}));
  // int16 [5, -7] * 20000 = [-31072, -8928]
  EXPECT_EQ(values(tensor({5, -7}, kShort) * tensor({20000, 20000}, kShort)),
            (std::vector<double>{-31072, -8928}));
}

TEST(Dtypes, TrueDivisionOfIntegersGivesFloat) {
  const Tensor q = tensor({1, 2}, kInt) / tensor({2, 4}, kInt);
  EXPECT_EQ(q.scalar_type(), kFloat);
  EXPECT_EQ(values(q), (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ((tensor({1, 2}, kByte) / 2).scalar_type(), kFloat);
}

TEST(Dtypes, CastsRoundAndWrapAsPyTorch) {
  // float -> half: [1.0009765625, 65504, 70000, 1e-8, 3.14159] -> [1.0009765625, 65504, inf, 0,
  // 3.140625]
  const Tensor h = tensor({1.0009765625, 65504.0, 70000.0, 1e-8, 3.14159}).to(kHalf);
  const auto hv = values(h);
  EXPECT_EQ(hv[0], 1.0009765625);
  EXPECT_EQ(hv[1], 65504.0);
  EXPECT_TRUE(std::isinf(hv[2]));
  EXPECT_EQ(hv[3], 0.0);
  EXPECT_EQ(hv[4], 3.140625);
  // float -> bfloat16: [1.0009765625, 3.14159, 1e38, 3.5e38] -> [1, 3.140625,
  // 9.969209968386869e+37, inf]
  const auto bv = values(tensor({1.0009765625, 3.14159, 1e38, 3.5e38}).to(kBFloat16));
  EXPECT_EQ(bv[0], 1.0);
  EXPECT_EQ(bv[1], 3.140625);
  EXPECT_EQ(bv[2], 9.969209968386869e+37);
  EXPECT_TRUE(std::isinf(bv[3]));
  // NaN stays NaN in both.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(static_cast<float>(Half(nan))));
  EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(nan))));
  // float -> uint8 / int8: [-1.5, 300.7, -129.2] -> [255, 44, 127] / [-1, 44, 127]
  const Tensor f = tensor({-1.5, 300.7, -129.2});
  EXPECT_EQ(values(f.to(kByte)), (std::vector<double>{255, 44, 127}));
  EXPECT_EQ(values(f.to(kChar)), (std::vector<double>{-1, 44, 127}));
  // Every dtype to every other and back keeps small integers.
  const Tensor small = tensor({0, 1, 2, 3}, kLong);
  for (ScalarType a : kAll) {
    if (a == kBool) continue;
    for (ScalarType b : kAll) {
      if (b == kBool) continue;
      EXPECT_EQ(values(small.to(a).to(b)), (std::vector<double>{0, 1, 2, 3})) << a << " " << b;
    }
  }
  EXPECT_EQ(values(small.to(kBool)), (std::vector<double>{0, 1, 1, 1}));
}

TEST(Dtypes, FactoriesMakeEveryDtype) {
  for (ScalarType t : kAll) {
    EXPECT_EQ(zeros({2, 3}, t).scalar_type(), t);
    EXPECT_EQ(values(ones({2}, t)), (std::vector<double>{1, 1}));
    EXPECT_EQ(values(full({2}, 1, t)), (std::vector<double>{1, 1}));
    EXPECT_EQ(empty({4}, t).nbytes(), 4 * element_size(t));
    if (t != kBool) EXPECT_EQ(values(arange(4, t)), (std::vector<double>{0, 1, 2, 3})) << t;
  }
  EXPECT_EQ(tensor(std::vector<int32_t>{1, 2}).scalar_type(), kLong);  // torch::tensor widens int
  EXPECT_EQ(tensor(std::vector<int16_t>{1, 2}).scalar_type(), kShort);
  EXPECT_EQ(tensor(std::vector<int8_t>{1, 2}).scalar_type(), kChar);
  EXPECT_EQ(tensor(std::vector<uint8_t>{1, 2}).scalar_type(), kByte);
  EXPECT_EQ(tensor(std::vector<Half>{Half(1.5f)}).scalar_type(), kHalf);
  EXPECT_EQ(tensor(std::vector<BFloat16>{BFloat16(1.5f)}).scalar_type(), kBFloat16);
  const Tensor r = randint(0, 100, {50}, kChar);
  EXPECT_EQ(r.scalar_type(), kChar);
  for (double v : values(r)) EXPECT_TRUE(v >= 0 && v < 100);
  for (ScalarType t : {kHalf, kBFloat16}) {
    const Tensor u = rand({200}, t);
    EXPECT_EQ(u.scalar_type(), t);
    for (double v : values(u)) EXPECT_TRUE(v >= 0 && v < 1);
    EXPECT_EQ(randn({3}, t).scalar_type(), t);
  }
  // Refused: rand of an integral dtype, a value the dtype cannot hold, randint out of range.
  EXPECT_NE(error_of([] { rand({2}, kInt); }).find("not implemented for 'Int'"), std::string::npos);
  EXPECT_NE(error_of([] { full({2}, 300, kByte); }).find("cannot be converted to type Byte"),
            std::string::npos);
  EXPECT_NE(error_of([] { randint(0, 300, {2}, kChar); }).find("does not fit dtype Char"),
            std::string::npos);
}

TEST(Dtypes, ReductionsAsPyTorch) {
  // Integral sums and products give Long.
  EXPECT_EQ(tensor({1, 2, 3}, kChar).sum().scalar_type(), kLong);
  EXPECT_EQ(tensor({1, 2, 3}, kShort).prod().scalar_type(), kLong);
  EXPECT_EQ(tensor({100, 100, 100}, kChar).sum().item<int64_t>(), 300);
  // 1000 halves of 0.1 (0.0999755859375) sum to 100 in half; the bfloat16 mean is 0.10009765625.
  const Tensor h = full({1000}, 0.1, kHalf);
  EXPECT_EQ(h.sum().scalar_type(), kHalf);
  EXPECT_EQ(h.sum().item<float>(), 100.0f);
  EXPECT_EQ(full({1000}, 0.1, kBFloat16).sum().item<float>(), 100.0f);
  EXPECT_EQ(full({1000}, 0.1, kBFloat16).mean().item<float>(), 0.10009765625f);
  EXPECT_EQ(tensor({3, 9, -2}, kChar).max().item<int64_t>(), 9);
  EXPECT_EQ(tensor({3.5, 9.25, -2.0}, kHalf).min().item<float>(), -2.0f);
  // mean of an integral tensor is refused, as libtorch.
  EXPECT_FALSE(error_of([] { tensor({1, 2}, kChar).mean(); }).empty());
}

TEST(Dtypes, ItemAndDataPtr) {
  EXPECT_EQ(tensor({0.1}, kHalf).item<float>(), 0.0999755859375f);
  EXPECT_EQ(tensor({0.1}, kBFloat16).item<float>(), 0.10009765625f);
  EXPECT_EQ(static_cast<float>(tensor({2.5}, kHalf).item<Half>()), 2.5f);
  EXPECT_EQ(tensor({-3}, kChar).item<int8_t>(), -3);
  EXPECT_EQ(tensor({250}, kByte).item<uint8_t>(), 250);
  EXPECT_EQ(tensor({-3}, kShort).data_ptr<int16_t>()[0], -3);
  EXPECT_EQ(tensor({7}, kInt).data_ptr<int32_t>()[0], 7);
  EXPECT_EQ(tensor({1.5}, kHalf).data_ptr<Half>()[0].x, 0x3e00);
  EXPECT_EQ(tensor({1.5}, kBFloat16).data_ptr<BFloat16>()[0].x, 0x3fc0);
  EXPECT_NE(
      error_of([] { tensor({1}, kInt).data_ptr<int64_t>(); }).find("expected scalar type Long"),
      std::string::npos);
  // item<T> of a value T cannot hold throws.
  EXPECT_NE(error_of([] { tensor({300}, kInt).item<uint8_t>(); }).find("overflow"),
            std::string::npos);
}

TEST(Dtypes, Printing) {
  EXPECT_EQ(str(arange(3, kShort)), " 0\n 1\n 2\n[tg::ShortTensor of size 3]");
  EXPECT_EQ(str(ones({2}, kInt)), " 1\n 1\n[tg::IntTensor of size 2]");
  EXPECT_EQ(str(tensor({1.5, 2.25}, kHalf)), " 1.5000\n 2.2500\n[tg::HalfTensor of size 2]");
  EXPECT_EQ(str(tensor({1.5, 2.25}, kBFloat16)),
            " 1.5000\n 2.2500\n[tg::BFloat16Tensor of size 2]");
  EXPECT_EQ(str(tensor({-1}, kChar)), "-1\n[tg::CharTensor of size 1]");
  EXPECT_EQ(str(tensor({255}, kByte)), " 255\n[tg::ByteTensor of size 1]");
  EXPECT_EQ(zeros({2}, kHalf).type().toString(), "CPUHalfType");
}

TEST(Dtypes, SafetensorsRoundTripEveryDtype) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tg_dtypes_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "all.safetensors").string();
  std::map<std::string, Tensor> tensors;
  for (ScalarType t : kAll) tensors[to_string(t)] = arange(6, kLong).reshape({2, 3}).to(t);
  tensors["Half.values"] = tensor({0.1, -65504.0, 1e-7}, kHalf);
  tensors["BFloat16.values"] = tensor({0.1, -3e38, 1e-30}, kBFloat16);
  save(tensors, path);
  const auto loaded = load_tensors(path);
  ASSERT_EQ(loaded.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    const Tensor u = loaded[name];
    EXPECT_EQ(u.scalar_type(), t.scalar_type()) << name;
    EXPECT_TRUE(equal(u, t)) << name;
  }
  std::filesystem::remove_all(dir);
}

TEST(Dtypes, ComparisonsWhereMaskedFillAndIndices) {
  const Tensor x = tensor({3, 1, 2}, kChar);
  // torch.where(x > 1, x, 0 int8) -> [3, 0, 2] int8
  const Tensor w = where(x > 1, x, scalar_tensor(0, kChar));
  EXPECT_EQ(w.scalar_type(), kChar);
  EXPECT_EQ(values(w), (std::vector<double>{3, 0, 2}));
  EXPECT_EQ(values(x.masked_fill(x < 2, -5)), (std::vector<double>{3, -5, 2}));
  // uint8 255 == -1 is true in libtorch (the scalar wraps into the tensor's dtype).
  EXPECT_EQ(values(tensor({255}, kByte) == -1), (std::vector<double>{1}));
  EXPECT_EQ(values(tensor({1.5}, kHalf) < tensor({2.0}, kBFloat16)), (std::vector<double>{1}));
  // index_select and embedding take Int indices; gather does not (PyTorch 1.13).
  const Tensor ii = tensor({1, 3}, kInt);
  EXPECT_EQ(values(index_select(arange(5.0), 0, ii)), (std::vector<double>{1, 3}));
  EXPECT_EQ(values(nn::functional::embedding(tensor({1}, kInt), eye(3))),
            (std::vector<double>{0, 1, 0}));
  EXPECT_NE(error_of([&] { gather(arange(5.0), 0, ii); }).find("Long"), std::string::npos);
}

TEST(Dtypes, IntegerDivisionByZeroThrows) {
  // PyTorch raises ZeroDivisionError for an integral remainder by zero.
  EXPECT_NE(error_of([] {
              remainder(tensor({1, 2}, kInt), tensor({0, 1}, kInt));
            }).find("ZeroDivisionError"),
            std::string::npos);
  EXPECT_EQ(values(remainder(tensor({-7}, kChar), 3)), (std::vector<double>{2}));
  const Tensor f = fmod(tensor({-7}, kShort), tensor({2}, kShort));
  EXPECT_EQ(f.scalar_type(), kShort);
  EXPECT_EQ(values(f), (std::vector<double>{-1}));
}

TEST(Dtypes, HalfElementwiseComputesInFloat) {
  // exp(1) rounded to half: 2.71875 (PyTorch 1.13 has no CPU exp for Half; e to the nearest
  // half, spacing 2^-9 in [2, 4), is 1392 * 2^-9)
  EXPECT_EQ(exp(tensor({1.0}, kHalf)).item<float>(), 2.71875f);
  // exp(1) in bfloat16: 2.71875 (PyTorch 1.13)
  EXPECT_EQ(exp(tensor({1.0}, kBFloat16)).item<float>(), 2.71875f);
  // Ops written for float and double only refuse the 16-bit types with a message.
  EXPECT_NE(error_of([] {
              softmax(tensor({1.0, 2.0}, kHalf), 0);
            }).find("Half"),
            std::string::npos);
}

}  // namespace
