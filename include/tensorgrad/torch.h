#pragma once
/// Source compatibility with libtorch: `#include <tensorgrad/torch.h>` in place of
/// `#include <torch/torch.h>` makes `torch::` (and `at::`) name tensorgrad.
#include "tensorgrad/tensorgrad.h"

namespace tg {
// libtorch spells these torch::optional and torch::nullopt (c10's, which are std's since C++17).
using std::nullopt;
using std::optional;
}  // namespace tg

namespace torch = tg;
namespace at = tg;
namespace c10 = tg;
#define TORCH_MODULE(Name) TG_MODULE(Name)
#define TORCH_ARG(T, name) TG_ARG(T, name)
