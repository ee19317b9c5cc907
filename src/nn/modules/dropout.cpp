// Dropout.
#include "tensorgrad/nn/modules/dropout.h"

#include <ostream>

#include "core/internal.h"
#include "tensorgrad/nn/functional/dropout.h"

namespace tg::nn {

namespace {

// The module's name in messages.
template <class Derived>
const char* short_name();
template <>
const char* short_name<DropoutImpl>() {
  return "Dropout";
}
template <>
const char* short_name<Dropout2dImpl>() {
  return "Dropout2d";
}

}  // namespace

namespace detail {

template <class Derived>
void DropoutImplBase<Derived>::reset() {
  TG_CHECK(options.p() >= 0. && options.p() <= 1., short_name<Derived>(),
           ": dropout probability has to be between 0 and 1, but got ", options.p());
}

template <class Derived>
void DropoutImplBase<Derived>::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::" << short_name<Derived>() << "(p=" << options.p()
         << ", inplace=" << options.inplace() << ")";
}

template class DropoutImplBase<DropoutImpl>;
template class DropoutImplBase<Dropout2dImpl>;

}  // namespace detail

Tensor DropoutImpl::forward(Tensor input) {
  return functional::dropout(std::move(input), functional::DropoutFuncOptions()
                                                   .p(options.p())
                                                   .inplace(options.inplace())
                                                   .training(is_training()));
}

Tensor Dropout2dImpl::forward(Tensor input) {
  TG_CHECK(input.defined(), "Dropout2d: the input is undefined");
  TG_CHECK(input.dim() == 3 || input.dim() == 4,
           "Dropout2d: expected a 4-D input [N, C, H, W] (or 3-D [C, H, W]) but got shape ",
           tg::detail::shape_str(input.sizes()));
  TG_CHECK(input.is_floating_point(), "Dropout2d: expected a floating-point input but got ",
           input.dtype());
  if (!is_training() || options.p() == 0.0) return input;
  // One keep-or-drop draw per channel, broadcast over H and W.
  std::vector<int64_t> mask_shape = input.sizes().vec();
  mask_shape[mask_shape.size() - 1] = 1;
  mask_shape[mask_shape.size() - 2] = 1;
  Tensor mask;
  if (options.p() == 1.0) {
    mask = tg::zeros(mask_shape, input.dtype());
  } else {
    mask = tg::rand(mask_shape, input.dtype())
               .ge(options.p())
               .to(input.dtype())
               .div_(1.0 - options.p());
  }
  if (options.inplace()) return input.mul_(mask);
  return input * mask;
}

}  // namespace tg::nn
