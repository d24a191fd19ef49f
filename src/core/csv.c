/* csv.c - the one CSV tokenizer (see csv.h) and the results reader built on it. The tokenizer looks at
 * most two bytes ahead (for "" and CRLF), so a stream is read through a small buffer that slides along
 * the file, and text in memory is the same code with a buffer that never needs refilling. Numbers in the
 * results reader are strict: a results file never holds NaN, Inf or words in a numeric column.
 */
#include "core/csv.h"

#include "core/parse.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"

#define DEFAULT_CHUNK ((size_t)1 << 16)
#define END           (-1) /* what peek returns past the last byte */

/* ---- the source -------------------------------------------------------------------------------------- */

/* Slide the stream's buffer: keep the bytes not yet consumed, fill the rest from the stream. */
static void refill(il__csv_tokenizer *t) {
    size_t keep = t->size - t->pos;
    memmove(t->owned, t->owned + t->pos, keep);
    t->before += t->pos;
    t->pos = 0;
    t->size = keep;
    while (t->size < t->chunk && !t->at_end) {
        errno = 0;
        size_t got = fread(t->owned + t->size, 1, t->chunk - t->size, t->f);
        t->size += got;
        if (got == 0) {
            t->at_end = 1;
            if (ferror(t->f)) t->read_errno = errno ? errno : EIO;
        }
    }
    t->text = t->owned;
}

/* The byte k places ahead (k <= 2) as an unsigned char, or END. */
static int peek(il__csv_tokenizer *t, size_t k) {
    if (t->pos + k < t->size) return (unsigned char)t->text[t->pos + k];
    if (!t->f || t->at_end) return END;
    refill(t);
    return t->pos + k < t->size ? (unsigned char)t->text[t->pos + k] : END;
}

/* 1-based position of the next byte within its line, for messages. */
static size_t byte_in_line(const il__csv_tokenizer *t) {
    return t->before + t->pos - t->line_start + 1;
}

/* Just past a line end. */
static void newline(il__csv_tokenizer *t) {
    t->line++;
    t->line_start = t->before + t->pos;
}

static void skip_bom(il__csv_tokenizer *t) {
    if (peek(t, 0) == 0xEF && peek(t, 1) == 0xBB && peek(t, 2) == 0xBF) {
        t->pos += 3;
        t->line_start = t->before + t->pos;
    }
}

void il__csv_tokenize_text(il__csv_tokenizer *t, const char *text, size_t size, const char *name, int trim) {
    memset(t, 0, sizeof *t);
    t->text = text;
    t->size = size;
    t->name = name;
    t->trim = trim;
    t->line = 1;
    skip_bom(t);
}

il_status il__csv_tokenize_stream(il__csv_tokenizer *t, FILE *f, size_t chunk_bytes, const char *name,
                                  int trim, il_error *err) {
    memset(t, 0, sizeof *t);
    t->chunk = chunk_bytes == 0 ? DEFAULT_CHUNK : chunk_bytes < 4 ? 4 : chunk_bytes;
    t->owned = malloc(t->chunk);
    if (!t->owned) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", name);
    t->text = t->owned;
    t->f = f;
    t->name = name;
    t->trim = trim;
    t->line = 1;
    skip_bom(t);
    return IL_OK;
}

void il__csv_free(il__csv_tokenizer *t) {
    free(t->owned);
    free(t->cells);
    free(t->start);
    memset(t, 0, sizeof *t);
}

/* ---- records ----------------------------------------------------------------------------------------- */

static il_status out_of_memory(const il__csv_tokenizer *t, il_error *err) {
    return il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", t->name, t->line);
}

static il_status read_failed(const il__csv_tokenizer *t, il_error *err) {
    return il_fail(err, IL_ERR_IO, "%s: cannot read line %zu: %s", t->name, t->line, strerror(t->read_errno));
}

static il_status nul_byte(const il__csv_tokenizer *t, il_error *err) {
    return il_fail(err, IL_ERR_FORMAT,
                   "%s: line %zu, field %zu holds a NUL byte (byte %zu of the line); a CSV file is text (is "
                   "this a binary file?)",
                   t->name, t->line, t->n_fields, byte_in_line(t));
}

/* The most one record read from a stream may hold: a row of a results file is a few hundred bytes, so a
 * longer one is a wrong or endless file (a FIFO of text without line ends), refused before it grows. */
#define MAX_STREAM_RECORD_BYTES ((size_t)16 << 20)

static il_status put(il__csv_tokenizer *t, char c, il_error *err) {
    if (t->f && t->cells_len >= MAX_STREAM_RECORD_BYTES)
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: line %zu: the record is longer than %zu bytes (16 MiB); expected a row of a results "
            "file",
            t->name, t->record_line, MAX_STREAM_RECORD_BYTES);
    if (t->cells_len == t->cells_cap) {
        size_t cap = t->cells_cap ? t->cells_cap * 2 : 256;
        char *grown = cap > t->cells_cap ? realloc(t->cells, cap) : NULL;
        if (!grown) return out_of_memory(t, err);
        t->cells = grown;
        t->cells_cap = cap;
    }
    t->cells[t->cells_len++] = c;
    return IL_OK;
}

static il_status field_begin(il__csv_tokenizer *t, il_error *err) {
    if (t->n_fields == t->start_cap) {
        size_t cap = t->start_cap ? t->start_cap * 2 : 16;
        size_t *grown = cap < SIZE_MAX / sizeof *grown ? realloc(t->start, cap * sizeof *grown) : NULL;
        if (!grown) return out_of_memory(t, err);
        t->start = grown;
        t->start_cap = cap;
    }
    t->start[t->n_fields++] = t->cells_len;
    return IL_OK;
}

static void skip_blanks(il__csv_tokenizer *t) {
    int c;
    while ((c = peek(t, 0)) == ' ' || c == '\t')
        t->pos++;
}

/* A quoted cell, from its opening quote to just past its closing one. */
static il_status quoted_cell(il__csv_tokenizer *t, il_error *err) {
    size_t open_line = t->line, open_byte = byte_in_line(t);
    t->pos++;
    for (;;) {
        int c = peek(t, 0);
        if (c == END) {
            if (t->read_errno) return read_failed(t, err);
            return il_fail(
                err, IL_ERR_FORMAT,
                "%s: line %zu: a quoted cell is not closed: the quote opened at line %zu (byte %zu "
                "of the line) never ends; expected a closing \" before the end of the file",
                t->name, t->record_line, open_line, open_byte);
        }
        if (c == '\0') return nul_byte(t, err);
        if (c == '"') {
            if (peek(t, 1) != '"') {
                t->pos++;
                return IL_OK;
            }
            t->pos += 2;
            il_status st = put(t, '"', err);
            if (st != IL_OK) return st;
            continue;
        }
        t->pos++;
        if (c == '\n' || (c == '\r' && peek(t, 0) != '\n')) newline(t);
        il_status st = put(t, (char)c, err);
        if (st != IL_OK) return st;
    }
}

/* The next record, blank or not. *got = 0 at the end of the source. */
static il_status read_record(il__csv_tokenizer *t, int *got, int *blank, il_error *err) {
    *got = 0;
    *blank = 0;
    t->n_fields = 0;
    t->cells_len = 0;
    if (peek(t, 0) == END) return t->read_errno ? read_failed(t, err) : IL_OK;
    *got = 1;
    t->record_line = t->line;
    int any_quoted = 0;
    il_status st;
    for (;;) {
        if ((st = field_begin(t, err)) != IL_OK) return st;
        if (t->trim) skip_blanks(t);
        int c = peek(t, 0);
        if (c == '"') {
            any_quoted = 1;
            if ((st = quoted_cell(t, err)) != IL_OK) return st;
            if (t->trim) skip_blanks(t);
            c = peek(t, 0);
            if (c != END && c != ',' && c != '\n' && c != '\r')
                return il_fail(err, IL_ERR_FORMAT,
                               "%s: line %zu, field %zu: unexpected '%c' (byte %zu of the line) after the "
                               "closing quote; expected a comma or the end of the line (a quote inside a "
                               "quoted field is written \"\")",
                               t->name, t->line, t->n_fields, c >= 32 && c < 127 ? c : '?', byte_in_line(t));
        } else {
            size_t kept = t->cells_len; /* the end of the cell without trailing blanks */
            while ((c = peek(t, 0)) != END && c != ',' && c != '\n' && c != '\r') {
                if (c == '\0') return nul_byte(t, err);
                if ((st = put(t, (char)c, err)) != IL_OK) return st;
                if (!t->trim || (c != ' ' && c != '\t')) kept = t->cells_len;
                t->pos++;
            }
            t->cells_len = kept;
        }
        if ((st = put(t, '\0', err)) != IL_OK) return st;
        c = peek(t, 0);
        if (c == END) {
            if (t->read_errno) return read_failed(t, err);
            break;
        }
        t->pos++;
        if (c == ',') continue;
        if (c == '\r' && peek(t, 0) == '\n') t->pos++;
        newline(t);
        break;
    }
    *blank = t->n_fields == 1 && !any_quoted && t->cells[0] == '\0';
    return IL_OK;
}

il_status il__csv_next(il__csv_tokenizer *t, int *got, il_error *err) {
    int blank = 0;
    il_status st;
    do {
        st = read_record(t, got, &blank, err);
    } while (st == IL_OK && *got && blank);
    return st;
}

const char *il__csv_field(const il__csv_tokenizer *t, size_t i) {
    return t->cells + t->start[i];
}

char **il__csv_copy_fields(const il__csv_tokenizer *t) {
    size_t n = t->n_fields;
    char **fields = malloc(n * sizeof *fields + t->cells_len + 1);
    if (!fields) return NULL;
    char *text = (char *)(fields + n);
    if (t->cells_len) memcpy(text, t->cells, t->cells_len);
    for (size_t i = 0; i < n; i++)
        fields[i] = text + t->start[i];
    return fields;
}

/* ---- the results reader ------------------------------------------------------------------------------ */

static void release(il__csvread *r) {
    il__csv_free(&r->tok);
    if (r->f) fclose(r->f);
    free(r->path);
    free(r->header);
    memset(r, 0, sizeof *r);
}

void il__csvread_close(il__csvread *r) {
    release(r);
}

il_status il__csvread_open(il__csvread *r, const char *path, il_error *err) {
    memset(r, 0, sizeof *r);
    r->path = il__strdup(path);
    if (!r->path) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    r->f = fopen(path, "rb");
    if (!r->f) {
        int e = errno;
        release(r);
        if (e == ENOENT) return il_fail(err, IL_ERR_IO, "%s is missing", path);
        return il_fail(err, IL_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    il_status st = il__csv_tokenize_stream(&r->tok, r->f, 0, r->path, 0, err);
    int got = 0;
    if (st == IL_OK) st = il__csv_next(&r->tok, &got, err);
    if (st == IL_OK && !got)
        st = il_fail(err, IL_ERR_FORMAT, "%s: empty file, expected a header row of column names", path);
    if (st == IL_OK && !(r->header = il__csv_copy_fields(&r->tok)))
        st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    if (st != IL_OK) {
        release(r);
        return st;
    }
    r->n_cols = r->tok.n_fields;
    r->line = r->tok.record_line;
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
    il_status st = il__csv_next(&r->tok, got, err);
    if (st != IL_OK || !*got) {
        *got = 0;
        return st;
    }
    r->line = r->tok.record_line;
    if (r->tok.n_fields != r->n_cols) {
        *got = 0;
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu has %zu cells, the header has %zu", r->path, r->line,
                       r->tok.n_fields, r->n_cols);
    }
    return IL_OK;
}

const char *il__csvread_text(const il__csvread *r, int col) {
    return il__csv_field(&r->tok, (size_t)col);
}

const char *il__csv_shown(char *buf, size_t size, const char *text) {
    char q[IL_QUOTE_SIZE];
    il__quote(q, sizeof q, text);
    size_t len = strlen(q);
    snprintf(buf, size, "%.*s", len >= 2 ? (int)(len - 2) : 0, q + 1);
    return buf;
}

il_status il__csvread_number(const il__csvread *r, int col, double *value, il_error *err) {
    const char *cell = il__csvread_text(r, col);
    if (!*cell) {
        *value = NAN;
        return IL_OK;
    }
    double v = 0.0;
    if (il__scan_real(cell, &v) != 1) { /* the one number grammar (core/parse.h) */
        char q[IL_QUOTE_SIZE], name[IL_QUOTE_SIZE];
        il__csv_shown(q, sizeof q, cell);
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: line %zu, column '%s': '%s' is not a finite number (expected a number, or an empty "
            "cell for a value that does not exist)",
            r->path, r->line, il__csv_shown(name, sizeof name, r->header[col]), q);
    }
    *value = v;
    return IL_OK;
}

il_status il__csvread_count(const il__csvread *r, int col, size_t *value, il_error *err) {
    const char *cell = il__csvread_text(r, col);
    uint64_t v = 0;
    if (il__scan_whole(cell, &v) != 1 || v > SIZE_MAX) {
        char q[IL_QUOTE_SIZE], name[IL_QUOTE_SIZE];
        il__csv_shown(q, sizeof q, cell);
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column '%s': '%s' is not a whole number", r->path,
                       r->line, il__csv_shown(name, sizeof name, r->header[col]), q);
    }
    *value = (size_t)v;
    return IL_OK;
}
