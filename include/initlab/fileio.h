/* fileio.h - writing result files safely: atomic replace (temp file + fsync + rename) and CSV cells.
 *
 * A file written through il_atomic_* either appears whole under its final name or not at all, so a
 * crash or Ctrl-C never leaves half a CSV or half a model. CSV cells follow the project's convention:
 * floats with 9 significant digits (enough to round-trip float32), '.' decimals, and an EMPTY cell for
 * a value that does not exist (NaN or Inf is never written).
 */
#ifndef INITLAB_FILEIO_H
#define INITLAB_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "initlab/status.h"

typedef struct {
    FILE *f;        /* write here between open and commit */
    char *path;     /* final name */
    char *tmp_path; /* temporary name in the same folder */
} il_atomic_file;

/* Open a temporary file next to path. On failure nothing is created and af->f is NULL. */
il_status il_atomic_open(il_atomic_file *af, const char *path, il_error *err);
/* Flush, fsync, close and rename over path. On failure the temporary file is removed and path keeps
 * whatever it held before. af is released either way. */
il_status il_atomic_commit(il_atomic_file *af, il_error *err);
/* Close and remove the temporary file; path is untouched. Safe on a closed or never-opened af. */
void il_atomic_abort(il_atomic_file *af);

/* Format a number for a CSV cell: "%.9g" for finite values, "" for NaN/Inf. Returns buf. */
char *il_csv_number(char *buf, size_t size, double value);
/* Write a text cell, quoted (RFC 4180) only when it holds a comma, quote or newline. */
void il_csv_text(FILE *f, const char *text);
/* Create a folder and its parents (mode 0755); existing folders are fine. */
il_status il_make_dirs(const char *path, il_error *err);

#endif
