// gradcheck and gradgradcheck: they pass on correct derivatives, and fail (false, or a tg::Error
// naming the input, the output, the element and both values) on wrong ones; misuse throws.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

using autograd::gradcheck;
using autograd::gradgradcheck;

/// A contiguous kDouble leaf with the given values, requiring grad.
Tensor leaf(std::vector<double> values, IntArrayRef shape) {
  Tensor t = empty(shape, kDouble);
  double* p = t.data_ptr<double>();
  for (size_t k = 0; k < values.size(); ++k) p[k] = values[k];
  t.requires_grad_(true);
  return t;
}

/// The message gradcheck throws for fn, or "" when it throws nothing.
std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// ---- correct derivatives pass ----

TEST(Gradcheck, PassesOnArithmetic) {
  Tensor a = leaf({0.5, -1.25, 2.0, 0.75, 1.5, -0.3}, {2, 3});
  Tensor b = leaf({1.5, 0.8, -2.0}, {3});
  auto fn = [](const variable_list& v) {
    return variable_list{(v[0] * v[1] + v[0] / (v[1] * v[1] + 1.0)).sum({1})};
  };
  EXPECT_TRUE(gradcheck(fn, {a, b}));
  EXPECT_TRUE(gradcheck(fn, {a, b}, 1e-6, 1e-5, 1e-3, /*raise=*/false));
}

TEST(Gradcheck, PassesWithSeveralOutputsAndAnIntegerOutput) {
  Tensor a = leaf({0.5, -1.0, 2.0}, {3});
  auto fn = [](const variable_list& v) {
    return variable_list{v[0] * v[0], zeros({2}, kLong), (v[0] * 3.0).sum(), Tensor()};
  };
  EXPECT_TRUE(gradcheck(fn, {a}));
}

TEST(Gradcheck, UnusedInputHasAZeroJacobian) {
  Tensor a = leaf({0.5, -1.0}, {2});
  Tensor unused = leaf({3.0, 4.0, 5.0}, {3});
  auto fn = [](const variable_list& v) { return variable_list{v[0] * 2.0}; };
  EXPECT_TRUE(gradcheck(fn, {a, unused}));
}

TEST(Gradcheck, InputsWithoutGradAreConstants) {
  Tensor a = leaf({0.5, -1.0}, {2});
  Tensor c = leaf({3.0, 4.0}, {2}).detach();
  Tensor f = ones({2}, kFloat);  // not kDouble, but it does not require grad
  auto fn = [](const variable_list& v) { return variable_list{v[0] * v[1] + v[2].to(kDouble)}; };
  EXPECT_TRUE(gradcheck(fn, {a, c, f}));
}

TEST(Gradcheck, NonContiguousInputs) {
  Tensor base = empty({3, 2}, kDouble);
  double* p = base.data_ptr<double>();
  for (int k = 0; k < 6; ++k) p[k] = 0.25 * k - 0.6;
  Tensor x = base.t().requires_grad_(true);  // [2, 3], strides [1, 2]
  ASSERT_FALSE(x.is_contiguous());
  Tensor w = leaf({1.0, -2.0, 0.5, 3.0, 1.5, -1.0}, {2, 3});
  auto fn = [](const variable_list& v) { return variable_list{v[0] * v[1] * v[0]}; };
  EXPECT_TRUE(gradcheck(fn, {x, w}));
  EXPECT_TRUE(gradgradcheck(fn, {x, w}));
  // The input is unchanged after the perturbations.
  EXPECT_DOUBLE_EQ(x[1][2].item<double>(), 0.25 * 5 - 0.6);
}

TEST(Gradcheck, PerturbationDoesNotReachAnotherInputSharingStorage) {
  // The second input shares the first one's storage but is a constant: d(x * c)/dx = c. If
  // perturbing x wrote into the shared storage, the numerical derivative would be 2x.
  Tensor x = leaf({0.5, -1.5, 2.0}, {3});
  Tensor c = x.detach();
  auto fn = [](const variable_list& v) { return variable_list{v[0] * v[1]}; };
  EXPECT_TRUE(gradcheck(fn, {x, c}));
}

TEST(Gradcheck, NonLeafInput) {
  Tensor a = leaf({0.5, -1.0, 2.0}, {3});
  Tensor b = a * 2.0;
  auto fn = [](const variable_list& v) { return variable_list{v[0] * v[0]}; };
  EXPECT_TRUE(gradcheck(fn, {b}));
}

TEST(Gradcheck, InPlaceOnANonLeaf) {
  Tensor a = leaf({0.5, -1.0, 2.0, 1.5}, {2, 2});
  Tensor b = leaf({1.5, -0.5}, {2});
  auto fn = [](const variable_list& v) {
    Tensor y = v[0] * 1.0;
    y.mul_(v[1]);
    y.add_(v[1], 2.0);
    return variable_list{y};
  };
  EXPECT_TRUE(gradcheck(fn, {a, b}));
  EXPECT_TRUE(gradgradcheck(fn, {a, b}));
}

TEST(Gradcheck, ZeroDimAndEmptyInputs) {
  Tensor s = leaf({1.5}, {});
  Tensor e = leaf({}, {0, 2});
  auto fn = [](const variable_list& v) { return variable_list{v[0] * v[0], v[1].sum() + v[0]}; };
  EXPECT_TRUE(gradcheck(fn, {s, e}));
}

// ---- wrong derivatives fail ----

// y = 3x, with a hook that doubles the gradient flowing into y: analytic 6, numerical 3.
variable_list doubled_gradient(const variable_list& v) {
  Tensor y = v[0] * 3.0;
  y.register_hook([](Tensor g) { return g * 2.0; });
  return {y};
}

TEST(Gradcheck, WrongDerivativeReturnsFalseWithoutRaise) {
  Tensor x = leaf({1.0, 2.0}, {2});
  EXPECT_FALSE(gradcheck(doubled_gradient, {x}, 1e-6, 1e-5, 1e-3, /*raise=*/false));
}

TEST(Gradcheck, WrongDerivativeThrowsWithBothValues) {
  Tensor x = leaf({1.0, 2.0}, {2});
  std::string msg = message_of([&] { gradcheck(doubled_gradient, {x}); });
  EXPECT_TRUE(contains(msg, "gradcheck: Jacobian mismatch for output 0 with respect to input 0"))
      << msg;
  EXPECT_TRUE(contains(msg, "analytic 6, numerical 3")) << msg;
  EXPECT_TRUE(contains(msg, "at element ")) << msg;
}

TEST(Gradcheck, NamesTheWorstInputOutputAndElement) {
  // Output 0 is right; output 1 = b with the gradient of b's element 2 scaled by 5.
  Tensor a = leaf({0.5, -1.0, 2.0}, {3});
  Tensor b = leaf({1.0, 2.0, 3.0, 4.0}, {4});
  auto fn = [](const variable_list& v) {
    Tensor y = v[1] * 1.0;
    Tensor mask = tensor({1.0, 1.0, 5.0, 1.0}, kDouble);
    y.register_hook([mask](Tensor g) { return g * mask; });
    return variable_list{v[0] * 2.0, y + v[0].sum()};
  };
  EXPECT_FALSE(gradcheck(fn, {a, b}, 1e-6, 1e-5, 1e-3, false));
  std::string msg = message_of([&] { gradcheck(fn, {a, b}); });
  EXPECT_TRUE(contains(msg, "for output 1 with respect to input 1 at element 2:")) << msg;
  EXPECT_TRUE(contains(msg, "analytic 5, numerical 1")) << msg;
  EXPECT_TRUE(contains(msg, "d output 1[2] / d input 1[2]")) << msg;
}

TEST(Gradcheck, SmallErrorsWithinToleranceAndLargerOnesNot) {
  Tensor x = leaf({1.0, -2.0}, {2});
  auto scaled = [](double factor) {
    return [factor](const variable_list& v) {
      Tensor y = v[0] * 1.0;
      y.register_hook([factor](Tensor g) { return g * factor; });
      return variable_list{y};
    };
  };
  // |a - n| <= atol + rtol * |n| with n = 1.
  EXPECT_TRUE(gradcheck(scaled(1.0 + 5e-4), {x}, 1e-6, 1e-5, 1e-3, false));
  EXPECT_FALSE(gradcheck(scaled(1.0 + 5e-3), {x}, 1e-6, 1e-5, 1e-3, false));
  EXPECT_TRUE(gradcheck(scaled(1.0 + 5e-3), {x}, 1e-6, 1e-2, 1e-3, false));
}

TEST(Gradcheck, BackwardMustBeLinearInGradOutput) {
  // Right for every nonzero grad_output, but a zero grad_output gives ones.
  Tensor x = leaf({1.0, 2.0}, {2});
  auto fn = [](const variable_list& v) {
    Tensor y = v[0] * 1.0;
    y.register_hook([](Tensor g) { return (g * g).sum().item<double>() == 0.0 ? g + 1.0 : g; });
    return variable_list{y};
  };
  EXPECT_FALSE(gradcheck(fn, {x}, 1e-6, 1e-5, 1e-3, false));
  std::string msg = message_of([&] { gradcheck(fn, {x}); });
  EXPECT_TRUE(contains(msg, "zero grad_output gave a nonzero gradient for input 0")) << msg;
}

TEST(Gradcheck, OutputThatLostItsHistoryFails) {
  Tensor x = leaf({1.0, 2.0}, {2});
  auto fn = [](const variable_list& v) { return variable_list{v[0].detach() * 2.0}; };
  EXPECT_FALSE(gradcheck(fn, {x}, 1e-6, 1e-5, 1e-3, false));
  std::string msg = message_of([&] { gradcheck(fn, {x}); });
  EXPECT_TRUE(contains(msg, "output 0 does not require grad")) << msg;
  EXPECT_TRUE(contains(msg, "input 0")) << msg;
  // A constant output that really is constant is fine.
  auto constant = [](const variable_list& v) {
    return variable_list{v[0] * 2.0, ones({3}, kDouble)};
  };
  EXPECT_TRUE(gradcheck(constant, {x}));
}

// ---- misuse throws, whatever `raise` says ----

TEST(Gradcheck, NonDoubleInputThrows) {
  Tensor x = ones({2}, TensorOptions().dtype(kFloat).requires_grad(true));
  auto fn = [](const variable_list& v) { return variable_list{v[0] * 2.0}; };
  for (bool raise : {true, false}) {
    std::string msg = message_of([&] { gradcheck(fn, {x}, 1e-6, 1e-5, 1e-3, raise); });
    EXPECT_TRUE(contains(msg, "gradcheck: input 0")) << msg;
    EXPECT_TRUE(contains(msg, "Float")) << msg;
    EXPECT_TRUE(contains(msg, "kDouble")) << msg;
  }
  std::string msg = message_of([&] { gradgradcheck(fn, {x}); });
  EXPECT_TRUE(contains(msg, "gradgradcheck: input 0")) << msg;
}

TEST(Gradcheck, NoInputRequiringGradThrows) {
  Tensor x = ones({2}, kDouble);
  auto fn = [](const variable_list& v) { return variable_list{v[0] * 2.0}; };
  std::string msg = message_of([&] { gradcheck(fn, {x}, 1e-6, 1e-5, 1e-3, false); });
  EXPECT_TRUE(contains(msg, "gradcheck: none of the 1 inputs requires grad")) << msg;
}

TEST(Gradcheck, BadToleranceThrows) {
  Tensor x = leaf({1.0}, {1});
  auto fn = [](const variable_list& v) { return variable_list{v[0] * 2.0}; };
  EXPECT_TRUE(contains(message_of([&] { gradcheck(fn, {x}, 0.0); }), "eps must be a positive"));
  EXPECT_TRUE(contains(message_of([&] { gradcheck(fn, {x}, 1e-6, -1.0); }), "atol and rtol"));
}

TEST(Gradcheck, FunctionThatWritesItsInputThrows) {
  Tensor x = leaf({1.0, 2.0}, {2});
  auto fn = [](const variable_list& v) {
    {
      NoGradGuard no_grad;
      Tensor input = v[0];
      input.add_(1.0);
    }
    return variable_list{v[0] * 2.0};
  };
  std::string msg = message_of([&] { gradcheck(fn, {x}, 1e-6, 1e-5, 1e-3, false); });
  EXPECT_TRUE(contains(msg, "gradcheck: fn modified input 0 in place")) << msg;
}

// ---- gradgradcheck ----

TEST(Gradgradcheck, PassesOnSecondDerivatives) {
  Tensor a = leaf({0.5, -1.25, 2.0}, {3});
  Tensor b = leaf({1.5, 0.8, -2.0}, {3});
  auto fn = [](const variable_list& v) {
    return variable_list{v[0] * v[0] * v[1] + v[0] / v[1], (v[0] * v[1]).sum()};
  };
  EXPECT_TRUE(gradgradcheck(fn, {a, b}));
}

TEST(Gradgradcheck, LinearFunctionPasses) {
  Tensor a = leaf({0.5, -1.25, 2.0, 1.0}, {2, 2});
  auto fn = [](const variable_list& v) { return variable_list{v[0].t() * 3.0 - 1.0}; };
  EXPECT_TRUE(gradgradcheck(fn, {a}));
}

// z = x * c with c = x.detach() and a hook doubling dz: the first derivative 2 x is right (and
// gradcheck passes), but it is computed from the constant c, so its derivative is lost.
variable_list first_derivative_not_differentiable(const variable_list& v) {
  Tensor z = v[0] * v[0].detach();
  z.register_hook([](Tensor g) { return g * 2.0; });
  return {z};
}

TEST(Gradgradcheck, WrongSecondDerivativeFails) {
  Tensor x = leaf({1.0, -2.0, 0.5}, {3});
  EXPECT_TRUE(gradcheck(first_derivative_not_differentiable, {x}));
  EXPECT_FALSE(gradgradcheck(first_derivative_not_differentiable, {x}, 1e-6, 1e-5, 1e-3, false));
  std::string msg = message_of([&] { gradgradcheck(first_derivative_not_differentiable, {x}); });
  EXPECT_TRUE(contains(msg, "gradgradcheck:")) << msg;
  EXPECT_TRUE(contains(msg, "Jacobian mismatch for output 0 with respect to input 0")) << msg;
  EXPECT_TRUE(contains(msg, "analytic 0,")) << msg;
}

}  // namespace
}  // namespace tg
