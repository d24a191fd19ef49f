/* values.c - the structured values of an experiment file other than the inits: the description (text
 * over several lines), the hidden widths (a list of sizes) and the seeds (a count or a list), with the
 * list syntax they share. Numbers inside them go through core/parse.c like every other number.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment_internal.h"

int il__is_blank(char c) {
    return c == ' ' || c == '\t';
}

const char *il__text_line_problem(const char *line, size_t len) {
    if (len > 0 && (il__is_blank(line[0]) || il__is_blank(line[len - 1])))
        return "starts or ends with a space";
    if (len > 0 && line[0] == ';') return "starts with ';', which the INI format reads as a comment";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return "holds a control character";
        if (c == ';' && i > 0 && il__is_blank(line[i - 1]))
            return "holds \" ;\", which the INI format reads as the start of a comment";
    }
    return NULL;
}

/* ---- lists --------------------------------------------------------------------------------------- */

static char *empty_item(char *items, const char *where, il_error *err) {
    free(items);
    il_fail(err, IL_ERR_USAGE, "%s: empty item in the list (two commas in a row?)", where);
    return NULL;
}

char *il__split_list(const char *text, size_t *n, const char *where, il_error *err) {
    size_t len = strlen(text);
    char *items = malloc(len + 1);
    if (!items) {
        il_fail(err, IL_ERR_NOMEM, "%s: out of memory", where);
        return NULL;
    }
    size_t out = 0, count = 0;
    const char *line = text;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t line_len = eol ? (size_t)(eol - line) : strlen(line);
        /* trim the line and drop one trailing comma */
        size_t a = 0, b = line_len;
        while (a < b && isspace((unsigned char)line[a]))
            a++;
        while (b > a && isspace((unsigned char)line[b - 1]))
            b--;
        if (b > a && line[b - 1] == ',') b--;
        while (a < b) {
            size_t c = a;
            while (c < b && line[c] != ',')
                c++;
            size_t s = a, e = c;
            while (s < e && isspace((unsigned char)line[s]))
                s++;
            while (e > s && isspace((unsigned char)line[e - 1]))
                e--;
            if (s == e) return empty_item(items, where, err);
            if (e - s > IL__ITEM_CHARS) {
                char q[IL_QUOTE_SIZE], item[IL_QUOTE_CHARS + 4];
                snprintf(item, sizeof item, "%.*s", (int)(IL_QUOTE_CHARS + 1), line + s);
                free(items);
                il_fail(err, IL_ERR_USAGE, "%s: item %s is longer than %d characters", where,
                        il__quote(q, sizeof q, item), IL__ITEM_CHARS);
                return NULL;
            }
            memcpy(items + out, line + s, e - s);
            out += e - s;
            items[out++] = '\0';
            count++;
            a = c < b ? c + 1 : b;
            /* "a, b," already lost its last comma; "a,," leaves an empty item */
            if (c < b && a == b) return empty_item(items, where, err);
        }
        line = eol ? eol + 1 : line + line_len;
    }
    *n = count;
    return items;
}

/* ---- [experiment] description --------------------------------------------------------------------- */

/* The description keeps its line breaks; each line is trimmed and blank lines are dropped (inih skips
 * them when it reads the file, so the writer could not keep them either). */
il_status il__parse_description(il_experiment *exp, const il__key *key, const char *value, const char *where,
                                il_error *err) {
    (void)key;
    char text[sizeof exp->description];
    size_t out = 0, line_no = 0;
    const char *line = value;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        size_t a = 0, b = len;
        while (a < b && isspace((unsigned char)line[a]))
            a++;
        while (b > a && isspace((unsigned char)line[b - 1]))
            b--;
        if (b > a) {
            line_no++;
            const char *problem = il__text_line_problem(line + a, b - a);
            if (!problem && line[a] == '#')
                problem = "starts with '#', which the INI format reads as a comment on a continued line";
            if (!problem && b - a > IL__LINE_CHARS - 1) problem = "is too long for one line of the file";
            if (problem) {
                char q[IL_QUOTE_SIZE], l[IL_QUOTE_CHARS + 4];
                snprintf(l, sizeof l, "%.*s", (int)(b - a < IL_QUOTE_CHARS + 1 ? b - a : IL_QUOTE_CHARS + 1),
                         line + a);
                return il_fail(err, IL_ERR_USAGE, "%s: line %zu of the description, %s, %s", where, line_no,
                               il__quote(q, sizeof q, l), problem);
            }
            if (out + (out > 0) + (b - a) + 1 > sizeof text)
                return il_fail(err, IL_ERR_USAGE, "%s: the description is longer than %zu characters", where,
                               sizeof text - 1);
            if (out > 0) text[out++] = '\n';
            memcpy(text + out, line + a, b - a);
            out += b - a;
        }
        line = eol ? eol + 1 : line + len;
    }
    text[out] = '\0';
    /* quotes around the whole text (the check runs on the text as it will be written) */
    if (out >= 2 && ((text[0] == '"' && text[out - 1] == '"') || (text[0] == '\'' && text[out - 1] == '\'')))
        return il_fail(err, IL_ERR_USAGE, "%s: write the description without quotes around it", where);
    memcpy(exp->description, text, out + 1);
    return IL_OK;
}

/* ---- [network] hidden ----------------------------------------------------------------------------- */

/* The file's list syntax (lines, trailing commas) is read by il__split_list; the widths themselves by
 * the one size-list parser, as "a,b,c". "0" or "none" alone (or nothing) is no hidden layer. */
il_status il__parse_hidden(il_experiment *exp, const il__key *key, const char *value, const char *where,
                           il_error *err) {
    size_t n = 0;
    char *items = il__split_list(value, &n, where, err);
    if (!items) return err ? err->status : IL_ERR_USAGE;
    if (n == 1 && (!strcmp(items, "0") || !strcmp(items, "none"))) n = 0;
    il_status st = IL_OK;
    size_t widths[IL_MAX_LAYERS - 1], count = 0;
    if (n > 0) {
        /* the items back as one comma list: at most n - 1 commas more than their text */
        char *list = malloc(strlen(value) + n + 1);
        if (!list) {
            free(items);
            return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", where);
        }
        size_t used = 0;
        const char *item = items;
        for (size_t i = 0; i < n; i++, item += strlen(item) + 1) {
            if (i) list[used++] = ',';
            memcpy(list + used, item, strlen(item));
            used += strlen(item);
        }
        list[used] = '\0';
        size_t max = key->max_items < IL_MAX_LAYERS - 1 ? key->max_items : IL_MAX_LAYERS - 1;
        st = il__parse_size_list(list, key->whole, max, where, widths, &count, err);
        free(list);
    }
    free(items);
    if (st != IL_OK) return st;
    exp->n_hidden = count;
    memcpy(exp->hidden, widths, count * sizeof *widths);
    return IL_OK;
}

void il__format_hidden(const il_experiment *exp, const il__key *key, FILE *out) {
    (void)key;
    if (exp->n_hidden == 0) fputs("0", out);
    for (size_t i = 0; i < exp->n_hidden && i < IL_MAX_LAYERS; i++)
        fprintf(out, "%s%zu", i ? ", " : "", exp->hidden[i]);
}

/* ---- [seeds] -------------------------------------------------------------------------------------- */

/* Seeds 1..n are written as count = n; any other set as a list. */
static int seeds_are_a_count(const il_experiment *exp) {
    for (size_t i = 0; i < exp->n_seeds && i < IL_MAX_SEEDS; i++)
        if (exp->seeds[i] != i + 1) return 0;
    return 1;
}

il_status il__parse_seed_count(il_experiment *exp, const il__key *key, const char *value, const char *where,
                               il_error *err) {
    size_t n = 0;
    il_status st = il__parse_size(value, key->whole, where, &n, err);
    if (st != IL_OK) return st;
    exp->n_seeds = n;
    for (size_t i = 0; i < n; i++)
        exp->seeds[i] = i + 1;
    return IL_OK;
}

void il__format_seed_count(const il_experiment *exp, const il__key *key, FILE *out) {
    (void)key;
    if (seeds_are_a_count(exp)) fprintf(out, "%zu", exp->n_seeds);
}

il_status il__parse_seed_list(il_experiment *exp, const il__key *key, const char *value, const char *where,
                              il_error *err) {
    size_t n = 0;
    char *items = il__split_list(value, &n, where, err);
    if (!items) return err ? err->status : IL_ERR_USAGE;
    il_status st = IL_OK;
    size_t max = key->max_items < IL_MAX_SEEDS ? key->max_items : IL_MAX_SEEDS;
    if (n == 0 || n < key->min_items)
        st = il_fail(err, IL_ERR_USAGE, "%s: the list of seeds is empty; give at least one", where);
    if (n > max) st = il_fail(err, IL_ERR_USAGE, "%s: %zu seeds; at most %zu", where, n, max);
    uint64_t *seeds = st == IL_OK ? malloc(n * sizeof *seeds) : NULL;
    if (st == IL_OK && !seeds) st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", where);
    const char *item = items;
    for (size_t i = 0; st == IL_OK && i < n; i++, item += strlen(item) + 1) {
        char item_where[600];
        snprintf(item_where, sizeof item_where, "%s, item %zu", where, i + 1);
        st = il__parse_whole(item, key->whole, item_where, &seeds[i], err);
        for (size_t j = 0; st == IL_OK && j < i; j++)
            if (seeds[j] == seeds[i])
                st = il_fail(err, IL_ERR_USAGE, "%s: seed %" PRIu64 " is listed twice", where, seeds[i]);
    }
    free(items);
    if (st == IL_OK) {
        memcpy(exp->seeds, seeds, n * sizeof *seeds);
        exp->n_seeds = n;
    }
    free(seeds);
    return st;
}

void il__format_seed_list(const il_experiment *exp, const il__key *key, FILE *out) {
    (void)key;
    if (seeds_are_a_count(exp)) return;
    for (size_t i = 0; i < exp->n_seeds && i < IL_MAX_SEEDS; i++)
        fprintf(out, "%s%" PRIu64, i ? ", " : "", exp->seeds[i]);
}
