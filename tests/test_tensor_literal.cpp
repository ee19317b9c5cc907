// tg::tensor from numbers, nested braced lists, vectors and ArrayRefs; the default dtype.
#include <gtest/gtest.h>

#include <sstream>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

namespace {
using tg::testing::values;
using V = std::vector<double>;
using S = std::vector<int64_t>;

/// Sets the default dtype for one scope and restores kFloat after it, even when a test fails.
struct DefaultDtype {
  explicit DefaultDtype(ScalarType t) { set_default_dtype(t); }
  ~DefaultDtype() { set_default_dtype(kFloat); }
};

std::string printed(const detail::TensorDataContainer& d) {
  std::ostringstream out;
  out << d;
  return out.str();
}
}  // namespace

TEST(TensorLiteral, Scalars) {
  Tensor i = tensor(3);
  EXPECT_EQ(i.dim(), 0);
  EXPECT_EQ(i.dtype(), kLong);
  EXPECT_EQ(i.item<int64_t>(), 3);
  EXPECT_EQ(tensor(2.5).dtype(), kFloat);
  EXPECT_EQ(tensor(2.5f).dtype(), kFloat);
  EXPECT_EQ(tensor(true).dtype(), kBool);
  EXPECT_EQ(tensor(static_cast<uint8_t>(200), kLong).item<int64_t>(), 200);
  EXPECT_DOUBLE_EQ(tensor(2.5, kDouble).item<double>(), 2.5);
}

// As libtorch: int and int64_t widen to Long, float and double take the default dtype, and the
// other C++ types keep their own dtype, in lists and vectors alike.
TEST(TensorLiteral, EachCppTypeMakesItsDtype) {
  EXPECT_EQ(tensor({uint8_t{1}, uint8_t{200}}).dtype(), kByte);
  EXPECT_EQ(tensor({{int8_t{-1}}, {int8_t{2}}}).dtype(), kChar);
  EXPECT_EQ(tensor({int16_t{1}, int16_t{2}}).dtype(), kShort);
  EXPECT_EQ(tensor({Half(1.5f), Half(2)}).dtype(), kHalf);
  EXPECT_EQ(tensor({BFloat16(1.5f)}).dtype(), kBFloat16);
  EXPECT_EQ(tensor(std::vector<int>{1, 2}).dtype(), kLong);
  EXPECT_EQ(tensor(std::vector<uint8_t>{1, 2}).dtype(), kByte);
  EXPECT_EQ(tensor(std::vector<Half>{Half(0.5f)}).item<double>(), 0.5);
  EXPECT_EQ(tensor({uint8_t{1}, uint8_t{200}}).sum().item<int64_t>(), 201);
}

TEST(TensorLiteral, NestedLists) {
  Tensor t = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(t.sizes().vec(), (S{2, 3}));
  EXPECT_EQ(t.dtype(), kLong);
  EXPECT_EQ(values(t), (V{1, 2, 3, 4, 5, 6}));

  Tensor deep = tensor({{{{1.5}, {2.5}}}, {{{3.5}, {4.5}}}});
  EXPECT_EQ(deep.sizes().vec(), (S{2, 1, 2, 1}));
  EXPECT_EQ(deep.dtype(), kFloat);
  EXPECT_EQ(values(deep), (V{1.5, 2.5, 3.5, 4.5}));

  Tensor b = tensor({{true, false}, {false, true}});
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_EQ(values(b), (V{1, 0, 0, 1}));

  Tensor one = tensor({7});
  EXPECT_EQ(one.sizes().vec(), (S{1}));
}

TEST(TensorLiteral, EmptyLists) {
  Tensor e = tensor({});
  EXPECT_EQ(e.sizes().vec(), (S{0}));
  EXPECT_EQ(e.dtype(), kFloat);
  Tensor e2 = tensor({{}, {}});
  EXPECT_EQ(e2.sizes().vec(), (S{2, 0}));
  EXPECT_EQ(tensor(std::vector<double>{}).sizes().vec(), (S{0}));
  EXPECT_EQ(tensor(std::vector<int64_t>{}).dtype(), kLong);
}

TEST(TensorLiteral, VectorsAndArrayRefs) {
  std::vector<int> ints{4, 5, 6};
  Tensor a = tensor(ints);
  EXPECT_EQ(a.dtype(), kLong);
  EXPECT_EQ(values(a), (V{4, 5, 6}));
  Tensor b = tensor(ArrayRef<double>(std::vector<double>{0.25, 0.5}));
  EXPECT_EQ(b.dtype(), kFloat);
  EXPECT_EQ(values(b), (V{0.25, 0.5}));
  EXPECT_EQ(values(tensor(std::vector<bool>{false, true, true})), (V{0, 1, 1}));
  // A vector's values keep their precision until the final dtype is chosen.
  Tensor d = tensor(std::vector<double>{0.1}, kDouble);
  EXPECT_EQ(d.item<double>(), 0.1);
  // A braced list of vectors (libtorch refuses it with an internal assert) stacks them.
  Tensor nested = tensor({std::vector<int64_t>{1, 2}, std::vector<int64_t>{3, 4}});
  EXPECT_EQ(nested.sizes().vec(), (S{2, 2}));
  EXPECT_EQ(values(nested), (V{1, 2, 3, 4}));
}

TEST(TensorLiteral, Options) {
  Tensor t = tensor({{1, 2}, {3, 4}}, TensorOptions().dtype(kDouble).requires_grad(true));
  EXPECT_EQ(t.dtype(), kDouble);
  EXPECT_TRUE(t.requires_grad());
  EXPECT_TRUE(t.is_leaf());
  EXPECT_EQ(values(t), (V{1, 2, 3, 4}));
  Tensor f = tensor({1.7, -2.2}, kLong);  // converted as a cast does: toward zero
  EXPECT_EQ(values(f), (V{1, -2}));
  Tensor b = tensor({0, 2}, kBool);
  EXPECT_EQ(values(b), (V{0, 1}));
  // requires_grad alone keeps the deduced dtype.
  Tensor g = tensor({1.5, 2.5}, requires_grad());
  EXPECT_EQ(g.dtype(), kFloat);
  EXPECT_TRUE(g.requires_grad());
}

TEST(TensorLiteral, DefaultDtype) {
  EXPECT_EQ(get_default_dtype_as_scalartype(), kFloat);
  {
    DefaultDtype guard(kDouble);
    EXPECT_EQ(get_default_dtype_as_scalartype(), kDouble);
    EXPECT_EQ(tensor({1.5, 2.5}).dtype(), kDouble);
    EXPECT_EQ(tensor(1.5f).dtype(), kDouble);  // float literals too, as libtorch
    EXPECT_EQ(tensor({1, 2}).dtype(), kLong);
    EXPECT_EQ(tensor({}).dtype(), kDouble);
    EXPECT_EQ(ones({2}).dtype(), kDouble);
    EXPECT_EQ(randn({2}).dtype(), kDouble);
    EXPECT_EQ(arange(0., 3.).dtype(), kDouble);
    EXPECT_EQ(arange(3).dtype(), kLong);
    EXPECT_EQ(full({2}, 1.5).dtype(), kDouble);
    EXPECT_EQ(full({2}, 1).dtype(), kLong);
    EXPECT_EQ(linspace(0, 1, 3).dtype(), kDouble);
    EXPECT_EQ(tensor({1.5}, kFloat).dtype(), kFloat);
  }
  EXPECT_EQ(ones({2}).dtype(), kFloat);
  EXPECT_ERROR(set_default_dtype(kLong), "set_default_dtype", "floating-point", "Long");
  EXPECT_EQ(get_default_dtype_as_scalartype(), kFloat);
}

TEST(TensorLiteral, RaggedListsAreRefused) {
  EXPECT_ERROR(tensor({{1, 2}, {3}}),
               "Expected all sub-lists to have sizes: 2 (e.g. {1, 2}), but got sub-list {3} "
               "with sizes: 1");
  EXPECT_ERROR(tensor({{{1}, {2}}, {{3, 4}, {5, 6}}}),
               "Expected all sub-lists to have sizes: 2 1 (e.g. {{1}, {2}}), but got sub-list "
               "{{3, 4}, {5, 6}} with sizes: 2 2");
  EXPECT_ERROR(tensor({{1, 2}, 3}), "Expected all sub-lists to have sizes: 2", "with sizes: ");
}

TEST(TensorLiteral, MixedLiteralTypesAreRefused) {
  EXPECT_ERROR(tensor({1, 2.0}),
               "Expected all elements of the tensor to have the same scalar type: Int, but got "
               "element of scalar type: Double");
  EXPECT_ERROR(tensor({{true, false}, {1, 0}}), "same scalar type: Bool",
               "element of scalar type: Int");
  EXPECT_ERROR(tensor({1.f, 2.0}), "same scalar type: Float", "scalar type: Double");
}

TEST(TensorLiteral, Container) {
  using detail::TensorDataContainer;
  TensorDataContainer s(1.25);
  EXPECT_TRUE(s.is_scalar());
  EXPECT_DOUBLE_EQ(s.scalar().toDouble(), 1.25);
  EXPECT_EQ(s.sizes().vec(), S{});
  EXPECT_EQ(printed(s), "1.25");

  TensorDataContainer l({{1, 2}, {3, 4}});
  EXPECT_TRUE(l.is_init_list());
  EXPECT_EQ(l.init_list().size(), 2u);
  EXPECT_EQ(l.sizes().vec(), (S{2, 2}));
  EXPECT_EQ(l.scalar_type(), tg::kInt);
  EXPECT_EQ(printed(l), "{{1, 2}, {3, 4}}");
  EXPECT_EQ(printed(TensorDataContainer({{{}}})), "{{{}}}");
  EXPECT_EQ(printed(TensorDataContainer({true, false})), "{1, 0}");

  TensorDataContainer v(std::vector<double>{1.5, 2.5});
  EXPECT_TRUE(v.is_tensor());
  EXPECT_EQ(v.tensor().numel(), 2);
  EXPECT_EQ(printed(v), "{1.5, 2.5}");

  EXPECT_ERROR(s.init_list(),
               "Can only call `init_list()` on a TensorDataContainer that has "
               "`is_init_list() == true`");
  EXPECT_ERROR(s.tensor(), "Can only call `tensor()`", "`is_tensor() == true`");
  EXPECT_ERROR(l.scalar(), "Can only call `scalar()`", "`is_scalar() == true`");
  EXPECT_ERROR(v.init_list(), "Can only call `init_list()`");
}
