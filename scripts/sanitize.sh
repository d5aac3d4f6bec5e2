#!/usr/bin/env bash
# The C++ test suites under AddressSanitizer and UndefinedBehaviorSanitizer:
# a second build (build-sanitize/, -O1, frame pointers kept) of the library's
# and faltungd's gtest binaries, run with every finding fatal. CI runs it
# after the README's test command (.ci/run).
#   bash scripts/sanitize.sh [gtest filter for faltung_tests] [... for faltungd_tests]
#   bash scripts/sanitize.sh --thread
# The second: ThreadSanitizer (build-tsan/) over the threaded tests: the
# thread pool (Threads.*), the service's server, write-ahead log group
# commit, connections, alerts and remote-write senders. Not in CI: a third
# build does not fit its time; run it when changing threads or locks.
#
# Left out here, each for a reason:
# - the load and memory tests (Load.*): they time the service and measure
#   its resident memory, which the sanitizers' shadow memory and slowdown
#   make meaningless;
# - by default, to keep CI within its time, the five slowest tests under the
#   sanitizers (70, 39, 27, 19 and 7 s of the 7 minutes the library's suite
#   takes whole; the random sweeps cover the same code) and the kill -9 test
#   (CrashSafety.*: durability, not memory; minutes sanitized). Filters
#   "*" and "-Load.*" run the suites whole.
# - the Python module and the benchmarks (pytest runs the module unsanitized);
# - warnings as errors: the main build checks them; at -O1 GCC 12 warns
#   falsely about test_no_alloc.cpp's replaced operator new and delete;
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --thread ]]; then
  flags="-O1 -g -fsanitize=thread"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DFALTUNG_BUILD_TOOLS=OFF -DFALTUNG_BUILD_BENCHMARKS=OFF \
    -DFALTUNG_BUILD_SERVICE=ON >/dev/null
  cmake --build build-tsan --parallel "$(nproc)" --target faltung_tests faltungd_tests faltungd
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  status=0
  ./build-tsan/tests/faltung_tests --gtest_brief=1 --gtest_filter='Threads.*' || status=1
  ./build-tsan/service/faltungd_tests --gtest_brief=1 \
    --gtest_filter='Server.*:Wal.*:Connections.*:Alerts.*:Alertmanager.*:RemoteWrite.*:Instances.*' || status=1
  if [[ $status == 0 ]]; then echo "sanitize --thread: no finding"; else echo "sanitize --thread: FAILED"; fi
  exit $status
fi
library_filter=${1:--FftOverlapSave.TwoDimensionalRowsInPlaceAtAnyAlignment:FftNonFinite.EveryPolicyAcrossBlockEdges:Threads.BitIdenticalOnRandomProblems:Threads.FftMethodsBitIdentical:Threads.BitIdenticalOnLargeProblems}
service_filter=${2:--Load.*:CrashSafety.*}
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DFALTUNG_BUILD_TOOLS=OFF -DFALTUNG_BUILD_BENCHMARKS=OFF -DFALTUNG_WERROR=OFF >/dev/null
cmake --build build-sanitize --parallel "$(nproc)" --target faltung_tests faltungd_tests faltungd
# detect_leaks: a leak is a finding too; quarantine 0: a test that checks
# memory is given back to the system (RequestGate.LargeDecodeBuffersAreGivenBack)
# must not see freed blocks held in ASan's quarantine.
export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=0:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
./build-sanitize/tests/faltung_tests --gtest_brief=1 --gtest_filter="$library_filter" || status=1
./build-sanitize/service/faltungd_tests --gtest_brief=1 --gtest_filter="$service_filter" || status=1
if [[ $status == 0 ]]; then echo "sanitize: no finding"; else echo "sanitize: FAILED"; fi
exit $status
