#pragma once
/// Errors: every misuse throws tg::Error with a message that names the operation, the shapes or
/// dtypes involved and what to do instead.
#include <sstream>
#include <stdexcept>
#include <string>

namespace tg {

/// The one exception type tensorgrad throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
template <class... Args>
[[noreturn]] void fail(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  throw Error(out.str());
}
}  // namespace detail
}  // namespace tg

/// TG_CHECK(cond, parts...): throws tg::Error built from `parts` when `cond` is false. The message
/// parts are only evaluated on failure.
#define TG_CHECK(cond, ...)            \
  do {                                 \
    if (!(cond)) [[unlikely]]          \
      ::tg::detail::fail(__VA_ARGS__); \
  } while (false)
