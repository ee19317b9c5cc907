#pragma once
// Scalar functions the elementwise op table uses beyond <cmath>: special functions from
// Boost.Math, and the integer-aware forms of abs, sign, fmod and remainder. Each returns what
// libtorch returns at its poles and outside its domain (inf or NaN, never an exception).
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace tg::kernels::special {

// Errors become values: a pole gives inf or NaN as libtorch does, never an exception.
using QuietPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_float<false>, boost::math::policies::promote_double<false>>;

/// The inverse of erf on [-1, 1]: +-inf at +-1, NaN outside, and +-0 at +-0 (an odd function).
template <class T>
T erfinv(T x) {
  if (x == T(1)) return std::numeric_limits<T>::infinity();
  if (x == T(-1)) return -std::numeric_limits<T>::infinity();
  if (!(x > T(-1) && x < T(1))) return std::numeric_limits<T>::quiet_NaN();
  if (x == T(0)) return x;  // Boost returns +0 for -0
  return boost::math::erf_inv(x, QuietPolicy());
}

/// psi(x) = d/dx log gamma(x): -inf at 0 (as libtorch), NaN at the negative integers.
template <class T>
T digamma(T x) {
  if (x == T(0)) return std::copysign(std::numeric_limits<T>::infinity(), -x);
  if (x < T(0) && x == std::floor(x)) return std::numeric_limits<T>::quiet_NaN();
  return boost::math::digamma(x, QuietPolicy());
}

/// The n-th derivative of digamma (n >= 0). At the poles 0, -1, -2... (n >= 1), the limit from
/// the right, as libtorch: psi^(n)(x) ~ (-1)^(n+1) n! / x^(n+1), so inf for odd n and -inf for
/// even n.
template <class T>
T polygamma(int n, T x) {
  if (n == 0) return digamma(x);
  if (x <= T(0) && x == std::floor(x))
    return n % 2 ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity();
  return boost::math::polygamma(n, x, QuietPolicy());
}

/// |x|; integers wrap (abs of the most negative value is itself), as libtorch.
template <class T>
T abs(T x) {
  if constexpr (std::is_floating_point_v<T>)
    return std::abs(x);
  else if constexpr (std::is_same_v<T, bool>)
    return x;
  else
    return x < 0 ? static_cast<T>(0 - static_cast<std::make_unsigned_t<T>>(x)) : x;
}

/// -1, 0 or 1; sign(NaN) = 0 (NaN compares false both ways); Bool is its own sign.
template <class T>
T sign(T x) {
  if constexpr (std::is_same_v<T, bool>)
    return x;
  else
    return static_cast<T>((T(0) < x) - (x < T(0)));
}

/// a - trunc(a / b) b, with the sign of a (C's fmod and %). Integral b must not be 0.
template <class T>
T fmod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return std::fmod(a, b);
  else
    return b == T(-1) ? T(0) : a % b;  // the most negative a over -1 would overflow
}

/// a - floor(a / b) b, with the sign of b (Python's %). Integral b must not be 0.
template <class T>
T remainder(T a, T b) {
  T r = fmod(a, b);
  if (r != T(0) && ((r < T(0)) != (b < T(0)))) r += b;
  return r;
}

}  // namespace tg::kernels::special
