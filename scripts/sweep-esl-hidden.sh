#!/bin/sh
# sweep-esl-hidden.sh - ESL 11.6 (Figures 11.6-11.8): test error relative to the Bayes error against the
# number of hidden units, with and without weight decay, over the random starts of an experiment file.
# Runs `initlab run --set network.hidden=K --set training.weight_decay=L FILE` for every K and L, one
# results folder each (initlab's own output in <folder>.log), and collects relative_test_error from their runs.csv into two tables:
#   OUT/relative_test_error.csv          hidden_units, weight_decay, esl_lambda, seed, relative_test_error
#   OUT/relative_test_error_summary.csv  hidden_units, weight_decay, esl_lambda, starts, min, median, max, mean
# esl_lambda is the same decay on ESL's scale: ESL penalizes the SUM of squared errors, initlab half
# their MEAN, so ESL's lambda = initlab's lambda * 2 * (training examples).
#
# Usage: scripts/sweep-esl-hidden.sh EXPERIMENT.ini [OUT]      (OUT defaults to results/sweep-<name>)
# Environment: INITLAB (the program, default: initlab), HIDDEN (default "0 1 2 3 4 5 6 7 8 9 10"),
#   DECAYS (default "0 0.0000025 0.0005", i.e. ESL's 0, 0.0005 and 0.1 with 100 training examples),
#   TRAIN (training examples, for esl_lambda; default 100), JOBS (default: initlab's choice).
# Example: scripts/sweep-esl-hidden.sh experiments/06-hidden-units-weight-decay.ini
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 EXPERIMENT.ini [OUT]" >&2
    exit 2
fi
ini=$1
if [ ! -r "$ini" ]; then
    echo "$0: cannot read the experiment file '$ini'" >&2
    exit 2
fi
name=$(basename "$ini" .ini)
out=${2:-results/sweep-$name}
initlab=${INITLAB:-initlab}
hidden=${HIDDEN:-0 1 2 3 4 5 6 7 8 9 10}
decays=${DECAYS:-0 0.0000025 0.0005}
train=${TRAIN:-100}
jobs=${JOBS:+--jobs $JOBS}

if [ -e "$out/relative_test_error.csv" ]; then
    echo "$0: $out already holds a sweep; give another OUT or remove it" >&2
    exit 2
fi
mkdir -p "$out/runs"
table=$out/relative_test_error.csv
echo "hidden_units,weight_decay,esl_lambda,seed,relative_test_error" > "$table.tmp"

for l in $decays; do
    esl=$(awk -v l="$l" -v n="$train" 'BEGIN { printf "%.6g", l * 2 * n }')
    for k in $hidden; do
        dir=$out/runs/hidden$k-decay$l
        echo "hidden units $k, weight decay $l (ESL lambda $esl) -> $dir"
        # shellcheck disable=SC2086 # $jobs is empty or two words on purpose
        "$initlab" run --out "$dir" $jobs \
            --set "network.hidden=$k" --set "training.weight_decay=$l" "$ini" > "$dir.log"
        # the columns by name, so the table does not depend on their order in runs.csv
        awk -F, -v k="$k" -v l="$l" -v esl="$esl" '
            NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
            { print k "," l "," esl "," $col["seed"] "," $col["relative_test_error"] }' \
            "$dir/runs.csv" >> "$table.tmp"
    done
done
mv "$table.tmp" "$table"

# Summary per setting: sort each setting's errors (an empty cell, a diverged start, sorts last as the
# worst), then min, median, max and mean of the finished ones.
summary=$out/relative_test_error_summary.csv
{
    echo "hidden_units,weight_decay,esl_lambda,starts,min,median,max,mean"
    tail -n +2 "$table" | awk -F, '{ print $1 "," $2 "," $3 "," ($5 == "" ? "inf" : $5) }' |
        sort -t, -k2,2g -k1,1n -k4,4g |
        awk -F, '
            function flush() {
                if (n == 0) return
                m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                printf "%s,%s,%s,%d,%.6g,%.6g,%.6g,%.6g\n", key_k, key_l, key_e, n, v[1], m, v[n], s / n
                n = 0; s = 0
            }
            $1 "," $2 != key { flush(); key = $1 "," $2; key_k = $1; key_l = $2; key_e = $3 }
            { v[++n] = $4; s += $4 }
            END { flush() }'
} > "$summary.tmp"
mv "$summary.tmp" "$summary"
echo "wrote $table and $summary"
column -s, -t < "$summary" 2>/dev/null || cat "$summary"
