#pragma once
/// Options of the activation modules and of their nn::functional forms, as libtorch's
/// torch/nn/options/activation.h (names, fields and defaults).
#include <cstdint>
#include <optional>
#include <string>

#include "tensorgrad/dtype.h"
#include "tensorgrad/nn/arg.h"

namespace tg::nn {

/// ReLU(inplace = false).
struct ReLUOptions {
  /* implicit */ ReLUOptions(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  /// Whether to apply the activation in place.
  TG_ARG(bool, inplace);
};

/// LeakyReLU: x if x > 0 else negative_slope * x.
struct LeakyReLUOptions {
  /// The slope for negative inputs.
  TG_ARG(double, negative_slope) = 1e-2;
  /// Whether to apply the activation in place.
  TG_ARG(bool, inplace) = false;
};

/// GELU: approximate is "none" (exact, with erf) or "tanh".
struct GELUOptions {
  TG_ARG(std::string, approximate) = "none";
};

/// Softmax over `dim`.
struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}  // NOLINT: implicit as in libtorch
  TG_ARG(int64_t, dim);
};

/// LogSoftmax over `dim`.
struct LogSoftmaxOptions {
  LogSoftmaxOptions(int64_t dim) : dim_(dim) {}  // NOLINT: implicit as in libtorch
  TG_ARG(int64_t, dim);
};

/// Softplus: log(1 + exp(beta x)) / beta, linear where beta x > threshold.
struct SoftplusOptions {
  TG_ARG(double, beta) = 1.0;
  TG_ARG(double, threshold) = 20.0;
};

namespace functional {

using ReLUFuncOptions = ReLUOptions;
using LeakyReLUFuncOptions = LeakyReLUOptions;
using GELUFuncOptions = GELUOptions;
using SoftplusFuncOptions = SoftplusOptions;

/// F::softmax(x, SoftmaxFuncOptions(dim).dtype(tg::kDouble)): dtype converts the input first.
struct SoftmaxFuncOptions {
  SoftmaxFuncOptions(int64_t dim) : dim_(dim) {}  // NOLINT: implicit as in libtorch
  TG_ARG(int64_t, dim);
  TG_ARG(std::optional<ScalarType>, dtype) = std::nullopt;
};

/// F::log_softmax(x, LogSoftmaxFuncOptions(dim).dtype(tg::kDouble)).
struct LogSoftmaxFuncOptions {
  LogSoftmaxFuncOptions(int64_t dim) : dim_(dim) {}  // NOLINT: implicit as in libtorch
  TG_ARG(int64_t, dim);
  TG_ARG(std::optional<ScalarType>, dtype) = std::nullopt;
};

}  // namespace functional
}  // namespace tg::nn
