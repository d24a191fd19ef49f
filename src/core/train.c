/* train.c - the one training step (gather a mini-batch, forward, loss, backward, SGD update, finite
 * check), an epoch as a loop over it, the one definition of an epoch's example order, and evaluation in
 * chunks. Dimension letters: N = examples, D = input features, T = targets per example, B = rows of one
 * batch. The caller allocates the batch buffers once: a step and an epoch allocate nothing.
 */
#include "initlab/train.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

il_status il_batch_alloc(il_batch *batch, size_t cap, size_t D, size_t T, il_error *err) {
    batch->x = batch->y = NULL;
    batch->cap = 0;
    if (cap == 0 || D == 0 || T == 0)
        return il_fail(err, IL_ERR_USAGE,
                       "a batch needs at least 1 row, 1 input and 1 target (got %zu, %zu, %zu)", cap, D, T);
    if (D > SIZE_MAX / sizeof(float) / cap || T > SIZE_MAX / sizeof(float) / cap)
        return il_fail(err, IL_ERR_USAGE, "batch of %zu rows is too large (size overflows)", cap);
    batch->x = malloc(cap * D * sizeof(float));
    batch->y = malloc(cap * T * sizeof(float));
    if (!batch->x || !batch->y) {
        il_batch_free(batch);
        return il_fail(err, IL_ERR_NOMEM, "out of memory allocating a batch of %zu rows", cap);
    }
    batch->cap = cap;
    return IL_OK;
}

void il_batch_free(il_batch *batch) {
    if (!batch) return;
    free(batch->x);
    free(batch->y);
    batch->x = batch->y = NULL;
    batch->cap = 0;
}

void il_batch_gather(il_batch *batch, const float *x, const float *y, size_t D, size_t T, const size_t *order,
                     size_t B) {
    for (size_t r = 0; r < B; r++) {
        memcpy(batch->x + r * D, x + order[r] * D, D * sizeof(float));
        memcpy(batch->y + r * T, y + order[r] * T, T * sizeof(float));
    }
}

void il_epoch_order_next(il_rng *rng, size_t *order, size_t n) {
    /* Reset, then shuffle: epoch e's order depends on the stream's position alone, never on the order
     * the previous epoch left behind, so il_run_epoch_order can replay epoch e from the seed. */
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    il_rng_shuffle(rng, order, n);
}

/* What il_train_step and il_train_epoch refuse before touching the network. */
static il_status check_step_inputs(const il_net *net, const il_batch *batch, size_t rows,
                                   const il_sgd_options *opt, il_error *err) {
    if (rows > batch->cap || rows > net->max_batch)
        return il_fail(
            err, IL_ERR_USAGE,
            "batch of %zu rows does not fit the buffers (batch capacity %zu, network max batch %zu)", rows,
            batch->cap, net->max_batch);
    if (!isfinite(opt->learning_rate) || !isfinite(opt->momentum) || !isfinite(opt->weight_decay))
        return il_fail(err, IL_ERR_NUMERIC,
                       "the learning rate (%g), momentum (%g) and weight decay (%g) must be finite numbers",
                       opt->learning_rate, opt->momentum, opt->weight_decay);
    return IL_OK;
}

il_status il_train_step(il_net *net, il_batch *batch, const float *x, const float *y, const size_t *order,
                        size_t B, const il_sgd_options *opt, double *loss, il_error *err) {
    const size_t L = net->spec.n_layers, D = net->spec.sizes[0], T = net->spec.sizes[L];
    if (B == 0) return il_fail(err, IL_ERR_USAGE, "a step needs at least 1 example");
    il_status st = check_step_inputs(net, batch, B, opt, err);
    if (st != IL_OK) return st;
    il_batch_gather(batch, x, y, D, T, order, B);
    il_net_forward(net, batch->x, B);
    const double batch_loss = il_net_loss(net, batch->y, B);
    if (loss) *loss = batch_loss;
    if (!isfinite(batch_loss))
        return il_fail(err, IL_ERR_NUMERIC,
                       "the loss of a batch of %zu examples became %g: training diverged (try a smaller "
                       "learning rate or smaller initial weights)",
                       B, batch_loss);
    il_net_backward(net, batch->x, batch->y, B, opt->weight_decay);
    il_sgd_step(net, opt);
    if (!il_net_is_finite(net))
        return il_fail(err, IL_ERR_NUMERIC,
                       "a weight became infinite or NaN after a step on %zu examples: training diverged (try "
                       "a smaller learning rate or smaller initial weights)",
                       B);
    return IL_OK;
}

il_status il_train_epoch(il_net *net, il_batch *batch, const float *x, const float *y, size_t N,
                         const size_t *order, size_t batch_size, const il_sgd_options *opt, double *mean_loss,
                         il_error *err) {
    if (N == 0) return il_fail(err, IL_ERR_USAGE, "no training examples");
    if (batch_size == 0) return il_fail(err, IL_ERR_USAGE, "the batch size must be at least 1");
    const size_t rows = batch_size < N ? batch_size : N;
    il_status st = check_step_inputs(net, batch, rows, opt, err);
    if (st != IL_OK) return st;

    double loss_sum = 0.0;
    for (size_t start = 0; start < N; start += rows) {
        const size_t B = N - start < rows ? N - start : rows; /* the last batch may be smaller */
        double loss = NAN;
        il_error step_err;
        st = il_train_step(net, batch, x, y, order + start, B, opt, &loss, &step_err);
        if (st != IL_OK) return il_fail(err, st, "at example %zu of the epoch: %s", start + 1, step_err.msg);
        loss_sum += loss * (double)B;
    }
    if (mean_loss) *mean_loss = loss_sum / (double)N;
    return IL_OK;
}

/* The class a row of O outputs (or targets) names, with ties settled one way everywhere: one output
 * is a yes/no, class 1 when v >= 1/2 (so a constant 1/2 says class 1); several outputs (softmax, or
 * sigmoid on one-hot targets) name their largest, the first of equal ones winning. -1 when a value
 * is NaN: such a row has no prediction. */
static long predicted_class(const float *v, size_t O) {
    if (O == 1) return isnan(v[0]) ? -1 : v[0] >= 0.5f;
    size_t best = 0;
    for (size_t j = 0; j < O; j++) {
        if (isnan(v[j])) return -1;
        if (v[j] > v[best]) best = j;
    }
    return (long)best;
}

il_eval il_net_evaluate(il_net *net, const float *x, const float *y, size_t N) {
    const size_t L = net->spec.n_layers, D = net->spec.sizes[0], T = net->spec.sizes[L];
    const il_output out = net->spec.output;
    il_eval ev = {NAN, NAN};
    if (N == 0) return ev;
    double loss_sum = 0.0;
    size_t correct = 0;
    int undefined = 0; /* a NaN prediction: the accuracy does not exist */
    for (size_t start = 0; start < N; start += net->max_batch) {
        const size_t B = N - start < net->max_batch ? N - start : net->max_batch;
        const float *xb = x + start * D, *yb = y + start * T; /* rows are contiguous: no gather needed */
        il_net_forward(net, xb, B);
        loss_sum += il_net_loss(net, yb, B) * (double)B;
        if (out != IL_OUT_IDENTITY)
            for (size_t r = 0; r < B; r++) {
                const long guess = predicted_class(net->a[L - 1] + r * T, T);
                undefined |= guess < 0;
                correct += (size_t)(guess == predicted_class(yb + r * T, T));
            }
    }
    ev.loss = loss_sum / (double)N;
    ev.accuracy = out == IL_OUT_IDENTITY || undefined ? NAN : (double)correct / (double)N;
    return ev;
}
