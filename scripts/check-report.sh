#!/usr/bin/env bash
# check-report.sh - load a report's index.html in headless Chromium, check that every figure loaded and
# take a screenshot of the page.
#
#   scripts/check-report.sh REPORT_DIR/index.html SCREENSHOT.png
#
# The page counts its own images after loading and writes the result into <body data-figures="N/M
# loaded">; this script reads that from the DOM Chromium dumps. Exit 0 when every figure loaded and the
# screenshot was written, 1 when a figure did not load or the page could not be read, 2 for a usage
# mistake or when no Chromium is installed (Debian: apt-get install chromium).
set -euo pipefail

usage() {
  echo "usage: $0 REPORT_DIR/index.html SCREENSHOT.png" >&2
  exit 2
}
[ $# -eq 2 ] || usage
page=$1
shot=$2
[ -f "$page" ] || { echo "check-report: $page: no such file (make it with: initlab report RESULTS_DIR)" >&2; exit 1; }

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then browser=$name; break; fi
  done
fi
[ -n "$browser" ] || { echo "check-report: no Chromium found (install it, e.g. apt-get install chromium, or set CHROMIUM)" >&2; exit 2; }

url="file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# A fresh profile and no network features: the page must stand on its own, offline.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --disable-dev-shm-usage --hide-scrollbars
  "--user-data-dir=$profile" --virtual-time-budget=5000)

dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null) || {
  echo "check-report: $browser could not load $url" >&2
  exit 1
}
status=$(printf '%s' "$dom" | grep -o 'data-figures="[^"]*"' | head -n 1 | sed 's/^data-figures="//; s/"$//')
if [ -z "$status" ]; then
  echo "check-report: $url has no data-figures attribute: not a page written by initlab report" >&2
  exit 1
fi
loaded=${status%%/*}
rest=${status#*/}
total=${rest%% *}
case "$status" in
  *" loaded") ;;
  *) echo "check-report: the page did not finish its figure check ($status)" >&2; exit 1 ;;
esac
if [ "$total" -eq 0 ] || [ "$loaded" != "$total" ]; then
  echo "check-report: $status figures in $url" >&2
  exit 1
fi

rm -f "$shot"
timeout 120 "$browser" "${flags[@]}" "--screenshot=$shot" --window-size=1280,2400 "$url" >/dev/null 2>&1 || true
if [ ! -s "$shot" ] || [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
  echo "check-report: $browser wrote no PNG screenshot to $shot" >&2
  exit 1
fi
echo "check-report: $status figures; screenshot $shot"
