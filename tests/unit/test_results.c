/* test_results.c - the results side of the runner without training anything: the plan and its
 * shards, the shared random choices, the CSV reader, meta, merged long and wide files built from
 * hand-written run folders, and the summary's verdicts.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "initlab/fileio.h"
#include "initlab/results.h"
#include "initlab/runner.h"
#include "runner/runner_internal.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------------------- */

/* An experiment with the given init labels and seeds; only what the plan and merging read is set. */
static il_experiment *small_experiment(const char *const *labels, size_t n_inits, const uint64_t *seeds,
                                       size_t n_seeds) {
    il_experiment *exp = calloc(1, sizeof *exp);
    assert_non_null(exp);
    snprintf(exp->name, sizeof exp->name, "fabricated");
    for (size_t i = 0; i < n_inits; i++)
        snprintf(exp->inits[i].label, sizeof exp->inits[i].label, "%s", labels[i]);
    exp->n_inits = n_inits;
    for (size_t i = 0; i < n_seeds; i++)
        exp->seeds[i] = seeds[i];
    exp->n_seeds = n_seeds;
    return exp;
}

static void write_text(const char *dir, const char *name, const char *text) {
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
}

static char *read_text(const char *dir, const char *name) {
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = tu_read_file(path, NULL);
    if (!text) fail_msg("cannot read %s", path);
    return text;
}

/* A fake run folder runs/<label>__seed<seed>/ with curves rows "epoch,step,test_loss,saturated". */
typedef struct {
    const char *epoch;
    const char *step;
    const char *test_loss;
    const char *saturated;
} fake_point;

static void fake_run(const char *dir, const char *label, unsigned seed, const fake_point *points, size_t n,
                     const char *status, int complete) {
    char run_dir[4096], line[1024];
    snprintf(run_dir, sizeof run_dir, "%s/runs/%s__seed%u", dir, label, seed);
    assert_int_equal(il_make_dirs(run_dir, NULL), IL_OK);
    size_t cap = 4096 + n * 256;
    char *curves = calloc(1, cap), *layers = calloc(1, cap), *hist = calloc(1, cap), *timing = calloc(1, cap);
    snprintf(curves, cap, "%s\n", IL_CURVE_COLUMNS);
    snprintf(layers, cap, "%s\n", IL_LAYER_COLUMNS);
    snprintf(hist, cap, "%s\n", IL_HISTOGRAM_COLUMNS);
    snprintf(timing, cap, "%s\n", IL_TIMING_COLUMNS);
    for (size_t i = 0; i < n; i++) {
        const fake_point *p = &points[i];
        snprintf(line, sizeof line, "%s,%u,%s,%s,1,%s,,,,0.9,1,1,0.5,0.1,%s,0.5,,4\n", label, seed, p->epoch,
                 p->step, p->test_loss, p->saturated);
        strcat(curves, line);
        snprintf(line, sizeof line, "%s,%u,%s,%s,1,sigmoid,4,1,0.5,0,1,0.5,0.1,%s,0.5,,4\n", label, seed,
                 p->epoch, p->step, p->saturated);
        strcat(layers, line);
        snprintf(line, sizeof line, "%s,%u,%s,%s,1,sigmoid,1,0,1,3\n", label, seed, p->epoch, p->step);
        strcat(hist, line);
        snprintf(line, sizeof line, "%s,%u,%s,%s,0.25\n", label, seed, p->epoch, p->step);
        strcat(timing, line);
    }
    write_text(run_dir, "curves.csv", curves);
    write_text(run_dir, "layers.csv", layers);
    write_text(run_dir, "histograms.csv", hist);
    write_text(run_dir, "timing.csv", timing);
    if (complete) {
        snprintf(line, sizeof line,
                 "%s\n%s__seed%u,%s,uniform:0.7,%u,%s,,1,4,1,1,,1,,0.99,0.5,0.1,0.2,,,4,4,4,1,2,0.25\n",
                 IL_RUN_COLUMNS, label, seed, label, seed, status);
        write_text(run_dir, "run.csv", line);
    }
    free(curves);
    free(layers);
    free(hist);
    free(timing);
}

/* ---- plan ---------------------------------------------------------------------------------------------- */

static void test_the_plan_is_seed_major_with_readable_run_ids(void **state) {
    (void)state;
    const char *labels[] = {"zero", "uniform 0.7", "he"};
    const uint64_t seeds[] = {11, 22};
    il_experiment *exp = small_experiment(labels, 3, seeds, 2);
    assert_int_equal(il_plan_size(exp), 6);
    il_plan_run run;
    il_plan_get(exp, 0, &run);
    assert_string_equal(run.id, "zero__seed11");
    il_plan_get(exp, 1, &run);
    assert_string_equal(run.id, "uniform_0.7__seed11"); /* the space cannot be in a folder name */
    assert_int_equal(run.init_index, 1);
    il_plan_get(exp, 3, &run);
    assert_string_equal(run.id, "zero__seed22");
    assert_int_equal(run.seed_index, 1);
    assert_int_equal(run.seed, 22);
    free(exp);
}

static void test_shards_split_the_plan_into_disjoint_slices_that_cover_it(void **state) {
    (void)state;
    for (size_t n = 1; n <= 5; n++) {
        for (size_t index = 0; index < 23; index++) {
            size_t owners = 0;
            for (size_t k = 1; k <= n; k++)
                owners += (size_t)il_plan_in_shard(index, k, n);
            assert_int_equal(owners, 1);
        }
    }
    assert_true(il_plan_in_shard(7, 0, 0)); /* not sharded: everything */
}

static void test_probe_samples_are_distinct_sorted_and_depend_on_the_seed_only(void **state) {
    (void)state;
    size_t a[50], b[50], c[50];
    il_run_probe_indices(5, 1000, 50, a);
    il_run_probe_indices(5, 1000, 50, b);
    il_run_probe_indices(6, 1000, 50, c);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    for (size_t i = 0; i < 50; i++) {
        assert_true(a[i] < 1000);
        if (i) assert_true(a[i] > a[i - 1]);
    }
    size_t all[20];
    il_run_probe_indices(5, 20, 20, all);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(all[i], i);
}

static void test_each_epoch_order_is_a_new_permutation_from_the_seed(void **state) {
    (void)state;
    enum { N = 64 };
    size_t e1[N], e2[N], again[N];
    il_run_epoch_order(9, 1, e1, N);
    il_run_epoch_order(9, 2, e2, N);
    il_run_epoch_order(9, 2, again, N);
    assert_memory_equal(e2, again, sizeof e2);
    assert_memory_not_equal(e1, e2, sizeof e1);
    int seen[N] = {0};
    for (size_t i = 0; i < N; i++)
        seen[e2[i]]++;
    for (size_t i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
}

/* ---- meta ------------------------------------------------------------------------------------------------
 */

static void test_meta_round_trips_and_keeps_values_on_one_line(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("meta");
    char path[4096];
    snprintf(path, sizeof path, "%s/meta", dir);
    il__meta meta = {0};
    assert_int_equal(il__meta_set(&meta, "experiment", "demo", NULL), IL_OK);
    assert_int_equal(il__meta_set(&meta, "data", "two\nlines = here", NULL), IL_OK);
    assert_int_equal(il__meta_set(&meta, "experiment", "renamed", NULL), IL_OK);
    assert_int_equal(il__meta_write(&meta, path, NULL), IL_OK);
    il__meta_free(&meta);
    il__meta back;
    assert_int_equal(il__meta_read(&back, path, NULL), IL_OK);
    assert_int_equal(back.n, 2);
    assert_string_equal(il__meta_get(&back, "experiment"), "renamed");
    assert_string_equal(il__meta_get(&back, "data"), "two lines = here");
    assert_null(il__meta_get(&back, "seed"));
    il__meta_free(&back);
    free(dir);
}

static void test_meta_keeps_long_values_exactly_over_indented_lines_that_an_ini_reader_reads(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("meta-long");
    char path[4096];
    snprintf(path, sizeof path, "%s/meta", dir);
    /* 1000 seeds, a long sentence, a path without blanks, single letters between blanks. */
    char seeds[8000] = "", sentence[1200] = "", folder[700] = "", letters[400] = "";
    for (int i = 1; i <= 1000; i++)
        snprintf(seeds + strlen(seeds), sizeof seeds - strlen(seeds), "%s%d", i > 1 ? "," : "", i * 7919);
    for (int i = 0; i < 40; i++)
        strcat(sentence, i % 9 == 8 ? "#tag [x] = y; " : "words, and more ");
    for (int i = 0; i < 60; i++)
        strcat(folder, "results/a_b");
    for (int i = 0; i < 150; i++)
        strcat(letters, i % 2 ? " " : "x");
    const char *keys[] = {"seeds", "data_description", "merged_from", "inits"};
    const char *values[] = {seeds, sentence, folder, letters};
    il__meta meta = {0};
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(il__meta_set(&meta, keys[k], values[k], NULL), IL_OK);
    assert_int_equal(il__meta_write(&meta, path, NULL), IL_OK);
    size_t size = 0;
    char *text = tu_read_file(path, &size);
    assert_non_null(text);
    size_t line_len = 0;
    for (size_t i = 0; i < size; i++) {
        line_len = text[i] == '\n' ? 0 : line_len + 1;
        if (line_len > 198) fail_msg("a line of meta is longer than an INI line holds: %.60s", text + i - 60);
    }
    assert_non_null(strstr(text, "\n    ")); /* continued */
    free(text);
    il__meta back;
    il_error err;
    if (il__meta_read(&back, path, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(back.n, 4);
    assert_string_equal(il__meta_get(&back, "seeds"), seeds);
    assert_string_equal(il__meta_get(&back, "merged_from"), folder);
    /* What meta_set stored (the sentence's trailing blank goes) is what comes back. */
    for (size_t k = 0; k < 3; k++)
        assert_string_equal(il__meta_get(&back, keys[k]), il__meta_get(&meta, keys[k]));
    assert_int_equal(strlen(il__meta_get(&meta, "data_description")), strlen(sentence) - 1);
    /* The one value with no place to break keeps every letter. */
    const char *l = il__meta_get(&back, "inits");
    size_t xs = 0;
    for (; *l; l++)
        xs += *l == 'x';
    assert_int_equal(xs, 75);
    il__meta_free(&back);
    il__meta_free(&meta);
    free(dir);
}

static void test_meta_reads_comments_crlf_and_refuses_a_line_without_equals_by_number(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("meta-bad");
    char path[4096];
    snprintf(path, sizeof path, "%s/meta", dir);
    write_text(dir, "meta", "# made by hand\r\n; also a comment\r\nexperiment = demo\r\n\r\nshard=all\r\n");
    il__meta meta;
    il_error err;
    if (il__meta_read(&meta, path, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(meta.n, 2);
    assert_string_equal(il__meta_get(&meta, "experiment"), "demo");
    assert_string_equal(il__meta_get(&meta, "shard"), "all");
    il__meta_free(&meta);
    write_text(dir, "meta", "experiment = demo\nthis line has no equals sign\n");
    assert_int_equal(il__meta_read(&meta, path, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "meta: line 2: expected \"key = value\""));
    assert_int_equal(meta.n, 0);
    char long_line[400];
    memset(long_line, 'v', sizeof long_line);
    memcpy(long_line, "data = ", 7);
    long_line[sizeof long_line - 2] = '\n';
    long_line[sizeof long_line - 1] = '\0';
    write_text(dir, "meta", long_line);
    assert_int_equal(il__meta_read(&meta, path, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "meta: line 1 is longer than 198 characters"));
    free(dir);
}

/* ---- merged files
 * ------------------------------------------------------------------------------------------ */

static void test_merged_files_follow_the_plan_order_and_skip_incomplete_runs(void **state) {
    (void)state;
    const char *labels[] = {"zero", "large"};
    const uint64_t seeds[] = {1, 2};
    il_experiment *exp = small_experiment(labels, 2, seeds, 2);
    char *dir = tu_make_tmpdir("merged");
    fake_point p[] = {{"0", "0", "1", "0.5"}};
    /* Written out of order on purpose; large__seed1 has no run.csv, so it is not complete. */
    fake_run(dir, "large", 2, p, 1, "finished", 1);
    fake_run(dir, "zero", 2, p, 1, "finished", 1);
    fake_run(dir, "large", 1, p, 1, "finished", 0);
    fake_run(dir, "zero", 1, p, 1, "diverged", 1);
    size_t complete = 0;
    assert_int_equal(il_results_collect(exp, dir, &complete, NULL), IL_OK);
    assert_int_equal(complete, 3);
    char *runs = read_text(dir, "runs.csv");
    char *z1 = strstr(runs, "\nzero__seed1,"), *z2 = strstr(runs, "\nzero__seed2,"),
         *l2 = strstr(runs, "\nlarge__seed2,");
    assert_non_null(z1);
    assert_non_null(z2);
    assert_non_null(l2);
    assert_true(z1 < z2 && z2 < l2); /* seed-major: zero, large of seed 1, then of seed 2 */
    assert_null(strstr(runs, "large__seed1"));
    assert_int_equal(strncmp(runs, IL_RUN_COLUMNS "\n", strlen(IL_RUN_COLUMNS) + 1), 0);
    char *curves = read_text(dir, "curves.csv");
    assert_int_equal(strncmp(curves, IL_CURVE_COLUMNS "\n", strlen(IL_CURVE_COLUMNS) + 1), 0);
    assert_null(strstr(curves, "large,1,"));
    free(runs);
    free(curves);
    free(exp);
    free(dir);
}

static void test_wide_files_hold_the_mean_over_seeds_per_init_and_leave_missing_values_empty(void **state) {
    (void)state;
    const char *labels[] = {"zero", "large"};
    const uint64_t seeds[] = {1, 2};
    il_experiment *exp = small_experiment(labels, 2, seeds, 2);
    char *dir = tu_make_tmpdir("wide");
    fake_point z1[] = {{"0", "0", "1", "0.25"}, {"0.5", "2", "0.5", ""}, {"1", "4", "0.25", "0.5"}};
    fake_point z2[] = {{"0", "0", "3", "0.75"}, {"0.5", "2", "1.5", ""}, {"1", "4", "0.75", "1"}};
    fake_point l1[] = {{"0", "0", "10", "1"}, {"0.5", "2", "20", "1"}}; /* diverged: no epoch 1 row */
    fake_point l2[] = {{"0", "0", "30", "1"}, {"0.5", "2", "40", "1"}, {"1", "4", "50", "1"}};
    fake_run(dir, "zero", 1, z1, 3, "finished", 1);
    fake_run(dir, "zero", 2, z2, 3, "finished", 1);
    fake_run(dir, "large", 1, l1, 2, "diverged", 1);
    fake_run(dir, "large", 2, l2, 3, "finished", 1);
    assert_int_equal(il_results_collect(exp, dir, NULL, NULL), IL_OK);
    char *loss = read_text(dir, "test_loss_wide.csv");
    assert_string_equal(loss, "epoch,zero,large\n0,2,20\n0.5,1,30\n1,0.5,50\n");
    char *sat = read_text(dir, "saturated_wide.csv");
    assert_string_equal(sat, "epoch,zero,large\n0,0.5,1\n0.5,,1\n1,0.75,1\n");
    /* A column no run has a value for gets no wide file. */
    char path[4096];
    snprintf(path, sizeof path, "%s/test_accuracy_wide.csv", dir);
    assert_null(tu_read_file(path, NULL));
    free(loss);
    free(sat);
    free(exp);
    free(dir);
}

static void test_a_run_file_with_a_foreign_header_is_refused_by_name(void **state) {
    (void)state;
    const char *labels[] = {"zero"};
    const uint64_t seeds[] = {1};
    il_experiment *exp = small_experiment(labels, 1, seeds, 1);
    char *dir = tu_make_tmpdir("foreign");
    fake_point p[] = {{"0", "0", "1", "0.5"}};
    fake_run(dir, "zero", 1, p, 1, "finished", 1);
    char run_dir[4096];
    snprintf(run_dir, sizeof run_dir, "%s/runs/zero__seed1", dir);
    write_text(run_dir, "layers.csv", "init,seed,something_else\nzero,1,2\n");
    il_error err;
    assert_int_equal(il_results_collect(exp, dir, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "zero__seed1/layers.csv"));
    free(exp);
    free(dir);
}

static void test_a_leftover_temporary_file_is_removed_and_completes_nothing(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("tmpfiles");
    write_text(dir, "run.csv.tmp.a1b2c3", "half");
    write_text(dir, "curves.csv", "kept");
    il__remove_temporaries(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/run.csv.tmp.a1b2c3", dir);
    assert_null(tu_read_file(path, NULL));
    char *kept = read_text(dir, "curves.csv");
    assert_string_equal(kept, "kept");
    free(kept);
    free(dir);
}

/* ---- summary
 * --------------------------------------------------------------------------------------------------- */

static void test_the_summary_states_symmetry_saturation_and_divergence_in_words(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("summary");
    write_text(
        dir, "meta",
        "experiment = words\nhidden_activation = sigmoid\nhidden_layers = 10\nruns_in_plan = 6\nshard = all\n"
        "data_description = made up\n");
    /* columns: run,init,init_spec,seed,status,diverged_epoch,epochs,steps,train_loss,test_loss,test_accuracy,
     * test_mse,relative_test_error,linearity_start,linearity_end,saturated_start,saturated_end,dead_start,
     * dead_end,distinct_units_start,distinct_units_end,hidden_units,weight_norm_start,weight_norm_end,seconds
     */
    const char *runs =
        IL_RUN_COLUMNS "\n"
                       "zero__seed1,zero,zero,1,finished,,5,5,0.5,0.6,,1.2,3,,,0,0,,,1,1,10,0,0.1,1\n"
                       "large__seed1,large,large,1,finished,,5,5,0.4,0.9,,1.8,4.5,0.3,0.2,0.95,0.93,,,10,10,"
                       "10,40,41,1\n"
                       "big__seed1,big,large:100,1,diverged,3,2,2,,,,,,0.1,,1,,,,10,,10,400,,1\n"
                       "zero__seed2,zero,zero,2,finished,,5,5,0.5,0.6,,1.2,3,,,0,0,,,1,1,10,0,0.1,1\n"
                       "large__seed2,large,large,2,finished,,5,5,0.4,0.9,,1.8,4.5,0.3,0.2,0.95,0.93,,,10,10,"
                       "10,40,41,1\n"
                       "big__seed2,big,large:100,2,diverged,3,2,2,,,,,,0.1,,1,,,,10,,10,400,,1\n";
    write_text(dir, "runs.csv", runs);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_int_equal(il_summary_write(out, dir, NULL), IL_OK);
    fclose(out);
    assert_non_null(strstr(text, "test/Bayes"));
    char *zero = strstr(text, "\nzero "), *large = strstr(text, "\nlarge "), *big = strstr(text, "\nbig ");
    assert_non_null(zero);
    assert_non_null(large);
    assert_non_null(big);
    zero++, large++, big++; /* past the newline that ends the row before */
    char *zero_end = strchr(zero, '\n'), *large_end = strchr(large, '\n'), *big_end = strchr(big, '\n');
    *zero_end = *large_end = *big_end = '\0';
    assert_non_null(strstr(zero, "symmetric: 1 distinct unit"));
    assert_non_null(strstr(zero, "lowest test loss"));
    assert_non_null(strstr(zero, "1 of 10"));
    assert_non_null(strstr(large, "saturated: 93% of sigmoid units"));
    assert_non_null(strstr(large, " 4.5 "));
    assert_non_null(strstr(big, "diverged at epoch 3"));
    free(text);
    free(dir);
}

static void test_the_summary_of_a_folder_without_runs_csv_names_the_file(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("summary-missing");
    write_text(dir, "meta", "experiment = x\n");
    il_error err;
    FILE *out = tmpfile();
    assert_int_equal(il_summary_write(out, dir, &err), IL_ERR_IO);
    fclose(out);
    assert_non_null(strstr(err.msg, "runs.csv"));
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_plan_is_seed_major_with_readable_run_ids),
        cmocka_unit_test(test_shards_split_the_plan_into_disjoint_slices_that_cover_it),
        cmocka_unit_test(test_probe_samples_are_distinct_sorted_and_depend_on_the_seed_only),
        cmocka_unit_test(test_each_epoch_order_is_a_new_permutation_from_the_seed),
        cmocka_unit_test(test_meta_round_trips_and_keeps_values_on_one_line),
        cmocka_unit_test(test_meta_keeps_long_values_exactly_over_indented_lines_that_an_ini_reader_reads),
        cmocka_unit_test(test_meta_reads_comments_crlf_and_refuses_a_line_without_equals_by_number),
        cmocka_unit_test(test_merged_files_follow_the_plan_order_and_skip_incomplete_runs),
        cmocka_unit_test(test_wide_files_hold_the_mean_over_seeds_per_init_and_leave_missing_values_empty),
        cmocka_unit_test(test_a_run_file_with_a_foreign_header_is_refused_by_name),
        cmocka_unit_test(test_a_leftover_temporary_file_is_removed_and_completes_nothing),
        cmocka_unit_test(test_the_summary_states_symmetry_saturation_and_divergence_in_words),
        cmocka_unit_test(test_the_summary_of_a_folder_without_runs_csv_names_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
