/* test_claims_zeros.c - claims test of experiment 1 (ESL 11.5.1, exact zeros): runs
 * experiments/01-exact-zeros-{tanh,relu,sigmoid}.ini with fewer epochs and seeds and asserts, from the
 * logged CSVs only: (a) under zero init every weight into a hidden layer gets exactly zero gradient on the
 * first step; (b) with tanh or ReLU units nothing but the output bias ever moves and the training loss
 * sits at the entropy of the class proportions (the loss of a model that ignores the inputs); (c) with
 * sigmoid units the hidden weights move after the first step but every layer stays one distinct unit and
 * the net does no better than a net with one hidden unit; any random init has all units distinct at epoch 0.
 *
 * Each file's path can be replaced by an environment variable (CLAIMS_ZEROS_TANH_INI, CLAIMS_ZEROS_RELU_INI,
 * CLAIMS_ZEROS_SIGMOID_INI). Shown once that the test fails when the phenomenon is absent: with copies whose
 * list reads "zero=xavier, xavier" (tanh), "zero=he, he" (ReLU) and "zero=uniform, uniform" (sigmoid) --
 * the label zero on a random init -- six of the seven tests failed: first-step gradient into layer 1 of
 * 0.176 (tanh), weights 1.71 (tanh) and 11.3 (ReLU) at epoch 0, final train loss 0.086 against the labels'
 * entropy 0.693, 10 distinct sigmoid units at epoch 0, train loss 0.0406 below the one-unit net's best
 * 0.0554. The seventh (random inits are asymmetric at epoch 0) passed, as it should.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "claims_util.h"

/* The three runs, made once for the whole group. */
typedef struct {
    cu_result tanh_res, relu_res, sigmoid_res, one_unit_res;
} zeros_state;

static const char *const tanh_sets[] = {"training.epochs=100", "seeds.count=2", "logging.every_epochs=10",
                                        NULL};
static const char *const relu_sets[] = {"data.max_train=1000", "data.max_test=1000",     "training.epochs=20",
                                        "seeds.count=2",       "logging.every_epochs=5", NULL};
static const char *const sigmoid_sets[] = {"training.epochs=300", "seeds.count=3", "logging.every_epochs=1",
                                           NULL};
/* The same experiment with a single hidden unit from a random start: the ceiling of a symmetric layer. */
static const char *const one_unit_sets[] = {"training.epochs=300",         "seeds.count=3",
                                            "logging.every_epochs=1",      "network.hidden=1",
                                            "inits.list=one-unit=uniform", NULL};

static int setup(void **state) {
    zeros_state *s = calloc(1, sizeof *s);
    assert_non_null(s);
    cu_run(&s->tanh_res, cu_experiment_path("CLAIMS_ZEROS_TANH_INI", "experiments/01-exact-zeros-tanh.ini"),
           tanh_sets, "claims-zeros-tanh");
    cu_run(&s->relu_res, cu_experiment_path("CLAIMS_ZEROS_RELU_INI", "experiments/01-exact-zeros-relu.ini"),
           relu_sets, "claims-zeros-relu");
    const char *sigmoid_path =
        cu_experiment_path("CLAIMS_ZEROS_SIGMOID_INI", "experiments/01-exact-zeros-sigmoid.ini");
    cu_run(&s->sigmoid_res, sigmoid_path, sigmoid_sets, "claims-zeros-sigmoid");
    cu_run(&s->one_unit_res, sigmoid_path, one_unit_sets, "claims-zeros-one-unit");
    *state = s;
    return 0;
}

static int teardown(void **state) {
    zeros_state *s = *state;
    cu_result_free(&s->tanh_res);
    cu_result_free(&s->relu_res);
    cu_result_free(&s->sigmoid_res);
    cu_result_free(&s->one_unit_res);
    free(s);
    return 0;
}

/* Number of layers of the experiment's network: hidden layers + the output layer. */
static double n_layers(const cu_result *res) {
    return (double)res->exp.n_hidden + 1.0;
}

/* (a) At epoch 0 the probe's gradient of every weight into a hidden layer is exactly 0 under zero init. */
static void assert_zero_first_step_gradient_into_hidden_layers(const cu_result *res) {
    cu_csv layers;
    cu_csv_load(&layers, res->dir, "layers.csv");
    size_t checked = 0;
    for (size_t r = 0; r < layers.n_rows; r++) {
        if (!cu_is(&layers, r, "zero", 0) || cu_num(&layers, r, "epoch") != 0) continue;
        if (cu_num(&layers, r, "layer") >= n_layers(res)) continue; /* the output layer */
        double g = cu_num(&layers, r, "grad_norm");
        if (g != 0.0)
            fail_msg("%s: zero init, layer %g, epoch 0: gradient norm %g, expected exactly 0", res->dir,
                     cu_num(&layers, r, "layer"), g);
        checked++;
    }
    assert_int_equal(checked, res->exp.n_hidden * res->exp.n_seeds);
    cu_csv_free(&layers);
}

static void
test_zero_init_gives_exactly_zero_gradient_into_every_hidden_layer_on_the_first_step(void **state) {
    zeros_state *s = *state;
    assert_zero_first_step_gradient_into_hidden_layers(&s->tanh_res);
    assert_zero_first_step_gradient_into_hidden_layers(&s->relu_res);
    assert_zero_first_step_gradient_into_hidden_layers(&s->sigmoid_res);
    /* And the first step really left them at 0: the sigmoid run logs epoch 1, after exactly one step. */
    cu_csv layers;
    cu_csv_load(&layers, s->sigmoid_res.dir, "layers.csv");
    for (size_t r = 0; r < layers.n_rows; r++) {
        if (!cu_is(&layers, r, "zero", 0) || cu_num(&layers, r, "epoch") != 1) continue;
        if (cu_num(&layers, r, "layer") < n_layers(&s->sigmoid_res)) {
            assert_true(cu_num(&layers, r, "step") == 1);
            assert_true(cu_num(&layers, r, "weight_norm") == 0.0);
        }
    }
    cu_csv_free(&layers);
}

/* (b) Nothing but the output bias moves: at every log point every layer's weights and weight gradient are
 * exactly 0, and each hidden layer's pre-activations (= its biases, the weights being 0) are exactly 0. */
static void assert_only_the_output_bias_moves(const cu_result *res) {
    cu_csv layers;
    cu_csv_load(&layers, res->dir, "layers.csv");
    size_t checked = 0;
    for (size_t r = 0; r < layers.n_rows; r++) {
        if (!cu_is(&layers, r, "zero", 0)) continue;
        double layer = cu_num(&layers, r, "layer"), epoch = cu_num(&layers, r, "epoch");
        if (cu_num(&layers, r, "weight_norm") != 0.0 || cu_num(&layers, r, "grad_norm") != 0.0)
            fail_msg("%s: zero init, epoch %g, layer %g: weights %g, gradient %g; expected both exactly 0",
                     res->dir, epoch, layer, cu_num(&layers, r, "weight_norm"),
                     cu_num(&layers, r, "grad_norm"));
        if (layer < n_layers(res)) {
            if (cu_num(&layers, r, "preact_mean") != 0.0 || cu_num(&layers, r, "preact_std") != 0.0)
                fail_msg("%s: zero init, epoch %g, hidden layer %g: a bias moved", res->dir, epoch, layer);
        }
        checked++;
    }
    /* every log point of every seed was seen: epoch 0 plus epochs / every_epochs, for each layer */
    size_t points = 1 + res->exp.epochs / res->exp.log_every_epochs;
    assert_int_equal(checked, points * (size_t)n_layers(res) * res->exp.n_seeds);
    cu_csv_free(&layers);
}

static void test_zero_init_with_tanh_units_moves_nothing_but_the_output_bias(void **state) {
    zeros_state *s = *state;
    assert_only_the_output_bias_moves(&s->tanh_res);
}

static void test_zero_init_with_relu_units_moves_nothing_but_the_output_bias(void **state) {
    zeros_state *s = *state;
    assert_only_the_output_bias_moves(&s->relu_res);
    /* The output biases did move (the first 1000 images are not exactly balanced): the parameter norm,
     * biases included, grows from 0 while the weight norm stays 0; every ReLU unit is dead throughout. */
    cu_csv curves;
    cu_csv_load(&curves, s->relu_res.dir, "curves.csv");
    for (size_t k = 0; k < s->relu_res.exp.n_seeds; k++) {
        double seed = (double)s->relu_res.exp.seeds[k];
        size_t last = cu_last_row(&curves, "zero", seed);
        assert_true(cu_num(&curves, cu_row_at(&curves, "zero", seed, 0, 0), "param_norm") == 0.0);
        assert_true(cu_num(&curves, last, "param_norm") > 0.0);
        assert_true(cu_num(&curves, last, "weight_norm") == 0.0);
    }
    for (size_t r = 0; r < curves.n_rows; r++)
        if (cu_is(&curves, r, "zero", 0)) assert_true(cu_num(&curves, r, "dead") == 1.0);
    cu_csv_free(&curves);
}

/* (b) The training loss of zero init sits at H, the entropy of the training labels: a model that ignores
 * the inputs can do no better than H (ln 2 or ln 10 when balanced) and the output bias reaches it. Every
 * other init (the contrast) ends below it. */
static void assert_loss_plateaus_at_the_entropy(const cu_result *res) {
    double h = cu_label_entropy(&res->data);
    cu_csv curves;
    cu_csv_load(&curves, res->dir, "curves.csv");
    for (size_t k = 0; k < res->exp.n_seeds; k++) {
        double seed = (double)res->exp.seeds[k];
        double loss = cu_num(&curves, cu_last_row(&curves, "zero", seed), "train_loss");
        if (!(loss >= h * (1.0 - 1e-6) && loss <= h * 1.01))
            fail_msg("%s: zero init, seed %g: final train loss %.9g, expected the entropy of the labels %.9g "
                     "(within 1%%)",
                     res->dir, seed, loss, h);
        for (size_t i = 0; i < res->exp.n_inits; i++) {
            if (strcmp(res->exp.inits[i].label, "zero") == 0) continue;
            double other = cu_num(&curves, cu_last_row(&curves, res->exp.inits[i].label, seed), "train_loss");
            assert_true(other < loss);
        }
    }
    cu_csv_free(&curves);
}

static void test_zero_init_loss_plateaus_at_the_loss_of_ignoring_the_inputs(void **state) {
    zeros_state *s = *state;
    assert_loss_plateaus_at_the_entropy(&s->tanh_res);
    assert_loss_plateaus_at_the_entropy(&s->relu_res);
}

/* (c) Sigmoid units: after the first step the weights into the hidden layer move (nonzero gradient from
 * epoch 1 on, nonzero weights at the end), but at every log point every hidden layer has 1 distinct unit. */
static void test_zero_init_with_sigmoid_units_moves_but_every_layer_stays_one_unit(void **state) {
    zeros_state *s = *state;
    const cu_result *res = &s->sigmoid_res;
    cu_csv layers;
    cu_csv_load(&layers, res->dir, "layers.csv");
    for (size_t k = 0; k < res->exp.n_seeds; k++) {
        double seed = (double)res->exp.seeds[k];
        assert_true(cu_num(&layers, cu_row_at(&layers, "zero", seed, 1, 1), "grad_norm") > 0.0);
        size_t last = cu_row_at(&layers, "zero", seed, (double)res->exp.epochs, 1);
        assert_true(cu_num(&layers, last, "weight_norm") > 0.0);
    }
    size_t checked = 0;
    for (size_t r = 0; r < layers.n_rows; r++) {
        if (!cu_is(&layers, r, "zero", 0) || cu_num(&layers, r, "layer") >= n_layers(res)) continue;
        if (cu_num(&layers, r, "distinct_units") != 1.0)
            fail_msg("%s: zero init, epoch %g, layer %g: %g distinct units, expected 1", res->dir,
                     cu_num(&layers, r, "epoch"), cu_num(&layers, r, "layer"),
                     cu_num(&layers, r, "distinct_units"));
        checked++;
    }
    assert_int_equal(checked, (1 + res->exp.epochs) * res->exp.n_hidden * res->exp.n_seeds);
    cu_csv_free(&layers);
}

/* (c) What a symmetric layer can learn is what one unit can: the zero-init net's final training loss is no
 * lower than the best one reached by the same experiment with a single hidden unit, while the random
 * start of the contrast, with all its units, goes below it. */
static void test_zero_init_with_sigmoid_units_learns_no_more_than_one_hidden_unit(void **state) {
    zeros_state *s = *state;
    cu_csv runs, one;
    cu_csv_load(&runs, s->sigmoid_res.dir, "runs.csv");
    cu_csv_load(&one, s->one_unit_res.dir, "runs.csv");
    double best_one = INFINITY;
    for (size_t r = 0; r < one.n_rows; r++)
        best_one = fmin(best_one, cu_num(&one, r, "train_loss"));
    assert_true(isfinite(best_one));
    for (size_t r = 0; r < runs.n_rows; r++) {
        double loss = cu_num(&runs, r, "train_loss");
        if (cu_is(&runs, r, "zero", 0)) {
            if (!(loss >= best_one))
                fail_msg("zero init, seed %s: train loss %.6g below the best one-unit net's %.6g",
                         cu_str(&runs, r, "seed"), loss, best_one);
        } else {
            assert_true(loss < best_one);
        }
    }
    cu_csv_free(&runs);
    cu_csv_free(&one);
}

/* The contrast: any random init starts with every hidden unit distinct, in all three experiments. */
static void assert_random_inits_are_asymmetric_at_epoch_0(const cu_result *res) {
    cu_csv runs;
    cu_csv_load(&runs, res->dir, "runs.csv");
    size_t checked = 0;
    for (size_t r = 0; r < runs.n_rows; r++) {
        if (cu_is(&runs, r, "zero", 0)) continue;
        assert_true(cu_num(&runs, r, "distinct_units_start") == cu_num(&runs, r, "hidden_units"));
        checked++;
    }
    assert_true(checked > 0);
    cu_csv_free(&runs);
}

static void test_any_random_init_breaks_the_symmetry_at_epoch_0(void **state) {
    zeros_state *s = *state;
    assert_random_inits_are_asymmetric_at_epoch_0(&s->tanh_res);
    assert_random_inits_are_asymmetric_at_epoch_0(&s->relu_res);
    assert_random_inits_are_asymmetric_at_epoch_0(&s->sigmoid_res);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_zero_init_gives_exactly_zero_gradient_into_every_hidden_layer_on_the_first_step),
        cmocka_unit_test(test_zero_init_with_tanh_units_moves_nothing_but_the_output_bias),
        cmocka_unit_test(test_zero_init_with_relu_units_moves_nothing_but_the_output_bias),
        cmocka_unit_test(test_zero_init_loss_plateaus_at_the_loss_of_ignoring_the_inputs),
        cmocka_unit_test(test_zero_init_with_sigmoid_units_moves_but_every_layer_stays_one_unit),
        cmocka_unit_test(test_zero_init_with_sigmoid_units_learns_no_more_than_one_hidden_unit),
        cmocka_unit_test(test_any_random_init_breaks_the_symmetry_at_epoch_0),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
