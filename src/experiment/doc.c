/* doc.c - docs/config.md's tables of keys, made from the key table: for every key its type, its default
 * (the value of il_experiment_default, as a file writes it), its range and its meaning. `initlab list
 * keys` prints them, and a unit test fails when docs/config.md holds anything else, so the reference
 * page cannot drift from the code.
 */
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment_internal.h"

static const char *type_words(const il__key *key) {
    if (key->type_doc) return key->type_doc;
    switch (key->type) {
    case IL__TYPE_WHOLE: return key->zero_word ? NULL : "whole number";
    case IL__TYPE_U64: return "whole number";
    case IL__TYPE_REAL: return "number";
    case IL__TYPE_WORD: return "word";
    case IL__TYPE_NAME: return "name";
    case IL__TYPE_STRING: return "text";
    case IL__TYPE_CUSTOM: return "value";
    }
    return "value";
}

static void write_type(FILE *out, const il__key *key) {
    const char *words = type_words(key);
    if (words)
        fputs(words, out);
    else
        fprintf(out, "whole number or `%s`", key->zero_word);
}

static void write_range(FILE *out, const il__key *key) {
    char buf[128];
    switch (key->type) {
    case IL__TYPE_WHOLE:
    case IL__TYPE_U64:
        il__describe_whole_bounds(buf, sizeof buf, key->whole);
        if (key->zero_word) fprintf(out, "`%s` or ", key->zero_word);
        fputs(buf, out);
        return;
    case IL__TYPE_REAL:
        il__describe_bounds(buf, sizeof buf, key->real);
        fputs(buf, out);
        return;
    case IL__TYPE_WORD:
        for (size_t i = 0; i < key->words->count; i++)
            fprintf(out, "%s`%s`", i ? ", " : "", key->words->name(key->words->values[i]));
        if (key->words->also) fprintf(out, " (also `%s`)", key->words->also);
        return;
    case IL__TYPE_NAME:
        fprintf(out, "1 to %zu letters, digits, `-`, `_`, `.` (not first: `-`, `.`)", key->size - 1);
        return;
    case IL__TYPE_STRING: fputs("not empty, one line", out); return;
    case IL__TYPE_CUSTOM:
        if (key->form == IL__FORM_TEXT) {
            fprintf(out, "up to %zu characters, over indented lines too", key->size - 1);
        } else if (key->form == IL__FORM_LIST) {
            fprintf(out, "%zu to %zu items", key->min_items, key->max_items);
            if (key->whole.hi != 0) {
                il__describe_whole_bounds(buf, sizeof buf, key->whole);
                fprintf(out, ", each %s", buf);
            }
        } else if (key->real.lo != 0 || key->real.hi != 0) { /* one number */
            il__describe_bounds(buf, sizeof buf, key->real);
            fputs(buf, out);
        } else {
            il__describe_whole_bounds(buf, sizeof buf, key->whole);
            fputs(buf, out);
        }
        return;
    }
}

/* The table of one section: "| Key | Type | Default | Range | Meaning |" and a row per key. */
static il_status write_section(FILE *out, const il_experiment *defaults, const char *section, il_error *err) {
    fputs("| Key | Type | Default | Range | Meaning |\n|---|---|---|---|---|\n", out);
    for (size_t k = 0; k < il__n_keys; k++) {
        const il__key *key = &il__keys[k];
        if (strcmp(key->section, section) != 0) continue;
        char *value;
        il_status st = il__format_value(defaults, key, &value, err);
        if (st != IL_OK) return st;
        fprintf(out, "| `%s` | ", key->key);
        write_type(out, key);
        if (strchr(value, '\n'))
            fputs(" | see below | ", out); /* the description: the page shows the default experiment */
        else if (!*value)
            fputs(" | (not set) | ", out);
        else
            fprintf(out, " | `%s` | ", value);
        free(value);
        write_range(out, key);
        fprintf(out, " | %s |\n", key->doc);
    }
    return IL_OK;
}

il_status il_experiment_doc_table(const char *section, char **text, il_error *err) {
    *text = NULL;
    if (section && il__find_section(section) < 0) return il__unknown_section(err, "", section);
    il_experiment *defaults = malloc(sizeof *defaults);
    char *buf = NULL;
    size_t size = 0;
    FILE *out = defaults ? open_memstream(&buf, &size) : NULL;
    if (!out) {
        free(defaults);
        return il_fail(err, IL_ERR_NOMEM, "experiment: out of memory");
    }
    il_experiment_default(defaults);
    il_status st = IL_OK;
    for (size_t s = 0; s < il__n_sections && st == IL_OK; s++) {
        if (section && strcmp(section, il__sections[s]) != 0) continue;
        if (!section) fprintf(out, "%s## [%s]\n\n", s ? "\n" : "", il__sections[s]);
        st = write_section(out, defaults, il__sections[s], err);
    }
    free(defaults);
    if ((ferror(out) | fclose(out)) && st == IL_OK)
        st = il_fail(err, IL_ERR_NOMEM, "experiment: out of memory");
    if (st != IL_OK) {
        free(buf);
        return st;
    }
    *text = buf;
    return IL_OK;
}
