#pragma once
#include "autograd/meta.h"

namespace tg::autograd {

/// The sink of a leaf: runs the leaf's hooks, then adds the gradient into leaf.grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor leaf);
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }
  variable_list apply(variable_list&& grads) override;
  const Tensor& variable() const { return variable_; }

 private:
  Tensor variable_;
};

}  // namespace tg::autograd
