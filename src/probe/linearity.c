/* linearity.c - how linear is the function a network computes on a sample? R^2 of the best least-squares
 * linear fit of its outputs on its inputs: the measure behind ESL 11.5.1's "collapses into an
 * approximately linear model". Knows nothing of networks: it scores any (n, O) matrix against (n, D) inputs.
 *
 * Dimension letters: n = samples, D = inputs, O = outputs, r = rank of the centred inputs (r <= min(n, D)).
 * Method. Centring the inputs and the outputs absorbs the intercept of the fit y ~ 1 c + x beta. Take the
 * thin SVD of the centred inputs, Xc = U S V^T (LAPACK dgesvd, in double). The r columns of U whose
 * singular values are not negligible are an orthonormal basis of every centred linear function of the
 * inputs on the sample, so the least-squares fit of a centred output yc is its projection U U^T yc and
 *     SSres = |yc|^2 - |U^T yc|^2,   SStot = |yc|^2,   R^2 = 1 - sum_k SSres_k / sum_k SStot_k.
 * The SVD handles constant and collinear inputs (they only lower r) without a ridge term, and it is done
 * once per input set: scoring an output matrix afterwards costs 2 n r O flops and allocates nothing.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/probe.h"

/* LAPACK (Fortran, column-major) from OpenBLAS: thin SVD. The two trailing size_t are the hidden lengths
 * of the character arguments that Fortran compilers pass. */
extern void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a,
                    const int *lda, double *s, double *u, const int *ldu, double *vt, const int *ldvt,
                    double *work, const int *lwork, int *info, size_t jobu_len, size_t jobvt_len);

/* Output variance below this share of (1 + mean^2) is a constant: float rounding in a forward pass leaves
 * about 1e-14 relative variance on outputs that are mathematically constant, real signals far more. */
#define CONSTANT_VARIANCE 1e-12

/* ---- sizes --------------------------------------------------------------------------------------------- */

static size_t min_size(size_t a, size_t b) {
    return a < b ? a : b;
}

/* dgesvd's workspace (in doubles) for an (n, D) matrix with jobu = 'O' (U overwrites the matrix) and
 * jobvt = 'N': the optimum LAPACK reports, never below its documented minimum. 0 if LAPACK refuses. */
static size_t svd_work_size(int n, int D) {
    const int one = 1, query = -1, lda = n > 0 ? n : 1;
    double dummy = 0.0, optimum = 0.0;
    int info = 0;
    dgesvd_("O", "N", &n, &D, &dummy, &lda, &dummy, &dummy, &one, &dummy, &one, &optimum, &query, &info, 1,
            1);
    if (info != 0 || !(optimum >= 1.0) || optimum > (double)INT_MAX) return 0;
    const size_t mn = min_size((size_t)n, (size_t)D), mx = (size_t)(n > D ? n : D);
    size_t minimum = 3 * mn + mx > 5 * mn ? 3 * mn + mx : 5 * mn;
    size_t work = (size_t)optimum;
    work = work > minimum ? work : (minimum > 0 ? minimum : 1);
    return work <= INT_MAX ? work : 0; /* LAPACK takes it as an int */
}

/* Both sizes fit LAPACK's int, and n * D doubles are addressable. */
static int lapack_sizes_ok(size_t n, size_t D) {
    return n <= INT_MAX && D <= INT_MAX && (D == 0 || n <= SIZE_MAX / sizeof(double) / D);
}

/* ---- the basis ----------------------------------------------------------------------------------------- */

/* xc (n, D) column-major = x (n, D) row-major minus its column means, in double. 0 if x is not finite. */
static int centre_inputs(double *xc, const float *x, size_t n, size_t D) {
    for (size_t j = 0; j < D; j++) {
        double *col = xc + j * n;
        double mean = 0.0;
        for (size_t i = 0; i < n; i++) {
            col[i] = (double)x[i * D + j];
            mean += col[i];
        }
        if (!isfinite(mean)) return 0;
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            col[i] -= mean;
    }
    return 1;
}

/* SVD of xc (n, D) column-major in place: on return its first r columns hold the orthonormal basis U of
 * the inputs' linear span. Singular values below max(n, D) * FLT_EPSILON * s_max are dropped: the inputs
 * came as float, so smaller directions are rounding, not data (the usual numerical-rank rule, with float's
 * epsilon).
 * s has min(n, D) doubles, work has lwork. Returns LAPACK's info (0 = converged). */
static int input_basis(double *xc, size_t n, size_t D, double *s, double *work, size_t lwork, size_t *rank) {
    const int m = (int)n, k = (int)D, lda = n > 0 ? (int)n : 1, one = 1, lw = (int)lwork;
    double dummy = 0.0;
    int info = 0;
    dgesvd_("O", "N", &m, &k, xc, &lda, s, &dummy, &one, &dummy, &one, work, &lw, &info, 1, 1);
    *rank = 0;
    if (info != 0) return info;
    const size_t mn = min_size(n, D);
    const double tolerance = (double)(n > D ? n : D) * FLT_EPSILON * (mn ? s[0] : 0.0);
    while (*rank < mn && s[*rank] > tolerance && s[*rank] > 0.0)
        (*rank)++;
    return 0;
}

/* R^2 of out (n, O) row-major on the basis u (n, r) column-major; yc is n doubles of scratch. */
static double r2_on_basis(const double *u, size_t n, size_t r, const float *out, size_t O, double *yc) {
    /* With r + 1 >= n coefficients the fit passes through every point: R^2 = 1 whatever out is. */
    if (n < 2 || r + 1 >= n) return NAN;
    double ss_res = 0.0, ss_tot = 0.0, scale = 0.0;
    for (size_t k = 0; k < O; k++) {
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += (double)out[i * O + k];
        mean /= (double)n;
        double tot = 0.0;
        for (size_t i = 0; i < n; i++) {
            yc[i] = (double)out[i * O + k] - mean;
            tot += yc[i] * yc[i];
        }
        /* |U^T yc|^2: the explained sum of squares of the least-squares fit. */
        double explained = 0.0;
        for (size_t j = 0; j < r; j++) {
            const double *col = u + j * n;
            double dot = 0.0;
            for (size_t i = 0; i < n; i++)
                dot += col[i] * yc[i];
            explained += dot * dot;
        }
        double res = tot - explained;
        ss_res += res > 0.0 ? res : 0.0; /* rounding can make a perfect fit's residual slightly negative */
        ss_tot += tot;
        scale += (double)n * (1.0 + mean * mean);
    }
    if (!isfinite(ss_tot) || !isfinite(ss_res)) return NAN;
    /* A constant function is linear (e.g. a zero-initialized net predicting one value everywhere). */
    if (ss_tot <= CONSTANT_VARIANCE * scale) return 1.0;
    return 1.0 - ss_res / ss_tot;
}

/* ---- reusable fit ------------------------------------------------------------------------------------ */

struct il_linear_fit {
    size_t n, D, rank, max_outputs;
    double *u;  /* (n, min(n, D)) column-major; the first rank columns are the basis */
    double *yc; /* (n) one centred output */
};

il_status il_linear_fit_create(il_linear_fit **out, const float *x, size_t n, size_t D, size_t max_outputs,
                               il_error *err) {
    *out = NULL;
    if (!x || n == 0 || D == 0)
        return il_fail(err, IL_ERR_USAGE,
                       "the linearity fit needs at least one sample and one input (got %zu x %zu)", n, D);
    if (!lapack_sizes_ok(n, D))
        return il_fail(err, IL_ERR_USAGE,
                       "the linearity fit of %zu samples x %zu inputs exceeds LAPACK's sizes", n, D);
    size_t lwork = svd_work_size((int)n, (int)D);
    if (lwork == 0)
        return il_fail(err, IL_ERR_NUMERIC, "LAPACK refused the SVD workspace query for %zu x %zu inputs", n,
                       D);
    const size_t mn = min_size(n, D);

    il_linear_fit *fit = calloc(1, sizeof *fit);
    double *s = malloc(mn * sizeof *s);
    double *work = lwork <= SIZE_MAX / sizeof(double) ? malloc(lwork * sizeof *work) : NULL;
    if (fit) {
        fit->u = malloc(n * D * sizeof *fit->u);
        fit->yc = malloc(n * sizeof *fit->yc);
    }
    il_status st = IL_OK;
    if (!fit || !s || !work || !fit->u || !fit->yc) {
        st = il_fail(err, IL_ERR_NOMEM, "out of memory for the linearity fit of %zu samples x %zu inputs", n,
                     D);
    } else if (!centre_inputs(fit->u, x, n, D)) {
        st = il_fail(err, IL_ERR_USAGE, "the probe inputs contain a value that is not finite (NaN or Inf)");
    } else {
        int info = input_basis(fit->u, n, D, s, work, lwork, &fit->rank);
        if (info != 0)
            st = il_fail(err, IL_ERR_NUMERIC,
                         "the SVD of the %zu x %zu probe inputs did not converge (LAPACK info %d)", n, D,
                         info);
    }
    free(s);
    free(work);
    if (st != IL_OK) {
        il_linear_fit_free(fit);
        return st;
    }
    fit->n = n;
    fit->D = D;
    fit->max_outputs = max_outputs;
    *out = fit;
    return IL_OK;
}

void il_linear_fit_free(il_linear_fit *fit) {
    if (!fit) return;
    free(fit->u);
    free(fit->yc);
    free(fit);
}

double il_linear_fit_r2(il_linear_fit *fit, const float *out, size_t O) {
    if (!fit || !out || O == 0 || O > fit->max_outputs) return NAN;
    return r2_on_basis(fit->u, fit->n, fit->rank, out, O, fit->yc);
}

size_t il_linear_fit_rank(const il_linear_fit *fit) {
    return fit ? fit->rank : 0;
}

/* ---- one-shot, in caller memory ------------------------------------------------------------------------ */

/* Scratch layout in doubles: xc (n, D) | s (min(n, D)) | yc (n) | work (lwork). */
size_t il_linearity_scratch_size(size_t n, size_t D, size_t O) {
    (void)O; /* outputs are scored one at a time */
    if (n == 0 || D == 0) return 1;
    if (!lapack_sizes_ok(n, D)) return SIZE_MAX;
    size_t lwork = svd_work_size((int)n, (int)D);
    if (lwork == 0) return SIZE_MAX;
    size_t total = n * D, extra[3] = {min_size(n, D), n, lwork};
    for (size_t i = 0; i < 3; i++) {
        if (total > SIZE_MAX / sizeof(double) - extra[i]) return SIZE_MAX;
        total += extra[i];
    }
    return total;
}

double il_linearity_r2(const float *x, size_t n, size_t D, const float *out, size_t O, double *scratch) {
    if (!x || !out || !scratch || n < 2 || D == 0 || O == 0 || !lapack_sizes_ok(n, D)) return NAN;
    size_t lwork = svd_work_size((int)n, (int)D);
    if (lwork == 0) return NAN;
    double *xc = scratch;            /* (n, D) column-major, then the basis */
    double *s = xc + n * D;          /* (min(n, D)) */
    double *yc = s + min_size(n, D); /* (n) */
    double *work = yc + n;           /* (lwork) */
    if (!centre_inputs(xc, x, n, D)) return NAN;
    size_t rank = 0;
    if (input_basis(xc, n, D, s, work, lwork, &rank) != 0) return NAN;
    return r2_on_basis(xc, n, rank, out, O, yc);
}
