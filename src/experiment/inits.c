/* inits.c - [inits] list and bias: the initializations an experiment compares. An item is
 * "[LABEL=]SCHEME[:VALUE][/SCHEME...]", one scheme for every layer or one per layer; the label names the
 * CSV columns and run folders, so it is checked to be fit for both. Scheme names and formulas are
 * core/init.c's; the value after ':' is read by the one number parser (core/parse.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment_internal.h"
#include "initlab/init.h"

static int label_char_ok(char c) {
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '+';
}

/* The label an item gets when none is given: its text with ':' as '-' and '/' as '+'
 * ("uniform:0.01" -> "uniform-0.01", "xavier/he" -> "xavier+he"), fit for CSV columns and folders. */
static void derive_label(char *label, size_t size, const char *text) {
    size_t i = 0;
    for (; text[i] && i + 1 < size; i++)
        label[i] = text[i] == ':' ? '-' : text[i] == '/' ? '+' : text[i];
    label[i] = '\0';
}

/* "NAME", or "NAME:VALUE" when the value is not the scheme's default. */
static void format_scheme(const il_init_spec *spec, char *buf, size_t size) {
    const char *name = il_init_name(spec->kind);
    if (il_init_has_param(spec->kind) && spec->param != il_init_default_param(spec->kind)) {
        char v[32];
        il__format_real(v, sizeof v, spec->param);
        snprintf(buf, size, "%s:%s", name, v);
    } else {
        snprintf(buf, size, "%s", name);
    }
}

void il__format_schemes(const il_init_entry *entry, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    size_t n = entry->n_specs < 1 ? 1 : entry->n_specs > IL_MAX_LAYERS ? IL_MAX_LAYERS : entry->n_specs;
    for (size_t l = 0; l < n && used + 1 < size; l++) {
        char one[64];
        format_scheme(&entry->layer[l], one, sizeof one);
        snprintf(buf + used, size - used, "%s%s", l ? "/" : "", one);
        used += strlen(buf + used);
    }
}

/* One scheme "NAME[:VALUE]" (lowercased, blanks removed) into spec; the value in range. */
static il_status parse_scheme(il_init_spec *spec, char *scheme, const char *item, il_range range,
                              const char *where, il_error *err) {
    char q[IL_QUOTE_SIZE], s[IL_QUOTE_SIZE];
    if (!*scheme)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: item %s: empty scheme (per-layer schemes are written \"xavier/he\")", where,
                       il__quote(q, sizeof q, item));
    char *colon = strchr(scheme, ':');
    double value = 0.0;
    if (colon) {
        /* the value first, so that "uniform:-1" is refused for its value in the words of every number */
        char value_where[700];
        snprintf(value_where, sizeof value_where, "%s: item %s, the value after ':'", where,
                 il__quote(q, sizeof q, scheme));
        il_status st = il__parse_real(colon + 1, range, value_where, &value, err);
        if (st != IL_OK) return st;
        *colon = '\0';
    }
    il_error inner;
    il_error_clear(&inner);
    il_init_spec parsed;
    if (il_init_parse(&parsed, scheme, &inner) != IL_OK)
        return il_fail(err, IL_ERR_USAGE, "%s: item %s: %s", where, il__quote(q, sizeof q, scheme),
                       inner.msg);
    if ((int)parsed.kind < 0 || parsed.kind >= IL_INIT_COUNT)
        return il_fail(err, IL_ERR_USAGE, "%s: item %s: not a known scheme", where,
                       il__quote(s, sizeof s, scheme));
    if (colon && !il_init_has_param(parsed.kind))
        return il_fail(err, IL_ERR_USAGE,
                       "%s: item %s: %s takes no value; only uniform:A, normal:SIGMA and large:S take one",
                       where, il__quote(q, sizeof q, item), il_init_name(parsed.kind));
    parsed.param = colon ? value : il_init_default_param(parsed.kind);
    *spec = parsed;
    return IL_OK;
}

/* One item "[LABEL=]SCHEME[/SCHEME...]" into entry, with every bias at bias. */
static il_status parse_init_item(il_init_entry *entry, const char *item, double bias, il_range range,
                                 const char *where, il_error *err) {
    char text[IL__ITEM_CHARS + 1], label[IL__ITEM_CHARS + 1];
    char q[IL_QUOTE_SIZE];
    il__lowercase(text, sizeof text, item);
    char *schemes = text;
    char *eq = strchr(text, '=');
    if (eq) {
        *eq = '\0';
        schemes = eq + 1;
        while (il__is_blank(*schemes))
            schemes++;
        size_t len = strlen(text);
        while (len > 0 && il__is_blank(text[len - 1]))
            text[--len] = '\0';
        memcpy(label, item, len); /* a given label keeps the case the user wrote */
        label[len] = '\0';
    }
    /* "uniform : 0.1" and "xavier / he" are "uniform:0.1" and "xavier/he" */
    size_t w = 0;
    for (size_t r = 0; schemes[r]; r++) {
        char next = schemes[r + strspn(schemes + r, " \t")];
        int around =
            il__is_blank(schemes[r]) &&
            ((w > 0 && (schemes[w - 1] == ':' || schemes[w - 1] == '/')) || next == ':' || next == '/');
        if (!around) schemes[w++] = schemes[r];
    }
    schemes[w] = '\0';
    if (!eq) derive_label(label, sizeof label, text);

    il_init_entry e;
    memset(&e, 0, sizeof e);
    char *scheme = schemes;
    for (;;) {
        char *slash = strchr(scheme, '/');
        if (slash) *slash = '\0';
        if (e.n_specs == IL_MAX_LAYERS)
            return il_fail(err, IL_ERR_USAGE,
                           "%s: item %s: more per-layer schemes than the %d layers allowed", where,
                           il__quote(q, sizeof q, item), IL_MAX_LAYERS);
        il_status st = parse_scheme(&e.layer[e.n_specs], scheme, item, range, where, err);
        if (st != IL_OK) return st;
        e.layer[e.n_specs++].bias = bias;
        if (!slash) break;
        scheme = slash + 1;
    }
    /* the layers after the last given one repeat it, so layer[l] is valid for every l */
    for (size_t l = e.n_specs; l < IL_MAX_LAYERS; l++)
        e.layer[l] = e.layer[e.n_specs - 1];

    size_t len = strlen(label);
    int ok = len >= 1 && len < IL_NAME_MAX;
    for (size_t i = 0; ok && i < len; i++)
        ok = label_char_ok(label[i]);
    if (!ok && eq)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: item %s: a label must be 1 to 63 letters, digits, '-', '_', '.' or '+'", where,
                       il__quote(q, sizeof q, item));
    if (!ok)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: item %s cannot serve as a label (1 to 63 letters, digits, '-', '_', '.', '+'); "
                       "name it: LABEL=SCHEME, e.g. wide=%.40s",
                       where, il__quote(q, sizeof q, item), item);
    memcpy(e.label, label, len + 1);
    *entry = e;
    return IL_OK;
}

/* Labels become folder names: two that differ only in case would collide on some file systems. */
static int same_label(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

double il__current_bias(const il_experiment *exp) {
    return exp->n_inits > 0 ? exp->inits[0].layer[0].bias : 0.0;
}

il_status il__parse_init_list(il_experiment *exp, const il__key *key, const char *value, const char *where,
                              il_error *err) {
    size_t n = 0;
    char *items = il__split_list(value, &n, where, err);
    if (!items) return err ? err->status : IL_ERR_USAGE;
    il_status st = IL_OK;
    size_t max = key->max_items < IL_MAX_INITS ? key->max_items : IL_MAX_INITS;
    if (n == 0 || n < key->min_items)
        st = il_fail(err, IL_ERR_USAGE,
                     "%s: the list of inits is empty; give at least one, e.g. "
                     "list = zero, uniform, xavier, he, large",
                     where);
    if (n > max) st = il_fail(err, IL_ERR_USAGE, "%s: %zu inits; at most %zu", where, n, max);
    il_init_entry *entries = st == IL_OK ? malloc(n * sizeof *entries) : NULL;
    if (st == IL_OK && !entries) st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", where);
    double bias = il__current_bias(exp);
    const char *item = items;
    for (size_t i = 0; st == IL_OK && i < n; i++, item += strlen(item) + 1) {
        st = parse_init_item(&entries[i], item, bias, key->real, where, err);
        for (size_t j = 0; st == IL_OK && j < i; j++) {
            if (same_label(entries[i].label, entries[j].label)) {
                char q[IL_QUOTE_SIZE];
                st = il_fail(err, IL_ERR_USAGE,
                             "%s: two inits are labelled %s (labels name columns and folders); give one "
                             "a label of its own: LABEL=SCHEME, e.g. small=uniform:0.01",
                             where, il__quote(q, sizeof q, entries[i].label));
            }
        }
    }
    free(items);
    if (st == IL_OK) {
        memcpy(exp->inits, entries, n * sizeof *entries);
        exp->n_inits = n;
    }
    free(entries);
    return st;
}

void il__format_init_list(const il_experiment *exp, const il__key *key, FILE *out) {
    (void)key;
    for (size_t i = 0; i < exp->n_inits && i < IL_MAX_INITS; i++) {
        const il_init_entry *e = &exp->inits[i];
        char schemes[IL_MAX_LAYERS * 40], derived[IL_NAME_MAX];
        il__format_schemes(e, schemes, sizeof schemes);
        derive_label(derived, sizeof derived, schemes);
        if (i) fputs(", ", out);
        /* the label is written only when it is not the one the scheme text gives */
        if (strcmp(derived, e->label) != 0 || strlen(schemes) >= IL_NAME_MAX) fprintf(out, "%s=", e->label);
        fputs(schemes, out);
    }
}

il_status il__parse_bias(il_experiment *exp, const il__key *key, const char *value, const char *where,
                         il_error *err) {
    double bias = 0.0;
    il_status st = il__parse_real(value, key->real, where, &bias, err);
    if (st != IL_OK) return st;
    for (size_t i = 0; i < exp->n_inits && i < IL_MAX_INITS; i++)
        for (size_t l = 0; l < IL_MAX_LAYERS; l++)
            exp->inits[i].layer[l].bias = bias;
    return IL_OK;
}

void il__format_bias(const il_experiment *exp, const il__key *key, FILE *out) {
    (void)key;
    char buf[32];
    il__format_real(buf, sizeof buf, il__current_bias(exp));
    fputs(buf, out);
}
