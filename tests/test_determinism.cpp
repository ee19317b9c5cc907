// Determinism: the same program gives bitwise-identical results from run to run and for 1 and 2
// intra-op threads, and more (Note [Reduction order] in src/kernels/reduce.h, Note
// [Deterministic GEMM] in src/kernels/gemm.cpp, Note [Convolution in batch chunks] in
// src/kernels/conv.cpp). Every case runs twice at each thread count, in turns, on inputs large
// enough for the parallel paths, and its outputs are compared byte for byte with the first run's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "tensor_values.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

namespace {

/// Sets the intra-op thread count for a scope.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(get_num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved_); }

 private:
  int saved_;
};

/// Success when a and b have the same dtype, shape and bytes (memcmp, so -0 differs from 0 and
/// NaN payloads count); otherwise the first element that differs.
::testing::AssertionResult same_bytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !a.sizes().equals(b.sizes()))
    return ::testing::AssertionFailure() << "dtype or shape differs";
  const Tensor ca = a.contiguous(), cb = b.contiguous();
  const size_t es = ca.element_size();
  const size_t bytes = static_cast<size_t>(ca.numel()) * es;
  if (bytes == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), bytes) == 0)
    return ::testing::AssertionSuccess();
  const char* pa = static_cast<const char*>(ca.data_ptr());
  const char* pb = static_cast<const char*>(cb.data_ptr());
  int64_t i = 0, count = 0;
  for (int64_t k = 0; k < ca.numel(); ++k)
    if (std::memcmp(pa + k * es, pb + k * es, es) != 0) {
      if (count++ == 0) i = k;
    }
  std::ostringstream os;
  os.precision(17);
  os << count << " of " << ca.numel() << " elements differ; the first is [" << i
     << "]: " << tg::testing::element_at(ca, i) << " vs " << tg::testing::element_at(cb, i);
  return ::testing::AssertionFailure() << os.str();
}

using Outputs = std::vector<Tensor>;

/// Runs f twice with each thread count (in turns: 1, 2, 1, 2 by default) and checks that every
/// run's outputs have the bytes of the first run's. Only the first run's outputs are kept (the
/// large products are 64 MB each).
void expect_deterministic(const std::string& name, const std::function<Outputs()>& f,
                          const std::vector<int>& counts = {1, 2}) {
  Outputs first;
  for (size_t run = 0; run < 2 * counts.size(); ++run) {
    const int threads = counts[run % counts.size()];
    ThreadCount scope(threads);
    ASSERT_EQ(get_num_threads(), threads);
    Outputs out = f();
    if (run == 0) {
      first = std::move(out);
      continue;
    }
    ASSERT_EQ(out.size(), first.size()) << name;
    for (size_t k = 0; k < out.size(); ++k)
      EXPECT_TRUE(same_bytes(first[k], out[k]))
          << name << ": output " << k << " with " << threads << " thread(s) (run " << run + 1
          << ") differs from the run with " << counts[0] << " thread(s)";
  }
}

/// oneDNN plans its work split by the thread count, and some of its splits of a reduction (K of
/// a product) appear only with more threads than a small machine has cores: 8 threads show them
/// there too (oversubscribed, which only makes them slower).
const std::vector<int> kOneDnnCounts = {1, 2, 8};

/// A copy of t with element i moved by one ulp.
Tensor nudged(const Tensor& t, int64_t i) {
  Tensor c = t.contiguous().clone();
  if (c.dtype() == kFloat) {
    float& v = c.data_ptr<float>()[i];
    v = std::nextafter(v, INFINITY);
  } else {
    double& v = c.data_ptr<double>()[i];
    v = std::nextafter(v, INFINITY);
  }
  return c;
}

/// d(sum(g * y))/dx for y = op(x), with x a fresh leaf holding `x`'s values.
Tensor grad_of(const Tensor& x, const Tensor& g, const std::function<Tensor(const Tensor&)>& op) {
  Tensor leaf = x.detach().requires_grad_();
  return autograd::grad({op(leaf)}, {leaf}, {g})[0];
}

void check_reductions(ScalarType dtype) {
  manual_seed(11);
  // Odd sizes, well above the grain size (2^15 elements per thread) and the chunk sizes.
  const Tensor flat = randn({(int64_t(1) << 22) + 37}, dtype) + 0.25;
  const Tensor mat = randn({1031, 1029}, dtype) + 0.25;
  const Tensor cube = randn({64, 129, 131}, dtype);
  const Tensor transposed = mat.t();                // [1029, 1031], not contiguous
  const Tensor stepped = mat.slice(1, 1, 1029, 2);  // [1031, 514], every other column
  const Tensor gmat = randn({1031, 1029}, dtype);   // an output gradient for the backward
  ASSERT_FALSE(transposed.is_contiguous());
  ASSERT_FALSE(stepped.is_contiguous());

  const std::vector<std::pair<std::string, std::function<Tensor()>>> cases = {
      {"sum", [&] { return flat.sum(); }},
      {"mean", [&] { return flat.mean(); }},
      {"norm", [&] { return flat.norm(); }},
      {"norm p=1", [&] { return norm(flat, 1); }},
      {"norm p=3", [&] { return norm(flat, 3); }},
      {"var", [&] { return flat.var(); }},
      {"std", [&] { return flat.std(); }},
      {"logsumexp", [&] { return flat.logsumexp({0}); }},
      {"cumsum", [&] { return flat.cumsum(0); }},
      {"sum dim 0", [&] { return mat.sum({0}); }},
      {"sum dim 1", [&] { return mat.sum({1}); }},
      {"mean dim 0", [&] { return mat.mean({0}); }},
      {"sum dims 0, 2",
       [&] {
         return cube.sum({0, 2});
       }},
      {"var dim 0", [&] { return mat.var({0}); }},
      {"std dim 1", [&] { return mat.std({1}); }},
      {"norm dim 0", [&] { return norm(mat, 2, {0}); }},
      {"softmax dim 0", [&] { return mat.softmax(0); }},
      {"softmax dim 1", [&] { return mat.softmax(1); }},
      {"log_softmax dim 0", [&] { return mat.log_softmax(0); }},
      {"log_softmax dim 1", [&] { return mat.log_softmax(1); }},
      {"cumsum dim 0", [&] { return mat.cumsum(0); }},
      {"cumsum dim 1", [&] { return mat.cumsum(1); }},
      {"transposed sum", [&] { return transposed.sum(); }},
      {"transposed sum dim 0", [&] { return transposed.sum({0}); }},
      {"transposed var dim 1", [&] { return transposed.var({1}); }},
      {"transposed softmax dim 1", [&] { return transposed.softmax(1); }},
      {"stepped sum", [&] { return stepped.sum(); }},
      {"stepped mean dim 0", [&] { return stepped.mean({0}); }},
      {"stepped std", [&] { return stepped.std(); }},
      {"stepped log_softmax dim 0", [&] { return stepped.log_softmax(0); }},
      {"softmax backward dim 0",
       [&] { return grad_of(mat, gmat, [](const Tensor& x) { return x.softmax(0); }); }},
      {"log_softmax backward dim 1",
       [&] { return grad_of(mat, gmat, [](const Tensor& x) { return x.log_softmax(1); }); }},
  };
  for (const auto& [name, op] : cases) expect_deterministic(name, [&] { return Outputs{op()}; });
}

/// y = a @ b and the gradients of sum(g * y) with respect to a and b.
Outputs matmul_with_grads(const Tensor& a, const Tensor& b, const Tensor& g) {
  Tensor la = a.detach().requires_grad_(), lb = b.detach().requires_grad_();
  Tensor y = matmul(la, lb);
  variable_list grads = autograd::grad({y}, {la, lb}, {g});
  return {y, grads[0], grads[1]};
}

void check_matmul(int64_t M, int64_t K, int64_t N, const std::vector<int>& counts) {
  manual_seed(12);
  const Tensor a = randn({M, K}), b = randn({K, N}), g = randn({M, N});
  std::ostringstream name;
  name << "matmul [" << M << ", " << K << "] @ [" << K << ", " << N << "]";
  expect_deterministic(
      name.str(), [&] { return matmul_with_grads(a, b, g); }, counts);
}

/// y = conv2d(x, w, b) and the gradients of sum(g * y) with respect to x, w and b.
Outputs conv_with_grads(const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& g) {
  Tensor lx = x.detach().requires_grad_(), lw = w.detach().requires_grad_(),
         lb = b.detach().requires_grad_();
  Tensor y = conv2d(lx, lw, lb, /*stride=*/1, /*padding=*/1);
  variable_list grads = autograd::grad({y}, {lx, lw, lb}, {g});
  return {y, grads[0], grads[1], grads[2]};
}

/// The CNN of the training case: two conv blocks and a linear classifier for 1 x 28 x 28.
struct SmallCnn : nn::Module {
  SmallCnn()
      : conv1(nn::Conv2dOptions(1, 8, 3).padding(1)),
        bn1(8),
        conv2(nn::Conv2dOptions(8, 16, 3).padding(1)),
        pool(nn::MaxPool2dOptions(2)),
        fc(16 * 7 * 7, 10) {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("pool", pool);
    register_module("relu", relu);
    register_module("fc", fc);
  }
  Tensor forward(Tensor x) {
    x = pool(relu(bn1(conv1(x))));  // 14 x 14
    x = pool(relu(conv2(x)));       // 7 x 7
    return fc(x.flatten(1));
  }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::MaxPool2d pool;
  nn::ReLU relu;
  nn::Linear fc;
};

/// Three Adam steps on a fixed batch, all seeded: the losses, then every parameter and buffer.
Outputs train_three_steps() {
  manual_seed(13);
  const Tensor images = randn({64, 1, 28, 28});
  const Tensor labels = randint(0, 10, {64});
  auto net = std::make_shared<SmallCnn>();
  optim::Adam adam(net->parameters(), optim::AdamOptions(1e-2));
  Outputs out;
  for (int step = 0; step < 3; ++step) {
    adam.zero_grad();
    Tensor loss = nn::functional::cross_entropy(net->forward(images), labels);
    loss.backward();
    adam.step();
    out.push_back(loss.detach().clone());
  }
  for (const Tensor& p : net->parameters()) out.push_back(p.detach().clone());
  for (const Tensor& b : net->buffers()) out.push_back(b.detach().clone());
  return out;
}

}  // namespace

TEST(Determinism, ComparisonSeesOneUlp) {
  manual_seed(10);
  for (ScalarType dtype : {kFloat, kDouble}) {
    const Tensor t = randn({1000, 3}, dtype).t();  // not contiguous: compared in logical order
    EXPECT_TRUE(same_bytes(t, t.clone()));
    for (int64_t i : {int64_t(0), int64_t(1234), int64_t(2999)}) {
      const Tensor moved = nudged(t, i);
      EXPECT_FALSE(same_bytes(t, moved)) << "element " << i << " moved by one ulp, " << dtype;
    }
    // Zeros of both signs compare equal as numbers but not as bytes.
    EXPECT_FALSE(same_bytes(zeros({4}, dtype), -zeros({4}, dtype)));
  }
}

TEST(Determinism, ReductionsFloat) { check_reductions(kFloat); }

TEST(Determinism, ReductionsDouble) { check_reductions(kDouble); }

TEST(Determinism, Elementwise) {
  // An odd length puts the end of the first thread's range in the middle of a vector, so the
  // element there is computed by the scalar tail with 2 threads and by the vector body with 1.
  manual_seed(16);
  const Tensor x = randn({100003}), g = randn({100003});
  expect_deterministic("tanh(x * 2 + 1) and its gradient", [&] {
    const Tensor y = tanh(x * 2 + 1);
    return Outputs{y, grad_of(x, g, [](const Tensor& t) { return tanh(t * 2 + 1); }),
                   grad_of(x, g, [](const Tensor& t) { return sigmoid(t) * t; })};
  });
}

TEST(Determinism, MatmulSquare) { check_matmul(512, 512, 512, kOneDnnCounts); }

// 64 MB outputs: 1 and 2 threads only.
TEST(Determinism, MatmulTallSkinny) { check_matmul(4096, 64, 4096, {1, 2}); }

TEST(Determinism, MatmulLongK) { check_matmul(64, 8192, 64, kOneDnnCounts); }

TEST(Determinism, ConvBackward) {
  manual_seed(14);
  // The CNN's two convolutions, and a wider one.
  const int64_t shapes[][4] = {{1, 8, 28, 28}, {8, 16, 14, 14}, {32, 64, 14, 14}};
  for (const auto& s : shapes) {
    const int64_t c = s[0], oc = s[1], h = s[2], w = s[3];
    const Tensor x = randn({64, c, h, w}), weight = randn({oc, c, 3, 3}) * 0.1, bias = randn({oc}),
                 g = randn({64, oc, h, w});
    std::ostringstream name;
    name << "conv2d " << c << " -> " << oc << " channels at " << h << " x " << w;
    expect_deterministic(
        name.str(), [&] { return conv_with_grads(x, weight, bias, g); }, kOneDnnCounts);
  }
}

TEST(Determinism, CnnTrainingSteps) { expect_deterministic("CNN with Adam", train_three_steps); }

// The splits that make results independent of the threads must still compute the right values:
// ragged tiles and K chunks, transposed operands, beta and alpha, batches (against Double, which
// runs unsplit).

/// The largest |a - b| over all elements, as a double.
double max_abs_diff(const Tensor& a, const Tensor& b) {
  return (a.to(kDouble) - b.to(kDouble)).abs().max().item<double>();
}

TEST(Determinism, SplitProductsAreCorrect) {
  manual_seed(15);
  // 3 ragged tiles of C, 6 chunks of K (the last shorter); then the same through transposes.
  const Tensor a = randn({300, 8191}), b = randn({8191, 40});
  const Tensor at = randn({8191, 300}).t(), bt = randn({40, 8191}).t();
  const Tensor c = randn({300, 40});
  // Many ragged tiles, no K split; and a batch with a K split.
  const Tensor wide_a = randn({700, 100}), wide_b = randn({100, 900});
  const Tensor ba = randn({3, 70, 5000}), bb = randn({3, 5000, 90});
  auto d = [](const Tensor& t) { return t.to(kDouble); };
  const Tensor ref = matmul(d(a), d(b)), ref_t = matmul(d(at), d(bt));
  const Tensor ref_add = addmm(d(c), d(a), d(b), 0.5, 2);
  const Tensor ref_wide = matmul(d(wide_a), d(wide_b)), ref_batch = bmm(d(ba), d(bb));
  for (int threads : {1, 2}) {
    ThreadCount scope(threads);
    // The float errors measured 1e-4 at most; a lost or misplaced tile or chunk is off by 10s.
    const double tol = 2e-3;
    EXPECT_LT(max_abs_diff(matmul(a, b), ref), tol);
    EXPECT_LT(max_abs_diff(matmul(at, bt), ref_t), tol);
    EXPECT_LT(max_abs_diff(addmm(c, a, b, 0.5, 2), ref_add), 2 * tol);
    EXPECT_LT(max_abs_diff(matmul(wide_a, wide_b), ref_wide), tol);
    EXPECT_LT(max_abs_diff(bmm(ba, bb), ref_batch), tol);
  }
}

TEST(Determinism, ChunkedConvWeightGradIsCorrect) {
  manual_seed(16);
  // Batches of 7 (chunks of 4 and 3 images) and 20 (10 chunks of 2); Double runs unchunked.
  const int64_t shapes[][3] = {{7, 32, 14}, {20, 64, 8}};
  for (const auto& s : shapes) {
    const Tensor x = randn({s[0], s[1], s[2], s[2]}), w = randn({s[1], s[1], 3, 3}) * 0.1;
    const Tensor b = randn({s[1]}), g = randn({s[0], s[1], s[2], s[2]});
    const Outputs ref = conv_with_grads(x.to(kDouble), w.to(kDouble), b.to(kDouble), g.to(kDouble));
    for (int threads : {1, 2}) {
      ThreadCount scope(threads);
      const Outputs out = conv_with_grads(x, w, b, g);
      // The float errors measured 1e-4 at most; a lost or misplaced chunk is off by 10s.
      EXPECT_LT(max_abs_diff(out[2], ref[2]), 2e-3) << "batch " << s[0];
      EXPECT_LT(max_abs_diff(out[1], ref[1]), 1e-3) << "batch " << s[0];
    }
  }
}
