/* claims_util.h - what the claims tests share (the library initlab_claims_util): run an experiment file
 * of experiments/ with small overrides into a scratch folder, in this process through the runner or
 * through the built `initlab run`; read the CSV files it logged by column name (empty cell = a value that
 * does not exist); the class balance of its data. The claims are asserted from the logged CSVs only,
 * never from numbers written into a test. Every helper fails the running cmocka test on an error.
 */
#ifndef INITLAB_CLAIMS_UTIL_H
#define INITLAB_CLAIMS_UTIL_H

#include <stddef.h>

#include "initlab/data.h"
#include "initlab/experiment.h"
#include "runner_fixture.h"

/* ---- running an experiment ---------------------------------------------------------------------------- */

/* One experiment run in this process by cu_run. */
typedef struct {
    char dir[4096];    /* the results folder */
    il_experiment exp; /* the experiment as run (file + overrides) */
    il_data data;      /* the data every run saw */
    double seconds;    /* wall time of the runner */
} cu_result;

/* The experiment file a test checks: the file named by the environment variable env_var when it is set
 * (how the demonstrations run a test's logic on a copy of the config with another init), else
 * <source tree>/<file>. Returns a static buffer, overwritten by the next call. */
const char *cu_experiment_path(const char *env_var, const char *file);

/* Load path, apply the "section.key=value" overrides (NULL-terminated), load the data once, run every
 * init x seed with 2 jobs into a fresh scratch folder (res->dir). */
void cu_run(cu_result *res, const char *path, const char *const *sets, const char *tag);
void cu_result_free(cu_result *res);

/* Run `initlab run --out <scratch>/results --jobs 2 EXTRA INI` with the program of this build into a new
 * scratch folder; returns the scratch folder (malloc'ed; the results are in <it>/results). On failure the
 * scratch folder is removed and the test fails with initlab's output. */
char *cu_run_program(const char *ini, const char *extra, const char *tag);
/* Remove a scratch folder made by cu_run_program and free its name (NULL is fine). */
void cu_remove_scratch(char *scratch);

/* Entropy of the training labels in nats: the cross-entropy of the best model that ignores the inputs
 * (it predicts the class proportions p_k for every example): H = -sum_k p_k ln p_k. ln K when balanced. */
double cu_label_entropy(const il_data *data);

/* ---- reading the CSV files ---------------------------------------------------------------------------- */

/* A CSV file as strings: the tests' one table reader (runner_fixture.h, on the project's results
 * reader), so "" for an empty cell (a value that does not exist). */
typedef rf_table cu_csv;

/* Read <dir>/<file>; fails with the reader's message when it cannot be read, is empty or a row has
 * another number of cells than the header. */
void cu_csv_load(cu_csv *csv, const char *dir, const char *file);
void cu_csv_free(cu_csv *csv);

/* Index of the column called name; fails when there is none. */
size_t cu_col(const cu_csv *csv, const char *name);
/* Data row (0-based) and column index: the cell's text, and its number (NAN for an empty cell; fails
 * when the cell holds anything but a number). */
const char *cu_cell(const cu_csv *csv, size_t row, size_t col);
double cu_value(const cu_csv *csv, size_t row, size_t col);
/* The same by column name. */
const char *cu_str(const cu_csv *csv, size_t row, const char *name);
double cu_num(const cu_csv *csv, size_t row, const char *name);

/* Whether row belongs to init label (and to seed, unless seed is 0). */
int cu_is(const cu_csv *csv, size_t row, const char *init, double seed);
/* The last row (largest epoch) of init/seed in curves.csv-like files; fails when there is none. */
size_t cu_last_row(const cu_csv *csv, const char *init, double seed);
/* The row of init/seed at epoch (and layer, unless layer is 0); fails when there is none. */
size_t cu_row_at(const cu_csv *csv, const char *init, double seed, double epoch, double layer);
/* Mean of column over the runs.csv rows of init (every seed); fails on an empty cell or no rows. */
double cu_mean_over_seeds(const cu_csv *runs, const char *init, const char *column);

#endif
