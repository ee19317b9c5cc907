// Post-accumulate-grad hooks on leaves and the engine's final callbacks (queue_callback), which
// data-parallel training builds on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/tensorgrad.h"

namespace ag = tg::autograd;

TEST(PostAccumulateGradHook, RunsAfterTheGradientIsInGrad) {
  auto w = tg::ones({3}, tg::kDouble).requires_grad_();
  std::vector<tg::Tensor> seen;
  unsigned handle = ag::register_post_accumulate_grad_hook(
      w, [&](const tg::Tensor& leaf) { seen.push_back(leaf.grad().clone()); });
  (w * 2).sum().backward();
  (w * 3).sum().backward();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(tg::equal(seen[0], tg::full({3}, 2.0, tg::kDouble)));
  EXPECT_TRUE(tg::equal(seen[1], tg::full({3}, 5.0, tg::kDouble)));  // accumulated
  EXPECT_TRUE(ag::remove_post_accumulate_grad_hook(w, handle));
  EXPECT_FALSE(ag::remove_post_accumulate_grad_hook(w, handle));
  (w * 3).sum().backward();
  EXPECT_EQ(seen.size(), 2u);
}

TEST(PostAccumulateGradHook, RunsAfterTheLeafsTensorHooksAndMayReplaceGrad) {
  auto w = tg::ones({2}, tg::kFloat).requires_grad_();
  w.register_hook([](const tg::Tensor& g) { return g * 10; });
  ag::register_post_accumulate_grad_hook(w, [](const tg::Tensor& leaf) {
    leaf.mutable_grad() = leaf.grad() + 1;  // as DDP writes the reduced gradient back
  });
  w.sum().backward();
  EXPECT_TRUE(tg::equal(w.grad(), tg::full({2}, 11.0, tg::kFloat)));
}

TEST(PostAccumulateGradHook, OnlyOnLeavesThatRequireGrad) {
  auto w = tg::ones({2}).requires_grad_();
  const char* message =
      "register_post_accumulate_grad_hook: the tensor must be a leaf that requires grad (post "
      "accumulate grad hooks cannot be registered on non-leaf tensors)";
  EXPECT_ERROR(ag::register_post_accumulate_grad_hook(w * 2, [](const tg::Tensor&) {}), message);
  EXPECT_ERROR(ag::register_post_accumulate_grad_hook(tg::ones({2}), [](const tg::Tensor&) {}),
               message);
  EXPECT_FALSE(ag::remove_post_accumulate_grad_hook(tg::ones({2}), 1));
}

TEST(QueueCallback, RunsOnceTheWholeGraphRan) {
  auto a = tg::ones({2}, tg::kDouble).requires_grad_();
  auto b = tg::ones({2}, tg::kDouble).requires_grad_();
  std::vector<std::string> order;
  // Queued from a's hook, which runs before b's gradient exists.
  ag::register_post_accumulate_grad_hook(a, [&](const tg::Tensor&) {
    order.push_back("a");
    ag::queue_callback([&] {
      order.push_back(tg::str("first, b.grad defined: ", b.grad().defined()));
      ag::queue_callback([&] { order.push_back("queued by a callback"); });
    });
    ag::queue_callback([&] { order.push_back("second"); });
  });
  ag::register_post_accumulate_grad_hook(b, [&](const tg::Tensor&) { order.push_back("b"); });
  // a's AccumulateGrad runs as soon as its gradient is ready, before b's branch finishes.
  auto loss = (a * 2).sum() + (b.exp() * 3).sin().sum();
  loss.backward();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "first, b.grad defined: 1", "second",
                                             "queued by a callback"}));
  // Each pass starts with no callbacks.
  order.clear();
  b.grad().zero_();
  (b * 2).sum().backward();
  EXPECT_EQ(order, std::vector<std::string>{"b"});
}

TEST(QueueCallback, ThrowsOutsideBackward) {
  EXPECT_ERROR(ag::queue_callback([] {}),
               "queue_callback: no backward pass is running on this thread; call it from a hook "
               "or a backward function during backward()");
}

TEST(QueueCallback, RunsAfterGradToo) {
  auto x = tg::ones({2}, tg::kDouble).requires_grad_();
  bool ran = false;
  auto y = (x * 3).sum();
  y.grad_fn()->add_tensor_pre_hook(0, [&](const tg::Tensor& g) {
    ag::queue_callback([&] { ran = true; });
    return g;
  });
  auto g = ag::grad({y}, {x});
  EXPECT_TRUE(ran);
  EXPECT_TRUE(tg::equal(g[0], tg::full({2}, 3.0, tg::kDouble)));
}
