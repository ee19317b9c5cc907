// Views and in-place ops under autograd (Note [Views and in-place] in src/autograd/view.cpp), and
// InferenceMode's rules for inference tensors, views and in-place updates.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/autograd/function.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {
using testing::values;

Tensor dleaf(IntArrayRef shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (arange(n, kDouble) * 0.25 + 1.0).reshape(shape).detach().requires_grad_(true);
}

// ---- what is a view ----

TEST(Views, ViewOpsMakeViewsOfTheRootBase) {
  Tensor x = dleaf({2, 3});
  Tensor v = x.t();
  Tensor w = v[1];
  EXPECT_TRUE(v.is_view());
  EXPECT_TRUE(w.is_view());
  EXPECT_TRUE(w._base().is_same(x));  // the root, not the view it was made from
  EXPECT_FALSE(x.is_view());
  EXPECT_FALSE(x._base().defined());
  Tensor a = x.alias();
  EXPECT_TRUE(a.is_view());
  EXPECT_EQ(a.grad_fn()->name(), "AliasBackward0");
  EXPECT_EQ(a.data_ptr(), x.data_ptr());
}

TEST(Views, DetachTensorDataAndCopyingReshapeAreNotViews) {
  Tensor x = dleaf({2, 3});
  EXPECT_FALSE(x.t().detach().is_view());
  EXPECT_FALSE(x.t().tensor_data().is_view());
  EXPECT_FALSE(x.t().variable_data().requires_grad());
  EXPECT_FALSE(x.t().reshape({6}).is_view());  // a copy: nothing else reaches its data
  EXPECT_TRUE(x.reshape({6}).is_view());
  // They share the data and its version counter.
  Tensor d = x.tensor_data();
  EXPECT_EQ(d.data_ptr(), x.data_ptr());
  const uint32_t before = x._version();
  d.add_(1);
  EXPECT_EQ(x._version(), before + 1);
}

TEST(Views, AViewMadeWithoutGradModeRequiresGradThroughItsBase) {
  Tensor x = dleaf({2, 3});
  Tensor v;
  {
    NoGradGuard no_grad;
    v = x.view({3, 2});
  }
  EXPECT_TRUE(v.requires_grad());
  EXPECT_TRUE(v.is_leaf());
  // Gradients do not reach it (it has no history and no accumulator of its own).
  Tensor y = (v * v).sum();
  y.backward();
  EXPECT_FALSE(v.grad().defined());
  EXPECT_FALSE(x.grad().defined());
  // A view follows its base's requires_grad even when set after it was made.
  Tensor p = ones({3});
  Tensor q = p.view({3});
  EXPECT_FALSE(q.requires_grad());
  p.requires_grad_(true);
  EXPECT_TRUE(q.requires_grad());
}

TEST(Views, DetachInPlaceOnAViewThrows) {
  Tensor x = dleaf({4});
  Tensor y = x * 2;
  EXPECT_ERROR(y.narrow(0, 0, 2).detach_(), "detach_", "Can't detach views in-place");
}

// ---- in-place ops on views ----

TEST(Views, InPlaceOnAViewRecordsCopySlicesOnTheBase) {
  Tensor x = dleaf({4});
  Tensor y = x.clone();
  Tensor v = y.slice(0, 1, 3);
  v.mul_(3);
  EXPECT_EQ(y.grad_fn()->name(), "CopySlices");
  EXPECT_EQ(v.grad_fn()->name(), "AsStridedBackward0");
  EXPECT_EQ(values(y), (std::vector<double>{1.0, 3.75, 4.5, 1.75}));
  (y * y).sum().backward();
  // d/dx of sum(y^2) with y = x * [1, 3, 3, 1]: 2 x [1, 9, 9, 1].
  EXPECT_EQ(values(x.grad()), (std::vector<double>{2.0, 22.5, 27.0, 3.5}));
}

TEST(Views, InPlaceOnAViewWithAnInputThatRequiresGrad) {
  Tensor z = zeros({2, 3}, kDouble);
  Tensor w = full({3}, 2.0, kDouble).requires_grad_(true);
  z[1].add_(w);
  EXPECT_TRUE(z.requires_grad());
  EXPECT_EQ(z.grad_fn()->name(), "CopySlices");
  (z * z).sum().backward();
  EXPECT_EQ(values(w.grad()), (std::vector<double>{4.0, 4.0, 4.0}));
}

TEST(Views, AViewSeesAnInPlaceChangeToItsBase) {
  Tensor x = dleaf({3});
  Tensor y = x.clone();
  Tensor v = y.slice(0, 1);
  EXPECT_EQ(v.grad_fn()->name(), "SliceBackward0");
  y.mul_(2);
  EXPECT_EQ(v.grad_fn()->name(), "AsStridedBackward0");
  (v * v).sum().backward();
  // v = 2 x[1:], so d/dx sum(v^2) = 8 x on x[1:], 0 on x[0].
  EXPECT_EQ(values(x.grad()), (std::vector<double>{0.0, 10.0, 12.0}));
}

TEST(Views, AViewSeesAnInPlaceChangeThroughAnotherView) {
  Tensor x = dleaf({2, 2});
  Tensor y = x * 1;
  Tensor row = y[0];
  Tensor col = y.select(1, 0);
  col.mul_(10);  // changes y[0][0] and y[1][0]
  (row * 1).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{10.0, 1.0, 0.0, 0.0}));
}

TEST(Views, InPlaceOnATransposedViewOfANonContiguousBase) {
  Tensor w = ones({2}, kDouble).requires_grad_(true);
  Tensor base = arange(6, kDouble).reshape({2, 3}).t().detach();  // [3, 2], not contiguous
  ASSERT_FALSE(base.is_contiguous());
  base.select(0, 1).mul_(w * 3);
  EXPECT_EQ(values(base.contiguous()), (std::vector<double>{0, 3, 3, 12, 2, 5}));
  base.sum().backward();
  EXPECT_EQ(values(w.grad()), (std::vector<double>{3.0, 12.0}));
}

TEST(Views, RetainedGradAndHooksOfAViewFollowIt) {
  Tensor x = dleaf({3});
  Tensor y = x * 1;
  Tensor v = y.slice(0, 0, 2);
  v.retain_grad();
  int calls = 0;
  v.register_hook([&](const Tensor&) { ++calls; });
  v.mul_(2);
  (v * 5).sum().backward();
  EXPECT_EQ(values(v.grad()), (std::vector<double>{5.0, 5.0}));  // the gradient of v's new value
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(values(x.grad()), (std::vector<double>{10.0, 10.0, 0.0}));
}

// ---- InferenceMode ----

TEST(Inference, TensorsMadeInsideAreInferenceTensors) {
  Tensor normal = ones({2, 3});
  InferenceMode guard;
  EXPECT_FALSE(GradMode::is_enabled());
  Tensor c = ones({2, 3});
  EXPECT_TRUE(c.is_inference());
  Tensor r = ones({2}).set_requires_grad(true);  // allowed inside
  EXPECT_TRUE(r.requires_grad());
  EXPECT_TRUE(r.is_inference());
  EXPECT_TRUE((c * c).is_inference());
  // A view of an inference tensor is a plain inference tensor, not a view.
  Tensor cv = c.view({3, 2});
  EXPECT_TRUE(cv.is_inference());
  EXPECT_FALSE(cv.is_view());
  // A view of a normal tensor stays normal.
  Tensor nv = normal.view({3, 2});
  EXPECT_FALSE(nv.is_inference());
  EXPECT_TRUE(nv.is_view());
  // In-place updates of inference and normal tensors are allowed inside.
  c.add_(1);
  normal.mul_(2);
  {
    InferenceMode off(false);
    EXPECT_FALSE(ones({1}).is_inference());
  }
}

TEST(Inference, OutsideTheModeInferenceTensorsAreReadOnlyInputs) {
  Tensor c;
  {
    InferenceMode guard;
    c = ones({1, 2, 3}).set_requires_grad(true);
  }
  // Ops on inference tensors alone record nothing, and their results are normal tensors.
  Tensor y = c * c;
  EXPECT_FALSE(y.is_inference());
  EXPECT_FALSE(y.requires_grad());
  Tensor v = c.view({2, 3});
  EXPECT_TRUE(v.is_inference());
  EXPECT_FALSE(v.requires_grad());
  EXPECT_TRUE(v.is_leaf());
  EXPECT_ERROR(c.mul_(2), "mul_", "Inplace update to inference tensor outside InferenceMode");
  EXPECT_ERROR(c.copy_(ones({1, 2, 3})), "copy_",
               "Inplace update to inference tensor outside InferenceMode");
  c.set_requires_grad(false);  // allowed
  EXPECT_ERROR(c.set_requires_grad(true), "requires_grad_",
               "Setting requires_grad=True on inference tensor outside InferenceMode");
}

TEST(Inference, MixedWithNormalTensorsTheyTakePartInAutograd) {
  Tensor s = ones({2}).set_requires_grad(true);
  Tensor c;
  {
    InferenceMode guard;
    c = ones({2}).set_requires_grad(true);
  }
  Tensor out = c.add(s);  // add saves nothing
  EXPECT_TRUE(out.requires_grad());
  out.backward(ones_like(out));
  EXPECT_EQ(values(c.grad()), (std::vector<double>{1.0, 1.0}));
  EXPECT_ERROR(c.mul(s), "Inference tensors cannot be saved for backward");
}

TEST(Inference, InPlaceInsideTheModeMovesTheVersionOfSavedTensors) {
  Tensor s = ones({3}).set_requires_grad(true);
  Tensor a = s.clone();
  Tensor out = a * a;
  {
    InferenceMode guard;
    a.mul_(1);
    EXPECT_FALSE(a.is_inference());
    EXPECT_TRUE(a.requires_grad());
  }
  EXPECT_ERROR(out.backward(ones_like(out)),
               "one of the variables needed for gradient computation has been modified by an "
               "inplace operation");
}

TEST(Inference, AViewMadeInsideOfANormalTensorCannotBeChangedOutside) {
  Tensor s = ones({1, 2, 3}).set_requires_grad(true);
  Tensor a = s.clone();
  Tensor v, b, c;
  {
    InferenceMode guard;
    v = a.view({2, 3});
    b = s.view_as(s);
  }
  EXPECT_TRUE(v.requires_grad());
  EXPECT_TRUE(v.is_leaf());
  EXPECT_ERROR(v.mul_(2), "mul_",
               "A view was created in inference mode and is being modified inplace in normal "
               "mode",
               "inference_mode block");
  {
    NoGradGuard no_grad;
    c = b.view_as(b);  // keeps the inference-mode restriction
  }
  EXPECT_ERROR(c.add_(1), "A view was created in inference mode and is being modified inplace");
  a.mul_(2);
  EXPECT_ERROR(v.grad_fn(),
               "A view was created in inference mode and its base or another view of its base "
               "has been modified inplace");
  // Without grad, nothing is tracked and nothing is refused.
  Tensor p = ones({4});
  Tensor pv;
  {
    InferenceMode guard;
    pv = p.view({2, 2});
  }
  pv.mul_(2);
  EXPECT_FALSE(pv.grad_fn());
}

struct Scale : autograd::Function<Scale> {
  static Tensor forward(autograd::AutogradContext* ctx, Tensor x, double k) {
    ctx->save_for_backward({x});
    return x * k;
  }
  static variable_list backward(autograd::AutogradContext*, variable_list g) {
    return {g[0], Tensor()};
  }
};

TEST(Inference, CustomFunctionsRecordNothingInside) {
  InferenceMode guard;
  Tensor x = ones({2}).set_requires_grad(true);
  Tensor y = Scale::apply(x, 2.0);  // saving x for backward would throw: nothing is saved
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.is_inference());
}

TEST(Inference, InferenceModeFalseTurnsGradModeBackOn) {
  InferenceMode guard;
  EXPECT_FALSE(GradMode::is_enabled());
  {
    InferenceMode off(false);
    EXPECT_FALSE(InferenceMode::is_enabled());
    EXPECT_TRUE(GradMode::is_enabled());
  }
  EXPECT_TRUE(InferenceMode::is_enabled());
  EXPECT_FALSE(GradMode::is_enabled());
}

}  // namespace
}  // namespace tg
