#!/usr/bin/env bash
# Builds the thread tests (tests/test_threads.cpp) with ThreadSanitizer into build-tsan/ and runs
# them, several times over.
#
#   bash scripts/tsan.sh [REPEAT]     REPEAT runs of the whole test program (default 5)
#
# Why clang and LLVM's OpenMP runtime: GCC's libgomp is not instrumented for ThreadSanitizer, so
# its barriers are invisible to it and every parallel kernel would be reported as racing with the
# thread that called it (false positives), while the usual workaround, OMP_NUM_THREADS=1, would
# hide the real races inside parallel kernels. Built with clang, the library uses libomp, and
# libomp loads LLVM's Archer tool (OMP_TOOL_LIBRARIES below), which tells ThreadSanitizer about
# every OpenMP fork, join, barrier and lock: OpenMP kernels then run with all their threads and
# real races between their threads, and with the user's threads, are reported.
#
# Left uninstrumented are libomp itself (Archer stands in for it) and oneDNN (libdnnl, for GEMM
# and convolution), which runs its own libgomp threads: the library calls made from inside them
# are ignored (ThreadSanitizer cannot see their synchronisation), and nothing else is. A
# deliberate race between two threads doing x.add_(1) on one large tensor (through the OpenMP
# path of the kernel) is reported with this setup.
set -euo pipefail
cd "$(dirname "$0")/.."

repeat=${1:-5}

bash scripts/setup.sh
build=build-tsan
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DTENSORGRAD_BUILD_TESTS=ON -DTENSORGRAD_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target test_threads

archer=$(find /usr/lib/llvm-*/lib -name libarcher.so 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z $archer ]]; then
  echo "tsan: libarcher.so (LLVM's OpenMP ThreadSanitizer support, Debian: libomp-dev) is missing" >&2
  exit 1
fi

# Interceptors (mutexes, malloc, memcpy) called from inside these uninstrumented libraries are
# ignored: libomp's own synchronisation is what Archer describes to ThreadSanitizer, and oneDNN
# with its libgomp threads cannot be analysed. Accesses by tensorgrad's code, including the
# OpenMP regions it runs on libomp's threads, are all checked.
cat >"$build/tsan.supp" <<'EOF'
called_from_lib:libomp.so
called_from_lib:libdnnl.so
called_from_lib:libgomp.so
EOF

export OMP_TOOL_LIBRARIES=$archer
export TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1 abort_on_error=1 second_deadlock_stack=1 suppressions=$build/tsan.supp ${TSAN_OPTIONS:-}"
# Two OpenMP threads at least, so parallel kernels really run in parallel (on one core too).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
for ((i = 1; i <= repeat; ++i)); do
  echo "== ThreadSanitizer: test_threads, run $i of $repeat"
  "$build/tests/test_threads" --gtest_brief=1
done
echo "tsan: $repeat runs of test_threads without a report"
