// Gradient clipping with libtorch 1.13's formulas (torch/nn/utils/clip_grad.h), as tensor ops:
// it runs once per step over a handful of gradients, so temporaries do not matter here.
#include "tensorgrad/optim/clip_grad.h"

#include <cmath>
#include <limits>

#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::nn::utils {

double clip_grad_norm_(std::vector<Tensor> parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  TG_CHECK(max_norm >= 0, "clip_grad_norm_: max_norm must be >= 0 (got ", max_norm, ")");
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const auto& p : parameters)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad().detach());
  if (grads.empty()) return 0.0;

  Tensor total;
  if (norm_type == std::numeric_limits<double>::infinity()) {
    std::vector<Tensor> norms;
    norms.reserve(grads.size());
    for (const auto& g : grads) norms.push_back(g.abs().max());
    total = norms.size() == 1 ? norms[0] : tg::stack(norms).max();
  } else if (norm_type == 0) {
    total = tg::full({}, static_cast<double>(grads.size()));
  } else {
    std::vector<Tensor> norms;
    norms.reserve(grads.size());
    for (const auto& g : grads) norms.push_back(g.norm(norm_type));
    total = norms.size() == 1 ? norms[0] : tg::stack(norms).norm(norm_type);
  }
  const double total_norm = total.item<double>();
  TG_CHECK(!error_if_nonfinite || std::isfinite(total_norm),
           "clip_grad_norm_: the total norm of order ", norm_type,
           " of the gradients is non-finite (", total_norm,
           "), so it cannot be clipped; to scale the gradients with the non-finite norm "
           "anyway, pass error_if_nonfinite = false");
  const Tensor coef = (total + 1e-6).reciprocal().mul(max_norm).clamp(std::nullopt, 1.0);
  for (auto& g : grads) g.mul_(coef);
  return total_norm;
}

double clip_grad_norm_(std::initializer_list<Tensor> parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>(parameters), max_norm, norm_type, error_if_nonfinite);
}

double clip_grad_norm_(Tensor parameter, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{std::move(parameter)}, max_norm, norm_type,
                         error_if_nonfinite);
}

void clip_grad_value_(std::vector<Tensor> parameters, double clip_value) {
  TG_CHECK(clip_value >= 0, "clip_grad_value_: clip_value must be >= 0 (got ", clip_value, ")");
  NoGradGuard no_grad;
  for (const auto& p : parameters)
    if (p.defined() && p.grad().defined()) p.grad().detach().clamp_(-clip_value, clip_value);
}

void clip_grad_value_(std::initializer_list<Tensor> parameters, double clip_value) {
  clip_grad_value_(std::vector<Tensor>(parameters), clip_value);
}

void clip_grad_value_(Tensor parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{std::move(parameter)}, clip_value);
}

}  // namespace tg::nn::utils
