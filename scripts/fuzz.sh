#!/usr/bin/env bash
# Builds faltungd's fuzz targets (remote-write decoding, selectors, the
# configuration, and whole HTTP requests through the server) with clang's libFuzzer (plus AddressSanitizer
# and UBSan) and runs each for a bounded time over its seed corpus
# (service/fuzz/corpus/). Needs the CMake build in build/ (for the generated
# protobuf code and libfaltung.a). Exits non-zero on any finding.
#   bash scripts/fuzz.sh [seconds-per-target]      (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
out=build/fuzz
mkdir -p "$out"
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
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
for target in remote_write_fuzz selector_fuzz config_fuzz http_request_fuzz; do
  corpus="$out/corpus-$target"
  rm -rf "$corpus"
  cp -r "service/fuzz/corpus/${target%_fuzz}" "$corpus"
  echo "fuzzing $target for ${seconds}s"
  (cd "$out" && "./$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 \
      "corpus-$target" 2>&1 | grep -E "stat::number_of_executed_units|stat::new_units_added|==ERROR|SUMMARY|Test unit written" || true)
  (cd "$out" && "./$target" -runs=0 "corpus-$target" >/dev/null 2>&1) || { echo "$target: a finding (see above)"; exit 1; }
  if ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* >/dev/null 2>&1; then
    echo "$target: a finding: $(ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* 2>/dev/null)"; exit 1
  fi
done
echo "fuzzing: no findings"
