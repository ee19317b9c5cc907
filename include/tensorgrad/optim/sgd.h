#pragma once
/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, as
/// torch::optim::SGD in libtorch 1.13. For each parameter p with gradient g:
///   d = g + weight_decay * p
///   with momentum: buf = d on the first step, then buf = momentum * buf + (1 - dampening) * d;
///                  d = nesterov ? d + momentum * buf : buf
///   p -= lr * d
#include <memory>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct SGDOptions : public detail::LearningRateOptions<SGDOptions> {
  SGDOptions(double lr);  // NOLINT: implicit as in libtorch
  TG_ARG(double, momentum) = 0;
  TG_ARG(double, dampening) = 0;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(bool, nesterov) = false;

 public:
  friend bool operator==(const SGDOptions& a, const SGDOptions& b);
};

struct SGDParamState : public OptimizerCloneableParamState<SGDParamState> {
  TG_ARG(Tensor, momentum_buffer);

 public:
  friend bool operator==(const SGDParamState& a, const SGDParamState& b);
};

class SGD : public Optimizer {
 public:
  /// Throws when lr, momentum or weight_decay is negative, or nesterov is asked without momentum
  /// or with dampening.
  explicit SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults);
  explicit SGD(std::vector<Tensor> params, SGDOptions defaults);

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
