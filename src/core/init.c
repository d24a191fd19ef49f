/* init.c - the initialization schemes: names, parsing, their moments, and filling a layer.
 *
 * Dimension letters: I = fan-in of the layer (inputs), O = fan-out (outputs); w is (I, O), b is (O).
 * Each scheme is a distribution with a known mean and variance (il_init_moments), which the tests check
 * against samples and the docs quote. Drawing order is row-major over w, so a seed fixes every weight.
 */
#include "initlab/init.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"

/* ---- the table of schemes ------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *description;
    int has_param;
    double default_param;
} scheme_info;

static const scheme_info schemes[IL_INIT_COUNT] = {
    [IL_INIT_ZERO] = {"zero", "w = 0: every unit identical, the gradients into hidden layers vanish", 0, 0.0},
    [IL_INIT_UNIFORM] = {"uniform", "U(-a, a), a = 0.7 by default (ESL 11.5.3, for standardized inputs)", 1,
                         0.7},
    [IL_INIT_XAVIER] = {"xavier", "U(-r, r), r = sqrt(6 / (I + O)) (Glorot & Bengio 2010, variance 2/(I+O))",
                        0, 0.0},
    [IL_INIT_XAVIER_NORMAL] = {"xavier-normal", "N(0, 2 / (I + O)) (Glorot & Bengio 2010, normal form)", 0,
                               0.0},
    [IL_INIT_HE] = {"he", "N(0, 2 / I) (He et al. 2015, Kaiming normal, for ReLU)", 0, 0.0},
    [IL_INIT_HE_UNIFORM] = {"he-uniform", "U(-r, r), r = sqrt(6 / I) (He et al. 2015, variance 2/I)", 0, 0.0},
    [IL_INIT_LECUN] = {"lecun", "N(0, 1 / I) (LeCun 1998, variance 1/I)", 0, 0.0},
    [IL_INIT_NORMAL] = {"normal", "N(0, sigma^2), sigma = 0.1 by default", 1, 0.1},
    [IL_INIT_LARGE] = {"large", "U(-s, s), s = 10 by default: deliberately too large (ESL 11.5.1)", 1, 10.0},
};

const char *il_init_name(il_init_kind kind) {
    return (unsigned)kind < IL_INIT_COUNT ? schemes[kind].name : "unknown";
}

const char *il_init_describe(il_init_kind kind) {
    return (unsigned)kind < IL_INIT_COUNT ? schemes[kind].description : "unknown initializer";
}

double il_init_default_param(il_init_kind kind) {
    return (unsigned)kind < IL_INIT_COUNT ? schemes[kind].default_param : 0.0;
}

int il_init_has_param(il_init_kind kind) {
    return (unsigned)kind < IL_INIT_COUNT ? schemes[kind].has_param : 0;
}

/* ---- text form: "NAME" or "NAME:VALUE" ----------------------------------------------------------- */

#define VALID_NAMES                                                                                          \
    "zero, uniform[:A], xavier, xavier-normal, he, he-uniform, lecun, normal[:SIGMA], large[:S]"

il_status il_init_parse(il_init_spec *spec, const char *text, il_error *err) {
    if (!text || !*text)
        return il_fail(err, IL_ERR_USAGE, "empty initializer; expected one of: " VALID_NAMES);
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);

    int kind = -1;
    for (int i = 0; i < IL_INIT_COUNT; i++) {
        if (strlen(schemes[i].name) == name_len && strncmp(text, schemes[i].name, name_len) == 0) {
            kind = i;
            break;
        }
    }
    if (kind < 0)
        return il_fail(err, IL_ERR_USAGE, "unknown initializer '%.*s' in '%s'; expected one of: " VALID_NAMES,
                       (int)name_len, text, text);

    double param = schemes[kind].default_param;
    if (colon) {
        const char *value = colon + 1;
        if (!schemes[kind].has_param)
            return il_fail(err, IL_ERR_USAGE,
                           "initializer '%s' takes no parameter (got '%s'); only uniform:A, normal:SIGMA "
                           "and large:S take one",
                           schemes[kind].name, text);
        /* One strict parser for every number (core/parse.h): "0.1x", "inf", "-1" are refused alike. */
        char where[96];
        snprintf(where, sizeof where, "initializer '%s': parameter (e.g. %s:%g)", schemes[kind].name,
                 schemes[kind].name, schemes[kind].default_param);
        il_status st = il__parse_real(value, IL_RANGE_CLOSED(0.0, INFINITY), where, &param, err);
        if (st != IL_OK) return st;
    }
    spec->kind = (il_init_kind)kind;
    spec->param = param;
    spec->bias = 0.0;
    return IL_OK;
}

void il_init_format(const il_init_spec *spec, char *buf, size_t size) {
    if (!buf || size == 0) return;
    const char *name = il_init_name(spec->kind);
    if (!il_init_has_param(spec->kind) || spec->param == il_init_default_param(spec->kind)) {
        snprintf(buf, size, "%s", name);
        return;
    }
    /* The shortest form that reads back as the same double, so parse(format(s)) == s (core/parse.h). */
    char value[64];
    il__format_real(value, sizeof value, spec->param);
    snprintf(buf, size, "%s:%s", name, value);
}

/* ---- moments and sampling ------------------------------------------------------------------------- */

/* Every scheme is either uniform on (-r, r) (variance r^2 / 3) or normal N(0, sd^2), both with mean 0.
 * scheme_shape returns which, and r or sd. */
typedef enum { SHAPE_ZERO, SHAPE_UNIFORM, SHAPE_NORMAL } shape;

static shape scheme_shape(const il_init_spec *spec, size_t I, size_t O, double *scale) {
    const double fan_in = (double)(I ? I : 1), fan_sum = (double)(I + O ? I + O : 1);
    switch (spec->kind) {
    case IL_INIT_UNIFORM: *scale = spec->param; return SHAPE_UNIFORM;
    case IL_INIT_XAVIER: *scale = sqrt(6.0 / fan_sum); return SHAPE_UNIFORM;
    case IL_INIT_XAVIER_NORMAL: *scale = sqrt(2.0 / fan_sum); return SHAPE_NORMAL;
    case IL_INIT_HE: *scale = sqrt(2.0 / fan_in); return SHAPE_NORMAL;
    case IL_INIT_HE_UNIFORM: *scale = sqrt(6.0 / fan_in); return SHAPE_UNIFORM;
    case IL_INIT_LECUN: *scale = sqrt(1.0 / fan_in); return SHAPE_NORMAL;
    case IL_INIT_NORMAL: *scale = spec->param; return SHAPE_NORMAL;
    case IL_INIT_LARGE: *scale = spec->param; return SHAPE_UNIFORM;
    case IL_INIT_ZERO:
    default: *scale = 0.0; return SHAPE_ZERO;
    }
}

void il_init_moments(const il_init_spec *spec, size_t I, size_t O, double *mean, double *variance) {
    double scale;
    shape s = scheme_shape(spec, I, O, &scale);
    if (mean) *mean = 0.0;
    if (variance)
        *variance = s == SHAPE_UNIFORM ? scale * scale / 3.0 : s == SHAPE_NORMAL ? scale * scale : 0.0;
}

void il_init_layer(const il_init_spec *spec, float *w, float *b, size_t I, size_t O, il_rng *rng) {
    double scale;
    shape s = scheme_shape(spec, I, O, &scale);
    const size_t n = I * O;
    for (size_t i = 0; i < n; i++) {
        switch (s) {
        case SHAPE_UNIFORM: w[i] = (float)il_rng_uniform_range(rng, -scale, scale); break;
        case SHAPE_NORMAL: w[i] = (float)(scale * il_rng_normal(rng)); break;
        case SHAPE_ZERO:
        default: w[i] = 0.0f; break;
        }
    }
    for (size_t j = 0; j < O; j++)
        b[j] = (float)spec->bias;
}
