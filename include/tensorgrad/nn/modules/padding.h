#pragma once
/// Padding modules, as torch/nn/modules/padding.h: ReflectionPad, ReplicationPad and ConstantPad
/// in 1, 2 and 3 dims, and ZeroPad2d. All are F::pad with their options.
#include <type_traits>

#include "tensorgrad/nn/functional/padding.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/padding.h"

namespace tg::nn {

namespace detail {

/// ReflectionPadImpl, ReplicationPadImpl and ConstantPadImpl: forward pads in `Mode` (kReflect,
/// kReplicate or kConstant), and they print as "torch::nn::ReflectionPad2d(padding=[1, 1, 2, 0])",
/// ConstantPad with ", value=..." before the ")".
template <size_t D, class Derived, class Options, class Mode>
class PadImpl : public OptionsOnlyImpl<Derived, Options> {
 public:
  using OptionsOnlyImpl<Derived, Options>::OptionsOnlyImpl;
  /// From the padding alone (ReflectionPad, ReplicationPad) or with the value (ConstantPad).
  PadImpl(ExpandingArray<D * 2> padding)  // NOLINT: implicit as in libtorch
      requires(!std::is_same_v<Mode, enumtype::kConstant>)
      : PadImpl(Options(padding)) {}
  PadImpl(ExpandingArray<D * 2> padding,
          double value) requires std::is_same_v<Mode, enumtype::kConstant>
      : PadImpl(Options(padding, value)) {}

  void pretty_print(std::ostream& stream) const override {
    stream << "torch::nn::" << kind() << "Pad" << D << "d(padding=" << this->options.padding();
    if constexpr (is_constant) stream << ", value=" << this->options.value();
    stream << ")";
  }
  Tensor forward(const Tensor& input) {
    double value = 0;
    if constexpr (is_constant) value = this->options.value();
    return functional::detail::pad(input, IntArrayRef(this->options.padding()), Mode(), value);
  }

 private:
  static constexpr bool is_constant = std::is_same_v<Mode, enumtype::kConstant>;
  static const char* kind() {
    if constexpr (std::is_same_v<Mode, enumtype::kReflect>)
      return "Reflection";
    else if constexpr (std::is_same_v<Mode, enumtype::kReplicate>)
      return "Replication";
    else
      return "Constant";
  }
};

}  // namespace detail

/// Mirrors the input at its borders (the edge itself not repeated).
template <size_t D, class Derived>
class ReflectionPadImpl
    : public detail::PadImpl<D, Derived, ReflectionPadOptions<D>, enumtype::kReflect> {
 public:
  using detail::PadImpl<D, Derived, ReflectionPadOptions<D>, enumtype::kReflect>::PadImpl;
};

/// Repeats the input's edge values.
template <size_t D, class Derived>
class ReplicationPadImpl
    : public detail::PadImpl<D, Derived, ReplicationPadOptions<D>, enumtype::kReplicate> {
 public:
  using detail::PadImpl<D, Derived, ReplicationPadOptions<D>, enumtype::kReplicate>::PadImpl;
};

/// Pads with a constant value.
template <size_t D, class Derived>
class ConstantPadImpl
    : public detail::PadImpl<D, Derived, ConstantPadOptions<D>, enumtype::kConstant> {
 public:
  using detail::PadImpl<D, Derived, ConstantPadOptions<D>, enumtype::kConstant>::PadImpl;
};

TG_MODULE_ND(ReflectionPad1d, ReflectionPadImpl, 1);
TG_MODULE_ND(ReflectionPad2d, ReflectionPadImpl, 2);
TG_MODULE_ND(ReflectionPad3d, ReflectionPadImpl, 3);
TG_MODULE_ND(ReplicationPad1d, ReplicationPadImpl, 1);
TG_MODULE_ND(ReplicationPad2d, ReplicationPadImpl, 2);
TG_MODULE_ND(ReplicationPad3d, ReplicationPadImpl, 3);
TG_MODULE_ND(ConstantPad1d, ConstantPadImpl, 1);
TG_MODULE_ND(ConstantPad2d, ConstantPadImpl, 2);
TG_MODULE_ND(ConstantPad3d, ConstantPadImpl, 3);

/// Pads with zeros: (left, right, top, bottom).
class ZeroPad2dImpl : public detail::OptionsOnlyImpl<ZeroPad2dImpl, ZeroPad2dOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  ZeroPad2dImpl(ExpandingArray<4> padding)  // NOLINT: implicit as in libtorch
      : ZeroPad2dImpl(ZeroPad2dOptions(padding)) {}
  void pretty_print(std::ostream& stream) const override {
    stream << "torch::nn::ZeroPad2d(padding=" << options.padding() << ")";
  }
  Tensor forward(const Tensor& input) {
    return functional::detail::pad(input, IntArrayRef(options.padding()), kConstant, 0);
  }
};
TG_MODULE(ZeroPad2d);

}  // namespace tg::nn
