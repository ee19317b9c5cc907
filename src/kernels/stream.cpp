// Non-temporal copies for the elementwise loops: see Note [Streaming stores] in loop.h.
#include <cstring>

#include "kernels/loop.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TG_STREAM_X86 1
#endif

namespace tg::kernels {

#ifdef TG_STREAM_X86
namespace {
__attribute__((target("avx2"))) void stream_avx2(char* dst, const char* src, size_t bytes) {
  size_t i = 0;
  for (; i + 32 <= bytes; i += 32)
    _mm256_stream_ps(reinterpret_cast<float*>(dst + i),
                     _mm256_load_ps(reinterpret_cast<const float*>(src + i)));
  std::memcpy(dst + i, src + i, bytes - i);
}

void stream_sse2(char* dst, const char* src, size_t bytes) {
  size_t i = 0;
  for (; i + 16 <= bytes; i += 16)
    _mm_stream_ps(reinterpret_cast<float*>(dst + i),
                  _mm_load_ps(reinterpret_cast<const float*>(src + i)));
  std::memcpy(dst + i, src + i, bytes - i);
}

bool has_avx2() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return yes;
}
}  // namespace

void stream_copy(void* dst, const void* src, size_t bytes) {
  if (has_avx2())
    stream_avx2(static_cast<char*>(dst), static_cast<const char*>(src), bytes);
  else
    stream_sse2(static_cast<char*>(dst), static_cast<const char*>(src), bytes);
}

void stream_fence() { _mm_sfence(); }
#else
void stream_copy(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
void stream_fence() {}
#endif

}  // namespace tg::kernels
