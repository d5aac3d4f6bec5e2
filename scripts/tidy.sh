#!/usr/bin/env bash
# clang-tidy (.clang-tidy's checks: bugprone-*, performance-*, a stated
# exclusion list) over the library's and faltungd's sources, with the
# compile commands of build/ (scripts/build.sh makes it). Exits non-zero on
# any finding. CI runs it after the sanitizers (.ci/run).
#   bash scripts/tidy.sh [jobs]       (default: every core)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/compile_commands.json ]] || cmake -S . -B build -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
# The build is GCC's, and clang reads its flags: -Wno-unknown-warning-option
# for GCC's -Wno-restrict, which clang does not know; -Wno-sign-conversion
# because clang's -Wconversion includes signedness, GCC's (what the build
# checks) does not.
run-clang-tidy -p build -j "${1:-$(nproc)}" -quiet -extra-arg=-Wno-unknown-warning-option \
  -extra-arg=-Wno-sign-conversion \
  "$PWD/(src|service/src)/" > build/tidy.log 2>&1 || status=$?
grep -E "(warning|error): " build/tidy.log | sed 's/\x1b\[[0-9;]*m//g' | sort -u || true
if [[ ${status:-0} != 0 ]]; then echo "tidy: findings (above; whole output in build/tidy.log)"; exit 1; fi
echo "tidy: no finding in $(grep -c '^clang-tidy' build/tidy.log) files"
