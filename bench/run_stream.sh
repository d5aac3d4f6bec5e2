#!/usr/bin/env bash
# Streaming beside zita-convolver, in one run on one machine: the anchor
# (../shared/bench/zita_stream.cpp; needs libzita-convolver-dev), faltung on
# the same three cases (block 64 / 1023 taps, block 256 / 65535 taps, block
# 64 / 65535 taps; float32, one thread, verified against the batch engine),
# and the many-channel case (10,000 channels, 32 taps, one sample per channel
# per call). Usage: bash bench/run_stream.sh [OUT_DIR]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/$(date +%F)-stream}
mkdir -p "$out"
bench=./build/tools/faltung-bench/faltung-bench
if ! dpkg-query -W -f='${Status}' libzita-convolver-dev 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq libzita-convolver-dev
fi
dpkg-query -W -f='zita-convolver ${Version}\nfftw ' libzita-convolver-dev | tee "$out/versions.txt"
dpkg-query -W -f='${Version}\n' libfftw3-dev | tee -a "$out/versions.txt"
g++ -O3 -march=native ../shared/bench/zita_stream.cpp -o "$out/zita_stream" -lzita-convolver -lfftw3f -lpthread
"$out/zita_stream" | tee "$out/zita.jsonl"
rm -f "$out/zita_stream"
{
  "$bench" --perf --verify --stream-block 64 "op=conv dtype=f32 x=1000000 k=1023"
  "$bench" --perf --verify --stream-block 256 "op=conv dtype=f32 x=1000000 k=65535"
  "$bench" --perf --verify --stream-block 64 "op=conv dtype=f32 x=4000000 k=65535"
  "$bench" --perf --verify --stream-block 1 --channels 10000 "op=conv dtype=f32 x=2000 k=32"
} | tee "$out/faltung.jsonl"
.venv/bin/python ../shared/bench/table.py "$out/zita.jsonl" "$out/faltung.jsonl" > "$out/table.md"
cat "$out/table.md"
