// NormImplBase, which BatchNorm and InstanceNorm share, and BatchNorm1d/2d/3d.
#include "tensorgrad/nn/modules/batchnorm.h"

#include <ostream>

#include "autograd/checkpoint.h"
#include "core/internal.h"
#include "nn/modules/norm_state.h"
#include "tensorgrad/nn/functional/batchnorm.h"
#include "tensorgrad/nn/modules/normalization.h"

namespace tg::nn {

template <size_t D, class Derived, class DerivedOptions>
NormImplBase<D, Derived, DerivedOptions>::NormImplBase(const DerivedOptions& options_)
    : options(options_) {
  // The final overrider of reset() during construction is this class's, as intended.
  reset();
}

template <size_t D, class Derived, class DerivedOptions>
void NormImplBase<D, Derived, DerivedOptions>::reset() {
  const int64_t n = options.num_features();
  // BatchNorm rejects a count that could make no statistics; InstanceNorm has never checked.
  if constexpr (std::is_same_v<DerivedOptions, BatchNormOptions>)
    TG_CHECK(n > 0, "BatchNorm", D, "d: num_features must be positive, got ", n);
  nn::detail::register_affine_parameters(*this, weight, bias, options.affine(), {n});
  const bool track = options.track_running_stats();
  running_mean = this->register_buffer("running_mean", track ? tg::zeros({n}) : Tensor());
  running_var = this->register_buffer("running_var", track ? tg::ones({n}) : Tensor());
  num_batches_tracked =
      this->register_buffer("num_batches_tracked", track ? tg::zeros({}, kLong) : Tensor());
  reset_parameters();
}

template <size_t D, class Derived, class DerivedOptions>
void NormImplBase<D, Derived, DerivedOptions>::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

template <size_t D, class Derived, class DerivedOptions>
void NormImplBase<D, Derived, DerivedOptions>::reset_parameters() {
  reset_running_stats();
  nn::detail::reset_affine_parameters(weight, bias, options.affine());
}

template <size_t D, class Derived>
void BatchNormImplBase<D, Derived>::pretty_print(std::ostream& stream) const {
  const BatchNormOptions& o = this->options;
  stream << std::boolalpha << "torch::nn::BatchNorm" << D << "d(" << o.num_features()
         << ", eps=" << o.eps() << ", momentum=";
  if (o.momentum())
    stream << *o.momentum();
  else
    stream << "None";
  stream << ", affine=" << o.affine() << ", track_running_stats=" << o.track_running_stats() << ")";
}

template <size_t D, class Derived>
Tensor BatchNormImplBase<D, Derived>::forward(const Tensor& input) {
  TG_CHECK(input.defined(), "BatchNorm", D, "d: the input is undefined");
  if constexpr (D == 1) {
    TG_CHECK(input.dim() == 2 || input.dim() == 3,
             "BatchNorm1d: expected 2D or 3D input "
             "[N, C] or [N, C, L] (got ",
             input.dim(), "D input of shape ", tg::detail::shape_str(input.sizes()), ")");
  } else if constexpr (D == 3) {
    TG_CHECK(input.dim() == 5, "BatchNorm3d: expected 5D input [N, C, D, H, W] (got ", input.dim(),
             "D input of shape ", tg::detail::shape_str(input.sizes()), ")");
  } else {
    TG_CHECK(input.dim() == 4, "BatchNorm2d: expected 4D input [N, C, H, W] (got ", input.dim(),
             "D input of shape ", tg::detail::shape_str(input.sizes()), ")");
  }
  TG_CHECK(input.size(1) == this->options.num_features(), "BatchNorm", D, "d: expected input with ",
           this->options.num_features(), " channels (dimension 1) but got ", input.size(1),
           "; input shape ", tg::detail::shape_str(input.sizes()));
  double average_factor = this->options.momentum().value_or(0.0);
  const bool track = this->is_training() && this->options.track_running_stats();
  // Without momentum the running statistics are the plain average of all batches seen, this one
  // included.
  if (track && !this->options.momentum())
    average_factor =
        1.0 / static_cast<double>(this->num_batches_tracked.template item<int64_t>() + 1);
  Tensor out = functional::batch_norm(
      input, this->running_mean, this->running_var,
      functional::BatchNormFuncOptions()
          .weight(this->weight)
          .bias(this->bias)
          .training(this->is_training() || !this->options.track_running_stats())
          .momentum(average_factor)
          .eps(this->options.eps()));
  // Counted only once batch_norm has accepted the input, so that a rejected input changes
  // nothing.
  if (track && !autograd::checkpoint_recomputing()) {
    NoGradGuard no_grad;
    this->num_batches_tracked.add_(1);
  }
  return out;
}

template class NormImplBase<1, BatchNorm1dImpl, BatchNormOptions>;
template class NormImplBase<2, BatchNorm2dImpl, BatchNormOptions>;
template class NormImplBase<3, BatchNorm3dImpl, BatchNormOptions>;
template class NormImplBase<1, InstanceNorm1dImpl, InstanceNormOptions>;
template class NormImplBase<2, InstanceNorm2dImpl, InstanceNormOptions>;
template class NormImplBase<3, InstanceNorm3dImpl, InstanceNormOptions>;
template class BatchNormImplBase<1, BatchNorm1dImpl>;
template class BatchNormImplBase<2, BatchNorm2dImpl>;
template class BatchNormImplBase<3, BatchNorm3dImpl>;

}  // namespace tg::nn
