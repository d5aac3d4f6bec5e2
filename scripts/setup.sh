#!/usr/bin/env bash
# Installs every build and test dependency of faltung from Debian 12 packages.
# Idempotent: running it twice is harmless. Needs root (or sudo).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libhwy-dev            # Google Highway: portable SIMD with run-time dispatch
  libfftw3-dev          # FFTW3 (float and double): the FFT methods
  libeigen3-dev         # Eigen: least squares for kernels and deconvolution
  libgtest-dev          # GoogleTest
  libbenchmark-dev      # Google Benchmark (bench/kernels_bench.cpp)
  nlohmann-json3-dev    # golden.json and JSON lines in tests and faltung-bench
  libcli11-dev          # faltung-bench command line
  python3               # dependency-rule check, the Python package
  python3-venv          # the project's .venv (scripts/install_python.sh)
  python3-dev           # Python headers for the extension module
  libprotobuf-dev protobuf-compiler  # faltungd: remote-write protobuf messages
  libsnappy-dev         # faltungd: remote write's snappy block format
  libyaml-cpp-dev       # faltungd: the configuration file
  libre2-dev            # faltungd: PromQL regex matchers (RE2, as Prometheus)
  libcpp-httplib-dev    # faltungd: HTTP (and TLS) server and client
  zlib1g-dev            # faltungd: CRC-32 of the write-ahead log's records
  libssl-dev openssl    # faltungd: TLS; openssl makes the test certificates
  clang libclang-rt-14-dev  # faltungd's fuzz targets (libFuzzer, sanitizers): scripts/fuzz.sh
  clang-format          # the house style: scripts/check_format.sh (ctest format_check)
  clang-tidy            # scripts/tidy.sh (CI)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Prometheus and Alertmanager (Debian's packages) for faltungd's tests:
# promtool checks deploy/'s alerting rules, and the end-to-end tests start
# both on loopback. The packages would start their servers on install; a
# policy-rc.d that refuses service starts keeps this script side-effect free.
if ! command -v promtool >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus \
    prometheus-alertmanager
  if [ "$made_policy" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi
