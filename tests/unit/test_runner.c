/* test_runner.c - the runner end to end on tiny experiments (a few epochs of a 2-4-1 or 2-4-2 net on
 * 40 examples): fairness across inits, the epoch-0 row, divergence, stop and resume, atomic files,
 * byte-identical results across invocations, job counts and shards, and never overwriting results.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/csv.h"
#include "initlab/fileio.h"
#include "initlab/probe.h"
#include "initlab/results.h"
#include "initlab/rng.h"
#include "initlab/runner.h"
#include "initlab/train.h"
#include "runner/runner_internal.h"
#include "testutil.h"

/* ---- data and experiments ------------------------------------------------------------------------------ */

static double sigmoid(double z) {
    return 1.0 / (1.0 + exp(-z));
}

/* ESL-like regression: y = sigma(3 x1 + 3 x2) + sigma(3 x1 - 3 x2) + noise, x standard normal. */
static void regression_data(il_data *data, size_t n_train, size_t n_test) {
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

/* Regression on targets +1, -1, +1, ... (32 examples, 32 test): with a full batch of 32 every partial
 * sum of the output gradient (+-1/32, exact in float) is exact, so it sums to exactly 0. */
static void symmetric_targets(il_data *data) {
    memset(data, 0, sizeof *data);
    assert_int_equal(il_dataset_alloc(&data->train, 32, 2, 1, 0, NULL), IL_OK);
    assert_int_equal(il_dataset_alloc(&data->test, 32, 2, 1, 0, NULL), IL_OK);
    il_rng rng;
    il_rng_seed(&rng, 7, IL_STREAM_GEN);
    il_dataset *sets[2] = {&data->train, &data->test};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < 32; i++) {
            sets[s]->x[2 * i] = (float)il_rng_normal(&rng);
            sets[s]->x[2 * i + 1] = (float)il_rng_normal(&rng);
            sets[s]->y[i] = i % 2 ? -1.0f : 1.0f;
        }
    }
    data->task = IL_TASK_REGRESSION;
    data->bayes_error = NAN;
    snprintf(data->name, sizeof data->name, "test-symmetric");
    snprintf(data->description, sizeof data->description, "targets +1 and -1, 32 train, 32 test");
}

static void set_init(il_experiment *exp, size_t i, const char *label, const char *spec) {
    il_init_spec s;
    assert_int_equal(il_init_parse(&s, spec, NULL), IL_OK);
    snprintf(exp->inits[i].label, sizeof exp->inits[i].label, "%s", label);
    for (size_t l = 0; l < IL_MAX_LAYERS; l++)
        exp->inits[i].layer[l] = s;
    if (exp->n_inits < i + 1) exp->n_inits = i + 1;
}

/* 2 inits x 2 seeds, tanh 2-4-1, 3 epochs of mini-batches of 10, step log points every 2 steps. */
static il_experiment *tiny_experiment(void) {
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
    set_init(exp, 0, "zero", "zero");
    set_init(exp, 1, "uniform", "uniform:0.7");
    exp->n_seeds = 2;
    exp->seeds[0] = 1;
    exp->seeds[1] = 2;
    exp->log_every_epochs = 1;
    exp->log_every_steps = 2;
    exp->probe_samples = 20;
    exp->jobs = 0;
    return exp;
}

static il_runner_options options(const char *out, const il_data *data, size_t jobs) {
    il_runner_options opt;
    il_runner_options_default(&opt);
    opt.out_path = out;
    opt.data = data;
    opt.jobs = jobs;
    return opt;
}

static char *path_in(const char *dir, const char *name) {
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
static il_status run_and_collect(const il_experiment *exp, const il_runner_options *opt,
                                 il_run_report *report, il_error *err) {
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

static char *fresh_dir(const char *tag) {
    char *base = tu_make_tmpdir(tag);
    assert_non_null(base);
    char *dir = malloc(strlen(base) + 16);
    sprintf(dir, "%s/results", base); /* not created yet: the runner makes it */
    free(base);
    return dir;
}

/* ---- reading result files ------------------------------------------------------------------------------ */

/* A CSV file read whole through the project's reader, for random access in assertions. */
typedef struct {
    size_t n_rows, n_cols;
    char **header; /* (n_cols) */
    char **cells;  /* (n_rows, n_cols) */
} table;

static char *copy_text(const char *s) {
    char *d = il__strdup(s);
    assert_non_null(d);
    return d;
}

static il_status table_read(table *t, const char *path, il_error *err) {
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
    return st;
}

static void table_free(table *t) {
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    for (size_t c = 0; c < t->n_cols; c++)
        free(t->header[c]);
    free(t->cells);
    free(t->header);
    memset(t, 0, sizeof *t);
}

static const char *table_cell(const table *t, size_t row, size_t col) {
    return t->cells[row * t->n_cols + col];
}

static int table_column(const table *t, const char *name) {
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->header[c], name) == 0) return (int)c;
    return -1;
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
    DIR *runs = opendir(path_in(dir, "runs"));
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
static void assert_same_csvs(const char *a, const char *b, int timing) {
    static char na[256][600], nb[256][600];
    size_t n = list_csvs(a, na, 256), m = list_csvs(b, nb, 256);
    assert_int_equal(n, m);
    assert_true(n > 10);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(na[i], nb[i]);
        if (timing && strstr(na[i], "timing.csv")) continue;
        char *ta = tu_read_file(path_in(a, na[i]), NULL), *tb = tu_read_file(path_in(b, nb[i]), NULL);
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
static void assert_clean_folder(const char *dir) {
    static char names[256][600];
    size_t n = list_csvs(dir, names, 256);
    for (size_t i = 0; i < n; i++) {
        table t;
        il_error err;
        if (table_read(&t, path_in(dir, names[i]), &err) != IL_OK) fail_msg("%s", err.msg);
        for (size_t r = 0; r < t.n_rows; r++) {
            for (size_t c = 0; c < t.n_cols; c++) {
                const char *text = table_cell(&t, r, c);
                char *end;
                double v = strtod(text, &end);
                if (*text && !*end && !isfinite(v))
                    fail_msg("%s row %zu column %s holds \"%s\"", names[i], r + 1, t.header[c], text);
            }
        }
        table_free(&t);
    }
    char command[4200];
    snprintf(command, sizeof command, "find '%s' -name '*.tmp.*' | wc -l", dir);
    char *out = NULL;
    assert_int_equal(tu_run(command, &out), 0);
    assert_int_equal(atoi(out), 0);
    free(out);
}

/* ---- fairness
 * ---------------------------------------------------------------------------------------------- */

typedef struct {
    const il_data *data;
    size_t *batch_idx; /* every example index handed to training, in order */
    size_t n_idx, cap;
    size_t steps;
    size_t probe_idx[64];
    size_t n_probe;
    int rows_match_data; /* every gathered row equals the data row its index names */
} trace;

static void on_batch(void *ctx, size_t epoch, size_t step, const size_t *idx, size_t n, const float *x,
                     const float *y) {
    trace *t = ctx;
    (void)epoch;
    t->steps = step;
    const il_dataset *tr = &t->data->train;
    for (size_t i = 0; i < n; i++) {
        assert_true(t->n_idx < t->cap);
        t->batch_idx[t->n_idx++] = idx[i];
        if (memcmp(x + i * tr->d, tr->x + idx[i] * tr->d, tr->d * sizeof(float)) != 0 ||
            memcmp(y + i * tr->t, tr->y + idx[i] * tr->t, tr->t * sizeof(float)) != 0)
            t->rows_match_data = 0;
    }
}

static void on_probe(void *ctx, const size_t *idx, size_t n, const float *x, const float *y) {
    trace *t = ctx;
    const il_dataset *tr = &t->data->train;
    assert_true(n <= 64);
    memcpy(t->probe_idx, idx, n * sizeof *idx);
    t->n_probe = n;
    for (size_t i = 0; i < n; i++)
        if (memcmp(x + i * tr->d, tr->x + idx[i] * tr->d, tr->d * sizeof(float)) != 0 ||
            memcmp(y + i * tr->t, tr->y + idx[i] * tr->t, tr->t * sizeof(float)) != 0)
            t->rows_match_data = 0;
}

static void traced_run(const il_experiment *exp, const il_data *data, size_t init, uint64_t seed, trace *t) {
    memset(t, 0, sizeof *t);
    t->data = data;
    t->cap = exp->epochs * data->train.n;
    t->batch_idx = malloc(t->cap * sizeof *t->batch_idx);
    t->rows_match_data = 1;
    il_run_observer obs = {.ctx = t, .on_batch = on_batch, .on_probe = on_probe};
    il_run_outcome out;
    il_error err;
    if (il_run_single(exp, data, init, seed, NULL, 1, NULL, &obs, &out, &err) != IL_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(out.status, IL_RUN_FINISHED);
}

static void test_two_inits_with_one_seed_see_the_same_batches_data_and_probe_samples(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    set_init(exp, 1, "large", "large:10");
    il_data data;
    regression_data(&data, 40, 200);
    trace zero, large, other_seed;
    traced_run(exp, &data, 0, 5, &zero);
    traced_run(exp, &data, 1, 5, &large);
    traced_run(exp, &data, 0, 6, &other_seed);

    assert_int_equal(zero.n_idx, 3 * 40);
    assert_int_equal(zero.steps, 3 * 4);
    assert_int_equal(large.n_idx, zero.n_idx);
    assert_memory_equal(zero.batch_idx, large.batch_idx, zero.n_idx * sizeof(size_t));
    assert_int_equal(zero.n_probe, 20);
    assert_int_equal(large.n_probe, 20);
    assert_memory_equal(zero.probe_idx, large.probe_idx, 20 * sizeof(size_t));
    assert_true(zero.rows_match_data && large.rows_match_data);
    /* The order is the one the plan functions promise, and another seed gives another one. */
    size_t order[40], probe[20];
    for (size_t e = 1; e <= 3; e++) {
        il_run_epoch_order(5, e, order, 40);
        assert_memory_equal(zero.batch_idx + (e - 1) * 40, order, sizeof order);
    }
    il_run_probe_indices(5, 40, 20, probe);
    assert_memory_equal(zero.probe_idx, probe, sizeof probe);
    assert_memory_not_equal(zero.batch_idx, other_seed.batch_idx, zero.n_idx * sizeof(size_t));
    assert_memory_not_equal(zero.probe_idx, other_seed.probe_idx, 20 * sizeof(size_t));
    free(zero.batch_idx);
    free(large.batch_idx);
    free(other_seed.batch_idx);
    il_data_free(&data);
    free(exp);
}

/* ---- the epoch-0 row
 * ------------------------------------------------------------------------------------------ */

static const char *cell(const table *t, size_t row, const char *column) {
    int c = table_column(t, column);
    if (c < 0) fail_msg("column %s missing", column);
    return table_cell(t, row, (size_t)c);
}

static void assert_cell_is(const table *t, size_t row, const char *column, double expected) {
    char buf[40];
    il_csv_number(buf, sizeof buf, expected);
    if (strcmp(cell(t, row, column), buf) != 0)
        fail_msg("%s: row %zu has %s, a direct measurement gives %s", column, row, cell(t, row, column), buf);
}

static void test_the_epoch_zero_row_equals_a_direct_probe_of_the_initialized_net(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    il_data data;
    regression_data(&data, 40, 200);
    char *dir = fresh_dir("epoch0");
    il_run_outcome out;
    il_error err;
    if (il_run_single(exp, &data, 1, 3, dir, 0, NULL, NULL, &out, &err) != IL_OK) fail_msg("%s", err.msg);

    /* The same net, built and measured here by hand. */
    il_net_spec spec;
    assert_int_equal(il_run_net_spec(exp, &data, &spec, NULL), IL_OK);
    il_net *net;
    assert_int_equal(il_net_create(&net, &spec, 200, NULL), IL_OK);
    il_rng rng;
    il_rng_seed(&rng, 3, IL_STREAM_INIT);
    il_net_init(net, exp->inits[1].layer, &rng);
    size_t idx[20];
    float px[20 * 2], py[20];
    il_run_probe_indices(3, 40, 20, idx);
    for (size_t i = 0; i < 20; i++) {
        memcpy(px + 2 * i, data.train.x + 2 * idx[i], 2 * sizeof(float));
        py[i] = data.train.y[idx[i]];
    }
    il_probe *probe;
    assert_int_equal(il_probe_create(&probe, &spec, px, py, 20, NULL), IL_OK);
    il_probe_layer layers[2];
    il_probe_net summary;
    assert_int_equal(il_probe_measure(probe, net, exp->sgd.weight_decay, layers, &summary, NULL), IL_OK);
    il_eval train = il_net_evaluate(net, data.train.x, data.train.y, 40);
    il_eval test = il_net_evaluate(net, data.test.x, data.test.y, 200);

    table curves, lay;
    assert_int_equal(table_read(&curves, path_in(dir, "curves.csv"), NULL), IL_OK);
    assert_int_equal(table_read(&lay, path_in(dir, "layers.csv"), NULL), IL_OK);
    assert_string_equal(cell(&curves, 0, "epoch"), "0");
    assert_string_equal(cell(&curves, 0, "step"), "0");
    assert_cell_is(&curves, 0, "train_loss", train.loss);
    assert_cell_is(&curves, 0, "test_loss", test.loss);
    assert_cell_is(&curves, 0, "linearity", summary.linearity);
    assert_cell_is(&curves, 0, "weight_norm", summary.weight_norm);
    assert_cell_is(&curves, 0, "param_norm", summary.param_norm);
    assert_cell_is(&curves, 0, "grad_norm", summary.grad_norm);
    assert_cell_is(&curves, 0, "probe_loss", summary.probe_loss);
    assert_cell_is(&curves, 0, "saturated", layers[0].saturated);
    assert_cell_is(&curves, 0, "distinct_units", (double)layers[0].distinct_units);
    assert_string_equal(cell(&curves, 0, "test_accuracy"), ""); /* regression: does not exist */
    /* test_mse is the mean squared error of the predictions; relative_test_error divides by the Bayes error.
     */
    double sse = 0;
    il_net_forward(net, data.test.x, 200);
    for (size_t i = 0; i < 200; i++)
        sse += pow((double)net->a[1][i] - (double)data.test.y[i], 2);
    double mse = strtod(cell(&curves, 0, "test_mse"), NULL);
    assert_true(fabs(mse - sse / 200) <= 1e-6 * mse);
    assert_true(fabs(strtod(cell(&curves, 0, "relative_test_error"), NULL) - mse / 0.01) <=
                1e-6 * mse / 0.01);
    for (size_t l = 0; l < 2; l++) {
        assert_string_equal(cell(&lay, l, "epoch"), "0");
        assert_cell_is(&lay, l, "layer", (double)(l + 1));
        assert_cell_is(&lay, l, "weight_norm", layers[l].weight_norm);
        assert_cell_is(&lay, l, "grad_norm", layers[l].grad_norm);
        assert_cell_is(&lay, l, "preact_std", layers[l].preact_std);
        assert_cell_is(&lay, l, "act_mean", layers[l].act_mean);
        assert_cell_is(&lay, l, "linear_region", layers[l].linear_region);
        assert_cell_is(&lay, l, "distinct_units", (double)layers[l].distinct_units);
    }
    assert_string_equal(cell(&lay, 0, "activation"), "tanh");
    /* Step log points of the first epoch have a fractional epoch: 4 steps per epoch, logged every 2. */
    assert_string_equal(cell(&curves, 1, "epoch"), "0.5");
    assert_string_equal(cell(&curves, 1, "step"), "2");
    assert_string_equal(cell(&curves, 2, "epoch"), "1");
    assert_string_equal(cell(&curves, 2, "step"), "4");
    assert_int_equal(curves.n_rows, 5); /* 0, 0.5, 1, 2, 3 */
    table_free(&curves);
    table_free(&lay);
    il_probe_free(probe);
    il_net_free(net);
    il_data_free(&data);
    free(dir);
    free(exp);
}

/* ---- divergence
 * ----------------------------------------------------------------------------------------------- */

static void
test_a_huge_learning_rate_marks_the_run_diverged_and_leaves_the_others_and_the_csvs_clean(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    /* Full batch on targets that cancel: zero weights get exactly zero gradients (tanh(0) = 0, the output
     * weights are 0 and the targets cancel in the output bias), so only the large start can blow up, and
     * the squared error has no ceiling. */
    exp->batch_size = 0;
    exp->log_every_steps = 0;
    exp->sgd.learning_rate = 1000; /* the largest rate a config accepts */
    set_init(exp, 1, "large", "large:20");
    il_data data;
    symmetric_targets(&data);
    char *dir = fresh_dir("diverge");
    il_runner_options opt = options(dir, &data, 2);
    il_run_report report;
    il_error err;
    if (run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_diverged, 2);
    assert_int_equal(report.runs_finished, 2);
    assert_int_equal(report.runs_failed, 0);
    assert_int_equal(report.runs_missing, 0);

    table runs;
    assert_int_equal(table_read(&runs, path_in(dir, "runs.csv"), NULL), IL_OK);
    assert_int_equal(runs.n_rows, 4);
    for (size_t r = 0; r < 4; r++) {
        int is_large = strcmp(cell(&runs, r, "init"), "large") == 0;
        assert_string_equal(cell(&runs, r, "status"), is_large ? "diverged" : "finished");
        assert_string_equal(cell(&runs, r, "diverged_epoch"), is_large ? "1" : "");
        assert_string_equal(cell(&runs, r, "test_loss")[0] ? "value" : "empty", is_large ? "empty" : "value");
        if (!is_large) assert_string_equal(cell(&runs, r, "epochs"), "3");
    }
    table_free(&runs);
    assert_clean_folder(dir);

    /* With the threshold out of reach only overflow can stop it: Inf or NaN in the loss or the weights. */
    exp->divergence_loss = 1e300;
    exp->epochs = 50;
    char run_dir[8192];
    snprintf(run_dir, sizeof run_dir, "%s/overflow", dir);
    il_run_outcome outcome;
    if (il_run_single(exp, &data, 1, 1, run_dir, 0, NULL, NULL, &outcome, &err) != IL_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(outcome.status, IL_RUN_DIVERGED);
    assert_true(outcome.diverged_epoch >= 1 && outcome.diverged_epoch <= 50);
    assert_true(isnan(outcome.test_loss));
    table curves;
    assert_int_equal(table_read(&curves, path_in(run_dir, "curves.csv"), NULL), IL_OK);
    /* Rows stop before the divergence: the last logged epoch is earlier than the epoch it diverged in. */
    assert_true(strtod(cell(&curves, curves.n_rows - 1, "epoch"), NULL) < outcome.diverged_epoch);
    table_free(&curves);
    assert_clean_folder(run_dir);

    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_int_equal(il_summary_write(out, dir, NULL), IL_OK);
    fclose(out);
    assert_non_null(strstr(text, "diverged at epoch 1"));
    assert_non_null(strstr(text, "symmetric: 1 distinct unit"));
    free(text);
    il_data_free(&data);
    free(dir);
    free(exp);
}

/* ---- stop and resume
 * ---------------------------------------------------------------------------------------------- */

typedef struct {
    volatile sig_atomic_t *stop;
    size_t finished_lines;
    size_t stop_after;
} stopper;

/* Plays the user pressing Ctrl-C once stop_after runs have ended. */
static void stop_after_runs(void *ctx, const char *line) {
    stopper *s = ctx;
    if (line[0] == '[' && strstr(line, ": finished")) s->finished_lines++;
    if (s->stop_after && s->finished_lines >= s->stop_after) *s->stop = 1;
}

static void test_a_stopped_sweep_keeps_finished_runs_and_resume_runs_only_the_rest(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    il_data data;
    regression_data(&data, 40, 200);
    char *dir = fresh_dir("resume"), *whole = fresh_dir("resume-whole");
    volatile sig_atomic_t stop = 0;
    stopper s = {.stop = &stop, .stop_after = 2};
    il_runner_options opt = options(dir, &data, 1);
    opt.stop = &stop;
    opt.progress = stop_after_runs;
    opt.progress_ctx = &s;
    opt.no_timing = 1;
    il_run_report report;
    il_error err;
    assert_int_equal(run_and_collect(exp, &opt, &report, &err), IL_ERR_STOPPED);
    assert_non_null(strstr(err.msg, "--resume"));
    assert_int_equal(report.runs_executed, 2);
    assert_int_equal(report.runs_missing, 2);
    table runs;
    assert_int_equal(table_read(&runs, path_in(dir, "runs.csv"), NULL), IL_OK);
    assert_int_equal(runs.n_rows, 2); /* what finished is merged already */
    table_free(&runs);

    /* Without --resume the folder is refused; with it only the two missing runs are trained. */
    stop = 0;
    s.stop_after = 0;
    assert_int_equal(run_and_collect(exp, &opt, &report, &err), IL_ERR_USAGE);
    opt.resume = 1;
    if (run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_skipped, 2);
    assert_int_equal(report.runs_executed, 2);
    assert_int_equal(report.runs_missing, 0);
    /* A third time there is nothing left to do. */
    if (run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_executed, 0);
    assert_int_equal(report.runs_skipped, 4);

    il_runner_options plain = options(whole, &data, 1);
    plain.no_timing = 1;
    if (run_and_collect(exp, &plain, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_same_csvs(dir, whole, 0);
    assert_clean_folder(dir);
    il_data_free(&data);
    free(dir);
    free(whole);
    free(exp);
}

static volatile sig_atomic_t interrupted;
static void on_interrupt(int sig) {
    (void)sig;
    interrupted = 1;
}

/* The sweep of the Ctrl-C test: long enough (24 runs of 1500 epochs) that the signal lands in the middle. */
static il_experiment *slow_experiment(void) {
    il_experiment *exp = tiny_experiment();
    exp->epochs = 1500;
    exp->batch_size = 0;
    exp->log_every_steps = 0;
    exp->log_every_epochs = 100;
    set_init(exp, 2, "xavier", "xavier");
    set_init(exp, 3, "he", "he");
    exp->n_seeds = 6;
    for (size_t i = 0; i < 6; i++)
        exp->seeds[i] = 10 + i;
    return exp;
}

static void test_ctrl_c_to_the_process_group_stops_cleanly_and_resume_finishes(void **state) {
    (void)state;
    il_experiment *exp = slow_experiment();
    il_data data;
    regression_data(&data, 100, 1000);
    char *dir = fresh_dir("ctrl-c");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The "terminal session": its own process group, a SIGINT handler that sets the stop flag. */
        setpgid(0, 0);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_interrupt;
        sigaction(SIGINT, &sa, NULL);
        il_runner_options opt = options(dir, &data, 2);
        opt.stop = &interrupted;
        il_status st = run_and_collect(exp, &opt, NULL, NULL);
        _exit(st == IL_ERR_STOPPED ? 130 : st == IL_OK ? 0 : 1);
    }
    setpgid(pid, pid);
    /* Wait for the first complete run, then press Ctrl-C: SIGINT to the whole group, workers included. */
    char first[8192];
    snprintf(first, sizeof first, "%s/runs/zero__seed10/run.csv", dir);
    struct stat sb;
    for (int i = 0; i < 6000 && stat(first, &sb) != 0; i++)
        usleep(10000);
    assert_int_equal(stat(first, &sb), 0);
    assert_int_equal(kill(-pid, SIGINT), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);

    /* Whatever finished is merged, nothing is half-written. */
    table runs;
    assert_int_equal(table_read(&runs, path_in(dir, "runs.csv"), NULL), IL_OK);
    size_t kept = runs.n_rows;
    table_free(&runs);
    assert_true(kept >= 1 && kept < 24);
    assert_clean_folder(dir);
    il_runner_options opt = options(dir, &data, 2);
    opt.resume = 1;
    il_run_report report;
    il_error err;
    if (run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_skipped, kept);
    assert_int_equal(report.runs_executed, 24 - kept);
    assert_int_equal(report.runs_missing, 0);
    il_data_free(&data);
    free(dir);
    free(exp);
}

static void test_a_run_stopped_midway_writes_no_files(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    il_data data;
    regression_data(&data, 40, 200);
    char *dir = fresh_dir("stopped-run");
    volatile sig_atomic_t stop = 1;
    il_run_outcome out;
    assert_int_equal(il_run_single(exp, &data, 1, 1, dir, 0, &stop, NULL, &out, NULL), IL_ERR_STOPPED);
    struct stat sb;
    assert_int_not_equal(stat(path_in(dir, "run.csv"), &sb), 0);
    assert_int_not_equal(stat(path_in(dir, "curves.csv"), &sb), 0);
    il_data_free(&data);
    free(dir);
    free(exp);
}

static void test_resume_refuses_a_folder_of_another_configuration(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    il_data data;
    regression_data(&data, 40, 200);
    char *dir = fresh_dir("resume-other");
    il_runner_options opt = options(dir, &data, 2);
    il_error err;
    if (run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    exp->sgd.learning_rate = 0.2;
    opt.resume = 1;
    assert_int_equal(run_and_collect(exp, &opt, NULL, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "different configuration"));
    assert_non_null(strstr(err.msg, "learning_rate")); /* the message names the setting that differs */
    /* --jobs is not part of the configuration: a resume with another job count is fine. */
    exp->sgd.learning_rate = 0.1;
    exp->jobs = 1;
    opt.jobs = 1;
    if (run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    il_data_free(&data);
    free(dir);
    free(exp);
}

/* ---- reproducibility
 * ------------------------------------------------------------------------------------------------ */

static void test_the_same_config_twice_gives_byte_identical_csvs(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    char *a = fresh_dir("twice-a"), *b = fresh_dir("twice-b");
    /* Data loaded by the runner itself from the experiment's spec, as the CLI does. */
    il_runner_options oa = options(a, NULL, 2), ob = options(b, NULL, 2);
    il_error err;
    if (run_and_collect(exp, &oa, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    if (run_and_collect(exp, &ob, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_same_csvs(a, b, 1);
    /* With timing off, every CSV is identical, runs.csv included. */
    char *c = fresh_dir("twice-c"), *d = fresh_dir("twice-d");
    il_runner_options oc = options(c, NULL, 2), od = options(d, NULL, 1);
    oc.no_timing = od.no_timing = 1;
    if (run_and_collect(exp, &oc, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    if (run_and_collect(exp, &od, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_same_csvs(c, d, 0);
    struct stat sb;
    assert_int_not_equal(stat(path_in(c, "timing.csv"), &sb), 0);
    assert_int_equal(stat(path_in(a, "timing.csv"), &sb), 0);
    assert_clean_folder(a);
    free(a);
    free(b);
    free(c);
    free(d);
    free(exp);
}

static void test_one_job_and_two_jobs_give_identical_files(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    set_init(exp, 2, "he", "he");
    exp->n_seeds = 3;
    exp->seeds[2] = 77;
    il_data data;
    regression_data(&data, 40, 200);
    char *one = fresh_dir("jobs1"), *two = fresh_dir("jobs2");
    il_runner_options o1 = options(one, &data, 1), o2 = options(two, &data, 2);
    il_run_report r1, r2;
    il_error err;
    if (run_and_collect(exp, &o1, &r1, &err) != IL_OK) fail_msg("%s", err.msg);
    if (run_and_collect(exp, &o2, &r2, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(r1.jobs, 1);
    assert_int_equal(r2.jobs, 2);
    assert_int_equal(r2.runs_executed, 9);
    assert_same_csvs(one, two, 1);
    il_data_free(&data);
    free(one);
    free(two);
    free(exp);
}

static void test_two_shards_merged_equal_the_unsharded_run(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    set_init(exp, 2, "large", "large:10");
    exp->n_seeds = 3;
    exp->seeds[2] = 9;
    il_data data;
    regression_data(&data, 40, 200);
    char *s1 = fresh_dir("shard1"), *s2 = fresh_dir("shard2"), *whole = fresh_dir("unsharded"),
         *merged = fresh_dir("merged");
    il_runner_options o1 = options(s1, &data, 2), o2 = options(s2, &data, 1), ow = options(whole, &data, 2);
    o1.shard_k = 1, o1.shard_n = 2;
    o2.shard_k = 2, o2.shard_n = 2;
    o1.no_timing = o2.no_timing = ow.no_timing = 1;
    il_run_report r1, r2, rm;
    il_error err;
    if (run_and_collect(exp, &o1, &r1, &err) != IL_OK) fail_msg("%s", err.msg);
    if (run_and_collect(exp, &o2, &r2, &err) != IL_OK) fail_msg("%s", err.msg);
    if (run_and_collect(exp, &ow, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(r1.runs_in_shard + r2.runs_in_shard, 9);
    assert_int_equal(r1.runs_in_shard, 5);
    const char *dirs[] = {s1, s2};
    if (il_results_merge(dirs, 2, merged, &rm, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(rm.runs_missing, 0);
    assert_int_equal(rm.runs_finished + rm.runs_diverged, 9);
    assert_same_csvs(merged, whole, 0);
    /* One slice alone merges too, with the rest counted as missing. */
    char *half = fresh_dir("merged-half");
    if (il_results_merge(dirs, 1, half, &rm, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(rm.runs_missing, 4);
    /* Slices of different configurations are refused, and nothing overwrites the merged folder. */
    il_experiment *other = tiny_experiment();
    other->epochs = 2;
    char *o = fresh_dir("other");
    il_runner_options oo = options(o, &data, 2);
    if (run_and_collect(other, &oo, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    const char *mixed[] = {s1, o};
    char *refused = fresh_dir("refused");
    assert_int_equal(il_results_merge(mixed, 2, refused, NULL, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "different configurations"));
    assert_non_null(strstr(err.msg, "epochs"));
    assert_int_equal(il_results_merge(dirs, 2, merged, NULL, &err), IL_ERR_USAGE);
    il_data_free(&data);
    free(s1);
    free(s2);
    free(whole);
    free(merged);
    free(half);
    free(o);
    free(refused);
    free(other);
    free(exp);
}

/* ---- folders
 * -------------------------------------------------------------------------------------------------- */

static void test_a_finished_folder_is_never_overwritten(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    il_data data;
    regression_data(&data, 40, 200);
    char *dir = fresh_dir("keep");
    il_runner_options opt = options(dir, &data, 2);
    il_error err;
    if (run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    char *before = tu_read_file(path_in(dir, "runs.csv"), NULL);
    assert_non_null(before);
    exp->sgd.learning_rate = 0.3; /* a different experiment aimed at the same folder */
    assert_int_equal(run_and_collect(exp, &opt, NULL, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "never overwritten"));
    char *after = tu_read_file(path_in(dir, "runs.csv"), NULL);
    assert_string_equal(before, after);
    /* A folder holding anything at all is refused too. */
    char *other = fresh_dir("keep-other");
    assert_int_equal(il_make_dirs(other, NULL), IL_OK);
    assert_int_equal(tu_write_file(path_in(other, "notes.txt"), "mine", 4), 0);
    il_runner_options o2 = options(other, &data, 2);
    assert_int_equal(run_and_collect(exp, &o2, NULL, &err), IL_ERR_USAGE);
    char *notes = tu_read_file(path_in(other, "notes.txt"), NULL);
    assert_string_equal(notes, "mine");
    free(before);
    free(after);
    free(notes);
    il_data_free(&data);
    free(dir);
    free(other);
    free(exp);
}

static void test_the_folder_holds_config_meta_and_wide_files_with_one_column_per_init(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    set_init(exp, 2, "xavier", "xavier");
    il_data data;
    regression_data(&data, 40, 200);
    char *dir = fresh_dir("layout");
    il_runner_options opt = options(dir, &data, 2);
    il_error err;
    if (run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    il__meta meta;
    assert_int_equal(il__meta_read(&meta, path_in(dir, "meta"), NULL), IL_OK);
    assert_non_null(il__meta_get(&meta, "version"));
    assert_string_equal(il__meta_get(&meta, "seeds"), "1,2");
    assert_non_null(il__meta_get(&meta, "blas"));
    assert_string_equal(il__meta_get(&meta, "blas_threads_per_run"), "1");
    assert_non_null(il__meta_get(&meta, "date"));
    assert_int_equal(strlen(il__meta_get(&meta, "config_fingerprint")), 16);
    il__meta_free(&meta);
    il_experiment *back = malloc(sizeof *back);
    if (il_experiment_load(back, path_in(dir, "config.ini"), &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(back->n_inits, 3);
    assert_int_equal(back->epochs, 3);
    free(back);

    const char *wide[] = {"test_loss_wide.csv",   "train_loss_wide.csv",         "saturated_wide.csv",
                          "linearity_wide.csv",   "distinct_units_wide.csv",     "grad_norm_wide.csv",
                          "weight_norm_wide.csv", "relative_test_error_wide.csv"};
    table curves;
    assert_int_equal(table_read(&curves, path_in(dir, "curves.csv"), NULL), IL_OK);
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        table t;
        if (table_read(&t, path_in(dir, wide[i]), &err) != IL_OK) fail_msg("%s", err.msg);
        assert_int_equal(t.n_cols, 4);
        assert_string_equal(t.header[0], "epoch");
        assert_string_equal(t.header[1], "zero");
        assert_string_equal(t.header[2], "uniform");
        assert_string_equal(t.header[3], "xavier");
        assert_int_equal(t.n_rows, 5); /* epochs 0, 0.5, 1, 2, 3 */
        table_free(&t);
    }
    /* The test loss of uniform at epoch 3 is the mean of its two seeds' values in curves.csv. */
    double sum = 0;
    for (size_t r = 0; r < curves.n_rows; r++)
        if (strcmp(cell(&curves, r, "init"), "uniform") == 0 && strcmp(cell(&curves, r, "epoch"), "3") == 0)
            sum += strtod(cell(&curves, r, "test_loss"), NULL);
    table t;
    assert_int_equal(table_read(&t, path_in(dir, "test_loss_wide.csv"), NULL), IL_OK);
    assert_string_equal(table_cell(&t, 4, 0), "3");
    assert_cell_is(&t, 4, "uniform", sum / 2);
    table_free(&t);
    table_free(&curves);
    /* Histograms at epoch 0 and at the end: 2 points x 3 inits x 2 seeds x 2 layers x 40 bins. */
    table hist;
    assert_int_equal(table_read(&hist, path_in(dir, "histograms.csv"), NULL), IL_OK);
    assert_int_equal(hist.n_rows, 2 * 3 * 2 * 2 * IL_HIST_BINS);
    table_free(&hist);
    assert_clean_folder(dir);
    il_data_free(&data);
    free(dir);
    free(exp);
}

/* The arrow runner -> results: il_run_experiment leaves run folders only, il_results_collect makes the
 * merged files from them, and collecting again gives the same bytes. */
static void test_the_runner_writes_run_folders_and_collect_writes_the_merged_files(void **state) {
    (void)state;
    il_experiment *exp = tiny_experiment();
    il_data data;
    regression_data(&data, 40, 200);
    char *dir = fresh_dir("collect");
    il_runner_options opt = options(dir, &data, 2);
    opt.no_timing = 1;
    il_run_report report;
    il_error err;
    if (il_run_experiment(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.folder_ready, 1);
    struct stat sb;
    assert_int_equal(stat(path_in(dir, "runs/uniform__seed2/run.csv"), &sb), 0);
    const char *merged[] = {"runs.csv", "curves.csv", "layers.csv", "histograms.csv", "test_loss_wide.csv"};
    for (size_t i = 0; i < 5; i++)
        assert_int_not_equal(stat(path_in(dir, merged[i]), &sb), 0);
    size_t complete = 0;
    if (il_results_collect(exp, dir, &complete, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(complete, il_plan_size(exp));
    char *first[5];
    for (size_t i = 0; i < 5; i++)
        assert_non_null(first[i] = tu_read_file(path_in(dir, merged[i]), NULL));
    if (il_results_collect(exp, dir, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    for (size_t i = 0; i < 5; i++) {
        char *again = tu_read_file(path_in(dir, merged[i]), NULL);
        assert_string_equal(again, first[i]);
        free(again);
        free(first[i]);
    }
    table runs;
    assert_int_equal(table_read(&runs, path_in(dir, "runs.csv"), NULL), IL_OK);
    assert_int_equal(runs.n_rows, il_plan_size(exp));
    table_free(&runs);
    /* A refused folder is not the experiment's: nothing to collect there. */
    assert_int_equal(il_run_experiment(exp, &opt, &report, &err), IL_ERR_USAGE);
    assert_int_equal(report.folder_ready, 0);
    assert_clean_folder(dir);
    il_data_free(&data);
    free(dir);
    free(exp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_inits_with_one_seed_see_the_same_batches_data_and_probe_samples),
        cmocka_unit_test(test_the_epoch_zero_row_equals_a_direct_probe_of_the_initialized_net),
        cmocka_unit_test(
            test_a_huge_learning_rate_marks_the_run_diverged_and_leaves_the_others_and_the_csvs_clean),
        cmocka_unit_test(test_a_stopped_sweep_keeps_finished_runs_and_resume_runs_only_the_rest),
        cmocka_unit_test(test_ctrl_c_to_the_process_group_stops_cleanly_and_resume_finishes),
        cmocka_unit_test(test_a_run_stopped_midway_writes_no_files),
        cmocka_unit_test(test_resume_refuses_a_folder_of_another_configuration),
        cmocka_unit_test(test_the_same_config_twice_gives_byte_identical_csvs),
        cmocka_unit_test(test_one_job_and_two_jobs_give_identical_files),
        cmocka_unit_test(test_two_shards_merged_equal_the_unsharded_run),
        cmocka_unit_test(test_a_finished_folder_is_never_overwritten),
        cmocka_unit_test(test_the_folder_holds_config_meta_and_wide_files_with_one_column_per_init),
        cmocka_unit_test(test_the_runner_writes_run_folders_and_collect_writes_the_merged_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
