#pragma once
/// torch::nn::functional::pad.
#include <string>
#include <variant>
#include <vector>

#include "tensorgrad/nn/ops_pad.h"
#include "tensorgrad/nn/options/padding.h"

namespace tg::nn::functional {

namespace detail {
inline Tensor pad(const Tensor& input, IntArrayRef pad, PadFuncOptions::mode_t mode, double value) {
  if (std::holds_alternative<enumtype::kConstant>(mode))
    return ::tg::constant_pad_nd(input, pad, value);
  const char* name = std::holds_alternative<enumtype::kReflect>(mode)     ? "reflect"
                     : std::holds_alternative<enumtype::kReplicate>(mode) ? "replicate"
                                                                          : "circular";
  return ::tg::pad(input, pad, name, value == 0 ? std::nullopt : std::optional<double>(value));
}
}  // namespace detail

/// Pads input by options.pad() (pairs from the last dim) in options.mode().
inline Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  return detail::pad(input, options.pad(), options.mode(), options.value());
}

}  // namespace tg::nn::functional
