#!/usr/bin/env bash
# Creates the project's virtual environment at .venv (if missing) and installs
# the faltung package into it with its test and benchmark extras, so that
# .venv/bin/python -c "import faltung" and .venv/bin/faltung work.
# Needs the Debian packages of scripts/setup.sh (python3-venv, python3-dev,
# cmake, ninja) and PyPI. Safe to run again: the C++ build in
# build/python-<tag> is kept, so a re-install rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# The build backend and its needs, in .venv itself: the package is then built
# against this numpy with the system's cmake, without a throw-away build env.
.venv/bin/python -m pip install --quiet "scikit-build-core>=0.10" "nanobind>=2.0" "numpy>=2.0"
# Where the main build (build/, Release, from this checkout: scripts/build.sh)
# is there, the module links its library, brought up to date first, instead
# of compiling the library again (CMakeLists.txt: FALTUNG_LIBRARY_FROM).
library_from=""  # (always given: CMake's cache would keep an earlier value)
if [[ -f build/CMakeCache.txt ]] && grep -qx "CMAKE_BUILD_TYPE:STRING=Release" build/CMakeCache.txt &&
   grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$PWD" build/CMakeCache.txt; then
  cmake --build build --target faltung
  library_from="$PWD/build"
fi
.venv/bin/python -m pip install --quiet --no-build-isolation --config-settings=cmake.define.FALTUNG_LIBRARY_FROM="$library_from" \
  ".[test,bench]"
.venv/bin/python -c 'import faltung, numpy, scipy; print("faltung", faltung.__version__, "installed in .venv (numpy", numpy.__version__ + ", scipy", scipy.__version__ + ")")'
