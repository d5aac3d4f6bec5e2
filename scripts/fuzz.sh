#!/usr/bin/env bash
# Builds the fuzz targets (faltungd's: remote-write decoding, selectors, the
# configuration, whole HTTP requests through the server; the library's:
# problem strings, kernel specs, the .npy reader; faltung detect's CSV
# reading, in Python with atheris) with clang's libFuzzer (plus AddressSanitizer
# and UBSan) and runs each for a bounded time over its seed corpus
# (service/fuzz/corpus/). Needs the CMake build in build/ (for the generated
# protobuf code and libfaltung.a). Exits non-zero on any finding. The
# service's sources are compiled here with Clang, so its lock annotations
# (service/src/mutex.hpp) are checked here too: -Werror=thread-safety.
#   bash scripts/fuzz.sh [seconds-per-target]      (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
out=build/fuzz
mkdir -p "$out"
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Wthread-safety -Werror=thread-safety
       -Iinclude -Iservice/src -Ibuild/service -Isrc -Itools/faltung-bench -I/usr/include/eigen3
       $(pkg-config --cflags cpp-httplib))
service_sources=()  # the whole service but its main(): the HTTP request path end to end
for f in service/src/*.cpp; do [[ $f == service/src/main.cpp ]] || service_sources+=("$f"); done
protos=(build/service/proto/remote.pb.cc build/service/proto/checkpoint.pb.cc)
library_parsers=(src/core/problem.cpp src/core/text.cpp src/core/geometry.cpp src/signal/kernels.cpp src/signal/spec.cpp
                 tools/faltung-bench/npy.cpp)  # instrumented; the rest of the library from libfaltung.a
fuzz_mains=(service/fuzz/{remote_write,selector,config,http_request}_fuzz.cpp
            tests/fuzz/{problem,kernel_spec,npy}_fuzz.cpp)
object_of() { local f=${1//\//_}; echo "$out/obj/${f%.*}.o"; }
# Every source once, nproc compilers at a time (one object per file; the
# targets share them). set -e stops at the first compiler that fails.
mkdir -p "$out/obj"
for source in "${service_sources[@]}" "${protos[@]}" "${library_parsers[@]}" "${fuzz_mains[@]}"; do
  if (( $(jobs -rp | wc -l) >= $(nproc) )); then wait -n; fi
  clang++ "${flags[@]}" -c -o "$(object_of "$source")" "$source" &
done
for job in $(jobs -p); do wait "$job"; done
link() {  # name, sources (as objects) and libraries...
  local name=$1; shift
  local args=()
  for a in "$@"; do if [[ $a == *.cpp || $a == *.cc ]]; then args+=("$(object_of "$a")"); else args+=("$a"); fi; done
  clang++ -fsanitize=fuzzer,address,undefined -o "$out/$name" "${args[@]}"
}
link remote_write_fuzz service/fuzz/remote_write_fuzz.cpp service/src/remote_write.cpp service/src/write_request_builder.cpp \
  service/src/labels.cpp build/service/proto/remote.pb.cc -lprotobuf -lsnappy -lpthread
link selector_fuzz service/fuzz/selector_fuzz.cpp service/src/selector.cpp service/src/labels.cpp -lre2
link config_fuzz service/fuzz/config_fuzz.cpp service/src/config.cpp service/src/selector.cpp service/src/labels.cpp \
  build/libfaltung.a -lyaml-cpp -lre2 -lfftw3 -lfftw3f -lhwy -lpthread
link http_request_fuzz service/fuzz/http_request_fuzz.cpp "${service_sources[@]}" "${protos[@]}" build/libfaltung.a \
  -lcpp-httplib -lprotobuf -lsnappy -lyaml-cpp -lre2 -lssl -lcrypto -lz -lcrypt -lfftw3 -lfftw3f -lhwy -lpthread
library_libs=(build/libfaltung.a -lfftw3 -lfftw3f -lhwy -lpthread)
link problem_fuzz tests/fuzz/problem_fuzz.cpp src/core/problem.cpp src/core/text.cpp src/core/geometry.cpp "${library_libs[@]}"
link kernel_spec_fuzz tests/fuzz/kernel_spec_fuzz.cpp src/signal/kernels.cpp src/signal/spec.cpp "${library_libs[@]}"
link npy_fuzz tests/fuzz/npy_fuzz.cpp tools/faltung-bench/npy.cpp "${library_libs[@]}"
corpus_of() {  # a target's seed folder
  case $1 in
    problem_fuzz|kernel_spec_fuzz|npy_fuzz) echo "tests/fuzz/corpus/${1%_fuzz}" ;;
    *) echo "service/fuzz/corpus/${1%_fuzz}" ;;
  esac
}
for target in remote_write_fuzz selector_fuzz config_fuzz http_request_fuzz problem_fuzz kernel_spec_fuzz npy_fuzz; do
  corpus="$out/corpus-$target"
  rm -rf "$corpus"
  cp -r "$(corpus_of "$target")" "$corpus"
  echo "fuzzing $target for ${seconds}s"
  (cd "$out" && "./$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 \
      "corpus-$target" 2>&1 | grep -E "stat::number_of_executed_units|stat::new_units_added|==ERROR|SUMMARY|Test unit written" || true)
  (cd "$out" && "./$target" -runs=0 "corpus-$target" >/dev/null 2>&1) || { echo "$target: a finding (see above)"; exit 1; }
  if ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* >/dev/null 2>&1; then
    echo "$target: a finding: $(ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* 2>/dev/null)"; exit 1
  fi
done
# faltung detect's CSV reading (Python, atheris: pyproject's test extras)
if .venv/bin/python -c "import atheris, faltung" 2>/dev/null; then
  corpus="$out/corpus-detect_csv_fuzz"
  rm -rf "$corpus" "$out"/crash-* "$out"/timeout-*
  cp -r tests/fuzz/corpus/detect_csv "$corpus"
  echo "fuzzing detect_csv_fuzz for ${seconds}s"
  target=("$PWD/.venv/bin/python" "$PWD/tests/fuzz/detect_csv_fuzz.py")
  (cd "$out" && "${target[@]}" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 "corpus-detect_csv_fuzz" \
      2>&1 | grep -E "stat::number_of_executed_units|stat::new_units_added|Uncaught|Error|Test unit written" || true)
  (cd "$out" && "${target[@]}" -runs=0 "corpus-detect_csv_fuzz" >/dev/null 2>&1) || { echo "detect_csv_fuzz: a finding"; exit 1; }
  if ls "$out"/crash-* "$out"/timeout-* >/dev/null 2>&1; then
    echo "detect_csv_fuzz: a finding: $(ls "$out"/crash-* "$out"/timeout-* 2>/dev/null)"; exit 1
  fi
else
  echo "detect_csv_fuzz: skipped (no .venv with faltung and atheris: bash scripts/install_python.sh)"
fi
echo "fuzzing: no findings"
