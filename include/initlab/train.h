/* train.h - the one SGD step, an epoch of them, the order of examples in an epoch, and evaluation, over
 * plain arrays.
 *
 * Knows nothing of files or datasets: x is (N, D) row-major, y is (N, T) targets (one-hot for softmax),
 * order is a permutation of 0..N-1 (il_epoch_order_next draws it; the same order for every initializer
 * is what makes a comparison fair). Batch buffers are allocated once by the caller: a step and an epoch
 * allocate nothing. The runner (runner.h) trains every run, `initlab train` included, with these.
 */
#ifndef INITLAB_TRAIN_H
#define INITLAB_TRAIN_H

#include <stddef.h>

#include "initlab/net.h"
#include "initlab/rng.h"

typedef struct {
    float *x; /* (cap, D) gathered inputs */
    float *y; /* (cap, T) gathered targets */
    size_t cap;
} il_batch;

il_status il_batch_alloc(il_batch *batch, size_t cap, size_t D, size_t T, il_error *err);
void il_batch_free(il_batch *batch);

/* Copy rows order[0..B) of x and y into the batch buffers. */
void il_batch_gather(il_batch *batch, const float *x, const float *y, size_t D, size_t T, const size_t *order,
                     size_t B);

/* The order of the n training examples in the next epoch: order is reset to 0..n-1, then shuffled by
 * Fisher-Yates from rng (a run's IL_STREAM_DATA stream, which continues from epoch to epoch). Resetting
 * first makes epoch e depend on the seed and e alone. Mini-batch j of the epoch is order[j*B, (j+1)*B). */
void il_epoch_order_next(il_rng *rng, size_t *order, size_t n);

/* One SGD step on the examples order[0..B): gather their rows of x and y into the batch buffers,
 * forward, data loss, backward (with opt->weight_decay), update, and a check that every parameter is
 * still finite. *loss (may be NULL) receives the batch's mean data loss before the update.
 * IL_ERR_USAGE, net untouched: B = 0, or B above batch->cap or net->max_batch.
 * IL_ERR_NUMERIC: lr, momentum or weight decay not finite (net untouched), or the loss or a parameter
 * stopped being finite (the net is then unusable). */
il_status il_train_step(il_net *net, il_batch *batch, const float *x, const float *y, const size_t *order,
                        size_t B, const il_sgd_options *opt, double *loss, il_error *err);

/* One pass over order[0..N) as il_train_step calls on mini-batches of batch_size (the last may be
 * smaller; batch_size >= N is full-batch gradient descent). Writes the mean training loss seen during
 * the epoch (data loss, before each step). batch->cap and net->max_batch must be >= min(batch_size, N).
 * Returns IL_ERR_NUMERIC if a loss or a parameter stops being finite (the net is then unusable); the
 * message names the example of the epoch where it happened. */
il_status il_train_epoch(il_net *net, il_batch *batch, const float *x, const float *y, size_t N,
                         const size_t *order, size_t batch_size, const il_sgd_options *opt, double *mean_loss,
                         il_error *err);

typedef struct {
    double loss;     /* mean data loss */
    double accuracy; /* share of rows whose predicted class is the target's class; NAN for identity.
                        One output: class 1 when the prediction (or target) is >= 0.5, so a constant 1/2
                        says class 1 (50 % on balanced data). Several outputs (softmax, or sigmoid on
                        one-hot targets): the largest, the first of equal values winning. NAN when a
                        prediction is NaN, and for N = 0 (loss too). */
} il_eval;

/* Evaluate on all N rows in chunks of net->max_batch; no parameters change. */
il_eval il_net_evaluate(il_net *net, const float *x, const float *y, size_t N);

#endif
