#!/usr/bin/env bash
# Builds and runs the consumer project in tests/install twice: through add_subdirectory on this
# checkout, and through find_package against a `cmake --install` of the given build directory
# (configured and built first when it does not exist). Everything else goes to a temporary
# directory that is removed on exit. The add_subdirectory build is a Debug one: it checks the
# build files, not the code, and compiles several times faster.
#   usage: tests/install/run.sh [build-dir]   (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build="$root/$build"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "-- consumer through add_subdirectory"
cmake -S "$root/tests/install" -B "$work/sub" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DTENSORGRAD_SOURCE_DIR="$root"
cmake --build "$work/sub"
"$work/sub/consumer"

echo "-- consumer through find_package after cmake --install"
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target tensorgrad
cmake --install "$build" --prefix "$work/prefix"
cmake -S "$root/tests/install" -B "$work/pkg" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix"
cmake --build "$work/pkg"
"$work/pkg/consumer"
echo "-- consumer: both ways passed"
