#pragma once
/// tg::optim::Optimizer: the base of SGD, Adam, AdamW, RMSprop and Adagrad, as
/// torch::optim::Optimizer in libtorch 1.13. An optimizer holds parameter groups (each a list of
/// parameters with its own options, such as the learning rate) and per-parameter state (momentum
/// buffers, moment estimates), keyed by the parameter's identity.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensorgrad/nn/arg.h"
#include "tensorgrad/tensor.h"

namespace tg::optim {

/// Per-parameter state of an optimizer (SGDParamState, AdamParamState, ...).
class OptimizerParamState {
 public:
  virtual std::unique_ptr<OptimizerParamState> clone() const;
  virtual ~OptimizerParamState() = default;
};

/// The options of a parameter group (SGDOptions, AdamOptions, ...). get_lr()/set_lr() reach the
/// learning rate of any optimizer's options; lr() and lr(value) are shorthands for them, so
/// `optimizer.param_groups()[0].options().lr(0.01)` works without a cast.
class OptimizerOptions {
 public:
  virtual std::unique_ptr<OptimizerOptions> clone() const;
  virtual ~OptimizerOptions() = default;
  virtual double get_lr() const;
  virtual void set_lr(double lr);
  double lr() const { return get_lr(); }
  OptimizerOptions& lr(double lr) {
    set_lr(lr);
    return *this;
  }
};

namespace detail {
/// clone() for the state and the options alike: a copy of *this as the Derived it is.
template <class Derived, class Base>
class CloneableAs : public Base {
 public:
  std::unique_ptr<Base> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};
}  // namespace detail

template <class Derived>
class OptimizerCloneableParamState : public detail::CloneableAs<Derived, OptimizerParamState> {};

template <class Derived>
class OptimizerCloneableOptions : public detail::CloneableAs<Derived, OptimizerOptions> {};

namespace detail {
/// The options of SGD, Adam, AdamW and RMSprop: the learning rate is the field lr(), which
/// get_lr()/set_lr() reach. Setters return the `Options` deriving from it.
template <class Options>
class LearningRateOptions : public OptimizerCloneableOptions<Options> {
 public:
  explicit LearningRateOptions(double lr) : lr_(lr) {}
  TG_SHARED_ARG(Options, double, lr);

 public:
  double get_lr() const override { return lr(); }
  void set_lr(double lr) override { this->lr(lr); }
};

/// Whether two state tensors are equal, for the parameter states' operator==: both undefined, or
/// both defined and tg::equal.
bool same_state(const Tensor& a, const Tensor& b);
}  // namespace detail

/// A list of parameters optimised with the same options. A group made without options takes the
/// optimizer's defaults when added.
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(const OptimizerParamGroup& param_group);
  OptimizerParamGroup& operator=(const OptimizerParamGroup& param_group);
  OptimizerParamGroup(OptimizerParamGroup&&) noexcept = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) noexcept = default;
  OptimizerParamGroup(std::vector<Tensor> params);  // NOLINT: implicit as in libtorch
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options);

  bool has_options() const { return options_ != nullptr; }
  /// The group's options; throws when the group has none (it was never added to an optimizer).
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options);
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }

 protected:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

class Optimizer {
 public:
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  Optimizer(Optimizer&&) = default;

  /// Adds each group (groups without options get a copy of `defaults`).
  Optimizer(std::vector<OptimizerParamGroup> param_groups,
            std::unique_ptr<OptimizerOptions> defaults);
  /// One group holding `parameters`, with the default options.
  Optimizer(std::vector<Tensor> parameters, std::unique_ptr<OptimizerOptions> defaults);
  virtual ~Optimizer() = default;

  /// Adds a group. Every parameter must be a leaf tensor and appear in no other group.
  void add_param_group(const OptimizerParamGroup& param_group);

  using LossClosure = std::function<Tensor()>;
  /// Performs one optimisation step with the gradients in each parameter's .grad() (parameters
  /// without a gradient are skipped). When a closure is given it is called first, with grad mode
  /// on, and its result (the loss) is returned; otherwise an undefined tensor is returned.
  virtual Tensor step(LossClosure closure = nullptr) = 0;

  /// Appends parameters to the first group.
  void add_parameters(const std::vector<Tensor>& parameters);

  /// Zeros the gradient of every parameter that has one, in place (one with history is detached
  /// first; the gradient stays defined), as libtorch 1.13; a gradient that is a view (of a
  /// DistributedDataParallel bucket) stays one.
  void zero_grad();

  /// The parameters of the first group.
  const std::vector<Tensor>& parameters() const noexcept;
  std::vector<Tensor>& parameters() noexcept;
  /// The number of parameters in all groups.
  size_t size() const noexcept;

  OptimizerOptions& defaults() noexcept { return *defaults_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }
  std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }
  /// State per parameter, keyed by param_key(parameter) as libtorch (the address of the
  /// parameter's TensorImpl, printed).
  std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>& state() noexcept {
    return state_;
  }
  const std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>>& state()
      const noexcept {
    return state_;
  }

  /// The key of a parameter in state().
  static std::string param_key(const Tensor& parameter);

 protected:
  /// Runs the closure (if any) with grad mode on; what every step() does first.
  static Tensor run_closure(const LossClosure& closure);
  /// The state of p, or nullptr when p has none yet.
  OptimizerParamState* find_state(const Tensor& p);

  std::vector<OptimizerParamGroup> param_groups_;
  std::unordered_map<std::string, std::unique_ptr<OptimizerParamState>> state_;
  std::unique_ptr<OptimizerOptions> defaults_;
};

}  // namespace tg::optim
