#pragma once
/// Gradient clipping, as torch::nn::utils in libtorch 1.13.
#include <initializer_list>
#include <vector>

#include "tensorgrad/tensor.h"

namespace tg::nn::utils {

/// Scales the gradients of `parameters` (those that have one) in place so that their joint
/// norm of order norm_type (the norm of the vector of each gradient's norm; infinity for the
/// largest absolute value) is at most max_norm: each gradient is multiplied by
/// min(1, max_norm / (total_norm + 1e-6)). Returns the total norm before clipping (0 when no
/// parameter has a gradient). With error_if_nonfinite, a NaN or infinite total norm throws
/// instead of scaling. Throws when max_norm is negative or NaN.
double clip_grad_norm_(std::vector<Tensor> parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
double clip_grad_norm_(std::initializer_list<Tensor> parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);
double clip_grad_norm_(Tensor parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

/// Clamps every gradient of `parameters` to [-clip_value, clip_value] in place.
void clip_grad_value_(std::vector<Tensor> parameters, double clip_value);
void clip_grad_value_(std::initializer_list<Tensor> parameters, double clip_value);
void clip_grad_value_(Tensor parameter, double clip_value);

}  // namespace tg::nn::utils
