/* runner_fixture.h - what the runner's tests share (in initlab_testutil): tiny data sets and experiments,
 * scratch results folders, training and collecting as `initlab run` does, comparing folders, and the one
 * CSV table reader of the tests (a result CSV read whole through core/csv.h, for random access).
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>; every helper that can fail fails the
 * running cmocka test, except rf_table_read, which returns the reader's status.
 */
#ifndef INITLAB_RUNNER_FIXTURE_H
#define INITLAB_RUNNER_FIXTURE_H

#include <stddef.h>

#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/runner.h"
#include "initlab/status.h"

/* ---- data and experiments ------------------------------------------------------------------------------ */

/* ESL-like regression: y = sigma(3 x1 + 3 x2) + sigma(3 x1 - 3 x2) + noise, x standard normal (seed 42). */
void rf_regression_data(il_data *data, size_t n_train, size_t n_test);
/* Init i of exp is spec (in every layer) under label; n_inits grows to hold it. */
void rf_set_init(il_experiment *exp, size_t i, const char *label, const char *spec);
/* 2 inits (zero, uniform:0.7) x 2 seeds, tanh 2-4-1, 3 epochs of mini-batches of 10, step log points
 * every 2 steps, 20 probe samples (malloc'ed: free it). */
il_experiment *rf_tiny_experiment(void);
/* Runner options writing to out with data (NULL: the runner loads the experiment's) and jobs. */
il_runner_options rf_options(const char *out, const il_data *data, size_t jobs);

/* ---- folders and runs ---------------------------------------------------------------------------------- */

/* dir/name in one of 8 static buffers used in turn. */
char *rf_path_in(const char *dir, const char *name);
/* <new scratch folder>/results, not created yet (the runner makes it); malloc'ed. */
char *rf_fresh_dir(const char *tag);
/* What `initlab run` does: the runs (il_run_experiment), then the merged files (il_results_collect)
 * whenever the folder is the experiment's, also after a stop or a failure; the run's status wins.
 * report may be NULL. */
il_status rf_run_and_collect(const il_experiment *exp, const il_runner_options *opt, il_run_report *report,
                             il_error *err);

/* ---- reading result files ------------------------------------------------------------------------------ */

/* A CSV file read whole through the project's results reader (il__csvread), for random access. */
typedef struct {
    size_t n_rows, n_cols;
    char **header; /* (n_cols) */
    char **cells;  /* (n_rows, n_cols), "" for an empty cell */
} rf_table;

/* Read path; on failure the reader's status and message, and t holds nothing to free. */
il_status rf_table_read(rf_table *t, const char *path, il_error *err);
void rf_table_free(rf_table *t);
/* The text of a cell (row and col in range). */
const char *rf_table_cell(const rf_table *t, size_t row, size_t col);
/* Index of the column called name, or -1. */
int rf_table_column(const rf_table *t, const char *name);
/* The cell of row in the column called column; fails when there is no such column. */
const char *rf_cell(const rf_table *t, size_t row, const char *column);
/* Fail unless that cell is exactly what il_csv_number writes for expected. */
void rf_assert_cell_is(const rf_table *t, size_t row, const char *column, double expected);

/* ---- comparing folders --------------------------------------------------------------------------------- */

/* Assert that the two folders hold the same CSV files (top level and runs/<id>/, more than 10) with the
 * same bytes; with timing on, timing.csv is skipped and the seconds column of runs.csv/run.csv is left
 * out of the comparison. */
void rf_assert_same_csvs(const char *a, const char *b, int timing);
/* Fail if any CSV cell under dir is a number that is not finite ("nan", "inf", "-inf" in any case),
 * or any *.tmp.* file is left. */
void rf_assert_clean_folder(const char *dir);

#endif
