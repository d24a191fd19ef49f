/* runner.h - run an experiment: every initializer x every seed, in parallel worker processes, into the
 * run folders of one results folder. What is made from the folder afterwards (the merged files, the
 * merge of slice folders, the summary) is in results.h, a layer above: the runner never calls it.
 *
 * Fairness is the contract: for a given seed every initializer sees the same training set, the same
 * example order, the same mini-batches and the same probe samples; only the starting weights differ.
 * Each comes from its own random stream of the run's seed (il_rng: IL_STREAM_INIT for the weights,
 * IL_STREAM_DATA for the order, IL_STREAM_PROBE for the probe samples).
 * The files on disk and every column are described in docs/results.md. The library prints nothing:
 * progress goes to a callback.
 *
 *     il_runner_options opt;
 *     il_runner_options_default(&opt);
 *     opt.jobs = 2;
 *     il_run_report report;
 *     il_error err;
 *     il_status st = il_run_experiment(&exp, &opt, &report, &err);
 *     // then, when report.folder_ready, il_results_collect (results.h) writes the merged files
 */
#ifndef INITLAB_RUNNER_H
#define INITLAB_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/net.h"
#include "initlab/probe.h"
#include "initlab/status.h"

/* ---- the plan ---------------------------------------------------------------------------------------
 * The plan is every (init, seed) pair in SEED-MAJOR order: index = seed_index * n_inits + init_index,
 * so after the first n_inits runs every initializer has a result (useful when a sweep is stopped early).
 * A run's id is "<init label>__seed<seed>" (characters other than letters, digits, '.', '-' and '_' in
 * the label become '_'); it names the run's folder runs/<id>/. */

typedef struct {
    size_t index;      /* position in the plan */
    size_t init_index; /* into exp->inits */
    size_t seed_index; /* into exp->seeds */
    uint64_t seed;
    char id[IL_NAME_MAX + 32];
} il_plan_run;

/* Number of runs in the plan: n_inits * n_seeds. */
size_t il_plan_size(const il_experiment *exp);
/* The run at plan position index (< il_plan_size). */
void il_plan_get(const il_experiment *exp, size_t index, il_plan_run *run);
/* Whether plan position index belongs to slice k of n (1 <= k <= n): round-robin, index % n == k - 1,
 * so every slice gets a mix of initializers and seeds. */
int il_plan_in_shard(size_t index, size_t shard_k, size_t shard_n);

/* Order of the n training examples in epoch `epoch` (1-based) of every run with this seed: epoch
 * il_epoch_order_next calls (train.h: reset to 0..n-1, then a Fisher-Yates shuffle) on the seed's
 * IL_STREAM_DATA stream, which continues from epoch to epoch. Mini-batch j of the epoch is
 * order[j*B .. (j+1)*B). The initializer is no input. */
void il_run_epoch_order(uint64_t seed, size_t epoch, size_t *order, size_t n);
/* The n_probe probe samples (indices into the training set, n_probe <= n_train) of every run with
 * this seed: a uniformly random subset drawn from the seed's IL_STREAM_PROBE stream, in increasing
 * order. */
void il_run_probe_indices(uint64_t seed, size_t n_train, size_t n_probe, size_t *idx);
/* The network an experiment trains on data: input and output widths from the data, hidden layers
 * from exp; output -1 means identity for regression, sigmoid for one binary target, else softmax.
 * IL_ERR_USAGE (spec untouched in meaning) if the result is not a valid network. */
il_status il_run_net_spec(const il_experiment *exp, const il_data *data, il_net_spec *spec, il_error *err);

/* ---- one run ----------------------------------------------------------------------------------------
 * il_run_single is the one training loop: `initlab run` calls it once per run of the plan (in worker
 * processes), `initlab train` once for its single (init, seed), and both get the same numbers. */

/* One log point of a run: one row of its curves.csv (docs/results.md defines every column). Values that
 * do not apply are NAN (test numbers without a test set, accuracy of a regression, ...). */
typedef struct {
    double epoch;   /* fractional for step log points: step / steps per epoch */
    size_t step;    /* SGD steps taken so far */
    double seconds; /* since the run started (timing.csv, not curves.csv) */
    double train_loss, test_loss, test_accuracy, test_mse, relative_test_error;
    il_probe_net probe;                    /* linearity, weight_norm, param_norm, grad_norm, probe_loss */
    double saturated, linear_region, dead; /* unit-weighted means over the hidden layers */
    double distinct_units;                 /* total over the hidden layers; NAN without one */
} il_run_point;

/* The log of one run as il_run_single hands it back (il_run_observer.keep). Owned by the caller once
 * handed back: free with il_run_log_free. */
typedef struct {
    char label[IL_NAME_MAX]; /* the init's label: the curves' init column */
    uint64_t seed;
    size_t n_points;        /* log points, epoch 0 first */
    size_t n_layers;        /* L, the network's weight layers */
    il_run_point *points;   /* (n_points) */
    il_probe_layer *layers; /* (n_points, L): layer l of point i is layers[i * L + l] */
    il_net *net;            /* the trained network; for a diverged run its weights are not finite */
    size_t capacity;        /* points allocated (internal) */
} il_run_log;

/* Write log's points to path as a curves.csv: its header and one row per point, by the same writer as a
 * run folder's curves.csv (docs/results.md), atomically: the file appears whole or not at all.
 * A log without points gives the header alone. IL_ERR_IO when the file cannot be written (path
 * untouched). */
il_status il_run_log_write_curves(const il_run_log *log, const char *path, il_error *err);
/* Free what a log holds (the network too) and zero it; NULL or an empty log is fine. */
void il_run_log_free(il_run_log *log);

/* Watches a run without changing it (every field may be NULL). */
typedef struct {
    void *ctx;
    /* After each SGD step: epoch (1-based), global step (1-based), the example indices of the batch and
     * the gathered batch inputs x (n, D) and targets y (n, T) exactly as training used them. */
    void (*on_batch)(void *ctx, size_t epoch, size_t step, const size_t *idx, size_t n, const float *x,
                     const float *y);
    /* After each SGD step: epoch (1-based) and the share of its steps done, in (0, 1]. */
    void (*on_step)(void *ctx, size_t epoch, double fraction);
    /* After each log point is recorded (epoch 0 first): the point and its n_layers per-layer numbers.
     * A point where the network stopped being finite is not recorded and not reported; a recorded
     * point may still be the one that marks divergence (a loss above divergence_loss). */
    void (*on_log)(void *ctx, const il_run_point *point, const il_probe_layer *layers, size_t n_layers);
    /* Once, before training: the probe samples' indices into the training set and their inputs/targets. */
    void (*on_probe)(void *ctx, const size_t *idx, size_t n, const float *x, const float *y);
    /* Not NULL: when il_run_single returns IL_OK (finished or diverged), *keep receives the run's log
     * and its trained network, which the caller then owns (il_run_log_free). On any failure *keep is
     * left zeroed, owning nothing. */
    il_run_log *keep;
} il_run_observer;

typedef enum { IL_RUN_FINISHED = 0, IL_RUN_DIVERGED } il_run_status;

typedef struct {
    il_run_status status;
    double diverged_epoch; /* 1-based epoch during which it diverged (0: already at the start); NAN if not */
    size_t epochs;         /* complete epochs trained */
    size_t steps;          /* SGD steps taken */
    double test_loss;      /* at the last log point; NAN for a diverged run */
    double seconds;        /* wall time of the run */
} il_run_outcome;

/* Train the plan's run (init_index, seed) of exp on data and, when run_dir is not NULL, write its files
 * into run_dir: curves.csv, layers.csv, histograms.csv, timing.csv (unless no_timing) and run.csv,
 * all together: they are written into a temporary folder beside run_dir that then replaces it (an
 * unfinished run_dir of an earlier attempt, holding only result files, goes), so run_dir appears
 * complete or not at all.
 * Each epoch's order is il_epoch_order_next on the seed's IL_STREAM_DATA stream (il_run_epoch_order);
 * each step is il_train_step (train.h).
 * Divergence (NaN/Inf in loss or weights, or a loss above exp->divergence_loss) is a result, not an
 * error: the run stops, returns IL_OK with out->status = IL_RUN_DIVERGED, and no NaN reaches a file;
 * the log ends with the last point before divergence (or the point whose loss marked it).
 * If *stop becomes nonzero the run is abandoned between two steps: IL_ERR_STOPPED, nothing written.
 * Other failures (memory, I/O) return their status with err filled; nothing is written and run_dir
 * stays as it was.
 * observer (may be NULL) watches the run, and observer->keep takes its log and network (see above). */
il_status il_run_single(const il_experiment *exp, const il_data *data, size_t init_index, uint64_t seed,
                        const char *run_dir, int no_timing, const volatile sig_atomic_t *stop,
                        const il_run_observer *observer, il_run_outcome *out, il_error *err);

/* ---- the whole experiment --------------------------------------------------------------------------- */

typedef struct {
    size_t jobs;             /* runs at once, one worker process and one BLAS thread each;
                                0 = exp->jobs, and when that is 0 too, the number of online cores */
    int resume;              /* 1 = continue out_path: finished runs are kept and skipped */
    size_t shard_k, shard_n; /* run only slice k of n of the plan (1 <= k <= n); 0, 0 = the whole plan */
    const char *out_path;    /* the results folder, exactly; NULL = <exp->out_dir>/<name>-<YYYYmmdd-HHMMSS> */
    int no_timing;           /* 1 = no wall-clock numbers at all (runs.csv seconds empty, no timing.csv),
                                so two invocations give byte-identical folders apart from meta's date */
    const volatile sig_atomic_t *stop; /* e.g. set by the caller's SIGINT handler; NULL = never stop */
    void (*progress)(void *ctx, const char *line); /* one line per event, no newline; NULL = silent */
    void *progress_ctx;
    const il_data *data; /* data already loaded for exp; NULL = load exp->data (the usual case) */
} il_runner_options;

typedef struct {
    char out_dir[4096];   /* the results folder (filled as soon as it is chosen) */
    int folder_ready;     /* 1 once out_dir holds this experiment's config.ini and meta (runs may have
                             started): then il_results_collect applies, also after a stop or a failure */
    size_t runs_in_plan;  /* inits x seeds */
    size_t runs_in_shard; /* of those, this slice's (all when not sharded) */
    size_t runs_skipped;  /* already complete in the folder (resume) */
    size_t runs_executed; /* started this time */
    size_t runs_finished; /* executed and trained to the end */
    size_t runs_diverged; /* executed and stopped by divergence (a result, with its epoch) */
    size_t runs_failed;   /* executed and failed (error or crash of the worker); no files */
    size_t runs_missing;  /* of this slice, not complete at the end (failed, or stopped by the user) */
    size_t jobs;          /* worker processes used */
    double seconds;       /* wall time of the whole call */
} il_run_report;

void il_runner_options_default(il_runner_options *opt);

/* Run exp's plan (or one slice) into a results folder: config.ini, meta and runs/<id>/ for every run
 * (docs/results.md). The merged files (runs.csv, curves.csv, ..., *_wide.csv) are made from these by
 * il_results_collect (results.h), one layer up: call it afterwards whenever report->folder_ready, as
 * `initlab run` does, also when this returned a stop or a failure.
 * The folder must not exist or be empty (or hold only what a start interrupted before its meta was
 * written leaves), unless opt->resume: then complete runs are skipped, and the folder's runs must
 * depend on what this invocation's would: the same configuration, data (the loaded examples), program
 * version and BLAS threads per run (meta's config_fingerprint, data_fingerprint, version,
 * blas_threads_per_run); a difference is IL_ERR_USAGE naming what changed, before anything is written.
 * A run folder that cannot be read is IL_ERR_IO, never "not done", also before anything is written.
 * Data is loaded once, before the workers start (they share it copy-on-write).
 * Returns IL_OK when every run of the slice is complete (finished or diverged). IL_ERR_STOPPED when
 * *opt->stop was set: finished runs are kept, the message says how to resume. When runs failed, the
 * others are kept and the status is the first failure's.
 * report (may be NULL) is filled in every case; usage mistakes return IL_ERR_USAGE before any work. */
il_status il_run_experiment(const il_experiment *exp, const il_runner_options *opt, il_run_report *report,
                            il_error *err);

#endif
