/* synthetic.h - internal interface to the data generators (synthetic.c): the two simulated models of
 * ESL section 11.6 and the toy classification sets (XOR, circles, spirals, moons).
 * Generators only draw numbers from the rng they are given; the dispatcher (data.c) parses options,
 * seeds the streams and prepares the inputs. Every generator fills a fresh il_dataset (allocated with
 * il_dataset_alloc); on failure the dataset is left empty and err says why.
 */
#ifndef INITLAB_DATA_SYNTHETIC_H
#define INITLAB_DATA_SYNTHETIC_H

#include <stddef.h>

#include "initlab/data.h"
#include "initlab/rng.h"
#include "initlab/status.h"

/* ---- ESL 11.6 simulated regression models -------------------------------------------------------- */

typedef enum {
    IL_ESL_SIGMOIDS = 0, /* Y = σ(a₁ᵀX) + σ(a₂ᵀX) + ε, X ∈ ℝ², a₁ = (3, 3), a₂ = (3, −3) */
    IL_ESL_RADIAL /* Y = ∏ₘ₌₁¹⁰ φ(Xₘ) + ε, X ∈ ℝ¹⁰, φ the standard normal density */
} il_esl_model;

/* Number of inputs p of the model (2 or 10). */
size_t il__esl_inputs(il_esl_model model);

/* Var f(X) for X standard Gaussian, computed analytically (see synthetic.c for the derivation):
 * radial in closed form, sum of sigmoids as a one-dimensional Gaussian integral by Simpson's rule. */
double il__esl_signal_variance(il_esl_model model);

/* n examples (X, Y) with ε ~ N(0, noise_variance): out is (n, p) inputs, (n, 1) targets, no labels.
 * noise_variance must be finite and >= 0; n >= 1. */
il_status il__esl_generate(il_dataset *out, il_esl_model model, size_t n, double noise_variance, il_rng *rng,
                           il_error *err);

/* ---- Toy binary classification sets ---------------------------------------------------------------- */

typedef enum {
    IL_TOY_XOR = 0, /* Gaussian blobs around the corners (0,0) (0,1) (1,0) (1,1), label = x₁ XOR x₂ */
    IL_TOY_CIRCLES, /* outer circle radius 1 (label 0), inner circle radius factor (label 1) */
    IL_TOY_SPIRALS, /* two interleaved spirals, label = which spiral */
    IL_TOY_MOONS    /* two interleaving half circles, upper (label 0) and lower (label 1) */
} il_toy_shape;

typedef struct {
    il_toy_shape shape;
    double noise;  /* sd of the Gaussian noise added to each coordinate, >= 0 */
    double factor; /* circles: inner radius / outer radius, in (0, 1) */
    double turns;  /* spirals: number of turns of each spiral, > 0 */
} il_toy_options;

/* n points in ℝ² with T = 1 target (the label as 0.0 or 1.0) and labels 0/1. Labels alternate
 * 0, 1, 0, 1, ... (for XOR the corners cycle), so the classes are balanced and every prefix of the set
 * (what a cap keeps) is balanced too. n >= 2 (n >= 4 for XOR). */
il_status il__toy_generate(il_dataset *out, const il_toy_options *opt, size_t n, il_rng *rng, il_error *err);

/* The exact XOR truth table: the 4 points (0,0) (0,1) (1,0) (1,1) with labels 0 1 1 0. */
il_status il__xor_truth_table(il_dataset *out, il_error *err);

#endif
