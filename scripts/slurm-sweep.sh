#!/usr/bin/env bash
# slurm-sweep.sh - spread one initlab experiment over a cluster with a Slurm job array, then merge.
#
#   sbatch --array=1-8 scripts/slurm-sweep.sh experiments/esl-sigmoids.ini sweeps/esl
#
# Array task K of N runs slice K/N of the plan (--shard K/N: plan indices with index mod N = K-1) into
# SWEEP/slice-K, with one job per CPU Slurm gave the task. --resume makes a requeued or re-submitted task
# continue where it stopped instead of starting over; finished runs are never redone. The last task to
# finish merges every slice into SWEEP/merged (byte-identical to one unsharded run); if that merge was
# premature or failed, run it by hand:
#
#   initlab merge --out SWEEP/merged SWEEP/slice-*
#
# Environment: INITLAB (default: initlab on PATH). Results are described in docs/results.md.
#SBATCH --job-name=initlab-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
#SBATCH --output=%x-%A_%a.out
#SBATCH --requeue
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: sbatch --array=1-N $0 EXPERIMENT.ini SWEEP_DIR" >&2
  exit 2
fi
experiment=$1
sweep=$2
initlab=${INITLAB:-initlab}
k=${SLURM_ARRAY_TASK_ID:?run this through sbatch --array=1-N}
n=${SLURM_ARRAY_TASK_COUNT:?run this through sbatch --array=1-N}
jobs=${SLURM_CPUS_PER_TASK:-1}

mkdir -p "$sweep"
"$initlab" run "$experiment" --shard "$k/$n" --jobs "$jobs" --out "$sweep/slice-$k" --resume

# Count finished slices under a lock; the task that completes the set merges them.
exec 9>>"$sweep/.merge.lock"
flock 9
echo "$k" >>"$sweep/.slices-done"
done_count=$(sort -u "$sweep/.slices-done" | wc -l)
if [ "$done_count" -eq "$n" ] && [ ! -e "$sweep/merged" ]; then
  slices=()
  for i in $(seq 1 "$n"); do slices+=("$sweep/slice-$i"); done
  "$initlab" merge --out "$sweep/merged" "${slices[@]}" # prints the summary table into this task's log
fi
