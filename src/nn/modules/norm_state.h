#pragma once
// The affine weight and bias that the normalisation modules share (LayerNorm, GroupNorm, and
// NormImplBase's BatchNorm and InstanceNorm): one place for their registration and their reset.
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/module.h"

namespace tg::nn::detail {

/// Registers `m`'s weight and bias, of `shape` when affine, else undefined (as libtorch, so that
/// they keep their place among the parameters).
inline void register_affine_parameters(Module& m, Tensor& weight, Tensor& bias, bool affine,
                                       IntArrayRef shape) {
  if (affine) {
    weight = m.register_parameter("weight", tg::empty(shape));
    bias = m.register_parameter("bias", tg::empty(shape));
  } else {
    weight = m.register_parameter("weight", Tensor(), /*requires_grad=*/false);
    bias = m.register_parameter("bias", Tensor(), /*requires_grad=*/false);
  }
}

/// The affine weight 1 and bias 0 (nothing when not affine).
inline void reset_affine_parameters(Tensor& weight, Tensor& bias, bool affine) {
  if (affine) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

}  // namespace tg::nn::detail
