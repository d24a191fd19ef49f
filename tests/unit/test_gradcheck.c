/* test_gradcheck.c - backpropagation agrees with finite differences, for every activation and loss.
 *
 * The analytic gradient comes from il_net_backward (float32). The numerical one is a central difference
 * (L(p + h) - L(p - h)) / 2h of the same loss evaluated by an independent double-precision forward pass
 * written here (so float rounding does not drown the difference; h = 1e-5). That reference pass is first
 * checked to compute the same loss as il_net_forward + il_net_loss + il_net_penalty.
 * Relative error: |a - n| / max(|a| + |n|, 1e-3); the largest over all checks is printed.
 * ReLU kinks: a coordinate is skipped when perturbing it flips the sign of some ReLU pre-activation
 * (the loss is not differentiable there); the skipped share is counted and must stay small.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/net.h"
#include "testutil.h"

#define REL_TOL 1e-3
#define STEP    1e-5

/* ---- an independent double-precision forward pass ------------------------------------------------ */

typedef struct {
    const il_net_spec *spec;
    size_t B;
    const float *x, *y;
    double weight_decay;
    double *z, *a; /* scratch: (B, max width) per layer, L layers */
    size_t width;
    unsigned char *relu_sign; /* sign of every ReLU pre-activation of the last pass */
} reference;

static double act_d(il_act act, double z) {
    switch (act) {
    case IL_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case IL_ACT_TANH: return tanh(z);
    case IL_ACT_RELU: return z > 0 ? z : 0;
    default: return z;
    }
}

/* Loss + penalty of params p (same layout as il_net.params) on the reference's batch. Records the sign
 * of every ReLU pre-activation in ref->relu_sign (so a caller can detect a kink crossing). */
static double reference_loss(reference *ref, const double *p) {
    const il_net_spec *s = ref->spec;
    const size_t L = s->n_layers, B = ref->B, W = ref->width;
    size_t offset = 0, sign_at = 0;
    double penalty = 0.0;
    for (size_t l = 0; l < L; l++) {
        const size_t I = s->sizes[l], O = s->sizes[l + 1];
        const double *w = p + offset, *b = p + offset + I * O;
        offset += I * O + O;
        for (size_t i = 0; i < I * O; i++)
            penalty += w[i] * w[i];
        for (size_t r = 0; r < B; r++) {
            for (size_t j = 0; j < O; j++) {
                double sum = b[j];
                for (size_t i = 0; i < I; i++) {
                    double in = l == 0 ? (double)ref->x[r * I + i] : ref->a[((l - 1) * B + r) * W + i];
                    sum += in * w[i * O + j];
                }
                ref->z[(l * B + r) * W + j] = sum;
                if (l + 1 < L) {
                    ref->a[(l * B + r) * W + j] = act_d(s->hidden[l], sum);
                    if (s->hidden[l] == IL_ACT_RELU) ref->relu_sign[sign_at++] = sum > 0;
                }
            }
        }
    }
    const size_t O = s->sizes[L];
    double loss = 0.0;
    for (size_t r = 0; r < B; r++) {
        const double *z = ref->z + ((L - 1) * B + r) * W;
        const float *y = ref->y + r * O;
        if (s->output == IL_OUT_IDENTITY) {
            for (size_t j = 0; j < O; j++)
                loss += 0.5 * (z[j] - y[j]) * (z[j] - y[j]);
        } else if (s->output == IL_OUT_SIGMOID) {
            for (size_t j = 0; j < O; j++) {
                double q = 1.0 / (1.0 + exp(-z[j]));
                loss -= y[j] * log(q) + (1.0 - y[j]) * log(1.0 - q);
            }
        } else {
            double m = z[0], sum = 0.0;
            for (size_t j = 1; j < O; j++)
                m = z[j] > m ? z[j] : m;
            for (size_t j = 0; j < O; j++)
                sum += exp(z[j] - m);
            for (size_t j = 0; j < O; j++)
                loss -= y[j] * (z[j] - m - log(sum));
        }
    }
    return loss / (double)B + ref->weight_decay * penalty;
}

/* ---- one check -------------------------------------------------------------------------------------- */

typedef struct {
    double worst;   /* largest relative error seen */
    size_t checked; /* coordinates compared */
    size_t skipped; /* coordinates skipped at a ReLU kink */
} summary;

static void fill_targets(il_output out, float *y, size_t B, size_t O, il_rng *rng) {
    for (size_t r = 0; r < B; r++) {
        if (out == IL_OUT_SOFTMAX) {
            size_t k = (size_t)il_rng_below(rng, O);
            for (size_t j = 0; j < O; j++)
                y[r * O + j] = j == k ? 1.0f : 0.0f;
        } else {
            for (size_t j = 0; j < O; j++)
                y[r * O + j] = out == IL_OUT_SIGMOID ? (float)il_rng_uniform(rng)
                                                     : (float)il_rng_uniform_range(rng, -1.0, 1.0);
        }
    }
}

static void check_gradient(const size_t *sizes, size_t n_sizes, il_act act, il_output out, size_t B,
                           double weight_decay, uint64_t seed, summary *total) {
    il_net_spec spec = {0};
    spec.n_layers = n_sizes - 1;
    for (size_t i = 0; i < n_sizes; i++)
        spec.sizes[i] = sizes[i];
    for (size_t l = 0; l + 1 < spec.n_layers; l++)
        spec.hidden[l] = act;
    spec.output = out;
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_net_create(&net, &spec, B, &err), IL_OK);

    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_INIT);
    il_init_spec init[IL_MAX_LAYERS];
    for (size_t l = 0; l < spec.n_layers; l++)
        init[l] = (il_init_spec){IL_INIT_UNIFORM, 0.8, 0.0};
    il_net_init(net, init, &rng);
    for (size_t l = 0; l < spec.n_layers; l++)
        for (size_t j = 0; j < spec.sizes[l + 1]; j++)
            net->b[l][j] = (float)il_rng_uniform_range(&rng, -0.5, 0.5);

    const size_t D = sizes[0], O = sizes[n_sizes - 1];
    float *x = malloc(B * D * sizeof *x), *y = malloc(B * O * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < B * D; i++)
        x[i] = (float)il_rng_uniform_range(&rng, -1.0, 1.0);
    fill_targets(out, y, B, O, &rng);

    /* Analytic gradient. */
    il_net_forward(net, x, B);
    const double float_loss = il_net_loss(net, y, B) + il_net_penalty(net, weight_decay);
    il_net_backward(net, x, y, B, weight_decay);

    size_t width = 0, relu_units = 0;
    for (size_t i = 0; i < n_sizes; i++)
        width = sizes[i] > width ? sizes[i] : width;
    for (size_t l = 1; l + 1 < n_sizes; l++)
        relu_units += B * sizes[l];
    reference ref = {&spec,
                     B,
                     x,
                     y,
                     weight_decay,
                     calloc(spec.n_layers * B * width, sizeof(double)),
                     calloc(spec.n_layers * B * width, sizeof(double)),
                     width,
                     malloc(relu_units + 1)};
    unsigned char *base_sign = malloc(relu_units + 1);
    double *p = malloc(net->n_params * sizeof *p);
    assert_non_null(ref.z);
    assert_non_null(ref.a);
    assert_non_null(ref.relu_sign);
    assert_non_null(base_sign);
    assert_non_null(p);
    for (size_t i = 0; i < net->n_params; i++)
        p[i] = net->params[i];

    /* The reference computes the same function as the library (up to float rounding). */
    const double ref_loss = reference_loss(&ref, p);
    assert_true(fabs(ref_loss - float_loss) <= 1e-5 * (1.0 + fabs(ref_loss)));
    if (act == IL_ACT_RELU) memcpy(base_sign, ref.relu_sign, relu_units);

    for (size_t i = 0; i < net->n_params; i++) {
        const double saved = p[i];
        p[i] = saved + STEP;
        const double up = reference_loss(&ref, p);
        int kink = act == IL_ACT_RELU && memcmp(base_sign, ref.relu_sign, relu_units) != 0;
        p[i] = saved - STEP;
        const double down = reference_loss(&ref, p);
        kink = kink || (act == IL_ACT_RELU && memcmp(base_sign, ref.relu_sign, relu_units) != 0);
        p[i] = saved;
        if (kink) {
            total->skipped++;
            continue;
        }
        const double numeric = (up - down) / (2.0 * STEP), analytic = net->grads[i];
        const double denom = fabs(analytic) + fabs(numeric) > 1e-3 ? fabs(analytic) + fabs(numeric) : 1e-3;
        const double rel = fabs(analytic - numeric) / denom;
        if (rel > total->worst) total->worst = rel;
        total->checked++;
        if (rel > REL_TOL)
            print_message(
                "MISMATCH act=%s out=%s B=%zu L=%zu decay=%g param %zu: analytic %.8g numeric %.8g\n",
                il_act_name(act), il_output_name(out), B, spec.n_layers, weight_decay, i, analytic, numeric);
        assert_true(rel <= REL_TOL);
    }
    free(p);
    free(base_sign);
    free(ref.z);
    free(ref.a);
    free(ref.relu_sign);
    free(x);
    free(y);
    il_net_free(net);
}

/* Every hidden activation x every output/loss pair x shapes (1 and 2 hidden layers, and none) x batch
 * 1 and 5 x weight decay off and on. */
static void check_output(il_output out, size_t O) {
    const size_t one_hidden[] = {3, 4, O}, two_hidden[] = {3, 5, 4, O}, no_hidden[] = {4, O};
    const size_t batches[] = {1, 5};
    const double decays[] = {0.0, 0.05};
    summary total = {0, 0, 0};
    uint64_t seed = 100;
    for (int act = 0; act < IL_ACT_COUNT; act++) {
        for (size_t bi = 0; bi < 2; bi++) {
            for (size_t di = 0; di < 2; di++) {
                check_gradient(one_hidden, 3, (il_act)act, out, batches[bi], decays[di], seed++, &total);
                check_gradient(two_hidden, 4, (il_act)act, out, batches[bi], decays[di], seed++, &total);
            }
        }
    }
    for (size_t bi = 0; bi < 2; bi++)
        check_gradient(no_hidden, 2, IL_ACT_IDENTITY, out, batches[bi], 0.05, seed++, &total);
    print_message(
        "%s output (O=%zu): %zu coordinates, largest relative difference %.3g, %zu skipped at ReLU kinks\n",
        il_output_name(out), O, total.checked, total.worst, total.skipped);
    assert_true(total.skipped * 20 < total.checked);
}

static void test_backprop_matches_finite_differences_for_identity_output_and_squared_error(void **state) {
    (void)state;
    check_output(IL_OUT_IDENTITY, 2);
}

static void test_backprop_matches_finite_differences_for_sigmoid_output_and_cross_entropy(void **state) {
    (void)state;
    check_output(IL_OUT_SIGMOID, 1);
    check_output(IL_OUT_SIGMOID, 2);
}

static void test_backprop_matches_finite_differences_for_softmax_output_and_cross_entropy(void **state) {
    (void)state;
    check_output(IL_OUT_SOFTMAX, 3);
}

/* ---- the pieces: activations and losses on their own ------------------------------------------- */

static void test_activation_derivatives_from_the_value_match_finite_differences(void **state) {
    (void)state;
    for (int act = 0; act < IL_ACT_COUNT; act++) {
        double worst = 0.0;
        for (double z = -4.0; z <= 4.0; z += 0.37) {
            if (act == IL_ACT_RELU && fabs(z) < 1e-3) continue; /* the kink */
            float zf = (float)z, a, up, down;
            il_act_forward((il_act)act, &a, &zf, 1);
            const double h = 1e-3;
            float zu = (float)(z + h), zd = (float)(z - h);
            il_act_forward((il_act)act, &up, &zu, 1);
            il_act_forward((il_act)act, &down, &zd, 1);
            const double numeric = ((double)up - down) / ((double)zu - zd);
            const double analytic = il_act_derivative((il_act)act, a);
            worst = fmax(worst, fabs(numeric - analytic));
            assert_true(analytic <= il_act_derivative_max((il_act)act) + 1e-7);
            /* il_act_backward is da * f'. */
            float da = 0.75f, dz;
            il_act_backward((il_act)act, &dz, &da, &a, 1);
            assert_float_equal(dz, 0.75f * analytic, 1e-7);
        }
        print_message("%s: largest |f' - finite difference| %.2g\n", il_act_name((il_act)act), worst);
        assert_true(worst < 1e-3);
    }
    /* The slopes at 0, where near-zero weights put every unit (ESL 11.5.1): 1/4, 1, and ReLU's 0 at 0. */
    float zero = 0.0f, a;
    il_act_forward(IL_ACT_SIGMOID, &a, &zero, 1);
    assert_true(a == 0.5f && il_act_derivative(IL_ACT_SIGMOID, a) == 0.25f);
    il_act_forward(IL_ACT_TANH, &a, &zero, 1);
    assert_true(a == 0.0f && il_act_derivative(IL_ACT_TANH, a) == 1.0f);
    il_act_forward(IL_ACT_RELU, &a, &zero, 1);
    assert_true(a == 0.0f && il_act_derivative(IL_ACT_RELU, a) == 0.0f);
    assert_true(il_act_derivative_max(IL_ACT_SIGMOID) == 0.25f);
}

static void test_losses_have_their_textbook_values(void **state) {
    (void)state;
    /* Squared error: 1/(2B) sum (p - y)^2, the identity output's logits being its predictions. */
    const float p[] = {1.0f, 2.0f, 3.0f, 5.0f}, y[] = {0.0f, 2.0f, 1.0f, 5.0f};
    assert_float_equal(il_output_loss(IL_OUT_IDENTITY, p, y, 2, 2), (1.0 + 4.0) / 4.0, 1e-12);
    /* Losses take logits: BCE at z = 0 (p = 1/2) is ln 2 per output; softmax CE of equal logits (a
     * uniform 4-way guess) is ln 4. */
    const float zero[] = {0.0f, 0.0f}, t[] = {1.0f, 0.0f};
    assert_float_equal(il_output_loss(IL_OUT_SIGMOID, zero, t, 2, 1), log(2.0), 1e-12);
    const float equal[] = {3.0f, 3.0f, 3.0f, 3.0f}, onehot[] = {0, 0, 1, 0};
    assert_float_equal(il_output_loss(IL_OUT_SOFTMAX, equal, onehot, 1, 4), log(4.0), 1e-12);
    /* Softmax rows sum to 1 and do not overflow. */
    const float z[] = {1000.0f, 1001.0f, -50.0f, 0.0f, 0.0f, 0.0f};
    float q[6];
    il_output_forward(IL_OUT_SOFTMAX, q, z, 2, 3);
    assert_float_equal(q[0] + q[1] + q[2], 1.0, 1e-6);
    assert_float_equal(q[1] / q[0], exp(1.0), 1e-4);
    assert_float_equal(q[3], 1.0 / 3.0, 1e-7);
    /* Certain and wrong, by logits of 100: exact, not clamped. Row 1 (y = 1, z = -100) costs
     * softplus(-100) + 100 and row 2 (y = 0, z = 100) softplus(100): 100 + ln(1 + e^-100) each. */
    const float certain[] = {-100.0f, 100.0f};
    const double worst = il_output_loss(IL_OUT_SIGMOID, certain, t, 2, 1);
    assert_float_equal(worst, 100.0 + log1p(exp(-100.0)), 1e-12);
    /* The fused gradient is (p - y) / B for every pair. */
    float dz[4];
    for (int out = 0; out < IL_OUT_COUNT; out++) {
        il_output_backward((il_output)out, dz, p, y, 2, 2);
        for (int i = 0; i < 4; i++)
            assert_float_equal(dz[i], (p[i] - y[i]) / 2.0f, 1e-7);
    }
}

static void test_activation_and_output_names_parse(void **state) {
    (void)state;
    for (int act = 0; act < IL_ACT_COUNT; act++) {
        assert_int_equal(il_act_parse(il_act_name((il_act)act)), act);
        assert_true(strlen(il_act_describe((il_act)act)) > 5);
    }
    for (int out = 0; out < IL_OUT_COUNT; out++) {
        assert_int_equal(il_output_parse(il_output_name((il_output)out)), out);
        assert_true(strlen(il_output_describe((il_output)out)) > 5);
    }
    assert_int_equal(il_act_parse("linear"), IL_ACT_IDENTITY);
    assert_int_equal(il_output_parse("mse"), IL_OUT_IDENTITY);
    assert_int_equal(il_output_parse("bce"), IL_OUT_SIGMOID);
    assert_int_equal(il_output_parse("ce"), IL_OUT_SOFTMAX);
    assert_int_equal(il_act_parse("Sigmoid"), -1);
    assert_int_equal(il_act_parse("softmax"), -1);
    assert_int_equal(il_act_parse(NULL), -1);
    assert_int_equal(il_output_parse("relu"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backprop_matches_finite_differences_for_identity_output_and_squared_error),
        cmocka_unit_test(test_backprop_matches_finite_differences_for_sigmoid_output_and_cross_entropy),
        cmocka_unit_test(test_backprop_matches_finite_differences_for_softmax_output_and_cross_entropy),
        cmocka_unit_test(test_activation_derivatives_from_the_value_match_finite_differences),
        cmocka_unit_test(test_losses_have_their_textbook_values),
        cmocka_unit_test(test_activation_and_output_names_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
