#!/usr/bin/env bash
# Checks every tracked C++ file against .clang-format (Debian 12's
# clang-format 14); exits 1 naming the files that differ. Run by ctest
# (format_check). To fix: bash scripts/check_format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done
echo "format check: ${#files[@]} files, ${#bad[@]} not formatted as .clang-format says"
for f in "${bad[@]}"; do echo "  $f"; done
[[ ${#bad[@]} -eq 0 ]]
