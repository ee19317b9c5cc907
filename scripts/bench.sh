#!/usr/bin/env bash
# Builds the benchmark suite in Release into build-bench/ and runs it: every workload for
# tensorgrad and, when libtorch-dev is installed, for libtorch in the same process, the machine's
# limits (copy bandwidth, oneDNN sgemm) in the same run, the peak memory of mlp_step per library;
# before that, the workloads that have a Python form for PyTorch from Python (/usr/bin/python3
# with python3-torch, bench/python_bench.py). Then prints the table. See docs/benchmarks.md.
# libtorch and PyTorch run on OpenBLAS (setup.sh installs it; this script checks that the
# libblas.so.3 alternative points to it).
#
#   bash scripts/bench.sh                  the suite (a few minutes)
#   bash scripts/bench.sh --footprint      instead, the footprint: compile time and compiler memory
#                                          of the tutorial against tensorgrad and against
#                                          <torch/torch.h>, and the stripped size of the shared
#                                          library (which it builds in build-bench-shared/)
#   bash scripts/bench.sh --no_python      without PyTorch from Python
# Other arguments go to the benchmark program, e.g. --benchmark_filter=matmul, --no_rss or
# --threads=N (which PyTorch from Python then uses too).
# The build honours CMAKE_BUILD_PARALLEL_LEVEL and CMAKE_CXX_COMPILER_LAUNCHER (e.g. ccache).
set -euo pipefail
cd "$(dirname "$0")/.."

footprint=0
python=1
threads=2 # tensorgrad_bench's default
args=()
for arg in "$@"; do
  case $arg in
    --footprint) footprint=1 ;;
    --no_python) python=0 ;;
    *)
      [[ $arg == --threads=* ]] && threads=${arg#--threads=}
      args+=("$arg")
      ;;
  esac
done

bash scripts/setup.sh

if ((!footprint)); then
  # libtorch finds its BLAS through the libblas.so.3 alternative, which installing OpenBLAS
  # switches to it unless the alternative was set by hand.
  blas_alternative=libblas.so.3-x86_64-linux-gnu
  openblas=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
  blas=$(update-alternatives --query $blas_alternative | awk '/^Value:/ { print $2 }')
  if [[ $blas != "$openblas" ]]; then
    echo "bench: libblas.so.3 is $blas; pointing it to OpenBLAS"
    as_root=()
    [[ $(id -u) -ne 0 ]] && as_root=(sudo)
    "${as_root[@]}" update-alternatives --set $blas_alternative "$openblas"
    blas=$openblas
  fi
  echo "bench: libtorch's BLAS (libblas.so.3) is $blas"
  # OpenBLAS 0.3.21 takes some AVX-512 CPUs (an EPYC here) for a Cooper Lake; the suite pins its
  # SkylakeX kernels, over any OPENBLAS_CORETYPE in the environment, so that every run uses the
  # same ones. Only libtorch and PyTorch use BLAS here (tensorgrad links none).
  if grep -qw avx512f /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=SKYLAKEX
    echo "bench: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
  fi

  cmake -S bench -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-bench --target tensorgrad_bench
  if ((python)) && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 bench/python_bench.py --torch-only --threads="$threads" \
      --json build-bench/python_results.json
    args+=(--python_results=build-bench/python_results.json)
  fi
  # Every repetition of every benchmark also goes to build-bench/results.json.
  exec ./build-bench/tensorgrad_bench --benchmark_out=build-bench/results.json \
    --benchmark_out_format=json "${args[@]}"
fi

# ---- footprint ----
out=build-bench-shared/footprint
mkdir -p "$out"

# Runs a command under /usr/bin/time -v; prints wall seconds, CPU seconds and peak memory.
measure() {
  local label=$1
  shift
  /usr/bin/time -v -o "$out/time.txt" "$@"
  awk -v label="$label" -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
    /User time/ { cpu += $2 }
    /System time/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 }
    END { printf "| %-32s | %7.1f | %7.1f | %8.0f |\n", label, wall, cpu, rss / 1024 }' "$out/time.txt"
}

torch_include=/usr/include/torch/csrc/api/include
echo
echo "Compile of the seed tutorial to an object file (examples/tutorial.cpp; for libtorch,"
echo "bench/footprint_tutorial_torch.cpp), measured with /usr/bin/time -v:"
echo "| headers, flags                   |  wall s |   CPU s | peak MiB |"
echo "|----------------------------------|---------|---------|----------|"
for opt in "-O0" "-O3 -DNDEBUG"; do
  # shellcheck disable=SC2086
  measure "tensorgrad, $opt" \
    g++ -std=c++20 $opt -Iinclude -c examples/tutorial.cpp -o "$out/tutorial_tg.o"
  if [[ -d $torch_include ]]; then
    # shellcheck disable=SC2086
    measure "<torch/torch.h>, $opt" \
      g++ -std=c++17 $opt -I"$torch_include" -c bench/footprint_tutorial_torch.cpp \
      -o "$out/tutorial_torch.o"
  fi
done

echo
echo "Shared library (Release, -DBUILD_SHARED_LIBS=ON, build-bench-shared/):"
cmake -S . -B build-bench-shared -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
  -DTENSORGRAD_BUILD_TESTS=OFF -DTENSORGRAD_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-bench-shared --target tensorgrad
lib=$(find build-bench-shared -maxdepth 1 -name 'libtensorgrad.so*' -type f | head -n 1)
cp "$lib" "$out/libtensorgrad.so"
strip --strip-all "$out/libtensorgrad.so"
awk -v s="$(stat -c %s "$out/libtensorgrad.so")" -v u="$(stat -c %s "$lib")" \
  'BEGIN { printf "libtensorgrad.so: %.2f MB stripped (%d bytes; %d before strip)\n", s / 1e6, s, u }'
torch_cpu=/usr/lib/x86_64-linux-gnu/libtorch_cpu.so
if [[ -e $torch_cpu ]]; then
  awk -v f="$(readlink -f $torch_cpu)" -v s="$(stat -L -c %s $torch_cpu)" \
    'BEGIN { printf "for comparison, %s: %.1f MB\n", f, s / 1e6 }'
fi
