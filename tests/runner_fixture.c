/* runner_fixture.c - the runner tests' shared helpers (see runner_fixture.h): tiny data sets and
 * experiments, scratch folders, run and collect, the CSV table reader on il__csvread, and comparing
 * result folders byte for byte.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runner_fixture.h"

#include "core/csv.h"
#include "core/files.h"
#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/fileio.h"
#include "initlab/init.h"
#include "initlab/results.h"
#include "initlab/rng.h"
#include "initlab/runner.h"
#include "testutil.h"

/* ---- data and experiments ------------------------------------------------------------------------------ */

static double sigmoid(double z) {
    return 1.0 / (1.0 + exp(-z));
}

/* ESL-like regression: y = sigma(3 x1 + 3 x2) + sigma(3 x1 - 3 x2) + noise, x standard normal. */
void rf_regression_data(il_data *data, size_t n_train, size_t n_test) {
    memset(data, 0, sizeof *data);
    assert_int_equal(il_dataset_alloc(&data->train, n_train, 2, 1, 0, NULL), IL_OK);
    assert_int_equal(il_dataset_alloc(&data->test, n_test, 2, 1, 0, NULL), IL_OK);
    il_rng rng;
    il_rng_seed(&rng, 42, IL_STREAM_GEN);
    il_dataset *sets[2] = {&data->train, &data->test};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < sets[s]->n; i++) {
            float *x = sets[s]->x + 2 * i;
            x[0] = (float)il_rng_normal(&rng);
            x[1] = (float)il_rng_normal(&rng);
            double f = sigmoid(3 * x[0] + 3 * x[1]) + sigmoid(3 * x[0] - 3 * x[1]);
            sets[s]->y[i] = (float)(f + 0.1 * il_rng_normal(&rng));
        }
    }
    data->task = IL_TASK_REGRESSION;
    data->bayes_error = 0.01;
    snprintf(data->name, sizeof data->name, "test-regression");
    snprintf(data->description, sizeof data->description, "sum of two sigmoids, %zu train, %zu test", n_train,
             n_test);
}

void rf_set_init(il_experiment *exp, size_t i, const char *label, const char *spec) {
    il_init_spec s;
    assert_int_equal(il_init_parse(&s, spec, NULL), IL_OK);
    snprintf(exp->inits[i].label, sizeof exp->inits[i].label, "%s", label);
    for (size_t l = 0; l < IL_MAX_LAYERS; l++)
        exp->inits[i].layer[l] = s;
    if (exp->n_inits < i + 1) exp->n_inits = i + 1;
}

/* 2 inits x 2 seeds, tanh 2-4-1, 3 epochs of mini-batches of 10, step log points every 2 steps. */
il_experiment *rf_tiny_experiment(void) {
    il_experiment *exp = malloc(sizeof *exp);
    assert_non_null(exp);
    il_experiment_default(exp);
    snprintf(exp->name, sizeof exp->name, "tiny");
    snprintf(exp->data, sizeof exp->data, "esl-sigmoids:train=40,test=200");
    exp->n_hidden = 1;
    exp->hidden[0] = 4;
    exp->activation = IL_ACT_TANH;
    exp->output = -1;
    exp->epochs = 3;
    exp->batch_size = 10;
    exp->sgd.learning_rate = 0.1;
    exp->sgd.momentum = 0.0;
    exp->sgd.weight_decay = 0.0;
    exp->divergence_loss = 1e6;
    exp->n_inits = 0;
    rf_set_init(exp, 0, "zero", "zero");
    rf_set_init(exp, 1, "uniform", "uniform:0.7");
    exp->n_seeds = 2;
    exp->seeds[0] = 1;
    exp->seeds[1] = 2;
    exp->log_every_epochs = 1;
    exp->log_every_steps = 2;
    exp->probe_samples = 20;
    exp->jobs = 0;
    return exp;
}

il_runner_options rf_options(const char *out, const il_data *data, size_t jobs) {
    il_runner_options opt;
    il_runner_options_default(&opt);
    opt.out_path = out;
    opt.data = data;
    opt.jobs = jobs;
    return opt;
}

char *rf_path_in(const char *dir, const char *name) {
    static char buf[8][8192];
    static int next;
    char *p = buf[next++ % 8];
    size_t a = strlen(dir), b = strlen(name);
    assert_true(a + b + 2 <= sizeof buf[0]);
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

/* What `initlab run` does: the runs (il_run_experiment), then the merged files (il_results_collect)
 * whenever the folder is the experiment's, also after a stop or a failure; the run's status wins. */
il_status rf_run_and_collect(const il_experiment *exp, const il_runner_options *opt, il_run_report *report,
                             il_error *err) {
    il_run_report local;
    if (!report) report = &local;
    il_status st = il_run_experiment(exp, opt, report, err);
    if (report->folder_ready) {
        il_error collect_err;
        il_status collected = il_results_collect(exp, report->out_dir, NULL, &collect_err);
        if (st == IL_OK && collected != IL_OK) {
            st = collected;
            if (err) *err = collect_err;
        }
    }
    return st;
}

char *rf_fresh_dir(const char *tag) {
    char *base = tu_make_tmpdir(tag);
    assert_non_null(base);
    char *dir = malloc(strlen(base) + 16);
    sprintf(dir, "%s/results", base); /* not created yet: the runner makes it */
    free(base);
    return dir;
}

/* ---- reading result files ------------------------------------------------------------------------------ */

static char *copy_text(const char *s) {
    char *d = il__strdup(s);
    assert_non_null(d);
    return d;
}

il_status rf_table_read(rf_table *t, const char *path, il_error *err) {
    memset(t, 0, sizeof *t);
    il__csvread r;
    il_status st = il__csvread_open(&r, path, err);
    if (st != IL_OK) return st;
    t->n_cols = r.n_cols;
    t->header = calloc(r.n_cols, sizeof *t->header);
    for (size_t c = 0; c < r.n_cols; c++)
        t->header[c] = copy_text(r.header[c]);
    size_t cap = 0;
    int got = 1;
    while ((st = il__csvread_next(&r, &got, err)) == IL_OK && got) {
        if (t->n_rows == cap) {
            cap = cap ? 2 * cap : 64;
            t->cells = realloc(t->cells, cap * t->n_cols * sizeof *t->cells);
            assert_non_null(t->cells);
        }
        for (size_t c = 0; c < t->n_cols; c++)
            t->cells[t->n_rows * t->n_cols + c] = copy_text(il__csvread_text(&r, (int)c));
        t->n_rows++;
    }
    il__csvread_close(&r);
    if (st != IL_OK) rf_table_free(t);
    return st;
}

void rf_table_free(rf_table *t) {
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    for (size_t c = 0; c < t->n_cols; c++)
        free(t->header[c]);
    free(t->cells);
    free(t->header);
    memset(t, 0, sizeof *t);
}

const char *rf_table_cell(const rf_table *t, size_t row, size_t col) {
    return t->cells[row * t->n_cols + col];
}

int rf_table_column(const rf_table *t, const char *name) {
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->header[c], name) == 0) return (int)c;
    return -1;
}

const char *rf_cell(const rf_table *t, size_t row, const char *column) {
    int c = rf_table_column(t, column);
    if (c < 0) fail_msg("column %s missing", column);
    return rf_table_cell(t, row, (size_t)c);
}

void rf_assert_cell_is(const rf_table *t, size_t row, const char *column, double expected) {
    char buf[40];
    il_csv_number(buf, sizeof buf, expected);
    if (strcmp(rf_cell(t, row, column), buf) != 0)
        fail_msg("%s: row %zu has %s, a direct measurement gives %s", column, row, rf_cell(t, row, column),
                 buf);
}

/* ---- comparing folders --------------------------------------------------------------------------------- */

/* Every CSV under dir (top level and runs/<id>/), as relative paths, sorted. */
static size_t list_csvs(const char *dir, char names[][600], size_t cap) {
    size_t n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".csv") && n < cap) snprintf(names[n++], 600, "%s", e->d_name);
    closedir(d);
    DIR *runs = opendir(rf_path_in(dir, "runs"));
    if (runs) {
        while ((e = readdir(runs)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/runs/%s", dir, e->d_name);
            DIR *r = opendir(sub);
            struct dirent *f;
            while (r && (f = readdir(r)) != NULL)
                if (strstr(f->d_name, ".csv") && n < cap)
                    snprintf(names[n++], 600, "runs/%s/%s", e->d_name, f->d_name);
            if (r) closedir(r);
        }
        closedir(runs);
    }
    qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    return n;
}

/* Drop the last cell (seconds) of every line: the one wall-clock column of runs.csv and run.csv. */
static void strip_seconds(char *text) {
    char *out = text;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        char *end = nl ? nl : line + strlen(line);
        char *comma = end;
        while (comma > line && *comma != ',')
            comma--;
        size_t keep = (size_t)(comma - line);
        memmove(out, line, keep);
        out += keep;
        if (nl) *out++ = '\n';
        line = nl ? nl + 1 : end;
    }
    *out = '\0';
}

/* Assert that the two folders hold the same CSV files with the same bytes; with timing on, timing.csv is
 * skipped and the seconds column of runs.csv/run.csv is left out of the comparison. */
void rf_assert_same_csvs(const char *a, const char *b, int timing) {
    static char na[256][600], nb[256][600];
    size_t n = list_csvs(a, na, 256), m = list_csvs(b, nb, 256);
    assert_int_equal(n, m);
    assert_true(n > 10);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(na[i], nb[i]);
        if (timing && strstr(na[i], "timing.csv")) continue;
        char *ta = tu_read_file(rf_path_in(a, na[i]), NULL), *tb = tu_read_file(rf_path_in(b, nb[i]), NULL);
        assert_non_null(ta);
        assert_non_null(tb);
        if (timing && (strstr(na[i], "runs.csv") || strstr(na[i], "run.csv"))) {
            strip_seconds(ta);
            strip_seconds(tb);
        }
        if (strcmp(ta, tb) != 0) fail_msg("%s differs between %s and %s", na[i], a, b);
        free(ta);
        free(tb);
    }
}

/* Fail if any CSV cell under dir is a number that is not finite ("nan", "inf", "-inf" in any case),
 * or any *.tmp.* file is left. */
void rf_assert_clean_folder(const char *dir) {
    static char names[256][600];
    size_t n = list_csvs(dir, names, 256);
    for (size_t i = 0; i < n; i++) {
        rf_table t;
        il_error err;
        if (rf_table_read(&t, rf_path_in(dir, names[i]), &err) != IL_OK) fail_msg("%s", err.msg);
        for (size_t r = 0; r < t.n_rows; r++) {
            for (size_t c = 0; c < t.n_cols; c++) {
                const char *text = rf_table_cell(&t, r, c);
                char *end;
                double v = strtod(text, &end);
                if (*text && !*end && !isfinite(v))
                    fail_msg("%s row %zu column %s holds \"%s\"", names[i], r + 1, t.header[c], text);
            }
        }
        rf_table_free(&t);
    }
    char command[4200];
    snprintf(command, sizeof command, "find '%s' -name '*.tmp.*' | wc -l", dir);
    char *out = NULL;
    assert_int_equal(tu_run(command, &out), 0);
    assert_int_equal(atoi(out), 0);
    free(out);
}
