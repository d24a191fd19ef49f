/* report.h - turn a results folder of `initlab run` into figures (gnuplot, PNG and SVG) and one
 * index.html that lays them out with the summary table and the experiment's own description, readable
 * offline from the file system. docs/report.md says what each figure shows and what to look for.
 *
 * The library reads the results CSVs, writes gnuplot data and scripts into <results>/report/, runs
 * gnuplot (a separate program) once per figure and writes index.html. It prints nothing: progress goes
 * to a callback. Every file it writes appears whole or not at all.
 *
 *     il_report_options opt;
 *     il_report_options_default(&opt);
 *     il_report_result res;
 *     il_error err;
 *     if (il_report_write("results/default-20250301-101500", &opt, &res, &err) == IL_OK)
 *         printf("open %s\n", res.index_path);
 */
#ifndef INITLAB_REPORT_H
#define INITLAB_REPORT_H

#include <stddef.h>

#include "initlab/status.h"

typedef struct {
    const char *gnuplot; /* the gnuplot program: a name looked up on PATH or a path; NULL = "gnuplot" */
    const char *out_dir; /* where the report goes; NULL = <results_dir>/report */
    void (*progress)(void *ctx, const char *line); /* one line per figure, no newline; NULL = silent */
    void *progress_ctx;
} il_report_options;

typedef struct {
    char out_dir[4096];    /* the report folder */
    char index_path[4096]; /* its index.html */
    size_t n_figures;      /* figures drawn (each as .png and .svg) */
    char terminal[16];     /* the PNG terminal gnuplot used: "pngcairo" or "png" */
} il_report_result;

void il_report_options_default(il_report_options *opt);

/* Draw every figure of the results folder results_dir and write index.html.
 * Reads runs.csv, curves.csv, layers.csv, histograms.csv, meta and config.ini (docs/results.md; config.ini
 * with the experiment parser, il_experiment_load); links every *.csv of the folder from the page.
 * Errors: IL_ERR_FORMAT when a file is missing a column or a cell is not what its column holds (the
 * message names the file, the line and the column) or config.ini is refused by the experiment parser,
 * IL_ERR_IO when results_dir is not a results folder (names the missing file) or a file cannot be written, or
 * gnuplot cannot be found or lacks the png and svg terminals (the message says which package to install) or
 * fails on a figure (the message quotes gnuplot's first error line and names the script); IL_ERR_USAGE for a
 * path that is too long. On failure the figures already drawn stay; index.html is written only after every
 * figure exists. res (may be NULL) is filled on success. */
il_status il_report_write(const char *results_dir, const il_report_options *opt, il_report_result *res,
                          il_error *err);

#endif
