#!/usr/bin/env bash
# run-fuzzers.sh BUILD_DIR SECONDS - run every libFuzzer target of a build configured with
# -DINITLAB_FUZZ=ON (BUILD_DIR/tests/fuzz/fuzz_*) for SECONDS each, starting from its seed corpus
# tests/fuzz/corpus/<target>/ (which it never modifies). Fails at the first crash, leak, timeout or
# sanitizer report; the input that caused it is kept in BUILD_DIR/fuzz-artifacts/ and the fuzzer's
# output in BUILD_DIR/fuzz-artifacts/<target>.log.
#
# The mutations follow a fixed seed (FUZZ_SEED, default 1), so the test command tries the same inputs on
# every run and a finding reproduces; explore further with another seed or more seconds, e.g.
#   FUZZ_SEED=0 scripts/run-fuzzers.sh build-fuzz 600     (0: libFuzzer picks a seed of its own)
#
#   reproduce a failure:  BUILD_DIR/tests/fuzz/fuzz_csv BUILD_DIR/fuzz-artifacts/fuzz_csv-crash-...
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
case "$seconds" in '' | *[!0-9]*) echo "run-fuzzers: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_seed=${FUZZ_SEED:-1}
case "$fuzz_seed" in '' | *[!0-9]*) echo "run-fuzzers: FUZZ_SEED must be a whole number, got '$fuzz_seed'" >&2; exit 2 ;; esac
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} # no BLAS thread pool inside a fuzzer

targets=()
for t in "$build"/tests/fuzz/fuzz_*; do
  [ -f "$t" ] && [ -x "$t" ] && targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "run-fuzzers: no fuzz targets in $build/tests/fuzz (configure with -DINITLAB_FUZZ=ON -DCMAKE_C_COMPILER=clang and build)" >&2
  exit 1
fi

artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
failed=0
for t in "${targets[@]}"; do
  name=$(basename "$t")
  seeds=$here/tests/fuzz/corpus/$name
  work=$build/fuzz-work/$name # new inputs found this run; the seeds stay as committed
  rm -rf "$work"
  mkdir -p "$work"
  corpora=("$work")
  [ -d "$seeds" ] && corpora+=("$seeds")
  log=$artifacts/$name.log
  echo "run-fuzzers: $name for ${seconds}s (seeds: ${seeds#"$here"/})"
  if "$t" -seed="$fuzz_seed" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$name-" "${corpora[@]}" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$log" | sed "s/^/  /" || true
  else
    echo "run-fuzzers: $name FAILED; the end of $log:" >&2
    tail -n 40 "$log" >&2
    failed=1
  fi
done
exit $failed
