#!/usr/bin/env bash
# Installs what is missing, then:
#   0. checks that every #include points down the layers (scripts/check_layers.py);
#   1. builds everything in Release (build/) and runs the whole test suite;
#   2. builds it again with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/) and
#      runs the same suite;
#   3. builds the thread tests with clang and ThreadSanitizer (build-tsan/) and runs them 3 times;
#   4. runs the differential fuzzer for 60 s from the checked-in seeds (build-fuzz/);
#   5. checks that a separate CMake project can use the library both through
#      add_subdirectory(<checkout>) and through find_package(tensorgrad) after cmake --install.
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
