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
       -Iinclude -Iservice/src -Ibuild/service)
build() {  # name, sources and libraries...
  local name=$1; shift
  clang++ "${flags[@]}" -o "$out/$name" "service/fuzz/$name.cpp" "$@"
}
build remote_write_fuzz service/src/remote_write.cpp service/src/write_request_builder.cpp service/src/labels.cpp \
  build/service/proto/remote.pb.cc \
  -lprotobuf -lsnappy -lpthread
build selector_fuzz service/src/selector.cpp service/src/labels.cpp -lre2
build config_fuzz service/src/config.cpp service/src/selector.cpp service/src/labels.cpp build/libfaltung.a \
  -lyaml-cpp -lre2 -lfftw3 -lfftw3f -lhwy -lpthread
# the whole service but its main(): the HTTP request path end to end
service_sources=()
for f in service/src/*.cpp; do [[ $f == service/src/main.cpp ]] || service_sources+=("$f"); done
build http_request_fuzz "${service_sources[@]}" build/service/proto/remote.pb.cc build/service/proto/checkpoint.pb.cc \
  build/libfaltung.a $(pkg-config --cflags cpp-httplib) -lcpp-httplib -lprotobuf -lsnappy -lyaml-cpp -lre2 \
  -lssl -lcrypto -lz -lcrypt -lfftw3 -lfftw3f -lhwy -lpthread
# the library's parsers: problem strings, kernel specs, faltung-bench's .npy reader
build_library() {  # name, sources (compiled instrumented; the rest from libfaltung.a)
  local name=$1; shift
  clang++ "${flags[@]}" -Isrc -Itools/faltung-bench -I/usr/include/eigen3 -o "$out/$name" "tests/fuzz/$name.cpp" "$@" build/libfaltung.a \
    -lfftw3 -lfftw3f -lhwy -lpthread
}
build_library problem_fuzz src/core/problem.cpp src/core/text.cpp src/core/geometry.cpp
build_library kernel_spec_fuzz src/signal/kernels.cpp src/signal/spec.cpp
build_library npy_fuzz tools/faltung-bench/npy.cpp
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
