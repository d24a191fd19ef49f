/* csv.h - internal (il__): the one CSV tokenizer, and on it the streaming reader of the results CSVs.
 * The tokenizer splits text in memory or a stream into records of cells as RFC 4180 and spreadsheets
 * write them: ',' separated; a cell in double quotes may hold commas, line breaks and "" for one quote;
 * LF, CRLF or CR line ends; an optional UTF-8 byte order mark; blank lines skipped; empty cells kept.
 * Its errors name the file, the line and the field. What the cells mean is the caller's business: the
 * dataset loader (src/data/csv.c) reads features and labels, results and report read columns by name.
 */
#ifndef INITLAB_CORE_CSV_H
#define INITLAB_CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "initlab/status.h"

/* ---- the tokenizer ---------------------------------------------------------------------------------- */

typedef struct {
    /* The source: text in memory (f NULL), or a stream read in chunks into owned. */
    const char *text; /* (size) bytes in view; text[pos] is the next one */
    size_t size, pos;
    FILE *f;       /* not owned: the caller opened it and closes it */
    char *owned;   /* (chunk) the stream's buffer */
    size_t chunk;  /* its size */
    size_t before; /* bytes of the stream before text[0] */
    int at_end, read_errno;
    const char *name;  /* the file's name for messages; not copied */
    int trim;          /* 1 = spaces and tabs around a cell (outside quotes) are not part of it */
    size_t line;       /* line number at pos, from 1 */
    size_t line_start; /* offset (from the start of the source) of that line's first byte */
    /* The record last read by il__csv_next. */
    size_t record_line; /* the line it starts on */
    size_t n_fields;
    char *cells; /* the cells one after another, each NUL-terminated, unquoted */
    size_t cells_len, cells_cap;
    size_t *start; /* (n_fields) offset of each cell in cells */
    size_t start_cap;
} il__csv_tokenizer;

/* Tokenize size bytes of text (which may hold NUL bytes: they are an error, not an end). trim: 1 to
 * drop spaces and tabs around cells, as a spreadsheet user expects; 0 to keep every byte (results
 * files, where " 1" is not a number). name is used in messages and must outlive the tokenizer. */
void il__csv_tokenize_text(il__csv_tokenizer *t, const char *text, size_t size, const char *name, int trim);
/* The same over a stream open for reading, chunk_bytes at a time (0 = 64 KiB; at least 4). The stream
 * stays the caller's. IL_ERR_NOMEM when the buffer cannot be had; t then needs no il__csv_free. */
il_status il__csv_tokenize_stream(il__csv_tokenizer *t, FILE *f, size_t chunk_bytes, const char *name,
                                  int trim, il_error *err);
/* Frees the tokenizer's buffers (not the text, not the stream). */
void il__csv_free(il__csv_tokenizer *t);

/* Read the next record that is not a blank line into t->n_fields cells. *got = 0 at the end.
 * IL_ERR_FORMAT for a quote that never closes, text after a closing quote, a NUL byte; IL_ERR_IO for a
 * read error; IL_ERR_NOMEM. Each names the file and the line (and the field, and the byte in the line). */
il_status il__csv_next(il__csv_tokenizer *t, int *got, il_error *err);
/* Cell i (< t->n_fields) of the record last read; valid until the next il__csv_next. */
const char *il__csv_field(const il__csv_tokenizer *t, size_t i);
/* The record last read kept for good: one malloc'ed block (free it) of t->n_fields pointers followed by
 * the cells' text; NULL when out of memory. */
char **il__csv_copy_fields(const il__csv_tokenizer *t);

/* ---- the results reader ------------------------------------------------------------------------------
 * The results CSVs (runs.csv, curves.csv, ...): a header row, then rows of exactly as many cells, read
 * one row at a time from the file so that a large curves.csv never sits in memory whole. Cells are kept
 * exactly as written (no trimming) and numbers are strict: a report drawn from a damaged file would
 * mislead, so NaN, Inf, words or a stray blank in a numeric column are errors naming file, line and
 * column. */

typedef struct {
    il__csv_tokenizer tok;
    FILE *f;
    char *path;    /* for messages */
    size_t n_cols; /* columns of the header; every row must have exactly these */
    char **header; /* (n_cols) names (one block from il__csv_copy_fields) */
    size_t line;   /* line number (1-based) where the current row starts */
} il__csvread;

/* Open path and read its header. IL_ERR_IO if it cannot be opened (the message says "missing" when it
 * does not exist), IL_ERR_FORMAT if it is empty. On failure r holds nothing to close. */
il_status il__csvread_open(il__csvread *r, const char *path, il_error *err);
void il__csvread_close(il__csvread *r);

/* Index of the column called name, or -1. */
int il__csvread_column(const il__csvread *r, const char *name);
/* Indices of n named columns into cols; IL_ERR_FORMAT naming the first missing one and what wrote the
 * file (what is a phrase such as "the curves.csv of initlab run"). */
il_status il__csvread_columns(const il__csvread *r, const char *const *names, size_t n, int *cols,
                              const char *what, il_error *err);

/* Read the next row. *got = 0 at the end of the file. Blank lines are skipped. IL_ERR_FORMAT if the row
 * has another number of cells than the header, or as il__csv_next. */
il_status il__csvread_next(il__csvread *r, int *got, il_error *err);

/* The current row's cell in column col (from il__csvread_column) as text. */
const char *il__csvread_text(const il__csvread *r, int col);
/* As a finite number: an empty cell gives NAN (a value that does not exist); anything else that is not a
 * finite number is IL_ERR_FORMAT naming file, line, column and the text. */
il_status il__csvread_number(const il__csvread *r, int col, double *value, il_error *err);
/* As a whole number >= 0 (no empty cell allowed). */
il_status il__csvread_count(const il__csvread *r, int col, size_t *value, il_error *err);

/* A cell or a column name as a message shows it: il__quote's shortening and control bytes as '?', so a
 * cell holding line breaks or escape sequences keeps the message on one printable line; without quotes
 * (CSV messages put it in single quotes). buf holds IL_QUOTE_SIZE bytes. Returns buf. */
const char *il__csv_shown(char *buf, size_t size, const char *text);

#endif
