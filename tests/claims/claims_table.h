/* claims_table.h - what the claims tests of experiments 4-6 share: run an experiment file through the
 * built `initlab run` into a scratch folder, and read the CSV files it logs (docs/results.md) by column
 * name. Header-only and static: each claims test is one program. Include after <cmocka.h>.
 * The CSVs initlab writes have a header row, plain cells (no quotes, no commas inside), '.' decimals
 * and empty cells for values that do not exist; that is all this reader handles.
 */
#ifndef INITLAB_CLAIMS_TABLE_H
#define INITLAB_CLAIMS_TABLE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- reading a CSV ------------------------------------------------------------------------------ */

typedef struct {
    char *text;    /* the file, cut into cells in place */
    size_t n_cols; /* header cells */
    size_t n_rows; /* data rows */
    char **cell;   /* (n_rows + 1, n_cols): row 0 is the header */
} ct_table;

/* Read path into t; fails the test (with the path) when it cannot be read or a row has the wrong
 * number of cells. */
static void ct_table_read(ct_table *t, const char *path) {
    memset(t, 0, sizeof *t);
    t->text = tu_read_file(path, NULL);
    if (!t->text) fail_msg("cannot read %s", path);
    size_t lines = 0, commas_first = 0;
    for (const char *p = t->text; *p; p++)
        lines += *p == '\n';
    for (const char *p = t->text; *p && *p != '\n'; p++)
        commas_first += *p == ',';
    t->n_cols = commas_first + 1;
    t->cell = calloc((lines + 1) * t->n_cols, sizeof *t->cell);
    assert_non_null(t->cell);
    size_t row = 0;
    char *line = t->text;
    while (*line) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        if (*line) {
            size_t col = 0;
            char *c = line;
            for (;;) {
                if (col >= t->n_cols) fail_msg("%s: row %zu has more than %zu cells", path, row, t->n_cols);
                t->cell[row * t->n_cols + col++] = c;
                char *comma = strchr(c, ',');
                if (!comma) break;
                *comma = '\0';
                c = comma + 1;
            }
            if (col != t->n_cols)
                fail_msg("%s: row %zu has %zu cells, the header %zu", path, row, col, t->n_cols);
            row++;
        }
        if (!end) break;
        line = end + 1;
    }
    if (row == 0) fail_msg("%s is empty", path);
    t->n_rows = row - 1;
}

static void ct_table_free(ct_table *t) {
    free(t->cell);
    free(t->text);
    memset(t, 0, sizeof *t);
}

/* Index of the column named name; fails the test when there is none. */
static size_t ct_col(const ct_table *t, const char *name) {
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->cell[c], name) == 0) return c;
    fail_msg("no column '%s' in the CSV", name);
    return 0;
}

/* Cell of data row r (0-based) as text. */
static const char *ct_str(const ct_table *t, size_t r, size_t col) {
    return t->cell[(r + 1) * t->n_cols + col];
}

/* Cell as a number; NAN for an empty cell (a value that does not exist). */
static double ct_num(const ct_table *t, size_t r, size_t col) {
    const char *s = ct_str(t, r, col);
    if (!*s) return NAN;
    char *end;
    double v = strtod(s, &end);
    if (*end) fail_msg("cell '%s' is not a number", s);
    return v;
}

/* ---- running an experiment ---------------------------------------------------------------------- */

/* The experiment file a test checks: the environment variable env_name when set (used to show that
 * the test fails on a copy of the file with the init flipped), else the file under experiments/. */
static const char *ct_experiment_path(const char *env_name, const char *relative) {
    static char path[4096];
    const char *over = getenv(env_name);
    snprintf(path, sizeof path, "%s", over && *over ? over : tu_source_path(relative));
    return path;
}

/* Run `initlab run --out DIR --jobs 2 EXTRA INI` (options first, so any option parser takes them) into a
 * fresh folder under a new scratch folder (returned, malloc'ed; the results are in <it>/results); fails the
 * test with initlab's output when initlab does not succeed. */
static char *ct_run_experiment(const char *ini, const char *extra, const char *tag) {
    char *scratch = tu_make_tmpdir(tag);
    assert_non_null(scratch);
    size_t n = strlen(tu_exe()) + strlen(ini) + strlen(scratch) + strlen(extra) + 128;
    char *cmd = malloc(n);
    assert_non_null(cmd);
    snprintf(cmd, n, "'%s' run --out '%s/results' --jobs 2 %s '%s'", tu_exe(), scratch, extra, ini);
    char *output = NULL;
    int rc = tu_run(cmd, &output);
    if (rc != 0) {
        /* the scratch folder goes before the test stops here (a failed group setup gets no teardown) */
        size_t m = strlen(scratch) + 16;
        char *rm = malloc(m);
        if (rm) {
            snprintf(rm, m, "rm -rf '%s'", scratch);
            (void)tu_run(rm, NULL);
            free(rm);
        }
        fail_msg("'%s' exited with %d:\n%s", cmd, rc, output ? output : "");
    }
    free(output);
    free(cmd);
    return scratch;
}

/* Read <scratch>/results/<file> into t. */
static void ct_read_result(ct_table *t, const char *scratch, const char *file) {
    char path[4096];
    snprintf(path, sizeof path, "%s/results/%s", scratch, file);
    ct_table_read(t, path);
}

/* Remove a scratch folder made by ct_run_experiment. */
static void ct_remove_scratch(char *scratch) {
    if (!scratch) return;
    size_t n = strlen(scratch) + 16;
    char *cmd = malloc(n);
    if (cmd) {
        snprintf(cmd, n, "rm -rf '%s'", scratch);
        (void)tu_run(cmd, NULL);
    }
    free(cmd);
    free(scratch);
}

#endif
