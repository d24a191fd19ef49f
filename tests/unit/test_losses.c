/* test_losses.c - the losses are exact cross-entropies of the logits, however large, with the gradient
 * still p - y; divergence means an overflowed logit, not a large loss; accuracy has one tie rule; a NaN
 * weight evaluates to NaN.
 *
 * References: the textbook definitions evaluated naively in long double (whose exponent range holds
 * e^+-3000), and PyTorch's values for the same logits, printed by scripts/torch_loss.py (float64).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/train.h"
#include "testutil.h"

/* ---- the loss of given logits -------------------------------------------------------------------- */

/* -[y ln sigma(z) + (1 - y) ln(1 - sigma(z))] with 1 - sigma(z) = sigma(-z), a term skipped when its
 * coefficient is 0 (so that 0 * ln 0 does not make a NaN of a certain, right answer). */
static long double naive_bce(float z, float y) {
    long double loss = 0.0L;
    if (y != 0.0f) loss -= (long double)y * logl(1.0L / (1.0L + expl(-(long double)z)));
    if (y != 1.0f) loss -= (1.0L - (long double)y) * logl(1.0L / (1.0L + expl((long double)z)));
    return loss;
}

/* -sum_j y_j ln(e^z_j / sum_k e^z_k), directly. */
static long double naive_ce(const float *z, const float *y, size_t O) {
    long double total = 0.0L, loss = 0.0L;
    for (size_t k = 0; k < O; k++)
        total += expl((long double)z[k]);
    for (size_t j = 0; j < O; j++)
        if (y[j] != 0.0f) loss -= (long double)y[j] * logl(expl((long double)z[j]) / total);
    return loss;
}

static void assert_relative(double got, double want, double tolerance) {
    if (!(fabs(got - want) <= tolerance * fabs(want)))
        fail_msg("got %.17g, expected %.17g (relative tolerance %g)", got, want, tolerance);
}

static void test_binary_cross_entropy_is_exact_from_the_logits_however_large(void **state) {
    (void)state;
    /* (B, O) = (4, 2): logits from -800 to 900, targets 0, 1 and a soft 1/4. Every value is exact in a
     * float. PyTorch (binary_cross_entropy_with_logits, sum / B, float64): 220.31342823358744. */
    const float z[] = {-800.0f, 0.5f, -0.125f, 37.0f, 900.0f, 2.5f, 0.0f, -40.0f};
    const float y[] = {1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.25f, 1.0f, 1.0f};
    long double want = 0.0L;
    for (size_t i = 0; i < 8; i++)
        want += naive_bce(z[i], y[i]);
    want /= 4.0L;
    const double got = il_output_loss(IL_OUT_SIGMOID, z, y, 4, 2);
    print_message("BCE of logits -800..900: %.17g (long double %.17Lg, PyTorch 220.31342823358744)\n", got,
                  want);
    assert_relative(got, (double)want, 1e-14);
    assert_relative(got, 220.31342823358744, 1e-14);
    /* One confidently wrong example costs its logit, not a floor of -ln 1e-12 = 27.6. */
    const float wrong = 900.0f, no = 0.0f, right = -800.0f, yes = 1.0f;
    assert_true(il_output_loss(IL_OUT_SIGMOID, &wrong, &no, 1, 1) == 900.0);
    assert_true(il_output_loss(IL_OUT_SIGMOID, &right, &yes, 1, 1) == 800.0);
    /* And one confidently right costs ln(1 + e^-|z|), tiny but not a rounded 0 for |z| = 20. */
    const float sure = 20.0f;
    assert_relative(il_output_loss(IL_OUT_SIGMOID, &sure, &yes, 1, 1), log1p(exp(-20.0)), 1e-14);
}

static void test_softmax_cross_entropy_is_exact_from_the_logits_however_large(void **state) {
    (void)state;
    /* (B, O) = (4, 3); row 3 is wrong by 6000 (PyTorch cross_entropy, float64: 1763.457998989822). */
    const float z[] = {1000.0f, 1001.0f, -50.0f, 0, 0, 0, 3000.0f, -3000.0f, 5.0f, 0.5f, -1.25f, 2.0f};
    const float y[] = {0, 0, 1, 0, 1, 0, 0, 1, 0, 0.25f, 0.25f, 0.5f};
    long double want = 0.0L;
    for (size_t r = 0; r < 4; r++)
        want += naive_ce(z + 3 * r, y + 3 * r, 3);
    want /= 4.0L;
    const double got = il_output_loss(IL_OUT_SOFTMAX, z, y, 4, 3);
    print_message("CE of logits -3000..3000: %.17g (long double %.17Lg, PyTorch 1763.457998989822)\n", got,
                  want);
    assert_relative(got, (double)want, 1e-14);
    assert_relative(got, 1763.457998989822, 1e-14);
    /* Equal logits are a uniform guess: ln 3 per row, whatever their size. */
    const float equal[] = {-2000.0f, -2000.0f, -2000.0f};
    assert_relative(il_output_loss(IL_OUT_SOFTMAX, equal, y + 3, 1, 3), log(3.0), 1e-15);
}

static void test_the_gradient_is_still_p_minus_y_and_is_the_slope_of_the_exact_loss(void **state) {
    (void)state;
    /* At z = -30 with y = 1 a floored loss would be flat; the exact one falls with slope p - y ~ -1. */
    const float y = 1.0f;
    const float z[] = {-30.0f, -1.5f, 0.0f, 4.0f};
    for (size_t i = 0; i < 4; i++) {
        float p, dz;
        il_output_forward(IL_OUT_SIGMOID, &p, &z[i], 1, 1);
        il_output_backward(IL_OUT_SIGMOID, &dz, &p, &y, 1, 1);
        assert_true(dz == p - y);
        const float h = 1.0f / 64.0f, up = z[i] + h, down = z[i] - h;
        const double slope = (il_output_loss(IL_OUT_SIGMOID, &up, &y, 1, 1) -
                              il_output_loss(IL_OUT_SIGMOID, &down, &y, 1, 1)) /
                             (2.0 * h);
        assert_float_equal(slope, dz, 1e-4);
    }
}

/* ---- through a network ----------------------------------------------------------------------------- */

/* A (1 -> O) layer with weight w per output and zero biases. */
static il_net *one_layer(il_output out, size_t O, float w, size_t max_batch) {
    il_net_spec spec = {0};
    il_error err;
    spec.n_layers = 1;
    spec.sizes[0] = 1;
    spec.sizes[1] = O;
    spec.output = out;
    il_net *net = NULL;
    assert_int_equal(il_net_create(&net, &spec, max_batch, &err), IL_OK);
    for (size_t j = 0; j < O; j++)
        net->w[0][j] = w;
    return net;
}

static void test_a_large_finite_loss_trains_and_an_overflowed_logit_is_divergence(void **state) {
    (void)state;
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, 1, 1, 1, &err), IL_OK);
    const size_t order[] = {0};
    const il_sgd_options opt = {.learning_rate = 1e-3, .momentum = 0, .weight_decay = 0};
    /* z = 1000 * -5 = -5000 against y = 1: a loss of 5000, finite, so the step is taken. */
    il_net *net = one_layer(IL_OUT_SIGMOID, 1, 1000.0f, 1);
    const float x = -5.0f, y = 1.0f;
    double loss = 0.0;
    assert_int_equal(il_train_step(net, &batch, &x, &y, order, 1, &opt, &loss, &err), IL_OK);
    assert_true(loss == 5000.0);
    assert_true(net->w[0][0] < 1000.0f); /* p - y = -1: the weight moved against x */
    /* z = 1e38 * 10 overflows a float to +inf: the loss is infinite and the step reports divergence. */
    net->w[0][0] = 1e38f;
    const float big = 10.0f, no = 0.0f;
    assert_int_equal(il_train_step(net, &batch, &big, &no, order, 1, &opt, &loss, &err), IL_ERR_NUMERIC);
    assert_true(isinf(loss) || isnan(loss));
    assert_non_null(strstr(err.msg, "diverged"));
    il_net_free(net);
    il_batch_free(&batch);
}

static void test_a_nan_weight_evaluates_to_a_nan_loss_and_accuracy(void **state) {
    (void)state;
    const float x[] = {1.0f, -1.0f};
    const float y1[] = {1.0f, 0.0f}, y2[] = {1.0f, 0.0f, 0.0f, 1.0f};
    const il_output outs[] = {IL_OUT_SIGMOID, IL_OUT_SOFTMAX, IL_OUT_IDENTITY};
    for (size_t k = 0; k < 3; k++) {
        const size_t O = outs[k] == IL_OUT_SOFTMAX ? 2 : 1;
        il_net *net = one_layer(outs[k], O, 100.0f, 2);
        net->w[0][0] = NAN;
        il_eval ev = il_net_evaluate(net, x, O == 1 ? y1 : y2, 2);
        print_message("%s output, NaN weight: loss %g, accuracy %g\n", il_output_name(outs[k]), ev.loss,
                      ev.accuracy);
        assert_true(isnan(ev.loss));
        assert_true(isnan(ev.accuracy));
        il_net_free(net);
    }
}

static void test_a_constant_one_half_scores_fifty_percent_on_balanced_binary_data(void **state) {
    (void)state;
    /* Zero weights: every logit 0, every probability exactly 1/2. Four examples, two of each class. */
    const float x[] = {1.0f, -2.0f, 3.0f, -4.0f};
    const float binary[] = {0, 1, 1, 0}, one_hot[] = {1, 0, 0, 1, 0, 1, 1, 0};
    il_net *single = one_layer(IL_OUT_SIGMOID, 1, 0.0f, 4);
    il_eval ev = il_net_evaluate(single, x, binary, 4);
    assert_float_equal(ev.accuracy, 0.5, 0);
    assert_float_equal(ev.loss, log(2.0), 1e-15);
    /* Two outputs tie: the first wins, so class 0 is predicted and the class-0 half is right, for two
     * sigmoid outputs (each exactly 1/2, which used to be "yes" to both and so wrong on every row) as
     * for a softmax. */
    const il_output outs[] = {IL_OUT_SIGMOID, IL_OUT_SOFTMAX};
    for (size_t k = 0; k < 2; k++) {
        il_net *pair = one_layer(outs[k], 2, 0.0f, 4);
        ev = il_net_evaluate(pair, x, one_hot, 4);
        assert_float_equal(ev.accuracy, 0.5, 0);
        il_net_free(pair);
    }
    /* The threshold is p >= 1/2 on one output; a row is right when predicted and true class agree. */
    single->w[0][0] = 1.0f; /* p = sigma(x) */
    const float edge[] = {0.0f, -1.0f, 2.0f}, labels[] = {1, 0, 0};
    ev = il_net_evaluate(single, edge, labels, 3);
    assert_float_equal(ev.accuracy, 2.0 / 3.0, 1e-15);
    il_net_free(single);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_cross_entropy_is_exact_from_the_logits_however_large),
        cmocka_unit_test(test_softmax_cross_entropy_is_exact_from_the_logits_however_large),
        cmocka_unit_test(test_the_gradient_is_still_p_minus_y_and_is_the_slope_of_the_exact_loss),
        cmocka_unit_test(test_a_large_finite_loss_trains_and_an_overflowed_logit_is_divergence),
        cmocka_unit_test(test_a_nan_weight_evaluates_to_a_nan_loss_and_accuracy),
        cmocka_unit_test(test_a_constant_one_half_scores_fifty_percent_on_balanced_binary_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
