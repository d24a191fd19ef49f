/* test_init.c - every initializer draws from the distribution its formula promises.
 *
 * Sample mean and variance of a filled layer are compared with il_init_moments, with tolerances of five
 * standard errors for the sample size; fan-in and fan-out are shown to matter exactly where the formula
 * says. Parsing and formatting round-trip, and bad text is refused with a message naming the valid schemes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/init.h"
#include "testutil.h"

/* Fill an (I, O) layer with spec and return the sample mean and variance of the weights. */
static void sample_moments(const il_init_spec *spec, size_t I, size_t O, uint64_t seed, double *mean,
                           double *var) {
    float *w = malloc(I * O * sizeof *w), *b = malloc(O * sizeof *b);
    assert_non_null(w);
    assert_non_null(b);
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_INIT);
    il_init_layer(spec, w, b, I, O, &rng);
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < I * O; i++)
        sum += w[i];
    *mean = sum / (double)(I * O);
    for (size_t i = 0; i < I * O; i++)
        sum2 += (w[i] - *mean) * (w[i] - *mean);
    *var = sum2 / (double)(I * O - 1);
    for (size_t j = 0; j < O; j++)
        assert_true(b[j] == (float)spec->bias);
    free(w);
    free(b);
}

static int is_uniform_scheme(il_init_kind k) {
    return k == IL_INIT_UNIFORM || k == IL_INIT_XAVIER || k == IL_INIT_HE_UNIFORM || k == IL_INIT_LARGE;
}

/* Five standard errors of the sample mean and variance of n draws with variance var: the mean's SE is
 * sqrt(var / n); the variance's SE is var sqrt(2 / n) for a normal (kurtosis 3) and var sqrt(0.8 / n) for
 * a uniform (kurtosis 9/5: Var(s^2) ~ var^2 (kurtosis - 1) / n). */
static void check_scheme(il_init_kind kind, size_t I, size_t O) {
    il_init_spec spec = {kind, il_init_default_param(kind), 0.25};
    double expect_mean, expect_var, mean, var;
    il_init_moments(&spec, I, O, &expect_mean, &expect_var);
    sample_moments(&spec, I, O, 1000 + (uint64_t)kind, &mean, &var);
    const double n = (double)(I * O);
    const double mean_tol = 5.0 * sqrt(expect_var / n);
    const double var_tol = 5.0 * expect_var * sqrt((is_uniform_scheme(kind) ? 0.8 : 2.0) / n);
    print_message("%-13s I=%-4zu O=%-4zu mean %+.5f (expect 0 +- %.5f)  var %.6f (expect %.6f +- %.6f)\n",
                  il_init_name(kind), I, O, mean, mean_tol, var, expect_var, var_tol);
    if (kind == IL_INIT_ZERO) {
        assert_true(mean == 0.0 && var == 0.0 && expect_var == 0.0);
        return;
    }
    assert_true(fabs(mean - expect_mean) <= mean_tol);
    assert_true(fabs(var - expect_var) <= var_tol);
}

static void test_every_scheme_matches_its_mean_and_variance(void **state) {
    (void)state;
    for (int k = 0; k < IL_INIT_COUNT; k++) {
        check_scheme((il_init_kind)k, 300, 200);
        check_scheme((il_init_kind)k, 50, 1000);
    }
}

static void test_the_formulas_are_the_published_ones(void **state) {
    (void)state;
    double m, v;
    il_init_spec s = {IL_INIT_UNIFORM, 0.7, 0};
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(m == 0.0 && fabs(v - 0.49 / 3.0) < 1e-15);
    s = (il_init_spec){IL_INIT_XAVIER, 0, 0};
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(fabs(v - 2.0 / 30.0) < 1e-15);
    s.kind = IL_INIT_XAVIER_NORMAL;
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(fabs(v - 2.0 / 30.0) < 1e-15);
    s.kind = IL_INIT_HE;
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(fabs(v - 0.2) < 1e-15);
    s.kind = IL_INIT_HE_UNIFORM;
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(fabs(v - 0.2) < 1e-15);
    s.kind = IL_INIT_LECUN;
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(fabs(v - 0.1) < 1e-15);
    s = (il_init_spec){IL_INIT_NORMAL, 0.1, 0};
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(fabs(v - 0.01) < 1e-15);
    s = (il_init_spec){IL_INIT_LARGE, 10, 0};
    il_init_moments(&s, 10, 20, &m, &v);
    assert_true(fabs(v - 100.0 / 3.0) < 1e-12);
}

static void test_xavier_uses_fan_out_and_he_does_not(void **state) {
    (void)state;
    /* Same fan-in, fan-out 10 vs 1000: Xavier's variance 2/(I+O) must drop; He's 2/I must not. Measured
     * on samples, so an implementation that ignored O (or used it for He) fails. */
    const size_t I = 100;
    double mean, var_small, var_large;
    il_init_spec xavier = {IL_INIT_XAVIER, 0, 0}, he = {IL_INIT_HE, 0, 0};
    sample_moments(&xavier, I, 10, 1, &mean, &var_small);
    sample_moments(&xavier, I, 1000, 2, &mean, &var_large);
    print_message("xavier var: O=10 %.5f (2/110 = %.5f), O=1000 %.5f (2/1100 = %.5f)\n", var_small, 2.0 / 110,
                  var_large, 2.0 / 1100);
    assert_true(fabs(var_small - 2.0 / 110) < 0.2 * 2.0 / 110);
    assert_true(fabs(var_large - 2.0 / 1100) < 0.05 * 2.0 / 1100);
    sample_moments(&he, I, 10, 3, &mean, &var_small);
    sample_moments(&he, I, 1000, 4, &mean, &var_large);
    print_message("he var: O=10 %.5f, O=1000 %.5f (2/100 = 0.02)\n", var_small, var_large);
    assert_true(fabs(var_small - 0.02) < 0.2 * 0.02);
    assert_true(fabs(var_large - 0.02) < 0.05 * 0.02);
    /* Fan-in matters for He and LeCun: I = 400 gives a quarter of the variance of I = 100. */
    il_init_spec lecun = {IL_INIT_LECUN, 0, 0};
    sample_moments(&lecun, 400, 100, 5, &mean, &var_large);
    assert_true(fabs(var_large - 1.0 / 400) < 0.05 / 400);
}

static void test_uniform_schemes_stay_inside_their_bounds(void **state) {
    (void)state;
    enum { I = 30, O = 40 };
    float w[I * O], b[O];
    il_rng rng;
    il_rng_seed(&rng, 77, IL_STREAM_INIT);
    il_init_spec spec = {IL_INIT_UNIFORM, 0.3, 0};
    il_init_layer(&spec, w, b, I, O, &rng);
    float lo = 1, hi = -1;
    for (int i = 0; i < I * O; i++) {
        lo = w[i] < lo ? w[i] : lo;
        hi = w[i] > hi ? w[i] : hi;
    }
    assert_true(lo >= -0.3f && hi <= 0.3f && lo < -0.25f && hi > 0.25f);
    spec = (il_init_spec){IL_INIT_XAVIER, 0, 0};
    il_init_layer(&spec, w, b, I, O, &rng);
    const float r = (float)sqrt(6.0 / (I + O));
    for (int i = 0; i < I * O; i++)
        assert_true(fabsf(w[i]) <= r);
}

static void test_same_seed_gives_the_same_weights(void **state) {
    (void)state;
    enum { I = 20, O = 30 };
    float w1[I * O], w2[I * O], b1[O], b2[O];
    il_init_spec spec = {IL_INIT_HE, 0, 0.1};
    il_rng r1, r2;
    il_rng_seed(&r1, 9, IL_STREAM_INIT);
    il_rng_seed(&r2, 9, IL_STREAM_INIT);
    il_init_layer(&spec, w1, b1, I, O, &r1);
    il_init_layer(&spec, w2, b2, I, O, &r2);
    assert_memory_equal(w1, w2, sizeof w1);
    assert_memory_equal(b1, b2, sizeof b1);
    for (int j = 0; j < O; j++)
        assert_true(b1[j] == 0.1f);
}

static void test_parse_and_format_round_trip(void **state) {
    (void)state;
    const char *texts[] = {"zero",  "uniform",    "uniform:0.3", "xavier", "xavier-normal",
                           "he",    "he-uniform", "lecun",       "normal", "normal:0.05",
                           "large", "large:20",   "uniform:0"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        il_init_spec spec = {IL_INIT_COUNT, -1, 5}, again = {IL_INIT_COUNT, -1, 5};
        il_error err;
        assert_int_equal(il_init_parse(&spec, texts[i], &err), IL_OK);
        assert_true(spec.bias == 0.0);
        char buf[64];
        il_init_format(&spec, buf, sizeof buf);
        assert_string_equal(buf, texts[i]);
        assert_int_equal(il_init_parse(&again, buf, &err), IL_OK);
        assert_true(again.kind == spec.kind && again.param == spec.param);
    }
    il_init_spec spec;
    il_error err;
    assert_int_equal(il_init_parse(&spec, "uniform", &err), IL_OK);
    assert_true(spec.kind == IL_INIT_UNIFORM && spec.param == 0.7);
    assert_int_equal(il_init_parse(&spec, "normal", &err), IL_OK);
    assert_true(spec.kind == IL_INIT_NORMAL && spec.param == 0.1);
    assert_int_equal(il_init_parse(&spec, "large", &err), IL_OK);
    assert_true(spec.kind == IL_INIT_LARGE && spec.param == 10.0);
    assert_int_equal(il_init_parse(&spec, "uniform:1e-1", &err), IL_OK);
    assert_true(spec.param == 0.1);
    /* A value that needs many digits still round-trips exactly. */
    spec = (il_init_spec){IL_INIT_NORMAL, 1.0 / 3.0, 0};
    char buf[64];
    il_init_format(&spec, buf, sizeof buf);
    il_init_spec back;
    assert_int_equal(il_init_parse(&back, buf, &err), IL_OK);
    assert_true(back.param == 1.0 / 3.0);
    /* Every scheme's name parses to itself and has a description. */
    for (int k = 0; k < IL_INIT_COUNT; k++) {
        assert_int_equal(il_init_parse(&back, il_init_name((il_init_kind)k), &err), IL_OK);
        assert_int_equal(back.kind, k);
        assert_true(strlen(il_init_describe((il_init_kind)k)) > 10);
    }
}

static void test_parse_refuses_bad_text_and_leaves_spec_untouched(void **state) {
    (void)state;
    const char *bad[] = {"",
                         "gaussian",
                         "Xavier",
                         "uniform:",
                         "uniform:abc",
                         "uniform:0.3x",
                         "uniform:-1",
                         "normal:nan",
                         "large:inf",
                         "xavier:0.3",
                         "he:1",
                         "zero:0",
                         "uniform:1e999",
                         ":0.3",
                         "uniform :0.3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        il_init_spec spec = {IL_INIT_LARGE, 123.0, 4.0};
        il_error err;
        il_error_clear(&err);
        assert_int_equal(il_init_parse(&spec, bad[i], &err), IL_ERR_USAGE);
        assert_int_equal(err.status, IL_ERR_USAGE);
        assert_true(spec.kind == IL_INIT_LARGE && spec.param == 123.0 && spec.bias == 4.0);
        assert_true(strlen(err.msg) > 0);
        print_message("'%s': %s\n", bad[i], err.msg);
    }
    il_init_spec spec;
    il_error err;
    /* An unknown name lists the valid ones. */
    assert_int_equal(il_init_parse(&spec, "kaiming", &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "kaiming"));
    for (int k = 0; k < IL_INIT_COUNT; k++)
        assert_non_null(strstr(err.msg, il_init_name((il_init_kind)k)));
    /* A parameter on a scheme without one says so. */
    assert_int_equal(il_init_parse(&spec, "xavier:2", &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "no parameter"));
    assert_int_equal(il_init_parse(&spec, NULL, &err), IL_ERR_USAGE);
}

static void test_zero_scheme_draws_nothing_from_the_generator(void **state) {
    (void)state;
    /* Zero init leaves the rng where it was, so the data order of a run never depends on it anyway, and
     * layers after a zero layer get the same weights as they would alone. */
    il_rng a, b;
    il_rng_seed(&a, 4, IL_STREAM_INIT);
    il_rng_seed(&b, 4, IL_STREAM_INIT);
    float w[6], bias[3];
    il_init_spec zero = {IL_INIT_ZERO, 0, 0};
    il_init_layer(&zero, w, bias, 2, 3, &a);
    for (int i = 0; i < 6; i++)
        assert_true(w[i] == 0.0f);
    assert_true(il_rng_next(&a) == il_rng_next(&b));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_scheme_matches_its_mean_and_variance),
        cmocka_unit_test(test_the_formulas_are_the_published_ones),
        cmocka_unit_test(test_xavier_uses_fan_out_and_he_does_not),
        cmocka_unit_test(test_uniform_schemes_stay_inside_their_bounds),
        cmocka_unit_test(test_same_seed_gives_the_same_weights),
        cmocka_unit_test(test_parse_and_format_round_trip),
        cmocka_unit_test(test_parse_refuses_bad_text_and_leaves_spec_untouched),
        cmocka_unit_test(test_zero_scheme_draws_nothing_from_the_generator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
