#pragma once
// Vectorised loops for the floating-point elementwise functions, chosen at run time for the CPU
// (AVX-512 where present; SLEEF supplies the transcendental functions when the library was built
// with TG_HAVE_SLEEF). A null loop means "none for this CPU": the caller loops with the scalar
// std:: functions, which agree with the SIMD loops to a few ulp.
#include <cstdint>

namespace tg::simd {

enum class MathFn : int {
  Exp,
  Log,
  Log1p,
  Expm1,
  Sqrt,
  Rsqrt,
  Sin,
  Cos,
  Tan,
  Tanh,
  Sigmoid,
  Reciprocal,
  Erf,
  Floor,
  Ceil,
  Round,
  Count
};

/// y[i] = fn(x[i]) for i < n over contiguous arrays (x == y is allowed).
using LoopF = void (*)(const float* x, float* y, int64_t n);
using LoopD = void (*)(const double* x, double* y, int64_t n);

/// The vectorised loop for fn on this CPU, or null.
LoopF float_loop(MathFn fn);
LoopD double_loop(MathFn fn);

}  // namespace tg::simd
