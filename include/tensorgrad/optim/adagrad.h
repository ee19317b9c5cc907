#pragma once
/// Adagrad, as torch::optim::Adagrad in libtorch 1.13. For each parameter p with gradient g, at
/// step t (from 1):
///   g = g + weight_decay * p
///   sum = sum + g * g
///   p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)
/// The state (sum filled with initial_accumulator_value, step 0) is made for every parameter at
/// construction, as libtorch's.
#include <memory>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

struct AdagradOptions : public detail::LearningRateOptions<AdagradOptions> {
  AdagradOptions(double lr = 1e-2);  // NOLINT: implicit as in libtorch
  TG_ARG(double, lr_decay) = 0;
  TG_ARG(double, weight_decay) = 0;
  TG_ARG(double, initial_accumulator_value) = 0;
  TG_ARG(double, eps) = 1e-10;

 public:
  friend bool operator==(const AdagradOptions& a, const AdagradOptions& b);
};

struct AdagradParamState : public OptimizerCloneableParamState<AdagradParamState> {
  TG_ARG(Tensor, sum);
  TG_ARG(int64_t, step) = 0;

 public:
  friend bool operator==(const AdagradParamState& a, const AdagradParamState& b);
};

class Adagrad : public Optimizer {
 public:
  /// Throws when lr, lr_decay, weight_decay, initial_accumulator_value or eps is negative.
  explicit Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults = {});
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {});

  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace tg::optim
