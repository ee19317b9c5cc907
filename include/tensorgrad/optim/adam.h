#pragma once
/// Adam, as torch::optim::Adam in libtorch 1.13. For each parameter p with gradient g, at step t:
///   g = g + weight_decay * p
///   m = beta1 * m + (1 - beta1) * g
///   v = beta2 * v + (1 - beta2) * g * g          (amsgrad: v_max = max(v_max, v), used below)
///   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
///   p -= lr / (1 - beta1^t) * m / denom
#include <memory>
#include <tuple>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3);  // NOLINT: implicit as in libtorch
  using betas_t = std::tuple<double, double>;
  TG_ARG(double, lr) = 1e-3;
  TG_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  TG_ARG(double, eps) = 1e-8;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(bool, amsgrad) = false;

 public:
  double get_lr() const override { return lr(); }
  void set_lr(double lr) override { this->lr(lr); }
  friend bool operator==(const AdamOptions& a, const AdamOptions& b);
};

struct AdamParamState : public OptimizerCloneableParamState<AdamParamState> {
  TG_ARG(int64_t, step) = 0;
  TG_ARG(Tensor, exp_avg);
  TG_ARG(Tensor, exp_avg_sq);
  TG_ARG(Tensor, max_exp_avg_sq) = {};

 public:
  friend bool operator==(const AdamParamState& a, const AdamParamState& b);
};

class Adam : public Optimizer {
 public:
  /// Throws when lr, eps or weight_decay is negative or a beta is outside [0, 1).
  explicit Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults = {});
  explicit Adam(std::vector<Tensor> params, AdamOptions defaults = {});

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
