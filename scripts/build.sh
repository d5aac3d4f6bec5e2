#!/usr/bin/env bash
# Installs the Debian dependencies (scripts/setup.sh), configures and builds
# faltung in ./build (Release, warnings as errors), then installs the Python package into .venv
# (scripts/install_python.sh). Safe to run again: it rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DFALTUNG_WERROR=ON
cmake --build build --parallel "$(nproc)"
bash scripts/install_python.sh
