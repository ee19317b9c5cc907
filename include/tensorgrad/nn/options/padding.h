#pragma once
/// Options of the padding modules and of functional::pad, as libtorch's
/// torch/nn/options/padding.h.
#include <cstdint>
#include <variant>
#include <vector>

#include "tensorgrad/enum.h"
#include "tensorgrad/nn/arg.h"
#include "tensorgrad/nn/expanding_array.h"

namespace tg::nn {

namespace detail {
/// The options of ReflectionPad{1,2,3}d and ReplicationPad{1,2,3}d, which differ only in the
/// `Mode` they pad with (enumtype::kReflect or kReplicate; it keeps the two option types apart):
/// (left, right[, top, bottom[, front, back]]), or one value for all.
template <size_t D, class Mode>
struct ModePadOptions {
  ModePadOptions(ExpandingArray<D * 2> padding) : padding_(padding) {}  // NOLINT
  TG_ARG(ExpandingArray<D * 2>, padding);
};
}  // namespace detail

/// ReflectionPad{1,2,3}d.
template <size_t D>
using ReflectionPadOptions = detail::ModePadOptions<D, enumtype::kReflect>;
using ReflectionPad1dOptions = ReflectionPadOptions<1>;
using ReflectionPad2dOptions = ReflectionPadOptions<2>;
using ReflectionPad3dOptions = ReflectionPadOptions<3>;

/// ReplicationPad{1,2,3}d.
template <size_t D>
using ReplicationPadOptions = detail::ModePadOptions<D, enumtype::kReplicate>;
using ReplicationPad1dOptions = ReplicationPadOptions<1>;
using ReplicationPad2dOptions = ReplicationPadOptions<2>;
using ReplicationPad3dOptions = ReplicationPadOptions<3>;

/// ZeroPad2d: (left, right, top, bottom).
struct ZeroPad2dOptions {
  ZeroPad2dOptions(ExpandingArray<4> padding) : padding_(padding) {}  // NOLINT
  TG_ARG(ExpandingArray<4>, padding);
};

/// ConstantPad{1,2,3}d: the padding and the value to pad with.
template <size_t D>
struct ConstantPadOptions {
  ConstantPadOptions(ExpandingArray<D * 2> padding, double value)
      : padding_(padding), value_(value) {}
  TG_ARG(ExpandingArray<D * 2>, padding);
  TG_ARG(double, value);
};
using ConstantPad1dOptions = ConstantPadOptions<1>;
using ConstantPad2dOptions = ConstantPadOptions<2>;
using ConstantPad3dOptions = ConstantPadOptions<3>;

namespace functional {

/// F::pad(x, PadFuncOptions({1, 1, 2, 0}).mode(torch::kReflect).value(0)).
struct PadFuncOptions {
  typedef std::variant<enumtype::kConstant, enumtype::kReflect, enumtype::kReplicate,
                       enumtype::kCircular>
      mode_t;
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}  // NOLINT: implicit
  TG_ARG(std::vector<int64_t>, pad);
  TG_ARG(mode_t, mode) = kConstant;
  TG_ARG(double, value) = 0;
};

}  // namespace functional
}  // namespace tg::nn
