/* csvread.h - a streaming reader for the results CSVs (runs.csv, curves.csv, ...) that the report reads:
 * a header row, ',' separators, RFC 4180 quotes, empty cells for missing values. One row at a time, so
 * a large curves.csv never sits in memory whole. Every error names the file, the line and the column.
 * Internal to the results and the report; user data files are parsed in src/data.
 */
#ifndef INITLAB_LAB_CSVREAD_H
#define INITLAB_LAB_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#include "initlab/status.h"

typedef struct {
    FILE *f;
    char *path;    /* for messages */
    size_t n_cols; /* columns of the header; every row must have exactly these */
    char **header; /* (n_cols) names, in header_text */
    char *header_text;
    char **cells; /* (n_cols) the current row's cells, unquoted, NUL-terminated */
    size_t line;  /* line number (1-based) where the current row starts */
    size_t next_line;
    char *record; /* the current row's raw text (one or more physical lines) */
    size_t record_cap;
    il_status failure; /* status of the last read or split that failed */
    char *phys;        /* getline buffer */
    size_t phys_cap;
    char *unquoted; /* cell text storage */
    size_t unquoted_cap;
    char **split; /* cells while splitting (any count) */
    size_t split_cap;
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

/* Read the next row into r->cells. *got = 0 at the end of the file. Blank lines are skipped.
 * IL_ERR_FORMAT if the row has another number of cells than the header or a quote is not closed. */
il_status il__csvread_next(il__csvread *r, int *got, il_error *err);

/* The current row's cell in column col (from il__csvread_column) as text. */
const char *il__csvread_text(const il__csvread *r, int col);
/* As a finite number: an empty cell gives NAN (a value that does not exist); anything else that is not a
 * finite number is IL_ERR_FORMAT naming file, line, column and the text. */
il_status il__csvread_number(const il__csvread *r, int col, double *value, il_error *err);
/* As a whole number >= 0 (no empty cell allowed). */
il_status il__csvread_count(const il__csvread *r, int col, size_t *value, il_error *err);

#endif
