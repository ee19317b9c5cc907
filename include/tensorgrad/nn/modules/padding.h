#pragma once
/// Padding modules, as torch/nn/modules/padding.h: ReflectionPad, ReplicationPad and ConstantPad
/// in 1, 2 and 3 dims, and ZeroPad2d. All are F::pad with their options.
#include <type_traits>

#include "tensorgrad/nn/functional/padding.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/padding.h"

namespace tg::nn {

namespace detail {

/// What ReflectionPad, ReplicationPad and ConstantPad share: forward pads in `Mode` (kReflect,
/// kReplicate or kConstant), and they print as "torch::nn::ReflectionPad2d(padding=[1, 1, 2, 0])",
/// ConstantPad with ", value=..." before the ")".
template <size_t D, class Derived, class Options, class Mode>
class PadImpl : public OptionsOnlyImpl<Derived, Options> {
 public:
  using OptionsOnlyImpl<Derived, Options>::OptionsOnlyImpl;

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
  ReflectionPadImpl(ExpandingArray<D * 2> padding)  // NOLINT: implicit as in libtorch
      : ReflectionPadImpl(ReflectionPadOptions<D>(padding)) {}
};

/// Repeats the input's edge values.
template <size_t D, class Derived>
class ReplicationPadImpl
    : public detail::PadImpl<D, Derived, ReplicationPadOptions<D>, enumtype::kReplicate> {
 public:
  using detail::PadImpl<D, Derived, ReplicationPadOptions<D>, enumtype::kReplicate>::PadImpl;
  ReplicationPadImpl(ExpandingArray<D * 2> padding)  // NOLINT: implicit as in libtorch
      : ReplicationPadImpl(ReplicationPadOptions<D>(padding)) {}
};

/// Pads with a constant value.
template <size_t D, class Derived>
class ConstantPadImpl
    : public detail::PadImpl<D, Derived, ConstantPadOptions<D>, enumtype::kConstant> {
 public:
  using detail::PadImpl<D, Derived, ConstantPadOptions<D>, enumtype::kConstant>::PadImpl;
  ConstantPadImpl(ExpandingArray<D * 2> padding, double value)
      : ConstantPadImpl(ConstantPadOptions<D>(padding, value)) {}
};

class ReflectionPad1dImpl : public ReflectionPadImpl<1, ReflectionPad1dImpl> {
 public:
  using ReflectionPadImpl<1, ReflectionPad1dImpl>::ReflectionPadImpl;
};
TG_MODULE(ReflectionPad1d);

class ReflectionPad2dImpl : public ReflectionPadImpl<2, ReflectionPad2dImpl> {
 public:
  using ReflectionPadImpl<2, ReflectionPad2dImpl>::ReflectionPadImpl;
};
TG_MODULE(ReflectionPad2d);

class ReflectionPad3dImpl : public ReflectionPadImpl<3, ReflectionPad3dImpl> {
 public:
  using ReflectionPadImpl<3, ReflectionPad3dImpl>::ReflectionPadImpl;
};
TG_MODULE(ReflectionPad3d);

class ReplicationPad1dImpl : public ReplicationPadImpl<1, ReplicationPad1dImpl> {
 public:
  using ReplicationPadImpl<1, ReplicationPad1dImpl>::ReplicationPadImpl;
};
TG_MODULE(ReplicationPad1d);

class ReplicationPad2dImpl : public ReplicationPadImpl<2, ReplicationPad2dImpl> {
 public:
  using ReplicationPadImpl<2, ReplicationPad2dImpl>::ReplicationPadImpl;
};
TG_MODULE(ReplicationPad2d);

class ReplicationPad3dImpl : public ReplicationPadImpl<3, ReplicationPad3dImpl> {
 public:
  using ReplicationPadImpl<3, ReplicationPad3dImpl>::ReplicationPadImpl;
};
TG_MODULE(ReplicationPad3d);

class ConstantPad1dImpl : public ConstantPadImpl<1, ConstantPad1dImpl> {
 public:
  using ConstantPadImpl<1, ConstantPad1dImpl>::ConstantPadImpl;
};
TG_MODULE(ConstantPad1d);

class ConstantPad2dImpl : public ConstantPadImpl<2, ConstantPad2dImpl> {
 public:
  using ConstantPadImpl<2, ConstantPad2dImpl>::ConstantPadImpl;
};
TG_MODULE(ConstantPad2d);

class ConstantPad3dImpl : public ConstantPadImpl<3, ConstantPad3dImpl> {
 public:
  using ConstantPadImpl<3, ConstantPad3dImpl>::ConstantPadImpl;
};
TG_MODULE(ConstantPad3d);

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
