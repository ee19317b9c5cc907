#pragma once
/// RMSprop, as torch::optim::RMSprop in libtorch 1.13. For each parameter p with gradient g:
///   g = g + weight_decay * p
///   s = alpha * s + (1 - alpha) * g * g
///   centered: a = alpha * a + (1 - alpha) * g;  avg = sqrt(s - a * a) + eps
///   otherwise: avg = sqrt(s) + eps
///   momentum > 0: buf = momentum * buf + g / avg;  p -= lr * buf
///   otherwise:    p -= lr * g / avg
#include <memory>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct RMSpropOptions : public detail::LearningRateOptions<RMSpropOptions> {
  RMSpropOptions(double lr = 1e-2);  // NOLINT: implicit as in libtorch
  TG_ARG(double, alpha) = 0.99;
  TG_ARG(double, eps) = 1e-8;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(double, momentum) = 0;
  TG_ARG(bool, centered) = false;

 public:
  friend bool operator==(const RMSpropOptions& a, const RMSpropOptions& b);
};

struct RMSpropParamState : public OptimizerCloneableParamState<RMSpropParamState> {
  TG_ARG(int64_t, step) = 0;
  TG_ARG(Tensor, square_avg);
  TG_ARG(Tensor, momentum_buffer) = {};
  TG_ARG(Tensor, grad_avg) = {};

 public:
  friend bool operator==(const RMSpropParamState& a, const RMSpropParamState& b);
};

class RMSprop : public Optimizer {
 public:
  /// Throws when lr, eps, weight_decay, momentum or alpha is negative.
  explicit RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults = {});
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {});

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
