#!/usr/bin/env bash
# Builds the libFuzzer target fuzz/fuzz_autograd.cpp with clang (-fsanitize=fuzzer,address,
# undefined) into build-fuzz/ and runs it. See fuzz/README.md.
#
#   bash scripts/fuzz.sh smoke [SECONDS]   the CI run: 60 s from the checked-in seeds
#   bash scripts/fuzz.sh run [SECONDS]     a longer run (default 600 s); the corpus it grows is
#                                          kept in build-fuzz/corpus for the next run
#   bash scripts/fuzz.sh repro FILE...     runs the given inputs once each and prints the program
#                                          each one decodes to (to reproduce a finding)
#   bash scripts/fuzz.sh merge             minimises build-fuzz/corpus into fuzz/corpus (seeds)
#
# Prints the number of executions. Exits non-zero when the fuzzer finds something: the input is
# saved as build-fuzz/artifacts/crash-* and the program it decodes to is printed above.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-smoke}
shift || true

bash scripts/setup.sh
build=build-fuzz
cmake -S fuzz -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
cmake --build "$build" --target fuzz_autograd
fuzzer=$build/fuzz_autograd

# Tensors in the programs are tiny: one OpenMP thread is all they use.
export OMP_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/corpus" "$build/artifacts"
common=(-artifact_prefix="$build/artifacts/" -max_len=512 -timeout=60 -rss_limit_mb=4096
        -print_final_stats=1)

# Runs the fuzzer for $1 seconds over the working corpus and the seeds; prints the executions.
fuzz_for() {
  local seconds=$1 log=$build/fuzz.log status=0
  echo "fuzz: running for $seconds s (log: $log)"
  "$fuzzer" "${common[@]}" -max_total_time="$seconds" "$build/corpus" fuzz/corpus >"$log" 2>&1 \
    || status=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::' "$log" || true
  if ((status != 0)); then
    # The decoded program and what went wrong, a sanitizer's report, and where the input went.
    echo "---- finding ----"
    sed -n '/^==== tensorgrad fuzz finding ====/,/^$/p' "$log"
    grep -E -A40 '^==[0-9]+==ERROR: (Address|Leak|Memory)Sanitizer|runtime error:' "$log" \
      | head -n 60 || true
    grep -E 'Test unit written|^SUMMARY' "$log" || true
  fi
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  echo "fuzz: ${execs:-?} executions in $seconds s (exit status $status)"
  return "$status"
}

case $mode in
  smoke) fuzz_for "${1:-60}" ;;
  run) fuzz_for "${1:-600}" ;;
  repro)
    (($# > 0)) || { echo "usage: bash scripts/fuzz.sh repro FILE..." >&2; exit 2; }
    TG_FUZZ_VERBOSE=1 "$fuzzer" "${common[@]}" "$@"
    ;;
  merge)
    # The inputs that add coverage, then a small set of them as seeds: the 48 largest (the
    # longest programs) and 16 others at random.
    tmp=$(mktemp -d)
    "$fuzzer" -merge=1 -max_len=512 "$tmp" fuzz/corpus "$build/corpus" >"$build/merge.log" 2>&1
    rm -f fuzz/corpus/*
    ls -S "$tmp" | head -n 48 | while read -r f; do cp "$tmp/$f" fuzz/corpus/; done
    ls -S "$tmp" | tail -n +49 | shuf -n 16 --random-source=<(yes) |
      while read -r f; do cp "$tmp/$f" fuzz/corpus/; done
    rm -rf "$tmp"
    echo "fuzz: $(find fuzz/corpus -type f | wc -l) seeds in fuzz/corpus"
    ;;
  *)
    echo "usage: bash scripts/fuzz.sh [smoke [SECONDS] | run [SECONDS] | repro FILE... | merge]" >&2
    exit 2
    ;;
esac
