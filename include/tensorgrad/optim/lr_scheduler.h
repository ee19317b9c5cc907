#pragma once
/// tg::optim::LRScheduler: the base of learning-rate schedules, as torch::optim::LRScheduler in
/// libtorch 1.13. A scheduler keeps a reference to its optimizer (which must outlive it) and, on
/// each step(), sets the learning rate of every parameter group.
#include <vector>

#include "tensorgrad/optim/optimizer.h"

namespace tg::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;

  /// Computes the next learning rates (get_lrs()) and sets them on the optimizer's groups.
  void step();

 protected:
  /// One learning rate per parameter group, for the step about to be taken; step_count_ is the
  /// number of step() calls made so far.
  virtual std::vector<double> get_lrs() = 0;
  /// The optimizer's current learning rates, one per group.
  std::vector<double> get_current_lrs() const;

  unsigned step_count_ = 0;

 private:
  void set_optimizer_lrs(const std::vector<double>& learning_rates);

  Optimizer& optimizer_;
};

}  // namespace tg::optim
