/* results.h - what is made from a results folder once its runs are done: the merged files (one long CSV
 * per kind of row and the *_wide.csv files), the merge of the slice folders of a sharded sweep, and the
 * summary table. The runner (runner.h) only trains runs into runs/<id>/; these functions read them and
 * never train anything. The files and every column are described in docs/results.md.
 *
 *     il_run_report report;
 *     il_status st = il_run_experiment(&exp, &opt, &report, &err);
 *     if (report.folder_ready) {           // also after a stop or a failed run: finished runs count
 *         il_status collected = il_results_collect(&exp, report.out_dir, NULL, st == IL_OK ? &err : NULL);
 *         if (st == IL_OK) st = collected;
 *     }
 *     if (st == IL_OK) st = il_summary_write(stdout, report.out_dir, &err);
 */
#ifndef INITLAB_RESULTS_H
#define INITLAB_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "initlab/experiment.h"
#include "initlab/runner.h"
#include "initlab/status.h"

/* Write the merged files of results_dir, the folder il_run_experiment filled for exp: runs.csv,
 * curves.csv, layers.csv, histograms.csv, timing.csv (when runs have one) and the *_wide.csv files,
 * each atomically, from the complete runs under results_dir/runs/ in plan order, so the bytes are the
 * same however the runs were spread over jobs, slices or resumes. Runs that are not complete are left
 * out (a later call, after a resume, adds them). *n_complete (may be NULL) receives how many of the
 * plan's runs were found complete. What an interrupted merge left (NAME.tmp.*) is removed first.
 * Every run file is checked whole (header, rows, last line) before any merged file is replaced, and
 * the merged files are written beside as temporaries and renamed into place together: on any failure
 * the previous merged set stays as it was. IL_ERR_FORMAT names a run file that is not what this
 * version writes; IL_ERR_IO names a run folder that cannot be read (never taken for "not done");
 * IL_ERR_NOMEM as usual. */
il_status il_results_collect(const il_experiment *exp, const char *results_dir, size_t *n_complete,
                             il_error *err);

/* Merge the slice folders dirs[0..n_dirs) of one sweep into out_dir (which must not exist or be empty):
 * refuses (IL_ERR_USAGE, naming what differs) folders whose runs depend on different things: the
 * configuration, data, program version or BLAS threads per run (config_fingerprint, data_fingerprint,
 * version, blas_threads_per_run in meta); copies every complete run (the first folder holding it
 * wins; each copy appears whole or not at all) and writes the merged files (il_results_collect),
 * byte-identical to an unsharded run of the same plan. A slice's run folder that cannot be read is
 * IL_ERR_IO before anything is written. Runs missing from every folder are allowed (a partial merge)
 * and counted in report->runs_missing. */
il_status il_results_merge(const char *const *dirs, size_t n_dirs, const char *out_dir, il_run_report *report,
                           il_error *err);
/* The same, but a merge that would miss runs is refused before anything is written: IL_ERR_IO naming
 * how many are missing and the first (report->runs_missing is then 0 and out_dir untouched). */
il_status il_results_merge_whole(const char *const *dirs, size_t n_dirs, const char *out_dir,
                                 il_run_report *report, il_error *err);

/* Write the summary of a results folder to out: one row per initializer (means over its finished
 * seeds) with final losses, accuracy or error relative to the Bayes error, distinct units, saturation,
 * linearity at start and end, and a verdict in words. Reads runs.csv and meta; writes nothing to disk. */
il_status il_summary_write(FILE *out, const char *results_dir, il_error *err);

#endif
