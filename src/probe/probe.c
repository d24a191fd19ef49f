/* probe.c - the diagnostics of a network at one log point, measured on a fixed set of probe samples.
 *
 * The probe owns a copy of the samples and a network of the same shape sized for them: measuring copies
 * the trained net's parameters in, runs one forward and one backward pass, and reads every number off the
 * activations and gradients. It never changes the trained net and allocates nothing after creation.
 * Definitions and formulas: docs/diagnostics.md. Linearity is in linearity.c.
 *
 * Dimension letters: n = probe samples, D = inputs, T = targets, L = layers, I = fan-in, O = fan-out.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/probe.h"

/* A slot of the open-addressing table of the hashed distinct-units count: one representative unit of a
 * class of equal units, or unit = SIZE_MAX when empty. */
typedef struct {
    uint64_t hash;
    size_t unit;
} unit_slot;

struct il_probe {
    il_net_spec spec;
    size_t n;           /* probe samples */
    float *x;           /* (n, D) */
    float *y;           /* (n, T) */
    il_net *net;        /* the probe's own net, max_batch n: forward/backward workspace */
    il_linear_fit *fit; /* the centred inputs, factorized once */
    uint64_t *hashes;   /* (widest O) one hash per unit */
    unit_slot *table;   /* (table_size) a power of two >= 2 * widest O */
    size_t table_size;
};

/* ---- symmetry: distinct units ------------------------------------------------------------------------ */

/* Units j and k of a layer (w (I, O), b (O)) have equal incoming weights and bias. Float ==, so -0 == +0
 * and a NaN equals nothing. */
static int units_equal(const float *w, const float *b, size_t I, size_t O, size_t j, size_t k) {
    if (!(b[j] == b[k])) return 0;
    for (size_t i = 0; i < I; i++)
        if (!(w[i * O + j] == w[i * O + k])) return 0;
    return 1;
}

/* The reference: a unit starts a new class when it equals no earlier unit. When all units are equal
 * each one matches unit 0 at once, so perfect symmetry costs O * I, not O^2 * I. */
size_t il_distinct_units(const float *w, const float *b, size_t I, size_t O) {
    if (!w || !b) return 0;
    size_t classes = 0;
    for (size_t j = 0; j < O; j++) {
        int is_new = 1;
        for (size_t k = 0; k < j && is_new; k++)
            if (units_equal(w, b, I, O, j, k)) is_new = 0;
        classes += (size_t)is_new;
    }
    return classes;
}

/* Bits of a float with -0 turned into +0, so equal values hash alike. */
static uint64_t float_bits(float v) {
    float normalized = v + 0.0f; /* -0 + 0 = +0 in round-to-nearest */
    uint32_t bits;
    memcpy(&bits, &normalized, sizeof bits);
    return bits;
}

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

/* The same count as il_distinct_units in O * (I + 1) expected time: hash every unit's (weights, bias), then
 * put the units one by one into a hash table that keeps one representative per class; a unit is compared
 * weight by weight only with representatives of the same hash, and starts a new class if none matches.
 * table has table_size (a power of two > O) slots; nothing is allocated. */
static size_t distinct_units_hashed(const float *w, const float *b, size_t I, size_t O, uint64_t *hashes,
                                    unit_slot *table, size_t table_size) {
    for (size_t j = 0; j < O; j++)
        hashes[j] = mix(0x243f6a8885a308d3ull, float_bits(b[j]));
    for (size_t i = 0; i < I; i++) /* row by row: w is (I, O) row-major */
        for (size_t j = 0; j < O; j++)
            hashes[j] = mix(hashes[j], float_bits(w[i * O + j]));
    for (size_t s = 0; s < table_size; s++)
        table[s].unit = SIZE_MAX;
    const size_t mask = table_size - 1;
    size_t classes = 0;
    for (size_t j = 0; j < O; j++) {
        size_t s = (size_t)(hashes[j] ^ (hashes[j] >> 32)) & mask;
        int is_new = 1;
        for (; table[s].unit != SIZE_MAX; s = (s + 1) & mask) /* linear probing to an empty slot */
            if (table[s].hash == hashes[j] && units_equal(w, b, I, O, j, table[s].unit)) {
                is_new = 0;
                break;
            }
        if (is_new) {
            table[s].hash = hashes[j];
            table[s].unit = j;
            classes++;
        }
    }
    return classes;
}

/* ---- creation ----------------------------------------------------------------------------------------- */

il_status il_probe_create(il_probe **out, const il_net_spec *spec, const float *x, const float *y, size_t n,
                          il_error *err) {
    if (!out) return il_fail(err, IL_ERR_USAGE, "il_probe_create needs somewhere to put the probe");
    *out = NULL;
    il_status st = il_net_spec_check(spec, err);
    if (st != IL_OK) return st;
    if (n == 0) return il_fail(err, IL_ERR_USAGE, "the probe needs at least one sample (probe_samples is 0)");
    if (!x || !y) return il_fail(err, IL_ERR_USAGE, "the probe needs its samples' inputs and targets");
    const size_t L = spec->n_layers, D = spec->sizes[0], T = spec->sizes[L];
    if (n > SIZE_MAX / sizeof(float) / D || n > SIZE_MAX / sizeof(float) / T)
        return il_fail(err, IL_ERR_USAGE, "%zu probe samples are too many for %zu inputs and %zu targets", n,
                       D, T);
    size_t widest = 0, table_size = 1;
    for (size_t l = 1; l <= L; l++)
        widest = spec->sizes[l] > widest ? spec->sizes[l] : widest;
    while (table_size < 2 * widest) /* widest <= IL_MAX_WIDTH (il_net_spec_check): no overflow */
        table_size *= 2;

    il_probe *probe = calloc(1, sizeof *probe);
    if (!probe) return il_fail(err, IL_ERR_NOMEM, "out of memory for the probe");
    probe->spec = *spec;
    probe->n = n;
    probe->x = malloc(n * D * sizeof *probe->x);
    probe->y = malloc(n * T * sizeof *probe->y);
    probe->hashes = malloc(widest * sizeof *probe->hashes);
    probe->table = malloc(table_size * sizeof *probe->table);
    probe->table_size = table_size;
    if (!probe->x || !probe->y || !probe->hashes || !probe->table) {
        il_probe_free(probe);
        return il_fail(err, IL_ERR_NOMEM, "out of memory for %zu probe samples", n);
    }
    memcpy(probe->x, x, n * D * sizeof *probe->x);
    memcpy(probe->y, y, n * T * sizeof *probe->y);
    st = il_net_create(&probe->net, spec, n, err);
    if (st == IL_OK) st = il_linear_fit_create(&probe->fit, probe->x, n, D, T, err);
    if (st != IL_OK) {
        il_probe_free(probe);
        return st;
    }
    *out = probe;
    return IL_OK;
}

void il_probe_free(il_probe *probe) {
    if (!probe) return;
    il_net_free(probe->net);
    il_linear_fit_free(probe->fit);
    free(probe->x);
    free(probe->y);
    free(probe->hashes);
    free(probe->table);
    free(probe);
}

size_t il_probe_input_rank(const il_probe *probe) {
    return probe ? il_linear_fit_rank(probe->fit) : 0;
}

/* ---- one layer ----------------------------------------------------------------------------------------- */

static double sum_of_squares(const float *v, size_t count) {
    double sum = 0.0;
    for (size_t i = 0; i < count; i++)
        sum += (double)v[i] * (double)v[i];
    return sum;
}

/* Mean and population standard deviation (divide by count), two passes in double. */
static void mean_std(const float *v, size_t count, double *mean, double *std) {
    double sum = 0.0;
    for (size_t i = 0; i < count; i++)
        sum += v[i];
    const double m = sum / (double)count;
    double sq = 0.0;
    for (size_t i = 0; i < count; i++) {
        const double d = (double)v[i] - m;
        sq += d * d;
    }
    *mean = m;
    *std = sqrt(sq / (double)count);
}

/* The histogram's range: the activation's own range where it has one (sigmoid and probabilities [0, 1],
 * tanh [-1, 1]), [0, largest value] for ReLU, the values' [min, max] for identity. */
static void histogram_range(il_act act, int probabilities, const float *a, size_t count, double *lo,
                            double *hi) {
    if (probabilities || act == IL_ACT_SIGMOID) {
        *lo = 0.0, *hi = 1.0;
        return;
    }
    if (act == IL_ACT_TANH) {
        *lo = -1.0, *hi = 1.0;
        return;
    }
    double min = INFINITY, max = -INFINITY;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(a[i])) continue;
        min = a[i] < min ? a[i] : min;
        max = a[i] > max ? a[i] : max;
    }
    if (act == IL_ACT_RELU) {
        min = 0.0;
        if (!(max > 0.0)) max = 1.0; /* every unit off: any range shows it, all counts land in bin 1 */
    } else if (!(max > min)) {       /* one value, or none finite: a unit-wide range around it */
        const double centre = isfinite(min) ? min : 0.0;
        min = centre - 0.5, max = centre + 0.5;
    }
    *lo = min, *hi = max;
}

/* IL_HIST_BINS equal bins over [lo, hi]; values outside (and infinities) go to the end bins, NaN to the
 * first, so the counts always sum to count. */
static void histogram(size_t *bins, const float *a, size_t count, double lo, double hi) {
    memset(bins, 0, IL_HIST_BINS * sizeof *bins);
    const double per_unit = (double)IL_HIST_BINS / (hi - lo);
    for (size_t i = 0; i < count; i++) {
        const double t = ((double)a[i] - lo) * per_unit;
        size_t bin = 0;
        if (t >= (double)IL_HIST_BINS)
            bin = IL_HIST_BINS - 1;
        else if (t > 0.0)
            bin = (size_t)t;
        bins[bin]++;
    }
}

static void measure_layer(il_probe *probe, size_t l, il_probe_layer *out) {
    const il_net *net = probe->net;
    const size_t n = probe->n, I = il_net_layer_in(net, l), O = il_net_layer_out(net, l);
    const size_t count = n * O; /* unit x sample pairs */
    const il_act act = il_net_layer_act(net, l);
    const int is_output = l + 1 == net->spec.n_layers;
    const float *z = net->z[l], *a = net->a[l]; /* (n, O) */

    out->units = O;
    out->weight_norm = sqrt(sum_of_squares(net->w[l], I * O));
    out->grad_norm = sqrt(sum_of_squares(net->dw[l], I * O));
    mean_std(z, count, &out->preact_mean, &out->preact_std);
    mean_std(a, count, &out->act_mean, &out->act_std);

    /* Linear region: |z| < 1, where sigma(z) stays within 0.02 of its tangent 1/2 + z/4 (the error is
     * about |z|^3 / 48) and tanh within 0.24 of z (error about |z|^3 / 3). */
    size_t linear = 0;
    for (size_t i = 0; i < count; i++)
        linear += fabsf(z[i]) < 1.0f;
    out->linear_region = (double)linear / (double)count;

    /* Saturated: f'(z) below a tenth of its maximum, i.e. sigma' < 0.025 (|z| > 3.6) or tanh' < 0.1
     * (|z| > 1.8): backpropagation through such a pair shrinks the gradient at least tenfold. */
    if (act == IL_ACT_SIGMOID || act == IL_ACT_TANH) {
        const float threshold = 0.1f * il_act_derivative_max(act);
        size_t saturated = 0;
        for (size_t i = 0; i < count; i++)
            saturated += il_act_derivative(act, a[i]) < threshold;
        out->saturated = (double)saturated / (double)count;
    } else {
        out->saturated = NAN;
    }

    /* Dead: a ReLU unit whose output is 0 on every probe sample passes no gradient to its weights. */
    if (act == IL_ACT_RELU) {
        size_t dead = 0;
        for (size_t j = 0; j < O; j++) {
            int alive = 0;
            for (size_t i = 0; i < n && !alive; i++)
                alive = a[i * O + j] != 0.0f;
            dead += (size_t)!alive;
        }
        out->dead = (double)dead / (double)O;
    } else {
        out->dead = NAN;
    }

    out->distinct_units =
        distinct_units_hashed(net->w[l], net->b[l], I, O, probe->hashes, probe->table, probe->table_size);

    const int probabilities = is_output && net->spec.output != IL_OUT_IDENTITY;
    histogram_range(act, probabilities, a, count, &out->hist_lo, &out->hist_hi);
    histogram(out->hist, a, count, out->hist_lo, out->hist_hi);
}

/* ---- measuring ----------------------------------------------------------------------------------------- */

static int same_spec(const il_net_spec *a, const il_net_spec *b) {
    if (a->n_layers != b->n_layers || a->output != b->output) return 0;
    for (size_t l = 0; l <= a->n_layers; l++)
        if (a->sizes[l] != b->sizes[l]) return 0;
    for (size_t l = 0; l + 1 < a->n_layers; l++)
        if (a->hidden[l] != b->hidden[l]) return 0;
    return 1;
}

il_status il_probe_measure(il_probe *probe, const il_net *net, double weight_decay, il_probe_layer *layers,
                           il_probe_net *summary, il_error *err) {
    if (!probe || !net || !layers || !summary)
        return il_fail(err, IL_ERR_USAGE,
                       "il_probe_measure needs a probe, a network and room for the results");
    if (!same_spec(&probe->spec, &net->spec))
        return il_fail(
            err, IL_ERR_USAGE,
            "the network to measure (%zu layers, %zu inputs) is not the shape this probe was made for "
            "(%zu layers, %zu inputs)",
            net->spec.n_layers, net->spec.sizes[0], probe->spec.n_layers, probe->spec.sizes[0]);
    if (!il_net_is_finite(net))
        return il_fail(err, IL_ERR_NUMERIC,
                       "the network has a parameter that is not finite (NaN or Inf): the run diverged");

    il_net *pn = probe->net;
    const size_t n = probe->n, L = pn->spec.n_layers;
    memcpy(pn->params, net->params, net->n_params * sizeof *pn->params);
    il_net_forward(pn, probe->x, n);
    const double loss = il_net_loss(pn, probe->y, n);
    il_net_backward(pn, probe->x, probe->y, n, weight_decay);

    double weights = 0.0, grads = 0.0;
    for (size_t l = 0; l < L; l++) {
        measure_layer(probe, l, &layers[l]);
        weights += layers[l].weight_norm * layers[l].weight_norm;
        grads += layers[l].grad_norm * layers[l].grad_norm;
    }
    summary->weight_norm = sqrt(weights);
    summary->grad_norm = sqrt(grads);
    summary->param_norm = sqrt(sum_of_squares(pn->params, pn->n_params));
    summary->probe_loss = loss;
    /* The outputs' pre-activations z_L: the predictions for an identity output, the logits (inverse link)
     * for sigmoid and softmax, so that logistic regression counts as linear. */
    summary->linearity = il_linear_fit_r2(probe->fit, pn->z[L - 1], pn->spec.sizes[L]);
    return IL_OK;
}
