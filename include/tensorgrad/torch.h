#pragma once
/// Source compatibility with libtorch: `#include <tensorgrad/torch.h>` in place of
/// `#include <torch/torch.h>` makes `torch::`, `at::` and `c10::` name tensorgrad, and brings
/// libtorch's check and warning macros and the standard headers <torch/torch.h> brings.
/// `torch`, `at` and `c10` are namespaces of their own that see all of `tg`, so a program may
/// add its own names to them (`namespace torch { namespace test { ... } }`). `torch::nn` is such
/// a namespace too, that sees all of `tg::nn`, so a program may add its own modules and helpers
/// to it; tensorgrad's other sub-namespaces (torch::optim...) are tg's, and cannot be reopened
/// under torch::.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

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
// torch::make_unique (torch/csrc/utils/memory.h), std's since C++14.
using std::make_unique;
}  // namespace tg

namespace torch {
using namespace ::tg;
namespace nn {
using namespace ::tg::nn;
}  // namespace nn
}  // namespace torch
namespace at {
using namespace ::tg;
}
namespace c10 {
using namespace ::tg;
}

namespace tg {
namespace detail {
/// What TORCH_CHECK says when it is given no message.
inline std::string check_message(const char* condition) {
  return str("Expected ", condition, " to be true, but got false.");
}
template <class... Args>
std::string check_message(const char*, const Args&... args) {
  return str(args...);
}
}  // namespace detail
}  // namespace tg

/// libtorch's checks: throw c10::Error (tg::Error), or one of its kinds, with the message parts
/// written one after another (or the condition when there are none).
#define TORCH_CHECK(cond, ...)                                              \
  do {                                                                      \
    if (!(cond)) [[unlikely]]                                               \
      throw ::tg::Error(::tg::detail::check_message(#cond, ##__VA_ARGS__)); \
  } while (false)
#define TG_TORCH_CHECK_OF(Kind, cond, ...)                                 \
  do {                                                                     \
    if (!(cond)) [[unlikely]]                                              \
      throw ::tg::Kind(::tg::detail::check_message(#cond, ##__VA_ARGS__)); \
  } while (false)
#define TORCH_CHECK_INDEX(cond, ...) TG_TORCH_CHECK_OF(IndexError, cond, ##__VA_ARGS__)
#define TORCH_CHECK_VALUE(cond, ...) TG_TORCH_CHECK_OF(ValueError, cond, ##__VA_ARGS__)
#define TORCH_CHECK_TYPE(cond, ...) TG_TORCH_CHECK_OF(TypeError, cond, ##__VA_ARGS__)
#define TORCH_CHECK_NOT_IMPLEMENTED(cond, ...) \
  TG_TORCH_CHECK_OF(NotImplementedError, cond, ##__VA_ARGS__)
#define TORCH_CHECK_ARG(cond, argN, ...) \
  TORCH_CHECK(cond, "Expected argument #", argN, " to be true: ", ##__VA_ARGS__)
/// An internal invariant: the message says where it failed.
#define TORCH_INTERNAL_ASSERT(cond, ...)                                             \
  TORCH_CHECK(cond, "INTERNAL ASSERT FAILED at \"", __FILE__, "\":", __LINE__, ", ", \
              "please report a bug to tensorgrad. ", #cond, " ", ##__VA_ARGS__)
#define TORCH_INTERNAL_ASSERT_DEBUG_ONLY(cond, ...) TORCH_INTERNAL_ASSERT(cond, ##__VA_ARGS__)
#define AT_ASSERT(cond, ...) TORCH_INTERNAL_ASSERT(cond, ##__VA_ARGS__)
#define AT_ASSERTM(cond, ...) TORCH_INTERNAL_ASSERT(cond, ##__VA_ARGS__)
#define AT_ERROR(...) throw ::tg::Error(::tg::str(__VA_ARGS__))
#define TORCH_WARN(...) ::tg::detail::warn(::tg::str(__VA_ARGS__), __FILE__, __LINE__)
/// Warns the first time this line runs only.
#define TORCH_WARN_ONCE(...)                                                         \
  do {                                                                               \
    [[maybe_unused]] static const bool tg_warned_ = (TORCH_WARN(__VA_ARGS__), true); \
  } while (false)
#define TORCH_MODULE(Name) TG_MODULE(Name)
#define TORCH_ARG(T, name) TG_ARG(T, name)
