// The threads ops run on (OpenMP) and their floating-point mode.
#include <omp.h>

#include <atomic>

#include "tensorgrad/error.h"
#include "tensorgrad/functions.h"

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define TG_HAVE_MXCSR 1
#endif

namespace tg {

void set_num_threads(int n) {
  TG_CHECK(n > 0, "set_num_threads: expected a positive number of threads but got ", n);
  omp_set_num_threads(n);
}

int get_num_threads() { return omp_get_max_threads(); }

void init_num_threads() {}

namespace {
std::atomic<int> interop_threads{0};  // 0: never set
}  // namespace

void set_num_interop_threads(int n) {
  TG_CHECK(n > 0, "set_num_interop_threads: expected a positive number of threads but got ", n);
  int unset = 0;
  TG_CHECK(interop_threads.compare_exchange_strong(unset, n),
           "set_num_interop_threads: the number of inter-op threads can only be set once (it "
           "is ",
           interop_threads.load(), ")");
}

int get_num_interop_threads() {
  const int n = interop_threads.load();
  return n > 0 ? n : 1;
}

bool set_flush_denormal(bool on) {
#ifdef TG_HAVE_MXCSR
  // FTZ (results) and DAZ (inputs). The mode is per thread: set it on this thread and on every
  // thread of the OpenMP team; threads the team gains later are cloned from this one and inherit
  // it.
  constexpr unsigned kFlush = 0x8000u | 0x0040u;
  const auto apply = [on] {
    const unsigned csr = _mm_getcsr();
    _mm_setcsr(on ? (csr | kFlush) : (csr & ~kFlush));
  };
  apply();
#pragma omp parallel num_threads(omp_get_max_threads())
  apply();
  return true;
#else
  (void)on;
  return false;
#endif
}

}  // namespace tg
