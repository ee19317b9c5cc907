#pragma once
/// Options of the linear and flatten modules, as libtorch's torch/nn/options/linear.h.
#include <cstdint>

#include "tensorgrad/nn/arg.h"

namespace tg::nn {

/// Linear(in_features, out_features).bias(true): y = x W^T + b.
struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  /// Size of each input sample.
  TG_ARG(int64_t, in_features);
  /// Size of each output sample.
  TG_ARG(int64_t, out_features);
  /// Whether the layer learns an additive bias.
  TG_ARG(bool, bias) = true;
};

/// Flatten().start_dim(1).end_dim(-1): flattens dims start_dim..end_dim into one.
struct FlattenOptions {
  TG_ARG(int64_t, start_dim) = 1;
  TG_ARG(int64_t, end_dim) = -1;
};

}  // namespace tg::nn
