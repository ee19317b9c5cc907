#pragma once
/// Adam, as torch::optim::Adam in libtorch 1.13. For each parameter p with gradient g, at step t:
///   g = g + weight_decay * p
///   m = beta1 * m + (1 - beta1) * g
///   v = beta2 * v + (1 - beta2) * g * g          (amsgrad: v_max = max(v_max, v), used below)
///   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
///   p -= lr / (1 - beta1^t) * m / denom
/// AdamW (adamw.h) shares the options, the state and the update; only its weight decay differs.
#include <memory>
#include <tuple>
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

namespace detail {
/// The options of Adam and AdamW; setters return the `Options` deriving from it.
template <class Options>
struct AdamFamilyOptions : LearningRateOptions<Options> {
  using betas_t = std::tuple<double, double>;
  AdamFamilyOptions(double lr, double weight_decay)
      : LearningRateOptions<Options>(lr), weight_decay_(weight_decay) {}
  TG_SHARED_ARG(Options, betas_t, betas) = std::make_tuple(0.9, 0.999);
  TG_SHARED_ARG(Options, double, eps) = 1e-8;
  TG_SHARED_ARG(Options, double, weight_decay);
  TG_SHARED_ARG(Options, bool, amsgrad) = false;

 public:
  friend bool operator==(const Options& a, const Options& b) {
    return a.lr() == b.lr() && a.betas() == b.betas() && a.eps() == b.eps() &&
           a.weight_decay() == b.weight_decay() && a.amsgrad() == b.amsgrad();
  }
};

/// The per-parameter state of Adam and AdamW.
template <class State>
struct AdamFamilyParamState : OptimizerCloneableParamState<State> {
  TG_SHARED_ARG(State, int64_t, step) = 0;
  TG_SHARED_ARG(State, Tensor, exp_avg);
  TG_SHARED_ARG(State, Tensor, exp_avg_sq);
  TG_SHARED_ARG(State, Tensor, max_exp_avg_sq) = {};

 public:
  friend bool operator==(const State& a, const State& b) {
    return a.step() == b.step() && same_state(a.exp_avg(), b.exp_avg()) &&
           same_state(a.exp_avg_sq(), b.exp_avg_sq()) &&
           same_state(a.max_exp_avg_sq(), b.max_exp_avg_sq());
  }
};

/// Adam and AdamW, which run one update (adam.cpp); AdamW's options make it decay the parameter
/// itself instead of adding weight_decay * p to the gradient.
template <class Options, class State>
class AdamFamily : public Optimizer {
 public:
  /// Throws when lr, eps or weight_decay is negative or a beta is outside [0, 1).
  explicit AdamFamily(std::vector<OptimizerParamGroup> param_groups, Options defaults = {});
  explicit AdamFamily(std::vector<Tensor> params, Options defaults = {});

  Tensor step(LossClosure closure = nullptr) override;
};
}  // namespace detail

struct AdamOptions : public detail::AdamFamilyOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3);  // NOLINT: implicit as in libtorch
};

struct AdamParamState : public detail::AdamFamilyParamState<AdamParamState> {};

class Adam : public detail::AdamFamily<AdamOptions, AdamParamState> {
 public:
  using AdamFamily::AdamFamily;
};

}  // namespace tg::optim
