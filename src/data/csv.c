/* csv.c - CSV files with a header row, for users' own spreadsheets: chosen feature columns and one label
 * column (class names or class numbers) or numeric target column, each named in the header.
 *
 * The CSV that spreadsheets write (RFC 4180): comma separated; a field may be in double quotes, and then
 * may hold commas and line breaks, with "" standing for one quote; LF or CRLF line ends; an optional
 * UTF-8 byte-order mark; blank lines are ignored. Every input must be a finite number that fits a float.
 * It does not guess other separators nor fill in missing values: such files get an error saying so.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/loaders.h"

/* Most classes a label column may hold: the one-hot targets take N x K floats. */
#define CSV_MAX_CLASSES 1000
/* How much of a field a message quotes. */
#define QUOTE_CHARS 40

/* ---- reading records -------------------------------------------------------------------------------- */

/* A cursor over the text and the fields of the record last read. Field i is the NUL-terminated string
 * at scratch + start[i], with quotes removed and "" turned into ". */
typedef struct {
    const char *text;
    size_t size, pos;
    size_t line;        /* line number at pos, from 1 */
    size_t record_line; /* line on which the record last read starts */
    const char *name;   /* file name for messages */
    char *scratch;
    size_t scratch_len, scratch_cap;
    size_t *start;
    size_t n_fields, fields_cap;
    int blank; /* the record last read is an empty line (or only spaces) */
} csv_reader;

static il_status scratch_put(csv_reader *r, char c, il_error *err) {
    if (r->scratch_len == r->scratch_cap) {
        size_t cap = r->scratch_cap ? r->scratch_cap * 2 : 256;
        char *grown = realloc(r->scratch, cap);
        if (!grown) return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
        r->scratch = grown;
        r->scratch_cap = cap;
    }
    r->scratch[r->scratch_len++] = c;
    return IL_OK;
}

static il_status field_begin(csv_reader *r, il_error *err) {
    if (r->n_fields == r->fields_cap) {
        size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
        size_t *grown = realloc(r->start, cap * sizeof *grown);
        if (!grown) return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
        r->start = grown;
        r->fields_cap = cap;
    }
    r->start[r->n_fields++] = r->scratch_len;
    return IL_OK;
}

static const char *field(const csv_reader *r, size_t i) {
    return r->scratch + r->start[i];
}

static il_status nul_byte(const csv_reader *r, il_error *err) {
    return il_fail(
        err, IL_ERR_FORMAT,
        "%s: byte offset %zu (line %zu) is a NUL byte; a CSV file is text (is this a binary file?)", r->name,
        r->pos, r->line);
}

/* Read the next record. *got = 0 at the end of the text. */
static il_status read_record(csv_reader *r, int *got, il_error *err) {
    *got = 0;
    r->n_fields = 0;
    r->scratch_len = 0;
    r->blank = 0;
    if (r->pos >= r->size) return IL_OK;
    *got = 1;
    r->record_line = r->line;
    const char *t = r->text;
    int any_quoted = 0;
    il_status st;
    for (;;) {
        if ((st = field_begin(r, err)) != IL_OK) return st;
        while (r->pos < r->size && (t[r->pos] == ' ' || t[r->pos] == '\t'))
            r->pos++;
        if (r->pos < r->size && t[r->pos] == '"') {
            size_t open_line = r->line, open_pos = r->pos;
            any_quoted = 1;
            r->pos++;
            for (;;) {
                if (r->pos >= r->size)
                    return il_fail(err, IL_ERR_FORMAT,
                                   "%s: the quoted field opened at line %zu (byte offset %zu) never ends: "
                                   "expected a closing \" before the end of the file",
                                   r->name, open_line, open_pos);
                char c = t[r->pos];
                if (c == '\0') return nul_byte(r, err);
                if (c == '"') {
                    if (r->pos + 1 < r->size && t[r->pos + 1] == '"') {
                        r->pos += 2;
                        if ((st = scratch_put(r, '"', err)) != IL_OK) return st;
                        continue;
                    }
                    r->pos++;
                    break;
                }
                if (c == '\n') r->line++;
                r->pos++;
                if ((st = scratch_put(r, c, err)) != IL_OK) return st;
            }
            while (r->pos < r->size && (t[r->pos] == ' ' || t[r->pos] == '\t'))
                r->pos++;
            if (r->pos < r->size && t[r->pos] != ',' && t[r->pos] != '\n' && t[r->pos] != '\r') {
                unsigned char c = (unsigned char)t[r->pos];
                return il_fail(err, IL_ERR_FORMAT,
                               "%s: line %zu, field %zu: unexpected '%c' (byte offset %zu) after the closing "
                               "quote; expected a comma or the end of the line (a quote inside a quoted "
                               "field is written \"\")",
                               r->name, r->line, r->n_fields, c >= 32 && c < 127 ? c : '?', r->pos);
            }
        } else {
            size_t last_text = r->scratch_len; /* end of the field without trailing spaces */
            while (r->pos < r->size && t[r->pos] != ',' && t[r->pos] != '\n' && t[r->pos] != '\r') {
                char c = t[r->pos];
                if (c == '\0') return nul_byte(r, err);
                if ((st = scratch_put(r, c, err)) != IL_OK) return st;
                if (c != ' ' && c != '\t') last_text = r->scratch_len;
                r->pos++;
            }
            r->scratch_len = last_text;
        }
        if ((st = scratch_put(r, '\0', err)) != IL_OK) return st;
        if (r->pos >= r->size) break;
        char c = t[r->pos++];
        if (c == ',') continue;
        if (c == '\r' && r->pos < r->size && t[r->pos] == '\n') r->pos++;
        r->line++;
        break;
    }
    r->blank = r->n_fields == 1 && !any_quoted && field(r, 0)[0] == '\0';
    return IL_OK;
}

/* The next record that is not a blank line. */
static il_status read_nonblank(csv_reader *r, int *got, il_error *err) {
    il_status st;
    do {
        st = read_record(r, got, err);
    } while (st == IL_OK && *got && r->blank);
    return st;
}

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

/* "'abc'" shortened to QUOTE_CHARS characters for messages. */
static const char *quoted(char *buf, size_t size, const char *text) {
    size_t len = strlen(text);
    if (len > QUOTE_CHARS)
        snprintf(buf, size, "'%.*s...'", QUOTE_CHARS, text);
    else
        snprintf(buf, size, "'%s'", text);
    return buf;
}

/* The header's names, listed for a message (shortened when long). */
static void list_columns(char *buf, size_t size, const column_ref *header, size_t n) {
    size_t used = 0, i = 0;
    buf[0] = '\0';
    for (; i < n && used + 64 < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%.40s", i ? ", " : "", header[i].name);
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
    char list[512], shown[64];
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

/* Parse a whole field as a finite float. */
static il_status parse_number(const char *text, const char *file, size_t line, const char *column_name,
                              size_t column, float *value, il_error *err) {
    char shown[64], col[64];
    quoted(col, sizeof col, column_name);
    if (text[0] == '\0')
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: line %zu, column %s (column %zu) is empty; expected a number (missing values are "
                       "not filled in: complete or remove the row)",
                       file, line, col, column + 1);
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0')
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column %s (column %zu): %s is not a number%s", file,
                       line, col, column + 1, quoted(shown, sizeof shown, text),
                       strchr(text, ',') ? " (write decimals with a point, not a comma)" : "");
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return il_fail(err, IL_ERR_FORMAT,
                       "%s: line %zu, column %s (column %zu): %s is not finite; expected an ordinary finite "
                       "number",
                       file, line, col, column + 1, quoted(shown, sizeof shown, text));
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
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v) || v < 0 || v != floor(v)) return 0;
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
    int numbered; /* class labels are numbers used as indices */
    char *header_text;
} csv_state;

static void state_free(csv_state *s, size_t n_rows) {
    free(s->header);
    free(s->sorted);
    free(s->feature_col);
    free(s->header_text);
    if (s->label_text)
        for (size_t i = 0; i < n_rows; i++)
            free(s->label_text[i]);
    free(s->label_text);
    if (s->names)
        for (size_t k = 0; k < s->n_classes; k++)
            free(s->names[k]);
    free(s->names);
}

static char *copy_text(const char *text) {
    size_t n = strlen(text) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, text, n);
    return c;
}

/* Header row: names unique; the label and features resolved to columns. */
static il_status read_header(csv_reader *r, csv_state *s, const il__csv_options *opt, il_error *err) {
    int got = 0;
    il_status st = read_nonblank(r, &got, err);
    if (st != IL_OK) return st;
    if (!got)
        return il_fail(err, IL_ERR_FORMAT,
                       "%s is empty; expected a header row naming the columns, then one row per example",
                       r->name);
    size_t c = r->n_fields;
    /* Keep the names: the reader's scratch is reused by every record. */
    s->header_text = malloc(r->scratch_len ? r->scratch_len : 1);
    s->header = malloc(c * sizeof *s->header);
    s->sorted = malloc(c * sizeof *s->sorted);
    if (!s->header_text || !s->header || !s->sorted)
        return il_fail(err, IL_ERR_NOMEM, "out of memory reading %s", r->name);
    memcpy(s->header_text, r->scratch, r->scratch_len);
    for (size_t i = 0; i < c; i++) {
        s->header[i].name = s->header_text + r->start[i];
        s->header[i].column = i;
    }
    s->n_columns = c;
    memcpy(s->sorted, s->header, c * sizeof *s->sorted);
    qsort(s->sorted, c, sizeof *s->sorted, compare_refs);
    char shown[64];
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
    char *names = copy_text(list);
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
static il_status count_rows(csv_reader *r, csv_state *s, int keep_labels, size_t *n_rows, il_error *err) {
    size_t n = 0, cap = 0;
    int got = 0;
    char shown[64];
    for (;;) {
        il_status st = read_nonblank(r, &got, err);
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
            const char *label = field(r, s->label_col);
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
            s->label_text[n] = copy_text(label);
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
    char shown[64], col[64];
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
            if (!(s->names[k] = copy_text(buf))) return il_fail(err, IL_ERR_NOMEM, "out of memory");
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
            if (!(s->names[j] = copy_text(sorted[j]))) {
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
    csv_reader r;
    memset(&r, 0, sizeof r);
    r.text = text;
    r.size = size;
    r.line = 1;
    r.name = name;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) r.pos = 3; /* UTF-8 byte-order mark */
    size_t data_start = 0, data_line = 0;
    csv_state s;
    memset(&s, 0, sizeof s);
    size_t n = 0;
    int classes = !opt->regression;
    il_dataset ds;
    memset(&ds, 0, sizeof ds);
    il_status st = read_header(&r, &s, opt, err);
    if (st == IL_OK) {
        data_start = r.pos;
        data_line = r.line;
        st = count_rows(&r, &s, classes, &n, err);
    }
    if (st == IL_OK && classes) st = find_classes(&s, n, name, err);
    size_t d = s.n_features, t = classes ? s.n_classes : 1;
    if (st == IL_OK) st = il__data_check_size(n, d, t, name, err);
    if (st == IL_OK) st = il_dataset_alloc(&ds, n, d, t, classes, err);
    /* Second pass: the numbers, row by row. */
    r.pos = data_start;
    r.line = data_line;
    for (size_t i = 0; st == IL_OK && i < n; i++) {
        int got = 0;
        st = read_nonblank(&r, &got, err);
        for (size_t j = 0; st == IL_OK && j < d; j++) {
            size_t col = s.feature_col[j];
            st = parse_number(field(&r, col), name, r.record_line, s.header[col].name, col, &ds.x[i * d + j],
                              err);
        }
        if (st != IL_OK) break;
        if (classes) {
            int32_t k = class_index(&s, s.label_text[i]);
            ds.labels[i] = k;
            ds.y[i * t + (size_t)k] = 1.0f;
        } else {
            st = parse_number(field(&r, s.label_col), name, r.record_line, s.header[s.label_col].name,
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
    free(r.scratch);
    free(r.start);
    return st;
}

il_status il__csv_load(il_data *out, const char *path, const il__csv_options *opt, il_error *err) {
    unsigned char *bytes = NULL;
    size_t size = 0;
    il_status st = il__read_maybe_gz(path, IL_DATA_MAX_FILE_BYTES, &bytes, &size, err);
    if (st == IL_OK) st = il__csv_parse(out, (const char *)bytes, size, path, opt, err);
    free(bytes);
    return st;
}
