// Custom Functions (tg::autograd::Function<T>): every feature and every misuse.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "tensorgrad/autograd/function.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;
using tg::autograd::AutogradContext;
using tg::autograd::Function;

namespace {
// y = x * c, with c a non-tensor argument kept in saved_data.
struct MulConstant : Function<MulConstant> {
  static Tensor forward(AutogradContext* ctx, Tensor x, double c) {
    ctx->saved_data["c"] = c;
    return x * c;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    return {grads[0] * ctx->saved_data["c"].toDouble(), Tensor()};
  }
};

// z = x * y with saved inputs; the backward uses differentiable ops.
struct Mul : Function<Mul> {
  static Tensor forward(AutogradContext* ctx, Tensor x, Tensor y) {
    ctx->save_for_backward({x, y});
    return x * y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    return {grads[0] * saved[1], grads[0] * saved[0]};
  }
};

// Saves its output: y = x^3 (as exp-like functions do); dy/dx = 3 y / x.
struct Cube : Function<Cube> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    Tensor y = x * x * x;
    ctx->save_for_backward({x, y});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto s = ctx->get_saved_variables();
    return {grads[0] * 3 * s[1] / s[0]};
  }
};

// Two outputs and a list input: (sum of inputs, product of inputs).
struct SumProd : Function<SumProd> {
  static variable_list forward(AutogradContext* ctx, variable_list xs) {
    ctx->save_for_backward(xs);
    return {xs[0] + xs[1], xs[0] * xs[1]};
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto s = ctx->get_saved_variables();
    return {grads[0] + grads[1] * s[1], grads[0] + grads[1] * s[0]};
  }
};

// A backward that reads raw data: not differentiable, so it says so.
struct RawSquare : Function<RawSquare> {
  static constexpr bool once_differentiable = true;
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    ctx->save_for_backward({x});
    return x * x;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    Tensor x = ctx->get_saved_variables()[0];
    // The incoming gradient may be a broadcast view (sum's backward expands a scalar).
    Tensor gy = grads[0].contiguous();
    Tensor g = empty_like(x);
    for (int64_t i = 0; i < x.numel(); ++i)
      g.data_ptr<double>()[i] = 2 * x.data_ptr<double>()[i] * gy.data_ptr<double>()[i];
    return {g};
  }
};

struct WrongCount : Function<WrongCount> {
  static Tensor forward(AutogradContext*, Tensor x, Tensor y) { return x + y; }
  static variable_list backward(AutogradContext*, variable_list grads) { return {grads[0]}; }
};

struct WrongShape : Function<WrongShape> {
  static Tensor forward(AutogradContext*, Tensor x) { return x * 2; }
  static variable_list backward(AutogradContext*, variable_list) { return {ones({7})}; }
};

struct GradForNonTensor : Function<GradForNonTensor> {
  static Tensor forward(AutogradContext*, Tensor x, int64_t) { return x * 2; }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0], g[0]}; }
};

// In-place: doubles x and returns it (marked dirty).
struct DoubleInPlace : Function<DoubleInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2);
    ctx->mark_dirty({x});
    return x;
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
};

// Returns (values, indices) with indices marked non-differentiable.
struct SortLike : Function<SortLike> {
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    Tensor idx = zeros(x.sizes(), kLong);
    Tensor v = x * 1;
    ctx->mark_non_differentiable({idx});
    return {v, idx};
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
};

// Records which inputs need a gradient, and whether undefined grads arrive as such.
struct Probe : Function<Probe> {
  static std::vector<bool> needs;
  static bool saw_undefined;
  static variable_list forward(AutogradContext* ctx, Tensor a, Tensor b, bool materialize) {
    needs = {ctx->needs_input_grad(0), ctx->needs_input_grad(1)};
    ctx->set_materialize_grads(materialize);
    return {a * 1, b * 1};
  }
  static variable_list backward(AutogradContext*, variable_list g) {
    saw_undefined = !g[1].defined();
    return {g[0], g[1].defined() ? g[1] : Tensor(), Tensor()};
  }
};
std::vector<bool> Probe::needs;
bool Probe::saw_undefined = false;

Tensor dbl(std::initializer_list<double> v) {
  return tensor(std::vector<double>(v), kDouble).requires_grad_();
}
}  // namespace

TEST(CustomFunction, ApplyBackwardAndNonTensorArguments) {
  Tensor x = dbl({1, 2});
  Tensor y = MulConstant::apply(x, 5.0);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_EQ(y.grad_fn()->name(), "(anonymous namespace)::MulConstant");
  y.sum().backward();
  EXPECT_DOUBLE_EQ(x.grad()[1].item<double>(), 5.0);
}

TEST(CustomFunction, SavedInputsAndGradcheck) {
  Tensor a = dbl({1, 2, 3}), b = dbl({4, 5, 6});
  auto fn = [](const variable_list& v) -> variable_list { return {Mul::apply(v[0], v[1])}; };
  EXPECT_TRUE(autograd::gradcheck(fn, {a, b}));
  EXPECT_TRUE(autograd::gradgradcheck(fn, {a, b}));
}

TEST(CustomFunction, SavedOutputIsVersionCheckedAndDoubleDifferentiable) {
  Tensor x = dbl({1.5, -2});
  auto fn = [](const variable_list& v) -> variable_list { return {Cube::apply(v[0])}; };
  EXPECT_TRUE(autograd::gradcheck(fn, {x}));
  EXPECT_TRUE(autograd::gradgradcheck(fn, {x}));
  Tensor y = Cube::apply(x);
  {
    NoGradGuard g;
    y.add_(1);  // the saved output changes
  }
  EXPECT_ERROR(y.sum().backward(), "modified by an inplace operation", "Cube");
}

TEST(CustomFunction, SavedInputModifiedInPlaceIsCaught) {
  Tensor a = dbl({1, 2}), b = dbl({3, 4});
  Tensor h = a * 1;
  Tensor z = Mul::apply(h, b);
  h.mul_(3);
  EXPECT_ERROR(z.sum().backward(), "modified by an inplace operation", "version 1",
               "expected version 0");
}

TEST(CustomFunction, SeveralInputsAndOutputs) {
  Tensor a = dbl({2}), b = dbl({3});
  auto out = SumProd::apply(variable_list{a, b});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].grad_fn(), out[1].grad_fn());
  (out[0] + out[1]).backward();  // d/da (a+b+ab) = 1+b
  EXPECT_DOUBLE_EQ(a.grad().item<double>(), 4.0);
  EXPECT_DOUBLE_EQ(b.grad().item<double>(), 3.0);
  auto fn = [](const variable_list& v) -> variable_list { return SumProd::apply(v); };
  EXPECT_TRUE(autograd::gradcheck(fn, {dbl({1, 2}), dbl({3, -1})}));
  EXPECT_TRUE(autograd::gradgradcheck(fn, {dbl({1, 2}), dbl({3, -1})}));
}

TEST(CustomFunction, OnceDifferentiableWorksOnceAndRefusesTwice) {
  Tensor x = dbl({1.5, 2});
  Tensor y = RawSquare::apply(x);
  auto g = autograd::grad({y.sum()}, {x}, {}, true);
  EXPECT_DOUBLE_EQ(g[0][0].item<double>(), 3.0);
  auto g1 = autograd::grad({y.sum()}, {x}, {}, true, /*create_graph=*/true);
  ASSERT_TRUE(g1[0].requires_grad());
  EXPECT_ERROR(autograd::grad({g1[0].sum()}, {x}), "differentiate twice", "once_differentiable",
               "RawSquare");
}

TEST(CustomFunction, WrongNumberOfGradients) {
  Tensor a = dbl({1}), b = dbl({2});
  EXPECT_ERROR(WrongCount::apply(a, b).backward(), "WrongCount",
               "incorrect number of gradients (expected 2, got 1)");
}

TEST(CustomFunction, GradientOfTheWrongShape) {
  Tensor x = dbl({1, 2});
  EXPECT_ERROR(WrongShape::apply(x).sum().backward(), "WrongShape", "invalid gradient", "got [7]",
               "[2]");
  EXPECT_FALSE(x.grad().defined());
}

TEST(CustomFunction, GradientForANonTensorArgument) {
  Tensor x = dbl({1});
  EXPECT_ERROR(GradForNonTensor::apply(x, int64_t(3)).backward(), "GradForNonTensor",
               "defined gradient at position 2",
               "the corresponding forward input was not a Variable");
}

TEST(CustomFunction, MarkDirty) {
  Tensor x = dbl({1, 2});
  Tensor h = x * 1;
  const uint32_t before = h._version();
  Tensor y = DoubleInPlace::apply(h);
  EXPECT_TRUE(y.is_same(h));
  EXPECT_EQ(h._version(), before + 2);  // once by mul_, once by mark_dirty (as libtorch)
  EXPECT_DOUBLE_EQ(h[1].item<double>(), 4.0);
  y.sum().backward();
  EXPECT_DOUBLE_EQ(x.grad()[0].item<double>(), 2.0);
  EXPECT_ERROR(DoubleInPlace::apply(x), "leaf Variable that requires grad", "in-place operation");
}

TEST(CustomFunction, MarkNonDifferentiable) {
  Tensor x = dbl({1, 2});
  auto out = SortLike::apply(x);
  EXPECT_TRUE(out[0].requires_grad());
  EXPECT_FALSE(out[1].requires_grad());
  out[0].sum().backward();
  EXPECT_DOUBLE_EQ(x.grad()[1].item<double>(), 1.0);
}

TEST(CustomFunction, NeedsInputGradAndMaterializeGrads) {
  Tensor a = dbl({1});
  Tensor b = tensor({2.0}, kDouble);
  auto out = Probe::apply(a, b, true);
  EXPECT_EQ(Probe::needs, (std::vector<bool>{true, false}));
  Tensor b2 = dbl({2});
  out = Probe::apply(a, b2, true);
  out[0].backward();  // out[1] gets no gradient: materialized as zeros
  EXPECT_FALSE(Probe::saw_undefined);
  out = Probe::apply(a, b2, false);
  out[0].backward();
  EXPECT_TRUE(Probe::saw_undefined);
}

TEST(CustomFunction, NoGraphWithoutGradMode) {
  Tensor x = dbl({1});
  NoGradGuard g;
  Tensor y = MulConstant::apply(x, 2.0);
  EXPECT_FALSE(y.requires_grad());
  EXPECT_DOUBLE_EQ(y.item<double>(), 2.0);
}

TEST(CustomFunction, SecondBackwardThroughFreedSavedTensors) {
  Tensor a = dbl({1}), b = dbl({2});
  Tensor z = Mul::apply(a, b);
  z.backward({}, true);
  z.backward();
  EXPECT_ERROR(z.backward(), "backward through the graph a second time", "retain_graph=true");
}

TEST(CustomFunction, SavedDataValues) {
  IValue i = 3, d = 2.5, s = "name", v = std::vector<int64_t>{1, 2};
  EXPECT_EQ(i.toInt(), 3);
  EXPECT_DOUBLE_EQ(d.toDouble(), 2.5);
  EXPECT_EQ(s.toStringRef(), "name");
  EXPECT_EQ(v.toIntVector().size(), 2u);
  EXPECT_ERROR(s.toInt(), "IValue", "expected Int");
}

// A Function that keeps its own output in saved_data: a cycle until backward frees the graph.
struct KeepsOutput : Function<KeepsOutput> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    Tensor y = x * 2;
    ctx->saved_data["y"] = y;
    return y;
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
};

TEST(CustomFunction, BackwardBreaksCyclesThroughSavedDataAndHooks) {
  Tensor x = tensor({1.0}, kDouble).requires_grad_();
  std::weak_ptr<autograd::Node> node;
  {
    Tensor y = KeepsOutput::apply(x);
    Tensor h = y * 3;
    h.register_hook([h](Tensor g) { return g; });  // the hook holds h: another cycle
    node = y.grad_fn();
    h.backward();
  }
  EXPECT_TRUE(node.expired());  // everything was freed once the handles went away
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 6.0);
}

namespace {
// A Function that keeps only its input and, in backward, runs its computation again with grad
// mode on and backpropagates through it: tanh(x W) with W captured (as a hand-written checkpoint).
Tensor captured_weight;
struct RecomputeInBackward : Function<RecomputeInBackward> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    ctx->save_for_backward({x});
    return matmul(x, captured_weight).tanh();
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    Tensor x = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    AutoGradMode enable(true);
    matmul(x, captured_weight).tanh().backward(grads[0]);  // accumulates into W.grad() too
    return {x.grad()};
  }
};
}  // namespace

TEST(Function, BackwardThatBackpropagatesInsideReachesCapturedLeaves) {
  manual_seed(2);
  captured_weight = randn({3, 3}, kDouble).requires_grad_(true);
  Tensor x = randn({2, 3}, kDouble).requires_grad_(true);
  (matmul(x, captured_weight).tanh() * 2).sum().backward();
  const Tensor plain_x = x.grad().clone(), plain_W = captured_weight.grad().clone();
  x.mutable_grad() = Tensor();
  captured_weight.mutable_grad() = Tensor();
  (RecomputeInBackward::apply(x) * 2).sum().backward();
  EXPECT_TRUE(allclose(x.grad(), plain_x, 1e-14, 1e-14));
  ASSERT_TRUE(captured_weight.grad().defined());
  EXPECT_TRUE(allclose(captured_weight.grad(), plain_W, 1e-14, 1e-14));
  captured_weight = Tensor();
}

// ---- libtorch's custom Function features ----
namespace {
struct SumList : Function<SumList> {
  static Tensor forward(AutogradContext* ctx, TensorList xs, std::optional<Tensor> bias) {
    ctx->saved_data["n"] = static_cast<int64_t>(xs.size());
    ctx->saved_data["bias"] = bias.has_value();
    Tensor out = xs[0].clone();
    for (size_t i = 1; i < xs.size(); ++i) out = out + xs[i];
    return bias ? out + *bias : out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    variable_list out(static_cast<size_t>(ctx->saved_data["n"].toInt()), grads[0]);
    out.push_back(ctx->saved_data["bias"].toBool() ? grads[0] : Tensor());
    return out;
  }
};

struct TwoInputs : Function<TwoInputs> {
  static Tensor forward(AutogradContext*, Tensor a, Tensor b) { return a * b; }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    seen = {ctx->needs_input_grad(0), ctx->needs_input_grad(1),
            ctx->needs_input_grad({{0, 1}, {1, 2}})};
    return {g[0], g[0]};
  }
  static inline std::vector<bool> seen;
};

struct ReturnsInput : Function<ReturnsInput> {
  static Tensor forward(AutogradContext*, Tensor x) { return x; }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
};

struct DoubleViewInPlace : Function<DoubleViewInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.mul_(2);
    ctx->mark_dirty({x});
    return x;
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
};

struct CountsCalls : Function<CountsCalls> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    ctx->set_materialize_grads(materialize);
    return x.clone();
  }
  static variable_list backward(AutogradContext*, variable_list g) {
    ++calls;
    defined = g[0].defined();
    return {g[0]};
  }
  static inline int calls = 0;
  static inline bool defined = false;
  static inline bool materialize = true;
};
}  // namespace

TEST(CustomFunction, TensorListAndOptionalArguments) {
  Tensor a = dbl({1, 2}), b = dbl({3, 4}), c = dbl({5, 6});
  variable_list xs = {a, b};
  Tensor y = SumList::apply(TensorList(xs), std::optional<Tensor>(c));
  y.sum().backward();
  EXPECT_TRUE(a.grad().defined());
  EXPECT_TRUE(b.grad().defined());
  EXPECT_TRUE(c.grad().defined());
  Tensor z = SumList::apply(TensorList(xs), std::optional<Tensor>());
  EXPECT_TRUE(z.requires_grad());
}

TEST(CustomFunction, NeedsInputGradFollowsWhatThisBackwardComputes) {
  Tensor a = dbl({1, 2}), b = dbl({3, 4});
  Tensor y = TwoInputs::apply(a, b);
  autograd::grad({y.sum()}, {a}, {}, true);
  EXPECT_EQ(TwoInputs::seen, (std::vector<bool>{true, false, true}));
  y.sum().backward();
  EXPECT_EQ(TwoInputs::seen, (std::vector<bool>{true, true, true}));
}

TEST(CustomFunction, AnInputReturnedAsItIsIsAViewWithTheFunctionsHistory) {
  Tensor x = dbl({1, 2});
  Tensor y = ReturnsInput::apply(x);
  EXPECT_FALSE(y.is_same(x));
  EXPECT_TRUE(y.is_view());
  EXPECT_EQ(y.data_ptr(), x.data_ptr());
  y.sum().backward();
  EXPECT_EQ(x.grad()[0].item<double>(), 2.0);
  Tensor y2 = ReturnsInput::apply(x * 1);
  EXPECT_ERROR(y2.mul_(2), "mul_", "This view was created inside a custom Function",
               "cloning the output of the custom Function");
  {
    NoGradGuard no_grad;
    Tensor z = ReturnsInput::apply(x);  // nothing recorded: a detached alias
    EXPECT_FALSE(z.requires_grad());
  }
}

TEST(CustomFunction, MarkDirtyOnAViewRecordsTheChangeOnItsBase) {
  Tensor x = dbl({1, 2, 3});
  Tensor base = x * 1;
  Tensor v = base.narrow(0, 1, 2);
  const uint32_t version = base._version();
  Tensor out = DoubleViewInPlace::apply(v);
  EXPECT_TRUE(out.is_same(v));
  EXPECT_GT(base._version(), version);
  EXPECT_EQ(base.grad_fn()->name(), "CopySlices");
  base.sum().backward();
  EXPECT_EQ(x.grad()[0].item<double>(), 1.0);
  EXPECT_EQ(x.grad()[1].item<double>(), 2.0);
  EXPECT_EQ(x.grad()[2].item<double>(), 2.0);
}

TEST(CustomFunction, BackwardRunsEvenWhenNoGradientArrives) {
  Tensor x = dbl({1, 2});
  CountsCalls::calls = 0;
  CountsCalls::materialize = true;
  autograd::UndefinedGrad().apply({CountsCalls::apply(x)})[0].sum().backward();
  EXPECT_EQ(CountsCalls::calls, 1);
  EXPECT_TRUE(CountsCalls::defined);  // zeros
  EXPECT_TRUE(x.grad().defined());
  CountsCalls::materialize = false;
  autograd::UndefinedGrad().apply({CountsCalls::apply(x)})[0].sum().backward();
  EXPECT_EQ(CountsCalls::calls, 2);
  EXPECT_FALSE(CountsCalls::defined);
}

TEST(CustomFunction, NodesHaveTheirClassNameByDefault) {
  struct Passthrough : autograd::Node {
    variable_list apply(variable_list&& g) override { return std::move(g); }
  };
  EXPECT_NE(Passthrough().name().find("Passthrough"), std::string::npos);
}
