/* csvread.c - streaming reader of the results CSVs (see csvread.h). A row is one physical line unless a
 * quoted cell holds a newline; the reader then joins lines until the quote closes. Numbers are parsed
 * strictly: the whole cell must be a finite number, because a results file never holds NaN, Inf or
 * words in a numeric column, and a report drawn from a damaged file would mislead.
 */
#include "results/csvread.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Make *buf hold at least need bytes. */
static int reserve(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t grown = *cap ? *cap : 256;
    while (grown < need) {
        if (grown > SIZE_MAX / 2) return -1;
        grown *= 2;
    }
    char *p = realloc(*buf, grown);
    if (!p) return -1;
    *buf = p;
    *cap = grown;
    return 0;
}

static int reserve_cells(il__csvread *r, size_t need) {
    if (need <= r->split_cap) return 0;
    size_t grown = r->split_cap ? r->split_cap * 2 : 32;
    while (grown < need)
        grown *= 2;
    if (grown > SIZE_MAX / sizeof(char *)) return -1;
    char **p = realloc(r->split, grown * sizeof *p);
    if (!p) return -1;
    r->split = p;
    r->split_cap = grown;
    return 0;
}

/* Whether the text ends inside a quoted cell: quotes toggle, and "" inside quotes toggles twice. */
static int open_quote(const char *text, size_t len) {
    int inside = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '"') inside = !inside;
    return inside;
}

/* Read one record (one or more physical lines) into r->record without its line end.
 * Returns 1 for a record, 0 at the end of the file, -1 on error (err filled). */
static int read_record(il__csvread *r, il_error *err) {
    size_t len = 0;
    int started = 0;
    for (;;) {
        errno = 0;
        ssize_t got = getline(&r->phys, &r->phys_cap, r->f);
        if (got < 0) {
            if (ferror(r->f)) {
                r->failure = il_fail(err, IL_ERR_IO, "%s: cannot read line %zu: %s", r->path, r->next_line,
                                     strerror(errno ? errno : EIO));
                return -1;
            }
            if (!started) return 0;
            r->failure = il_fail(err, IL_ERR_FORMAT,
                                 "%s: line %zu: a quoted cell is not closed before the end of the file",
                                 r->path, r->line);
            return -1;
        }
        size_t n = (size_t)got;
        if (memchr(r->phys, '\0', n)) {
            r->failure = il_fail(err, IL_ERR_FORMAT, "%s: line %zu holds a NUL byte: not a text CSV file",
                                 r->path, r->next_line);
            return -1;
        }
        if (!started) r->line = r->next_line;
        r->next_line++;
        started = 1;
        if (reserve(&r->record, &r->record_cap, len + n + 1) != 0) {
            r->failure = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", r->path, r->line);
            return -1;
        }
        memcpy(r->record + len, r->phys, n);
        len += n;
        r->record[len] = '\0';
        if (!open_quote(r->record, len)) break;
    }
    while (len > 0 && (r->record[len - 1] == '\n' || r->record[len - 1] == '\r'))
        r->record[--len] = '\0';
    return 1;
}

/* Split r->record into r->split cells (unquoted into r->unquoted); returns the count or -1. */
static long split_record(il__csvread *r, il_error *err) {
    size_t len = strlen(r->record);
    if (reserve(&r->unquoted, &r->unquoted_cap, len + 1) != 0) {
        r->failure = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", r->path, r->line);
        return -1;
    }
    /* Cell starts are recorded as offsets first: r->unquoted does not move while splitting. */
    size_t i = 0, o = 0, n = 0;
    for (;;) {
        if (reserve_cells(r, n + 1) != 0) {
            r->failure = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", r->path, r->line);
            return -1;
        }
        r->split[n++] = r->unquoted + o;
        if (r->record[i] == '"') {
            i++;
            for (;;) {
                if (r->record[i] == '\0') {
                    r->failure =
                        il_fail(err, IL_ERR_FORMAT, "%s: line %zu, cell %zu: a quoted cell is not closed",
                                r->path, r->line, n);
                    return -1;
                }
                if (r->record[i] == '"' && r->record[i + 1] == '"') {
                    r->unquoted[o++] = '"';
                    i += 2;
                } else if (r->record[i] == '"') {
                    i++;
                    break;
                } else {
                    r->unquoted[o++] = r->record[i++];
                }
            }
            if (r->record[i] != ',' && r->record[i] != '\0') {
                r->failure =
                    il_fail(err, IL_ERR_FORMAT, "%s: line %zu, cell %zu: text after the closing quote",
                            r->path, r->line, n);
                return -1;
            }
        } else {
            while (r->record[i] != ',' && r->record[i] != '\0')
                r->unquoted[o++] = r->record[i++];
        }
        r->unquoted[o++] = '\0';
        if (r->record[i] == '\0') break;
        i++; /* past ',' */
    }
    return (long)n;
}

static void release(il__csvread *r) {
    if (r->f) fclose(r->f);
    free(r->path);
    free(r->header);
    free(r->header_text);
    free(r->record);
    free(r->phys);
    free(r->unquoted);
    free(r->split);
    memset(r, 0, sizeof *r);
}

void il__csvread_close(il__csvread *r) {
    release(r);
}

il_status il__csvread_open(il__csvread *r, const char *path, il_error *err) {
    memset(r, 0, sizeof *r);
    size_t plen = strlen(path) + 1;
    r->path = malloc(plen);
    if (!r->path) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    memcpy(r->path, path, plen);
    r->f = fopen(path, "rb");
    if (!r->f) {
        int e = errno;
        release(r);
        if (e == ENOENT) return il_fail(err, IL_ERR_IO, "%s is missing", path);
        return il_fail(err, IL_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    r->next_line = 1;
    int got = read_record(r, err);
    if (got < 0) {
        il_status st = r->failure;
        release(r);
        return st;
    }
    if (got == 0 || r->record[0] == '\0') {
        release(r);
        return il_fail(err, IL_ERR_FORMAT, "%s: empty file, expected a header row of column names", path);
    }
    /* A byte order mark from a spreadsheet is not part of the first column's name. */
    if (strncmp(r->record, "\xEF\xBB\xBF", 3) == 0) memmove(r->record, r->record + 3, strlen(r->record) - 2);
    long n = split_record(r, err);
    if (n < 0) {
        il_status st = r->failure;
        release(r);
        return st;
    }
    /* Keep the header: its cells point into a copy of the unquoted text. */
    size_t text_len = 0;
    for (long c = 0; c < n; c++)
        text_len += strlen(r->split[c]) + 1;
    r->header_text = malloc(text_len);
    r->header = malloc((size_t)n * sizeof *r->header);
    r->cells = NULL;
    if (!r->header_text || !r->header) {
        release(r);
        return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t at = 0;
    for (long c = 0; c < n; c++) {
        size_t l = strlen(r->split[c]) + 1;
        memcpy(r->header_text + at, r->split[c], l);
        r->header[c] = r->header_text + at;
        at += l;
    }
    r->n_cols = (size_t)n;
    return IL_OK;
}

int il__csvread_column(const il__csvread *r, const char *name) {
    for (size_t c = 0; c < r->n_cols; c++)
        if (strcmp(r->header[c], name) == 0) return (int)c;
    return -1;
}

il_status il__csvread_columns(const il__csvread *r, const char *const *names, size_t n, int *cols,
                              const char *what, il_error *err) {
    for (size_t i = 0; i < n; i++) {
        cols[i] = il__csvread_column(r, names[i]);
        if (cols[i] < 0)
            return il_fail(err, IL_ERR_FORMAT, "%s: line 1: no column '%s'; expected the header of %s",
                           r->path, names[i], what);
    }
    return IL_OK;
}

il_status il__csvread_next(il__csvread *r, int *got, il_error *err) {
    *got = 0;
    for (;;) {
        int rec = read_record(r, err);
        if (rec < 0) return r->failure;
        if (rec == 0) return IL_OK;
        if (r->record[0] != '\0') break;
    }
    long n = split_record(r, err);
    if (n < 0) return r->failure;
    if ((size_t)n != r->n_cols)
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu has %ld cells, the header has %zu", r->path, r->line,
                       n, r->n_cols);
    r->cells = r->split;
    *got = 1;
    return IL_OK;
}

const char *il__csvread_text(const il__csvread *r, int col) {
    return r->cells[col];
}

/* A short, printable quote of a cell for a message. */
static void quote_cell(char *buf, size_t size, const char *text) {
    size_t o = 0, i = 0;
    for (; text[i] && o + 4 < size; i++)
        buf[o++] = isprint((unsigned char)text[i]) ? text[i] : '?';
    if (text[i]) {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o] = '\0';
}

il_status il__csvread_number(const il__csvread *r, int col, double *value, il_error *err) {
    const char *cell = r->cells[col];
    if (!*cell) {
        *value = NAN;
        return IL_OK;
    }
    char *end = NULL;
    errno = 0;
    double v = isspace((unsigned char)cell[0]) ? NAN : strtod(cell, &end);
    if (!end || end == cell || *end != '\0' || !isfinite(v)) {
        char q[48];
        quote_cell(q, sizeof q, cell);
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: line %zu, column '%s': '%s' is not a finite number (expected a number, or an empty "
            "cell for a value that does not exist)",
            r->path, r->line, r->header[col], q);
    }
    *value = v;
    return IL_OK;
}

il_status il__csvread_count(const il__csvread *r, int col, size_t *value, il_error *err) {
    const char *cell = r->cells[col];
    char *end = NULL;
    errno = 0;
    unsigned long long v = isdigit((unsigned char)cell[0]) ? strtoull(cell, &end, 10) : 0;
    if (!end || *end != '\0' || errno == ERANGE || v > (unsigned long long)SIZE_MAX) {
        char q[48];
        quote_cell(q, sizeof q, cell);
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column '%s': '%s' is not a whole number", r->path,
                       r->line, r->header[col], q);
    }
    *value = (size_t)v;
    return IL_OK;
}
