#!/usr/bin/env bash
# setup.sh - from a fresh Debian 12 machine to results in one command.
#
#   ./scripts/setup.sh run    install what is missing, build, run the default experiment
#   ./scripts/setup.sh test   install what is missing, build, run the whole test suite
#   ./scripts/setup.sh deps   only install the Debian packages
#   ./scripts/setup.sh build  only build (into ./build)
#
# Packages come from Debian's archive with apt-get (as root, or through sudo). Building uses cmake; the
# test mode builds with warnings as errors and runs the whole suite (valgrind memcheck of train and run
# included), then the whole suite again under AddressSanitizer + UBSan, then every fuzzer for a bounded
# time. docs/testing.md describes each step.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
mode=${1:-run}
jobs=$(nproc 2>/dev/null || echo 2)

# Libraries and tools the build and the main job need.
core_packages=(build-essential cmake pkg-config libopenblas-dev libcmocka-dev libstb-dev zlib1g-dev
  libinih-dev gnuplot-nox fonts-dejavu-core dataset-fashion-mnist)
# Extra for the full test suite: clang's libFuzzer and sanitizers, valgrind for the memcheck pass, a
# browser to check the HTML report, a spreadsheet to check that the CSVs open as numbers, and PyTorch for
# the cross-check of the first loss (tests/claims/test_claims_exact_loss.c).
test_packages=(clang libclang-rt-14-dev valgrind chromium libreoffice-calc-nogui python3-torch)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else
    echo "setup: need root to install packages: run as root or install sudo" >&2
    exit 1
  fi
}

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

build() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

case "$mode" in
  deps)
    install_missing "${core_packages[@]}" "${test_packages[@]}"
    ;;
  build)
    install_missing "${core_packages[@]}"
    build build
    ;;
  run)
    install_missing "${core_packages[@]}"
    build build
    ./build/initlab run
    ;;
  test)
    install_missing "${core_packages[@]}" "${test_packages[@]}"
    # 1. The whole suite, warnings as errors; label memcheck runs train, eval and a small run under
    #    valgrind (about a minute).
    build build -DINITLAB_WERROR=ON
    ctest --test-dir build --output-on-failure -j "$jobs"
    # 2. The whole suite again under AddressSanitizer and UBSan: every label but fuzz (a build of its
    #    own, step 3). memcheck and bench are not registered in a sanitizer build (valgrind cannot run a
    #    sanitized program; the benchmark is never a test), and the allocation-counting checks of
    #    test_no_allocation skip themselves there (the sanitizer's allocator takes the place of the
    #    counting one); everything else runs. 2 to 5 minutes on 2 cores, most of it the acceptance
    #    tests training on Fashion-MNIST.
    build build-asan -DINITLAB_WERROR=ON -DINITLAB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
    ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE fuzz
    # 3. Every parser under libFuzzer for a bounded time (about 4 minutes in all).
    build build-fuzz -DINITLAB_WERROR=ON -DINITLAB_FUZZ=ON -DINITLAB_TESTS=ON -DCMAKE_C_COMPILER=clang
    ctest --test-dir build-fuzz --output-on-failure -L fuzz
    ;;
  *)
    echo "usage: $0 run|test|deps|build" >&2
    exit 2
    ;;
esac
