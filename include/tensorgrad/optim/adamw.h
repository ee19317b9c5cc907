#pragma once
/// AdamW (Adam with decoupled weight decay), as torch::optim::AdamW in libtorch 1.13. For each
/// parameter p with gradient g, at step t:
///   p *= 1 - lr * weight_decay
///   m = beta1 * m + (1 - beta1) * g
///   v = beta2 * v + (1 - beta2) * g * g          (amsgrad: v_max = max(v_max, v), used below)
///   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
///   p -= lr / (1 - beta1^t) * m / denom
#include "tensorgrad/optim/adam.h"

namespace tg::optim {

/// As AdamOptions, but weight_decay defaults to 1e-2.
struct AdamWOptions : public detail::AdamFamilyOptions<AdamWOptions> {
  AdamWOptions(double lr = 1e-3);  // NOLINT: implicit as in libtorch
};

struct AdamWParamState : public detail::AdamFamilyParamState<AdamWParamState> {};

class AdamW : public detail::AdamFamily<AdamWOptions, AdamWParamState> {
 public:
  using AdamFamily::AdamFamily;
};

}  // namespace tg::optim
