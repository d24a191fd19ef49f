/* probe.h - diagnostics of a network on a fixed set of probe samples, at one log point.
 *
 * What each number means, with its formula, is in docs/diagnostics.md. Per layer: weight norm,
 * pre-activation and activation mean/std, saturated fraction (activation derivative below 10% of its
 * maximum), linear-region fraction (|z| < 1), dead fraction (ReLU units that output 0 on every probe
 * sample), gradient norm, distinct units (hidden units whose incoming weights and bias differ from every
 * other unit's). Per network: linearity R^2 of the best least-squares linear fit of the outputs on the
 * inputs over the probe set (LAPACK sgels from OpenBLAS).
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
    size_t distinct_units;   /* hidden units unlike every other (exact comparison of weights and bias) */
    size_t units;            /* O, the layer's width */
    double hist_lo, hist_hi; /* histogram range of the activations */
    size_t hist[IL_HIST_BINS];
} il_probe_layer;

typedef struct {
    double linearity;   /* R^2 of outputs on inputs (1 = the net computes a linear function) */
    double weight_norm; /* over all layers (biases excluded) */
    double param_norm;  /* over every parameter (weights and biases) */
    double grad_norm;   /* over all weight gradients */
    double probe_loss;  /* data loss on the probe set */
} il_probe_net;

typedef struct il_probe il_probe;

/* A probe over n samples x (n, D) with targets y (n, T); copies them. max_batch for the internal net
 * workspace is n. Returns NULL-safe status; *out NULL on failure. */
il_status il_probe_create(il_probe **out, const il_net_spec *spec, const float *x, const float *y, size_t n,
                          il_error *err);
void il_probe_free(il_probe *probe);

/* Measure net (not modified; its parameters are copied into the probe's own net) on the probe set.
 * layers must have room for net->spec.n_layers entries. weight_decay is included in grad_norm. */
il_status il_probe_measure(il_probe *probe, const il_net *net, double weight_decay, il_probe_layer *layers,
                           il_probe_net *summary, il_error *err);

/* Linearity alone: R^2 of the least-squares fit of out (n, O) on [1, x] (n, D+1), averaged over the
 * O outputs weighted by their variance (1 - SSres/SStot summed over outputs). NAN if out is constant. */
double il_linearity_r2(const float *x, size_t n, size_t D, const float *out, size_t O, float *scratch);
/* Scratch floats il_linearity_r2 needs for (n, D, O). */
size_t il_linearity_scratch_size(size_t n, size_t D, size_t O);

/* Distinct units of a layer: number of columns of w (I, O) whose (column, b[j]) equals no other. */
size_t il_distinct_units(const float *w, const float *b, size_t I, size_t O);

#endif
