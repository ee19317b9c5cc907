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
namespace functional {
using ReLUFuncOptions = ReLUOptions;
}  // namespace functional

/// LeakyReLU: x if x > 0 else negative_slope * x.
struct LeakyReLUOptions {
  /// The slope for negative inputs.
  TG_ARG(double, negative_slope) = 1e-2;
  /// Whether to apply the activation in place.
  TG_ARG(bool, inplace) = false;
};
namespace functional {
using LeakyReLUFuncOptions = LeakyReLUOptions;
}  // namespace functional

/// GELU: approximate is "none" (exact, with erf) or "tanh".
struct GELUOptions {
  TG_ARG(std::string, approximate) = "none";
};
namespace functional {
using GELUFuncOptions = GELUOptions;
}  // namespace functional

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
using SoftplusFuncOptions = SoftplusOptions;
}  // namespace functional

namespace detail {
/// The options of F::softmax, F::log_softmax and F::softmin: the dim, and a dtype that the input
/// is converted to first. Setters return the `Options` deriving from it.
template <class Options>
struct SoftmaxFamilyFuncOptions {
  SoftmaxFamilyFuncOptions(int64_t dim) : dim_(dim) {}  // NOLINT: implicit as in libtorch
  TG_SHARED_ARG(Options, int64_t, dim);
  TG_SHARED_ARG(Options, std::optional<ScalarType>, dtype) = std::nullopt;
};
}  // namespace detail

namespace functional {

/// F::softmax(x, SoftmaxFuncOptions(dim).dtype(tg::kDouble)).
struct SoftmaxFuncOptions : nn::detail::SoftmaxFamilyFuncOptions<SoftmaxFuncOptions> {
  using SoftmaxFamilyFuncOptions::SoftmaxFamilyFuncOptions;
};

/// F::log_softmax(x, LogSoftmaxFuncOptions(dim).dtype(tg::kDouble)).
struct LogSoftmaxFuncOptions : nn::detail::SoftmaxFamilyFuncOptions<LogSoftmaxFuncOptions> {
  using SoftmaxFamilyFuncOptions::SoftmaxFamilyFuncOptions;
};

}  // namespace functional

/// ELU: alpha (exp(x) - 1) for x <= 0.
struct ELUOptions {
  TG_ARG(double, alpha) = 1.0;
  TG_ARG(bool, inplace) = false;
};
namespace functional {
using ELUFuncOptions = ELUOptions;
}  // namespace functional

/// SELU(inplace = false).
struct SELUOptions {
  /* implicit */ SELUOptions(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  TG_ARG(bool, inplace);
};
namespace functional {
using SELUFuncOptions = SELUOptions;
}  // namespace functional

/// GLU over `dim` (default -1).
struct GLUOptions {
  /* implicit */ GLUOptions(int64_t dim = -1) : dim_(dim) {}  // NOLINT
  TG_ARG(int64_t, dim);
};
namespace functional {
using GLUFuncOptions = GLUOptions;
}  // namespace functional

/// Hardshrink(lambda = 0.5).
struct HardshrinkOptions {
  /* implicit */ HardshrinkOptions(double lambda = 0.5) : lambda_(lambda) {}  // NOLINT
  TG_ARG(double, lambda);
};
namespace functional {
using HardshrinkFuncOptions = HardshrinkOptions;
}  // namespace functional

/// Hardtanh: x clamped to [min_val, max_val].
struct HardtanhOptions {
  TG_ARG(double, min_val) = -1.0;
  TG_ARG(double, max_val) = 1.0;
  TG_ARG(bool, inplace) = false;
};
namespace functional {
using HardtanhFuncOptions = HardtanhOptions;
}  // namespace functional

/// Softmin over `dim`.
struct SoftminOptions {
  SoftminOptions(int64_t dim) : dim_(dim) {}  // NOLINT: implicit as in libtorch
  TG_ARG(int64_t, dim);
};

/// PReLU: num_parameters slopes (1, or one per channel), each initialised to `init`.
struct PReLUOptions {
  TG_ARG(int64_t, num_parameters) = 1;
  TG_ARG(double, init) = 0.25;
};

/// ReLU6(inplace = false).
struct ReLU6Options {
  /* implicit */ ReLU6Options(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  TG_ARG(bool, inplace);
};
namespace functional {
using ReLU6FuncOptions = ReLU6Options;
}  // namespace functional

/// RReLU: negative slopes drawn from U(lower, upper) in training.
struct RReLUOptions {
  TG_ARG(double, lower) = 1.0 / 8.0;
  TG_ARG(double, upper) = 1.0 / 3.0;
  TG_ARG(bool, inplace) = false;
};

/// CELU: max(0, x) + min(0, alpha (exp(x / alpha) - 1)).
struct CELUOptions {
  TG_ARG(double, alpha) = 1.0;
  TG_ARG(bool, inplace) = false;
};
namespace functional {
using CELUFuncOptions = CELUOptions;
}  // namespace functional

/// Softshrink(lambda = 0.5).
struct SoftshrinkOptions {
  /* implicit */ SoftshrinkOptions(double lambda = 0.5) : lambda_(lambda) {}  // NOLINT
  TG_ARG(double, lambda);
};
namespace functional {
using SoftshrinkFuncOptions = SoftshrinkOptions;
}  // namespace functional

/// Threshold(threshold, value): x where x > threshold, else value.
struct ThresholdOptions {
  ThresholdOptions(double threshold, double value) : threshold_(threshold), value_(value) {}
  TG_ARG(double, threshold);
  TG_ARG(double, value);
  TG_ARG(bool, inplace) = false;
};
namespace functional {
using ThresholdFuncOptions = ThresholdOptions;
}  // namespace functional

namespace functional {

/// F::softmin(x, SoftminFuncOptions(dim).dtype(tg::kDouble)).
struct SoftminFuncOptions : nn::detail::SoftmaxFamilyFuncOptions<SoftminFuncOptions> {
  using SoftmaxFamilyFuncOptions::SoftmaxFamilyFuncOptions;
};

/// F::rrelu: training draws the slopes; otherwise their mean is used.
struct RReLUFuncOptions {
  TG_ARG(double, lower) = 1.0 / 8.0;
  TG_ARG(double, upper) = 1.0 / 3.0;
  TG_ARG(bool, training) = false;
  TG_ARG(bool, inplace) = false;
};

/// F::gumbel_softmax: temperature tau, hard (one-hot, straight-through) or soft, over dim.
struct GumbelSoftmaxFuncOptions {
  TG_ARG(double, tau) = 1.0;
  TG_ARG(bool, hard) = false;
  TG_ARG(int, dim) = -1;
};

}  // namespace functional
}  // namespace tg::nn
