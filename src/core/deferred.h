#pragma once
// Deferred elementwise ops: see Note [Deferred elementwise chains] in deferred.cpp.
#include <functional>
#include <initializer_list>
#include <type_traits>

#include "core/internal.h"
#include "kernels/loop.h"
#include "tensorgrad/tensor.h"

namespace tg::detail {

/// out[0, n) = f(in[0][0, n), in[1][0, n)...) over contiguous arrays of one dtype, on the calling
/// thread.
using ChunkFn = std::function<void(char* out, const char* const* in, int64_t n)>;

/// True when an op of dtype t over these inputs (already of dtype t) may defer: fusion is on,
/// t is Float or Double, and every input is contiguous, large and has the output's shape.
bool can_defer(ScalarType t, std::initializer_list<const Tensor*> inputs);

/// A tensor of the inputs' shape and dtype t whose values fn computes when first needed.
/// The caller checked can_defer.
Tensor defer(ScalarType t, std::initializer_list<const Tensor*> inputs, ChunkFn fn);

/// Frees the deferred op of a storage that dies unsettled (from Storage::destroy).
void forget_deferred(Storage& s);

/// out = f(a) elementwise, a already of the result dtype T: deferred when it can be, otherwise
/// computed now by kernels::unary_loop. Both run the same loop, so the values are the same.
template <class T, class F>
Tensor map(const Tensor& a, F f) {
  constexpr ScalarType t = CppTypeToScalarType<T>::value;
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    if (can_defer(t, {&a}))
      return defer(t, {&a}, [f](char* o, const char* const* in, int64_t n) mutable {
        kernels::flat_unary_vectorised<T, T, F&>(reinterpret_cast<T*>(o),
                                                 reinterpret_cast<const T*>(in[0]), n, f);
      });
  }
  Tensor out = make_empty(a.sizes(), t);
  kernels::unary_loop<T, T>(out, a, f);
  return out;
}

/// out = f(a, b) elementwise with broadcasting to `shape`, a and b already of dtype T.
template <class T, class F>
Tensor map(const Tensor& a, const Tensor& b, IntArrayRef shape, F f) {
  constexpr ScalarType t = CppTypeToScalarType<T>::value;
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    if (a.sizes() == shape && b.sizes() == shape && can_defer(t, {&a, &b}))
      return defer(t, {&a, &b}, [f](char* o, const char* const* in, int64_t n) mutable {
        kernels::flat_binary_vectorised<T, T, T, F&>(reinterpret_cast<T*>(o),
                                                     reinterpret_cast<const T*>(in[0]),
                                                     reinterpret_cast<const T*>(in[1]), n, f);
      });
  }
  Tensor out = make_empty(shape, t);
  kernels::binary_loop<T, T, T>(out, a, b, f);
  return out;
}

}  // namespace tg::detail
