/* test_claims_fan_in.c - claims test of experiments/04-fan-in-scaling.ini (Glorot & Bengio 2010).
 * Claim: the fixed +-0.7 range of ESL 11.5.3 does not scale with the fan-in. On Fashion-MNIST's 784
 * standardized inputs it gives the first sigmoid layer pre-activations with a standard deviation of
 * about sqrt(784 * 0.7^2 / 3) = 11, so at epoch 0 most unit x sample pairs are saturated; Xavier,
 * Var(w) = 2 / (I + O), keeps the pre-activation spread near unit scale in every layer.
 * Checked from layers.csv at epoch 0 (one short run per init and seed; only epoch 0 is read):
 *   - uniform's layer 1 has preact_std above 3.64 (the |z| where the sigmoid's slope falls to 10% of
 *     its maximum: the saturation threshold of docs/diagnostics.md) and at least 4x xavier's;
 *   - uniform's layer 1 has at least half of its pairs saturated, xavier's at most 5% and ten times less;
 *   - xavier's preact_std lies within a factor 3 of 1 in every layer, the output layer included.
 * Shown to fail without the phenomenon: with a copy of the experiment whose list reads
 * "uniform, xavier=uniform:0.7, he" (INITLAB_CLAIMS_FAN_IN_INI=copy), all three tests fail: the
 * column labelled xavier then saturates as uniform does and its spread is far from 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "claims_util.h"

/* sigma'(z) = 0.1 * sigma'(0) at |z| = 3.64 (docs/diagnostics.md, Saturated fraction). */
#define SIGMOID_SATURATION_Z 3.64

typedef struct {
    char *scratch;
    cu_csv layers; /* layers.csv */
} fan_in_state;

static int run_experiment(void **state) {
    static fan_in_state s;
    const char *ini = cu_experiment_path("INITLAB_CLAIMS_FAN_IN_INI", "experiments/04-fan-in-scaling.ini");
    /* Epoch 0 is logged before any update; one short epoch on a slice of the data is enough to get it. */
    s.scratch = cu_run_program(ini, "--epochs 1 --seeds 2 --set data.max_train=1000 --set data.max_test=500",
                               "claims-fan-in");
    cu_csv_load(&s.layers, s.scratch, "results/layers.csv");
    *state = &s;
    return 0;
}

static int remove_results(void **state) {
    fan_in_state *s = *state;
    cu_csv_free(&s->layers);
    cu_remove_scratch(s->scratch);
    return 0;
}

/* Value of column `name` at epoch 0 for init, seed and layer; fails the test when there is no such row. */
static double at_epoch0(const cu_csv *t, const char *init, const char *seed, size_t layer, const char *name) {
    size_t c_init = cu_col(t, "init"), c_seed = cu_col(t, "seed"), c_epoch = cu_col(t, "epoch");
    size_t c_layer = cu_col(t, "layer"), c = cu_col(t, name);
    for (size_t r = 0; r < t->n_rows; r++)
        if (strcmp(cu_cell(t, r, c_init), init) == 0 && strcmp(cu_cell(t, r, c_seed), seed) == 0 &&
            cu_value(t, r, c_epoch) == 0.0 && cu_value(t, r, c_layer) == (double)layer)
            return cu_value(t, r, c);
    fail_msg("layers.csv has no epoch-0 row for init %s, seed %s, layer %zu", init, seed, layer);
    return NAN;
}

/* Number of layers (hidden + output) of the network, from layers.csv. */
static size_t layer_count(const cu_csv *t) {
    size_t c_layer = cu_col(t, "layer"), n = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (cu_value(t, r, c_layer) > (double)n) n = (size_t)cu_value(t, r, c_layer);
    return n;
}

static const char *const seeds[] = {"1", "2"};

static void test_uniform_0_7_spreads_the_first_layer_far_past_the_sigmoids_linear_part(void **state) {
    fan_in_state *s = *state;
    for (size_t i = 0; i < 2; i++) {
        double u = at_epoch0(&s->layers, "uniform", seeds[i], 1, "preact_std");
        double x = at_epoch0(&s->layers, "xavier", seeds[i], 1, "preact_std");
        print_message("seed %s layer 1 preact_std: uniform %.3g, xavier %.3g\n", seeds[i], u, x);
        assert_true(u > SIGMOID_SATURATION_Z);
        assert_true(u > 4.0 * x);
    }
}

static void test_uniform_0_7_saturates_the_first_sigmoid_layer_and_xavier_does_not(void **state) {
    fan_in_state *s = *state;
    for (size_t i = 0; i < 2; i++) {
        double u = at_epoch0(&s->layers, "uniform", seeds[i], 1, "saturated");
        double x = at_epoch0(&s->layers, "xavier", seeds[i], 1, "saturated");
        print_message("seed %s layer 1 saturated: uniform %.3g, xavier %.3g\n", seeds[i], u, x);
        assert_true(u >= 0.5);
        assert_true(x <= 0.05);
        assert_true(u > 10.0 * x);
    }
}

static void test_xavier_keeps_the_preactivation_spread_near_1_in_every_layer(void **state) {
    fan_in_state *s = *state;
    size_t n_layers = layer_count(&s->layers);
    assert_true(n_layers >= 3); /* a claim about depth needs at least two hidden layers */
    for (size_t i = 0; i < 2; i++)
        for (size_t l = 1; l <= n_layers; l++) {
            double x = at_epoch0(&s->layers, "xavier", seeds[i], l, "preact_std");
            print_message("seed %s layer %zu xavier preact_std %.3g\n", seeds[i], l, x);
            assert_true(x > 1.0 / 3.0 && x < 3.0);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_0_7_spreads_the_first_layer_far_past_the_sigmoids_linear_part),
        cmocka_unit_test(test_uniform_0_7_saturates_the_first_sigmoid_layer_and_xavier_does_not),
        cmocka_unit_test(test_xavier_keeps_the_preactivation_spread_near_1_in_every_layer),
    };
    return cmocka_run_group_tests(tests, run_experiment, remove_results);
}
