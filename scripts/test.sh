#!/usr/bin/env bash
# Installs what is missing, then:
#   0. checks that every #include points down the layers (scripts/check_layers.py);
#   1. builds everything in Release (build/) and runs the whole test suite (the Python tests
#      included, on the build tree), then installs the Python package with pip into a temporary
#      directory and runs its tests on that install;
#   2. builds it again with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/) and
#      runs the same suite;
#   3. builds the thread tests with clang and ThreadSanitizer (build-tsan/) and runs them 3 times;
#   4. runs the differential fuzzer for 60 s from the checked-in seeds (build-fuzz/);
#   5. checks that a separate CMake project can use the library both through
#      add_subdirectory(<checkout>) and through find_package(tensorgrad) after cmake --install.
# The library is compiled five times. The sanitizer and fuzz builds use -O1 with line tables
# only, and the add_subdirectory consumer is a Debug build: the largest kernel source compiled
# in 244 s at -O2 -g with the sanitizers and in 105 s at -O1 -g1, and in 66 s at -O3 against
# 13 s at -O0 -g. Reports keep their file and line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-$(nproc)}

echo "== Layers: every include points down the layers (scripts/check_layers.py)"
/usr/bin/python3 scripts/check_layers.py

echo "== Release: build and test"
cmake --preset release
cmake --build --preset release
ctest --preset release

echo "== Python: pip install into a temporary directory, then pytest on the install"
python_tmp=$(mktemp -d)
trap 'rm -rf "$python_tmp"' EXIT
TENSORGRAD_BUILD_DIR=build /usr/bin/python3 -m pip install --quiet --no-build-isolation \
  --no-deps --target "$python_tmp/site" .
root=$PWD
(cd "$python_tmp" && PYTHONPATH="$python_tmp/site" TENSORGRAD_SOURCE_DIR="$root" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$root/tests/python")

echo "== AddressSanitizer + UndefinedBehaviorSanitizer: build and test"
cmake --preset asan
cmake --build --preset asan
ctest --preset asan

echo "== ThreadSanitizer: the thread tests"
bash scripts/tsan.sh 3

echo "== Fuzzing: 60 s smoke run"
bash scripts/fuzz.sh smoke 60

echo "== CMake consumer: add_subdirectory and find_package"
bash tests/install/run.sh build
