// Random factories (rand, randn, randint, randperm) over one global generator, and the
// deterministic ranges (arange, linspace, eye), with libtorch's dtype rules. The fills are in
// kernels/random.h.
#include "kernels/random.h"

#include <cmath>
#include <cstdint>
#include <mutex>
#include <random>
#include <sstream>

#include "core/internal.h"
#include "core/operand_rules.h"
#include "tensorgrad/autograd.h"

namespace tg {
namespace {

// Note [Global generator]
// One mt19937_64 behind a mutex: results depend only on the seed and the order of the calls,
// never on the thread count. Each factory holds the lock while it fills its whole tensor, so
// concurrent calls never interleave their draws. libtorch's default seed is used until
// manual_seed is called.
struct Generator {
  std::mutex mutex;
  std::mt19937_64 engine{67280421310721ULL};
};

Generator& generator() {
  static Generator g;
  return g;
}

void check_sizes(IntArrayRef size, const char* op) {
  for (int64_t s : size)
    TG_CHECK(s >= 0, op, ": negative dimension ", s, " in size ", detail::shape_str(size),
             "; sizes must be non-negative");
}

Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

ScalarType floating_dtype(const TensorOptions& options, const char* op, const char* instead) {
  const ScalarType dtype = detail::factory_dtype(op, options);
  TG_CHECK(is_floating_point(dtype), op, ": \"", op, "\" not implemented for '", dtype,
           "': expected a floating-point dtype (Float, Double, Half or BFloat16); ", instead);
  return dtype;
}

/// The largest integer n such that every integer in [0, n] is exact in the floating dtype t.
int64_t exact_integers(ScalarType t) {
  switch (t) {
    case kHalf:
      return int64_t{1} << 11;
    case kBFloat16:
      return int64_t{1} << 8;
    case kFloat:
      return int64_t{1} << 24;
    default:
      return int64_t{1} << 53;
  }
}

TensorOptions like(const Tensor& t, const TensorOptions& options) {
  TG_CHECK(t.defined(), "rand_like/randn_like: the tensor argument is undefined");
  return options.has_dtype() ? options : options.dtype(t.dtype());
}

}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.engine.seed(seed);
}

namespace detail {
std::string rng_state() {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  std::ostringstream out;
  out << g.engine;
  return out.str();
}

void set_rng_state(const std::string& state) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  std::istringstream in(state);
  in >> g.engine;
}
}  // namespace detail

Tensor rand(IntArrayRef size, const TensorOptions& options) {
  check_sizes(size, "rand");
  const ScalarType dtype = floating_dtype(options, "rand", "use tg::randint for random integers");
  Tensor t = detail::make_empty(size, dtype);
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  kernels::uniform_fill(t, g.engine);
  return finish(std::move(t), options);
}

Tensor randn(IntArrayRef size, const TensorOptions& options) {
  check_sizes(size, "randn");
  const ScalarType dtype =
      floating_dtype(options, "randn", "draw in tg::kFloat and convert with .to(dtype)");
  Tensor t = detail::make_empty(size, dtype);
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  kernels::normal_fill(t, g.engine);
  return finish(std::move(t), options);
}

Tensor rand_like(const Tensor& t, const TensorOptions& options) {
  return rand(t.sizes(), like(t, options));
}

Tensor randn_like(const Tensor& t, const TensorOptions& options) {
  return randn(t.sizes(), like(t, options));
}

Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options) {
  check_sizes(size, "randint");
  TG_CHECK(low < high, "randint: expected low < high but got low=", low, " and high=", high,
           "; the values are drawn from [low, high)");
  const ScalarType given = detail::factory_dtype("randint", options);
  const ScalarType dtype = options.has_dtype() ? given : kLong;
  // As libtorch: low and high - 1 must be values of the dtype.
  TG_CHECK(!overflows(low, dtype) && !overflows(high - 1, dtype) && (dtype != kByte || low >= 0) &&
               (dtype != kBool || (low >= 0 && high <= 2)),
           "randint: the range [", low, ", ", high, ") does not fit dtype ", dtype,
           " (from and to - 1 must be in bounds for the dtype); use a range the dtype holds or "
           "another dtype");
  Tensor t = detail::make_empty(size, dtype);
  // high - low can exceed INT64_MAX; unsigned arithmetic wraps to the right count.
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  kernels::randint_fill(t, g.engine, low, range);
  return finish(std::move(t), options);
}

Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options) {
  return randint(0, high, size, options);
}

Tensor randperm(int64_t n, const TensorOptions& options) {
  TG_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  const ScalarType given = detail::factory_dtype("randperm", options);
  const ScalarType dtype = options.has_dtype() ? given : kLong;
  TG_CHECK(dtype != kBool, "randperm: \"randperm\" not implemented for 'Bool'; use tg::kLong");
  TG_CHECK(!is_integral(dtype, false) || n == 0 || !overflows(n - 1, dtype), "randperm: n=", n,
           " is too large for dtype ", dtype, " (value ", n - 1, " cannot be converted to type ",
           dtype, " without overflow); use tg::kLong");
  TG_CHECK(!is_floating_point(dtype) || n <= exact_integers(dtype) + 1, "randperm: n=", n,
           " is larger than ", dtype, " represents exactly (n cannot be greater than ",
           exact_integers(dtype) + 1, " for ", dtype, "); use tg::kLong or tg::kDouble");
  Tensor t = detail::make_empty({n}, dtype);
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  kernels::randperm_fill(t, g.engine);
  return finish(std::move(t), options);
}

Tensor arange(const Scalar& end, const TensorOptions& options) {
  return arange(0, end, 1, options);
}

Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options) {
  return arange(start, end, 1, options);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              const TensorOptions& options) {
  // As libtorch: integer arguments give Long, any floating argument the default dtype.
  const bool floating = start.isFloatingPoint() || end.isFloatingPoint() || step.isFloatingPoint();
  const ScalarType given = detail::factory_dtype("arange", options);
  const ScalarType dtype = options.has_dtype() ? given
                           : floating          ? detail::default_floating_dtype()
                                               : kLong;
  const double s = start.toDouble(), e = end.toDouble(), d = step.toDouble();
  TG_CHECK(std::isfinite(s) && std::isfinite(e), "arange: start and end must be finite, got ",
           start, " and ", end);
  TG_CHECK(d != 0, "arange: step must be nonzero");
  TG_CHECK((d > 0 && e >= s) || (d < 0 && e <= s), "arange: the bounds [", start, ", ", end,
           ") are inconsistent with the sign of step ", step,
           "; use a positive step when start <= end and a negative one otherwise");
  int64_t n;
  if (!floating) {
    // Exact integer count: ceil((end - start) / step).
    const int64_t a = start.toLong(), b = end.toLong(), k = step.toLong();
    n = (b - a) / k + ((b - a) % k != 0 ? 1 : 0);
  } else {
    n = static_cast<int64_t>(std::ceil((e - s) / d));
  }
  TG_CHECK(dtype != kBool || n <= 2, "arange: dtype Bool cannot hold ", n,
           " distinct values; use tg::kLong or a floating dtype");
  Tensor t = detail::make_empty({n}, dtype);
  kernels::arange_fill(t, s, d, floating ? 0 : start.toLong(), floating ? 0 : step.toLong(),
                       !floating);
  return finish(std::move(t), options);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps,
                const TensorOptions& options) {
  TG_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  // The default dtype, whatever the arguments.
  const ScalarType dtype = detail::factory_dtype("linspace", options);
  const double s = start.toDouble(), e = end.toDouble();
  Tensor t = detail::make_empty({steps}, dtype);
  kernels::linspace_fill(t, s, e);
  return finish(std::move(t), options);
}

Tensor eye(int64_t n, const TensorOptions& options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, const TensorOptions& options) {
  TG_CHECK(n >= 0, "eye: n must be greater or equal to 0, got ", n);
  TG_CHECK(m >= 0, "eye: m must be greater or equal to 0, got ", m);
  Tensor t = detail::make_empty({n, m}, detail::factory_dtype("eye", options));
  kernels::eye_fill(t);
  return finish(std::move(t), options);
}

}  // namespace tg
