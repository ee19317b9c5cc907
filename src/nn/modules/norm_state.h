#pragma once
// The parameters and running statistics that BatchNorm and InstanceNorm share (libtorch's
// NormImplBase): one place for their registration and their reset.
#include "tensorgrad/autograd.h"
#include "tensorgrad/nn/init.h"

namespace tg::nn::detail {

/// Fills the norm's running statistics with their initial values (mean 0, variance 1, no
/// batches) when it tracks them.
template <class Norm>
void reset_norm_running_stats(Norm& m) {
  if (!m.options.track_running_stats()) return;
  NoGradGuard no_grad;
  m.running_mean.zero_();
  m.running_var.fill_(1);
  m.num_batches_tracked.zero_();
}

/// The running statistics reset, and the affine weight 1 and bias 0.
template <class Norm>
void reset_norm_parameters(Norm& m) {
  reset_norm_running_stats(m);
  if (m.options.affine()) {
    init::ones_(m.weight);
    init::zeros_(m.bias);
  }
}

/// Registers weight and bias (undefined unless affine) and the running statistics (undefined
/// unless tracked) for num_features channels, then resets them.
template <class Norm>
void register_norm_state(Norm& m) {
  const int64_t n = m.options.num_features();
  if (m.options.affine()) {
    m.weight = m.register_parameter("weight", tg::empty({n}));
    m.bias = m.register_parameter("bias", tg::empty({n}));
  } else {
    m.weight = m.register_parameter("weight", Tensor(), /*requires_grad=*/false);
    m.bias = m.register_parameter("bias", Tensor(), /*requires_grad=*/false);
  }
  const bool track = m.options.track_running_stats();
  m.running_mean = m.register_buffer("running_mean", track ? tg::zeros({n}) : Tensor());
  m.running_var = m.register_buffer("running_var", track ? tg::ones({n}) : Tensor());
  m.num_batches_tracked =
      m.register_buffer("num_batches_tracked", track ? tg::zeros({}, kLong) : Tensor());
  reset_norm_parameters(m);
}

}  // namespace tg::nn::detail
