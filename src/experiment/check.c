/* check.c - il_experiment_check: every check a file gets, on a struct filled by any means (a file, flags,
 * code). Each key is formatted and read back through the key table on a scratch copy, so a value is
 * validated by the very parser a file's value meets; then the checks across keys (per-layer inits
 * against the depth of the network) that no single key can make.
 */
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment_internal.h"
#include "initlab/init.h"

il_status il__check_shape(const il_experiment *exp, il_error *err) {
    for (size_t k = 0; k < il__n_keys; k++) {
        const il__key *key = &il__keys[k];
        const char *field = (const char *)exp + key->offset;
        if ((key->type == IL__TYPE_NAME || key->type == IL__TYPE_STRING ||
             (key->type == IL__TYPE_CUSTOM && key->form == IL__FORM_TEXT)) &&
            !memchr(field, '\0', key->size))
            return il_fail(err, IL_ERR_USAGE, "[%s] %s: the text is not NUL-terminated", key->section,
                           key->key);
        if (key->type == IL__TYPE_WORD && !key->words->name(*(const int *)(const void *)field))
            return il_fail(err, IL_ERR_USAGE, "[%s] %s: not a known %s (%d)", key->section, key->key,
                           key->key, *(const int *)(const void *)field);
    }
    if (exp->n_hidden >= IL_MAX_LAYERS)
        return il_fail(err, IL_ERR_USAGE, "[network] hidden: %zu hidden layers; at most %d", exp->n_hidden,
                       IL_MAX_LAYERS - 1);
    if (exp->n_inits < 1 || exp->n_inits > IL_MAX_INITS)
        return il_fail(err, IL_ERR_USAGE, "[inits] list: %zu inits; give 1 to %d", exp->n_inits,
                       IL_MAX_INITS);
    if (exp->n_seeds < 1 || exp->n_seeds > IL_MAX_SEEDS)
        return il_fail(err, IL_ERR_USAGE, "[seeds]: %zu seeds; give 1 to %d", exp->n_seeds, IL_MAX_SEEDS);
    double bias = il__current_bias(exp);
    for (size_t i = 0; i < exp->n_inits; i++) {
        const il_init_entry *e = &exp->inits[i];
        if (!memchr(e->label, '\0', sizeof e->label))
            return il_fail(err, IL_ERR_USAGE, "[inits] list: label %zu is not NUL-terminated", i + 1);
        if (e->n_specs < 1 || e->n_specs > IL_MAX_LAYERS)
            return il_fail(err, IL_ERR_USAGE, "[inits] list: %s has %zu per-layer schemes; give 1 to %d",
                           e->label, e->n_specs, IL_MAX_LAYERS);
        for (size_t l = 0; l < IL_MAX_LAYERS; l++) {
            const il_init_spec *s = &e->layer[l];
            const il_init_spec *last = &e->layer[e->n_specs - 1];
            if ((int)s->kind < 0 || s->kind >= IL_INIT_COUNT)
                return il_fail(err, IL_ERR_USAGE, "[inits] list: %s, layer %zu: not a known scheme (%d)",
                               e->label, l, (int)s->kind);
            if (s->bias != bias)
                return il_fail(err, IL_ERR_USAGE,
                               "[inits] bias: %s, layer %zu starts its biases at %g but %s at %g; the config "
                               "gives one bias for every init",
                               e->label, l, s->bias, exp->inits[0].label, bias);
            if (l >= e->n_specs && (s->kind != last->kind || s->param != last->param))
                return il_fail(err, IL_ERR_USAGE,
                               "[inits] list: %s gives %zu per-layer schemes, so layer %zu must repeat the "
                               "last one",
                               e->label, e->n_specs, l);
        }
    }
    return IL_OK;
}

il_status il__check_layers(const il_experiment *exp, const char *place, int hidden_line, il_error *err) {
    size_t layers = exp->n_hidden + 1;
    for (size_t i = 0; i < exp->n_inits; i++) {
        const il_init_entry *e = &exp->inits[i];
        if (e->n_specs == 1 || e->n_specs == layers) continue;
        char schemes[IL_MAX_LAYERS * 40], q[IL_QUOTE_SIZE], from[128];
        il__format_schemes(e, schemes, sizeof schemes);
        char *widths = NULL;
        il_error ignored;
        il__format_value(exp, &il__keys[il__find_key("network", "hidden")], &widths, &ignored);
        snprintf(from, sizeof from, " = %.60s", widths ? widths : "?");
        free(widths);
        if (hidden_line > 0)
            snprintf(from + strlen(from), sizeof from - strlen(from), " (line %d)", hidden_line);
        return il_fail(err, IL_ERR_USAGE,
                       "%s[inits] list: %s gives %zu per-layer schemes, but [network] hidden%s makes %zu "
                       "layer%s (%zu hidden + the output layer); give %zu schemes separated by '/', or one "
                       "for every layer",
                       place, il__quote(q, sizeof q, schemes), e->n_specs, from, layers,
                       layers == 1 ? "" : "s", exp->n_hidden, layers);
    }
    return IL_OK;
}

il_status il_experiment_check(const il_experiment *exp, il_error *err) {
    il_status st = il__check_shape(exp, err);
    if (st != IL_OK) return st;
    il_experiment *scratch = malloc(sizeof *scratch);
    if (!scratch) return il_fail(err, IL_ERR_NOMEM, "experiment: out of memory");
    *scratch = *exp;
    for (size_t k = 0; k < il__n_keys && st == IL_OK; k++) {
        const il__key *key = &il__keys[k];
        char *value;
        st = il__format_value(exp, key, &value, err);
        if (st != IL_OK) break;
        /* the seeds key not in use formats as nothing */
        if (!(value[0] == '\0' && !strcmp(key->section, "seeds"))) {
            char where[64];
            snprintf(where, sizeof where, "[%s] %s", key->section, key->key);
            st = il__apply_value(scratch, key, value, where, err);
        }
        free(value);
    }
    free(scratch);
    if (st == IL_OK) st = il__check_layers(exp, "", 0, err);
    return st;
}
