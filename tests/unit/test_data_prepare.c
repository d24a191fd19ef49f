/* test_data_prepare.c - preparation of the inputs: standardization and [0, 1] scaling with TRAINING
 * statistics only (ESL 11.5.3), the seeded train/test split, and the caps on the number of examples,
 * both through prepare.h directly and through il_data_load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/prepare.h"
#include "initlab/data.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------------------------- */

/* A dataset with the given inputs (n, d), targets = the row index, labels = row index mod 2. */
static il_dataset make_set(const float *x, size_t n, size_t d) {
    il_dataset ds;
    il_error err;
    memset(&ds, 0, sizeof ds);
    if (il_dataset_alloc(&ds, n, d, 1, 1, &err) != IL_OK) fail_msg("il_dataset_alloc: %s", err.msg);
    memcpy(ds.x, x, n * d * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        ds.y[i] = (float)i;
        ds.labels[i] = (int32_t)(i % 2);
    }
    return ds;
}

static il_data load_ok(const char *spec, const il_data_options *opt) {
    il_data data;
    il_error err;
    il_error_clear(&err);
    if (il_data_load(&data, spec, opt, &err) != IL_OK) fail_msg("il_data_load(\"%s\"): %s", spec, err.msg);
    return data;
}

static void column_mean_sd(const il_dataset *ds, size_t j, double *mean, double *sd) {
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < ds->n; i++)
        s += ds->x[i * ds->d + j];
    *mean = s / (double)ds->n;
    for (size_t i = 0; i < ds->n; i++) {
        double dev = ds->x[i * ds->d + j] - *mean;
        ss += dev * dev;
    }
    *sd = sqrt(ss / (double)ds->n);
}

/* ---- scaling ---------------------------------------------------------------------------------------- */

static void test_standardization_uses_training_statistics_for_both_splits(void **state) {
    (void)state;
    /* Training column 0: 1, 2, 3 (mean 2, population sd √(2/3)); column 1: 10, 30, 50 (mean 30, sd
     * √(800/3)). The test rows must be transformed with THOSE numbers, not their own. */
    const float train_x[6] = {1, 10, 2, 30, 3, 50};
    const float test_x[4] = {5, 30, 7, 130};
    il_dataset train = make_set(train_x, 3, 2), test = make_set(test_x, 2, 2);
    il_error err;
    assert_int_equal(il__scale_inputs(&train, &test, IL_SCALE_STANDARDIZE, 0, &err), IL_OK);
    double sd0 = sqrt(2.0 / 3.0), sd1 = sqrt(800.0 / 3.0);
    assert_float_equal(train.x[0], -1.0 / sd0, 1e-6);
    assert_float_equal(train.x[3], 0.0, 1e-6);
    assert_float_equal(test.x[0], (5.0 - 2.0) / sd0, 1e-6);
    assert_float_equal(test.x[1], 0.0, 1e-6);
    assert_float_equal(test.x[2], (7.0 - 2.0) / sd0, 1e-6);
    assert_float_equal(test.x[3], (130.0 - 30.0) / sd1, 1e-5);
    /* Targets are never touched. */
    assert_true(train.y[2] == 2.0f && test.y[1] == 1.0f);
    il_dataset_free(&train);
    il_dataset_free(&test);
}

static void test_a_constant_training_column_is_centred_and_not_divided(void **state) {
    (void)state;
    const float train_x[6] = {4, 1, 4, 2, 4, 3};
    const float test_x[2] = {6, 2};
    il_dataset train = make_set(train_x, 3, 2), test = make_set(test_x, 1, 2);
    il_error err;
    assert_int_equal(il__scale_inputs(&train, &test, IL_SCALE_STANDARDIZE, 0, &err), IL_OK);
    for (size_t i = 0; i < 3; i++)
        assert_true(train.x[2 * i] == 0.0f);
    assert_true(test.x[0] == 2.0f); /* 6 − 4, sd taken as 1 */
    for (size_t i = 0; i < 3; i++)
        assert_true(isfinite(train.x[2 * i + 1]));
    il_dataset_free(&train);
    il_dataset_free(&test);
}

static void test_unit_scaling_divides_pixels_by_255(void **state) {
    (void)state;
    const float train_x[4] = {0, 255, 51, 102};
    const float test_x[2] = {255, 0};
    il_dataset train = make_set(train_x, 2, 2), test = make_set(test_x, 1, 2);
    il_error err;
    assert_int_equal(il__scale_inputs(&train, &test, IL_SCALE_UNIT, 1, &err), IL_OK);
    assert_float_equal(train.x[0], 0.0, 1e-7);
    assert_float_equal(train.x[1], 1.0, 1e-7);
    assert_float_equal(train.x[2], 0.2, 1e-7);
    assert_float_equal(train.x[3], 0.4, 1e-7);
    assert_float_equal(test.x[0], 1.0, 1e-7);
    il_dataset_free(&train);
    il_dataset_free(&test);
}

static void test_unit_scaling_of_non_pixels_maps_the_training_range_to_0_1(void **state) {
    (void)state;
    const float train_x[6] = {-2, 5, 0, 5, 2, 5};
    const float test_x[2] = {4, 7};
    il_dataset train = make_set(train_x, 3, 2), test = make_set(test_x, 1, 2);
    il_error err;
    assert_int_equal(il__scale_inputs(&train, &test, IL_SCALE_UNIT, 0, &err), IL_OK);
    assert_float_equal(train.x[0], 0.0, 1e-7);
    assert_float_equal(train.x[2], 0.5, 1e-7);
    assert_float_equal(train.x[4], 1.0, 1e-7);
    assert_float_equal(test.x[0], 1.5, 1e-7); /* outside [0, 1]: the test set is not peeked at */
    assert_float_equal(train.x[1], 0.0, 1e-7);
    assert_float_equal(test.x[1], 2.0, 1e-7);
    il_dataset_free(&train);
    il_dataset_free(&test);
}

static void test_no_scaling_leaves_inputs_alone_and_auto_is_refused_unresolved(void **state) {
    (void)state;
    const float x[4] = {1, 2, 3, 4};
    il_dataset train = make_set(x, 2, 2), test = make_set(x, 2, 2);
    il_error err;
    assert_int_equal(il__scale_inputs(&train, &test, IL_SCALE_NONE, 0, &err), IL_OK);
    assert_memory_equal(train.x, x, sizeof x);
    assert_int_equal(il__scale_inputs(&train, &test, IL_SCALE_AUTO, 0, &err), IL_ERR_USAGE);
    assert_memory_equal(train.x, x, sizeof x);
    il_dataset_free(&train);
    il_dataset_free(&test);
}

static void test_loaded_data_is_standardized_on_train_and_not_on_test(void **state) {
    (void)state;
    il_data_options opt;
    il_data_options_default(&opt);
    assert_int_equal(opt.scale, IL_SCALE_AUTO);
    opt.seed = 42;
    il_data scaled = load_ok("esl-sigmoids:train=200,test=300", &opt);
    opt.scale = IL_SCALE_NONE;
    il_data raw = load_ok("esl-sigmoids:train=200,test=300", &opt);
    for (size_t j = 0; j < 2; j++) {
        double mean, sd, raw_mean, raw_sd, test_mean, test_sd;
        column_mean_sd(&scaled.train, j, &mean, &sd);
        assert_float_equal(mean, 0.0, 1e-6);
        assert_float_equal(sd, 1.0, 1e-5);
        /* The test split went through the training transform: (x − train mean) / train sd, exactly. */
        column_mean_sd(&raw.train, j, &raw_mean, &raw_sd);
        for (size_t i = 0; i < raw.test.n; i++)
            assert_float_equal(scaled.test.x[i * 2 + j], (raw.test.x[i * 2 + j] - raw_mean) / raw_sd, 1e-5);
        /* ...so its own mean and sd are not exactly 0 and 1. */
        column_mean_sd(&scaled.test, j, &test_mean, &test_sd);
        assert_true(fabs(test_mean) > 1e-4 || fabs(test_sd - 1.0) > 1e-4);
    }
    assert_non_null(strstr(scaled.description, "standardized"));
    assert_non_null(strstr(raw.description, "not scaled"));
    il_data_free(&scaled);
    il_data_free(&raw);
}

/* ---- split ------------------------------------------------------------------------------------------ */

static void test_split_test_count_rounds_and_keeps_both_sides_non_empty(void **state) {
    (void)state;
    assert_int_equal(il__split_test_count(10, 0.2), 2);
    assert_int_equal(il__split_test_count(10, 0.25), 3); /* 2.5 rounds up */
    assert_int_equal(il__split_test_count(1000, 0.2), 200);
    assert_int_equal(il__split_test_count(10, 0.01), 1);
    assert_int_equal(il__split_test_count(10, 0.99), 9);
    assert_int_equal(il__split_test_count(2, 0.5), 1);
}

/* Split a set whose targets are the row numbers and return the partition as a membership map. */
static void split_rows(size_t n, double fraction, uint64_t seed, il_dataset *train, il_dataset *test) {
    float *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(10 * i);
    *train = make_set(x, n, 1);
    memset(test, 0, sizeof *test);
    free(x);
    il_error err;
    assert_int_equal(il__data_split(train, test, fraction, seed, &err), IL_OK);
}

static void test_split_holds_out_the_fraction_and_keeps_every_row_once(void **state) {
    (void)state;
    il_dataset train, test;
    split_rows(50, 0.3, 7, &train, &test);
    assert_int_equal(test.n, 15);
    assert_int_equal(train.n, 35);
    int seen[50] = {0};
    const il_dataset *sets[2] = {&train, &test};
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < sets[s]->n; i++) {
            size_t row = (size_t)sets[s]->y[i];
            assert_true(row < 50);
            /* Inputs, targets and labels moved together. */
            assert_true(sets[s]->x[i] == (float)(10 * row));
            assert_int_equal(sets[s]->labels[i], (int32_t)(row % 2));
            seen[row]++;
        }
    for (size_t r = 0; r < 50; r++)
        assert_int_equal(seen[r], 1);
    /* Shuffled, not the first 15 rows. */
    int in_order = 1;
    for (size_t i = 0; i < test.n; i++)
        in_order &= test.y[i] == (float)i;
    assert_false(in_order);
    il_dataset_free(&train);
    il_dataset_free(&test);
}

static void test_split_is_reproducible_from_the_seed_and_differs_between_seeds(void **state) {
    (void)state;
    il_dataset a_train, a_test, b_train, b_test, c_train, c_test;
    split_rows(40, 0.25, 3, &a_train, &a_test);
    split_rows(40, 0.25, 3, &b_train, &b_test);
    split_rows(40, 0.25, 4, &c_train, &c_test);
    assert_memory_equal(a_test.y, b_test.y, a_test.n * sizeof(float));
    assert_memory_equal(a_train.y, b_train.y, a_train.n * sizeof(float));
    assert_memory_not_equal(a_test.y, c_test.y, a_test.n * sizeof(float));
    il_dataset_free(&a_train);
    il_dataset_free(&a_test);
    il_dataset_free(&b_train);
    il_dataset_free(&b_test);
    il_dataset_free(&c_train);
    il_dataset_free(&c_test);
}

static void test_split_refuses_one_example_and_fractions_outside_0_1(void **state) {
    (void)state;
    const float x[3] = {1, 2, 3};
    il_dataset train = make_set(x, 1, 1), test;
    memset(&test, 0, sizeof test);
    il_error err;
    assert_int_equal(il__data_split(&train, &test, 0.2, 1, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "at least 2"));
    assert_int_equal(train.n, 1); /* unchanged */
    il_dataset_free(&train);
    train = make_set(x, 3, 1);
    assert_int_equal(il__data_split(&train, &test, 0.0, 1, &err), IL_ERR_USAGE);
    assert_int_equal(il__data_split(&train, &test, 1.0, 1, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "between 0 and 1"));
    assert_int_equal(train.n, 3);
    il_dataset_free(&train);
}

static void test_load_refuses_a_test_fraction_outside_0_1(void **state) {
    (void)state;
    il_data_options opt;
    il_data_options_default(&opt);
    assert_float_equal(opt.test_fraction, 0.2, 0.0);
    opt.test_fraction = 1.5;
    il_data data;
    il_error err;
    assert_int_equal(il_data_load(&data, "circles", &opt, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "test fraction"));
    assert_int_equal(data.train.n, 0);
    assert_null(data.train.x);
}

/* ---- caps ------------------------------------------------------------------------------------------- */

static void test_keep_first_keeps_exactly_the_first_rows(void **state) {
    (void)state;
    const float x[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    il_dataset ds = make_set(x, 5, 2);
    il_error err;
    assert_int_equal(il__dataset_keep_first(&ds, 0, &err), IL_OK);
    assert_int_equal(ds.n, 5);
    assert_int_equal(il__dataset_keep_first(&ds, 9, &err), IL_OK);
    assert_int_equal(ds.n, 5);
    assert_int_equal(il__dataset_keep_first(&ds, 3, &err), IL_OK);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 2);
    assert_memory_equal(ds.x, x, 6 * sizeof(float));
    assert_true(ds.y[2] == 2.0f && ds.labels[2] == 0 && ds.labels[1] == 1);
    il_dataset_free(&ds);
}

static void test_load_caps_training_and_test_sets_to_their_first_examples(void **state) {
    (void)state;
    il_data_options opt;
    il_data_options_default(&opt);
    opt.scale = IL_SCALE_NONE;
    il_data full = load_ok("moons:n=300,test=200", &opt);
    opt.max_train = 40;
    opt.max_test = 25;
    il_data capped = load_ok("moons:n=300,test=200", &opt);
    assert_int_equal(capped.train.n, 40);
    assert_int_equal(capped.test.n, 25);
    assert_memory_equal(capped.train.x, full.train.x, 40 * 2 * sizeof(float));
    assert_memory_equal(capped.test.labels, full.test.labels, 25 * sizeof(int32_t));
    assert_non_null(strstr(capped.description, "40 train, 25 test"));
    il_data_free(&full);
    il_data_free(&capped);
    /* Standardization statistics come from the examples kept, so the capped training set has mean 0. */
    opt.scale = IL_SCALE_STANDARDIZE;
    capped = load_ok("moons:n=300,test=200", &opt);
    double mean, sd;
    column_mean_sd(&capped.train, 0, &mean, &sd);
    assert_float_equal(mean, 0.0, 1e-6);
    assert_float_equal(sd, 1.0, 1e-5);
    il_data_free(&capped);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standardization_uses_training_statistics_for_both_splits),
        cmocka_unit_test(test_a_constant_training_column_is_centred_and_not_divided),
        cmocka_unit_test(test_unit_scaling_divides_pixels_by_255),
        cmocka_unit_test(test_unit_scaling_of_non_pixels_maps_the_training_range_to_0_1),
        cmocka_unit_test(test_no_scaling_leaves_inputs_alone_and_auto_is_refused_unresolved),
        cmocka_unit_test(test_loaded_data_is_standardized_on_train_and_not_on_test),
        cmocka_unit_test(test_split_test_count_rounds_and_keeps_both_sides_non_empty),
        cmocka_unit_test(test_split_holds_out_the_fraction_and_keeps_every_row_once),
        cmocka_unit_test(test_split_is_reproducible_from_the_seed_and_differs_between_seeds),
        cmocka_unit_test(test_split_refuses_one_example_and_fractions_outside_0_1),
        cmocka_unit_test(test_load_refuses_a_test_fraction_outside_0_1),
        cmocka_unit_test(test_keep_first_keeps_exactly_the_first_rows),
        cmocka_unit_test(test_load_caps_training_and_test_sets_to_their_first_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
