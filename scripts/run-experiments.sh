#!/usr/bin/env bash
# run-experiments.sh - run every teaching experiment in experiments/, draw its report, and check the page
# in headless Chromium (when installed): the whole course in one command.
#
#   scripts/run-experiments.sh [OUT_DIR] [--skip-big]
#
# OUT_DIR (default results/experiments) gets one results folder per experiment, each with report/index.html
# and report/screenshot.png. --skip-big leaves out the *-big.ini variants (minutes each on a laptop).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-results/experiments}
skip_big=0
[ "${2:-}" = "--skip-big" ] && skip_big=1
exe=${INITLAB:-$here/build/initlab}
[ -x "$exe" ] || { echo "run-experiments: $exe not found: build first (./scripts/setup.sh build)" >&2; exit 2; }
mkdir -p "$out"
have_browser=0
command -v chromium >/dev/null 2>&1 && have_browser=1
status=0
for ini in "$here"/experiments/*.ini; do
  name=$(basename "$ini" .ini)
  case "$name" in *-big) [ $skip_big = 1 ] && continue ;; esac
  dir="$out/$name"
  if [ -f "$dir/runs.csv" ]; then
    echo "== $name: already in $dir (kept)"
  else
    echo "== $name"
    start=$(date +%s)
    "$exe" run "$ini" --out "$dir" --quiet > "$out/$name.summary.txt" || { status=1; echo "   run FAILED"; continue; }
    echo "   ran in $(( $(date +%s) - start )) s; summary: $out/$name.summary.txt"
  fi
  "$exe" report --quiet "$dir" > /dev/null || { status=1; echo "   report FAILED"; continue; }
  if [ $have_browser = 1 ]; then
    if "$here/scripts/check-report.sh" "$dir/report/index.html" "$dir/report/screenshot.png" > "$dir/report/check.txt" 2>&1; then
      echo "   report: $dir/report/index.html ($(grep -o '[0-9]*/[0-9]* loaded' "$dir/report/check.txt" | head -1))"
    else
      status=1; echo "   report check FAILED: $(cat "$dir/report/check.txt")"
    fi
  else
    echo "   report: $dir/report/index.html (no Chromium: page not checked)"
  fi
done
exit $status
