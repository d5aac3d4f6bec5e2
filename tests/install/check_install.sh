#!/usr/bin/env bash
# Installs faltung from a build tree into an empty prefix, then builds and
# runs a consumer outside the tree both ways: CMake's find_package(faltung)
# and pkg-config. Run by ctest (install_and_consume).
#   bash tests/install/check_install.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
echo "installed: $(cd "$work/prefix" && find . -type f | sort | tr '\n' ' ')"
# The installed API: no test-only headers, and each header compiles alone
# (none reaches one that is not installed).
if [[ -e "$work/prefix/include/faltung/testing" ]]; then echo "include/faltung/testing/ was installed"; exit 1; fi
for header in "$work"/prefix/include/faltung/*.hpp; do
  echo "#include <faltung/$(basename "$header")>" | c++ -std=c++20 -fsyntax-only -I"$work/prefix/include" -x c++ - ||
    { echo "$(basename "$header") does not compile alone from the installed tree"; exit 1; }
done
cmake -S "$here/consumer" -B "$work/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/cmake-build" > "$work/build.log"
"$work/cmake-build/consumer"
PKG_CONFIG_PATH="$(dirname "$(find "$work/prefix" -name faltung.pc)")"
export PKG_CONFIG_PATH
c++ -O2 -o "$work/consumer-pc" "$here/consumer/main.cpp" $(pkg-config --cflags --libs faltung)
"$work/consumer-pc"
