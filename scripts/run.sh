#!/usr/bin/env bash
# Installs what is missing, builds tensorgrad in Release into build/, runs the seed tutorial, then
# trains the default model (a CNN, one epoch) on Fashion-MNIST and saves it to
# build/model.safetensors. Arguments go to the trainer (see build/apps/tensorgrad-train --help).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release
cmake --build --preset release --target tutorial tensorgrad-train
./build/examples/tutorial
echo
./build/apps/tensorgrad-train --save build/model.safetensors "$@"
