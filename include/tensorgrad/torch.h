#pragma once
/// Source compatibility with libtorch: `#include <tensorgrad/torch.h>` in place of
/// `#include <torch/torch.h>` makes `torch::` (and `at::`) name tensorgrad.
#include <optional>
#include <variant>

#include "tensorgrad/tensorgrad.h"

namespace tg {
// libtorch spells these c10::optional, c10::variant... (std's since C++17).
using std::get;
using std::get_if;
using std::holds_alternative;
using std::make_optional;
using std::nullopt;
using std::optional;
using std::variant;
using std::visit;
}  // namespace tg

namespace torch = tg;
namespace at = tg;
namespace c10 = tg;
#define TORCH_MODULE(Name) TG_MODULE(Name)
#define TORCH_ARG(T, name) TG_ARG(T, name)
