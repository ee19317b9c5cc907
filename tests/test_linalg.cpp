// Linear algebra: values against a naive reference (read through strides, so views are checked
// as they are), every rank combination of matmul, non-contiguous and expanded operands, empty
// dims, dtypes, gradients and graph names, and every error message.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/gemm.h"
#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

using tg::testing::element_at;

using Shape = std::vector<int64_t>;

// Calls f(idx) for every multi-index of `shape`.
template <class F>
void for_each_index(const Shape& shape, F f) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  Shape idx(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i;
    for (size_t d = shape.size(); d-- > 0;) {
      idx[d] = rest % shape[d];
      rest /= shape[d];
    }
    f(idx);
  }
}

// libtorch's matmul semantics written out: returns the expected shape and values (row-major).
struct Expected {
  Shape shape;
  std::vector<double> values;
};
Expected reference_matmul(const Tensor& a, const Tensor& b) {
  Shape sa = a.sizes().vec(), sb = b.sizes().vec();
  const bool a_vec = sa.size() == 1, b_vec = sb.size() == 1;
  if (a_vec) sa.insert(sa.begin(), 1);
  if (b_vec) sb.push_back(1);
  const int64_t n = sa[sa.size() - 2], k = sa.back(), p = sb.back();
  const size_t nd = std::max(sa.size(), sb.size()) - 2;
  Shape pa(nd, 1), pb(nd, 1), batch(nd, 1);
  for (size_t i = 0; i < nd; ++i) {
    if (i + sa.size() - 2 >= nd) pa[i] = sa[i + sa.size() - 2 - nd];
    if (i + sb.size() - 2 >= nd) pb[i] = sb[i + sb.size() - 2 - nd];
    batch[i] = std::max(pa[i], pb[i]);
  }
  Expected e;
  e.shape = batch;
  if (!a_vec) e.shape.push_back(n);
  if (!b_vec) e.shape.push_back(p);
  Shape loop = batch;
  loop.push_back(n);
  loop.push_back(p);
  // Strides of a and b as seen from the broadcast loop: 0 where broadcast or absent.
  const int64_t da = a.dim(), db = b.dim();
  Shape la(loop.size() + 1, 0), lb(loop.size() + 1, 0);  // loop dims, then k
  for (size_t d = 0; d < nd; ++d) {
    const int64_t ia = static_cast<int64_t>(d) - static_cast<int64_t>(nd) + (da - 2);
    const int64_t ib = static_cast<int64_t>(d) - static_cast<int64_t>(nd) + (db - 2);
    if (!a_vec && ia >= 0 && pa[d] != 1) la[d] = a.stride(ia);
    if (!b_vec && ib >= 0 && pb[d] != 1) lb[d] = b.stride(ib);
  }
  if (!a_vec) la[nd] = a.stride(da - 2);
  la[nd + 2] = a.stride(da - 1);
  if (!b_vec) lb[nd + 1] = b.stride(db - 1);
  lb[nd + 2] = b.stride(b_vec ? 0 : db - 2);
  for_each_index(loop, [&](const Shape& idx) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < loop.size(); ++d) {
      oa += idx[d] * la[d];
      ob += idx[d] * lb[d];
    }
    double s = 0;
    for (int64_t q = 0; q < k; ++q)
      s += element_at(a, oa + q * la[nd + 2]) * element_at(b, ob + q * lb[nd + 2]);
    e.values.push_back(s);
  });
  return e;
}

void expect_matches(const Tensor& got, const Expected& e, double tol, const std::string& what) {
  ASSERT_EQ(got.sizes().vec(), e.shape) << what;
  size_t i = 0;
  for_each_index(e.shape, [&](const Shape& idx) {
    const double want = e.values[i++];
    EXPECT_NEAR(element_at(got, idx), want, tol * (1 + std::abs(want)))
        << what << " at element " << i - 1;
  });
}

// Deterministic small integers (exact in every dtype) in a fresh contiguous tensor, written
// through data_ptr so that the inputs do not depend on the ops under test.
Tensor ints(const Shape& shape, ScalarType dtype, int seed = 0) {
  Tensor t = empty(shape, dtype);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int64_t v = (i * 7 + seed * 3) % 11 - 5;
    switch (dtype) {
      case kFloat:
        t.data_ptr<float>()[i] = static_cast<float>(v);
        break;
      case kDouble:
        t.data_ptr<double>()[i] = static_cast<double>(v);
        break;
      default:
        t.data_ptr<int64_t>()[i] = v;
        break;
    }
  }
  return t;
}

std::string str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

#define EXPECT_ERROR_HAS(stmt, ...)                                                         \
  do {                                                                                      \
    const std::string msg_ = error_of([&] { (void)(stmt); });                               \
    for (const char* part : {__VA_ARGS__})                                                  \
      EXPECT_NE(msg_.find(part), std::string::npos) << "'" << part << "' not in: " << msg_; \
  } while (false)

// ---------------- values ----------------

const std::vector<std::pair<Shape, Shape>> kMatmulShapes = {
    {{3}, {3}},                 // dot
    {{2, 3}, {3}},              // mv
    {{3}, {3, 4}},              // vector-matrix
    {{2, 3}, {3, 4}},           // mm
    {{5, 2, 3}, {3}},           // folded, vector
    {{5, 2, 3}, {3, 4}},        // folded, matrix
    {{2, 2, 2, 3}, {3, 4}},     // folded, two batch dims
    {{3}, {5, 3, 4}},           // vector on a batch
    {{2, 3}, {5, 3, 4}},        // matrix on a batch
    {{5, 2, 3}, {5, 3, 4}},     // bmm
    {{5, 1, 2, 3}, {4, 3, 4}},  // broadcast both ways
    {{1, 2, 3}, {6, 3, 4}},     // broadcast a
    {{2, 1, 2, 3}, {1, 3, 3, 4}},
    {{4}, {2, 3, 4, 5}},
    {{2, 3, 4, 5}, {5}},
    {{1, 1}, {1, 1}},
};

TEST(Matmul, AllRankCombinationsAllDtypes) {
  for (ScalarType dt : {kFloat, kDouble, kLong})
    for (const auto& [sa, sb] : kMatmulShapes) {
      Tensor a = ints(sa, dt, 1), b = ints(sb, dt, 2);
      Tensor c = matmul(a, b);
      EXPECT_EQ(c.dtype(), dt);
      expect_matches(c, reference_matmul(a, b), 0,
                     "matmul " + str(sa) + " x " + str(sb) + " " + to_string(dt));
      expect_matches(a.matmul(b), reference_matmul(a, b), 0, "method " + str(sa));
    }
}

TEST(Matmul, NonContiguousOperands) {
  for (ScalarType dt : {kFloat, kDouble}) {
    Tensor base_a = randn({6, 8}, dt), base_b = randn({10, 12}, dt);
    const double tol = dt == kFloat ? 1e-5 : 1e-12;
    const std::vector<std::pair<Tensor, Tensor>> pairs = {
        {base_a.t(), base_a},                               // transposed [8, 6] x [6, 8]
        {base_a, base_b.slice(0, 0, 8).slice(1, 0, 5)},     // row stride 12: [6, 8] x [8, 5]
        {base_a.slice(1, 0, 8, 2), base_b.slice(0, 0, 4)},  // column step 2: copied
        {base_a.slice(0, 0, 6, 2).slice(1, 1, 8, 3),        // no unit stride on either side
         base_b.slice(0, 0, 3).slice(1, 0, 12, 4)},
        {base_b.t().slice(0, 0, 12, 3), base_b.slice(1, 0, 3)},     // strides (3, 12) x (12, 1)
        {base_a.t(), base_a.select(1, 1)},                          // mv on a transposed matrix
        {base_a.select(1, 2), base_a},                              // strided vector x matrix
        {base_a.select(1, 1), base_a.select(0, 3).slice(0, 0, 6)},  // strided . contiguous
        {base_a.select(1, 0), base_a.select(1, 5)},                 // strided . strided
        {base_a.t().reshape({2, 4, 6}).transpose(1, 2), base_b.slice(0, 0, 4).t().t()},
    };
    for (size_t i = 0; i < pairs.size(); ++i) {
      const auto& [a, b] = pairs[i];
      expect_matches(matmul(a, b), reference_matmul(a, b), tol,
                     "pair " + std::to_string(i) + " " + to_string(dt));
    }
    // Batched: permuted, transposed in the matrix dims, and expanded batch operands.
    Tensor x = randn({3, 4, 5}, dt), y = randn({5, 3, 2}, dt);
    Tensor xs = randn({4, 3, 5}, dt).transpose(0, 1);  // [3, 4, 5], batch stride 5
    Tensor yt = randn({3, 2, 5}, dt).transpose(1, 2);  // [3, 5, 2], transposed matrices
    Tensor yp = y.permute({1, 0, 2});                  // [3, 5, 2], batch stride 2
    expect_matches(matmul(xs, yp), reference_matmul(xs, yp), tol, "strided batches");
    expect_matches(matmul(xs, yt), reference_matmul(xs, yt), tol, "transposed matrices in batch");
    Tensor zt = randn({3, 6, 4}, dt).transpose(1, 2);  // [3, 4, 6]
    expect_matches(matmul(x.transpose(1, 2), zt), reference_matmul(x.transpose(1, 2), zt), tol,
                   "both transposed in batch");
    Tensor e = randn({5, 2}, dt).expand({3, 5, 2});  // batch stride 0
    expect_matches(bmm(x, e), reference_matmul(x, e), tol, "expanded batch");
    Tensor v = randn({1}, dt).expand({5});  // stride-0 vector
    expect_matches(matmul(x, v), reference_matmul(x, v), tol, "expanded vector");
    expect_matches(mv(x[0], v), reference_matmul(x[0], v), tol, "mv expanded vector");
    expect_matches(dot(v, x[1][2]), reference_matmul(v, x[1][2]), tol, "dot expanded vector");
  }
}

TEST(Matmul, LargeFloatAgreesWithDouble) {
  manual_seed(7);
  Tensor a = randn({130, 257}, kDouble), b = randn({257, 191}, kDouble);
  Tensor cd = matmul(a, b);
  Tensor cf = matmul(a.to(kFloat), b.to(kFloat));
  expect_matches(cd, reference_matmul(a, b), 1e-12, "double vs reference");
  EXPECT_TRUE(allclose(cf.to(kDouble), cd, 1e-4, 1e-3));
  // Batched and transposed, through the library and by hand.
  Tensor x = randn({3, 65, 40}, kDouble), y = randn({3, 70, 40}, kDouble);
  Tensor zd = matmul(x, y.transpose(1, 2));
  Tensor zf = matmul(x.to(kFloat), y.to(kFloat).transpose(1, 2));
  EXPECT_TRUE(allclose(zf.to(kDouble), zd, 1e-4, 1e-4));
  expect_matches(zd, reference_matmul(x, y.transpose(1, 2)), 1e-12, "batched transposed");
}

TEST(Matmul, EmptyDims) {
  for (ScalarType dt : {kFloat, kDouble, kLong}) {
    // K == 0: the sum over nothing is zero.
    Tensor c = matmul(ones({2, 0}, dt), ones({0, 3}, dt));
    ASSERT_EQ(c.sizes().vec(), Shape({2, 3}));
    EXPECT_TRUE(equal(c, zeros({2, 3}, dt)));
    Tensor d = dot(ones({0}, dt), ones({0}, dt));
    EXPECT_EQ(d.dim(), 0);
    EXPECT_EQ(d.item<double>(), 0);
    EXPECT_TRUE(equal(mv(ones({4, 0}, dt), ones({0}, dt)), zeros({4}, dt)));
    EXPECT_TRUE(equal(matmul(ones({3, 2, 0}, dt), ones({0, 5}, dt)), zeros({3, 2, 5}, dt)));
    EXPECT_TRUE(equal(bmm(ones({2, 1, 0}, dt), ones({2, 0, 4}, dt)), zeros({2, 1, 4}, dt)));
    // Empty M, N or batch: empty results of the right shape.
    EXPECT_EQ(matmul(ones({0, 3}, dt), ones({3, 4}, dt)).sizes().vec(), Shape({0, 4}));
    EXPECT_EQ(matmul(ones({2, 3}, dt), ones({3, 0}, dt)).sizes().vec(), Shape({2, 0}));
    EXPECT_EQ(matmul(ones({0, 2, 3}, dt), ones({3, 4}, dt)).sizes().vec(), Shape({0, 2, 4}));
    EXPECT_EQ(matmul(ones({0, 2, 3}, dt), ones({1, 3, 4}, dt)).sizes().vec(), Shape({0, 2, 4}));
    EXPECT_EQ(matmul(ones({3}, dt), ones({0, 3, 4}, dt)).sizes().vec(), Shape({0, 4}));
    EXPECT_EQ(outer(ones({0}, dt), ones({3}, dt)).sizes().vec(), Shape({0, 3}));
    Tensor s = full({2, 3}, 2, dt);
    EXPECT_TRUE(equal(addmm(s, ones({2, 0}, dt), ones({0, 3}, dt), 3), full({2, 3}, 6, dt)));
  }
}

TEST(Matmul, FloatAndDoubleAgreeOnRandomShapes) {
  manual_seed(3);
  for (const auto& [sa, sb] : kMatmulShapes) {
    Tensor a = randn(sa, kDouble), b = randn(sb, kDouble);
    Tensor cd = matmul(a, b), cf = matmul(a.to(kFloat), b.to(kFloat));
    EXPECT_EQ(cf.dtype(), kFloat);
    EXPECT_TRUE(allclose(cf.to(kDouble), cd, 1e-5, 1e-5)) << str(sa) << " x " << str(sb);
  }
}

TEST(Matmul, DoubleIsDeterministicAcrossThreadCounts) {
  manual_seed(11);
  Tensor a = randn({96, 200}, kDouble), b = randn({200, 150}, kDouble);
  const int before = get_num_threads();
  set_num_threads(1);
  Tensor c1 = matmul(a, b);
  set_num_threads(2);
  Tensor c2 = matmul(a, b);
  set_num_threads(before);
  EXPECT_TRUE(equal(c1, c2));
  expect_matches(c1, reference_matmul(a, b), 1e-12, "double 96x200x150");
}

TEST(Mm, ValuesAndMethods) {
  Tensor a = tensor({1., 2., 3., 4., 5., 6.}).reshape({2, 3});
  Tensor b = tensor({1., 0., -1., 2., 0.5, 1.}).reshape({3, 2});
  // [[1*1+2*(-1)+3*0.5, 0+4+3], [4-5+3, 0+10+6]]
  Tensor want = tensor({0.5, 7., 2., 16.}).reshape({2, 2});
  EXPECT_TRUE(allclose(mm(a, b), want));
  EXPECT_TRUE(allclose(a.mm(b), want));
  EXPECT_TRUE(allclose(matmul(a, b), want));
  EXPECT_TRUE(allclose(b.t().mm(a.t()), want.t()));
}

TEST(Bmm, Values) {
  for (ScalarType dt : {kFloat, kDouble, kLong}) {
    Tensor a = ints({4, 2, 3}, dt, 5), b = ints({4, 3, 5}, dt, 6);
    expect_matches(bmm(a, b), reference_matmul(a, b), 0, "bmm");
    expect_matches(a.bmm(b), reference_matmul(a, b), 0, "bmm method");
    expect_matches(bmm(a.transpose(1, 2).contiguous().transpose(1, 2), b), reference_matmul(a, b),
                   0, "bmm transposed storage");
  }
}

TEST(MvDotOuter, Values) {
  Tensor m = tensor({1., 2., 3., 4., 5., 6.}).reshape({2, 3});
  Tensor v = tensor({1., -1., 2.});
  EXPECT_TRUE(allclose(mv(m, v), tensor({5., 11.})));
  EXPECT_TRUE(allclose(m.mv(v), tensor({5., 11.})));
  Tensor d = dot(v, tensor({3., 4., 5.}));
  EXPECT_EQ(d.dim(), 0);
  EXPECT_FLOAT_EQ(d.item<float>(), 9.f);
  EXPECT_FLOAT_EQ(v.dot(v).item<float>(), 6.f);
  Tensor o = outer(tensor({1., 2.}), v);
  EXPECT_TRUE(allclose(o, tensor({1., -1., 2., 2., -2., 4.}).reshape({2, 3})));
  EXPECT_TRUE(allclose(tensor({1., 2.}).outer(v), o));
  // outer broadcasts through mul, so dtypes promote as mul does.
  EXPECT_EQ(outer(tensor({1, 2}), tensor({1.5, 2.5}, kDouble)).dtype(), kDouble);
  EXPECT_EQ(dot(tensor({1, 2, 3}), tensor({4, 5, 6})).item<int64_t>(), 32);
}

TEST(Addmm, ValuesBroadcastAndScalars) {
  Tensor m1 = tensor({1., 2., 3., 4.}).reshape({2, 2});
  Tensor m2 = tensor({1., 1., 0., 1.}).reshape({2, 2});
  Tensor prod = tensor({1., 3., 3., 7.}).reshape({2, 2});
  Tensor self = tensor({10., 20., 30., 40.}).reshape({2, 2});
  EXPECT_TRUE(allclose(addmm(self, m1, m2), self + prod));
  EXPECT_TRUE(allclose(addmm(self, m1, m2, 0.5, 2), self * 0.5 + prod * 2));
  EXPECT_TRUE(allclose(self.addmm(m1, m2, 2, -1), self * 2 - prod));
  // self broadcasts: a row, a column, a 0-d tensor.
  Tensor row = tensor({1., 2.});
  EXPECT_TRUE(allclose(addmm(row, m1, m2), prod + row));
  Tensor col = tensor({1., 2.}).reshape({2, 1});
  EXPECT_TRUE(allclose(addmm(col, m1, m2), prod + col));
  EXPECT_TRUE(allclose(addmm(scalar_tensor(5.), m1, m2), prod + 5));
  // beta == 0 ignores self, NaN included (as libtorch).
  Tensor nan_self = full({2, 2}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(allclose(addmm(nan_self, m1, m2, 0, 1), prod));
  // Long with integral scalars is exact.
  EXPECT_TRUE(equal(addmm(ones({2, 2}, kLong), m1.to(kLong), m2.to(kLong), 3, 2),
                    (prod * 2 + 3).to(kLong)));
  // Non-contiguous operands and self.
  EXPECT_TRUE(allclose(addmm(self.t(), m1.t(), m2.t()), self.t() + m1.t().mm(m2.t())));
}

TEST(Matmul, OutputIsContiguousAndNotAView) {
  Tensor a = randn({2, 3, 4}), b = randn({4, 5});
  Tensor c = matmul(a, b);
  EXPECT_TRUE(c.is_contiguous());
  // Writing to the result must not affect the inputs.
  Tensor a0 = a.clone();
  c.fill_(1);
  EXPECT_TRUE(equal(a, a0));
}

// ---------------- kernel ----------------

TEST(GemmKernel, BetaZeroDoesNotReadOutputAndTransposedOutput) {
  for (ScalarType dt : {kFloat, kDouble}) {
    Tensor a = randn({3, 4}, dt), b = randn({4, 5}, dt);
    Tensor out = full({3, 5}, std::numeric_limits<double>::quiet_NaN(), dt);
    kernels::mm_out(out, a, b, 1, 0);
    expect_matches(out, reference_matmul(a, b), 1e-5, "beta 0");
    // A transposed output is written as C^T = B^T A^T; a strided one through a temporary.
    Tensor outt = zeros({5, 3}, dt).t();
    kernels::mm_out(outt, a, b, 2, 0);
    expect_matches(outt, reference_matmul(a * 2, b), 1e-5, "transposed out");
    Tensor big = ones({6, 10}, dt);
    Tensor strided = big.slice(0, 0, 6, 2).slice(1, 0, 10, 2);  // [3, 5], strides (20, 2)
    kernels::mm_out(strided, a, b, 1, 1);
    Expected plus_one = reference_matmul(a, b);
    for (double& v : plus_one.values) v += 1;
    expect_matches(strided, plus_one, 1e-5, "strided out, beta 1");
    EXPECT_DOUBLE_EQ(element_at(big, {1, 0}), 1.0);  // rows in between untouched
  }
}

// ---------------- autograd ----------------

TEST(LinalgGrad, NodeNames) {
  Tensor a = randn({2, 3}, requires_grad()), b = randn({3, 4}, requires_grad());
  Tensor v = randn({3}, requires_grad()), w = randn({3}, requires_grad());
  Tensor a3 = randn({5, 2, 3}, requires_grad()), b3 = randn({5, 3, 4}, requires_grad());
  EXPECT_EQ(mm(a, b).grad_fn()->name(), "MmBackward0");
  EXPECT_EQ(bmm(a3, b3).grad_fn()->name(), "BmmBackward0");
  EXPECT_EQ(mv(a, v).grad_fn()->name(), "MvBackward0");
  EXPECT_EQ(dot(v, w).grad_fn()->name(), "DotBackward0");
  EXPECT_EQ(outer(v, w).grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(addmm(randn({4}), a, b).grad_fn()->name(), "AddmmBackward0");
  // matmul records what it decomposes into (See Note [matmul decomposition]).
  EXPECT_EQ(matmul(v, w).grad_fn()->name(), "DotBackward0");
  EXPECT_EQ(matmul(a, v).grad_fn()->name(), "MvBackward0");
  EXPECT_EQ(matmul(a, b).grad_fn()->name(), "MmBackward0");
  EXPECT_EQ(matmul(w.slice(0, 0, 2), a).grad_fn()->name(), "SqueezeBackward1");
  Tensor folded = matmul(a3, b);
  EXPECT_EQ(folded.grad_fn()->name(), "UnsafeViewBackward0");
  EXPECT_EQ(folded.grad_fn()->next_edges()[0].function->name(), "MmBackward0");
  Tensor batched = matmul(a3, b3);
  EXPECT_EQ(batched.grad_fn()->name(), "UnsafeViewBackward0");
  EXPECT_EQ(batched.grad_fn()->next_edges()[0].function->name(), "BmmBackward0");
  // No history without grad.
  {
    NoGradGuard guard;
    EXPECT_EQ(mm(a, b).grad_fn(), nullptr);
  }
  EXPECT_FALSE(mm(a.detach(), b.detach()).requires_grad());
}

TEST(LinalgGrad, MmGradientsAndOnlyNeededOnes) {
  Tensor a = randn({2, 3}, kDouble).requires_grad_();
  Tensor b = randn({3, 4}, kDouble);
  Tensor g = randn({2, 4}, kDouble);
  mm(a, b).backward(g);
  ASSERT_TRUE(a.grad().defined());
  EXPECT_TRUE(allclose(a.grad(), g.mm(b.t())));
  EXPECT_FALSE(b.grad().defined());

  Tensor c = randn({2, 3}, kDouble), d = randn({3, 4}, kDouble).requires_grad_();
  mm(c, d).backward(g);
  EXPECT_TRUE(allclose(d.grad(), c.t().mm(g)));
}

TEST(LinalgGrad, TransposedOperandsGetContiguousLeafGradients) {
  // As libtorch: a column-major operand (Linear's weight.t()) gets a column-major gradient, so
  // the leaf behind the transpose receives a contiguous one (which it accumulates without a
  // strided pass). The hooks see the gradients as they arrive.
  Tensor w = randn({4, 3}, kDouble).requires_grad_(), a = randn({3, 2}, kDouble).requires_grad_();
  bool w_contiguous = false, a_contiguous = false;
  w.register_hook([&](Tensor g) { w_contiguous = g.is_contiguous(); });
  a.register_hook([&](Tensor g) { a_contiguous = g.is_contiguous(); });
  Tensor x = randn({2, 3}, kDouble), bias = randn({4}, kDouble), g = randn({2, 4}, kDouble);
  mm(x, w.t()).backward(g);
  EXPECT_TRUE(w_contiguous);
  EXPECT_TRUE(allclose(w.grad(), g.t().mm(x)));
  mm(a.t(), w.detach().t()).backward(g);
  EXPECT_TRUE(a_contiguous);
  EXPECT_TRUE(allclose(a.grad(), w.detach().t().mm(g.t())));

  w.mutable_grad() = Tensor();
  a.mutable_grad() = Tensor();
  w_contiguous = a_contiguous = false;
  addmm(bias, a.t(), w.t(), 1, 0.5).backward(g);
  EXPECT_TRUE(w_contiguous);
  EXPECT_TRUE(a_contiguous);
  EXPECT_TRUE(allclose(w.grad(), g.t().mm(a.detach().t()) * 0.5));
  EXPECT_TRUE(allclose(a.grad(), w.detach().t().mm(g.t()) * 0.5));
}

TEST(LinalgGrad, BroadcastBatchGradientsSumOverBatch) {
  // a [2, 3] shared by a batch of 4: its gradient sums the per-batch gradients.
  Tensor a = randn({2, 3}, kDouble).requires_grad_();
  Tensor b = randn({4, 3, 5}, kDouble).requires_grad_();
  Tensor g = randn({4, 2, 5}, kDouble);
  matmul(a, b).backward(g);
  Tensor want_a = zeros({2, 3}, kDouble);
  for (int i = 0; i < 4; ++i) want_a = want_a + g[i].mm(b[i].detach().t());
  EXPECT_TRUE(allclose(a.grad(), want_a));
  EXPECT_EQ(b.grad().sizes().vec(), Shape({4, 3, 5}));
  EXPECT_TRUE(allclose(b.grad()[2], a.detach().t().mm(g[2])));
}

TEST(LinalgGrad, Gradcheck) {
  auto fn = [](const variable_list& x) { return variable_list{matmul(x[0], x[1])}; };
  EXPECT_TRUE(autograd::gradcheck(fn, {randn({2, 1, 2, 3}, kDouble).requires_grad_(),
                                       randn({3, 3, 2}, kDouble).requires_grad_()}));
  EXPECT_TRUE(autograd::gradgradcheck(
      fn, {randn({3}, kDouble).requires_grad_(), randn({2, 3, 2}, kDouble).requires_grad_()}));
  auto addmm_fn = [](const variable_list& x) {
    return variable_list{addmm(x[0], x[1].t(), x[2], 0.3, 1.7)};
  };
  EXPECT_TRUE(autograd::gradgradcheck(
      addmm_fn, {randn({1, 2}, kDouble).requires_grad_(), randn({4, 3}, kDouble).requires_grad_(),
                 randn({4, 2}, kDouble).requires_grad_()}));
}

TEST(LinalgGrad, InPlaceOnMatmulResultIsAllowed) {
  Tensor a = randn({2, 3, 4}, kDouble).requires_grad_();
  Tensor b = randn({4, 5}, kDouble).requires_grad_();
  Tensor c = matmul(a, b);
  c.mul_(2);
  c.sum().backward();
  EXPECT_TRUE(allclose(b.grad(), a.detach().sum({0, 1}).reshape({4, 1}).expand({4, 5}) * 2));
}

// ---------------- errors ----------------

TEST(LinalgErrors, Matmul) {
  EXPECT_ERROR_HAS(matmul(randn({2, 3}), randn({4, 5})), "matmul",
                   "shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)");
  EXPECT_ERROR_HAS(matmul(randn({3}), randn({4})), "matmul", "[3] and [4]", "(3 != 4)");
  EXPECT_ERROR_HAS(matmul(randn({2, 3}), randn({4})), "matmul", "[2, 3] and [4]", "(3 != 4)");
  EXPECT_ERROR_HAS(matmul(randn({5, 2, 3}), randn({2, 4, 5})), "matmul", "(3 != 4)");
  EXPECT_ERROR_HAS(matmul(randn({2, 2, 3}), randn({3, 3, 4})), "matmul", "batch dimensions",
                   "[2, 2, 3]", "[3, 3, 4]", "cannot be broadcast", "(2 != 3");
  EXPECT_ERROR_HAS(matmul(scalar_tensor(2.), randn({3})), "matmul", "at least 1-D", "[]", "0-D",
                   "mul");
  EXPECT_ERROR_HAS(matmul(randn({3}), scalar_tensor(2.)), "matmul", "at least 1-D", "0-D");
  EXPECT_ERROR_HAS(matmul(randn({2, 3}), randn({3, 2}, kDouble)), "matmul", "same dtype", "Float",
                   "Double", ".to(");
  EXPECT_ERROR_HAS(matmul(ones({2, 2}, kBool), ones({2, 2}, kBool)), "matmul", "Bool",
                   ".to(tg::kFloat)");
}

TEST(LinalgErrors, Mm) {
  EXPECT_ERROR_HAS(mm(randn({2, 3}), randn({4, 5})), "mm: shapes [2, 3] and [4, 5]",
                   "cannot be multiplied (3 != 4)", ".t()");
  EXPECT_ERROR_HAS(mm(randn({2, 3, 4}), randn({4, 5})), "mm", "2-D", "3-D", "[2, 3, 4]", "mat1",
                   "bmm", "matmul");
  EXPECT_ERROR_HAS(mm(randn({2, 3}), randn({3})), "mm", "mat2", "1-D", "[3]");
  EXPECT_ERROR_HAS(mm(randn({2, 3}), randn({3, 2}, kDouble)), "mm", "same dtype", "Float", "Double",
                   ".to(");
  EXPECT_ERROR_HAS(mm(ones({2, 3}, kLong), randn({3, 2})), "mm", "Long", "Float");
  EXPECT_ERROR_HAS(mm(ones({2, 3}, kBool), ones({3, 2}, kBool)), "mm", "Bool", ".to(tg::kFloat)");
  EXPECT_ERROR_HAS(mm(Tensor(), randn({2, 2})), "mm", "first", "undefined");
  EXPECT_ERROR_HAS(matmul(randn({2, 2}), Tensor()), "matmul", "second", "undefined");
}

TEST(LinalgErrors, Bmm) {
  EXPECT_ERROR_HAS(bmm(randn({2, 3}), randn({2, 3, 4})), "bmm", "3-D", "2-D", "[2, 3]", "batch1");
  EXPECT_ERROR_HAS(bmm(randn({2, 3, 4}), randn({2, 4, 5, 1})), "bmm", "4-D", "batch2");
  EXPECT_ERROR_HAS(bmm(randn({2, 3, 4}), randn({3, 4, 5})), "bmm", "batch sizes differ", "(2 != 3)",
                   "[2, 3, 4]", "[3, 4, 5]", "matmul");
  EXPECT_ERROR_HAS(bmm(randn({2, 3, 4}), randn({2, 5, 6})), "bmm", "cannot be multiplied",
                   "(4 != 5)");
  EXPECT_ERROR_HAS(bmm(randn({2, 3, 4}), randn({2, 4, 5}, kDouble)), "bmm", "same dtype");
}

TEST(LinalgErrors, MvDotOuter) {
  EXPECT_ERROR_HAS(mv(randn({3}), randn({3})), "mv", "2-D", "1-D", "[3]");
  EXPECT_ERROR_HAS(mv(randn({2, 3}), randn({3, 1})), "mv", "1-D", "2-D", "[3, 1]");
  EXPECT_ERROR_HAS(mv(randn({2, 3}), randn({4})), "mv: shapes [2, 3] and [4]",
                   "cannot be multiplied (3 != 4)");
  EXPECT_ERROR_HAS(mv(randn({2, 3}), randn({3}, kDouble)), "mv", "same dtype");
  EXPECT_ERROR_HAS(dot(randn({2, 3}), randn({3})), "dot", "1-D", "2-D", "[2, 3]", "matmul");
  EXPECT_ERROR_HAS(dot(randn({3}), scalar_tensor(1.)), "dot", "1-D", "0-D");
  EXPECT_ERROR_HAS(dot(randn({3}), randn({4})), "dot", "[3] and [4]", "different lengths",
                   "(3 != 4)");
  EXPECT_ERROR_HAS(dot(randn({3}), randn({3}, kDouble)), "dot", "same dtype", "Float", "Double");
  EXPECT_ERROR_HAS(outer(randn({2, 2}), randn({3})), "outer", "1-D", "2-D", "[2, 2]", ".flatten()");
  EXPECT_ERROR_HAS(outer(randn({2}), scalar_tensor(1.)), "outer", "1-D", "0-D");
}

TEST(LinalgErrors, Addmm) {
  EXPECT_ERROR_HAS(addmm(randn({4}), randn({2, 5}), randn({5, 3})), "addmm", "self of shape [4]",
                   "cannot be broadcast", "[2, 3]", "[2, 5]", "[5, 3]");
  EXPECT_ERROR_HAS(addmm(randn({2, 2, 3}), randn({2, 5}), randn({5, 3})), "addmm", "[2, 2, 3]",
                   "broadcast");
  EXPECT_ERROR_HAS(addmm(randn({2, 3}), randn({2, 4}), randn({5, 3})), "addmm",
                   "shapes [2, 4] and [5, 3]", "(4 != 5)");
  EXPECT_ERROR_HAS(addmm(randn({3}), randn({2}), randn({2, 3})), "addmm", "mat1", "1-D");
  EXPECT_ERROR_HAS(addmm(randn({2, 3}, kDouble), randn({2, 4}), randn({4, 3})), "addmm", "self",
                   "Double", "Float", ".to(");
  EXPECT_ERROR_HAS(addmm(ones({2, 3}, kLong), ones({2, 4}, kLong), ones({4, 3}, kLong), 0.5),
                   "addmm", "integ", "beta=0.5", ".to(tg::kDouble)");
}

}  // namespace
}  // namespace tg
