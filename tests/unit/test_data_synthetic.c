/* test_data_synthetic.c - the generated sources through il_data_load: the ESL 11.6 models reproduce their
 * signal-to-noise ratio and report the noise variance as the Bayes error; the toy sets have the stated
 * shapes, balanced valid labels and geometry; everything is reproducible from the seed.
 * Inputs are loaded unscaled (IL_SCALE_NONE) wherever the test checks the generator's own numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "initlab/data.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------------------------- */

static il_data load_ok(const char *spec, uint64_t seed, il_scale scale) {
    il_data_options opt;
    il_data_options_default(&opt);
    opt.seed = seed;
    opt.scale = scale;
    il_data data;
    il_error err;
    il_error_clear(&err);
    il_status st = il_data_load(&data, spec, &opt, &err);
    if (st != IL_OK) fail_msg("il_data_load(\"%s\") failed: %s", spec, err.msg);
    return data;
}

static int same_dataset(const il_dataset *a, const il_dataset *b) {
    if (a->n != b->n || a->d != b->d || a->t != b->t) return 0;
    if (memcmp(a->x, b->x, a->n * a->d * sizeof *a->x) != 0) return 0;
    if (memcmp(a->y, b->y, a->n * a->t * sizeof *a->y) != 0) return 0;
    if ((a->labels == NULL) != (b->labels == NULL)) return 0;
    return !a->labels || memcmp(a->labels, b->labels, a->n * sizeof *a->labels) == 0;
}

static double sigmoid(double z) {
    return 1.0 / (1.0 + exp(-z));
}

/* The two models, written out again from ESL 11.6 (independently of the generator). */
static double esl_sigmoids_f(const float *x) {
    return sigmoid(3.0 * x[0] + 3.0 * x[1]) + sigmoid(3.0 * x[0] - 3.0 * x[1]);
}

static double esl_radial_f(const float *x) {
    double f = 1.0;
    for (int m = 0; m < 10; m++)
        f *= exp(-0.5 * (double)x[m] * x[m]) / sqrt(2.0 * M_PI);
    return f;
}

/* Sample variance and the standard error of that variance, from the fourth central moment:
 * Var(s²) ≈ (m₄ − s⁴) / n for large n. */
static void variance_and_se(const double *v, size_t n, double *var, double *se) {
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += v[i];
    mean /= (double)n;
    double m2 = 0.0, m4 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = v[i] - mean;
        m2 += d * d;
        m4 += d * d * d * d;
    }
    m2 /= (double)n;
    m4 /= (double)n;
    *var = m2;
    *se = sqrt((m4 - m2 * m2) / (double)n);
}

/* Generate 200,000 training points, split each y into f(x) and ε = y − f(x), and check that
 * Var(f)/Var(ε) is 4 and Var(ε) is the reported Bayes error, each within 4 standard errors. */
static void check_signal_to_noise(const char *spec, double (*f_of_x)(const float *), double snr) {
    il_data data = load_ok(spec, 2024, IL_SCALE_NONE);
    size_t n = data.train.n, d = data.train.d;
    assert_int_equal(n, 200000);
    static double f[200000], e[200000];
    for (size_t i = 0; i < n; i++) {
        f[i] = f_of_x(data.train.x + i * d);
        e[i] = (double)data.train.y[i] - f[i];
    }
    double var_f, se_f, var_e, se_e;
    variance_and_se(f, n, &var_f, &se_f);
    variance_and_se(e, n, &var_e, &se_e);
    double ratio = var_f / var_e;
    /* Delta method for a ratio of independent estimates. */
    double se_ratio = ratio * sqrt((se_f / var_f) * (se_f / var_f) + (se_e / var_e) * (se_e / var_e));
    print_message("%s: Var f = %.6g, Var eps = %.6g (Bayes error %.6g), ratio %.4f +- %.4f\n", spec, var_f,
                  var_e, data.bayes_error, ratio, se_ratio);
    assert_true(fabs(ratio - snr) < 4.0 * se_ratio);
    assert_true(fabs(var_e - data.bayes_error) < 4.0 * se_e);
    /* The standard errors are small enough for the check to mean something (a few percent at most). */
    assert_true(se_ratio < 0.05 * snr);
    il_data_free(&data);
}

/* ---- ESL 11.6 --------------------------------------------------------------------------------------- */

static void test_esl_sigmoids_noise_gives_signal_to_noise_ratio_four(void **state) {
    (void)state;
    check_signal_to_noise("esl-sigmoids:train=200000,test=1", esl_sigmoids_f, 4.0);
}

static void test_esl_radial_noise_gives_signal_to_noise_ratio_four(void **state) {
    (void)state;
    check_signal_to_noise("esl-radial:train=200000,test=1", esl_radial_f, 4.0);
}

static void test_snr_option_sets_the_ratio_and_scales_the_bayes_error(void **state) {
    (void)state;
    check_signal_to_noise("esl-sigmoids:train=200000,test=1,snr=2", esl_sigmoids_f, 2.0);
    il_data four = load_ok("esl-radial", 1, IL_SCALE_NONE);
    il_data one = load_ok("esl-radial:snr=1", 1, IL_SCALE_NONE);
    assert_float_equal(one.bayes_error, 4.0 * four.bayes_error, 1e-9 * four.bayes_error);
    il_data_free(&four);
    il_data_free(&one);
}

static void test_esl_bayes_errors_are_the_analytic_signal_variance_over_four(void **state) {
    (void)state;
    /* Var f for the radial model in closed form: (1/(2π√3))¹⁰ − (1/(2√π))²⁰. */
    double radial = pow(1.0 / (2.0 * M_PI * sqrt(3.0)), 10) - pow(1.0 / (2.0 * sqrt(M_PI)), 20);
    il_data data = load_ok("esl-radial", 1, IL_SCALE_NONE);
    assert_float_equal(data.bayes_error, radial / 4.0, 1e-12 * radial);
    il_data_free(&data);
    /* Sum of sigmoids: 2 Var σ(U), U ~ N(0, 18), independently evaluated here by the midpoint rule. */
    double h = 1e-3, m2 = 0.0;
    for (double z = -12.0 + h / 2; z < 12.0; z += h) {
        double s = sigmoid(sqrt(18.0) * z);
        m2 += s * s * exp(-0.5 * z * z) / sqrt(2.0 * M_PI) * h;
    }
    data = load_ok("esl-sigmoids", 1, IL_SCALE_NONE);
    assert_float_equal(data.bayes_error, 2.0 * (m2 - 0.25) / 4.0, 1e-7);
    il_data_free(&data);
}

static void test_esl_sets_have_the_book_sizes_and_shapes(void **state) {
    (void)state;
    il_data data = load_ok("esl-sigmoids", 7, IL_SCALE_AUTO);
    assert_int_equal(data.task, IL_TASK_REGRESSION);
    assert_int_equal(data.n_classes, 0);
    assert_int_equal(data.train.n, 100);
    assert_int_equal(data.test.n, 10000);
    assert_int_equal(data.train.d, 2);
    assert_int_equal(data.train.t, 1);
    assert_int_equal(data.test.d, 2);
    assert_null(data.train.labels);
    assert_string_equal(data.name, "esl-sigmoids");
    assert_true(isfinite(data.bayes_error) && data.bayes_error > 0.0);
    il_data_free(&data);

    data = load_ok("esl-radial:train=250,test=30", 7, IL_SCALE_AUTO);
    assert_int_equal(data.train.n, 250);
    assert_int_equal(data.test.n, 30);
    assert_int_equal(data.train.d, 10);
    assert_int_equal(data.test.t, 1);
    il_data_free(&data);
}

static void test_esl_description_gives_counts_and_noise_variance(void **state) {
    (void)state;
    il_data data = load_ok("esl-sigmoids", 1, IL_SCALE_AUTO);
    char expected[64];
    snprintf(expected, sizeof expected, "%.4g", data.bayes_error);
    assert_non_null(strstr(data.description, "100 train"));
    assert_non_null(strstr(data.description, "10000 test"));
    assert_non_null(strstr(data.description, "Bayes error"));
    assert_non_null(strstr(data.description, expected));
    assert_null(strchr(data.description, '\n'));
    il_data_free(&data);
}

static void test_esl_data_is_reproducible_from_the_seed_and_differs_between_seeds(void **state) {
    (void)state;
    il_data a = load_ok("esl-radial", 5, IL_SCALE_NONE);
    il_data b = load_ok("esl-radial", 5, IL_SCALE_NONE);
    il_data c = load_ok("esl-radial", 6, IL_SCALE_NONE);
    assert_true(same_dataset(&a.train, &b.train));
    assert_true(same_dataset(&a.test, &b.test));
    assert_false(same_dataset(&a.train, &c.train));
    assert_false(same_dataset(&a.test, &c.test));
    il_data_free(&a);
    il_data_free(&b);
    il_data_free(&c);
}

static void test_esl_test_set_does_not_depend_on_the_training_size(void **state) {
    (void)state;
    il_data small = load_ok("esl-sigmoids:train=100,test=500", 3, IL_SCALE_NONE);
    il_data large = load_ok("esl-sigmoids:train=400,test=500", 3, IL_SCALE_NONE);
    assert_true(same_dataset(&small.test, &large.test));
    /* ...and the first 100 training examples are the same too. */
    assert_memory_equal(small.train.x, large.train.x, 100 * 2 * sizeof(float));
    il_data_free(&small);
    il_data_free(&large);
}

/* ---- toy classification sets ------------------------------------------------------------------------ */

static void check_binary_labels(const il_data *data) {
    assert_int_equal(data->task, IL_TASK_CLASSIFICATION);
    assert_int_equal(data->n_classes, 2);
    assert_non_null(data->class_names);
    assert_non_null(data->class_names[0]);
    assert_non_null(data->class_names[1]);
    assert_string_not_equal(data->class_names[0], data->class_names[1]);
    const il_dataset *sets[2] = {&data->train, &data->test};
    for (int s = 0; s < 2; s++) {
        const il_dataset *ds = sets[s];
        assert_int_equal(ds->d, 2);
        assert_int_equal(ds->t, 1);
        assert_non_null(ds->labels);
        size_t count[2] = {0, 0};
        for (size_t i = 0; i < ds->n; i++) {
            int32_t l = ds->labels[i];
            assert_true(l == 0 || l == 1);
            assert_true(ds->y[i] == (float)l);
            count[l]++;
        }
        /* Balanced: the class sizes differ by at most one. */
        assert_true(count[0] + 1 >= count[1] && count[1] + 1 >= count[0]);
    }
}

static void test_toy_sets_have_balanced_valid_binary_labels(void **state) {
    (void)state;
    const char *specs[] = {"xor",   "xor:n=400,noise=0.2",  "circles", "spirals",
                           "moons", "circles:n=101,test=37"};
    for (size_t k = 0; k < sizeof specs / sizeof *specs; k++) {
        il_data data = load_ok(specs[k], 11, IL_SCALE_AUTO);
        check_binary_labels(&data);
        il_data_free(&data);
    }
    il_data data = load_ok("moons:n=50,test=20", 11, IL_SCALE_AUTO);
    assert_int_equal(data.train.n, 50);
    assert_int_equal(data.test.n, 20);
    il_data_free(&data);
    data = load_ok("spirals:n=60", 11, IL_SCALE_AUTO);
    assert_int_equal(data.test.n, 60); /* test defaults to n */
    il_data_free(&data);
}

static void test_xor_without_options_is_the_exact_truth_table(void **state) {
    (void)state;
    il_data data = load_ok("xor", 1, IL_SCALE_NONE);
    const float x[8] = {0, 0, 0, 1, 1, 0, 1, 1};
    const int32_t labels[4] = {0, 1, 1, 0};
    const il_dataset *sets[2] = {&data.train, &data.test};
    for (int s = 0; s < 2; s++) {
        assert_int_equal(sets[s]->n, 4);
        assert_memory_equal(sets[s]->x, x, sizeof x);
        assert_memory_equal(sets[s]->labels, labels, sizeof labels);
    }
    il_data_free(&data);
}

static void test_xor_blobs_surround_the_four_corners(void **state) {
    (void)state;
    il_data data = load_ok("xor:n=4000,noise=0.2", 9, IL_SCALE_NONE);
    /* Mean of each class-corner cloud within 4 standard errors (0.2/√1000) of its corner. */
    double sum[4][2] = {{0}}, count[4] = {0};
    for (size_t i = 0; i < data.train.n; i++) {
        const float *p = data.train.x + 2 * i;
        int a = p[0] > 0.5f, b = p[1] > 0.5f;
        sum[2 * a + b][0] += p[0];
        sum[2 * a + b][1] += p[1];
        count[2 * a + b]++;
    }
    for (int c = 0; c < 4; c++) {
        assert_true(count[c] > 900);
        assert_true(fabs(sum[c][0] / count[c] - (c >> 1)) < 0.05);
        assert_true(fabs(sum[c][1] / count[c] - (c & 1)) < 0.05);
    }
    /* A point is labelled by the corner it was drawn around: with sd 0.2 nearly every point stays in
     * its corner's quadrant, so the quadrant's XOR is the label for the vast majority. */
    size_t agree = 0;
    for (size_t i = 0; i < data.train.n; i++) {
        const float *p = data.train.x + 2 * i;
        agree += ((p[0] > 0.5f) ^ (p[1] > 0.5f)) == data.train.labels[i];
    }
    assert_true(agree > 0.95 * data.train.n);
    il_data_free(&data);
}

static void test_noiseless_circles_lie_on_radius_one_and_factor(void **state) {
    (void)state;
    il_data data = load_ok("circles:n=200,noise=0,factor=0.3", 4, IL_SCALE_NONE);
    for (size_t i = 0; i < data.train.n; i++) {
        const float *p = data.train.x + 2 * i;
        double r = hypot(p[0], p[1]);
        assert_float_equal(r, data.train.labels[i] ? 0.3 : 1.0, 1e-6);
    }
    il_data_free(&data);
    /* With noise the radii spread around the same circles. */
    data = load_ok("circles:n=2000,noise=0.05,factor=0.6", 4, IL_SCALE_NONE);
    double sum[2] = {0, 0};
    for (size_t i = 0; i < data.train.n; i++) {
        const float *p = data.train.x + 2 * i;
        sum[data.train.labels[i]] += hypot(p[0], p[1]);
    }
    assert_float_equal(sum[0] / 1000.0, 1.0, 0.01);
    assert_float_equal(sum[1] / 1000.0, 0.6, 0.01);
    il_data_free(&data);
}

static void test_noiseless_moons_lie_on_their_half_circles(void **state) {
    (void)state;
    il_data data = load_ok("moons:n=200,noise=0", 4, IL_SCALE_NONE);
    for (size_t i = 0; i < data.train.n; i++) {
        const float *p = data.train.x + 2 * i;
        if (data.train.labels[i] == 0) {
            /* Upper moon: unit circle around (0, 0), y >= 0. */
            assert_float_equal(hypot(p[0], p[1]), 1.0, 1e-6);
            assert_true(p[1] >= -1e-6f);
        } else {
            /* Lower moon: unit circle around (1, 0.5), y <= 0.5. */
            assert_float_equal(hypot(p[0] - 1.0, p[1] - 0.5), 1.0, 1e-6);
            assert_true(p[1] <= 0.5f + 1e-6f);
        }
    }
    il_data_free(&data);
}

static void test_noiseless_spirals_follow_their_arms(void **state) {
    (void)state;
    il_data data = load_ok("spirals:n=300,noise=0,turns=2", 4, IL_SCALE_NONE);
    for (size_t i = 0; i < data.train.n; i++) {
        const float *p = data.train.x + 2 * i;
        double r = hypot(p[0], p[1]);
        assert_true(r <= 1.0 + 1e-6);
        /* Arm c is at angle 2π·turns·r + c·π: rotate the point back and it must lie on the +x axis. */
        double theta = 2.0 * M_PI * 2.0 * r + data.train.labels[i] * M_PI;
        double back_x = p[0] * cos(theta) + p[1] * sin(theta);
        double back_y = -p[0] * sin(theta) + p[1] * cos(theta);
        assert_float_equal(back_x, r, 1e-4);
        assert_float_equal(back_y, 0.0, 1e-4);
    }
    il_data_free(&data);
}

static void test_toy_data_is_reproducible_from_the_seed_and_differs_between_seeds(void **state) {
    (void)state;
    const char *specs[] = {"xor:n=40", "circles", "spirals", "moons"};
    for (size_t k = 0; k < sizeof specs / sizeof *specs; k++) {
        il_data a = load_ok(specs[k], 21, IL_SCALE_AUTO);
        il_data b = load_ok(specs[k], 21, IL_SCALE_AUTO);
        il_data c = load_ok(specs[k], 22, IL_SCALE_AUTO);
        assert_true(same_dataset(&a.train, &b.train));
        assert_true(same_dataset(&a.test, &b.test));
        assert_false(same_dataset(&a.train, &c.train));
        assert_false(same_dataset(&a.train, &a.test)); /* the test set is drawn independently */
        il_data_free(&a);
        il_data_free(&b);
        il_data_free(&c);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esl_sigmoids_noise_gives_signal_to_noise_ratio_four),
        cmocka_unit_test(test_esl_radial_noise_gives_signal_to_noise_ratio_four),
        cmocka_unit_test(test_snr_option_sets_the_ratio_and_scales_the_bayes_error),
        cmocka_unit_test(test_esl_bayes_errors_are_the_analytic_signal_variance_over_four),
        cmocka_unit_test(test_esl_sets_have_the_book_sizes_and_shapes),
        cmocka_unit_test(test_esl_description_gives_counts_and_noise_variance),
        cmocka_unit_test(test_esl_data_is_reproducible_from_the_seed_and_differs_between_seeds),
        cmocka_unit_test(test_esl_test_set_does_not_depend_on_the_training_size),
        cmocka_unit_test(test_toy_sets_have_balanced_valid_binary_labels),
        cmocka_unit_test(test_xor_without_options_is_the_exact_truth_table),
        cmocka_unit_test(test_xor_blobs_surround_the_four_corners),
        cmocka_unit_test(test_noiseless_circles_lie_on_radius_one_and_factor),
        cmocka_unit_test(test_noiseless_moons_lie_on_their_half_circles),
        cmocka_unit_test(test_noiseless_spirals_follow_their_arms),
        cmocka_unit_test(test_toy_data_is_reproducible_from_the_seed_and_differs_between_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
