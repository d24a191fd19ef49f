/* summary.c - the table a teacher reads first: one row per initializer of a results folder, with the
 * means over its seeds of the final losses, accuracy or error relative to the Bayes error, distinct
 * units, saturation and linearity, and a verdict in words. Reads runs.csv and meta; the rules behind
 * each verdict are in docs/results.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "initlab/results.h"
#include "runner/runner_internal.h"

/* Verdict thresholds (docs/results.md). */
#define SATURATED_VERDICT 0.5  /* share of hidden unit x sample pairs in the flat part */
#define DEAD_VERDICT      0.5  /* share of ReLU units silent on every probe sample */
#define LINEAR_VERDICT    0.99 /* R^2 at the end still this close to 1: the net stayed linear */
#define LINEAR_START      0.95 /* R^2 at the start at least this: it started nearly linear */

typedef struct {
    double sum;
    size_t n;
} mean_acc;

static void acc_add(mean_acc *a, double v) {
    if (isfinite(v)) a->sum += v, a->n++;
}
static double acc_mean(const mean_acc *a) {
    return a->n ? a->sum / (double)a->n : NAN;
}

enum {
    M_TRAIN,
    M_TEST,
    M_ACCURACY,
    M_MSE,
    M_RELATIVE,
    M_LIN_START,
    M_LIN_END,
    M_SAT_START,
    M_SAT_END,
    M_DEAD_START,
    M_DEAD_END,
    M_DISTINCT_END,
    M_HIDDEN,
    M_COUNT
};
static const char *const metric_columns[M_COUNT] = {
    "train_loss",      "test_loss",          "test_accuracy",   "test_mse",      "relative_test_error",
    "linearity_start", "linearity_end",      "saturated_start", "saturated_end", "dead_start",
    "dead_end",        "distinct_units_end", "hidden_units",
};
/* Start values exist for every run, even one that diverged later; the rest only for finished runs. */
static const int from_every_run[M_COUNT] = {
    [M_LIN_START] = 1, [M_SAT_START] = 1, [M_DEAD_START] = 1, [M_HIDDEN] = 1};

typedef struct {
    char label[IL_NAME_MAX];
    size_t runs, diverged;
    double first_divergence, last_divergence;
    mean_acc m[M_COUNT];
    char verdict[256];
} init_row;

static void add_part(char *verdict, size_t size, const char *fmt, double a, double b) {
    size_t used = strlen(verdict);
    if (used) snprintf(verdict + used, size - used, "; ");
    used = strlen(verdict);
    snprintf(verdict + used, size - used, fmt, a, b);
}

static void make_verdict(init_row *r, const char *activation, size_t hidden_layers) {
    char *v = r->verdict;
    size_t size = sizeof r->verdict;
    v[0] = '\0';
    size_t finished = r->runs - r->diverged;
    if (r->diverged == r->runs) {
        if (r->first_divergence == r->last_divergence)
            add_part(v, size, "diverged at epoch %.0f", r->first_divergence, 0);
        else
            add_part(v, size, "diverged at epochs %.0f-%.0f", r->first_divergence, r->last_divergence);
        return;
    }
    if (r->diverged)
        add_part(v, size, "diverged in %.0f of %.0f seeds", (double)r->diverged, (double)r->runs);
    double distinct = acc_mean(&r->m[M_DISTINCT_END]);
    if (finished && hidden_layers && isfinite(distinct) && distinct <= (double)hidden_layers + 1e-9)
        add_part(v, size,
                 hidden_layers == 1 ? "symmetric: 1 distinct unit" : "symmetric: 1 distinct unit per layer",
                 0, 0);
    double sat_end = acc_mean(&r->m[M_SAT_END]), sat_start = acc_mean(&r->m[M_SAT_START]);
    char fmt[96];
    if (isfinite(sat_end) && sat_end >= SATURATED_VERDICT) {
        snprintf(fmt, sizeof fmt, "saturated: %%.0f%%%% of %s units", activation);
        add_part(v, size, fmt, 100 * sat_end, 0);
    } else if (isfinite(sat_start) && sat_start >= SATURATED_VERDICT) {
        snprintf(fmt, sizeof fmt, "saturated at start: %%.0f%%%% of %s units (%%.0f%%%% at end)", activation);
        add_part(v, size, fmt, 100 * sat_start, isfinite(sat_end) ? 100 * sat_end : 0);
    }
    double dead = acc_mean(&r->m[M_DEAD_END]);
    if (isfinite(dead) && dead >= DEAD_VERDICT)
        add_part(v, size, "dead: %.0f%% of relu units", 100 * dead, 0);
    double lin_start = acc_mean(&r->m[M_LIN_START]), lin_end = acc_mean(&r->m[M_LIN_END]);
    if (isfinite(lin_end) && lin_end >= LINEAR_VERDICT)
        add_part(v, size, "still linear at end (R^2 %.3f)", lin_end, 0);
    else if (isfinite(lin_start) && isfinite(lin_end) && lin_start >= LINEAR_START)
        add_part(v, size, "nearly linear at start (R^2 %.2f), R^2 %.2f at end", lin_start, lin_end);
}

/* ---- a text table -------------------------------------------------------------------------------------- */

#define MAX_COLS  12
#define CELL_SIZE 288 /* a verdict (up to 256 bytes) fits whole */

typedef struct {
    size_t n_rows, n_cols;
    char (*cells)[MAX_COLS][CELL_SIZE]; /* (n_rows, MAX_COLS) */
} text_table;

static void print_table(FILE *out, const text_table *t) {
    size_t width[MAX_COLS] = {0};
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_cols; c++)
            if (strlen(t->cells[r][c]) > width[c]) width[c] = strlen(t->cells[r][c]);
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            /* Names and words left-aligned, numbers right-aligned; the last column is not padded. */
            int left = c == 0 || c + 1 == t->n_cols;
            if (c + 1 == t->n_cols)
                fprintf(out, "%s", t->cells[r][c]);
            else if (left)
                fprintf(out, "%-*s  ", (int)width[c], t->cells[r][c]);
            else
                fprintf(out, "%*s  ", (int)width[c], t->cells[r][c]);
        }
        fputc('\n', out);
        if (r == 0) {
            for (size_t c = 0; c < t->n_cols; c++) {
                size_t w = c + 1 == t->n_cols ? strlen(t->cells[0][c]) : width[c];
                for (size_t k = 0; k < w; k++)
                    fputc('-', out);
                if (c + 1 < t->n_cols) fputs("  ", out);
            }
            fputc('\n', out);
        }
    }
}

static void cell_number(char *cell, const char *fmt, double v) {
    if (isfinite(v))
        snprintf(cell, CELL_SIZE, fmt, v);
    else
        snprintf(cell, CELL_SIZE, "-");
}

/* Read runs.csv into one row per init, in the order the inits first appear (the plan's order).
 * *rows is malloc'ed; *n_runs counts the data rows. */
static il_status read_runs(const char *path, init_row **rows, size_t *n_inits, size_t *n_runs,
                           il_error *err) {
    *rows = NULL;
    *n_inits = *n_runs = 0;
    il__csvread r;
    il_status st = il__csvread_open(&r, path, err);
    if (st != IL_OK) return st;
    enum { C_INIT = M_COUNT, C_STATUS, C_DIVERGED, N_COLS };
    const char *names[N_COLS];
    for (size_t m = 0; m < M_COUNT; m++)
        names[m] = metric_columns[m];
    names[C_INIT] = "init";
    names[C_STATUS] = "status";
    names[C_DIVERGED] = "diverged_epoch";
    int cols[N_COLS];
    st = il__csvread_columns(&r, names, N_COLS, cols, "the runs.csv of initlab run", err);
    size_t cap = 0;
    int got = 1;
    while (st == IL_OK && (st = il__csvread_next(&r, &got, err)) == IL_OK && got) {
        (*n_runs)++;
        const char *label = il__csvread_text(&r, cols[C_INIT]);
        size_t i = 0;
        while (i < *n_inits && strncmp((*rows)[i].label, label, sizeof(*rows)[i].label - 1) != 0)
            i++;
        if (i == *n_inits) {
            if (*n_inits == cap) {
                cap = cap ? 2 * cap : 16;
                init_row *grown = realloc(*rows, cap * sizeof *grown);
                if (!grown) {
                    st = il_fail(err, IL_ERR_NOMEM, "out of memory");
                    break;
                }
                *rows = grown;
            }
            memset(&(*rows)[i], 0, sizeof(*rows)[i]);
            snprintf((*rows)[i].label, sizeof(*rows)[i].label, "%s", label);
            (*n_inits)++;
        }
        init_row *row = &(*rows)[i];
        row->runs++;
        int diverged = strcmp(il__csvread_text(&r, cols[C_STATUS]), "diverged") == 0;
        if (diverged) {
            double e = NAN;
            st = il__csvread_number(&r, cols[C_DIVERGED], &e, err);
            if (row->diverged == 0 || e < row->first_divergence) row->first_divergence = e;
            if (row->diverged == 0 || e > row->last_divergence) row->last_divergence = e;
            row->diverged++;
        }
        for (size_t m = 0; st == IL_OK && m < M_COUNT; m++) {
            double v;
            st = il__csvread_number(&r, cols[m], &v, err);
            if (!diverged || from_every_run[m]) acc_add(&row->m[m], v);
        }
    }
    il__csvread_close(&r);
    if (st != IL_OK) {
        free(*rows);
        *rows = NULL;
        *n_inits = 0;
    }
    return st;
}

/* The table: a header row, then one row per init, with only the columns this folder has values for. */
static void fill_table(text_table *t, init_row *rows, size_t n_inits) {
    int has_acc = 0, has_rel = 0, has_mse = 0, has_sat = 0, has_dead = 0;
    for (size_t i = 0; i < n_inits; i++) {
        has_acc |= rows[i].m[M_ACCURACY].n > 0;
        has_rel |= rows[i].m[M_RELATIVE].n > 0;
        has_mse |= rows[i].m[M_MSE].n > 0;
        has_sat |= rows[i].m[M_SAT_START].n > 0;
        has_dead |= rows[i].m[M_DEAD_START].n > 0;
    }
    size_t c = 0;
    char(*h)[CELL_SIZE] = t->cells[0];
    snprintf(h[c++], CELL_SIZE, "init");
    snprintf(h[c++], CELL_SIZE, "runs");
    snprintf(h[c++], CELL_SIZE, "train loss");
    snprintf(h[c++], CELL_SIZE, "test loss");
    if (has_acc) snprintf(h[c++], CELL_SIZE, "accuracy");
    if (has_rel) snprintf(h[c++], CELL_SIZE, "test/Bayes");
    if (!has_rel && has_mse) snprintf(h[c++], CELL_SIZE, "test MSE");
    snprintf(h[c++], CELL_SIZE, "distinct units");
    if (has_sat) snprintf(h[c++], CELL_SIZE, "saturated");
    if (has_dead) snprintf(h[c++], CELL_SIZE, "dead");
    snprintf(h[c++], CELL_SIZE, "linearity start -> end");
    snprintf(h[c++], CELL_SIZE, "verdict");
    t->n_cols = c;
    for (size_t i = 0; i < n_inits; i++) {
        const init_row *r = &rows[i];
        char(*cell)[CELL_SIZE] = t->cells[i + 1];
        c = 0;
        snprintf(cell[c++], CELL_SIZE, "%s", r->label);
        snprintf(cell[c++], CELL_SIZE, "%zu", r->runs);
        cell_number(cell[c++], "%.4g", acc_mean(&r->m[M_TRAIN]));
        cell_number(cell[c++], "%.4g", acc_mean(&r->m[M_TEST]));
        if (has_acc) cell_number(cell[c++], "%.1f%%", 100 * acc_mean(&r->m[M_ACCURACY]));
        if (has_rel) cell_number(cell[c++], "%.3g", acc_mean(&r->m[M_RELATIVE]));
        if (!has_rel && has_mse) cell_number(cell[c++], "%.4g", acc_mean(&r->m[M_MSE]));
        double distinct = acc_mean(&r->m[M_DISTINCT_END]), hidden = acc_mean(&r->m[M_HIDDEN]);
        if (isfinite(distinct) && isfinite(hidden))
            snprintf(cell[c++], CELL_SIZE, "%.6g of %.0f", distinct, hidden);
        else
            snprintf(cell[c++], CELL_SIZE, "-");
        if (has_sat) {
            double a = acc_mean(&r->m[M_SAT_START]), b = acc_mean(&r->m[M_SAT_END]);
            if (isfinite(a) && isfinite(b))
                snprintf(cell[c++], CELL_SIZE, "%.0f%% -> %.0f%%", 100 * a, 100 * b);
            else
                cell_number(cell[c++], "%.0f%% -> -", 100 * a);
        }
        if (has_dead) cell_number(cell[c++], "%.0f%%", 100 * acc_mean(&r->m[M_DEAD_END]));
        char sa[32], sb[32];
        cell_number(sa, "%.3f", acc_mean(&r->m[M_LIN_START]));
        cell_number(sb, "%.3f", acc_mean(&r->m[M_LIN_END]));
        snprintf(cell[c++], CELL_SIZE, "%s -> %s", sa, sb);
        snprintf(cell[c++], CELL_SIZE, "%s", r->verdict);
    }
    t->n_rows = n_inits + 1;
}

il_status il_summary_write(FILE *out, const char *results_dir, il_error *err) {
    char path[4096];
    il__meta meta = {0};
    init_row *rows = NULL;
    size_t n_inits = 0, n_runs = 0;
    il_status st = il__path_join(path, sizeof path, results_dir, "meta", err);
    if (st == IL_OK) st = il__meta_read(&meta, path, err);
    if (st == IL_OK) st = il__path_join(path, sizeof path, results_dir, "runs.csv", err);
    if (st == IL_OK) st = read_runs(path, &rows, &n_inits, &n_runs, err);
    text_table t = {0};
    if (st == IL_OK && !(t.cells = calloc(n_inits + 1, sizeof *t.cells)))
        st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    if (st != IL_OK) {
        free(rows);
        il__meta_free(&meta);
        return st;
    }

    const char *activation = il__meta_get(&meta, "hidden_activation");
    const char *layers = il__meta_get(&meta, "hidden_layers");
    size_t hidden_layers = 0;
    if (layers && *layers) {
        hidden_layers = 1;
        for (const char *p = layers; *p; p++)
            hidden_layers += *p == ',';
    }
    int best = -1;
    for (size_t i = 0; i < n_inits; i++) {
        make_verdict(&rows[i], activation && *activation ? activation : "hidden", hidden_layers);
        double loss = acc_mean(&rows[i].m[M_TEST]);
        if (isfinite(loss) && (best < 0 || loss < acc_mean(&rows[best].m[M_TEST]))) best = (int)i;
    }
    if (best >= 0 && n_inits > 1) {
        init_row *b = &rows[best];
        size_t used = strlen(b->verdict);
        snprintf(b->verdict + used, sizeof b->verdict - used, "%slowest test loss", used ? "; " : "");
    }
    for (size_t i = 0; i < n_inits; i++)
        if (!rows[i].verdict[0]) snprintf(rows[i].verdict, sizeof rows[i].verdict, "trained normally");
    fill_table(&t, rows, n_inits);

    const char *name = il__meta_get(&meta, "experiment");
    const char *data = il__meta_get(&meta, "data_description");
    const char *planned = il__meta_get(&meta, "runs_in_plan");
    const char *shard = il__meta_get(&meta, "shard");
    int slice = shard && strncmp(shard, "all", 3) != 0; /* "all" or "all (merged)" is the whole plan */
    fprintf(out, "Experiment %s: %zu runs in %s", name ? name : "(unnamed)", n_runs, results_dir);
    if (planned) fprintf(out, " (the plan has %s%s%s)", planned, slice ? ", slice " : "", slice ? shard : "");
    fputc('\n', out);
    if (data && *data) fprintf(out, "Data: %s\n", data);
    fputc('\n', out);
    print_table(out, &t);
    fputc('\n', out);
    fputs(
        "Means over each init's seeds; final values over the runs that did not diverge. Linearity is the R^2 "
        "of\nthe best linear fit of the outputs on the inputs over the probe samples (1 = the net is "
        "linear), "
        "at\nepoch 0 and at the end. Saturated: share of hidden unit-sample pairs in the flat part of the\n"
        "activation",
        out);
    int has_rel = 0;
    for (size_t i = 0; i < n_inits; i++)
        has_rel |= rows[i].m[M_RELATIVE].n > 0;
    fputs(has_rel ? ". test/Bayes: test MSE divided by the Bayes error (1 is the best possible).\n" : ".\n",
          out);
    if (planned && !slice) {
        size_t plan = (size_t)strtoull(planned, NULL, 10);
        if (plan > n_runs)
            fprintf(out, "%zu of %zu runs are missing: continue them with --resume --out %s\n", plan - n_runs,
                    plan, results_dir);
    }
    free(rows);
    free(t.cells);
    il__meta_free(&meta);
    return IL_OK;
}
