/* probe.h - diagnostics of a network on a fixed set of probe samples, at one log point.
 *
 * What each number means, with its formula, is in docs/diagnostics.md. Per layer: weight norm,
 * pre-activation and activation mean/std, saturated fraction (activation derivative below 10% of its
 * maximum), linear-region fraction (|z| < 1), dead fraction (ReLU units that output 0 on every probe
 * sample), gradient norm, distinct units (how many different (incoming weights, bias) vectors the units
 * have: 1 = perfect symmetry). Per network: linearity R^2 of the best least-squares linear fit of the
 * outputs (logits for sigmoid/softmax outputs) on the inputs over the probe set, by LAPACK (OpenBLAS).
 * The probe allocates its workspace once (il_probe_create); measuring allocates nothing.
 */
#ifndef INITLAB_PROBE_H
#define INITLAB_PROBE_H

#include <stddef.h>

#include "initlab/net.h"

#define IL_HIST_BINS 40

typedef struct {
    double weight_norm;             /* ||W_l||_F */
    double grad_norm;               /* ||dL/dW_l||_F on the probe set (biases excluded) */
    double preact_mean, preact_std; /* over every unit x sample pair of z */
    double act_mean, act_std;       /* over every unit x sample pair of a = f(z) */
    double saturated;               /* share of pairs with f'(z) < 0.1 max f' (sigmoid/tanh; NAN otherwise) */
    double linear_region;           /* share of pairs with |z| < 1 */
    double dead;             /* share of units with a = 0 on every probe sample (ReLU; NAN otherwise) */
    size_t distinct_units;   /* distinct (incoming weights, bias) vectors among the O units: 1 = symmetric */
    size_t units;            /* O, the layer's width */
    double hist_lo, hist_hi; /* histogram range of the activations */
    size_t hist[IL_HIST_BINS];
} il_probe_layer;

typedef struct {
    double linearity;   /* R^2 of z_L (outputs; logits for sigmoid/softmax) on the inputs: 1 = linear */
    double weight_norm; /* over all layers (biases excluded) */
    double param_norm;  /* over every parameter (weights and biases) */
    double grad_norm;   /* over all weight gradients */
    double probe_loss;  /* data loss on the probe set */
} il_probe_net;

typedef struct il_probe il_probe;

/* A probe over n >= 1 samples x (n, D) with targets y (n, T) for networks of this spec; copies x and y
 * (D = spec->sizes[0], T = spec->sizes[L]) and factorizes the centred inputs once for the linearity.
 * On failure (bad spec, n = 0, NULL data, non-finite inputs, no memory) *out is NULL and err says why.
 * The caller owns the probe (il_probe_free). */
il_status il_probe_create(il_probe **out, const il_net_spec *spec, const float *x, const float *y, size_t n,
                          il_error *err);
void il_probe_free(il_probe *probe);

/* Measure net (not modified; its parameters are copied into the probe's own net) on the probe set:
 * one forward and one backward pass over the n probe samples, allocating nothing.
 * layers must have room for net->spec.n_layers entries. weight_decay is included in grad_norm.
 * Fails with IL_ERR_USAGE if net's spec differs from the probe's, IL_ERR_NUMERIC if a parameter of net
 * is not finite; layers and summary are then untouched. */
il_status il_probe_measure(il_probe *probe, const il_net *net, double weight_decay, il_probe_layer *layers,
                           il_probe_net *summary, il_error *err);

/* Effective number of input directions (rank of the centred probe inputs) the linearity fit uses.
 * The linearity is NAN when rank + 1 >= n: a fit with that many coefficients passes through every
 * probe point, whatever the network computes. */
size_t il_probe_input_rank(const il_probe *probe);

/* ---- linearity -------------------------------------------------------------------------------------
 * R^2 = 1 - sum_k SSres_k / sum_k SStot_k over the O outputs, where SSres_k is the residual sum of squares
 * of the least-squares fit of output k on [1, x] and SStot_k = sum_i (out_ik - mean_k)^2.
 * Special cases, in this order: NAN when n = 0 or the fit interpolates (rank of the centred x >= n - 1);
 * 1 when the outputs are constant (sum_k SStot_k <= 1e-12 * sum_k n (1 + mean_k^2): a constant function
 * is linear); NAN when out is not finite. Input directions whose singular value is below
 * max(n, D) * FLT_EPSILON * (largest singular value) are treated as absent (constant or collinear inputs).
 */

/* A reusable fit against fixed inputs x (n, D): factorizes once, then scores any (n, O <= max_outputs)
 * output matrix without allocating. On failure *out is NULL (IL_ERR_USAGE for n = 0, D = 0 or non-finite
 * x; IL_ERR_NOMEM; IL_ERR_NUMERIC if the SVD does not converge). */
typedef struct il_linear_fit il_linear_fit;
il_status il_linear_fit_create(il_linear_fit **out, const float *x, size_t n, size_t D, size_t max_outputs,
                               il_error *err);
void il_linear_fit_free(il_linear_fit *fit);
/* R^2 of out (n, O) on the fit's inputs; O must be <= max_outputs (NAN otherwise). */
double il_linear_fit_r2(il_linear_fit *fit, const float *out, size_t O);
size_t il_linear_fit_rank(const il_linear_fit *fit);

/* Linearity alone, in caller memory: R^2 as above of out (n, O) on [1, x] with x (n, D).
 * scratch holds il_linearity_scratch_size(n, D, O) doubles (SIZE_MAX when that would overflow).
 * NAN also when D = 0, the sizes exceed LAPACK's int range, or x is not finite. */
double il_linearity_r2(const float *x, size_t n, size_t D, const float *out, size_t O, double *scratch);
size_t il_linearity_scratch_size(size_t n, size_t D, size_t O);

/* ---- symmetry --------------------------------------------------------------------------------------- */

/* Distinct units of a layer: how many different vectors (column j of w (I, O), b[j]) there are among the
 * O units, by exact float comparison (-0 == +0; a NaN makes its unit unlike every other). 1 = perfect
 * symmetry (every unit computes the same function), O = every unit differs from every other.
 * A plain pairwise loop; the probe uses a hashed version that gives the same count. */
size_t il_distinct_units(const float *w, const float *b, size_t I, size_t O);

#endif
