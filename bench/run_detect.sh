#!/usr/bin/env bash
# Detector throughput (issue 6's targets), one thread, JSON lines: every kind
# on one long series fed 4096 samples per call, the default (surprise) and
# the multiscale detector with a seasonal period of 288 samples, and both on
# 10,000 series fed one sample per series per call (and 100 per call).
#   bash bench/run_detect.sh [build-dir] > results.jsonl
set -euo pipefail
build=${1:-build}
bench="$build/tools/faltung-bench/faltung-bench"
for kind in surprise multiscale zscore ewma holt; do
  "$bench" --detect "$kind" --series 1 --detect-block 4096 --detect-samples 4194304 --budget 1
done
for kind in surprise multiscale; do
  "$bench" --detect "$kind" --series 1 --period 288 --detect-block 4096 --detect-samples 4194304 --budget 1
  for block in 1 100; do
    "$bench" --detect "$kind" --series 10000 --detect-block "$block" --detect-samples 4000000 --budget 1
  done
done
