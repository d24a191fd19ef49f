/* claims_util.c - shared by the claims tests (each test_claims_*.c includes this file; it is not compiled
 * on its own): run an experiment file of experiments/ with small overrides into a scratch folder, read the
 * CSV files it logged (header -> column index, empty cell = missing), and the class balance of its data.
 * The helpers are static inline so that a test using only some of them compiles without warnings.
 * The claims are asserted from the logged CSVs only, never from numbers written into a test.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/results.h"
#include "initlab/runner.h"
#include "initlab/status.h"
#include "testutil.h"

/* ---- running an experiment ------------------------------------------------------------------------- */

/* One experiment run by a claims test: the results folder and the data the runs trained on. */
typedef struct {
    char dir[4096];    /* the results folder */
    il_experiment exp; /* the experiment as run (file + overrides) */
    il_data data;      /* the data every run saw */
    double seconds;    /* wall time of the runner */
} cu_result;

/* The experiment file a test checks: experiments/<file> of the source tree, unless the environment
 * variable env_var names another file (how the flip demonstrations run a test's logic on a copy of the
 * config with another init). */
static inline const char *cu_experiment_path(const char *env_var, const char *file) {
    const char *override = getenv(env_var);
    if (override != NULL && override[0] != '\0') return override;
    static char path[4096];
    snprintf(path, sizeof path, "%s", tu_source_path(file));
    return path;
}

/* Load path, apply the "section.key=value" overrides (NULL-terminated), load the data once, run every
 * init x seed with 2 jobs into a fresh scratch folder. Fails the test on any error. */
static inline void cu_run(cu_result *res, const char *path, const char *const *sets, const char *tag) {
    il_error err;
    memset(res, 0, sizeof *res);
    if (il_experiment_load(&res->exp, path, &err) != IL_OK) fail_msg("cannot load %s: %s", path, err.msg);
    for (size_t i = 0; sets != NULL && sets[i] != NULL; i++) {
        if (il_experiment_set(&res->exp, sets[i], &err) != IL_OK) fail_msg("--set %s: %s", sets[i], err.msg);
    }
    if (il_experiment_check(&res->exp, &err) != IL_OK) fail_msg("%s: %s", path, err.msg);
    if (il_data_load(&res->data, res->exp.data, &res->exp.data_opt, &err) != IL_OK) {
        fail_msg("data %s: %s", res->exp.data, err.msg);
    }
    char *tmp = tu_make_tmpdir(tag);
    assert_non_null(tmp);
    snprintf(res->dir, sizeof res->dir, "%s/results", tmp);
    free(tmp);
    il_runner_options opt;
    il_runner_options_default(&opt);
    opt.jobs = 2;
    opt.out_path = res->dir;
    opt.no_timing = 1;
    opt.data = &res->data;
    il_run_report report;
    if (il_run_experiment(&res->exp, &opt, &report, &err) != IL_OK) fail_msg("run %s: %s", path, err.msg);
    if (il_results_collect(&res->exp, res->dir, NULL, &err) != IL_OK) fail_msg("merge %s: %s", path, err.msg);
    res->seconds = report.seconds;
    assert_int_equal(report.runs_failed, 0);
}

static inline void cu_result_free(cu_result *res) {
    il_data_free(&res->data);
}

/* Entropy of the training labels in nats: the cross-entropy of the best model that ignores the inputs
 * (it predicts the class proportions p_k for every example): H = -sum_k p_k ln p_k. ln K when balanced. */
static inline double cu_label_entropy(const il_data *data) {
    assert_non_null(data->train.labels);
    assert_true(data->n_classes >= 2);
    double h = 0.0;
    for (size_t k = 0; k < data->n_classes; k++) {
        size_t count = 0;
        for (size_t i = 0; i < data->train.n; i++)
            count += (size_t)data->train.labels[i] == k;
        double p = (double)count / (double)data->train.n;
        if (p > 0.0) h -= p * log(p);
    }
    return h;
}

/* ---- reading the CSV files ------------------------------------------------------------------------- */

/* A CSV file as strings: the header names the columns; cells hold no commas or quotes in our files. */
typedef struct {
    size_t n_cols, n_rows;
    char **header; /* (n_cols) */
    char **cells;  /* (n_rows, n_cols), "" for an empty cell */
    char *text;    /* the file, cut in place */
} cu_csv;

static inline void cu_csv_load(cu_csv *csv, const char *dir, const char *file) {
    char path[4600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    memset(csv, 0, sizeof *csv);
    csv->text = tu_read_file(path, NULL);
    if (csv->text == NULL) fail_msg("cannot read %s", path);
    size_t lines = 0, commas_in_header = 0;
    for (const char *p = csv->text; *p; p++)
        lines += *p == '\n';
    for (const char *p = csv->text; *p && *p != '\n'; p++)
        commas_in_header += *p == ',';
    csv->n_cols = commas_in_header + 1;
    assert_true(lines >= 1);
    csv->header = calloc(csv->n_cols, sizeof *csv->header);
    csv->cells = calloc(lines * csv->n_cols, sizeof *csv->cells);
    assert_non_null(csv->header);
    assert_non_null(csv->cells);
    char *p = csv->text;
    for (size_t line = 0; *p; line++) {
        char *end = strchr(p, '\n');
        if (end != NULL) *end = '\0';
        char **row = line == 0 ? csv->header : csv->cells + (line - 1) * csv->n_cols;
        size_t c = 0;
        for (char *cell = p;; c++) {
            char *comma = strchr(cell, ',');
            if (comma != NULL) *comma = '\0';
            if (c >= csv->n_cols) fail_msg("%s: line %zu has more cells than the header", path, line + 1);
            row[c] = cell;
            if (comma == NULL) break;
            cell = comma + 1;
        }
        if (c + 1 != csv->n_cols)
            fail_msg("%s: line %zu has %zu cells, header %zu", path, line + 1, c + 1, csv->n_cols);
        if (line > 0) csv->n_rows++;
        if (end == NULL) break;
        p = end + 1;
    }
}

static inline void cu_csv_free(cu_csv *csv) {
    free(csv->header);
    free(csv->cells);
    free(csv->text);
}

/* Index of the column called name; fails the test when there is none. */
static inline size_t cu_col(const cu_csv *csv, const char *name) {
    for (size_t c = 0; c < csv->n_cols; c++)
        if (strcmp(csv->header[c], name) == 0) return c;
    fail_msg("no column %s", name);
    return 0;
}

static inline const char *cu_str(const cu_csv *csv, size_t row, const char *name) {
    return csv->cells[row * csv->n_cols + cu_col(csv, name)];
}

/* The number in a cell; NAN for an empty cell (a value that does not exist). */
static inline double cu_num(const cu_csv *csv, size_t row, const char *name) {
    const char *s = cu_str(csv, row, name);
    if (s[0] == '\0') return NAN;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno != 0) fail_msg("column %s row %zu: not a number \"%s\"", name, row + 1, s);
    return v;
}

/* Whether row belongs to init label (and to seed, unless seed is 0). */
static inline int cu_is(const cu_csv *csv, size_t row, const char *init, double seed) {
    if (strcmp(cu_str(csv, row, "init"), init) != 0) return 0;
    return seed == 0 || cu_num(csv, row, "seed") == seed;
}

/* The last row (largest epoch) of init/seed in curves.csv-like files; fails when there is none. */
static inline size_t cu_last_row(const cu_csv *csv, const char *init, double seed) {
    size_t best = csv->n_rows;
    for (size_t r = 0; r < csv->n_rows; r++)
        if (cu_is(csv, r, init, seed) &&
            (best == csv->n_rows || cu_num(csv, r, "epoch") >= cu_num(csv, best, "epoch")))
            best = r;
    if (best == csv->n_rows) fail_msg("no rows for init %s seed %g", init, seed);
    return best;
}

/* The row of init/seed at epoch (and layer, unless layer is 0); fails when there is none. */
static inline size_t cu_row_at(const cu_csv *csv, const char *init, double seed, double epoch, double layer) {
    for (size_t r = 0; r < csv->n_rows; r++)
        if (cu_is(csv, r, init, seed) && cu_num(csv, r, "epoch") == epoch &&
            (layer == 0 || cu_num(csv, r, "layer") == layer))
            return r;
    fail_msg("no row for init %s seed %g epoch %g layer %g", init, seed, epoch, layer);
    return 0;
}

/* Mean of column over the runs.csv rows of init (every seed). */
static inline double cu_mean_over_seeds(const cu_csv *runs, const char *init, const char *column) {
    double sum = 0.0;
    size_t n = 0;
    for (size_t r = 0; r < runs->n_rows; r++) {
        if (!cu_is(runs, r, init, 0)) continue;
        double v = cu_num(runs, r, column);
        assert_false(isnan(v));
        sum += v;
        n++;
    }
    if (n == 0) fail_msg("no runs of init %s", init);
    return sum / (double)n;
}
