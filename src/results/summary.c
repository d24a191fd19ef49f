/* summary.c - the table a teacher reads first: one row per initializer of a results folder, with the
 * means over its seeds of the final losses, accuracy or error relative to the Bayes error, distinct
 * units, saturation and linearity, and a verdict in words. Reads runs.csv and meta into rows of data
 * (include/initlab/summary.h); the text table of il_summary_write and the report's HTML table are both
 * drawn from those rows. The columns and the verdict rules are tables below (docs/results.md).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/parse.h"
#include "initlab/results.h"
#include "initlab/summary.h"
#include "runner/runner_internal.h"

/* ---- reading runs.csv ---------------------------------------------------------------------------------- */

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

/* The columns of runs.csv that are averaged, and where the mean goes. Start values exist for every run,
 * even one that diverged later; the rest only for finished runs. */
static const struct {
    const char *column;
    size_t field; /* offsetof(il_summary_row, ...), a double */
    int from_every_run;
} averaged[] = {
    {"train_loss", offsetof(il_summary_row, train_loss), 0},
    {"test_loss", offsetof(il_summary_row, test_loss), 0},
    {"test_accuracy", offsetof(il_summary_row, test_accuracy), 0},
    {"test_mse", offsetof(il_summary_row, test_mse), 0},
    {"relative_test_error", offsetof(il_summary_row, relative_test_error), 0},
    {"linearity_start", offsetof(il_summary_row, linearity_start), 1},
    {"linearity_end", offsetof(il_summary_row, linearity_end), 0},
    {"saturated_start", offsetof(il_summary_row, saturated_start), 1},
    {"saturated_end", offsetof(il_summary_row, saturated_end), 0},
    {"dead_start", offsetof(il_summary_row, dead_start), 1},
    {"dead_end", offsetof(il_summary_row, dead_end), 0},
    {"distinct_units_end", offsetof(il_summary_row, distinct_units_end), 0},
    {"hidden_units", offsetof(il_summary_row, hidden_units), 1},
};
#define N_AVERAGED (sizeof averaged / sizeof averaged[0])

static double *row_field(il_summary_row *row, size_t field) {
    return (double *)(void *)((char *)row + field);
}
static double row_value(const il_summary_row *row, size_t field) {
    return *(const double *)(const void *)((const char *)row + field);
}

/* Read runs.csv into one row per init, in the order the inits first appear (the plan's order). */
static il_status read_runs(il_summary *s, const char *path, il_error *err) {
    il__csvread r;
    il_status st = il__csvread_open(&r, path, err);
    if (st != IL_OK) return st;
    enum { C_INIT = N_AVERAGED, C_STATUS, C_DIVERGED, N_COLS };
    const char *names[N_COLS];
    for (size_t m = 0; m < N_AVERAGED; m++)
        names[m] = averaged[m].column;
    names[C_INIT] = "init";
    names[C_STATUS] = "status";
    names[C_DIVERGED] = "diverged_epoch";
    int cols[N_COLS];
    st = il__csvread_columns(&r, names, N_COLS, cols, "the runs.csv of initlab run", err);
    mean_acc(*acc)[N_AVERAGED] = NULL; /* (n_rows, N_AVERAGED) */
    size_t cap = 0;
    int got = 1;
    while (st == IL_OK && (st = il__csvread_next(&r, &got, err)) == IL_OK && got) {
        s->runs++;
        const char *label = il__csvread_text(&r, cols[C_INIT]);
        const char *status = il__csvread_text(&r, cols[C_STATUS]);
        if (!*label) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column 'init': empty, expected the init's label",
                         path, r.line);
            break;
        }
        if (strcmp(status, "finished") != 0 && strcmp(status, "diverged") != 0) {
            st = il_fail(err, IL_ERR_FORMAT,
                         "%s: line %zu, column 'status': '%s', expected finished or diverged", path, r.line,
                         status);
            break;
        }
        size_t i = 0;
        while (i < s->n_rows && strncmp(s->rows[i].init, label, sizeof s->rows[i].init - 1) != 0)
            i++;
        if (i == s->n_rows) {
            if (s->n_rows == cap) {
                cap = cap ? 2 * cap : 16;
                il_summary_row *grown = realloc(s->rows, cap * sizeof *grown);
                if (grown) s->rows = grown;
                mean_acc(*grown_acc)[N_AVERAGED] = grown ? realloc(acc, cap * sizeof *acc) : NULL;
                if (!grown_acc) {
                    st = il_fail(err, IL_ERR_NOMEM, "out of memory");
                    break;
                }
                acc = grown_acc;
            }
            memset(&s->rows[i], 0, sizeof s->rows[i]);
            memset(acc[i], 0, sizeof acc[i]);
            snprintf(s->rows[i].init, sizeof s->rows[i].init, "%s", label);
            s->n_rows++;
        }
        il_summary_row *row = &s->rows[i];
        row->runs++;
        int diverged = strcmp(status, "diverged") == 0;
        if (diverged) {
            double e = NAN;
            st = il__csvread_number(&r, cols[C_DIVERGED], &e, err);
            if (row->diverged == 0 || e < row->first_diverged_epoch) row->first_diverged_epoch = e;
            if (row->diverged == 0 || e > row->last_diverged_epoch) row->last_diverged_epoch = e;
            row->diverged++;
        }
        for (size_t m = 0; st == IL_OK && m < N_AVERAGED; m++) {
            double v;
            st = il__csvread_number(&r, cols[m], &v, err);
            if (!diverged || averaged[m].from_every_run) acc_add(&acc[i][m], v);
        }
    }
    il__csvread_close(&r);
    for (size_t i = 0; st == IL_OK && i < s->n_rows; i++) {
        il_summary_row *row = &s->rows[i];
        row->finished = row->runs - row->diverged;
        if (!row->diverged) row->first_diverged_epoch = row->last_diverged_epoch = NAN;
        for (size_t m = 0; m < N_AVERAGED; m++)
            *row_field(row, averaged[m].field) = acc_mean(&acc[i][m]);
    }
    free(acc);
    return st;
}

/* ---- the verdict rules ----------------------------------------------------------------------------------
 * Each rule that holds adds its words, in the order of the table, joined by "; ". Of the rules of one
 * group only the first that holds speaks; a rule marked `last` silences every rule after it (a run that
 * diverged every time has nothing else to show). In the words {a} and {b} are the rule's two numbers
 * (with `digits` decimals; a number that does not exist is written 0) and {activation} the hidden
 * activation. */

typedef enum {
    WHEN_ALL_DIVERGED_AT_ONE_EPOCH, /* every run diverged, all at the same epoch */
    WHEN_ALL_DIVERGED,              /* every run diverged */
    WHEN_SOME_DIVERGED,             /* some runs diverged, not all */
    WHEN_SYMMETRIC_ONE_LAYER,       /* as WHEN_SYMMETRIC, in a network of one hidden layer */
    WHEN_SYMMETRIC,                 /* the finished runs end with 1 distinct unit per hidden layer */
    WHEN_AT_LEAST,                  /* value `of` exists and is at least `threshold`, and `needs` exists */
    WHEN_LOWEST_TEST_LOSS,          /* the init with the lowest mean test loss, of several */
    WHEN_NOTHING_SAID               /* no rule before spoke */
} verdict_when;

/* The numbers a rule tests or writes. */
typedef enum {
    V_NONE,
    V_RUNS,
    V_DIVERGED,
    V_FIRST_DIVERGED_EPOCH,
    V_LAST_DIVERGED_EPOCH,
    V_SATURATED_START,
    V_SATURATED_END,
    V_DEAD_END,
    V_LINEARITY_START,
    V_LINEARITY_END
} verdict_value;

typedef struct {
    int group;
    verdict_when when;
    verdict_value of;    /* WHEN_AT_LEAST: the value tested ... */
    double threshold;    /* ... against this */
    verdict_value needs; /* WHEN_AT_LEAST: a value that must exist too */
    verdict_value a, b;  /* the numbers of {a} and {b} */
    int percent;         /* 1: {a} and {b} are shares written as percentages */
    int digits;          /* decimals of {a} and {b} */
    int last;
    const char *words;
} verdict_rule;

static const verdict_rule verdict_rules[] = {
    {.group = 1,
     .when = WHEN_ALL_DIVERGED_AT_ONE_EPOCH,
     .a = V_FIRST_DIVERGED_EPOCH,
     .last = 1,
     .words = "diverged at epoch {a}"},
    {.group = 1,
     .when = WHEN_ALL_DIVERGED,
     .a = V_FIRST_DIVERGED_EPOCH,
     .b = V_LAST_DIVERGED_EPOCH,
     .last = 1,
     .words = "diverged at epochs {a}-{b}"},
    {.group = 1,
     .when = WHEN_SOME_DIVERGED,
     .a = V_DIVERGED,
     .b = V_RUNS,
     .words = "diverged in {a} of {b} seeds"},
    {.group = 2, .when = WHEN_SYMMETRIC_ONE_LAYER, .words = "symmetric: 1 distinct unit"},
    {.group = 2, .when = WHEN_SYMMETRIC, .words = "symmetric: 1 distinct unit per layer"},
    /* saturated: at least half of the hidden unit x sample pairs in the flat part, at the end or the start */
    {.group = 3,
     .when = WHEN_AT_LEAST,
     .of = V_SATURATED_END,
     .threshold = 0.5,
     .a = V_SATURATED_END,
     .percent = 1,
     .words = "saturated: {a}% of {activation} units"},
    {.group = 3,
     .when = WHEN_AT_LEAST,
     .of = V_SATURATED_START,
     .threshold = 0.5,
     .a = V_SATURATED_START,
     .b = V_SATURATED_END,
     .percent = 1,
     .words = "saturated at start: {a}% of {activation} units ({b}% at end)"},
    /* dead: at least half of the ReLU units silent on every probe sample */
    {.group = 4,
     .when = WHEN_AT_LEAST,
     .of = V_DEAD_END,
     .threshold = 0.5,
     .a = V_DEAD_END,
     .percent = 1,
     .words = "dead: {a}% of relu units"},
    /* linear: R^2 still this close to 1 at the end; or nearly 1 at the start */
    {.group = 5,
     .when = WHEN_AT_LEAST,
     .of = V_LINEARITY_END,
     .threshold = 0.99,
     .a = V_LINEARITY_END,
     .digits = 3,
     .words = "still linear at end (R^2 {a})"},
    {.group = 5,
     .when = WHEN_AT_LEAST,
     .of = V_LINEARITY_START,
     .threshold = 0.95,
     .needs = V_LINEARITY_END,
     .a = V_LINEARITY_START,
     .b = V_LINEARITY_END,
     .digits = 2,
     .words = "nearly linear at start (R^2 {a}), R^2 {b} at end"},
    {.group = 6, .when = WHEN_LOWEST_TEST_LOSS, .words = "lowest test loss"},
    {.group = 7, .when = WHEN_NOTHING_SAID, .words = "trained normally"},
};
#define N_VERDICT_RULES (sizeof verdict_rules / sizeof verdict_rules[0])

static double verdict_number(const il_summary_row *row, verdict_value v) {
    switch (v) {
    case V_NONE: return NAN;
    case V_RUNS: return (double)row->runs;
    case V_DIVERGED: return (double)row->diverged;
    case V_FIRST_DIVERGED_EPOCH: return row->first_diverged_epoch;
    case V_LAST_DIVERGED_EPOCH: return row->last_diverged_epoch;
    case V_SATURATED_START: return row->saturated_start;
    case V_SATURATED_END: return row->saturated_end;
    case V_DEAD_END: return row->dead_end;
    case V_LINEARITY_START: return row->linearity_start;
    case V_LINEARITY_END: return row->linearity_end;
    }
    return NAN;
}

static int rule_holds(const verdict_rule *rule, const il_summary_row *row, size_t hidden_layers) {
    double distinct = row->distinct_units_end;
    int symmetric =
        row->finished && hidden_layers && isfinite(distinct) && distinct <= (double)hidden_layers + 1e-9;
    switch (rule->when) {
    case WHEN_ALL_DIVERGED_AT_ONE_EPOCH:
        return row->diverged == row->runs && row->first_diverged_epoch == row->last_diverged_epoch;
    case WHEN_ALL_DIVERGED: return row->diverged == row->runs;
    case WHEN_SOME_DIVERGED: return row->diverged > 0 && row->diverged < row->runs;
    case WHEN_SYMMETRIC_ONE_LAYER: return symmetric && hidden_layers == 1;
    case WHEN_SYMMETRIC: return symmetric;
    case WHEN_AT_LEAST: {
        double v = verdict_number(row, rule->of);
        return isfinite(v) && v >= rule->threshold &&
               (rule->needs == V_NONE || isfinite(verdict_number(row, rule->needs)));
    }
    case WHEN_LOWEST_TEST_LOSS: return row->lowest_test_loss;
    case WHEN_NOTHING_SAID: return row->verdict[0] == '\0';
    }
    return 0;
}

/* Append the rule's words to the verdict, "; " after earlier words; truncated to the verdict's size. */
static void add_words(il_summary_row *row, const verdict_rule *rule, const char *activation) {
    char *v = row->verdict;
    size_t size = sizeof row->verdict, used = strlen(v);
    if (used) used += (size_t)snprintf(v + used, size - used, "; ");
    for (const char *p = rule->words; *p && used < size - 1; p++) {
        size_t room = size - used;
        int n = 0;
        if (strncmp(p, "{a}", 3) == 0 || strncmp(p, "{b}", 3) == 0) {
            double x = verdict_number(row, p[1] == 'a' ? rule->a : rule->b) * (rule->percent ? 100 : 1);
            n = snprintf(v + used, room, "%.*f", rule->digits, isfinite(x) ? x : 0.0);
            p += 2;
        } else if (strncmp(p, "{activation}", 12) == 0) {
            n = snprintf(v + used, room, "%s", activation);
            p += 11;
        } else {
            v[used] = *p;
            v[used + 1] = '\0';
            n = 1;
        }
        used = (size_t)n < room ? used + (size_t)n : size - 1;
    }
}

static void make_verdicts(il_summary *s) {
    long best = -1;
    for (size_t i = 0; i < s->n_rows; i++) {
        double loss = s->rows[i].test_loss;
        if (isfinite(loss) && (best < 0 || loss < s->rows[best].test_loss)) best = (long)i;
    }
    if (best >= 0 && s->n_rows > 1) s->rows[best].lowest_test_loss = 1;
    for (size_t i = 0; i < s->n_rows; i++) {
        il_summary_row *row = &s->rows[i];
        row->verdict[0] = '\0';
        int spoke_in_group = 0, group = 0;
        for (size_t k = 0; k < N_VERDICT_RULES; k++) {
            const verdict_rule *rule = &verdict_rules[k];
            if (rule->group != group) group = rule->group, spoke_in_group = 0;
            if (spoke_in_group || !rule_holds(rule, row, s->hidden_layers)) continue;
            add_words(row, rule, s->hidden_activation);
            spoke_in_group = 1;
            if (rule->last) break;
        }
    }
}

#define NO_VALUE     ((size_t)-1)
#define VALUE(field) offsetof(il_summary_row, field)

/* ---- the columns ------------------------------------------------------------------------------------------
 * A column is shown when some row has a value in `shown_by` (ALWAYS: every time) and no row has one in
 * `hidden_by` (test MSE gives way to test/Bayes). */

typedef enum {
    CELL_INIT,       /* the init's label */
    CELL_RUNS,       /* how many runs */
    CELL_NUMBER,     /* value a */
    CELL_OF,         /* "a of b" (distinct units of hidden units) */
    CELL_FROM_START, /* "a -> b", "a -> -" when b does not exist, "-" when a does not */
    CELL_START_END,  /* "a -> b", each "-" when it does not exist */
    CELL_VERDICT
} cell_kind;

typedef enum { NUM_G4, NUM_G3, NUM_PERCENT0, NUM_PERCENT1, NUM_FIXED3 } number_style;

#define ALWAYS NO_VALUE

static const struct {
    il_summary_column column;
    const char *header;
    cell_kind kind;
    number_style style;
    size_t a, b;                /* the row's values shown: offsetof(il_summary_row, ...), doubles */
    size_t shown_by, hidden_by; /* the same, deciding whether the column is shown */
} columns[IL_SUMMARY_COLUMN_COUNT] = {
    {IL_SUMMARY_INIT, "init", CELL_INIT, NUM_G4, NO_VALUE, NO_VALUE, ALWAYS, NO_VALUE},
    {IL_SUMMARY_RUNS, "runs", CELL_RUNS, NUM_G4, NO_VALUE, NO_VALUE, ALWAYS, NO_VALUE},
    {IL_SUMMARY_TRAIN_LOSS, "train loss", CELL_NUMBER, NUM_G4, VALUE(train_loss), NO_VALUE, ALWAYS, NO_VALUE},
    {IL_SUMMARY_TEST_LOSS, "test loss", CELL_NUMBER, NUM_G4, VALUE(test_loss), NO_VALUE, ALWAYS, NO_VALUE},
    {IL_SUMMARY_ACCURACY, "accuracy", CELL_NUMBER, NUM_PERCENT1, VALUE(test_accuracy), NO_VALUE,
     VALUE(test_accuracy), NO_VALUE},
    {IL_SUMMARY_TEST_BAYES, "test/Bayes", CELL_NUMBER, NUM_G3, VALUE(relative_test_error), NO_VALUE,
     VALUE(relative_test_error), NO_VALUE},
    {IL_SUMMARY_TEST_MSE, "test MSE", CELL_NUMBER, NUM_G4, VALUE(test_mse), NO_VALUE, VALUE(test_mse),
     VALUE(relative_test_error)},
    {IL_SUMMARY_DISTINCT_UNITS, "distinct units", CELL_OF, NUM_G4, VALUE(distinct_units_end),
     VALUE(hidden_units), ALWAYS, NO_VALUE},
    {IL_SUMMARY_SATURATED, "saturated", CELL_FROM_START, NUM_PERCENT0, VALUE(saturated_start),
     VALUE(saturated_end), VALUE(saturated_start), NO_VALUE},
    {IL_SUMMARY_DEAD, "dead", CELL_NUMBER, NUM_PERCENT0, VALUE(dead_end), NO_VALUE, VALUE(dead_start),
     NO_VALUE},
    {IL_SUMMARY_LINEARITY, "linearity start -> end", CELL_START_END, NUM_FIXED3, VALUE(linearity_start),
     VALUE(linearity_end), ALWAYS, NO_VALUE},
    {IL_SUMMARY_VERDICT, "verdict", CELL_VERDICT, NUM_G4, NO_VALUE, NO_VALUE, ALWAYS, NO_VALUE},
};

static int some_row_has(const il_summary *s, size_t value) {
    for (size_t i = 0; i < s->n_rows; i++)
        if (!isnan(row_value(&s->rows[i], value))) return 1;
    return 0;
}

static void choose_columns(il_summary *s) {
    s->n_columns = 0;
    for (size_t c = 0; c < IL_SUMMARY_COLUMN_COUNT; c++) {
        if (columns[c].shown_by != ALWAYS && !some_row_has(s, columns[c].shown_by)) continue;
        if (columns[c].hidden_by != NO_VALUE && some_row_has(s, columns[c].hidden_by)) continue;
        s->columns[s->n_columns++] = columns[c].column;
    }
}

const char *il_summary_header(il_summary_column col) {
    return (size_t)col < IL_SUMMARY_COLUMN_COUNT ? columns[col].header : "";
}

int il_summary_column_is_text(il_summary_column col) {
    return col == IL_SUMMARY_INIT || col == IL_SUMMARY_VERDICT;
}

static int put_number(char *buf, size_t size, number_style style, double v) {
    if (!isfinite(v)) return snprintf(buf, size, "-");
    switch (style) {
    case NUM_G4: return snprintf(buf, size, "%.4g", v);
    case NUM_G3: return snprintf(buf, size, "%.3g", v);
    case NUM_PERCENT0: return snprintf(buf, size, "%.0f%%", 100 * v);
    case NUM_PERCENT1: return snprintf(buf, size, "%.1f%%", 100 * v);
    case NUM_FIXED3: return snprintf(buf, size, "%.3f", v);
    }
    return snprintf(buf, size, "-");
}

void il_summary_cell(const il_summary *s, size_t row, il_summary_column col, char *buf, size_t size) {
    if (!size) return;
    buf[0] = '\0';
    if (row >= s->n_rows || (size_t)col >= IL_SUMMARY_COLUMN_COUNT) return;
    const il_summary_row *r = &s->rows[row];
    double a = columns[col].a != NO_VALUE ? row_value(r, columns[col].a) : NAN;
    double b = columns[col].b != NO_VALUE ? row_value(r, columns[col].b) : NAN;
    number_style style = columns[col].style;
    char left[64], right[64];
    switch (columns[col].kind) {
    case CELL_INIT: snprintf(buf, size, "%s", r->init); break;
    case CELL_RUNS: snprintf(buf, size, "%zu", r->runs); break;
    case CELL_NUMBER: put_number(buf, size, style, a); break;
    case CELL_OF:
        if (isfinite(a) && isfinite(b))
            snprintf(buf, size, "%.6g of %.0f", a, b);
        else
            snprintf(buf, size, "-");
        break;
    case CELL_FROM_START:
    case CELL_START_END:
        put_number(left, sizeof left, style, a);
        put_number(right, sizeof right, style, b);
        if (columns[col].kind == CELL_FROM_START && !isfinite(a))
            snprintf(buf, size, "-");
        else
            snprintf(buf, size, "%s -> %s", left, right);
        break;
    case CELL_VERDICT: snprintf(buf, size, "%s", r->verdict); break;
    }
}

/* ---- reading a folder ---------------------------------------------------------------------------------- */

void il_summary_free(il_summary *s) {
    free(s->results_dir);
    free(s->experiment);
    free(s->data_description);
    free(s->shard);
    free(s->hidden_activation);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

static char *copy_or(const char *value, const char *otherwise) {
    return il__strdup(value ? value : otherwise);
}

il_status il_summary_read(il_summary *s, const char *results_dir, il_error *err) {
    memset(s, 0, sizeof *s);
    char path[4096];
    il__meta meta = {0};
    il_status st = il__path_join(path, sizeof path, results_dir, "meta", err);
    if (st == IL_OK) st = il__meta_read(&meta, path, err);
    if (st != IL_OK) return st;
    st = il__path_join(path, sizeof path, results_dir, "runs.csv", err);
    if (st == IL_OK) st = read_runs(s, path, err);
    if (st == IL_OK) {
        const char *activation = il__meta_get(&meta, "hidden_activation");
        const char *layers = il__meta_get(&meta, "hidden_layers");
        const char *planned = il__meta_get(&meta, "runs_in_plan");
        s->results_dir = il__strdup(results_dir);
        s->experiment = copy_or(il__meta_get(&meta, "experiment"), "(unnamed)");
        s->data_description = copy_or(il__meta_get(&meta, "data_description"), "");
        const char *shard = il__meta_get(&meta, "shard");
        s->shard = copy_or(shard, "");
        s->hidden_activation = copy_or(activation && *activation ? activation : NULL, "hidden");
        if (!s->results_dir || !s->experiment || !s->data_description || !s->shard || !s->hidden_activation)
            st = il_fail(err, IL_ERR_NOMEM, "out of memory");
        s->slice = shard && strncmp(shard, "all", 3) != 0; /* "all" or "all (merged)" is the whole plan */
        uint64_t in_plan = 0;
        s->runs_in_plan = planned && il__scan_whole(planned, &in_plan) == 1 ? (size_t)in_plan : 0;
        if (layers && *layers) {
            s->hidden_layers = 1;
            for (const char *p = layers; *p; p++)
                s->hidden_layers += *p == ',';
        }
    }
    il__meta_free(&meta);
    if (st != IL_OK) {
        il_summary_free(s);
        return st;
    }
    make_verdicts(s);
    choose_columns(s);
    return IL_OK;
}

/* ---- the text around the table ------------------------------------------------------------------------- */

typedef struct {
    char *text;
    size_t len, cap;
    int failed;
} text_buf;

static void appendf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void appendf(text_buf *b, const char *fmt, ...) {
    if (b->failed) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t need = n < 0 ? 0 : b->len + (size_t)n + 1;
    if (need > b->cap) {
        char *grown = realloc(b->text, 2 * need);
        if (!grown) n = -1;
        if (grown) b->text = grown, b->cap = 2 * need;
    }
    if (n < 0) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The text, or NULL (and nothing to free) when out of memory. */
static char *finish(text_buf *b) {
    if (!b->failed) return b->text;
    free(b->text);
    return NULL;
}

char *il_summary_heading(const il_summary *s) {
    text_buf b = {0};
    appendf(&b, "Experiment %s: %zu runs in %s", s->experiment, s->runs, s->results_dir);
    if (s->runs_in_plan)
        appendf(&b, " (the plan has %zu%s%s)", s->runs_in_plan, s->slice ? ", slice " : "",
                s->slice ? s->shard : "");
    appendf(&b, "\n");
    if (*s->data_description) appendf(&b, "Data: %s\n", s->data_description);
    return finish(&b);
}

char *il_summary_notes(const il_summary *s) {
    text_buf b = {0};
    appendf(&b, "%s",
            "Means over each init's seeds; final values over the runs that did not diverge. Linearity is the "
            "R^2 of\nthe best linear fit of the outputs on the inputs over the probe samples (1 = the net is "
            "linear), at\nepoch 0 and at the end. Saturated: share of hidden unit-sample pairs in the flat "
            "part of the\nactivation");
    appendf(&b, "%s",
            some_row_has(s, VALUE(relative_test_error))
                ? ". test/Bayes: test MSE divided by the Bayes error (1 is the best possible).\n"
                : ".\n");
    if (s->runs_in_plan > s->runs && !s->slice)
        appendf(&b, "%zu of %zu runs are missing: continue them with --resume --out %s\n",
                s->runs_in_plan - s->runs, s->runs_in_plan, s->results_dir);
    return finish(&b);
}

/* ---- the text table -------------------------------------------------------------------------------------
 */

#define CELL_SIZE 288 /* a verdict (up to 256 bytes) fits whole */

/* Names and words left-aligned, numbers right-aligned, two spaces between columns, the last column not
 * padded; a line of dashes under the header as wide as each column (the last one: as its header). */
static il_status print_table(FILE *out, const il_summary *s, il_error *err) {
    size_t n_cols = s->n_columns, n_lines = s->n_rows + 1;
    char(*cells)[CELL_SIZE] = calloc(n_lines * n_cols, sizeof *cells); /* (n_lines, n_cols) */
    if (!cells) return il_fail(err, IL_ERR_NOMEM, "out of memory");
    size_t width[IL_SUMMARY_COLUMN_COUNT] = {0};
    for (size_t r = 0; r < n_lines; r++)
        for (size_t c = 0; c < n_cols; c++) {
            char *cell = cells[r * n_cols + c];
            if (r == 0)
                snprintf(cell, CELL_SIZE, "%s", il_summary_header(s->columns[c]));
            else
                il_summary_cell(s, r - 1, s->columns[c], cell, CELL_SIZE);
            if (strlen(cell) > width[c]) width[c] = strlen(cell);
        }
    for (size_t r = 0; r < n_lines; r++) {
        for (size_t c = 0; c < n_cols; c++) {
            const char *cell = cells[r * n_cols + c];
            if (c + 1 == n_cols)
                fprintf(out, "%s", cell);
            else if (il_summary_column_is_text(s->columns[c]))
                fprintf(out, "%-*s  ", (int)width[c], cell);
            else
                fprintf(out, "%*s  ", (int)width[c], cell);
        }
        fputc('\n', out);
        if (r == 0) {
            for (size_t c = 0; c < n_cols; c++) {
                size_t w = c + 1 == n_cols ? strlen(cells[c]) : width[c];
                for (size_t k = 0; k < w; k++)
                    fputc('-', out);
                if (c + 1 < n_cols) fputs("  ", out);
            }
            fputc('\n', out);
        }
    }
    free(cells);
    return IL_OK;
}

il_status il_summary_write(FILE *out, const char *results_dir, il_error *err) {
    il_summary s;
    il_status st = il_summary_read(&s, results_dir, err);
    if (st != IL_OK) return st;
    char *heading = il_summary_heading(&s), *notes = il_summary_notes(&s);
    if (!heading || !notes) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    if (st == IL_OK) {
        fprintf(out, "%s\n", heading);
        st = print_table(out, &s, err);
    }
    if (st == IL_OK) fprintf(out, "\n%s", notes);
    free(heading);
    free(notes);
    il_summary_free(&s);
    return st;
}
