/* activation.h - hidden-unit nonlinearities and output/loss pairs.
 *
 * Hidden layers use sigmoid, tanh or ReLU (identity is allowed for linear-network experiments).
 * The output layer and its loss come as fused pairs, so the gradient at the output is always the
 * stable (prediction - target) form, and the loss is computed from the logits, never from a rounded
 * probability:
 *   identity + squared error  (regression, the ESL setting; loss = 1/(2B) sum (yhat - y)^2)
 *   sigmoid  + binary cross-entropy
 *   softmax  + cross-entropy (targets one-hot or probabilities)
 */
#ifndef INITLAB_ACTIVATION_H
#define INITLAB_ACTIVATION_H

#include <stddef.h>

typedef enum { IL_ACT_IDENTITY = 0, IL_ACT_SIGMOID, IL_ACT_TANH, IL_ACT_RELU, IL_ACT_COUNT } il_act;

typedef enum { IL_OUT_IDENTITY = 0, IL_OUT_SIGMOID, IL_OUT_SOFTMAX, IL_OUT_COUNT } il_output;

const char *il_act_name(il_act act);
const char *il_act_describe(il_act act);
/* Parse "sigmoid", "tanh", "relu", "identity" (also "linear"); returns -1 when unknown. */
int il_act_parse(const char *name);

/* a = f(z), elementwise over n values; in place allowed (a == z). */
void il_act_forward(il_act act, float *a, const float *z, size_t n);
/* dz = da * f'(z), computed from the activation value a = f(z) (all four have that form); in place
 * allowed (dz == da). */
void il_act_backward(il_act act, float *dz, const float *da, const float *a, size_t n);
/* f'(z) from the activation value a = f(z), and the maximum of f' over z (for the saturation test). */
float il_act_derivative(il_act act, float a);
float il_act_derivative_max(il_act act);

const char *il_output_name(il_output out);
const char *il_output_describe(il_output out);
/* Parse "identity" (also "linear", "mse"), "sigmoid" (also "bce"), "softmax" (also "ce"); -1 if unknown. */
int il_output_parse(const char *name);

/* Output activation over a (B, O) batch: p = g(z). */
void il_output_forward(il_output out, float *p, const float *z, size_t B, size_t O);
/* Mean loss over the batch of the output pre-activations (logits) z (B, O) against targets y (B, O),
 * computed in double from z as PyTorch does, with no floor on a probability:
 *   identity: 1/(2B) sum (z - y)^2                                  (z is the prediction)
 *   sigmoid:  1/B sum softplus(z) - y z   = BCE of sigma(z)          (BCEWithLogitsLoss, summed over O)
 *   softmax:  1/B sum_rows sum_j y_j (lse(z) - z_j) = CE of softmax(z)  (cross_entropy)
 * Finite for every finite z, however large (a confident wrong answer costs about |z|); NaN or
 * infinite only when a logit is, which the trainer reports as divergence. */
double il_output_loss(il_output out, const float *z, const float *y, size_t B, size_t O);
/* Gradient of the mean loss with respect to the output pre-activations: dz = (p - y) / B. */
void il_output_backward(il_output out, float *dz, const float *p, const float *y, size_t B, size_t O);

#endif
