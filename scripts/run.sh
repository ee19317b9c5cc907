#!/usr/bin/env bash
# Installs what is missing, builds tensorgrad in Release into build/ and runs the seed tutorial.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release --target tutorial
./build/examples/tutorial
