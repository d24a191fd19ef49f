/* net.c - a multilayer perceptron trained by backpropagation, written to be read.
 *
 * Dimension letters: B = batch rows, I = fan-in of a layer, O = fan-out, L = number of layers, P = total
 * parameters. A batch is a (B, I) row-major matrix; layer l computes
 *     Z_l = A_{l-1} W_l + 1 b_l^T        (B, O) = (B, I)(I, O) + broadcast (O)
 *     A_l = f_l(Z_l)                      elementwise for hidden layers, the output pair for the last
 *     loss(Z_{L-1}, Y)                    from the logits: log-sum-exp / softplus (activation.c)
 * with A_{-1} = X. Backpropagation is the chain rule applied in exactly the reverse order:
 *     dZ_{L-1} = (P - Y) / B             the fused output/loss gradient (activation.c)
 *     dW_l = A_{l-1}^T dZ_l              (I, O) = (I, B)(B, O)
 *     db_l = sum over rows of dZ_l       (O)
 *     dA_{l-1} = dZ_l W_l^T              (B, I) = (B, O)(O, I), not needed for l = 0
 *     dZ_{l-1} = dA_{l-1} * f'(Z_{l-1})  elementwise, f' computed from the stored A_{l-1}
 * Parameters, gradients and momentum are three blocks of P floats with one layout (w0 b0 w1 b1 ...),
 * so SGD, weight decay and norms are flat loops. Nothing here allocates after il_net_create.
 */
#include "initlab/net.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "initlab/blas.h"

/* ---- sizes, checked before anything is allocated ----------------------------------------------- */

/* a * b + c into *out, or 0 when it would overflow size_t. */
static int mul_add_ok(size_t a, size_t b, size_t c, size_t *out) {
    if (b != 0 && a > (SIZE_MAX - c) / b) return 0;
    *out = a * b + c;
    return 1;
}

/* P = sum over layers of I*O + O (weights and biases). 0 on overflow. */
static int count_params(const il_net_spec *spec, size_t *n_params) {
    size_t total = 0;
    for (size_t l = 0; l < spec->n_layers; l++) {
        size_t layer;
        if (!mul_add_ok(spec->sizes[l], spec->sizes[l + 1], spec->sizes[l + 1], &layer)) return 0;
        if (total > SIZE_MAX - layer) return 0;
        total += layer;
    }
    /* The block must also be addressable in bytes. */
    if (total > SIZE_MAX / sizeof(float)) return 0;
    *n_params = total;
    return 1;
}

il_status il_net_spec_check(const il_net_spec *spec, il_error *err) {
    if (!spec) return il_fail(err, IL_ERR_USAGE, "no network description given");
    if (spec->n_layers < 1 || spec->n_layers > IL_MAX_LAYERS)
        return il_fail(err, IL_ERR_USAGE, "a network needs between 1 and %d layers of weights, not %zu",
                       IL_MAX_LAYERS, spec->n_layers);
    for (size_t l = 0; l <= spec->n_layers; l++) {
        if (spec->sizes[l] < 1)
            return il_fail(err, IL_ERR_USAGE, "layer size %zu (%s) is 0; every layer needs at least 1 unit",
                           l,
                           l == 0                ? "inputs"
                           : l == spec->n_layers ? "outputs"
                                                 : "hidden");
        if (spec->sizes[l] > IL_MAX_WIDTH) /* surely a typo: 784,256,10 is normal, 1e8 units is not */
            return il_fail(err, IL_ERR_USAGE, "layer size %zu is %zu units; the limit is %u", l,
                           spec->sizes[l], IL_MAX_WIDTH);
    }
    for (size_t l = 0; l + 1 < spec->n_layers; l++)
        if ((unsigned)spec->hidden[l] >= IL_ACT_COUNT)
            return il_fail(
                err, IL_ERR_USAGE,
                "hidden layer %zu has an unknown activation (expected sigmoid, tanh, relu or identity)",
                l + 1);
    if ((unsigned)spec->output >= IL_OUT_COUNT)
        return il_fail(err, IL_ERR_USAGE, "unknown output layer (expected identity, sigmoid or softmax)");
    size_t n_params;
    if (!count_params(spec, &n_params))
        return il_fail(err, IL_ERR_USAGE, "the network is too large: its parameter count overflows");
    return IL_OK;
}

il_status il_net_spec_parse_layers(il_net_spec *spec, const char *text, il_error *err) {
    if (!text) text = "";
    size_t sizes[IL_MAX_LAYERS + 1];
    size_t count = 0;
    const char *where = "layer list";
    il_status st =
        il__parse_size_list(text, IL_WHOLE(1, IL_MAX_WIDTH), IL_MAX_LAYERS + 1, where, sizes, &count, err);
    if (st != IL_OK) return st;
    char quoted[IL_QUOTE_SIZE]; /* the text as given may hold control characters: one line */
    if (count < 2)
        return il_fail(err, IL_ERR_USAGE,
                       "layer list %s: need at least an input size and an output size (e.g. 2,1 or 2,8,1)",
                       il__quote(quoted, sizeof quoted, text));

    il_net_spec parsed = *spec;
    parsed.n_layers = count - 1;
    for (size_t i = 0; i < count; i++)
        parsed.sizes[i] = sizes[i];
    size_t n_params;
    if (!count_params(&parsed, &n_params))
        return il_fail(err, IL_ERR_USAGE, "%s: the network is too large (its parameter count overflows)",
                       where);
    *spec = parsed;
    return IL_OK;
}

/* ---- creation: one block per kind of state ------------------------------------------------------- */

/* The floats of the two kinds of blocks for spec and max_batch: P parameters (and as many gradients and
 * momenta) and the activations z, a and dz, each (max_batch, O) for every layer: 3 * max_batch * sum of O.
 * 0 when they cannot be counted in bytes. The one formula behind il_net_create and il_net_memory_bytes. */
static int net_sizes(const il_net_spec *spec, size_t max_batch, size_t *n_params, size_t *n_act) {
    if (!count_params(spec, n_params)) return 0;
    size_t units = 0;
    for (size_t l = 1; l <= spec->n_layers; l++)
        units += spec->sizes[l]; /* <= 64 * IL_MAX_WIDTH: no overflow */
    return mul_add_ok(max_batch, units, 0, n_act) && mul_add_ok(*n_act, 3, 0, n_act) &&
           *n_act <= SIZE_MAX / sizeof(float);
}

size_t il_net_memory_bytes(const il_net_spec *spec, size_t max_batch) {
    size_t n_params = 0, n_act = 0, bytes = 0;
    if (!net_sizes(spec, max_batch, &n_params, &n_act)) return SIZE_MAX;
    /* 3 P floats (params, grads, momentum) + the activations + the struct. */
    if (!mul_add_ok(n_params, 3, n_act, &bytes) || !mul_add_ok(bytes, sizeof(float), sizeof(il_net), &bytes))
        return SIZE_MAX;
    return bytes;
}

il_status il_net_create(il_net **out, const il_net_spec *spec, size_t max_batch, il_error *err) {
    *out = NULL;
    il_status st = il_net_spec_check(spec, err);
    if (st != IL_OK) return st;
    if (max_batch < 1) return il_fail(err, IL_ERR_USAGE, "the batch size must be at least 1");

    size_t n_params = 0, n_act = 0;
    if (!net_sizes(spec, max_batch, &n_params, &n_act)) /* the parameters were checked above */
        return il_fail(err, IL_ERR_USAGE,
                       "batch size %zu is too large for this network (activations overflow)", max_batch);

    il_net *net = calloc(1, sizeof *net);
    if (!net) return il_fail(err, IL_ERR_NOMEM, "out of memory allocating a network");
    net->spec = *spec;
    net->max_batch = max_batch;
    net->n_params = n_params;
    net->params = calloc(n_params, sizeof(float));
    net->grads = calloc(n_params, sizeof(float));
    net->momentum = calloc(n_params, sizeof(float));
    net->activations = calloc(n_act, sizeof(float));
    if (!net->params || !net->grads || !net->momentum || !net->activations) {
        il_net_free(net);
        return il_fail(
            err, IL_ERR_NOMEM,
            "out of memory: the network needs %zu parameters and %zu activation floats (batch %zu)", n_params,
            n_act, max_batch);
    }

    /* Point the per-layer views into the blocks: w0 b0 w1 b1 ... in params and grads; z, a, dz per layer
     * in the activation block. */
    size_t offset = 0, act_offset = 0;
    for (size_t l = 0; l < spec->n_layers; l++) {
        const size_t I = spec->sizes[l], O = spec->sizes[l + 1];
        net->w[l] = net->params + offset;
        net->dw[l] = net->grads + offset;
        offset += I * O;
        net->b[l] = net->params + offset;
        net->db[l] = net->grads + offset;
        offset += O;
        net->z[l] = net->activations + act_offset;
        act_offset += max_batch * O;
        net->a[l] = net->activations + act_offset;
        act_offset += max_batch * O;
        net->dz[l] = net->activations + act_offset;
        act_offset += max_batch * O;
    }
    *out = net;
    return IL_OK;
}

void il_net_free(il_net *net) {
    if (!net) return;
    free(net->params);
    free(net->grads);
    free(net->momentum);
    free(net->activations);
    free(net);
}

void il_net_init(il_net *net, const il_init_spec *specs, il_rng *rng) {
    for (size_t l = 0; l < net->spec.n_layers; l++)
        il_init_layer(&specs[l], net->w[l], net->b[l], net->spec.sizes[l], net->spec.sizes[l + 1], rng);
    memset(net->grads, 0, net->n_params * sizeof(float));
    memset(net->momentum, 0, net->n_params * sizeof(float));
}

/* ---- layer views ---------------------------------------------------------------------------------- */

size_t il_net_layer_in(const il_net *net, size_t l) {
    return net->spec.sizes[l];
}

size_t il_net_layer_out(const il_net *net, size_t l) {
    return net->spec.sizes[l + 1];
}

il_act il_net_layer_act(const il_net *net, size_t l) {
    if (l + 1 < net->spec.n_layers) return net->spec.hidden[l];
    /* The output layer: a sigmoid output is elementwise like a hidden sigmoid; softmax is not
     * elementwise and identity is identity, so both report IL_ACT_IDENTITY. */
    return net->spec.output == IL_OUT_SIGMOID ? IL_ACT_SIGMOID : IL_ACT_IDENTITY;
}

/* ---- one dense layer, forward and backward as mirrors -------------------------------------------- */

/* out = in w + b:  out (B, O), in (B, I), w (I, O), b (O). */
static void dense_forward(float *out, const float *in, const float *w, const float *b, size_t B, size_t I,
                          size_t O) {
    /* Start every row of out at the bias, then accumulate the product on top (beta = 1). */
    for (size_t r = 0; r < B; r++)
        memcpy(out + r * O, b, O * sizeof *out);
    il_sgemm(false, false, B, O, I, 1.0f, in, I, w, O, 1.0f, out, O);
}

/* Given dout = dL/dout (B, O), the gradients of the same layer:
 *   dw = in^T dout (I, O),  db = column sums of dout (O),  din = dout w^T (B, I) (skipped if din NULL).
 * Why: out_rj = sum_i in_ri w_ij + b_j, so dL/dw_ij = sum_r in_ri dout_rj, dL/db_j = sum_r dout_rj and
 * dL/din_ri = sum_j dout_rj w_ij. */
static void dense_backward(float *din, float *dw, float *db, const float *dout, const float *in,
                           const float *w, size_t B, size_t I, size_t O) {
    il_sgemm(true, false, I, O, B, 1.0f, in, I, dout, O, 0.0f, dw, O);
    for (size_t j = 0; j < O; j++)
        db[j] = 0.0f;
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < O; j++)
            db[j] += dout[r * O + j];
    if (din) il_sgemm(false, true, B, I, O, 1.0f, dout, O, w, O, 0.0f, din, I);
}

/* ---- the network ---------------------------------------------------------------------------------- */

void il_net_forward(il_net *net, const float *x, size_t B) {
    const size_t L = net->spec.n_layers;
    for (size_t l = 0; l < L; l++) {
        const size_t I = net->spec.sizes[l], O = net->spec.sizes[l + 1];
        const float *in = l == 0 ? x : net->a[l - 1]; /* (B, I) */
        dense_forward(net->z[l], in, net->w[l], net->b[l], B, I, O);
        if (l + 1 < L)
            il_act_forward(net->spec.hidden[l], net->a[l], net->z[l], B * O);
        else
            il_output_forward(net->spec.output, net->a[l], net->z[l], B, O);
    }
}

double il_net_loss(const il_net *net, const float *y, size_t B) {
    const size_t L = net->spec.n_layers;
    /* From the logits Z_{L-1}, which forward kept: a loss taken from the rounded probabilities in
     * A_{L-1} would be infinite (or clamped) wherever a float sigmoid or softmax rounds to 0 or 1. */
    return il_output_loss(net->spec.output, net->z[L - 1], y, B, net->spec.sizes[L]);
}

double il_net_penalty(const il_net *net, double weight_decay) {
    if (weight_decay == 0.0) return 0.0;
    double sum = 0.0;
    for (size_t l = 0; l < net->spec.n_layers; l++) {
        const size_t n = net->spec.sizes[l] * net->spec.sizes[l + 1];
        for (size_t i = 0; i < n; i++)
            sum += (double)net->w[l][i] * (double)net->w[l][i];
    }
    return weight_decay * sum;
}

void il_net_backward(il_net *net, const float *x, const float *y, size_t B, double weight_decay) {
    const size_t L = net->spec.n_layers;
    /* The output layer: dZ_{L-1} = (P - Y) / B for every output/loss pair. */
    il_output_backward(net->spec.output, net->dz[L - 1], net->a[L - 1], y, B, net->spec.sizes[L]);
    /* Then the layers in exact reverse order of forward. */
    for (size_t l = L; l-- > 0;) {
        const size_t I = net->spec.sizes[l], O = net->spec.sizes[l + 1];
        const float *in = l == 0 ? x : net->a[l - 1]; /* (B, I), what forward fed this layer */
        /* dA_{l-1} lands in dz[l-1] and is turned into dZ_{l-1} there, in place. The first layer's input
         * is the data, which has no gradient to compute. */
        float *din = l == 0 ? NULL : net->dz[l - 1];
        dense_backward(din, net->dw[l], net->db[l], net->dz[l], in, net->w[l], B, I, O);
        /* Weight decay lambda * sum w^2 adds 2 lambda w to each weight's gradient (biases are not decayed).
         */
        if (weight_decay != 0.0) {
            const float two_lambda = (float)(2.0 * weight_decay);
            for (size_t i = 0; i < I * O; i++)
                net->dw[l][i] += two_lambda * net->w[l][i];
        }
        if (din) il_act_backward(net->spec.hidden[l - 1], din, din, net->a[l - 1], B * I);
    }
}

void il_sgd_step(il_net *net, const il_sgd_options *opt) {
    /* Heavy-ball momentum: v <- mu v - lr g, p <- p + v. With mu = 0 this is plain p <- p - lr g. */
    const float lr = (float)opt->learning_rate, mu = (float)opt->momentum;
    float *p = net->params, *v = net->momentum;
    const float *g = net->grads;
    for (size_t i = 0; i < net->n_params; i++) {
        v[i] = mu * v[i] - lr * g[i];
        p[i] += v[i];
    }
}

/* ---- summaries ------------------------------------------------------------------------------------ */

static double weights_norm(const il_net *net, float *const *blocks) {
    double sum = 0.0;
    for (size_t l = 0; l < net->spec.n_layers; l++) {
        const size_t n = net->spec.sizes[l] * net->spec.sizes[l + 1];
        for (size_t i = 0; i < n; i++)
            sum += (double)blocks[l][i] * (double)blocks[l][i];
    }
    return sqrt(sum);
}

double il_net_weight_norm(const il_net *net) {
    return weights_norm(net, net->w);
}

double il_net_grad_norm(const il_net *net) {
    return weights_norm(net, net->dw);
}

int il_net_is_finite(const il_net *net) {
    for (size_t i = 0; i < net->n_params; i++)
        if (!isfinite(net->params[i])) return 0;
    return 1;
}
