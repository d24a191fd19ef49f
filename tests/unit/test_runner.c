/* test_runner.c - the runner on tiny experiments (a few epochs of a 2-4-1 net on 40 examples): the
 * plan's fairness across inits, the epoch-0 row against a direct probe, divergence, and byte-identical
 * results across invocations, job counts and shards. Folders, stop and resume: test_run_folders.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "initlab/probe.h"
#include "initlab/results.h"
#include "initlab/rng.h"
#include "initlab/runner.h"
#include "initlab/train.h"
#include "runner_fixture.h"
#include "testutil.h"

/* ---- data ---------------------------------------------------------------------------------------------- */

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
    il_experiment *exp = rf_tiny_experiment();
    rf_set_init(exp, 1, "large", "large:10");
    il_data data;
    rf_regression_data(&data, 40, 200);
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

static void test_the_epoch_zero_row_equals_a_direct_probe_of_the_initialized_net(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *dir = rf_fresh_dir("epoch0");
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

    rf_table curves, lay;
    assert_int_equal(rf_table_read(&curves, rf_path_in(dir, "curves.csv"), NULL), IL_OK);
    assert_int_equal(rf_table_read(&lay, rf_path_in(dir, "layers.csv"), NULL), IL_OK);
    assert_string_equal(rf_cell(&curves, 0, "epoch"), "0");
    assert_string_equal(rf_cell(&curves, 0, "step"), "0");
    rf_assert_cell_is(&curves, 0, "train_loss", train.loss);
    rf_assert_cell_is(&curves, 0, "test_loss", test.loss);
    rf_assert_cell_is(&curves, 0, "linearity", summary.linearity);
    rf_assert_cell_is(&curves, 0, "weight_norm", summary.weight_norm);
    rf_assert_cell_is(&curves, 0, "param_norm", summary.param_norm);
    rf_assert_cell_is(&curves, 0, "grad_norm", summary.grad_norm);
    rf_assert_cell_is(&curves, 0, "probe_loss", summary.probe_loss);
    rf_assert_cell_is(&curves, 0, "saturated", layers[0].saturated);
    rf_assert_cell_is(&curves, 0, "distinct_units", (double)layers[0].distinct_units);
    assert_string_equal(rf_cell(&curves, 0, "test_accuracy"), ""); /* regression: does not exist */
    /* test_mse is the mean squared error of the predictions; relative_test_error divides by the Bayes error.
     */
    double sse = 0;
    il_net_forward(net, data.test.x, 200);
    for (size_t i = 0; i < 200; i++)
        sse += pow((double)net->a[1][i] - (double)data.test.y[i], 2);
    double mse = strtod(rf_cell(&curves, 0, "test_mse"), NULL);
    assert_true(fabs(mse - sse / 200) <= 1e-6 * mse);
    assert_true(fabs(strtod(rf_cell(&curves, 0, "relative_test_error"), NULL) - mse / 0.01) <=
                1e-6 * mse / 0.01);
    for (size_t l = 0; l < 2; l++) {
        assert_string_equal(rf_cell(&lay, l, "epoch"), "0");
        rf_assert_cell_is(&lay, l, "layer", (double)(l + 1));
        rf_assert_cell_is(&lay, l, "weight_norm", layers[l].weight_norm);
        rf_assert_cell_is(&lay, l, "grad_norm", layers[l].grad_norm);
        rf_assert_cell_is(&lay, l, "preact_std", layers[l].preact_std);
        rf_assert_cell_is(&lay, l, "act_mean", layers[l].act_mean);
        rf_assert_cell_is(&lay, l, "linear_region", layers[l].linear_region);
        rf_assert_cell_is(&lay, l, "distinct_units", (double)layers[l].distinct_units);
    }
    assert_string_equal(rf_cell(&lay, 0, "activation"), "tanh");
    /* Step log points of the first epoch have a fractional epoch: 4 steps per epoch, logged every 2. */
    assert_string_equal(rf_cell(&curves, 1, "epoch"), "0.5");
    assert_string_equal(rf_cell(&curves, 1, "step"), "2");
    assert_string_equal(rf_cell(&curves, 2, "epoch"), "1");
    assert_string_equal(rf_cell(&curves, 2, "step"), "4");
    assert_int_equal(curves.n_rows, 5); /* 0, 0.5, 1, 2, 3 */
    rf_table_free(&curves);
    rf_table_free(&lay);
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
    il_experiment *exp = rf_tiny_experiment();
    /* Full batch on targets that cancel: zero weights get exactly zero gradients (tanh(0) = 0, the output
     * weights are 0 and the targets cancel in the output bias), so only the large start can blow up, and
     * the squared error has no ceiling. */
    exp->batch_size = 0;
    exp->log_every_steps = 0;
    exp->sgd.learning_rate = 1000; /* the largest rate a config accepts */
    rf_set_init(exp, 1, "large", "large:20");
    il_data data;
    symmetric_targets(&data);
    char *dir = rf_fresh_dir("diverge");
    il_runner_options opt = rf_options(dir, &data, 2);
    il_run_report report;
    il_error err;
    if (rf_run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_diverged, 2);
    assert_int_equal(report.runs_finished, 2);
    assert_int_equal(report.runs_failed, 0);
    assert_int_equal(report.runs_missing, 0);

    rf_table runs;
    assert_int_equal(rf_table_read(&runs, rf_path_in(dir, "runs.csv"), NULL), IL_OK);
    assert_int_equal(runs.n_rows, 4);
    for (size_t r = 0; r < 4; r++) {
        int is_large = strcmp(rf_cell(&runs, r, "init"), "large") == 0;
        assert_string_equal(rf_cell(&runs, r, "status"), is_large ? "diverged" : "finished");
        assert_string_equal(rf_cell(&runs, r, "diverged_epoch"), is_large ? "1" : "");
        assert_string_equal(rf_cell(&runs, r, "test_loss")[0] ? "value" : "empty",
                            is_large ? "empty" : "value");
        if (!is_large) assert_string_equal(rf_cell(&runs, r, "epochs"), "3");
    }
    rf_table_free(&runs);
    rf_assert_clean_folder(dir);

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
    rf_table curves;
    assert_int_equal(rf_table_read(&curves, rf_path_in(run_dir, "curves.csv"), NULL), IL_OK);
    /* Rows stop before the divergence: the last logged epoch is earlier than the epoch it diverged in. */
    assert_true(strtod(rf_cell(&curves, curves.n_rows - 1, "epoch"), NULL) < outcome.diverged_epoch);
    rf_table_free(&curves);
    rf_assert_clean_folder(run_dir);

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

/* ---- reproducibility
 * ------------------------------------------------------------------------------------------------ */

static void test_the_same_config_twice_gives_byte_identical_csvs(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    char *a = rf_fresh_dir("twice-a"), *b = rf_fresh_dir("twice-b");
    /* Data loaded by the runner itself from the experiment's spec, as the CLI does. */
    il_runner_options oa = rf_options(a, NULL, 2), ob = rf_options(b, NULL, 2);
    il_error err;
    if (rf_run_and_collect(exp, &oa, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    if (rf_run_and_collect(exp, &ob, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    rf_assert_same_csvs(a, b, 1);
    /* With timing off, every CSV is identical, runs.csv included. */
    char *c = rf_fresh_dir("twice-c"), *d = rf_fresh_dir("twice-d");
    il_runner_options oc = rf_options(c, NULL, 2), od = rf_options(d, NULL, 1);
    oc.no_timing = od.no_timing = 1;
    if (rf_run_and_collect(exp, &oc, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    if (rf_run_and_collect(exp, &od, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    rf_assert_same_csvs(c, d, 0);
    struct stat sb;
    assert_int_not_equal(stat(rf_path_in(c, "timing.csv"), &sb), 0);
    assert_int_equal(stat(rf_path_in(a, "timing.csv"), &sb), 0);
    rf_assert_clean_folder(a);
    free(a);
    free(b);
    free(c);
    free(d);
    free(exp);
}

static void test_one_job_and_two_jobs_give_identical_files(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    rf_set_init(exp, 2, "he", "he");
    exp->n_seeds = 3;
    exp->seeds[2] = 77;
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *one = rf_fresh_dir("jobs1"), *two = rf_fresh_dir("jobs2");
    il_runner_options o1 = rf_options(one, &data, 1), o2 = rf_options(two, &data, 2);
    il_run_report r1, r2;
    il_error err;
    if (rf_run_and_collect(exp, &o1, &r1, &err) != IL_OK) fail_msg("%s", err.msg);
    if (rf_run_and_collect(exp, &o2, &r2, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(r1.jobs, 1);
    assert_int_equal(r2.jobs, 2);
    assert_int_equal(r2.runs_executed, 9);
    rf_assert_same_csvs(one, two, 1);
    il_data_free(&data);
    free(one);
    free(two);
    free(exp);
}

static void test_two_shards_merged_equal_the_unsharded_run(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    rf_set_init(exp, 2, "large", "large:10");
    exp->n_seeds = 3;
    exp->seeds[2] = 9;
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *s1 = rf_fresh_dir("shard1"), *s2 = rf_fresh_dir("shard2"), *whole = rf_fresh_dir("unsharded"),
         *merged = rf_fresh_dir("merged");
    il_runner_options o1 = rf_options(s1, &data, 2), o2 = rf_options(s2, &data, 1),
                      ow = rf_options(whole, &data, 2);
    o1.shard_k = 1, o1.shard_n = 2;
    o2.shard_k = 2, o2.shard_n = 2;
    o1.no_timing = o2.no_timing = ow.no_timing = 1;
    il_run_report r1, r2, rm;
    il_error err;
    if (rf_run_and_collect(exp, &o1, &r1, &err) != IL_OK) fail_msg("%s", err.msg);
    if (rf_run_and_collect(exp, &o2, &r2, &err) != IL_OK) fail_msg("%s", err.msg);
    if (rf_run_and_collect(exp, &ow, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(r1.runs_in_shard + r2.runs_in_shard, 9);
    assert_int_equal(r1.runs_in_shard, 5);
    const char *dirs[] = {s1, s2};
    if (il_results_merge(dirs, 2, merged, &rm, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(rm.runs_missing, 0);
    assert_int_equal(rm.runs_finished + rm.runs_diverged, 9);
    rf_assert_same_csvs(merged, whole, 0);
    /* One slice alone merges too, with the rest counted as missing. */
    char *half = rf_fresh_dir("merged-half");
    if (il_results_merge(dirs, 1, half, &rm, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(rm.runs_missing, 4);
    /* Slices of different configurations are refused, and nothing overwrites the merged folder. */
    il_experiment *other = rf_tiny_experiment();
    other->epochs = 2;
    char *o = rf_fresh_dir("other");
    il_runner_options oo = rf_options(o, &data, 2);
    if (rf_run_and_collect(other, &oo, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    const char *mixed[] = {s1, o};
    char *refused = rf_fresh_dir("refused");
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_inits_with_one_seed_see_the_same_batches_data_and_probe_samples),
        cmocka_unit_test(test_the_epoch_zero_row_equals_a_direct_probe_of_the_initialized_net),
        cmocka_unit_test(
            test_a_huge_learning_rate_marks_the_run_diverged_and_leaves_the_others_and_the_csvs_clean),
        cmocka_unit_test(test_the_same_config_twice_gives_byte_identical_csvs),
        cmocka_unit_test(test_one_job_and_two_jobs_give_identical_files),
        cmocka_unit_test(test_two_shards_merged_equal_the_unsharded_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
