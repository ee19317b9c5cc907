#pragma once
/// Options for dropout, as torch::nn::DropoutOptions and torch::nn::functional::DropoutFuncOptions.
#include "tensorgrad/nn/arg.h"

namespace tg::nn {

/// Options for the Dropout module.
struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit as in libtorch

  /// Probability that an element is zeroed.
  TG_ARG(double, p) = 0.5;
  /// Modify the input in place.
  TG_ARG(bool, inplace) = false;
};

namespace functional {

/// Options for functional::dropout.
struct DropoutFuncOptions {
  /// Probability that an element is zeroed.
  TG_ARG(double, p) = 0.5;
  /// Drop only in training; otherwise the input is returned as it is.
  TG_ARG(bool, training) = true;
  /// Modify the input in place.
  TG_ARG(bool, inplace) = false;
};

}  // namespace functional
}  // namespace tg::nn
