#include "tensorgrad/optim/lr_scheduler.h"

#include <cmath>
#include <numbers>

#include "tensorgrad/optim/cosine_annealing_lr.h"
#include "tensorgrad/optim/step_lr.h"

namespace tg::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {}

void LRScheduler::step() {
  set_optimizer_lrs(get_lrs());
  ++step_count_;
}

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  lrs.reserve(optimizer_.param_groups().size());
  for (const auto& group : optimizer_.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

void LRScheduler::set_optimizer_lrs(const std::vector<double>& learning_rates) {
  auto& groups = optimizer_.param_groups();
  TG_CHECK(learning_rates.size() == groups.size(), "LRScheduler: get_lrs() returned ",
           learning_rates.size(), " learning rates but the optimizer has ", groups.size(),
           " parameter groups; return one rate per group");
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(learning_rates[i]);
}

StepLR::StepLR(Optimizer& optimizer, unsigned step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  TG_CHECK(step_size > 0, "StepLR: step_size must be at least 1 (got 0)");
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (step_count_ != 0 && step_count_ % step_size_ == 0)
    for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, unsigned T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  TG_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be at least 1 (got 0)");
  TG_CHECK(eta_min >= 0, "CosineAnnealingLR: eta_min must be >= 0 (got ", eta_min, ")");
  base_lrs_ = get_current_lrs();
}

std::vector<double> CosineAnnealingLR::get_lrs() {
  const double t = static_cast<double>(step_count_) + 1;
  const double factor = (1 + std::cos(std::numbers::pi * t / T_max_)) / 2;
  std::vector<double> lrs = base_lrs_;
  TG_CHECK(lrs.size() == get_current_lrs().size(), "CosineAnnealingLR: the optimizer had ",
           lrs.size(), " parameter groups when the scheduler was made and has ",
           get_current_lrs().size(), " now; make the scheduler after adding every group");
  for (double& lr : lrs) lr = eta_min_ + (lr - eta_min_) * factor;
  return lrs;
}

}  // namespace tg::optim
