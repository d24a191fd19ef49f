# Report tests driven by scripts: `initlab report` on the mini results folder, then the page checked in
# headless Chromium (every figure loaded, a screenshot taken), and the check shown to catch a missing
# figure. Registered only when Chromium is installed (scripts/setup.sh test installs it).
find_program(INITLAB_CHROMIUM NAMES chromium chromium-browser google-chrome)
find_program(INITLAB_GNUPLOT NAMES gnuplot)
if(TARGET initlab AND INITLAB_CHROMIUM AND INITLAB_GNUPLOT)
  set(report_out ${CMAKE_BINARY_DIR}/report-check)
  add_test(NAME report_page_shows_every_figure_in_chromium
    COMMAND bash -c [=[
set -e
exe=$1 out=$2 fixture=$3 check=$4
rm -rf "$out" "$out-broken"
"$exe" report --quiet --out "$out" "$fixture"
"$check" "$out/index.html" "$out/screenshot.png"
# The check must fail when a figure is missing.
cp -r "$out" "$out-broken"
rm "$out-broken/figures/loss.png"
if "$check" "$out-broken/index.html" "$out-broken/screenshot.png" 2> "$out-broken/check.err"; then
  echo "check-report.sh passed a page with a missing figure" >&2
  exit 1
fi
grep -q '6/7 loaded' "$out-broken/check.err"
echo "the check caught the missing figure: $(cat "$out-broken/check.err")"
]=] check-report $<TARGET_FILE:initlab> ${report_out} ${CMAKE_SOURCE_DIR}/tests/data/results-mini
      ${CMAKE_SOURCE_DIR}/scripts/check-report.sh)
  set_tests_properties(report_page_shows_every_figure_in_chromium PROPERTIES
    LABELS "report" TIMEOUT 300 ENVIRONMENT "CHROMIUM=${INITLAB_CHROMIUM}")
endif()
