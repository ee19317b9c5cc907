#pragma once
/// Padding at the tensor level, as libtorch's torch::constant_pad_nd and torch::pad. `pad` lists
/// (before, after) pairs starting from the last dim: {l, r} pads the last dim, {l, r, t, b} the
/// last two, and so on. Made of differentiable ops (narrow, cat, index_select).
#include <cstdint>
#include <optional>
#include <string_view>

#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg {

/// Pads with `value`; a negative amount removes elements from that side.
Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value = 0);

/// mode "constant" (with value, default 0), "reflect" (mirrored without repeating the edge;
/// each amount less than the dim's size), "replicate" (the edge repeated) or "circular" (wrapped
/// around; each amount at most the dim's size).
Tensor pad(const Tensor& self, IntArrayRef pad, std::string_view mode = "constant",
           std::optional<double> value = std::nullopt);

}  // namespace tg
