/* activation.c - hidden nonlinearities f and the fused output/loss pairs.
 *
 * Dimension letters: B = batch rows, O = outputs. Hidden activations are elementwise; their derivatives
 * are computed from the activation value a = f(z) (sigma' = a(1-a), tanh' = 1-a^2, relu' = [a>0]), so
 * backward needs only what forward kept. Output pairs are chosen so that dLoss/dz = (p - y) / B; their
 * losses are computed from the logits z (log-sum-exp, softplus), never from the rounded p.
 */
#include "initlab/activation.h"

#include <math.h>
#include <string.h>

/* ---- names ---------------------------------------------------------------------------------------- */

static const char *const act_names[IL_ACT_COUNT] = {"identity", "sigmoid", "tanh", "relu"};
static const char *const act_descriptions[IL_ACT_COUNT] = {
    "f(z) = z: no nonlinearity (the network is a linear model)",
    "f(z) = 1 / (1 + e^-z), values in (0, 1), f(0) = 1/2, slope at most 1/4",
    "f(z) = tanh(z), values in (-1, 1), f(0) = 0, slope at most 1",
    "f(z) = max(0, z), slope 1 for z > 0 and 0 below (a unit can die)",
};

static const char *const output_names[IL_OUT_COUNT] = {"identity", "sigmoid", "softmax"};
static const char *const output_descriptions[IL_OUT_COUNT] = {
    "identity output with squared error 1/(2B) sum (yhat - y)^2 (regression)",
    "sigmoid output with binary cross-entropy (one or more yes/no targets)",
    "softmax output with cross-entropy (one-hot class targets)",
};

const char *il_act_name(il_act act) {
    return (unsigned)act < IL_ACT_COUNT ? act_names[act] : "unknown";
}

const char *il_act_describe(il_act act) {
    return (unsigned)act < IL_ACT_COUNT ? act_descriptions[act] : "unknown activation";
}

int il_act_parse(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < IL_ACT_COUNT; i++)
        if (strcmp(name, act_names[i]) == 0) return i;
    if (strcmp(name, "linear") == 0) return IL_ACT_IDENTITY;
    return -1;
}

const char *il_output_name(il_output out) {
    return (unsigned)out < IL_OUT_COUNT ? output_names[out] : "unknown";
}

const char *il_output_describe(il_output out) {
    return (unsigned)out < IL_OUT_COUNT ? output_descriptions[out] : "unknown output";
}

int il_output_parse(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < IL_OUT_COUNT; i++)
        if (strcmp(name, output_names[i]) == 0) return i;
    if (strcmp(name, "linear") == 0 || strcmp(name, "mse") == 0) return IL_OUT_IDENTITY;
    if (strcmp(name, "bce") == 0) return IL_OUT_SIGMOID;
    if (strcmp(name, "ce") == 0) return IL_OUT_SOFTMAX;
    return -1;
}

/* ---- hidden activations ------------------------------------------------------------------------- */

/* The logistic function without overflow: with e = e^-|z| <= 1, sigma(z) = 1 / (1 + e) for z >= 0 and
 * e / (1 + e) for z < 0. Written without a branch on the sign: random signs would mispredict, and the
 * sigmoid of every hidden unit at every log point is the hot loop of a small-network experiment. */
static float sigmoidf(float z) {
    float e = expf(-fabsf(z));
    float s = 1.0f / (1.0f + e);
    return z >= 0.0f ? s : e * s;
}

void il_act_forward(il_act act, float *a, const float *z, size_t n) {
    switch (act) {
    case IL_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            a[i] = sigmoidf(z[i]);
        break;
    case IL_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            a[i] = tanhf(z[i]);
        break;
    case IL_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            a[i] = z[i] > 0.0f ? z[i] : 0.0f;
        break;
    case IL_ACT_IDENTITY:
    default:
        if (a != z) memmove(a, z, n * sizeof *a);
        break;
    }
}

float il_act_derivative(il_act act, float a) {
    switch (act) {
    case IL_ACT_SIGMOID: return a * (1.0f - a);      /* sigma'(z) = sigma(z) (1 - sigma(z)) */
    case IL_ACT_TANH: return 1.0f - a * a;           /* tanh'(z) = 1 - tanh(z)^2 */
    case IL_ACT_RELU: return a > 0.0f ? 1.0f : 0.0f; /* a > 0 exactly when z > 0; 0 at the kink */
    case IL_ACT_IDENTITY:
    default: return 1.0f;
    }
}

float il_act_derivative_max(il_act act) {
    return act == IL_ACT_SIGMOID ? 0.25f : 1.0f;
}

void il_act_backward(il_act act, float *dz, const float *da, const float *a, size_t n) {
    /* Chain rule through an elementwise f: dL/dz_i = dL/da_i * f'(z_i). Elementwise, so dz may be da. */
    switch (act) {
    case IL_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            dz[i] = da[i] * (a[i] * (1.0f - a[i]));
        break;
    case IL_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            dz[i] = da[i] * (1.0f - a[i] * a[i]);
        break;
    case IL_ACT_RELU:
        for (size_t i = 0; i < n; i++) {
            const float g = da[i]; /* loaded unconditionally, so the select vectorizes */
            dz[i] = a[i] > 0.0f ? g : 0.0f;
        }
        break;
    case IL_ACT_IDENTITY:
    default:
        if (dz != da) memmove(dz, da, n * sizeof *dz);
        break;
    }
}

/* ---- output layer and loss ------------------------------------------------------------------------ */

void il_output_forward(il_output out, float *p, const float *z, size_t B, size_t O) {
    switch (out) {
    case IL_OUT_SIGMOID:
        for (size_t i = 0; i < B * O; i++)
            p[i] = sigmoidf(z[i]);
        break;
    case IL_OUT_SOFTMAX:
        /* p_j = e^(z_j - m) / sum_k e^(z_k - m) with m = max_k z_k: the same value as e^z_j / sum e^z_k
         * (log-sum-exp shift), but no exponent exceeds 0, so nothing overflows. */
        for (size_t r = 0; r < B; r++) {
            const float *zr = z + r * O;
            float *pr = p + r * O;
            float m = zr[0];
            for (size_t j = 1; j < O; j++)
                m = zr[j] > m ? zr[j] : m;
            double sum = 0.0;
            for (size_t j = 0; j < O; j++) {
                pr[j] = expf(zr[j] - m);
                sum += pr[j];
            }
            for (size_t j = 0; j < O; j++)
                pr[j] = (float)(pr[j] / sum);
        }
        break;
    case IL_OUT_IDENTITY:
    default:
        if (p != z) memmove(p, z, B * O * sizeof *p);
        break;
    }
}

/* The mean of a batch's summed loss; a NaN always as the positive NaN, which prints "nan", not "-nan". */
static double batch_mean(double sum, double rows) {
    return isnan(sum) ? NAN : sum / rows;
}

/* Each loss is computed from the logits z, in double, never from the rounded probabilities: a float
 * sigmoid or softmax rounds a probability of 1e-300 to 0 (and 1 - 1e-9 to 1), so a loss taken as
 * -ln p would be infinite, or clamped to a made-up ceiling, exactly when the weights are large. The
 * forms below are the ones PyTorch's cross_entropy and BCEWithLogitsLoss use; they are finite for every
 * finite z and NaN or infinite only when a logit is (an overflowed forward pass: divergence). */
double il_output_loss(il_output out, const float *z, const float *y, size_t B, size_t O) {
    if (B == 0) return 0.0;
    double sum = 0.0;
    switch (out) {
    case IL_OUT_SIGMOID:
        /* Binary cross-entropy -[y ln sigma(z) + (1 - y) ln(1 - sigma(z))], summed over outputs. With
         * ln sigma(z) = -softplus(-z) and ln(1 - sigma(z)) = -softplus(z) it is softplus(z) - y z, and
         * softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|) never overflows. (z > 0 ? z : 0, not
         * fmax, so that a NaN logit gives a NaN loss.) */
        for (size_t i = 0; i < B * O; i++) {
            const double zi = z[i];
            sum += (zi > 0.0 ? zi : 0.0) - (double)y[i] * zi + log1p(exp(-fabs(zi)));
        }
        return batch_mean(sum, (double)B);
    case IL_OUT_SOFTMAX:
        /* Cross-entropy -sum_j y_j ln p_j with ln p_j = z_j - lse(z), lse(z) = m + ln sum_k e^(z_k - m)
         * for m = max_k z: the row's loss is sum_j y_j (lse - z_j) (targets one-hot or a probability
         * row). A NaN anywhere in the row makes m or the sum NaN. */
        for (size_t r = 0; r < B; r++) {
            const float *zr = z + r * O, *yr = y + r * O;
            double m = zr[0];
            for (size_t j = 1; j < O; j++)
                m = zr[j] > m ? zr[j] : m;
            double total = 0.0;
            for (size_t j = 0; j < O; j++)
                total += exp((double)zr[j] - m);
            /* lse - z_j as (m - z_j) + ln total: the difference of two floats is exact in double, so
             * no large m cancels against a large z_j. */
            const double log_total = log(total);
            for (size_t j = 0; j < O; j++)
                if (yr[j] != 0.0f) sum += (double)yr[j] * ((m - (double)zr[j]) + log_total);
        }
        return batch_mean(sum, (double)B);
    case IL_OUT_IDENTITY:
    default:
        /* Squared error 1/(2B) sum (z - y)^2 (the prediction is z itself): the 1/2 makes its gradient
         * exactly (p - y) / B. */
        for (size_t i = 0; i < B * O; i++) {
            double d = (double)z[i] - (double)y[i];
            sum += d * d;
        }
        return batch_mean(sum, 2.0 * (double)B);
    }
}

void il_output_backward(il_output out, float *dz, const float *p, const float *y, size_t B, size_t O) {
    /* All three pairs were chosen so that the loss's gradient with respect to the pre-activation z is
     * (p - y) / B: for squared error directly; for sigmoid + BCE the sigma' = p(1-p) cancels against
     * the 1/(p(1-p)) of the log terms; for softmax + CE the Jacobian of softmax collapses likewise when
     * the targets sum to 1. Fusing them avoids dividing by tiny p. */
    (void)out;
    if (B == 0) return;
    const float inv_b = 1.0f / (float)B;
    for (size_t i = 0; i < B * O; i++)
        dz[i] = (p[i] - y[i]) * inv_b;
}
