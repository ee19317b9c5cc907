#pragma once
/// Source compatibility with libtorch: `#include <tensorgrad/torch.h>` in place of
/// `#include <torch/torch.h>` makes `torch::` (and `at::`) name tensorgrad.
#include "tensorgrad/tensorgrad.h"

namespace torch = tg;
namespace at = tg;
#define TORCH_MODULE(Name) TG_MODULE(Name)
#define TORCH_ARG(T, name) TG_ARG(T, name)
