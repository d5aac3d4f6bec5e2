#!/usr/bin/env bash
# The C++ test suites under the sanitizers, every finding fatal. CI runs both
# modes after the README's test command (.ci/run).
#   bash scripts/sanitize.sh [gtest filter for faltung_tests] [... for faltungd_tests]
#   bash scripts/sanitize.sh --thread
#
# The first: AddressSanitizer and UndefinedBehaviorSanitizer (build-sanitize/,
# -O1, frame pointers kept) over the library's and faltungd's gtest suites.
# The second: ThreadSanitizer (build-tsan/) over the threaded tests: the
# thread pool (Threads.*, its own small binary so this build need not compile
# every test file), the service's server, write-ahead log group commit,
# connections, alerts, remote-write senders, instances and the stoppable
# thread they share.
#
# Left out, each for a reason:
# - the load and memory tests (Load.*): they time the service and measure
#   its resident memory, which the sanitizers' shadow memory and slowdown
#   make meaningless;
# - to keep CI within its time: under ASan, by default, the five slowest
#   library tests (70, 39, 27, 19 and 7 s of the 7 minutes the suite takes
#   whole; the random sweeps cover the same code) and the kill -9 test
#   (CrashSafety.*: durability, not memory; minutes sanitized); under TSan,
#   Threads.BitIdenticalOnRandomProblems (60 s; the large problems and the
#   FFT methods hand work to the pool the same ways). Filters "*" and
#   "-Load.*" run the ASan suites whole.
# - the Python module and the benchmarks (pytest runs the module unsanitized);
# - warnings as errors: the main build checks them; at -O1 GCC 12 warns
#   falsely about test_no_alloc.cpp's replaced operator new and delete.
set -euo pipefail
cd "$(dirname "$0")/.."

build_tree() {  # folder, sanitizer flags, targets...
  local dir=$1 flags=$2; shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DFALTUNG_BUILD_TOOLS=OFF -DFALTUNG_BUILD_BENCHMARKS=OFF \
    -DFALTUNG_WERROR=OFF >/dev/null
  cmake --build "$dir" --parallel "$(nproc)" --target "$@"
}

# Runs the library's tests in two shards side by side (gtest's own
# sharding: both cores work), then the service's alone (some of them time
# its answers), and says whether any failed.
run_suites() {  # label, library test command, service test command
  local label=$1 library=$2 service=$3 status=0 shard jobs=()
  for shard in 0 1; do GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$shard bash -c "$library" & jobs+=($!); done
  for job in "${jobs[@]}"; do wait "$job" || status=1; done
  bash -c "$service" || status=1
  if [[ $status == 0 ]]; then echo "$label: no finding"; else echo "$label: FAILED"; fi
  return $status
}

if [[ ${1:-} == --thread ]]; then
  build_tree build-tsan "-O1 -g -fsanitize=thread" faltung_threads_tests faltungd_tests faltungd
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  run_suites "sanitize --thread" \
    "./build-tsan/tests/faltung_threads_tests --gtest_brief=1 --gtest_filter=-Threads.BitIdenticalOnRandomProblems" \
    "./build-tsan/service/faltungd_tests --gtest_brief=1 \
       --gtest_filter='Server.*:Wal.*:Connections.*:Alerts.*:Alertmanager.*:RemoteWrite.*:Instances.*:StoppableThread.*'"
  exit
fi

library_filter=${1:--FftOverlapSave.TwoDimensionalRowsInPlaceAtAnyAlignment:FftNonFinite.EveryPolicyAcrossBlockEdges:Threads.BitIdenticalOnRandomProblems:Threads.FftMethodsBitIdentical:Threads.BitIdenticalOnLargeProblems}
service_filter=${2:--Load.*:CrashSafety.*}
build_tree build-sanitize "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
  faltung_tests faltungd_tests faltungd
# detect_leaks: a leak is a finding too; quarantine 0: a test that checks
# memory is given back to the system (RequestGate.LargeDecodeBuffersAreGivenBack)
# must not see freed blocks held in ASan's quarantine.
export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=0:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suites sanitize "./build-sanitize/tests/faltung_tests --gtest_brief=1 --gtest_filter='$library_filter'" \
  "./build-sanitize/service/faltungd_tests --gtest_brief=1 --gtest_filter='$service_filter'"
