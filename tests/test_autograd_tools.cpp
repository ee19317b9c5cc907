// Anomaly mode, the functional transforms and graph pictures.
#include <gtest/gtest.h>

#include <cmath>

#include "expect_error.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;
namespace ag = tg::autograd;

namespace {
Tensor dbl(std::vector<double> v) { return tensor(v, kDouble); }
double at(const Tensor& t, int64_t i) { return t.reshape({-1})[i].item<double>(); }
}  // namespace

TEST(Anomaly, NanInBackwardNamesNodeAndForwardCall) {
  Tensor x = dbl({0.0, 1.0}).requires_grad_();
  {
    ag::DetectAnomalyGuard guard;
    EXPECT_TRUE(ag::AnomalyMode::is_enabled());
    Tensor y = x.sqrt();  // d sqrt at 0 is inf; times 0 gives nan
    Tensor z = (y * 0).sum();
    EXPECT_ERROR(z.backward(), "Function 'SqrtBackward0' returned nan values in its 0th output",
                 "forward op of SqrtBackward0 was called from");
  }
  EXPECT_FALSE(ag::AnomalyMode::is_enabled());
  // Without the guard the NaN goes through silently, as in libtorch.
  Tensor y = x.sqrt();
  (y * 0).sum().backward();
  EXPECT_TRUE(std::isnan(at(x.grad(), 0)));
}

TEST(Anomaly, InfOnlyWhenAskedFor) {
  Tensor x = dbl({0.0}).requires_grad_();
  {
    ag::DetectAnomalyGuard guard;
    x.sqrt().sum().backward();  // gives inf: not checked by default
    EXPECT_TRUE(std::isinf(x.grad().item<double>()));
  }
  {
    ag::DetectAnomalyGuard guard(/*check_nan=*/true, /*check_inf=*/true);
    EXPECT_ERROR(x.sqrt().sum().backward(), "SqrtBackward0", "returned inf values");
  }
}

TEST(Anomaly, ErrorsInsideBackwardGetTheForwardTrace) {
  Tensor x = dbl({1.0, 2.0}).requires_grad_();
  ag::DetectAnomalyGuard guard;
  Tensor h = x * 2;
  Tensor y = h * h;
  h.add_(1);
  EXPECT_ERROR(y.sum().backward(), "modified by an inplace operation",
               "raised in the backward of MulBackward0", "was called from");
}

TEST(Functional, JacobianShapesAndValues) {
  // f(a, b) = (a * b [2x3], sum(a^2) [scalar])
  auto fn = [](const variable_list& v) -> variable_list {
    return {v[0] * v[1], (v[0] * v[0]).sum()};
  };
  Tensor a = dbl({1, 2, 3, 4, 5, 6}).view({2, 3}), b = dbl({7, 8, 9});
  auto J = ag::jacobian(fn, {a, b});
  ASSERT_EQ(J.size(), 2u);
  EXPECT_EQ(J[0][0].sizes().vec(), (std::vector<int64_t>{2, 3, 2, 3}));
  EXPECT_EQ(J[0][1].sizes().vec(), (std::vector<int64_t>{2, 3, 3}));
  EXPECT_EQ(J[1][0].sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(J[1][1].sizes().vec(), (std::vector<int64_t>{3}));
  // d(a*b)[i][j] / d a[k][l] = b[j] if (i,j)==(k,l)
  EXPECT_DOUBLE_EQ(J[0][0][1][2][1][2].item<double>(), 9);
  EXPECT_DOUBLE_EQ(J[0][0][1][2][1][1].item<double>(), 0);
  EXPECT_DOUBLE_EQ(J[0][1][1][0][0].item<double>(), 4);     // d (a*b)[1][0] / d b[0] = a[1][0]
  EXPECT_DOUBLE_EQ(J[1][0][1][1].item<double>(), 10);       // 2a
  EXPECT_DOUBLE_EQ(J[1][1].abs().sum().item<double>(), 0);  // unused input: zeros
  EXPECT_FALSE(J[0][0].requires_grad());
  EXPECT_FALSE(a.requires_grad());  // the inputs are not modified
}

TEST(Functional, HessianOfACubic) {
  // f(x, y) = x0^2 * y0 + x1 * y0^3 ; H is symmetric and exact.
  auto fn = [](const variable_list& v) -> variable_list {
    Tensor x = v[0], y = v[1];
    return {(x[0] * x[0] * y[0] + x[1] * y[0] * y[0] * y[0]).sum()};
  };
  Tensor x = dbl({2, 3}), y = dbl({5});
  auto H = ag::hessian(fn, {x, y});
  EXPECT_EQ(H[0][0].sizes().vec(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(H[0][1].sizes().vec(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(H[1][1].sizes().vec(), (std::vector<int64_t>{1, 1}));
  EXPECT_DOUBLE_EQ(at(H[0][0], 0), 10);  // d2/dx0^2 = 2 y0
  EXPECT_DOUBLE_EQ(at(H[0][0], 3), 0);
  EXPECT_DOUBLE_EQ(at(H[0][1], 0), 4);   // d2/dx0 dy0 = 2 x0
  EXPECT_DOUBLE_EQ(at(H[0][1], 1), 75);  // d2/dx1 dy0 = 3 y0^2
  EXPECT_DOUBLE_EQ(at(H[1][0], 1), 75);  // symmetric
  EXPECT_DOUBLE_EQ(at(H[1][1], 0), 90);  // d2/dy0^2 = 6 x1 y0
  EXPECT_ERROR(ag::hessian([](const variable_list& v) -> variable_list { return {v[0] * 2}; }, {x}),
               "hessian", "single element");
}

TEST(Functional, VjpJvpHvpAgreeWithTheJacobian) {
  auto fn = [](const variable_list& v) -> variable_list {
    return {v[0] * v[0] * v[1], v[0].sum() * v[1]};
  };
  Tensor a = dbl({1, -2, 3}), b = dbl({0.5, 2, -1});
  auto J = ag::jacobian(fn, {a, b});
  Tensor u0 = dbl({1, 2, 3}), u1 = dbl({-1, 0, 1});
  auto [out, vjp] = ag::vjp(fn, {a, b}, {u0, u1});
  EXPECT_TRUE(allclose(out[0], a * a * b));
  // vjp[j] = sum_i u_i^T J[i][j]
  for (int j = 0; j < 2; ++j) {
    Tensor expected = matmul(u0, J[0][j]) + matmul(u1, J[1][j]);
    EXPECT_TRUE(allclose(vjp[j], expected)) << j;
  }
  Tensor v0 = dbl({0.1, 0.2, 0.3}), v1 = dbl({1, 1, 2});
  auto [out2, jvp] = ag::jvp(fn, {a, b}, {v0, v1});
  for (int i = 0; i < 2; ++i) {
    Tensor expected = matmul(J[i][0], v0) + matmul(J[i][1], v1);
    EXPECT_TRUE(allclose(jvp[i], expected)) << i;
  }
  auto scalar = [](const variable_list& v) -> variable_list {
    return {(v[0] * v[0] * v[0] * v[1]).sum()};
  };
  auto H = ag::hessian(scalar, {a, b});
  auto [out3, hvp] = ag::hvp(scalar, {a, b}, {v0, v1});
  EXPECT_TRUE(allclose(hvp[0], matmul(H[0][0], v0) + matmul(H[0][1], v1)));
  EXPECT_TRUE(allclose(hvp[1], matmul(H[1][0], v0) + matmul(H[1][1], v1)));
  EXPECT_ERROR(ag::vjp(fn, {a, b}, {u0}), "vjp", "one tensor in v per output");
  EXPECT_ERROR(ag::jvp(fn, {a, b}, {v0, dbl({1})}), "jvp", "v[1] has shape [1]");
}

TEST(Functional, CreateGraphKeepsHistory) {
  Tensor w = dbl({3}).requires_grad_();
  auto fn = [&](const variable_list& v) -> variable_list { return {v[0] * v[0] * w}; };
  auto J = ag::jacobian(fn, {dbl({2})}, /*create_graph=*/true);
  ASSERT_TRUE(J[0][0].requires_grad());  // 2 x w, differentiable in w
  J[0][0].sum().backward();
  EXPECT_DOUBLE_EQ(w.grad().item<double>(), 4);
}

TEST(Functional, CreateGraphKeepsHistoryToTheInputs) {
  // With create_graph the results are differentiable in the inputs too (as PyTorch's
  // torch.autograd.functional), not only in what fn captures.
  Tensor x = dbl({0.5, -1.5}).requires_grad_();
  Tensor v = dbl({1.0, 2.0});
  auto cube = [](const variable_list& a) -> variable_list { return {a[0] * a[0] * a[0]}; };
  auto sum_cube = [](const variable_list& a) -> variable_list {
    return {(a[0] * a[0] * a[0]).sum()};
  };
  auto grad_of = [&](const Tensor& result) {
    x.mutable_grad() = Tensor();
    result.sum().backward();
    return x.grad();
  };
  // J = diag(3 x^2): d sum(J) / dx = 6 x.
  EXPECT_TRUE(allclose(grad_of(ag::jacobian(cube, {x}, true)[0][0]), x.detach() * 6));
  // H = diag(6 x): d sum(H) / dx = 6.
  EXPECT_TRUE(allclose(grad_of(ag::hessian(sum_cube, {x}, true)[0][0]), full({2}, 6.0, kDouble)));
  // v^T J = 3 x^2 v: d/dx = 6 x v; the same for J v.
  EXPECT_TRUE(allclose(grad_of(ag::vjp(cube, {x}, {v}, true).second[0]), x.detach() * v * 6));
  EXPECT_TRUE(allclose(grad_of(ag::jvp(cube, {x}, {v}, true).second[0]), x.detach() * v * 6));
  // H v = 6 x v: d/dx = 6 v.
  EXPECT_TRUE(allclose(grad_of(ag::hvp(sum_cube, {x}, {v}, true).second[0]), v * 6));
  // fn's outputs, returned beside, keep their history as well: d sum(x^3) / dx = 3 x^2.
  EXPECT_TRUE(
      allclose(grad_of(ag::vjp(cube, {x}, {v}, true).first[0]), x.detach() * x.detach() * 3));
  // Without create_graph nothing is differentiable and no .grad() changes.
  x.mutable_grad() = Tensor();
  Tensor w = dbl({2.0}).requires_grad_();
  auto scaled = [&](const variable_list& a) -> variable_list { return {a[0] * a[0] * w}; };
  auto [y, vj] = ag::vjp(scaled, {x}, {v});
  EXPECT_FALSE(y[0].requires_grad() || vj[0].requires_grad());
  EXPECT_FALSE(ag::jacobian(scaled, {x})[0][0].requires_grad());
  EXPECT_FALSE(x.grad().defined() || w.grad().defined());
}

TEST(Anomaly, NanInACheckpointedFunctionNamesTheNodeAndItsForwardCall) {
  Tensor x = dbl({0.0, 1.0}).requires_grad_();
  Tensor w = dbl({1.0, 1.0}).requires_grad_();
  ag::DetectAnomalyGuard guard;
  auto fn = [&](const variable_list& a) -> variable_list { return {(a[0] * w).sqrt() * 0}; };
  EXPECT_ERROR(ag::checkpoint(fn, {x})[0].sum().backward(),
               "Function 'SqrtBackward0' returned nan values", "forward op of SqrtBackward0");
}

TEST(GraphPicture, TutorialGraph) {
  Tensor x = ones({2, 2}, requires_grad());
  Tensor y = x + 2;
  Tensor z = y * y * 3;
  Tensor out = z.mean();
  std::string dot = ag::to_dot({out});
  EXPECT_EQ(dot.rfind("digraph backward {", 0), 0u);
  for (const char* part : {"MeanBackward0", "MulBackward1", "MulBackward0", "AddBackward1",
                           "torch::autograd::AccumulateGrad\\nleaf Float [2, 2]",
                           "saved\\nFloat [2, 2]", "output 0\\nFloat []"})
    EXPECT_NE(dot.find(part), std::string::npos) << part << "\n" << dot;
  out.backward();
  EXPECT_NE(ag::to_dot({out}).find("saved\\nfreed"), std::string::npos);
}
