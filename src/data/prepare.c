/* prepare.c - train/test split, caps and input scaling (see prepare.h).
 * Scaling statistics come from the training split only (ESL 11.5.3 standardizes the inputs; using the
 * test set's statistics would leak information about it into training). Targets are never touched.
 *
 * Shapes: N = examples, D = inputs, T = targets.
 */
#include "data/prepare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/data.h"
#include "initlab/rng.h"

/* ---- the words of the scale modes --------------------------------------------------------------- */

const char *il_scale_name(il_scale scale) {
    switch (scale) {
    case IL_SCALE_NONE: return "none";
    case IL_SCALE_STANDARDIZE: return "standardize";
    case IL_SCALE_UNIT: return "unit";
    case IL_SCALE_AUTO: return "auto";
    }
    return NULL;
}

int il_scale_parse(const char *word) {
    for (int s = 0; s < IL_SCALE_COUNT; s++)
        if (strcmp(word, il_scale_name((il_scale)s)) == 0) return s;
    return -1;
}

/* ---- split ------------------------------------------------------------------------------------------ */

size_t il__split_test_count(size_t n, double test_fraction) {
    if (n < 2) return 0;
    double want = floor((double)n * test_fraction + 0.5);
    if (want < 1.0) return 1;
    if (want > (double)(n - 1)) return n - 1;
    return (size_t)want;
}

/* Copy rows idx[0..count) of src into a freshly allocated dst. */
static il_status gather_rows(il_dataset *dst, const il_dataset *src, const size_t *idx, size_t count,
                             il_error *err) {
    il_status st = il_dataset_alloc(dst, count, src->d, src->t, src->labels != NULL, err);
    if (st != IL_OK) return st;
    for (size_t r = 0; r < count; r++) {
        size_t i = idx[r];
        memcpy(dst->x + r * src->d, src->x + i * src->d, src->d * sizeof *src->x);
        memcpy(dst->y + r * src->t, src->y + i * src->t, src->t * sizeof *src->y);
        if (src->labels) dst->labels[r] = src->labels[i];
    }
    return IL_OK;
}

il_status il__data_split(il_dataset *train, il_dataset *test, double test_fraction, uint64_t seed,
                         il_error *err) {
    if (!(test_fraction > 0.0 && test_fraction < 1.0))
        return il_fail(err, IL_ERR_USAGE, "test fraction must be between 0 and 1 (exclusive), got %g",
                       test_fraction);
    size_t n = train->n;
    if (n < 2)
        return il_fail(err, IL_ERR_USAGE,
                       "cannot split %zu example%s into a training and a test set: need at least 2", n,
                       n == 1 ? "" : "s");
    if (n > SIZE_MAX / sizeof(size_t)) return il_fail(err, IL_ERR_NOMEM, "split: too many examples (%zu)", n);
    size_t *order = malloc(n * sizeof *order); /* (N) */
    if (!order) return il_fail(err, IL_ERR_NOMEM, "split: out of memory for %zu indices", n);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_SPLIT);
    il_rng_shuffle(&rng, order, n);

    size_t n_test = il__split_test_count(n, test_fraction);
    il_dataset new_train, new_test;
    memset(&new_train, 0, sizeof new_train);
    memset(&new_test, 0, sizeof new_test);
    il_status st = gather_rows(&new_test, train, order, n_test, err);
    if (st == IL_OK) st = gather_rows(&new_train, train, order + n_test, n - n_test, err);
    free(order);
    if (st != IL_OK) {
        il_dataset_free(&new_test);
        il_dataset_free(&new_train);
        return st;
    }
    il_dataset_free(train);
    il_dataset_free(test);
    *train = new_train;
    *test = new_test;
    return IL_OK;
}

/* ---- caps ------------------------------------------------------------------------------------------- */

il_status il__dataset_keep_first(il_dataset *ds, size_t max, il_error *err) {
    if (max == 0 || ds->n <= max) return IL_OK;
    /* A fresh, smaller copy rather than shrinking in place: it returns the memory of a large set (all of
     * Fashion-MNIST when 1000 examples are kept) and makes no assumption about how the dataset's
     * buffers were allocated. */
    il_dataset kept;
    memset(&kept, 0, sizeof kept);
    il_status st = il_dataset_alloc(&kept, max, ds->d, ds->t, ds->labels != NULL, err);
    if (st != IL_OK) return st;
    memcpy(kept.x, ds->x, max * ds->d * sizeof *ds->x);
    memcpy(kept.y, ds->y, max * ds->t * sizeof *ds->y);
    if (ds->labels) memcpy(kept.labels, ds->labels, max * sizeof *ds->labels);
    il_dataset_free(ds);
    *ds = kept;
    return IL_OK;
}

/* ---- scaling ---------------------------------------------------------------------------------------- */

/* x ← (x − shift[j]) / divisor[j] for every row of ds. */
static void apply_affine(il_dataset *ds, const double *shift, const double *divisor) {
    for (size_t i = 0; i < ds->n; i++) {
        float *row = ds->x + i * ds->d; /* (D) */
        for (size_t j = 0; j < ds->d; j++)
            row[j] = (float)(((double)row[j] - shift[j]) / divisor[j]);
    }
}

/* Column statistics of the training inputs: shift and divisor per column for the chosen scaling. */
static void column_statistics(const il_dataset *train, il_scale how, double *shift, double *divisor) {
    size_t n = train->n, d = train->d;
    for (size_t j = 0; j < d; j++) {
        double lo = train->x[j], hi = train->x[j], sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            double v = train->x[i * d + j];
            sum += v;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (how == IL_SCALE_UNIT) {
            shift[j] = lo;
            divisor[j] = hi > lo ? hi - lo : 1.0;
            continue;
        }
        if (hi == lo) {
            /* Constant over the training set: subtract the value exactly and leave the scale alone (a
             * zero sd cannot be divided by, and the column carries no information to rescale). */
            shift[j] = lo;
            divisor[j] = 1.0;
            continue;
        }
        /* Two passes (mean, then squared deviations) in double: stable for large N and large offsets
         * such as raw pixel values. */
        double mean = sum / (double)n, ss = 0.0;
        for (size_t i = 0; i < n; i++) {
            double dev = train->x[i * d + j] - mean;
            ss += dev * dev;
        }
        double sd = sqrt(ss / (double)n);
        shift[j] = mean;
        divisor[j] = sd > 0.0 ? sd : 1.0;
    }
}

il_status il__scale_inputs(il_dataset *train, il_dataset *test, il_scale how, int pixels, il_error *err) {
    if (how == IL_SCALE_NONE) return IL_OK;
    if (how != IL_SCALE_STANDARDIZE && how != IL_SCALE_UNIT)
        return il_fail(err, IL_ERR_USAGE, "input scaling: unknown or unresolved choice %d", (int)how);
    size_t d = train->d;
    if (train->n == 0 || d == 0)
        return il_fail(err, IL_ERR_USAGE,
                       "input scaling: the training set is empty, so it has no statistics");
    if (test->n > 0 && test->d != d)
        return il_fail(err, IL_ERR_USAGE,
                       "input scaling: training examples have %zu inputs, test examples %zu", d, test->d);
    if (d > SIZE_MAX / (2 * sizeof(double)))
        return il_fail(err, IL_ERR_NOMEM, "input scaling: too many inputs (%zu)", d);
    double *stats = malloc(2 * d * sizeof *stats); /* shift (D) then divisor (D) */
    if (!stats) return il_fail(err, IL_ERR_NOMEM, "input scaling: out of memory for %zu columns", d);
    double *shift = stats, *divisor = stats + d;
    if (how == IL_SCALE_UNIT && pixels) {
        /* Pixels have a known range 0..255: dividing by it keeps images comparable across sets. */
        for (size_t j = 0; j < d; j++) {
            shift[j] = 0.0;
            divisor[j] = 255.0;
        }
    } else {
        column_statistics(train, how, shift, divisor);
    }
    apply_affine(train, shift, divisor);
    apply_affine(test, shift, divisor);
    free(stats);
    return IL_OK;
}
