/* test_probe.c - the diagnostics: linearity R^2 (against a naive normal-equations solve), distinct units
 * (against crafted duplicates), saturated, linear-region and dead fractions, histograms, norms, and the
 * probe's contract (it never changes the net, refuses a mismatched or diverged one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/probe.h"
#include "testutil.h"

/* ---- helpers ----------------------------------------------------------------------------------------- */

/* Standard normal inputs (n, D): what standardized data look like. */
static float *gaussian_inputs(size_t n, size_t D, uint64_t seed) {
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_GEN);
    float *x = malloc(n * D * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n * D; i++)
        x[i] = (float)il_rng_normal(&rng);
    return x;
}

/* A spec with every hidden layer of activation act. sizes has n_layers + 1 entries. */
static il_net_spec make_spec(const size_t *sizes, size_t n_layers, il_act act, il_output output) {
    il_net_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.n_layers = n_layers;
    for (size_t l = 0; l <= n_layers; l++)
        spec.sizes[l] = sizes[l];
    for (size_t l = 0; l + 1 < n_layers; l++)
        spec.hidden[l] = act;
    spec.output = output;
    return spec;
}

/* A net with every layer initialized by the same scheme (bias 0). */
static il_net *make_net(const il_net_spec *spec, il_init_kind kind, double param, uint64_t seed) {
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_net_create(&net, spec, 8, &err), IL_OK);
    il_init_spec init[IL_MAX_LAYERS];
    for (size_t l = 0; l < spec->n_layers; l++)
        init[l] = (il_init_spec){.kind = kind, .param = param, .bias = 0.0};
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_INIT);
    il_net_init(net, init, &rng);
    return net;
}

/* Probe net on n Gaussian samples with zero targets; returns the summary and fills layers. */
static il_probe_net probe_once(const il_net *net, size_t n, uint64_t seed, il_probe_layer *layers) {
    const il_net_spec *spec = &net->spec;
    float *x = gaussian_inputs(n, spec->sizes[0], seed);
    float *y = calloc(n * spec->sizes[spec->n_layers], sizeof *y);
    assert_non_null(y);
    il_probe *probe = NULL;
    il_error err;
    il_status st = il_probe_create(&probe, spec, x, y, n, &err);
    if (st != IL_OK) fail_msg("il_probe_create: %s", err.msg);
    il_probe_net summary;
    st = il_probe_measure(probe, net, 0.0, layers, &summary, &err);
    if (st != IL_OK) fail_msg("il_probe_measure: %s", err.msg);
    il_probe_free(probe);
    free(x);
    free(y);
    return summary;
}

static double r2_one_shot(const float *x, size_t n, size_t D, const float *out, size_t O) {
    size_t size = il_linearity_scratch_size(n, D, O);
    assert_true(size > 0 && size < SIZE_MAX);
    double *scratch = malloc(size * sizeof *scratch);
    assert_non_null(scratch);
    double r2 = il_linearity_r2(x, n, D, out, O, scratch);
    free(scratch);
    return r2;
}

/* The naive reference: least squares on A = [1, x] (n, P = D + 1) by the normal equations
 * A^T A beta = A^T y, solved by Gaussian elimination with partial pivoting, in double; then
 * R^2 = 1 - sum SSres / sum SStot over the outputs. Fine for well-conditioned random data only. */
static double r2_normal_equations(const float *x, size_t n, size_t D, const float *out, size_t O) {
    const size_t P = D + 1;
    double *g = calloc(P * P, sizeof *g);     /* (P, P) A^T A */
    double *rhs = calloc(P * O, sizeof *rhs); /* (P, O) A^T y */
    assert_non_null(g);
    assert_non_null(rhs);
    for (size_t i = 0; i < n; i++) {
        for (size_t p = 0; p < P; p++) {
            const double ap = p == 0 ? 1.0 : (double)x[i * D + p - 1];
            for (size_t q = 0; q < P; q++)
                g[p * P + q] += ap * (q == 0 ? 1.0 : (double)x[i * D + q - 1]);
            for (size_t k = 0; k < O; k++)
                rhs[p * O + k] += ap * (double)out[i * O + k];
        }
    }
    for (size_t c = 0; c < P; c++) {
        size_t pivot = c;
        for (size_t r = c + 1; r < P; r++)
            if (fabs(g[r * P + c]) > fabs(g[pivot * P + c])) pivot = r;
        for (size_t q = 0; q < P; q++) {
            double t = g[c * P + q];
            g[c * P + q] = g[pivot * P + q], g[pivot * P + q] = t;
        }
        for (size_t k = 0; k < O; k++) {
            double t = rhs[c * O + k];
            rhs[c * O + k] = rhs[pivot * O + k], rhs[pivot * O + k] = t;
        }
        for (size_t r = c + 1; r < P; r++) {
            const double f = g[r * P + c] / g[c * P + c];
            for (size_t q = c; q < P; q++)
                g[r * P + q] -= f * g[c * P + q];
            for (size_t k = 0; k < O; k++)
                rhs[r * O + k] -= f * rhs[c * O + k];
        }
    }
    for (size_t c = P; c-- > 0;) /* back substitution: rhs becomes beta (P, O) */
        for (size_t k = 0; k < O; k++) {
            double v = rhs[c * O + k];
            for (size_t q = c + 1; q < P; q++)
                v -= g[c * P + q] * rhs[q * O + k];
            rhs[c * O + k] = v / g[c * P + c];
        }
    double ss_res = 0.0, ss_tot = 0.0;
    for (size_t k = 0; k < O; k++) {
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += out[i * O + k];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double fit = rhs[k];
            for (size_t p = 1; p < P; p++)
                fit += rhs[p * O + k] * (double)x[i * D + p - 1];
            const double y = (double)out[i * O + k];
            ss_res += (y - fit) * (y - fit);
            ss_tot += (y - mean) * (y - mean);
        }
    }
    free(g);
    free(rhs);
    return 1.0 - ss_res / ss_tot;
}

static size_t hist_total(const il_probe_layer *layer) {
    size_t total = 0;
    for (size_t b = 0; b < IL_HIST_BINS; b++)
        total += layer->hist[b];
    return total;
}

/* ---- linearity R^2 ------------------------------------------------------------------------------------ */

static void test_r2_of_an_exactly_linear_output_is_one(void **state) {
    (void)state;
    const size_t n = 50, D = 3, O = 2;
    float *x = gaussian_inputs(n, D, 1);
    float out[50 * 2];
    for (size_t i = 0; i < n; i++) {
        out[i * O + 0] = 2.0f + 0.5f * x[i * D] - 1.5f * x[i * D + 1] + 0.25f * x[i * D + 2];
        out[i * O + 1] = -1.0f + 3.0f * x[i * D + 2];
    }
    double r2 = r2_one_shot(x, n, D, out, O);
    assert_true(fabs(r2 - 1.0) < 1e-9);
    free(x);
}

static void test_r2_of_a_square_on_symmetric_inputs_is_zero(void **state) {
    (void)state;
    /* x symmetric around 0, y = x^2: cov(x, y) = E[x^3] = 0, so the best line is flat and explains 0. */
    const size_t n = 101;
    float x[101], y[101];
    for (size_t i = 0; i < n; i++) {
        x[i] = (float)((double)i / 50.0 - 1.0);
        y[i] = x[i] * x[i];
    }
    double r2 = r2_one_shot(x, n, 1, y, 1);
    assert_true(fabs(r2) < 1e-9);
    /* And a hand-checked intermediate value: x = (-1, 0, 1, 2), y = (0, 0, 1, 3). Mean y = 1, SStot = 6;
     * the least-squares line is y = 0.5 + x (slope cov/var = 5/5 = 1), residuals (0.5, -0.5, -0.5, 0.5),
     * SSres = 1, so R^2 = 5/6. */
    const float hx[4] = {-1, 0, 1, 2}, hy[4] = {0, 0, 1, 3};
    assert_true(fabs(r2_one_shot(hx, 4, 1, hy, 1) - 5.0 / 6.0) < 1e-12);
}

static void test_lapack_fit_matches_normal_equations_on_random_data(void **state) {
    (void)state;
    const size_t n = 300, D = 4, O = 3;
    float *x = gaussian_inputs(n, D, 2);
    float *noise = gaussian_inputs(n, O, 3);
    float *out = malloc(n * O * sizeof *out);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        const float *r = x + i * D;
        out[i * O + 0] = tanhf(r[0] + r[1]) + 0.3f * noise[i * O];
        out[i * O + 1] = r[2] * r[3] + 0.5f * r[0] + 0.1f * noise[i * O + 1];
        out[i * O + 2] = expf(0.5f * r[1]) + noise[i * O + 2];
    }
    double fast = r2_one_shot(x, n, D, out, O), naive = r2_normal_equations(x, n, D, out, O);
    if (!(fabs(fast - naive) < 1e-10))
        fail_msg("R^2 by SVD %.15f, by normal equations %.15f: largest difference %.3g", fast, naive,
                 fabs(fast - naive));
    assert_true(fast > 0.05 && fast < 0.95); /* a genuinely partial fit, not a trivial case */

    /* The reusable fit gives the same number as the one-shot function. */
    il_linear_fit *fit = NULL;
    il_error err;
    assert_int_equal(il_linear_fit_create(&fit, x, n, D, O, &err), IL_OK);
    assert_int_equal(il_linear_fit_rank(fit), D);
    assert_true(fabs(il_linear_fit_r2(fit, out, O) - fast) < 1e-12);
    assert_true(isnan(il_linear_fit_r2(fit, out, O + 1))); /* more outputs than it was made for */
    il_linear_fit_free(fit);
    free(x);
    free(noise);
    free(out);
}

static void test_constant_and_collinear_inputs_lower_the_rank_not_the_answer(void **state) {
    (void)state;
    /* Inputs: a, a constant 3, b, and a + b (collinear). The fit can only use span{a, b}: rank 2, and R^2
     * equals the naive fit on (a, b) alone. */
    const size_t n = 200, O = 1;
    float *ab = gaussian_inputs(n, 2, 4);
    float *x = malloc(n * 4 * sizeof *x), *out = malloc(n * sizeof *out);
    assert_non_null(x);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        const float a = ab[i * 2], b = ab[i * 2 + 1];
        x[i * 4 + 0] = a, x[i * 4 + 1] = 3.0f, x[i * 4 + 2] = b, x[i * 4 + 3] = a + b;
        out[i] = a - 2.0f * b + a * a;
    }
    il_linear_fit *fit = NULL;
    il_error err;
    assert_int_equal(il_linear_fit_create(&fit, x, n, 4, O, &err), IL_OK);
    assert_int_equal(il_linear_fit_rank(fit), 2);
    double reduced = r2_normal_equations(ab, n, 2, out, O);
    assert_true(fabs(il_linear_fit_r2(fit, out, O) - reduced) < 1e-9);
    assert_true(fabs(r2_one_shot(x, n, 4, out, O) - reduced) < 1e-9);
    il_linear_fit_free(fit);
    free(ab);
    free(x);
    free(out);
}

static void test_constant_output_counts_as_linear_and_interpolation_as_unknown(void **state) {
    (void)state;
    const size_t n = 20, D = 2;
    float *x = gaussian_inputs(n, D, 5);
    float out[20];
    for (size_t i = 0; i < n; i++)
        out[i] = 0.731f;
    assert_true(r2_one_shot(x, n, D, out, 1) == 1.0); /* a constant function is linear */
    out[3] = 0.74f;
    assert_true(r2_one_shot(x, n, D, out, 1) < 0.5); /* one bump is not */

    /* 3 samples, 5 inputs: any output is fitted exactly, so the number would say nothing. */
    assert_true(isnan(r2_one_shot(x, 3, 5, out, 1)));
    /* Non-finite outputs or a single sample: no answer. */
    out[0] = NAN;
    assert_true(isnan(r2_one_shot(x, n, D, out, 1)));
    assert_true(isnan(r2_one_shot(x, 1, D, out + 1, 1)));
    assert_true(il_linearity_scratch_size(SIZE_MAX / 2, 4, 1) == SIZE_MAX);
    free(x);
}

static void test_identity_network_is_exactly_linear(void **state) {
    (void)state;
    const size_t sizes[] = {3, 6, 5, 2};
    il_net_spec spec = make_spec(sizes, 3, IL_ACT_IDENTITY, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_UNIFORM, 0.7, 10);
    il_probe_layer layers[3];
    il_probe_net s = probe_once(net, 400, 11, layers);
    assert_true(fabs(s.linearity - 1.0) < 1e-9);
    il_net_free(net);
}

static void test_tiny_sigmoid_weights_make_the_network_nearly_linear(void **state) {
    (void)state;
    /* ESL 11.5.1 / Exercise 11.2: near zero, sigma(z) ~ 1/2 + z/4, so the net collapses to a linear model. */
    const size_t sizes[] = {2, 10, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_SIGMOID, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_UNIFORM, 0.01, 12);
    il_probe_layer layers[2];
    il_probe_net s = probe_once(net, 500, 13, layers);
    assert_true(s.linearity > 0.99);
    assert_true(layers[0].saturated == 0.0);
    assert_true(layers[0].linear_region == 1.0);
    il_net_free(net);
}

static void test_large_sigmoid_weights_make_the_network_nonlinear(void **state) {
    (void)state;
    const size_t sizes[] = {2, 10, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_SIGMOID, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_LARGE, 10.0, 14);
    il_probe_layer layers[2];
    il_probe_net s = probe_once(net, 500, 15, layers);
    assert_true(s.linearity < 0.9);
    il_net_free(net);
}

static void test_softmax_linearity_is_measured_on_the_logits(void **state) {
    (void)state;
    /* No hidden layer: the logits are exactly linear in the inputs (multinomial logistic regression),
     * although the probabilities are not. */
    const size_t sizes[] = {4, 3};
    il_net_spec spec = make_spec(sizes, 1, IL_ACT_SIGMOID, IL_OUT_SOFTMAX);
    il_net *net = make_net(&spec, IL_INIT_UNIFORM, 2.0, 16);
    il_probe_layer layers[1];
    il_probe_net s = probe_once(net, 300, 17, layers);
    assert_true(fabs(s.linearity - 1.0) < 1e-9);
    assert_true(layers[0].hist_lo == 0.0 && layers[0].hist_hi == 1.0); /* probabilities */
    il_net_free(net);
}

static void test_probe_reports_nan_linearity_when_samples_cannot_tell(void **state) {
    (void)state;
    const size_t sizes[] = {20, 4, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_TANH, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_XAVIER, 0.0, 18);
    float *x = gaussian_inputs(10, 20, 19);
    float y[10] = {0};
    il_probe *probe = NULL;
    il_error err;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, 10, &err), IL_OK);
    assert_int_equal(il_probe_input_rank(probe), 9); /* 10 centred samples span 9 directions */
    il_probe_layer layers[2];
    il_probe_net s;
    assert_int_equal(il_probe_measure(probe, net, 0.0, layers, &s, &err), IL_OK);
    assert_true(isnan(s.linearity));
    il_probe_free(probe);
    il_net_free(net);
    free(x);
}

/* ---- symmetry ----------------------------------------------------------------------------------------- */

static void test_zero_init_has_one_distinct_unit_per_layer(void **state) {
    (void)state;
    const size_t sizes[] = {5, 8, 6, 3};
    il_net_spec spec = make_spec(sizes, 3, IL_ACT_SIGMOID, IL_OUT_SOFTMAX);
    il_net *net = make_net(&spec, IL_INIT_ZERO, 0.0, 20);
    il_probe_layer layers[3];
    il_probe_net s = probe_once(net, 100, 21, layers);
    for (size_t l = 0; l < 3; l++) {
        assert_int_equal(layers[l].distinct_units, 1);
        assert_int_equal(layers[l].units, sizes[l + 1]);
        assert_int_equal(il_distinct_units(net->w[l], net->b[l], sizes[l], sizes[l + 1]), 1);
    }
    /* A zero net predicts a constant: linear. */
    assert_true(s.linearity == 1.0);
    il_net_free(net);
}

static void test_random_init_makes_every_unit_distinct(void **state) {
    (void)state;
    const size_t sizes[] = {5, 64, 7, 2};
    il_net_spec spec = make_spec(sizes, 3, IL_ACT_TANH, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_HE, 0.0, 22);
    il_probe_layer layers[3];
    probe_once(net, 50, 23, layers);
    for (size_t l = 0; l < 3; l++) {
        assert_int_equal(layers[l].distinct_units, sizes[l + 1]);
        assert_int_equal(il_distinct_units(net->w[l], net->b[l], sizes[l], sizes[l + 1]), sizes[l + 1]);
    }
    il_net_free(net);
}

static void test_crafted_duplicates_are_counted_once(void **state) {
    (void)state;
    /* w (I = 3, O = 7), columns: u0 = A, u1 = A, u2 = B, u3 = A with another bias, u4 = B, u5 = A with -0
     * where A has +0, u6 = a NaN column. Classes: {u0, u1, u5}, {u2, u4}, {u3}, {u6} -> 4. */
    const size_t I = 3, O = 7;
    const float A[3] = {0.5f, 0.0f, -1.0f}, Bc[3] = {0.25f, 2.0f, 1.0f};
    float w[3 * 7], b[7] = {0.1f, 0.1f, 0.1f, 0.2f, 0.1f, 0.1f, 0.1f};
    for (size_t i = 0; i < I; i++) {
        w[i * O + 0] = A[i], w[i * O + 1] = A[i], w[i * O + 2] = Bc[i], w[i * O + 3] = A[i];
        w[i * O + 4] = Bc[i], w[i * O + 5] = A[i] == 0.0f ? -0.0f : A[i], w[i * O + 6] = A[i];
    }
    w[2 * O + 6] = NAN;
    assert_int_equal(il_distinct_units(w, b, I, O), 4);

    /* The probe's hashed count agrees, read off a net carrying these weights in its first layer. */
    const size_t sizes[] = {3, 7, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_RELU, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_UNIFORM, 0.5, 24);
    w[2 * O + 6] = 7.0f; /* the probe refuses non-finite nets: make u6 merely unique */
    memcpy(net->w[0], w, sizeof w);
    memcpy(net->b[0], b, sizeof b);
    il_probe_layer layers[2];
    probe_once(net, 30, 25, layers);
    assert_int_equal(layers[0].distinct_units, 4);
    assert_int_equal(il_distinct_units(net->w[0], net->b[0], I, O), 4);
    il_net_free(net);
}

static void test_hashed_count_agrees_with_the_pairwise_reference_on_a_wide_layer(void **state) {
    (void)state;
    /* 300 units: units 0..16 are random prototypes, unit j >= 17 copies prototype 7j mod 17. Then units
     * 0..4 get a bias of their own, while their copies keep the old one: 17 classes of copies (including
     * prototypes 5..16) plus 5 unique units = 22. */
    const size_t sizes[] = {8, 300, 2};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_SIGMOID, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_UNIFORM, 0.7, 70);
    const size_t I = 8, O = 300;
    float *w = net->w[0], *b = net->b[0];
    for (size_t j = 17; j < O; j++) { /* units 0..16 are the prototypes as drawn */
        const size_t proto = (7 * j) % 17;
        for (size_t i = 0; i < I; i++)
            w[i * O + j] = w[i * O + proto];
        b[j] = b[proto];
    }
    for (size_t j = 0; j < 5; j++)
        b[j] = 100.0f + (float)j;
    assert_int_equal(il_distinct_units(w, b, I, O), 22);
    il_probe_layer layers[2];
    probe_once(net, 20, 71, layers);
    assert_int_equal(layers[0].distinct_units, 22);
    il_net_free(net);
}

static void test_zero_init_tanh_hidden_weights_get_no_gradient(void **state) {
    (void)state;
    /* With every weight 0 and tanh(0) = 0, the hidden layer outputs 0 and the output weights are 0: the
     * gradient into the hidden layer is exactly 0 (ESL 11.5.1: "zero derivatives"). */
    const size_t sizes[] = {4, 6, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_TANH, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_ZERO, 0.0, 26);
    const size_t n = 40;
    float *x = gaussian_inputs(n, 4, 27), *y = gaussian_inputs(n, 1, 28);
    il_probe *probe = NULL;
    il_error err;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, n, &err), IL_OK);
    il_probe_layer layers[2];
    il_probe_net s;
    assert_int_equal(il_probe_measure(probe, net, 0.0, layers, &s, &err), IL_OK);
    assert_true(layers[0].grad_norm == 0.0);
    assert_true(layers[0].weight_norm == 0.0 && s.weight_norm == 0.0 && s.param_norm == 0.0);
    il_probe_free(probe);
    il_net_free(net);
    free(x);
    free(y);
}

/* ---- saturation, linear region, dead units ------------------------------------------------------------ */

static void test_large_weights_saturate_sigmoid_and_tanh_units(void **state) {
    (void)state;
    /* 50 standardized inputs, weights U(-10, 10): z has std 10 sqrt(50/3) ~ 41, far beyond the |z| > 3.6
     * (sigmoid) and |z| > 1.8 (tanh) where f' drops below a tenth of its maximum. */
    for (int k = 0; k < 2; k++) {
        const il_act act = k == 0 ? IL_ACT_SIGMOID : IL_ACT_TANH;
        const size_t sizes[] = {50, 20, 1};
        il_net_spec spec = make_spec(sizes, 2, act, IL_OUT_IDENTITY);
        il_net *net = make_net(&spec, IL_INIT_LARGE, 10.0, 30 + (uint64_t)k);
        il_probe_layer layers[2];
        probe_once(net, 400, 32, layers);
        assert_true(layers[0].saturated > 0.8);
        assert_true(layers[0].linear_region < 0.1);
        assert_true(isnan(layers[0].dead));
        il_net_free(net);
    }
}

static void test_saturated_fraction_counts_exactly_the_flat_pairs(void **state) {
    (void)state;
    /* One input, one sigmoid layer with w = 1 and b = 0, so z = x. On x = -5..5 in steps of 1, sigma' < 0.025
     * exactly when |z| > 3.63, i.e. z = -5, -4, 4, 5: 4 of 11. |z| < 1 only for z = 0: 1 of 11. */
    const size_t sizes[] = {1, 1, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_SIGMOID, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_ZERO, 0.0, 33);
    net->w[0][0] = 1.0f;
    float x[11], y[11] = {0};
    for (int i = 0; i < 11; i++)
        x[i] = (float)(i - 5);
    il_probe *probe = NULL;
    il_error err;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, 11, &err), IL_OK);
    il_probe_layer layers[2];
    il_probe_net s;
    assert_int_equal(il_probe_measure(probe, net, 0.0, layers, &s, &err), IL_OK);
    assert_true(fabs(layers[0].saturated - 4.0 / 11.0) < 1e-12);
    assert_true(fabs(layers[0].linear_region - 1.0 / 11.0) < 1e-12);
    /* Pre-activations are x itself: mean 0, population std sqrt(10). */
    assert_true(fabs(layers[0].preact_mean) < 1e-12);
    assert_true(fabs(layers[0].preact_std - sqrt(10.0)) < 1e-6);
    /* Activations are symmetric around 1/2. */
    assert_true(fabs(layers[0].act_mean - 0.5) < 1e-6);
    il_probe_free(probe);
    il_net_free(net);
}

static void test_relu_layer_with_a_large_negative_bias_is_all_dead(void **state) {
    (void)state;
    const size_t sizes[] = {6, 12, 9, 1};
    il_net_spec spec = make_spec(sizes, 3, IL_ACT_RELU, IL_OUT_IDENTITY);
    il_net *net = make_net(&spec, IL_INIT_HE, 0.0, 34);
    for (size_t j = 0; j < 12; j++)
        net->b[0][j] = -100.0f; /* z < 0 for every standardized input */
    il_probe_layer layers[3];
    probe_once(net, 200, 35, layers);
    assert_true(layers[0].dead == 1.0);
    /* The next layer sees only zeros: z = b = 0, and ReLU(0) = 0, so it is dead too. */
    assert_true(layers[1].dead == 1.0);
    assert_true(isnan(layers[0].saturated));
    assert_true(layers[0].grad_norm == 0.0); /* dead units pass no gradient */
    assert_true(layers[0].hist[0] == 200 * 12);

    /* Some dead units: 4 of 12 in the first layer, 3 of 9 in the second (the others get a bias of +1 so
     * that they are active on at least some samples). */
    for (size_t j = 0; j < 12; j++)
        net->b[0][j] = j < 4 ? -100.0f : 0.0f;
    for (size_t j = 0; j < 9; j++)
        net->b[1][j] = j < 3 ? -100.0f : 1.0f;
    probe_once(net, 200, 35, layers);
    assert_true(fabs(layers[0].dead - 4.0 / 12.0) < 1e-12);
    assert_true(fabs(layers[1].dead - 3.0 / 9.0) < 1e-12);
    assert_true(layers[0].grad_norm > 0.0);
    il_net_free(net);
}

/* ---- histograms, norms, losses ------------------------------------------------------------------------ */

static void test_histograms_count_every_pair_in_their_range(void **state) {
    (void)state;
    const il_act acts[4] = {IL_ACT_SIGMOID, IL_ACT_TANH, IL_ACT_RELU, IL_ACT_IDENTITY};
    for (int k = 0; k < 4; k++) {
        const size_t sizes[] = {3, 17, 5, 2};
        il_net_spec spec = make_spec(sizes, 3, acts[k], IL_OUT_IDENTITY);
        il_net *net = make_net(&spec, IL_INIT_UNIFORM, 1.5, 40 + (uint64_t)k);
        const size_t n = 123;
        il_probe_layer layers[3];
        probe_once(net, n, 41, layers);
        for (size_t l = 0; l < 3; l++) {
            assert_int_equal(hist_total(&layers[l]), n * sizes[l + 1]);
            assert_true(layers[l].hist_hi > layers[l].hist_lo);
        }
        if (acts[k] == IL_ACT_SIGMOID) assert_true(layers[0].hist_lo == 0.0 && layers[0].hist_hi == 1.0);
        if (acts[k] == IL_ACT_TANH) assert_true(layers[0].hist_lo == -1.0 && layers[0].hist_hi == 1.0);
        if (acts[k] == IL_ACT_RELU) assert_true(layers[0].hist_lo == 0.0 && layers[0].hist_hi > 0.0);
        if (acts[k] == IL_ACT_IDENTITY) {
            /* [min, max] of the values: both end bins are occupied. */
            assert_true(layers[0].hist[0] > 0 && layers[0].hist[IL_HIST_BINS - 1] > 0);
            assert_true(fabs(layers[0].act_mean - layers[0].preact_mean) < 1e-12);
        }
        il_net_free(net);
    }
}

static void test_norms_and_loss_match_the_network_and_leave_it_untouched(void **state) {
    (void)state;
    const size_t sizes[] = {4, 9, 3};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_SIGMOID, IL_OUT_SOFTMAX);
    const size_t n = 64;
    il_net *net = make_net(&spec, IL_INIT_XAVIER, 0.0, 50);
    for (size_t j = 0; j < 9; j++)
        net->b[0][j] = 0.1f * (float)j;
    float *x = gaussian_inputs(n, 4, 51);
    float *y = calloc(n * 3, sizeof *y);
    assert_non_null(y);
    for (size_t i = 0; i < n; i++)
        y[i * 3 + i % 3] = 1.0f;
    float *before = malloc(net->n_params * sizeof *before);
    assert_non_null(before);
    memcpy(before, net->params, net->n_params * sizeof *before);

    il_probe *probe = NULL;
    il_error err;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, n, &err), IL_OK);
    il_probe_layer layers[2];
    il_probe_net s;
    const double decay = 0.01;
    assert_int_equal(il_probe_measure(probe, net, decay, layers, &s, &err), IL_OK);
    assert_memory_equal(before, net->params, net->n_params * sizeof *before);

    /* The same numbers from the network itself, run on the same samples in a net of its own. */
    il_net *ref = NULL;
    assert_int_equal(il_net_create(&ref, &spec, n, &err), IL_OK);
    memcpy(ref->params, net->params, net->n_params * sizeof *before);
    il_net_forward(ref, x, n);
    const double loss = il_net_loss(ref, y, n);
    il_net_backward(ref, x, y, n, decay);
    assert_true(fabs(s.probe_loss - loss) < 1e-12);
    assert_true(fabs(s.weight_norm - il_net_weight_norm(ref)) < 1e-9 * (1.0 + s.weight_norm));
    assert_true(fabs(s.grad_norm - il_net_grad_norm(ref)) < 1e-9 * (1.0 + s.grad_norm));
    double all = 0.0, first = 0.0;
    for (size_t i = 0; i < ref->n_params; i++)
        all += (double)ref->params[i] * ref->params[i];
    for (size_t i = 0; i < 4 * 9; i++)
        first += (double)ref->dw[0][i] * ref->dw[0][i];
    assert_true(fabs(s.param_norm - sqrt(all)) < 1e-9);
    assert_true(s.param_norm > s.weight_norm); /* the biases count here */
    assert_true(fabs(layers[0].grad_norm - sqrt(first)) < 1e-9);

    /* Measuring twice gives bit-identical numbers: the probe keeps no state between measurements. */
    il_probe_layer again[2];
    il_probe_net s2;
    assert_int_equal(il_probe_measure(probe, net, decay, again, &s2, &err), IL_OK);
    assert_memory_equal(layers, again, sizeof layers);
    assert_memory_equal(&s, &s2, sizeof s);

    il_net_free(ref);
    il_probe_free(probe);
    free(before);
    free(x);
    free(y);
    il_net_free(net);
}

/* ---- the contract ------------------------------------------------------------------------------------- */

static void test_probe_refuses_a_mismatched_or_diverged_network(void **state) {
    (void)state;
    const size_t sizes[] = {3, 5, 1}, other[] = {3, 6, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_TANH, IL_OUT_IDENTITY);
    il_net_spec wrong = make_spec(other, 2, IL_ACT_TANH, IL_OUT_IDENTITY);
    il_net *net = make_net(&wrong, IL_INIT_XAVIER, 0.0, 60);
    float *x = gaussian_inputs(20, 3, 61);
    float y[20] = {0};
    il_probe *probe = NULL;
    il_error err;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, 20, &err), IL_OK);
    il_probe_layer layers[2];
    memset(layers, 0x5a, sizeof layers);
    il_probe_net s;
    assert_int_equal(il_probe_measure(probe, net, 0.0, layers, &s, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "shape"));
    il_net_free(net);

    net = make_net(&spec, IL_INIT_XAVIER, 0.0, 62);
    net->w[1][2] = INFINITY;
    assert_int_equal(il_probe_measure(probe, net, 0.0, layers, &s, &err), IL_ERR_NUMERIC);
    assert_non_null(strstr(err.msg, "diverged"));
    unsigned char pattern[sizeof layers];
    memset(pattern, 0x5a, sizeof pattern);
    assert_memory_equal(layers, pattern, sizeof layers); /* untouched */
    il_net_free(net);
    il_probe_free(probe);
    free(x);
}

static void test_probe_creation_rejects_bad_samples(void **state) {
    (void)state;
    const size_t sizes[] = {2, 3, 1};
    il_net_spec spec = make_spec(sizes, 2, IL_ACT_SIGMOID, IL_OUT_IDENTITY);
    float x[8] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f}, y[4] = {0};
    il_probe *probe = (il_probe *)&spec; /* must be reset to NULL on failure */
    il_error err;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, 0, &err), IL_ERR_USAGE);
    assert_null(probe);
    assert_non_null(strstr(err.msg, "probe_samples"));
    x[5] = NAN;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, 4, &err), IL_ERR_USAGE);
    assert_null(probe);
    assert_non_null(strstr(err.msg, "not finite"));
    spec.sizes[1] = 0;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, 4, &err), IL_ERR_USAGE);
    assert_null(probe);
    il_probe_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_r2_of_an_exactly_linear_output_is_one),
        cmocka_unit_test(test_r2_of_a_square_on_symmetric_inputs_is_zero),
        cmocka_unit_test(test_lapack_fit_matches_normal_equations_on_random_data),
        cmocka_unit_test(test_constant_and_collinear_inputs_lower_the_rank_not_the_answer),
        cmocka_unit_test(test_constant_output_counts_as_linear_and_interpolation_as_unknown),
        cmocka_unit_test(test_identity_network_is_exactly_linear),
        cmocka_unit_test(test_tiny_sigmoid_weights_make_the_network_nearly_linear),
        cmocka_unit_test(test_large_sigmoid_weights_make_the_network_nonlinear),
        cmocka_unit_test(test_softmax_linearity_is_measured_on_the_logits),
        cmocka_unit_test(test_probe_reports_nan_linearity_when_samples_cannot_tell),
        cmocka_unit_test(test_zero_init_has_one_distinct_unit_per_layer),
        cmocka_unit_test(test_random_init_makes_every_unit_distinct),
        cmocka_unit_test(test_crafted_duplicates_are_counted_once),
        cmocka_unit_test(test_hashed_count_agrees_with_the_pairwise_reference_on_a_wide_layer),
        cmocka_unit_test(test_zero_init_tanh_hidden_weights_get_no_gradient),
        cmocka_unit_test(test_large_weights_saturate_sigmoid_and_tanh_units),
        cmocka_unit_test(test_saturated_fraction_counts_exactly_the_flat_pairs),
        cmocka_unit_test(test_relu_layer_with_a_large_negative_bias_is_all_dead),
        cmocka_unit_test(test_histograms_count_every_pair_in_their_range),
        cmocka_unit_test(test_norms_and_loss_match_the_network_and_leave_it_untouched),
        cmocka_unit_test(test_probe_refuses_a_mismatched_or_diverged_network),
        cmocka_unit_test(test_probe_creation_rejects_bad_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
