/* csv_table.c - a small reader for the CSV files the runner writes itself (per-run files, runs.csv),
 * used to merge runs and to summarize a results folder. RFC 4180 quoting, a header row, every row as
 * wide as the header. It is not the data loader: user CSV data is parsed in src/data.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab/runner_internal.h"

void il_csv_table_free(il_csv_table *t) {
    free(t->header);
    free(t->storage);
    free(t->name);
    memset(t, 0, sizeof *t);
}

/* While splitting: pointers to every cell (header first), and where each line's cells begin. */
typedef struct {
    char **cells;
    size_t n_cells, cap_cells;
    size_t *row_start; /* index into cells where each line begins */
    size_t n_lines, cap_lines;
} split_state;

static int push_cell(split_state *s, char *cell) {
    if (s->n_cells == s->cap_cells) {
        size_t cap = s->cap_cells ? s->cap_cells * 2 : 256;
        char **grown = realloc(s->cells, cap * sizeof *grown);
        if (!grown) return -1;
        s->cells = grown;
        s->cap_cells = cap;
    }
    s->cells[s->n_cells++] = cell;
    return 0;
}

static int push_line(split_state *s) {
    if (s->n_lines == s->cap_lines) {
        size_t cap = s->cap_lines ? s->cap_lines * 2 : 64;
        size_t *grown = realloc(s->row_start, cap * sizeof *grown);
        if (!grown) return -1;
        s->row_start = grown;
        s->cap_lines = cap;
    }
    s->row_start[s->n_lines++] = s->n_cells;
    return 0;
}

il_status il_csv_table_parse(il_csv_table *t, const char *text, size_t size, const char *name,
                             il_error *err) {
    memset(t, 0, sizeof *t);
    split_state s = {0};
    char *out = malloc(size + 1);
    size_t name_len = strlen(name) + 1;
    t->name = malloc(name_len);
    if (!out || !t->name) {
        free(out);
        il_csv_table_free(t);
        return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", name);
    }
    memcpy(t->name, name, name_len);
    t->storage = out;

    /* One pass: copy unquoted cell text into out, cutting cells at ',' and lines at '\n'. */
    size_t i = 0, o = 0, line = 1;
    il_status st = IL_OK;
    while (i < size && st == IL_OK) {
        if (push_line(&s) != 0) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", name);
            break;
        }
        for (;;) {
            char *cell = out + o;
            if (i < size && text[i] == '"') {
                i++;
                for (;;) {
                    if (i >= size) {
                        st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu: a quoted cell is not closed", name,
                                     line);
                        break;
                    }
                    if (text[i] == '"') {
                        if (i + 1 < size && text[i + 1] == '"') {
                            out[o++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] == '\n') line++;
                    out[o++] = text[i++];
                }
                if (st != IL_OK) break;
            } else {
                while (i < size && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    out[o++] = text[i++];
            }
            out[o++] = '\0';
            if (push_cell(&s, cell) != 0) {
                st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", name);
                break;
            }
            if (i < size && text[i] == ',') {
                i++;
                continue;
            }
            if (i < size && text[i] == '\r') i++;
            if (i < size && text[i] != '\n') {
                st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu: unexpected character after a quoted cell",
                             name, line);
                break;
            }
            i++; /* past '\n' (or the end) */
            line++;
            break;
        }
    }
    if (st == IL_OK && s.n_lines == 0)
        st = il_fail(err, IL_ERR_FORMAT, "%s: empty file, expected a header row", name);
    if (st != IL_OK) {
        free(s.cells);
        free(s.row_start);
        il_csv_table_free(t);
        return st;
    }
    size_t n_cols = (s.n_lines > 1 ? s.row_start[1] : s.n_cells) - s.row_start[0];
    for (size_t r = 0; r < s.n_lines; r++) {
        size_t end = r + 1 < s.n_lines ? s.row_start[r + 1] : s.n_cells;
        if (end - s.row_start[r] != n_cols) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu has %zu cells, the header has %zu", name, r + 1,
                         end - s.row_start[r], n_cols);
            free(s.cells);
            free(s.row_start);
            il_csv_table_free(t);
            return st;
        }
    }
    free(s.row_start);
    t->header = s.cells; /* header cells first, then the rows: one array */
    t->cells = s.cells + n_cols;
    t->n_cols = n_cols;
    t->n_rows = s.n_lines - 1;
    return IL_OK;
}

il_status il_csv_table_read(il_csv_table *t, const char *path, il_error *err) {
    char *text;
    size_t size;
    memset(t, 0, sizeof *t);
    il_status st = il_lab_read_file(path, &text, &size, err);
    if (st != IL_OK) return st;
    st = il_csv_table_parse(t, text, size, path, err);
    free(text);
    return st;
}

int il_csv_table_column(const il_csv_table *t, const char *name) {
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->header[c], name) == 0) return (int)c;
    return -1;
}

const char *il_csv_table_cell(const il_csv_table *t, size_t row, size_t col) {
    return t->cells[row * t->n_cols + col];
}

double il_csv_table_number(const il_csv_table *t, size_t row, size_t col) {
    const char *cell = il_csv_table_cell(t, row, col);
    if (!*cell) return NAN;
    char *end;
    double v = strtod(cell, &end);
    return *end ? NAN : v;
}
