#pragma once
// The forward math of the elementwise op table (src/elementwise_ops.def): one loop per row, over
// contiguous runs through a vector function where the CPU has AVX-512 (SLEEF's, or intrinsics),
// and through the row's scalar expression everywhere else. The vector and scalar forms agree to a
// few ulp (tests/test_unary.cpp).
#include <cstdint>

#include "kernels/view.h"

namespace tg::kernels {

/// The table's dtypes column (see src/elementwise_ops.def).
enum class DtypeRule { FLOATING, FLOATING_ONLY, ROUNDING, SIGNED, SIGN, DIVISION };

/// One enumerator per unary row of the table, named as the op.
enum class UnaryFn : int {
#define TG_UNARY(name, ...) name,
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
  Count
};

/// One enumerator per binary row of the table.
enum class BinaryFn : int {
#define TG_BINARY(name, ...) name,
#include "tensorgrad/elementwise_ops.def"
#undef TG_BINARY
  Count
};

/// out = fn(in) elementwise, out and in of one shape and of type T: float or double for every row,
/// int64_t for the SIGNED and SIGN rows, bool for the SIGN rows. in may be out.
template <class T>
void unary(UnaryFn fn, const View& out, const View& in);

/// out = fn(a, b) with a and b broadcast to out's shape, all of type T: float or double, or
/// int64_t for the DIVISION rows (whose caller refuses a zero divisor).
template <class T>
void binary(BinaryFn fn, const View& out, const View& a, const View& b);

/// out = polygamma(n, in) (the n-th derivative of digamma), out and in of the floating type T.
template <class T>
void polygamma(int n, const View& out, const View& in);

/// out[0, n) = fn(in[0, n)) on the calling thread, with the loop unary<T> runs on contiguous
/// data, so the values are the same. T is float or double.
template <class T>
void unary_contiguous(UnaryFn fn, T* out, const T* in, int64_t n);

/// y[i] = fn(x[i]) over contiguous arrays (x == y allowed): the vector loop for this CPU, or null.
/// For kernels that apply a row's function inside a loop of their own (softmax, optimizers).
using LoopF = void (*)(const float* x, float* y, int64_t n);
using LoopD = void (*)(const double* x, double* y, int64_t n);
LoopF float_loop(UnaryFn fn);
LoopD double_loop(UnaryFn fn);

}  // namespace tg::kernels
