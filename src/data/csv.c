/* csv.c - CSV files with a header row, for users' own spreadsheets: chosen feature columns and one label
 * column (class names or class numbers) or numeric target column, each named in the header.
 *
 * The records come from the one tokenizer (core/csv.h: RFC 4180 quotes, CRLF, byte-order mark, blank
 * lines), with spaces around cells dropped as a spreadsheet user expects. This file keeps only what the
 * cells mean: unique header names, the label column, every input a finite number that fits a float.
 * It does not guess other separators nor fill in missing values: such files get an error saying so.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/files.h"
#include "core/parse.h"
#include "data/loaders.h"

/* Most classes a label column may hold: the one-hot targets take N x K floats. */
#define CSV_MAX_CLASSES 1000
/* The most a CSV dataset may hold, plain or decompressed: 256 MiB of text is some 25 million numbers,
 * far beyond the tables a teaching lab trains on, and it keeps a wrong path from swallowing memory. */
#define CSV_MAX_FILE_BYTES ((size_t)256 << 20)
/* How much of a CSV file is looked at before the rest is read. */
#define CSV_HEAD_BYTES ((size_t)64 << 10)

/* ---- columns ---------------------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    size_t column; /* 0-based */
} column_ref;

static int compare_refs(const void *a, const void *b) {
    const column_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return x->column < y->column ? -1 : x->column > y->column;
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "'abc'" for messages: il__quote's shortening and control bytes shown as '?' (a cell may hold line
 * breaks and escape sequences; a message stays one printable line), in the single quotes of these
 * messages. buf holds at least IL_QUOTE_SIZE bytes. */
static const char *quoted(char *buf, size_t size, const char *text) {
    char shown[IL_QUOTE_SIZE];
    snprintf(buf, size, "'%s'", il__csv_shown(shown, sizeof shown, text));
    return buf;
}

/* The header's names, listed for a message (shortened when long). */
static void list_columns(char *buf, size_t size, const column_ref *header, size_t n) {
    size_t used = 0, i = 0;
    buf[0] = '\0';
    for (; i < n && used + 64 < size; i++) {
        char q[IL_QUOTE_SIZE];
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         il__csv_shown(q, sizeof q, header[i].name));
        if (w < 0) break;
        used += (size_t)w;
    }
    if (i < n) snprintf(buf + used, size - used, ", ...");
}

/* Column index of name, or SIZE_MAX. sorted: the header sorted by (name, column). */
static size_t find_column(const column_ref *sorted, size_t n, const char *name) {
    column_ref key = {name, 0};
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first entry >= key */
        size_t mid = lo + (hi - lo) / 2;
        if (compare_refs(&sorted[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(sorted[lo].name, name) == 0 ? sorted[lo].column : SIZE_MAX;
}

static il_status no_such_column(const char *file, const char *what, const char *name,
                                const column_ref *header, size_t n, il_error *err) {
    char list[512], shown[IL_QUOTE_SIZE];
    list_columns(list, sizeof list, header, n);
    const char *hint = "";
    if (n == 1 && (strchr(header[0].name, ';') || strchr(header[0].name, '\t')))
        hint =
            " (the header has a single column: is the file separated by ';' or tabs? initlab reads commas)";
    return il_fail(err, IL_ERR_USAGE,
                   "%s: no column named %s (the %s) in the header row; the columns are: %s%s", file,
                   quoted(shown, sizeof shown, name), what, list, hint);
}

/* ---- numbers ---------------------------------------------------------------------------------------- */

/* "inf", "-Infinity", "nan": a word for a value that is not finite (said so, rather than "not a number"). */
static int non_finite_word(const char *text) {
    if (*text == '+' || *text == '-') text++;
    return strcasecmp(text, "inf") == 0 || strcasecmp(text, "infinity") == 0 || strcasecmp(text, "nan") == 0;
}

/* Parse a whole field as a finite float. */
static il_status parse_number(const char *text, const char *file, size_t line, const char *column_name,
                              size_t column, float *value, il_error *err) {
    char shown[IL_QUOTE_SIZE], col[IL_QUOTE_SIZE];
    quoted(col, sizeof col, column_name);
    if (text[0] == '\0')
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: line %zu, column %s (column %zu) is empty; expected a number (missing values are "
                       "not filled in: complete or remove the row)",
                       file, line, col, column + 1);
    double v = 0.0;
    int scanned = il__scan_real(text, &v); /* the one number grammar (core/parse.h) */
    if (scanned == 0 && !non_finite_word(text))
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column %s (column %zu): %s is not a number%s", file,
                       line, col, column + 1, quoted(shown, sizeof shown, text),
                       strchr(text, ',') ? " (write decimals with a point, not a comma)" : "");
    if (scanned == 0)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: line %zu, column %s (column %zu): %s is not finite; expected an ordinary finite "
                       "number",
                       file, line, col, column + 1, quoted(shown, sizeof shown, text));
    if (scanned < 0) v = INFINITY; /* beyond a double: out of a float's range too */
    if (fabs(v) > FLT_MAX)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: line %zu, column %s (column %zu): %s is out of range; expected a number within "
                       "+-3.4e38 (a float)",
                       file, line, col, column + 1, quoted(shown, sizeof shown, text));
    *value = (float)v;
    return IL_OK;
}

/* A class number: a non-negative whole number ("3", "3.0"). */
static int class_number(const char *text, double *value) {
    double v;
    if (il__scan_real(text, &v) != 1 || v < 0 || v != floor(v)) return 0;
    *value = v;
    return 1;
}

/* ---- the loader ------------------------------------------------------------------------------------- */

typedef struct {
    column_ref *header; /* (C) in column order */
    column_ref *sorted; /* (C) by name */
    size_t n_columns;
    size_t *feature_col; /* (D) column of each feature, in the order asked */
    size_t n_features;
    size_t label_col;
    char **label_text; /* (N) classification: each row's label */
    char **names;      /* (K) sorted distinct class names, or "0".."K-1" */
    size_t n_classes;
    int numbered;        /* class labels are numbers used as indices */
    char **header_names; /* (C) one block from il__csv_copy_fields */
} csv_state;

static void state_free(csv_state *s, size_t n_rows) {
    free(s->header);
    free(s->sorted);
    free(s->feature_col);
    free(s->header_names);
    if (s->label_text)
        for (size_t i = 0; i < n_rows; i++)
            free(s->label_text[i]);
    free(s->label_text);
    if (s->names)
        for (size_t k = 0; k < s->n_classes; k++)
            free(s->names[k]);
    free(s->names);
}

/* Header row: names unique; the label and features resolved to columns. */
static il_status read_header(il__csv_tokenizer *r, csv_state *s, const il__csv_options *opt, il_error *err) {
    int got = 0;
    il_status st = il__csv_next(r, &got, err);
    if (st != IL_OK) return st;
    if (!got)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s is empty; expected a header row naming the columns, then one row per example",
                       r->name);
    size_t c = r->n_fields;
    /* Keep the names: the tokenizer's cells are reused by every record. */
    s->header_names = il__csv_copy_fields(r);
    s->header = malloc(c * sizeof *s->header);
    s->sorted = malloc(c * sizeof *s->sorted);
    if (!s->header_names || !s->header || !s->sorted)
        return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
    for (size_t i = 0; i < c; i++) {
        s->header[i].name = s->header_names[i];
        s->header[i].column = i;
    }
    s->n_columns = c;
    memcpy(s->sorted, s->header, c * sizeof *s->sorted);
    qsort(s->sorted, c, sizeof *s->sorted, compare_refs);
    char shown[IL_QUOTE_SIZE];
    for (size_t i = 1; i < c; i++)
        if (strcmp(s->sorted[i - 1].name, s->sorted[i].name) == 0)
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: the header row (line %zu) names columns %zu and %zu both %s; expected unique "
                           "column names",
                           r->name, r->record_line, s->sorted[i - 1].column + 1, s->sorted[i].column + 1,
                           quoted(shown, sizeof shown, s->sorted[i].name));

    s->label_col = find_column(s->sorted, c, opt->label);
    if (s->label_col == SIZE_MAX) return no_such_column(r->name, "label", opt->label, s->header, c, err);

    const char *list = opt->features;
    if (!list || !*list) { /* every column but the label, in header order */
        if (c < 2)
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: the header row has only the label column %s; expected feature columns too",
                           r->name, quoted(shown, sizeof shown, opt->label));
        s->feature_col = malloc((c - 1) * sizeof *s->feature_col);
        if (!s->feature_col) return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
        for (size_t i = 0; i < c; i++)
            if (i != s->label_col) s->feature_col[s->n_features++] = i;
        return IL_OK;
    }
    size_t most = 1;
    for (const char *p = list; *p; p++)
        most += *p == ';';
    s->feature_col = malloc(most * sizeof *s->feature_col);
    char *names = il__strdup(list);
    if (!s->feature_col || !names) {
        free(names);
        return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
    }
    st = IL_OK;
    char *p = names;
    for (size_t position = 1; st == IL_OK && p; position++) {
        char *semi = strchr(p, ';');
        if (semi) *semi = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            p[--len] = '\0';
        size_t col = SIZE_MAX;
        if (!*p)
            st = il_fail(err, IL_ERR_USAGE,
                         "%s: the features list %s has an empty name at position %zu; expected column names "
                         "separated by ';'",
                         r->name, quoted(shown, sizeof shown, list), position);
        else if ((col = find_column(s->sorted, c, p)) == SIZE_MAX)
            st = no_such_column(r->name, "feature", p, s->header, c, err);
        else if (col == s->label_col)
            st = il_fail(err, IL_ERR_USAGE,
                         "%s: column %s is both a feature and the label; a model cannot be given its answer",
                         r->name, quoted(shown, sizeof shown, p));
        for (size_t j = 0; st == IL_OK && j < s->n_features; j++)
            if (s->feature_col[j] == col)
                st = il_fail(err, IL_ERR_USAGE, "%s: the features list names column %s twice", r->name,
                             quoted(shown, sizeof shown, p));
        if (st == IL_OK) s->feature_col[s->n_features++] = col;
        p = semi ? semi + 1 : NULL;
    }
    free(names);
    return st;
}

/* First pass: count the rows, check each has as many fields as the header, keep the class labels. */
static il_status count_rows(il__csv_tokenizer *r, csv_state *s, int keep_labels, size_t *n_rows,
                            il_error *err) {
    size_t n = 0, cap = 0;
    int got = 0;
    char shown[IL_QUOTE_SIZE];
    for (;;) {
        il_status st = il__csv_next(r, &got, err);
        if (st != IL_OK) return st;
        if (!got) break;
        if (r->n_fields != s->n_columns)
            return il_fail(
                err, IL_ERR_FORMAT,
                "%s: line %zu has %zu field%s but the header row has %zu columns; expected one value "
                "per column%s",
                r->name, r->record_line, r->n_fields, r->n_fields == 1 ? "" : "s", s->n_columns,
                r->n_fields < s->n_columns ? " (is a value missing?)"
                                           : " (is a comma in a number, or an unquoted text?)");
        if (keep_labels) {
            const char *label = il__csv_field(r, s->label_col);
            if (!*label)
                return il_fail(
                    err, IL_ERR_FORMAT,
                    "%s: line %zu, label column %s (column %zu) is empty; expected a class name or "
                    "number",
                    r->name, r->record_line, quoted(shown, sizeof shown, s->header[s->label_col].name),
                    s->label_col + 1);
            if (n == cap) {
                size_t grown_cap = cap ? cap * 2 : 256;
                char **grown = realloc(s->label_text, grown_cap * sizeof *grown);
                if (!grown) return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
                s->label_text = grown;
                cap = grown_cap;
            }
            s->label_text[n] = il__strdup(label);
            if (!s->label_text[n]) return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
        }
        *n_rows = ++n;
    }
    if (n == 0)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s has a header row but no data rows; expected at least one row of values", r->name);
    return IL_OK;
}

/* Classes from the labels: all whole numbers >= 0 are used as class indices 0..max; anything else
 * makes every label a class name, numbered in strcmp order. */
static il_status find_classes(csv_state *s, size_t n, const char *file, il_error *err) {
    char shown[IL_QUOTE_SIZE], col[IL_QUOTE_SIZE];
    quoted(col, sizeof col, s->header[s->label_col].name);
    double largest = -1, v = 0;
    s->numbered = 1;
    for (size_t i = 0; i < n && s->numbered; i++) {
        if (!class_number(s->label_text[i], &v))
            s->numbered = 0;
        else if (v > largest)
            largest = v;
    }
    if (s->numbered) {
        if (largest >= CSV_MAX_CLASSES) {
            size_t row = 0;
            while (row < n && (!class_number(s->label_text[row], &v) || v < CSV_MAX_CLASSES))
                row++;
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: label column %s holds the class number %s (data row %zu); numbered classes "
                           "must be 0 to %d (a numeric target needs task=regression)",
                           file, col, quoted(shown, sizeof shown, s->label_text[row]), row + 1,
                           CSV_MAX_CLASSES - 1);
        }
        s->n_classes = (size_t)largest + 1;
        s->names = calloc(s->n_classes, sizeof *s->names);
        if (!s->names) return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", file);
        for (size_t k = 0; k < s->n_classes; k++) {
            char buf[24];
            snprintf(buf, sizeof buf, "%zu", k);
            if (!(s->names[k] = il__strdup(buf))) return il_fail(err, IL_ERR_NOMEM, "out of memory");
        }
    } else {
        char **sorted = malloc(n * sizeof *sorted);
        if (!sorted) return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", file);
        memcpy(sorted, s->label_text, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, compare_strings);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (i == 0 || strcmp(sorted[i - 1], sorted[i]) != 0) sorted[k++] = sorted[i];
        if (k > CSV_MAX_CLASSES) {
            free(sorted);
            return il_fail(err, IL_ERR_FORMAT,
                           "%s: label column %s holds %zu different class names, more than the %d initlab "
                           "accepts (a numeric target needs task=regression)",
                           file, col, k, CSV_MAX_CLASSES);
        }
        s->names = calloc(k, sizeof *s->names);
        if (!s->names) {
            free(sorted);
            return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", file);
        }
        s->n_classes = k;
        for (size_t j = 0; j < k; j++)
            if (!(s->names[j] = il__strdup(sorted[j]))) {
                free(sorted);
                return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", file);
            }
        free(sorted);
    }
    /* At least two different classes must occur ("1" and "1.0" are one numbered class). */
    int varied = 0;
    double first = 0;
    if (s->numbered) class_number(s->label_text[0], &first);
    for (size_t i = 1; i < n && !varied; i++)
        varied = s->numbered ? (class_number(s->label_text[i], &v), v != first)
                             : strcmp(s->label_text[i], s->label_text[0]) != 0;
    if (!varied)
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: label column %s holds only one class (%s) in all %zu rows; classification needs at "
            "least 2 (a numeric target needs task=regression)",
            file, col, quoted(shown, sizeof shown, s->label_text[0]), n);
    return IL_OK;
}

static int32_t class_index(const csv_state *s, const char *label) {
    if (s->numbered) {
        double v = 0;
        class_number(label, &v);
        return (int32_t)v;
    }
    const char *const *hit = bsearch(&label, s->names, s->n_classes, sizeof *s->names, compare_strings);
    return (int32_t)(hit - (const char *const *)s->names);
}

il_status il__csv_parse(il_data *out, const char *text, size_t size, const char *name,
                        const il__csv_options *opt, il_error *err) {
    if (!opt || !opt->label || !*opt->label)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: no label column given; expected the name of the column holding the label or "
                       "target",
                       name);
    il__csv_tokenizer r;
    il__csv_tokenize_text(&r, text, size, name, 1);
    csv_state s;
    memset(&s, 0, sizeof s);
    size_t n = 0;
    int classes = !opt->regression;
    il_dataset ds;
    memset(&ds, 0, sizeof ds);
    il_status st = read_header(&r, &s, opt, err);
    if (st == IL_OK) st = count_rows(&r, &s, classes, &n, err);
    if (st == IL_OK && classes) st = find_classes(&s, n, name, err);
    size_t d = s.n_features, t = classes ? s.n_classes : 1;
    if (st == IL_OK) st = il__data_check_size(n, d, t, name, err);
    if (st == IL_OK) st = il_dataset_alloc(&ds, n, d, t, classes, err);
    /* Second pass: the numbers, row by row, from the record after the header. */
    int got = 0;
    il__csv_free(&r);
    il__csv_tokenize_text(&r, text, size, name, 1);
    if (st == IL_OK) st = il__csv_next(&r, &got, err);
    for (size_t i = 0; st == IL_OK && i < n; i++) {
        st = il__csv_next(&r, &got, err);
        for (size_t j = 0; st == IL_OK && j < d; j++) {
            size_t col = s.feature_col[j];
            st = parse_number(il__csv_field(&r, col), name, r.record_line, s.header[col].name, col,
                              &ds.x[i * d + j], err);
        }
        if (st != IL_OK) break;
        if (classes) {
            int32_t k = class_index(&s, s.label_text[i]);
            ds.labels[i] = k;
            ds.y[i * t + (size_t)k] = 1.0f;
        } else {
            st = parse_number(il__csv_field(&r, s.label_col), name, r.record_line, s.header[s.label_col].name,
                              s.label_col, &ds.y[i], err);
        }
    }
    if (st == IL_OK) {
        out->train = ds;
        out->task = classes ? IL_TASK_CLASSIFICATION : IL_TASK_REGRESSION;
        out->n_classes = classes ? s.n_classes : 0;
        out->class_names = classes ? s.names : NULL;
        if (classes) s.names = NULL; /* now owned by out */
        out->bayes_error = NAN;
        snprintf(out->description, sizeof out->description, "CSV %.150s: %zu rows, %zu features, %s %.40s",
                 name, n, d, classes ? "classes from" : "target", opt->label);
    } else {
        il_dataset_free(&ds);
    }
    state_free(&s, n);
    il__csv_free(&r);
    return st;
}

/* A CSV file is text: a NUL byte among its first bytes (a binary file, /dev/zero) refuses it before the
 * rest is read. A gzip file is judged after decompression, by the tokenizer. */
static il_status csv_judge(const unsigned char *head, size_t len, const char *path, void *ctx,
                           size_t *max_bytes, il_error *err) {
    (void)ctx;
    (void)max_bytes;
    if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b) return IL_OK;
    const unsigned char *nul = memchr(head, 0, len);
    if (!nul) return IL_OK;
    size_t line = 1;
    for (const unsigned char *p = head; p < nul; p++)
        line += *p == '\n';
    return il_fail(err, IL_ERR_FORMAT,
                   "%s: line %zu holds a NUL byte (byte %zu of the file); a CSV file is text (is this a "
                   "binary file or a device?)",
                   path, line, (size_t)(nul - head));
}

il_status il__csv_load(il_data *out, const char *path, const il__csv_options *opt, il_error *err) {
    unsigned char *bytes = NULL;
    size_t size = 0;
    il_status st = il__read_maybe_gz_judged(path, CSV_MAX_FILE_BYTES, CSV_HEAD_BYTES, csv_judge, NULL, &bytes,
                                            &size, err);
    if (st == IL_OK) st = il__csv_parse(out, (const char *)bytes, size, path, opt, err);
    free(bytes);
    return st;
}
