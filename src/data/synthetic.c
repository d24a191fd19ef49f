/* synthetic.c - data generators: the simulated models of ESL section 11.6 (sum of sigmoids, radial) and
 * toy binary classification sets (XOR, circles, spirals, moons).
 * Every number comes from the il_rng passed in, so a seed reproduces a set bit for bit. Nothing here
 * parses options or scales inputs: that is data.c and prepare.c.
 *
 * Shapes: N = examples, P = inputs of an ESL model (2 or 10); toys have 2 inputs and T = 1 target.
 */
#include "data/synthetic.h"

#include <math.h>
#include <string.h>

/* ---- ESL 11.6 --------------------------------------------------------------------------------------- */

#define ESL_RADIAL_P 10

static double sigmoid(double z) {
    return 1.0 / (1.0 + exp(-z));
}

/* Standard normal density φ(x) = exp(−x²/2) / √(2π). */
static double normal_density(double x) {
    return exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

size_t il__esl_inputs(il_esl_model model) {
    return model == IL_ESL_RADIAL ? ESL_RADIAL_P : 2;
}

/* E[σ(s·Z)²] for Z ~ N(0, 1): ∫ σ(s z)² φ(z) dz by composite Simpson's rule on [−12, 12]. The tails
 * beyond ±12 weigh φ(12) ≈ 2e-32; with step 0.0025 the rule's error (∝ h⁴ · max|g''''|) is far below
 * 1e-12 for s = √18, so the result is exact for every purpose here. */
static double expected_squared_sigmoid(double s) {
    const double lo = -12.0, hi = 12.0;
    const int intervals = 9600; /* even, as Simpson's rule needs */
    const double h = (hi - lo) / intervals;
    double sum = 0.0;
    for (int k = 0; k <= intervals; k++) {
        double z = lo + k * h;
        double sg = sigmoid(s * z);
        double g = sg * sg * normal_density(z);
        double weight = (k == 0 || k == intervals) ? 1.0 : (k % 2 ? 4.0 : 2.0);
        sum += weight * g;
    }
    return sum * h / 3.0;
}

double il__esl_signal_variance(il_esl_model model) {
    if (model == IL_ESL_RADIAL) {
        /* f(X) = ∏ φ(Xₘ) with independent Xₘ ~ N(0, 1), so
         *   E f = (E φ(X))¹⁰,     E φ(X)  = ∫ φ² = 1 / (2√π),
         *   E f² = (E φ(X)²)¹⁰,   E φ(X)² = ∫ φ³ = 1 / (2π√3),
         * and Var f = (1 / (2π√3))¹⁰ − (1 / (2√π))²⁰ ≈ 3.27e-11. */
        double mean_phi = 1.0 / (2.0 * sqrt(M_PI));
        double mean_phi2 = 1.0 / (2.0 * M_PI * sqrt(3.0));
        return pow(mean_phi2, ESL_RADIAL_P) - pow(mean_phi, 2 * ESL_RADIAL_P);
    }
    /* f(X) = σ(a₁ᵀX) + σ(a₂ᵀX). With X ~ N(0, I) and a₁ᵀa₂ = 3·3 − 3·3 = 0, the two projections are
     * uncorrelated Gaussians, hence independent, each N(0, |a|²) with |a|² = 18. So
     *   Var f = 2 Var σ(U),  U ~ N(0, 18),  Var σ(U) = E σ(U)² − ¼   (E σ(U) = ½ by symmetry),
     * with E σ(U)² = E σ(√18 Z)² evaluated by quadrature. Var f ≈ 0.4. */
    return 2.0 * (expected_squared_sigmoid(sqrt(18.0)) - 0.25);
}

il_status il__esl_generate(il_dataset *out, il_esl_model model, size_t n, double noise_variance, il_rng *rng,
                           il_error *err) {
    memset(out, 0, sizeof *out);
    if (n == 0) return il_fail(err, IL_ERR_USAGE, "ESL model: the number of examples must be at least 1");
    if (!isfinite(noise_variance) || noise_variance < 0.0)
        return il_fail(err, IL_ERR_USAGE, "ESL model: the noise variance must be finite and >= 0, got %g",
                       noise_variance);
    size_t p = il__esl_inputs(model);
    il_status st = il_dataset_alloc(out, n, p, 1, 0, err);
    if (st != IL_OK) return st;
    double noise_sd = sqrt(noise_variance);
    for (size_t i = 0; i < n; i++) {
        float *x = out->x + i * p; /* (P) */
        /* Draw X, keep it as the float the network will see, and compute f from that float, so that
         * y − f(x) is exactly the noise that was drawn (up to the rounding of y). */
        for (size_t m = 0; m < p; m++)
            x[m] = (float)il_rng_normal(rng);
        double f;
        if (model == IL_ESL_RADIAL) {
            f = 1.0;
            for (size_t m = 0; m < p; m++)
                f *= normal_density(x[m]);
        } else {
            double x1 = x[0], x2 = x[1];
            f = sigmoid(3.0 * x1 + 3.0 * x2) + sigmoid(3.0 * x1 - 3.0 * x2);
        }
        out->y[i] = (float)(f + noise_sd * il_rng_normal(rng));
    }
    return IL_OK;
}

/* ---- Toy classification sets ------------------------------------------------------------------------ */

static il_status check_toy(const il_toy_options *opt, size_t n, il_error *err) {
    static const char *const names[] = {"xor", "circles", "spirals", "moons"};
    if ((unsigned)opt->shape > IL_TOY_MOONS) return il_fail(err, IL_ERR_USAGE, "unknown toy data set");
    const char *name = names[opt->shape];
    size_t min_n = opt->shape == IL_TOY_XOR ? 4 : 2;
    if (n < min_n)
        return il_fail(err, IL_ERR_USAGE, "%s: need at least %zu points (one per class%s), got %zu", name,
                       min_n, opt->shape == IL_TOY_XOR ? " corner" : "", n);
    if (!isfinite(opt->noise) || opt->noise < 0.0)
        return il_fail(err, IL_ERR_USAGE, "%s: noise must be a number >= 0, got %g", name, opt->noise);
    if (opt->shape == IL_TOY_CIRCLES && !(opt->factor > 0.0 && opt->factor < 1.0))
        return il_fail(err, IL_ERR_USAGE, "circles: factor must be between 0 and 1 (exclusive), got %g",
                       opt->factor);
    if (opt->shape == IL_TOY_SPIRALS && !(isfinite(opt->turns) && opt->turns > 0.0))
        return il_fail(err, IL_ERR_USAGE, "spirals: turns must be a number > 0, got %g", opt->turns);
    return IL_OK;
}

/* The noiseless point of example i with label c, drawn from the shape's curve. */
static void toy_point(const il_toy_options *opt, size_t i, int *label, double *px, double *py, il_rng *rng) {
    switch (opt->shape) {
    case IL_TOY_XOR: {
        /* Corners cycle (0,0) (0,1) (1,0) (1,1); the label is the XOR of the corner's coordinates. */
        int corner = (int)(i % 4);
        int a = corner >> 1, b = corner & 1;
        *px = a;
        *py = b;
        *label = a ^ b;
        return;
    }
    case IL_TOY_CIRCLES: {
        /* Angle uniform on [0, 2π); radius 1 for the outer class, factor for the inner one. */
        int c = (int)(i % 2);
        double r = c ? opt->factor : 1.0;
        double theta = il_rng_uniform_range(rng, 0.0, 2.0 * M_PI);
        *px = r * cos(theta);
        *py = r * sin(theta);
        *label = c;
        return;
    }
    case IL_TOY_SPIRALS: {
        /* Arm c: t ~ U[0, 1), radius t, angle 2π·turns·t + c·π: the second arm is the first turned by
         * half a revolution, so the arms interleave at every radius. */
        int c = (int)(i % 2);
        double t = il_rng_uniform(rng);
        double theta = 2.0 * M_PI * opt->turns * t + c * M_PI;
        *px = t * cos(theta);
        *py = t * sin(theta);
        *label = c;
        return;
    }
    case IL_TOY_MOONS: {
        /* Upper moon (cos θ, sin θ), lower moon (1 − cos θ, ½ − sin θ), θ ~ U[0, π]: each moon's tip
         * reaches into the other's hollow, so no straight line separates them. */
        int c = (int)(i % 2);
        double theta = il_rng_uniform_range(rng, 0.0, M_PI);
        *px = c ? 1.0 - cos(theta) : cos(theta);
        *py = c ? 0.5 - sin(theta) : sin(theta);
        *label = c;
        return;
    }
    }
}

il_status il__toy_generate(il_dataset *out, const il_toy_options *opt, size_t n, il_rng *rng, il_error *err) {
    memset(out, 0, sizeof *out);
    il_status st = check_toy(opt, n, err);
    if (st != IL_OK) return st;
    st = il_dataset_alloc(out, n, 2, 1, 1, err);
    if (st != IL_OK) return st;
    for (size_t i = 0; i < n; i++) {
        int label = 0;
        double px = 0.0, py = 0.0;
        toy_point(opt, i, &label, &px, &py, rng);
        /* Isotropic Gaussian noise of sd `noise` on each coordinate (drawn even when noise = 0, so the
         * stream does not depend on the noise level). */
        double ex = il_rng_normal(rng), ey = il_rng_normal(rng);
        out->x[2 * i] = (float)(px + opt->noise * ex);
        out->x[2 * i + 1] = (float)(py + opt->noise * ey);
        out->y[i] = (float)label;
        out->labels[i] = label;
    }
    return IL_OK;
}

il_status il__xor_truth_table(il_dataset *out, il_error *err) {
    memset(out, 0, sizeof *out);
    il_status st = il_dataset_alloc(out, 4, 2, 1, 1, err);
    if (st != IL_OK) return st;
    for (int i = 0; i < 4; i++) {
        int a = i >> 1, b = i & 1;
        out->x[2 * i] = (float)a;
        out->x[2 * i + 1] = (float)b;
        out->y[i] = (float)(a ^ b);
        out->labels[i] = a ^ b;
    }
    return IL_OK;
}
