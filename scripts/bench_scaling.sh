#!/usr/bin/env bash
# Data-parallel scaling on this machine: one epoch of tensorgrad-train's CNN on Fashion-MNIST as
# 1 process x T threads and as P processes x 1 thread under mpirun (P = T = the cores, 2 by
# default), each run R times (3 by default); prints the median seconds and images/s of each and
# the ratio of P ranks to 1 rank. Then the all-reduce benchmark (bench/allreduce.cpp) over P
# ranks, whose fit feeds the cost model in docs/distributed.md.
#
#   bash scripts/bench_scaling.sh [--ranks P] [--runs R] [--limit N]
#
# Builds into build-bench-scaling/ (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=$(nproc)
runs=3
limit=()
while (($#)); do
  case $1 in
    --ranks) ranks=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --limit) limit=(--limit "$2"); shift 2 ;;
    *) echo "bench_scaling: unknown option $1 (--ranks P, --runs R, --limit N)" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
build=build-bench-scaling
cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTENSORGRAD_BUILD_BENCHMARKS=ON \
  -DTENSORGRAD_BENCH_LIBTORCH=OFF -DTENSORGRAD_BUILD_TESTS=OFF >/dev/null
cmake --build $build --target tensorgrad-train bench_allreduce bench_ddp_profile
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs one configuration R times; prints the median epoch seconds (the trainer's own timing of the
# training part, from its --metrics line).
epoch_seconds() {
  local name=$1; shift
  for ((i = 0; i < runs; ++i)); do
    "$@" --epochs 1 "${limit[@]}" --save "$work/$name.safetensors" --metrics "$work/$name.jsonl" \
      >/dev/null
  done
  /usr/bin/python3 - "$work/$name.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(statistics.median(r["seconds"] for r in rows), statistics.median(r["images_per_second"] for r in rows))
PY
}

read -r one_s one_ips < <(epoch_seconds one "$build/apps/tensorgrad-train" --threads "$ranks")
read -r many_s many_ips < <(epoch_seconds many mpirun -np "$ranks" "$build/apps/tensorgrad-train" --threads 1)
printf 'CNN epoch, median of %d runs:\n' "$runs"
printf '  1 process x %d threads: %7.2f s  %7.0f images/s\n' "$ranks" "$one_s" "$one_ips"
printf '  %d processes x 1 thread: %7.2f s  %7.0f images/s\n' "$ranks" "$many_s" "$many_ips"
/usr/bin/python3 -c "print('  ratio (%s ranks / 1 rank, time): %.3f' % ('$ranks', $many_s / $one_s))"
mpirun -np "$ranks" "$build/bench/bench_allreduce" | tee "$work/allreduce.txt"
# The cost model's inputs (one rank's step, profiled), its prediction of a DDP step on these ranks
# with the all-reduce figures just measured, and the DDP step measured.
"$build/bench/bench_ddp_profile" >"$work/profile.json"
read -r alpha beta < <(/usr/bin/python3 - "$work/allreduce.txt" <<'PY'
import re, sys
m = re.search(r"time = ([-\d.]+) us \+ bytes / \(([\d.]+) GB/s\)", open(sys.argv[1]).read())
print(float(m.group(1)) * 1e-6, float(m.group(2)) * 1e9)
PY
)
/usr/bin/python3 bench/ddp_model.py "$work/profile.json" --check "$ranks" "$alpha" "$beta"
mpirun -np "$ranks" "$build/bench/bench_ddp_profile" | /usr/bin/python3 -c '
import json, sys
p = json.load(sys.stdin)
print("measured DDP step on %d ranks: %.2f ms" % (p["ranks"], p["step"] * 1e3))'
