/* dataset.c - the dataset container: one allocation per array, sizes checked for overflow first.
 *
 * Shapes: N examples, D inputs, T targets; x is (N, D), y is (N, T), labels is (N).
 * Loading, splitting and scaling live elsewhere (loaders, data.c); this file only owns the memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/data.h"

/* calloc(count, size) that never returns NULL for a zero count, so an empty dataset still has valid
 * (unused) pointers and callers need no special case. */
static void *alloc_zeroed(size_t count, size_t size) {
    return calloc(count ? count : 1, size);
}

il_status il_dataset_alloc(il_dataset *ds, size_t n, size_t d, size_t t, int with_labels, il_error *err) {
    memset(ds, 0, sizeof *ds);
    /* Every array is indexed with size_t: check N*D, N*T and their byte counts before allocating. */
    if ((d && n > SIZE_MAX / d) || (n * d > SIZE_MAX / sizeof(float)))
        return il_fail(err, IL_ERR_NOMEM, "a dataset of %zu examples x %zu inputs is too large to address", n,
                       d);
    if ((t && n > SIZE_MAX / t) || (n * t > SIZE_MAX / sizeof(float)))
        return il_fail(err, IL_ERR_NOMEM, "a dataset of %zu examples x %zu targets is too large to address",
                       n, t);
    float *x = alloc_zeroed(n * d, sizeof *x);                              /* (N, D) */
    float *y = alloc_zeroed(n * t, sizeof *y);                              /* (N, T) */
    int32_t *labels = with_labels ? alloc_zeroed(n, sizeof *labels) : NULL; /* (N) */
    if (!x || !y || (with_labels && !labels)) {
        free(x);
        free(y);
        free(labels);
        return il_fail(err, IL_ERR_NOMEM,
                       "out of memory for a dataset of %zu examples x %zu inputs (%zu MiB)", n, d,
                       (n * d * sizeof(float)) >> 20);
    }
    ds->n = n;
    ds->d = d;
    ds->t = t;
    ds->x = x;
    ds->y = y;
    ds->labels = labels;
    return IL_OK;
}

void il_dataset_free(il_dataset *ds) {
    if (!ds) return;
    free(ds->x);
    free(ds->y);
    free(ds->labels);
    memset(ds, 0, sizeof *ds);
}
