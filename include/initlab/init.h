/* init.h - weight initialization schemes, each a named formula of fan-in I and fan-out O.
 *
 *   zero           w = 0
 *   uniform        U(-a, a), a = 0.7 by default (ESL 11.5.3, for standardized inputs)
 *   xavier         U(-r, r), r = sqrt(6 / (I + O))        (Glorot & Bengio 2010, "normalized")
 *   xavier-normal  N(0, 2 / (I + O))
 *   he             N(0, 2 / I)                            (He et al. 2015, Kaiming normal)
 *   he-uniform     U(-r, r), r = sqrt(6 / I)
 *   lecun          N(0, 1 / I)
 *   normal         N(0, sigma^2), sigma given (default 0.1)
 *   large          U(-s, s), s = 10 by default: deliberately too large (ESL 11.5.1)
 *
 * Written as text "NAME" or "NAME:VALUE" (e.g. "uniform:0.3", "normal:0.05", "large:20").
 * Biases start at bias (0 by default).
 */
#ifndef INITLAB_INIT_H
#define INITLAB_INIT_H

#include <stddef.h>

#include "initlab/rng.h"
#include "initlab/status.h"

typedef enum {
    IL_INIT_ZERO = 0,
    IL_INIT_UNIFORM,
    IL_INIT_XAVIER,
    IL_INIT_XAVIER_NORMAL,
    IL_INIT_HE,
    IL_INIT_HE_UNIFORM,
    IL_INIT_LECUN,
    IL_INIT_NORMAL,
    IL_INIT_LARGE,
    IL_INIT_COUNT
} il_init_kind;

typedef struct {
    il_init_kind kind;
    double param; /* a (uniform), sigma (normal), s (large); ignored by the others */
    double bias;  /* every bias starts here (0 by default) */
} il_init_spec;

const char *il_init_name(il_init_kind kind);
const char *il_init_describe(il_init_kind kind);
/* The scheme's default parameter (0.7, 0.1, 10) and whether it takes one at all. */
double il_init_default_param(il_init_kind kind);
int il_init_has_param(il_init_kind kind);
/* Parse "NAME" or "NAME:VALUE" into spec (bias 0). On error returns IL_ERR_USAGE, spec untouched. */
il_status il_init_parse(il_init_spec *spec, const char *text, il_error *err);
/* Write "NAME" or "NAME:VALUE" (round-trip) into buf. */
void il_init_format(const il_init_spec *spec, char *buf, size_t size);

/* The distribution's mean and variance for a layer of fan-in I and fan-out O (for tests and docs). */
void il_init_moments(const il_init_spec *spec, size_t I, size_t O, double *mean, double *variance);

/* Fill w (I, O) and b (O) for one layer, drawing from rng in row-major order of w. */
void il_init_layer(const il_init_spec *spec, float *w, float *b, size_t I, size_t O, il_rng *rng);

#endif
