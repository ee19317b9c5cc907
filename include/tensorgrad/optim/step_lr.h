#pragma once
/// StepLR: multiplies every group's learning rate by gamma every step_size calls of step(), as
/// torch::optim::StepLR in libtorch 1.13. As there, the k-th call (counting from 0) decays the
/// rate when k is a non-zero multiple of step_size: with step_size 2 the rate changes on the
/// 3rd, 5th, 7th... call.
#include "tensorgrad/optim/lr_scheduler.h"

namespace tg::optim {

class StepLR : public LRScheduler {
 public:
  /// Throws when step_size is 0.
  StepLR(Optimizer& optimizer, unsigned step_size, double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;

  const unsigned step_size_;
  const double gamma_;
};

}  // namespace tg::optim
