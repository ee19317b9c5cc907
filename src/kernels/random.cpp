// Random and deterministic fills (see random.h).
#include "kernels/random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "kernels/loop.h"

namespace tg::kernels {
namespace {

inline double uniform_double(std::mt19937_64& g) {
  return static_cast<double>(g() >> 11) * 0x1.0p-53;
}
inline float uniform_float(std::mt19937_64& g) {
  return static_cast<float>(g() >> 40) * 0x1.0p-24f;
}

// Uniform on [0, range) without modulo bias (range > 0), by rejection of the short last bucket.
inline uint64_t uniform_below(std::mt19937_64& g, uint64_t range) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;  // a multiple of range
  uint64_t r;
  do {
    r = g();
  } while (r >= limit);
  return r % range;
}

}  // namespace

void uniform_fill(const View& out, std::mt19937_64& engine) {
  const int64_t n = out.numel();
  dispatch_floating(out.dtype(), "rand", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data_ptr<T>();
    if constexpr (std::is_same_v<T, double>) {
      for (int64_t i = 0; i < n; ++i) p[i] = uniform_double(engine);
    } else if constexpr (std::is_same_v<T, float>) {
      for (int64_t i = 0; i < n; ++i) p[i] = uniform_float(engine);
    } else {
      // As many random bits as the type's significand holds, so that every value is exact and
      // rounding never gives 1.
      constexpr int kBits = std::numeric_limits<T>::digits;
      constexpr float kScale = 1.0f / static_cast<float>(1 << kBits);
      for (int64_t i = 0; i < n; ++i)
        p[i] = T(static_cast<float>(engine() >> (64 - kBits)) * kScale);
    }
  });
}

void normal_fill(const View& out, std::mt19937_64& engine) {
  const int64_t n = out.numel();
  dispatch_floating(out.dtype(), "randn", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data_ptr<T>();
    // u1 is taken in (0, 1] so that the logarithm is finite.
    for (int64_t i = 0; i < n; i += 2) {
      const double u1 = 1.0 - uniform_double(engine);
      const double u2 = uniform_double(engine);
      const double r = std::sqrt(-2.0 * std::log(u1));
      const double theta = 2.0 * M_PI * u2;
      p[i] = convert<T>(r * std::cos(theta));
      if (i + 1 < n) p[i + 1] = convert<T>(r * std::sin(theta));
    }
  });
}

void randint_fill(const View& out, std::mt19937_64& engine, int64_t low, uint64_t range) {
  const int64_t n = out.numel();
  dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v =
          static_cast<int64_t>(static_cast<uint64_t>(low) + uniform_below(engine, range));
      p[i] = convert<T>(v);
    }
  });
}

void randperm_fill(const View& out, std::mt19937_64& engine) {
  const int64_t n = out.numel();
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  // Each of the n! orders is equally likely.
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform_below(engine, static_cast<uint64_t>(i) + 1));
    std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
  }
  dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = convert<T>(perm[static_cast<size_t>(i)]);
  });
}

void arange_fill(const View& out, double start, double step, int64_t istart, int64_t istep,
                 bool integral) {
  const int64_t n = out.numel();
  dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data_ptr<T>();
    if constexpr (std::is_integral_v<T>) {
      if (integral) {
        for (int64_t i = 0; i < n; ++i) p[i] = convert<T>(istart + i * istep);
        return;
      }
    }
    for (int64_t i = 0; i < n; ++i) p[i] = convert<T>(start + static_cast<double>(i) * step);
  });
}

void linspace_fill(const View& out, double start, double end) {
  const int64_t steps = out.numel();
  dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data_ptr<T>();
    if (steps == 1) {
      p[0] = convert<T>(start);
      return;
    }
    const double step = (end - start) / static_cast<double>(steps - 1);
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i)
      p[i] = convert<T>(i < half ? start + step * static_cast<double>(i)
                                 : end - step * static_cast<double>(steps - 1 - i));
  });
}

void eye_fill(const View& out) {
  const int64_t n = out.size(0), m = out.size(1);
  dispatch(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data_ptr<T>();
    std::fill(p, p + n * m, T(0));
    for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = T(1);
  });
}

}  // namespace tg::kernels
