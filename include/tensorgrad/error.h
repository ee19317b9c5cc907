#pragma once
/// Errors: every misuse throws tg::Error with a message that names the operation, the shapes or
/// dtypes involved and what to do instead.
#include <sstream>
#include <stdexcept>
#include <string>

namespace tg {

/// The exception tensorgrad throws (c10::Error under <tensorgrad/torch.h>). A few errors are of
/// one of the kinds below, as libtorch's are; each is a tg::Error.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};
/// An index out of range (Python's IndexError).
struct IndexError : Error {
  using Error::Error;
};
/// A value outside what an argument accepts (ValueError).
struct ValueError : Error {
  using Error::Error;
};
/// An argument of the wrong type (TypeError).
struct TypeError : Error {
  using Error::Error;
};
/// Something libtorch defines that tensorgrad does not do (NotImplementedError).
struct NotImplementedError : Error {
  using Error::Error;
};

/// The arguments written one after another to a string, as c10::str.
template <class... Args>
std::string str(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

namespace detail {
/// Writes "Warning: message" to standard error (with "[W file:line] " before it when a file is
/// given), as libtorch's default warning handler does.
void warn(const std::string& message, const char* file = nullptr, int line = 0);

template <class... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(str(args...));
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
