// BatchNorm1d and BatchNorm2d.
#include "tensorgrad/nn/modules/batchnorm.h"

#include <ostream>

#include "autograd/checkpoint.h"
#include "core/internal.h"
#include "nn/modules/norm_state.h"
#include "tensorgrad/nn/functional/batchnorm.h"
#include "tensorgrad/nn/init.h"

namespace tg::nn {

template <size_t D, class Derived>
BatchNormImplBase<D, Derived>::BatchNormImplBase(const BatchNormOptions& options_)
    : options(options_) {
  // The final overrider of reset() during construction is this class's, as intended.
  reset();
}

template <size_t D, class Derived>
void BatchNormImplBase<D, Derived>::reset() {
  const int64_t n = options.num_features();
  TG_CHECK(n > 0, "BatchNorm", D, "d: num_features must be positive, got ", n);
  nn::detail::register_norm_state(*this);
}

template <size_t D, class Derived>
void BatchNormImplBase<D, Derived>::reset_running_stats() {
  nn::detail::reset_norm_running_stats(*this);
}

template <size_t D, class Derived>
void BatchNormImplBase<D, Derived>::reset_parameters() {
  nn::detail::reset_norm_parameters(*this);
}

template <size_t D, class Derived>
void BatchNormImplBase<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::BatchNorm" << D << "d(" << options.num_features()
         << ", eps=" << options.eps() << ", momentum=";
  if (options.momentum())
    stream << *options.momentum();
  else
    stream << "None";
  stream << ", affine=" << options.affine()
         << ", track_running_stats=" << options.track_running_stats() << ")";
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
  TG_CHECK(input.size(1) == options.num_features(), "BatchNorm", D, "d: expected input with ",
           options.num_features(), " channels (dimension 1) but got ", input.size(1),
           "; input shape ", tg::detail::shape_str(input.sizes()));
  double average_factor = options.momentum().value_or(0.0);
  const bool track = this->is_training() && options.track_running_stats();
  // Without momentum the running statistics are the plain average of all batches seen, this one
  // included.
  if (track && !options.momentum())
    average_factor = 1.0 / static_cast<double>(num_batches_tracked.template item<int64_t>() + 1);
  Tensor out =
      functional::batch_norm(input, running_mean, running_var,
                             functional::BatchNormFuncOptions()
                                 .weight(weight)
                                 .bias(bias)
                                 .training(this->is_training() || !options.track_running_stats())
                                 .momentum(average_factor)
                                 .eps(options.eps()));
  // Counted only once batch_norm has accepted the input, so that a rejected input changes
  // nothing.
  if (track && !autograd::checkpoint_recomputing()) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
  }
  return out;
}

template class BatchNormImplBase<1, BatchNorm1dImpl>;
template class BatchNormImplBase<2, BatchNorm2dImpl>;
template class BatchNormImplBase<3, BatchNorm3dImpl>;

}  // namespace tg::nn
