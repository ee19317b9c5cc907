#!/usr/bin/env bash
# One training epoch on Fashion-MNIST (tensorgrad-train's recipe: Adam lr 1e-3, batch 64) of the
# MLP and the CNN, with tensorgrad and, when libtorch-dev is installed, with the same model code in
# libtorch, in the same run. Prints seconds per epoch and tensorgrad's time as a fraction of
# libtorch's best. tensorgrad runs with all cores; libtorch with 1 and with 2 threads (its thread
# pools can make 2 slower than 1), and its better time counts. Each run is a fresh process. Then,
# per run, the epoch's counted work (the GEMM-like flops of its Conv2d and Linear layers, see
# epoch.cpp) over its seconds, against oneDNN's raw sgemm rate at the same thread count (the
# suite's limit_sgemm, measured here before the epochs by sgemm_rate).
#
#   bash scripts/bench_train.sh                 both models
#   bash scripts/bench_train.sh --models mlp    only the MLP (or: cnn)
#   bash scripts/bench_train.sh --data DIR      another copy of the data (gzip'd IDX files)
#
# Builds into build-bench-train/ (Release; or the folder in $TG_BENCH_TRAIN_BUILD), apart from the
# main build; the build honours CMAKE_BUILD_PARALLEL_LEVEL. Also builds and runs
# tests/test_train_port.cpp against libtorch (train_port_libtorch), which shows that the libtorch
# training program compiles and passes with either library.
set -euo pipefail
cd "$(dirname "$0")/.."

models="mlp cnn"
data=/usr/share/datasets/fashion-mnist
while (($#)); do
  case $1 in
    --models) models=${2//,/ }; shift 2 ;;
    --data) data=$2; shift 2 ;;
    *) echo "bench_train: unknown option $1 (--models mlp,cnn, --data DIR)" >&2; exit 2 ;;
  esac
done
if [[ ! -e $data/train-images-idx3-ubyte.gz ]]; then
  echo "bench_train: no Fashion-MNIST data in $data; install the Debian package" \
    "dataset-fashion-mnist or pass --data DIR" >&2
  exit 1
fi

bin=${TG_BENCH_TRAIN_BUILD:-build-bench-train}
cmake -S bench/train_epoch -B "$bin" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
if ! cmake --build "$bin" >"$bin/build.log" 2>&1; then
  tail -n 40 "$bin/build.log" >&2
  echo "bench_train: the build failed (log: $bin/build.log)" >&2
  exit 1
fi
have_torch=0
[[ -x $bin/train_epoch_libtorch ]] && have_torch=1
cores=$(nproc)

if [[ -x $bin/train_port_libtorch ]]; then
  echo "tests/test_train_port.cpp built against libtorch:"
  "$bin/train_port_libtorch" --gtest_brief=1 | tail -n 1
fi

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($cores cores)"
declare -A sgemm
for threads in 1 2 "$cores"; do
  [[ -n ${sgemm[$threads]:-} ]] && continue
  line=$("$bin/sgemm_rate" --threads "$threads")
  echo "  $line"
  sgemm[$threads]=$(sed -E 's/.* gflops=([0-9.]+).*/\1/' <<<"$line")
done
# run LIBRARY MODEL THREADS: one epoch in a fresh process; echoes its RESULT line to stderr and
# prints "seconds cpu_seconds flops".
run() {
  local line
  line=$("$bin/train_epoch_$1" --model "$2" --threads "$3" --data "$data" | grep '^RESULT')
  echo "  $line" >&2
  sed -E 's/.* seconds=([0-9.]+) cpu_seconds=([0-9.]+) flops=([0-9.e+]+).*/\1 \2 \3/' <<<"$line"
}

rows=()
rates=()  # "model flops library threads seconds"
for model in $models; do
  read -r tg tg_cpu flops < <(run tensorgrad "$model" "$cores")
  rates+=("$model $flops tensorgrad $cores $tg")
  if ((cores > 1)); then
    read -r tg1 tg1_cpu _ < <(run tensorgrad "$model" 1)
    rates+=("$model $flops tensorgrad 1 $tg1")
  else
    tg1=$tg tg1_cpu=$tg_cpu
  fi
  if ((have_torch)); then
    read -r t1 t1_cpu _ < <(run libtorch "$model" 1)
    read -r t2 _ _ < <(run libtorch "$model" 2)
    rates+=("$model $flops libtorch 1 $t1" "$model $flops libtorch 2 $t2")
  else
    t1=- t1_cpu=- t2=-
  fi
  rows+=("$model $tg $tg1 $t1 $t2 $tg1_cpu $t1_cpu")
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "One epoch (60,000 images, batch 64), wall-clock seconds:"
printf '| %-5s | %10s | %10s | %10s | %10s | %-24s | %-18s | %-24s |\n' model "tg $cores thr" \
  "tg 1 thr" "torch 1" "torch 2" "tg $cores thr / torch best" "tg best/torch best" \
  "1-thread CPU s, tg/torch"
echo "|-------|------------|------------|------------|------------|--------------------------|--------------------|--------------------------|"
for row in "${rows[@]}"; do
  read -r model tg tg1 t1 t2 tg1_cpu t1_cpu <<<"$row"
  awk -v m="$model" -v tg="$tg" -v tg1="$tg1" -v t1="$t1" -v t2="$t2" -v c1="$tg1_cpu" \
    -v d1="$t1_cpu" 'BEGIN {
      if (t1 == "-") {
        printf "| %-5s | %10.2f | %10.2f | %10s | %10s | %-24s | %-18s | %-24s |\n", m, tg, tg1,
               "-", "-", "(libtorch not installed)", "", ""
        exit
      }
      best = t1 < t2 ? t1 : t2
      tg_best = tg < tg1 ? tg : tg1
      printf "| %-5s | %10.2f | %10.2f | %10.2f | %10.2f | %24.3f | %18.3f | %24s |\n", m, tg, tg1,
             t1, t2, tg / best, tg_best / best, sprintf("%.1f/%.1f = %.3f", c1, d1, c1 / d1) }'
done
echo "Targets: tensorgrad's CNN epoch at most 0.25 of libtorch's best, its MLP epoch at most 0.5."
echo "On a busy machine the wall-clock figures swing; the 1-thread CPU seconds swing less."

echo
echo "Counted work per epoch (Conv2d and Linear: forward, weight and input gradients) over the"
echo "epoch's seconds, against oneDNN's sgemm on 1024 x 1024 matrices at the same thread count:"
printf '| %-5s | %11s | %-10s | %7s | %8s | %8s | %13s | %8s |\n' model "GFLOP/epoch" library \
  threads seconds GFLOP/s "sgemm GFLOP/s" fraction
echo "|-------|-------------|------------|---------|----------|----------|---------------|----------|"
for rate in "${rates[@]}"; do
  read -r model flops library threads seconds <<<"$rate"
  awk -v m="$model" -v f="$flops" -v l="$library" -v t="$threads" -v s="$seconds" \
    -v peak="${sgemm[$threads]}" 'BEGIN {
      g = f / s * 1e-9
      printf "| %-5s | %11.1f | %-10s | %7d | %8.2f | %8.1f | %13.1f | %8.3f |\n", m, f * 1e-9, l,
             t, s, g, peak, g / peak }'
done
