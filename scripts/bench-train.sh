#!/usr/bin/env bash
# bench-train.sh - one run that times an initlab training step, its GEMM floor and the PyTorch peer.
#
#   scripts/bench-train.sh [options] RESULT.md
#
# Builds the benchmark program initlab-bench (Release, into ./build unless --build says otherwise), runs it
# for OpenBLAS threads 1 and 2, runs scripts/bench_torch.py for torch threads 1 and 2 (and once more at
# 2 threads with OMP_WAIT_POLICY=passive, see docs/benchmarks.md), prints a markdown report and writes it
# to RESULT.md; the raw rows go to RESULT.csv beside it. Nothing here passes or fails on speed: the numbers
# and how to read them are in docs/benchmarks.md. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left as the
# environment sets them.
#
# Options:
#   --build DIR       build folder (default: build)
#   --reps R          timed repetitions per measurement (default 7)
#   --warmup-ms MS    untimed warm-up per measurement (default 200)
#   --rep-ms MS       length of one repetition (default 100)
#   --no-parts        time only the floor and the whole step, not the step's pieces
#   --no-torch        skip the PyTorch peer
#   --python PATH     the Python with torch (default: $PYTHON, else the first of python3 and Debian's
#                     own python3 that can import torch)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$here/build"
reps=7
warmup_ms=200
rep_ms=100
parts=1
torch=1
python=${PYTHON:-}
out=

die() {
    echo "bench-train: error: $*" >&2
    exit 2
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --build) [ $# -ge 2 ] || die "--build needs a folder"; build=$2; shift 2 ;;
        --reps) [ $# -ge 2 ] || die "--reps needs a number"; reps=$2; shift 2 ;;
        --warmup-ms) [ $# -ge 2 ] || die "--warmup-ms needs a number"; warmup_ms=$2; shift 2 ;;
        --rep-ms) [ $# -ge 2 ] || die "--rep-ms needs a number"; rep_ms=$2; shift 2 ;;
        --no-parts) parts=0; shift ;;
        --no-torch) torch=0; shift ;;
        --python) [ $# -ge 2 ] || die "--python needs a path"; python=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) [ -z "$out" ] || die "only one result file, got '$out' and '$1'"; out=$1; shift ;;
    esac
done
[ -n "$out" ] || die "name the markdown file to write, e.g. scripts/bench-train.sh bench.md (see --help)"
case "$out" in *.md) csv="${out%.md}.csv" ;; *) csv="$out.csv" ;; esac
out_dir=$(dirname "$out")
if [ ! -d "$out_dir" ] || [ ! -w "$out_dir" ]; then
    die "cannot write the result file '$out': folder '$out_dir' is missing or read-only"
fi

# ---- build ------------------------------------------------------------------------------------------
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# The program comes from tests/bench.cmake: it needs INITLAB_TESTS and INITLAB_BENCH on (both default).
cmake --build "$build" --target initlab-bench -j 2 >/dev/null ||
    die "could not build initlab-bench in $build (are INITLAB_TESTS and INITLAB_BENCH on there?)"
bench="$build/bench/initlab-bench"
[ -x "$bench" ] || die "the build did not produce $bench"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
build_note=
case "$build_type" in
    Release|RelWithDebInfo) ;;
    *) build_note="warning: the build in $build is '${build_type:-no type}', not Release: its times say little about initlab's speed." ;;
esac
[ -z "$build_note" ] || echo "bench-train: $build_note" >&2

# ---- the PyTorch peer's interpreter -----------------------------------------------------------------
torch_note=
if [ "$torch" = 1 ]; then
    if [ -z "$python" ]; then
        # Debian's python3-torch lives in Debian's own interpreter, which another python3 found first on
        # PATH (a virtual environment, a version manager) may hide.
        for candidate in python3 /usr/bin/python3; do
            if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import torch' 2>/dev/null; then
                python=$candidate
                break
            fi
        done
    fi
    if [ -z "$python" ] || ! "$python" -c 'import torch' 2>/dev/null; then
        torch=0
        if [ -n "$python" ]; then
            torch_note="PyTorch peer not measured: '$python' cannot import torch (install python3-torch)."
        else
            torch_note="PyTorch peer not measured: no python3 here can import torch (install python3-torch or pass --python)."
        fi
        echo "bench-train: $torch_note" >&2
    fi
fi

# ---- measure ----------------------------------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
common=(--reps "$reps" --warmup-ms "$warmup_ms" --rep-ms "$rep_ms")
part_flag=()
[ "$parts" = 1 ] || part_flag=(--no-parts)

echo "bench-train: initlab and its GEMM floor, OpenBLAS threads 1 and 2 ..." >&2
"$bench" --threads 1,2 "${common[@]}" "${part_flag[@]}" >"$tmp/rows.csv"
if [ "$torch" = 1 ]; then
    for t in 1 2; do
        echo "bench-train: PyTorch, $t thread(s) ..." >&2
        OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t "$python" "$here/scripts/bench_torch.py" --threads "$t" \
            "${common[@]}" --no-header >>"$tmp/rows.csv"
    done
    echo "bench-train: PyTorch, 2 threads, OMP_WAIT_POLICY=passive ..." >&2
    OMP_WAIT_POLICY=passive OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$python" \
        "$here/scripts/bench_torch.py" --threads 2 --impl torch-passive "${common[@]}" --no-header \
        >>"$tmp/rows.csv"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
grep -v '^#' "$tmp/rows.csv" >"$tmp/rows-only.csv"

# ---- report -----------------------------------------------------------------------------------------
# The rows' columns: 1 impl, 2 part, 3 net, 4 batch, 5 threads, 6 steps_per_rep, 7 reps, 8 median_ms,
# 9 min_ms, 10 max_ms, 11 cpu_ms, 12 ratio_to_floor, 13 flops_per_step.
report_awk=$(cat <<'AWK'
# Microseconds with about three significant digits.
function us(ms,   v) { v = ms * 1000; return v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v) }
function x(r) { return r >= 10 ? sprintf("%.1f", r) : sprintf("%.2f", r) }
$1 == "impl" { next }
{
    shape = $3 " @" $4
    if (!(shape in seen_shape)) { seen_shape[shape] = 1; shapes[++n_shapes] = shape; batch[shape] = $4 }
    if (!(($5) in seen_threads)) { seen_threads[$5] = 1; threads[++n_threads] = $5 }
    key = $1 SUBSEP $2 SUBSEP shape SUBSEP $5
    med[key] = $8; lo[key] = $9; hi[key] = $10; cpu[key] = $11; ratio[key] = $12; flops[key] = $13
    if (!($1 in seen_impl)) { seen_impl[$1] = 1; impls[++n_impls] = $1 }
}
END {
    print "## One SGD step"
    print ""
    print "Times in microseconds per step. x floor: the step's time over the GEMM floor's (initlab: median of"
    print "the ratio within each repetition; ~ marks a ratio of medians measured at different moments)."
    print ""
    print "| net @ batch | threads | what | median us | min us | max us | CPU us | steps/s | examples/s | GFLOP/s | x floor | CPU x floor |"
    print "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (s = 1; s <= n_shapes; s++) for (t = 1; t <= n_threads; t++) for (i = 1; i <= n_impls; i++) {
        k = impls[i] SUBSEP "step" SUBSEP shapes[s] SUBSEP threads[t]
        if (!(k in med)) continue
        f = "floor" SUBSEP "step" SUBSEP shapes[s] SUBSEP threads[t]
        r = ratio[k] != "" ? x(ratio[k]) : (f in med ? "~" x(med[k] / med[f]) : "")
        c = f in cpu && cpu[f] > 0 ? x(cpu[k] / cpu[f]) : ""
        printf "| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f | %.1f | %s | %s |\n", shapes[s], threads[t],
            impls[i], us(med[k]), us(lo[k]), us(hi[k]), us(cpu[k]), 1000 / med[k],
            1000 * batch[shapes[s]] / med[k], flops[k] / med[k] / 1e6, r, c
    }
    if (("torch" in seen_impl) || ("torch-passive" in seen_impl)) {
        print ""
        print "## initlab against PyTorch"
        print ""
        print "Ratio of median times: above 1 means torch takes longer than initlab."
        print ""
        print "| net @ batch | threads | initlab us | torch us | torch / initlab | torch passive us | passive / initlab |"
        print "|---|---:|---:|---:|---:|---:|---:|"
        for (s = 1; s <= n_shapes; s++) for (t = 1; t <= n_threads; t++) {
            k = "initlab" SUBSEP "step" SUBSEP shapes[s] SUBSEP threads[t]
            if (!(k in med)) continue
            p = "torch" SUBSEP "step" SUBSEP shapes[s] SUBSEP threads[t]
            q = "torch-passive" SUBSEP "step" SUBSEP shapes[s] SUBSEP threads[t]
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", shapes[s], threads[t], us(med[k]),
                p in med ? us(med[p]) : "", p in med ? x(med[p] / med[k]) : "",
                q in med ? us(med[q]) : "", q in med ? x(med[q] / med[k]) : ""
        }
    }
    # The targets (docs/benchmarks.md says why these): read, never enforced. CPU time at one thread, so
    # that other programs on the machine do not decide the verdict.
    print ""
    print "## Targets (one OpenBLAS / torch thread, CPU time)"
    print ""
    print "| target | measured | verdict |"
    print "|---|---:|---|"
    for (s = 1; s <= n_shapes; s++) {
        k = "initlab" SUBSEP "step" SUBSEP shapes[s] SUBSEP "1"
        f = "floor" SUBSEP "step" SUBSEP shapes[s] SUBSEP "1"
        p = "torch" SUBSEP "step" SUBSEP shapes[s] SUBSEP "1"
        if (!(k in cpu) || !(f in cpu)) continue
        if (shapes[s] ~ /^784-/) {
            r = cpu[k] / cpu[f]
            printf "| %s: initlab step <= 1.5 x GEMM floor | %s x | %s |\n", shapes[s], x(r), (r <= 1.5 ? "met" : "missed")
            if (p in cpu) {
                r = cpu[p] / cpu[k]
                printf "| %s: initlab step no slower than torch's | torch / initlab %s | %s |\n", shapes[s], x(r),
                    (r >= 1 ? "met" : "missed")
            }
        } else {
            r = 1000 / cpu[k]
            printf "| %s: at least 50000 initlab steps/s | %.0f steps/s | %s |\n", shapes[s], r, (r >= 50000 ? "met" : "missed")
        }
    }
    if (("initlab" SUBSEP "sgd" SUBSEP shapes[1] SUBSEP threads[1]) in med) {
        print ""
        print "## Where initlab's step goes"
        print ""
        print "Each piece timed alone, in the same repetitions as the step: median microseconds, and in"
        print "brackets its share of the step (median ratio to the floor in the same repetition, divided by the"
        print "step's). gemm-*: the floor's products alone; forward and backward include them."
        print ""
        header = "| net @ batch | threads | step us |"
        rule = "|---|---:|---:|"
        n_parts = split("gemm-forward gemm-dw gemm-dx gather forward loss backward finite-check sgd", part, " ")
        for (j = 1; j <= n_parts; j++) { header = header " " part[j] " |"; rule = rule "---:|" }
        print header
        print rule
        for (s = 1; s <= n_shapes; s++) for (t = 1; t <= n_threads; t++) {
            k = "initlab" SUBSEP "step" SUBSEP shapes[s] SUBSEP threads[t]
            if (!(k in med)) continue
            line = "| " shapes[s] " | " threads[t] " | " us(med[k]) " |"
            for (j = 1; j <= n_parts; j++) {
                impl = part[j] ~ /^gemm-/ ? "floor" : "initlab"
                pk = impl SUBSEP part[j] SUBSEP shapes[s] SUBSEP threads[t]
                line = line (pk in med ? sprintf(" %s (%.0f%%) |", us(med[pk]), 100 * ratio[pk] / ratio[k]) : " |")
            }
            print line
        }
    }
}
AWK
)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
    echo "# initlab training-step benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: ${cpu:-unknown CPU}, $(nproc) cores," \
        "$(uname -s) $(uname -m); build: ${build_type:-unknown}"
    echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after" \
        "(above 0 means other programs shared the cores: read medians, and CPU ms)"
    [ -z "$build_note" ] || echo "- $build_note"
    [ -z "$torch_note" ] || echo "- $torch_note"
    sed -n 's/^# /- /p' "$tmp/rows.csv"
    echo
    awk -F, "$report_awk" "$tmp/rows-only.csv"
    echo
    echo "Raw rows (milliseconds per step): $(basename "$csv"). How to read every column: docs/benchmarks.md."
} >"$tmp/report.md"
# Both files appear whole or not at all.
cp "$tmp/rows-only.csv" "$csv.part" && mv "$csv.part" "$csv"
cp "$tmp/report.md" "$out.part" && mv "$out.part" "$out"
cat "$out"
