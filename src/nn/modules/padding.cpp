// The padding modules: thin wrappers over functional::pad.
#include "tensorgrad/nn/modules/padding.h"

#include <ostream>

#include "tensorgrad/nn/functional/padding.h"

namespace tg::nn {

namespace F = functional;

template <size_t D, class Derived>
void ReflectionPadImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::ReflectionPad" << D << "d(padding=" << options.padding() << ")";
}
template <size_t D, class Derived>
Tensor ReflectionPadImpl<D, Derived>::forward(const Tensor& input) {
  return F::detail::pad(input, IntArrayRef(options.padding()), kReflect, 0);
}

template <size_t D, class Derived>
void ReplicationPadImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::ReplicationPad" << D << "d(padding=" << options.padding() << ")";
}
template <size_t D, class Derived>
Tensor ReplicationPadImpl<D, Derived>::forward(const Tensor& input) {
  return F::detail::pad(input, IntArrayRef(options.padding()), kReplicate, 0);
}

template <size_t D, class Derived>
void ConstantPadImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::ConstantPad" << D << "d(padding=" << options.padding()
         << ", value=" << options.value() << ")";
}
template <size_t D, class Derived>
Tensor ConstantPadImpl<D, Derived>::forward(const Tensor& input) {
  return F::detail::pad(input, IntArrayRef(options.padding()), kConstant, options.value());
}

void ZeroPad2dImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::ZeroPad2d(padding=" << options.padding() << ")";
}
Tensor ZeroPad2dImpl::forward(const Tensor& input) {
  return F::detail::pad(input, IntArrayRef(options.padding()), kConstant, 0);
}

template class ReflectionPadImpl<1, ReflectionPad1dImpl>;
template class ReflectionPadImpl<2, ReflectionPad2dImpl>;
template class ReflectionPadImpl<3, ReflectionPad3dImpl>;
template class ReplicationPadImpl<1, ReplicationPad1dImpl>;
template class ReplicationPadImpl<2, ReplicationPad2dImpl>;
template class ReplicationPadImpl<3, ReplicationPad3dImpl>;
template class ConstantPadImpl<1, ConstantPad1dImpl>;
template class ConstantPadImpl<2, ConstantPad2dImpl>;
template class ConstantPadImpl<3, ConstantPad3dImpl>;

}  // namespace tg::nn
