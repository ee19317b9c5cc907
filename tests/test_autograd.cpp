// The engine and the autograd surface of Tensor.
#include <gtest/gtest.h>

#include <cmath>

#include "expect_error.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;

namespace {
double at(const Tensor& t, int64_t i) { return t.reshape({-1})[i].item<double>(); }
}  // namespace

TEST(Autograd, LeavesAndNonLeaves) {
  Tensor x = ones({2, 2}, requires_grad());
  EXPECT_TRUE(x.is_leaf());
  EXPECT_TRUE(x.requires_grad());
  EXPECT_EQ(x.grad_fn(), nullptr);
  Tensor y = x + 2;
  EXPECT_FALSE(y.is_leaf());
  EXPECT_TRUE(y.requires_grad());
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward1");
  EXPECT_EQ(y.creator(), y.grad_fn());
  Tensor plain = ones({2});
  EXPECT_TRUE(plain.is_leaf());
  EXPECT_FALSE(plain.requires_grad());
  EXPECT_FALSE((plain * 2).requires_grad());
}

TEST(Autograd, NextEdgesWalkToAccumulateGrad) {
  Tensor a = ones({2}, requires_grad()), b = ones({2}, requires_grad());
  Tensor c = a * b;
  auto fn = c.grad_fn();
  EXPECT_EQ(fn->name(), "MulBackward0");
  ASSERT_EQ(fn->next_edges().size(), 2u);
  EXPECT_EQ(fn->next_edges()[0].function->name(), "torch::autograd::AccumulateGrad");
  EXPECT_EQ(fn->next_edges()[0].input_nr, 0u);
  EXPECT_NE(fn->next_edges()[0].function, fn->next_edges()[1].function);
  // One accumulator per leaf, shared by every use.
  Tensor d = a + 1;
  EXPECT_EQ(d.grad_fn()->next_edges()[0].function, fn->next_edges()[0].function);
  // An input that needs no grad has an invalid edge.
  Tensor e = a * ones({2});
  EXPECT_FALSE(e.grad_fn()->next_edges()[1].is_valid());
}

TEST(Autograd, SeedTutorialGradient) {
  Tensor x = Variable(ones({2, 2}), true);
  Tensor y = x + 2;
  Tensor z = y * y * 3;
  Tensor out = z.sum() / 4;
  EXPECT_FLOAT_EQ(out.item<float>(), 27.f);
  out.backward();
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(at(x.grad(), i), 4.5);
}

TEST(Autograd, GradientsMeetingAtOneInputAreSummed) {
  Tensor x = tensor({2.0}, kDouble).requires_grad_();
  Tensor y = x * x + x * 3 + x;  // dy/dx = 2x + 4
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 8.0);
}

TEST(Autograd, GradientsAccumulateAcrossCalls) {
  Tensor x = tensor({1.0, 2.0}, kDouble).requires_grad_();
  (x * 3).sum().backward();
  (x * 3).sum().backward();
  EXPECT_DOUBLE_EQ(at(x.grad(), 1), 6.0);
  x.mutable_grad().zero_();
  (x * 1).sum().backward();
  EXPECT_DOUBLE_EQ(at(x.grad(), 0), 1.0);
}

TEST(Autograd, BroadcastGradientsAreReducedToTheInputShape) {
  Tensor a = ones({3, 1}, requires_grad()), b = ones({4}, requires_grad());
  Tensor c = a * b;  // [3, 4]
  EXPECT_EQ(c.sizes().vec(), (std::vector<int64_t>{3, 4}));
  c.sum().backward();
  EXPECT_EQ(a.grad().sizes().vec(), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(b.grad().sizes().vec(), (std::vector<int64_t>{4}));
  EXPECT_FLOAT_EQ(at(a.grad(), 0), 4.f);
  EXPECT_FLOAT_EQ(at(b.grad(), 0), 3.f);
}

TEST(Autograd, BackwardWithGradient) {
  Tensor x = tensor({1.f, 2.f, 3.f}).requires_grad_();
  Tensor y = x * 2;
  y.backward(tensor({0.1f, 1.0f, 0.0001f}));
  EXPECT_FLOAT_EQ(at(x.grad(), 0), 0.2f);
  EXPECT_FLOAT_EQ(at(x.grad(), 1), 2.0f);
  EXPECT_FLOAT_EQ(at(x.grad(), 2), 0.0002f);
}

TEST(Autograd, TheUsersGradientIsNotAliased) {
  Tensor x = tensor({1.f, 2.f}).requires_grad_();
  Tensor g = tensor({1.f, 1.f});
  (x + 0).backward(g);
  (x + 0).backward(g);
  EXPECT_FLOAT_EQ(at(g, 0), 1.f);  // accumulation must not write into g
  EXPECT_FLOAT_EQ(at(x.grad(), 0), 2.f);
}

TEST(Autograd, BackwardOfALeafAccumulatesIntoIt) {
  Tensor x = tensor({1.f, 2.f}).requires_grad_();
  x.backward(tensor({3.f, 4.f}));
  EXPECT_FLOAT_EQ(at(x.grad(), 1), 4.f);
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  Tensor x = tensor({3.0}, kDouble).requires_grad_();
  Tensor y = x * x;
  y.backward({}, true);
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 12.0);
  EXPECT_ERROR(y.backward(), "backward through the graph a second time", "MulBackward0",
               "retain_graph=true");
}

TEST(Autograd, GradDoesNotTouchDotGrad) {
  Tensor x = tensor({3.0}, kDouble).requires_grad_();
  Tensor y = x * x * x;
  auto g = autograd::grad({y}, {x});
  EXPECT_DOUBLE_EQ(g[0].item<double>(), 27.0);
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(g[0].requires_grad());
}

TEST(Autograd, HigherOrderDerivativesWithCreateGraph) {
  Tensor x = tensor({2.0}, kDouble).requires_grad_();
  Tensor y = x * x * x * x;  // x^4
  auto d1 = autograd::grad({y}, {x}, {}, std::nullopt, true);
  auto d2 = autograd::grad({d1[0]}, {x}, {}, std::nullopt, true);
  auto d3 = autograd::grad({d2[0]}, {x}, {}, std::nullopt, true);
  auto d4 = autograd::grad({d3[0]}, {x});
  EXPECT_DOUBLE_EQ(d1[0].item<double>(), 32.0);  // 4x^3
  EXPECT_DOUBLE_EQ(d2[0].item<double>(), 48.0);  // 12x^2
  EXPECT_DOUBLE_EQ(d3[0].item<double>(), 48.0);  // 24x
  EXPECT_DOUBLE_EQ(d4[0].item<double>(), 24.0);
}

TEST(Autograd, BackwardCreateGraphGivesDifferentiableGrad) {
  Tensor x = tensor({1.5}, kDouble).requires_grad_();
  (x * x * x).backward({}, std::nullopt, true);
  Tensor g = x.grad();  // 3x^2
  EXPECT_TRUE(g.requires_grad());
  auto gg = autograd::grad({g}, {x});
  EXPECT_DOUBLE_EQ(gg[0].item<double>(), 9.0);  // 6x
  // x.grad's graph saves x: a cycle (as in libtorch). Resetting the gradient breaks it.
  x.mutable_grad() = Tensor();
}

TEST(Autograd, GradWithSeveralInputsAndAllowUnused) {
  Tensor a = tensor({2.0}, kDouble).requires_grad_();
  Tensor b = tensor({5.0}, kDouble).requires_grad_();
  Tensor unused = tensor({1.0}, kDouble).requires_grad_();
  Tensor y = a * b;
  auto g = autograd::grad({y}, {b, a}, {}, true);
  EXPECT_DOUBLE_EQ(g[0].item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(g[1].item<double>(), 5.0);
  EXPECT_ERROR(autograd::grad({y}, {unused}, {}, true), "grad", "not have been used",
               "allow_unused");
  auto u = autograd::grad({y}, {a, unused}, {}, true, false, true);
  EXPECT_FALSE(u[1].defined());
}

TEST(Autograd, GradWithRespectToANonLeaf) {
  Tensor x = tensor({2.0}, kDouble).requires_grad_();
  Tensor h = x * 3;
  Tensor y = h * h;
  auto g = autograd::grad({y}, {h});
  EXPECT_DOUBLE_EQ(g[0].item<double>(), 12.0);  // 2h
}

TEST(Autograd, BackwardWithInputsAccumulatesOnlyThere) {
  Tensor a = tensor({2.0}, kDouble).requires_grad_();
  Tensor b = tensor({3.0}, kDouble).requires_grad_();
  (a * b).backward({}, std::nullopt, false, variable_list{a});
  EXPECT_DOUBLE_EQ(a.grad().item<double>(), 3.0);
  EXPECT_FALSE(b.grad().defined());
}

TEST(Autograd, NoGradGuardAndAutoGradMode) {
  Tensor x = ones({2}, requires_grad());
  {
    NoGradGuard guard;
    EXPECT_FALSE(GradMode::is_enabled());
    Tensor y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    {
      AutoGradMode enable(true);
      EXPECT_TRUE((x * 2).requires_grad());
    }
    EXPECT_FALSE(GradMode::is_enabled());
  }
  EXPECT_TRUE(GradMode::is_enabled());
}

TEST(Autograd, InferenceMode) {
  Tensor x = ones({2}, requires_grad());
  Tensor y;
  {
    InferenceMode guard;
    EXPECT_TRUE(InferenceMode::is_enabled());
    EXPECT_FALSE(GradMode::is_enabled());
    y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_inference());
  }
  EXPECT_TRUE(GradMode::is_enabled());
  EXPECT_ERROR(x * y, "Inference tensors cannot be saved for backward");
  EXPECT_ERROR(y.add_(1), "add_", "inference tensor outside InferenceMode");
}

TEST(Autograd, DetachSharesStorageWithoutHistory) {
  Tensor x = ones({2}, requires_grad());
  Tensor y = x * 2;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.data_ptr(), y.data_ptr());
  Tensor seed_data = y.data();
  EXPECT_EQ(seed_data.data_ptr(), y.data_ptr());
  EXPECT_FALSE(seed_data.requires_grad());
  Tensor z = x * 3;
  z.detach_();
  EXPECT_FALSE(z.requires_grad());
}

TEST(Autograd, RetainGrad) {
  Tensor x = tensor({2.0}, kDouble).requires_grad_();
  Tensor h = x * 3;
  EXPECT_FALSE(h.retains_grad());
  h.retain_grad();
  EXPECT_TRUE(h.retains_grad());
  Tensor y = h * h;
  y.backward();
  ASSERT_TRUE(h.grad().defined());
  EXPECT_DOUBLE_EQ(h.grad().item<double>(), 12.0);
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 36.0);
}

TEST(Autograd, HooksSeeAndReplaceGradients) {
  Tensor x = tensor({1.0, 2.0}, kDouble).requires_grad_();
  Tensor h = x * 2;
  double seen = 0;
  h.register_hook([&](Tensor g) { seen = g.sum().item<double>(); });
  h.register_hook([](Tensor g) { return g * 10; });
  h.sum().backward();
  EXPECT_DOUBLE_EQ(seen, 2.0);
  EXPECT_DOUBLE_EQ(at(x.grad(), 0), 20.0);
  // Leaf hooks run before accumulation; remove_hook stops them.
  Tensor leaf = tensor({1.0}, kDouble).requires_grad_();
  unsigned handle = leaf.register_hook([](Tensor g) { return g * 0; });
  (leaf * 5).backward();
  EXPECT_DOUBLE_EQ(leaf.grad().item<double>(), 0.0);
  leaf.remove_hook(handle);
  (leaf * 5).backward();
  EXPECT_DOUBLE_EQ(leaf.grad().item<double>(), 5.0);
  EXPECT_ERROR(ones({1}).register_hook([](Tensor g) { return g; }), "register_hook",
               "doesn't require gradient");
}

TEST(Autograd, VersionCounterCatchesModifiedSavedTensors) {
  Tensor x = tensor({1.0, 2.0}, kDouble).requires_grad_();
  Tensor h = x * 1;
  EXPECT_EQ(h._version(), 0u);
  Tensor y = h * h;  // saves h
  h.add_(1);
  EXPECT_EQ(h._version(), 1u);
  EXPECT_ERROR(y.sum().backward(), "modified by an inplace operation", "MulBackward0", "version 1",
               "expected version 0");
}

TEST(Autograd, InPlaceOnANonLeafIsDifferentiable) {
  Tensor x = tensor({1.0, 2.0}, kDouble).requires_grad_();
  Tensor w = tensor({3.0, 4.0}, kDouble).requires_grad_();
  Tensor y = x * 1;
  y.mul_(w);  // y = x * w; the old y is needed for w's gradient
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  y.sum().backward();
  EXPECT_DOUBLE_EQ(at(x.grad(), 1), 4.0);
  EXPECT_DOUBLE_EQ(at(w.grad(), 1), 2.0);
}

TEST(Autograd, InPlaceOnALeafThatRequiresGradThrows) {
  Tensor x = ones({2}, requires_grad());
  EXPECT_ERROR(x.add_(1), "add_", "leaf Variable that requires grad", "NoGradGuard");
  EXPECT_ERROR(x.mul_(2), "mul_", "leaf Variable");
  EXPECT_FLOAT_EQ(at(x, 0), 1.f);  // unchanged
  {
    NoGradGuard guard;
    x.add_(1);
  }
  EXPECT_FLOAT_EQ(at(x, 0), 2.f);
}

TEST(Autograd, BackwardErrors) {
  Tensor x = ones({2, 2}, requires_grad());
  EXPECT_ERROR((x * 2).backward(), "grad can be implicitly created only for scalar outputs",
               "[2, 2]");
  EXPECT_ERROR((x * 2).backward(ones({3})), "backward", "gradient has shape [3]",
               "output has shape [2, 2]");
  EXPECT_ERROR((x * 2).backward(ones({2, 2}, kDouble)), "backward", "dtype Double", "dtype Float");
  EXPECT_ERROR(ones({1}).backward(), "does not require grad and does not have a grad_fn");
  EXPECT_FALSE(x.grad().defined());  // nothing ran
}

TEST(Autograd, RequiresGradOnIntegerTensorThrows) {
  EXPECT_ERROR(ones({2}, kLong).requires_grad_(), "requires_grad_", "floating point", "Long");
  EXPECT_ERROR(ones({2}, TensorOptions(kLong).requires_grad(true)), "floating point");
  Tensor y = ones({2}, requires_grad()) * 2;
  EXPECT_ERROR(y.requires_grad_(false), "leaf variables");
}

TEST(Autograd, MillionOpChainBuildsRunsAndFreesWithoutRecursion) {
  Tensor x = tensor({1.0f}).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 500000; ++i) {
    y = y * 1.0f;
    y = y + 0.0f;
  }
  y.backward();
  EXPECT_FLOAT_EQ(x.grad().item<float>(), 1.f);
  // A graph that is never run is also destroyed iteratively.
  Tensor z = x;
  for (int i = 0; i < 1000000; ++i) z = z * 1.0f;
  z = Tensor();
  SUCCEED();
}

TEST(Autograd, BackwardFreesEachGradientOnceItIsUsed) {
  // Multiplying by a number saves nothing, so during this backward only gradients take memory:
  // the one in flight, the one being computed, and the leaf's .grad(), 1 MiB each. Keeping
  // every node's incoming gradient to the end would take 32 MiB.
  Tensor x = ones({1 << 18}).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 32; ++i) y = y * 1.5f;
  Tensor seed = ones({1 << 18});
  reset_peak_memory_stats();
  const int64_t before = memory_stats().current_bytes;
  y.backward(seed);
  EXPECT_LE(memory_stats().peak_bytes - before, int64_t(4) << 20);
  EXPECT_FLOAT_EQ(x.grad()[0].item<float>(), std::pow(1.5f, 32.f));
}

TEST(Autograd, AnErrorInBackwardLeavesNothingForTheNextBackward) {
  // The hook on b throws while the branch of a is still queued, and then the whole graph is
  // freed. The next backward on this thread must not see the queued node (under
  // AddressSanitizer, a use after free; otherwise a node of another graph run in this one).
  {
    Tensor x = ones({2}).requires_grad_();
    Tensor a = x * 2, b = x * 3;
    b.register_hook([](Tensor) -> Tensor { throw std::runtime_error("hook failed"); });
    Tensor y = (a * 1).sum() + (a * 2).sum() + b.sum() + (x * 8).sum();
    EXPECT_THROW(y.backward(), std::runtime_error);
  }
  Tensor u = ones({2}).requires_grad_();
  (u * 3).sum().backward();
  EXPECT_TRUE(equal(u.grad(), full({2}, 3.f)));
}

TEST(Autograd, WrongGradientFromABackwardIsRejected) {
  // A hook returning a gradient of the wrong shape: the engine names the node and both shapes.
  Tensor x = ones({2, 3}, requires_grad());
  Tensor h = x * 2;
  h.register_hook([](Tensor) { return ones({4, 5}); });
  EXPECT_ERROR(h.sum().backward(), "invalid gradient", "[4, 5]", "[2, 3]");
}

TEST(Autograd, GradAndBackwardArgumentErrors) {
  Tensor x = ones({1}, requires_grad());
  EXPECT_ERROR(autograd::grad({x * 2}, {}, {x}), "grad requires non-empty inputs");
  Tensor y = ones({1}, requires_grad());
  EXPECT_ERROR(autograd::grad({x * 2}, {x, y}), "input 1", "Set allow_unused=True");
  EXPECT_FALSE(autograd::grad({x * 2}, {x, y}, {}, std::nullopt, false, true)[1].defined());
  EXPECT_ERROR((x * 2).sum().backward({}, std::nullopt, false, std::vector<Tensor>{}),
               "'inputs' argument to backward() cannot be empty");
  (x * 3).sum().backward({}, std::nullopt, false, {x});
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 3.0);
}

TEST(Autograd, SetRequiresGradReturnsTheTensorAndOutputNr) {
  Tensor x = ones({2}).set_requires_grad(true);
  EXPECT_TRUE(x.requires_grad());
  EXPECT_EQ(x.output_nr(), 0u);
  auto parts = (x * 1).split(1);
  EXPECT_EQ(parts[1].output_nr(), 1u);
}

TEST(Autograd, HookPositionsAreRemovedByPosition) {
  Tensor x = ones({2}, requires_grad());
  Tensor y = x * 2;
  int a = 0, b = 0;
  const unsigned first = y.register_hook([&](const Tensor&) { ++a; });
  const unsigned second = y.register_hook([&](const Tensor&) { ++b; });
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(second, 1u);
  EXPECT_EQ(x.register_hook([](const Tensor& g) { return g; }), 0u);  // a leaf's own list
  y.remove_hook(first);
  y.sum().backward({}, true);
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
  y.remove_hook(first);  // removing twice is harmless
  EXPECT_ERROR(y.remove_hook(5), "remove_hook", "Invalid index, no hook at position 5");
  x.remove_hook(0);
  EXPECT_ERROR(x.remove_hook(1), "Invalid index");
}

TEST(Autograd, HooksStayWithTheValueTheyWereRegisteredOn) {
  Tensor a = ones({3}, requires_grad()).clone();
  std::vector<double> seen;
  a.register_hook([&](const Tensor& g) { seen.push_back(g[0].item<double>()); });
  a.retain_grad();
  a.mul_(2);
  a.register_hook([&](const Tensor& g) { seen.push_back(g[0].item<double>()); });
  (a * 5).sum().backward();
  // The second hook sees the gradient of the new value, the first that of the old one.
  EXPECT_EQ(seen, (std::vector<double>{5.0, 10.0}));
  EXPECT_TRUE(a.retains_grad());
  EXPECT_DOUBLE_EQ(a.grad()[0].item<double>(), 5.0);  // retained for the current value
}

namespace {
struct Scale : autograd::FunctionPreHook {
  explicit Scale(double k) : k(k) {}
  variable_list operator()(const variable_list& grads) override {
    variable_list out;
    for (const Tensor& g : grads) out.push_back(g.defined() ? g * k : g);
    return out;
  }
  double k;
};
struct Record : autograd::FunctionPostHook {
  explicit Record(int* calls) : calls(calls) {}
  variable_list operator()(const variable_list& outputs, const variable_list& inputs) override {
    ++*calls;
    EXPECT_EQ(inputs.size(), 1u);
    return outputs;
  }
  int* calls;
};
}  // namespace

TEST(Autograd, NodePreAndPostHooks) {
  Tensor x = ones({2}, kDouble).requires_grad_(true);
  Tensor y = x * 3;
  int calls = 0;
  y.grad_fn()->add_pre_hook(std::make_unique<Scale>(10));
  const uintptr_t key = y.grad_fn()->add_post_hook(std::make_unique<Record>(&calls));
  EXPECT_EQ(y.grad_fn()->pre_hooks().size(), 1u);
  y.sum().backward({}, true);
  EXPECT_EQ(calls, 1);
  EXPECT_DOUBLE_EQ(x.grad()[0].item<double>(), 30.0);
  EXPECT_TRUE(y.grad_fn()->del_post_hook(key));
  EXPECT_FALSE(y.grad_fn()->del_post_hook(key));
  y.sum().backward();
  EXPECT_EQ(calls, 1);
}

TEST(Autograd, MakeVariableAndUndefinedGrad) {
  Tensor data = arange(3, kDouble);
  Tensor v = autograd::make_variable(data, true);
  EXPECT_TRUE(v.is_leaf());
  EXPECT_TRUE(v.requires_grad());
  EXPECT_EQ(v.data_ptr(), data.data_ptr());
  EXPECT_FALSE(data.requires_grad());
  // UndefinedGrad passes values through and sends no gradient back.
  Tensor u = autograd::UndefinedGrad().apply({v * 2})[0];
  EXPECT_EQ(u.grad_fn()->name(), "UndefinedGradBackward");
  EXPECT_DOUBLE_EQ(u[2].item<double>(), 4.0);
  u.sum().backward();
  EXPECT_FALSE(v.grad().defined());
}

TEST(Autograd, CreateGraphKeepsAGradientOfTheLeafsOwn) {
  Tensor x = ones({3}, kDouble).requires_grad_(true);
  (x * x).sum().backward({}, std::nullopt, true);
  EXPECT_FALSE(x.grad().is_view());
  EXPECT_TRUE(x.grad().requires_grad());
  x.sum().backward({}, std::nullopt, true);  // sum's gradient is a broadcast view of ones
  EXPECT_FALSE(x.grad().is_view());
  EXPECT_DOUBLE_EQ(x.grad()[0].item<double>(), 3.0);
  // As in PyTorch, backward with create_graph makes a cycle: the leaf holds its gradient, whose
  // history saved the leaf. Clearing the gradient breaks it.
  x.mutable_grad() = Tensor();
}
