/* claims_util.c - the claims tests' helpers (see claims_util.h): running an experiment in this process or
 * through the initlab program, and by-name access to the CSV files through the tests' one table reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "claims_util.h"

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

const char *cu_experiment_path(const char *env_var, const char *file) {
    const char *override = getenv(env_var);
    if (override != NULL && override[0] != '\0') return override;
    static char path[4096];
    snprintf(path, sizeof path, "%s", tu_source_path(file));
    return path;
}

void cu_run(cu_result *res, const char *path, const char *const *sets, const char *tag) {
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

void cu_result_free(cu_result *res) {
    il_data_free(&res->data);
}

/* rm -rf of a folder made by tu_make_tmpdir (its name holds no quote). */
static void remove_folder(const char *dir) {
    size_t n = strlen(dir) + 16;
    char *cmd = malloc(n);
    if (cmd == NULL) return;
    snprintf(cmd, n, "rm -rf '%s'", dir);
    (void)tu_run(cmd, NULL);
    free(cmd);
}

/* Options go before the file, so any option parser takes them. */
char *cu_run_program(const char *ini, const char *extra, const char *tag) {
    char *scratch = tu_make_tmpdir(tag);
    assert_non_null(scratch);
    const char *exe = tu_exe();
    size_t n = strlen(exe) + strlen(ini) + strlen(scratch) + strlen(extra) + 128;
    char *cmd = malloc(n);
    assert_non_null(cmd);
    snprintf(cmd, n, "'%s' run --out '%s/results' --jobs 2 %s '%s'", exe, scratch, extra, ini);
    char *output = NULL;
    int rc = tu_run(cmd, &output);
    if (rc != 0) {
        /* the scratch folder goes before the test stops here (a failed group setup gets no teardown) */
        remove_folder(scratch);
        fail_msg("'%s' exited with %d:\n%s", cmd, rc, output ? output : "");
    }
    free(output);
    free(cmd);
    return scratch;
}

void cu_remove_scratch(char *scratch) {
    if (scratch == NULL) return;
    remove_folder(scratch);
    free(scratch);
}

double cu_label_entropy(const il_data *data) {
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

void cu_csv_load(cu_csv *csv, const char *dir, const char *file) {
    il_error err;
    if (rf_table_read(csv, rf_path_in(dir, file), &err) != IL_OK) fail_msg("%s", err.msg);
}

void cu_csv_free(cu_csv *csv) {
    rf_table_free(csv);
}

size_t cu_col(const cu_csv *csv, const char *name) {
    int c = rf_table_column(csv, name);
    if (c < 0) fail_msg("no column %s", name);
    return (size_t)c;
}

const char *cu_cell(const cu_csv *csv, size_t row, size_t col) {
    if (row >= csv->n_rows || col >= csv->n_cols)
        fail_msg("no cell at row %zu, column %zu (%zu rows, %zu columns)", row + 1, col + 1, csv->n_rows,
                 csv->n_cols);
    return rf_table_cell(csv, row, col);
}

double cu_value(const cu_csv *csv, size_t row, size_t col) {
    const char *s = cu_cell(csv, row, col);
    if (s[0] == '\0') return NAN;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno != 0)
        fail_msg("column %s row %zu: not a number \"%s\"", csv->header[col], row + 1, s);
    return v;
}

const char *cu_str(const cu_csv *csv, size_t row, const char *name) {
    return cu_cell(csv, row, cu_col(csv, name));
}

double cu_num(const cu_csv *csv, size_t row, const char *name) {
    return cu_value(csv, row, cu_col(csv, name));
}

int cu_is(const cu_csv *csv, size_t row, const char *init, double seed) {
    if (strcmp(cu_str(csv, row, "init"), init) != 0) return 0;
    return seed == 0 || cu_num(csv, row, "seed") == seed;
}

size_t cu_last_row(const cu_csv *csv, const char *init, double seed) {
    size_t best = csv->n_rows;
    for (size_t r = 0; r < csv->n_rows; r++)
        if (cu_is(csv, r, init, seed) &&
            (best == csv->n_rows || cu_num(csv, r, "epoch") >= cu_num(csv, best, "epoch")))
            best = r;
    if (best == csv->n_rows) fail_msg("no rows for init %s seed %g", init, seed);
    return best;
}

size_t cu_row_at(const cu_csv *csv, const char *init, double seed, double epoch, double layer) {
    for (size_t r = 0; r < csv->n_rows; r++)
        if (cu_is(csv, r, init, seed) && cu_num(csv, r, "epoch") == epoch &&
            (layer == 0 || cu_num(csv, r, "layer") == layer))
            return r;
    fail_msg("no row for init %s seed %g epoch %g layer %g", init, seed, epoch, layer);
    return 0;
}

double cu_mean_over_seeds(const cu_csv *runs, const char *init, const char *column) {
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
