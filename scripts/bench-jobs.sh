#!/usr/bin/env bash
# bench-jobs.sh - wall time of an experiment (default: the embedded default one) with --jobs 1 and
# --jobs 2, and their ratio. The target on a 2-core machine is a ratio of at most 0.6.
#
#   scripts/bench-jobs.sh [EXPERIMENT.ini] [RUNS]
#
# Uses hyperfine when installed (RUNS measured runs after one warm-up, medians reported), otherwise
# times RUNS invocations of each with `date` and reports the medians. Each invocation writes into a
# fresh folder under a temporary directory that is removed at the end. Env: INITLAB (default: the
# build tree's ./build/initlab, else initlab on PATH).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
experiment=${1:-}
runs=${2:-5}
initlab=${INITLAB:-}
if [ -z "$initlab" ]; then
  if [ -x "$here/build/initlab" ]; then initlab=$here/build/initlab; else initlab=initlab; fi
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

command_for() { # jobs -> the command line, writing into $scratch/out-<jobs>
  echo "$initlab run $experiment --jobs $1 --out $scratch/out-$1 --no-timing"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "initlab: $initlab"
echo "experiment: ${experiment:-the default experiment}"
echo "cores: $(nproc)"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs "$runs" --export-json "$scratch/times.json" \
    --prepare "rm -rf $scratch/out-1 $scratch/out-2" \
    -n "jobs 1" "$(command_for 1) >/dev/null" -n "jobs 2" "$(command_for 2) >/dev/null"
  t1=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(r[0]['median'])" "$scratch/times.json")
  t2=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(r[1]['median'])" "$scratch/times.json")
else
  for j in 1 2; do
    : >"$scratch/times-$j"
    for _ in $(seq 1 "$runs"); do
      rm -rf "$scratch/out-$j"
      start=$(date +%s.%N)
      $(command_for "$j") >/dev/null 2>"$scratch/stderr" || {
        echo "bench-jobs: failed: $(command_for "$j")" >&2
        cat "$scratch/stderr" >&2
        exit 1
      }
      end=$(date +%s.%N)
      echo "$end - $start" | bc -l >>"$scratch/times-$j"
    done
  done
  t1=$(median <"$scratch/times-1")
  t2=$(median <"$scratch/times-2")
fi
printf 'median seconds: jobs 1 = %.3f, jobs 2 = %.3f, ratio jobs2/jobs1 = %.3f (target <= 0.6)\n' \
  "$t1" "$t2" "$(echo "$t2 / $t1" | bc -l)"
