#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the examples need, only those that
# are missing (so it is quick and offline when everything is there). Run as root, or as a user
# with sudo.
set -euo pipefail

packages=(
  cmake ninja-build g++            # build
  python3                          # the layer check, the trainer's tests
  libdnnl-dev                      # GEMM and convolution (oneDNN)
  libsleef-dev                     # vectorised math
  libboost-dev                     # special functions (Boost.Math: erfinv, digamma, polygamma)
  zlib1g-dev                       # gzip'd datasets
  nlohmann-json3-dev               # safetensors headers
  libgtest-dev libgmock-dev        # tests
  libbenchmark-dev                 # benchmarks
  libopenblas0-openmp              # libtorch's BLAS in the benchmarks; becomes libblas.so.3 for all
  libopenmpi-dev openmpi-bin       # tg::distributed (ProcessGroupMPI) and its mpirun tests
  dataset-fashion-mnist            # the training example's data
  graphviz                         # rendering backward-graph pictures (dot -Tsvg)
  clang libclang-rt-14-dev         # fuzzing (libFuzzer) and sanitizer runtimes for clang
  libomp-dev                       # LLVM OpenMP with Archer, for ThreadSanitizer (scripts/tsan.sh)
  python3-dev pybind11-dev python3-numpy  # the Python package (tensorgrad._C)
  python3-pip python3-setuptools python3-wheel  # pip install . (offline, no build isolation)
  python3-pytest python3-hypothesis python3-torch  # its tests; PyTorch 1.13 is their oracle
  jupyter-nbconvert python3-ipykernel python3-matplotlib  # executing the seed notebook
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}"
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
  as_root=(sudo)
fi
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
