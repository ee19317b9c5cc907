#pragma once
/// CosineAnnealingLR: the cosine schedule of PyTorch's torch.optim.lr_scheduler.CosineAnnealingLR
/// (closed form). With base_lr each group's learning rate when the scheduler is made, after t
/// calls of step() the rate is
///   eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2,
/// so it falls from base_lr to eta_min over T_max steps (and, as in PyTorch, rises again after).
#include <vector>

#include "tensorgrad/optim/lr_scheduler.h"

namespace tg::optim {

class CosineAnnealingLR : public LRScheduler {
 public:
  /// Throws when T_max is 0 or eta_min is negative.
  CosineAnnealingLR(Optimizer& optimizer, unsigned T_max, double eta_min = 0);  // NOLINT

  const std::vector<double>& base_lrs() const noexcept { return base_lrs_; }

 private:
  std::vector<double> get_lrs() override;

  const unsigned T_max_;  // NOLINT: PyTorch's name
  const double eta_min_;
  std::vector<double> base_lrs_;
};

}  // namespace tg::optim
