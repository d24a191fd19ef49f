/* net.h - a multilayer perceptron: dense layers, forward and backward on cblas_sgemm, SGD.
 *
 * Dimension letters: B = batch rows, I = fan-in of a layer, O = fan-out, L = number of layers.
 * Layer l maps a (B, I) batch to (B, O): Z = X W + b, A = f(Z), with W (I, O) and b (O).
 * Parameters live in one contiguous block (w0 b0 w1 b1 ...), gradients in a second block with the
 * same layout, momentum in a third, so init, SGD, weight decay, save/load and checksums are flat loops.
 * Activations for up to max_batch rows are allocated once at creation: training allocates nothing.
 */
#ifndef INITLAB_NET_H
#define INITLAB_NET_H

#include <stddef.h>

#include "initlab/activation.h"
#include "initlab/init.h"
#include "initlab/rng.h"
#include "initlab/status.h"

#define IL_MAX_LAYERS 64
/* The widest layer initlab builds, everywhere (flags, config keys, model files): 1,000,000 units. */
#define IL_MAX_WIDTH 1000000u

typedef struct {
    size_t n_layers;                 /* L >= 1 dense layers */
    size_t sizes[IL_MAX_LAYERS + 1]; /* sizes[0] = inputs, sizes[L] = outputs; all >= 1 */
    il_act hidden[IL_MAX_LAYERS];    /* activation of layer l < L-1 */
    il_output output;                /* output activation and loss of layer L-1 */
} il_net_spec;

typedef struct {
    il_net_spec spec;
    size_t max_batch;
    size_t n_params;          /* total floats in params (and in grads, momentum) */
    float *params;            /* one block: w0 b0 w1 b1 ... */
    float *grads;             /* same layout as params */
    float *momentum;          /* same layout as params */
    float *w[IL_MAX_LAYERS];  /* (I, O) views into params */
    float *b[IL_MAX_LAYERS];  /* (O) */
    float *dw[IL_MAX_LAYERS]; /* (I, O) views into grads */
    float *db[IL_MAX_LAYERS]; /* (O) */
    float *z[IL_MAX_LAYERS];  /* (max_batch, O) pre-activations of the last forward pass */
    float *a[IL_MAX_LAYERS];  /* (max_batch, O) activations; a[L-1] holds the predictions */
    float *dz[IL_MAX_LAYERS]; /* (max_batch, O) scratch for backward */
    float *activations;       /* the block behind z, a, dz */
} il_net;

typedef struct {
    double learning_rate; /* > 0 */
    double momentum;      /* in [0, 1); 0 = plain SGD */
    double weight_decay;  /* lambda >= 0: adds lambda * sum w^2 to the loss, weights only, not biases */
} il_sgd_options;

/* Check a spec (sizes >= 1, L in [1, IL_MAX_LAYERS], known activations). IL_ERR_USAGE if bad. */
il_status il_net_spec_check(const il_net_spec *spec, il_error *err);
/* Parse "2,10,1" into spec->sizes and n_layers; activations are left as they are. */
il_status il_net_spec_parse_layers(il_net_spec *spec, const char *text, il_error *err);

/* Allocate a network for batches of up to max_batch rows. Parameters start at zero.
 * On failure *out is NULL and nothing is leaked. The caller owns the net (il_net_free). */
il_status il_net_create(il_net **out, const il_net_spec *spec, size_t max_batch, il_error *err);
/* The bytes il_net_create allocates for spec (checked by il_net_spec_check) and max_batch: parameters,
 * gradients and momentum (3 x P floats) and the activations z, a, dz (3 x max_batch x the sum of the
 * layer widths floats). SIZE_MAX when that does not fit in a size_t. Allocates nothing: it is how a
 * network too large for the machine is refused before any of it is allocated. */
size_t il_net_memory_bytes(const il_net_spec *spec, size_t max_batch);
void il_net_free(il_net *net);

/* Initialize every layer; specs[l] for layer l (pass one spec per layer). Momentum and gradients are
 * zeroed. Layers draw from rng in order, weights row-major; zero init draws nothing. */
void il_net_init(il_net *net, const il_init_spec *specs, il_rng *rng);

/* Forward pass of B <= max_batch rows of x (B, sizes[0]); predictions land in net->a[L-1] (B, O). */
void il_net_forward(il_net *net, const float *x, size_t B);
/* Mean data loss of the last forward pass against targets y (B, sizes[L]) (no weight decay), computed
 * from the output layer's pre-activations net->z[L-1] (il_output_loss): exact cross-entropy however
 * large the logits; NaN or infinite only when a logit is (overflow, or a NaN weight). */
double il_net_loss(const il_net *net, const float *y, size_t B);
/* Weight-decay penalty lambda * sum of squared weights (biases excluded). */
double il_net_penalty(const il_net *net, double weight_decay);
/* Backward pass after il_net_forward on the same x: fills grads with d(loss + penalty)/d(params). */
void il_net_backward(il_net *net, const float *x, const float *y, size_t B, double weight_decay);
/* One SGD step from the gradients: v = mu v - lr g; p += v. */
void il_sgd_step(il_net *net, const il_sgd_options *opt);

/* Layer views and sizes. */
size_t il_net_layer_in(const il_net *net, size_t l);
size_t il_net_layer_out(const il_net *net, size_t l);
il_act il_net_layer_act(const il_net *net, size_t l); /* IL_ACT_IDENTITY for the output layer */

/* Euclidean norms over all weights and over all weight gradients (biases and their gradients excluded,
 * matching il_probe_net.weight_norm and grad_norm). */
double il_net_weight_norm(const il_net *net);
double il_net_grad_norm(const il_net *net);
/* 1 if every parameter is finite. */
int il_net_is_finite(const il_net *net);

#endif
