/* write.c - the experiment as INI text: every key of the table, section after section, in the form
 * il_experiment_parse reads back to the same values (lists wrapped over indented lines, the description
 * one indented line per line). The text depends on the experiment alone (no version, no date), so the
 * same experiment always gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "experiment/experiment_internal.h"

/* The writer breaks lists into lines of about this width. */
#define WRAP_CHARS 100

/* One "key = value" line, or "key=value" when only that fits. */
static void write_single(FILE *out, const char *key, const char *value) {
    if (strlen(key) + 3 + strlen(value) <= IL__LINE_CHARS)
        fprintf(out, "%s = %s\n", key, value);
    else
        fprintf(out, "%s=%s\n", key, value);
}

/* A list "a, b, c" over lines of about WRAP_CHARS, continued lines indented; a line ends with ','. */
static void write_list(FILE *out, const char *key, const char *value) {
    fprintf(out, "%s =", key);
    size_t col = strlen(key) + 2;
    const char *item = value;
    int first = 1;
    while (*item) {
        const char *end = strstr(item, ", ");
        size_t len = end ? (size_t)(end - item) : strlen(item);
        if (!first && col + 2 + len > WRAP_CHARS) {
            fputs(",\n   ", out);
            col = 3;
        } else if (!first) {
            fputc(',', out);
            col++;
        }
        fputc(' ', out);
        fwrite(item, 1, len, out);
        col += 1 + len;
        first = 0;
        item = end ? end + 2 : item + len;
    }
    fputc('\n', out);
}

/* Free text: "key =" then one indented line per line of text (on one line when it fits). */
static void write_text(FILE *out, const char *key, const char *value) {
    if (!*value) {
        fprintf(out, "%s =\n", key);
        return;
    }
    if (!strchr(value, '\n') && strlen(key) + 3 + strlen(value) <= IL__LINE_CHARS) {
        fprintf(out, "%s = %s\n", key, value);
        return;
    }
    fprintf(out, "%s =\n", key);
    const char *line = value;
    while (*line) {
        size_t len = strcspn(line, "\n");
        fputc(' ', out);
        fwrite(line, 1, len, out);
        fputc('\n', out);
        line += len + (line[len] == '\n');
    }
}

il_status il_experiment_format_ini(const il_experiment *exp, char **text, il_error *err) {
    *text = NULL;
    il_status st = il_experiment_check(exp, err);
    if (st != IL_OK) return st;
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out) return il_fail(err, IL_ERR_NOMEM, "experiment: out of memory while writing");
    fputs("# An initlab experiment, every key as used; docs/config.md explains them.\n", out);
    const char *section = "";
    for (size_t k = 0; k < il__n_keys && st == IL_OK; k++) {
        const il__key *key = &il__keys[k];
        char *value;
        st = il__format_value(exp, key, &value, err);
        if (st != IL_OK) break;
        if (strcmp(section, key->section) != 0) {
            fprintf(out, "\n[%s]\n", key->section);
            section = key->section;
        }
        /* the seeds key not in use (count for a list, list for 1..count) is left out */
        if (!(value[0] == '\0' && !strcmp(key->section, "seeds"))) {
            if (key->form == IL__FORM_LIST)
                write_list(out, key->key, value);
            else if (key->form == IL__FORM_TEXT)
                write_text(out, key->key, value);
            else
                write_single(out, key->key, value);
        }
        free(value);
    }
    if ((ferror(out) | fclose(out)) && st == IL_OK)
        st = il_fail(err, IL_ERR_NOMEM, "experiment: out of memory while writing");
    if (st != IL_OK) {
        free(buf);
        return st;
    }
    *text = buf;
    return IL_OK;
}

il_status il_experiment_write_ini(const il_experiment *exp, const char *path, il_error *err) {
    char *text;
    il_status st = il_experiment_format_ini(exp, &text, err);
    if (st != IL_OK) return st;
    st = il__write_file(path, text, strlen(text), err);
    free(text);
    return st;
}
