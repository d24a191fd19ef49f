/* report_results.c - read a results folder (docs/results.md) for the report: every curve boiled down to
 * the mean, minimum and maximum over each init's seeds at each log point, the histograms, the inits and
 * the summary rows (il_summary_read: runs.csv and meta), config.ini through the experiment parser and meta
 * through the runner's meta reader. Reading is strict: a missing column or a cell that is not a number is an
 * error naming the file, the line and the column, never a silent gap.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/csv.h"
#include "core/files.h"
#include "initlab/experiment.h"
#include "report/report_results.h"
#include "runner/runner_internal.h"

/* ---- small helpers ---------------------------------------------------------------------------------- */

static void stat_add(il__report_stat *s, double v) {
    if (!isfinite(v)) return;
    if (s->n == 0 || v < s->min) s->min = v;
    if (s->n == 0 || v > s->max) s->max = v;
    s->sum += v;
    s->n++;
}

/* The point of series s at step (inserted, in step order, if new). NULL when out of memory. */
static il__report_point *series_point(il__report_series *s, double step, double epoch) {
    /* Rows of one run come in increasing step, and every run of an init logs the same steps, so the
     * point is nearly always the last one or found by bisection. */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->p[mid].step < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n && s->p[lo].step == step) return &s->p[lo];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        il__report_point *grown = cap <= SIZE_MAX / sizeof *grown ? realloc(s->p, cap * sizeof *grown) : NULL;
        if (!grown) return NULL;
        s->p = grown;
        s->cap = cap;
    }
    memmove(&s->p[lo + 1], &s->p[lo], (s->n - lo) * sizeof *s->p);
    memset(&s->p[lo], 0, sizeof *s->p);
    s->p[lo].step = step;
    s->p[lo].epoch = epoch;
    s->n++;
    return &s->p[lo];
}

static int grow_doubles(double **a, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap * 2 : 256;
    while (c < need)
        c *= 2;
    if (c > SIZE_MAX / sizeof(double)) return -1;
    double *g = realloc(*a, c * sizeof *g);
    if (!g) return -1;
    *a = g;
    *cap = c;
    return 0;
}

/* Index of init label, or -1. Few inits (at most a few dozen): a linear search is the clear choice. */
static long find_init(const il__report_results *r, const char *label) {
    for (size_t i = 0; i < r->n_inits; i++)
        if (strcmp(r->inits[i].label, label) == 0) return (long)i;
    return -1;
}

/* The init of the current row of rd, which must be one of runs.csv's. */
static il_status row_init(const il__report_results *r, const il__csvread *rd, int col, size_t *init,
                          il_error *err) {
    const char *label = il__csvread_text(rd, col);
    long i = find_init(r, label);
    if (i < 0)
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu: init '%s' has no run in runs.csv", rd->path,
                       rd->line, label);
    *init = (size_t)i;
    return IL_OK;
}

/* ---- runs.csv: the inits in plan order, runs and divergences, from the summary rows ------------------ */

static il_status read_runs(il__report_results *r, il_error *err) {
    char path[4096];
    il_status st = il__path_join(path, sizeof path, r->dir, "runs.csv", err);
    if (st != IL_OK) return st;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT)
        return il_fail(
            err, IL_ERR_IO,
            "%s is missing: %s is not a results folder of initlab run (expected runs.csv, curves.csv, "
            "layers.csv, histograms.csv and meta in it)",
            path, r->dir);
    st = il_summary_read(&r->summary, r->dir, err);
    if (st != IL_OK) return st;
    const il_summary *s = &r->summary;
    if (s->n_rows == 0)
        return il_fail(err, IL_ERR_FORMAT, "%s holds no run: nothing to draw (did the experiment run?)",
                       path);
    r->inits = calloc(s->n_rows, sizeof *r->inits);
    if (!r->inits) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < s->n_rows; i++) {
        il__report_init *in = &r->inits[r->n_inits++];
        in->label = il__strdup(s->rows[i].init);
        if (!in->label) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
        in->runs = s->rows[i].runs;
        in->diverged = s->rows[i].diverged;
        double hidden = s->rows[i].hidden_units;
        if (isfinite(hidden) && hidden > (double)r->hidden_units) r->hidden_units = (size_t)(hidden + 0.5);
    }
    return IL_OK;
}

/* ---- curves.csv: losses, accuracy, linearity, weight norm per init and log point --------------------- */

static const char *const curve_columns[IL__CURVE_COUNT] = {
    [IL__CURVE_TRAIN] = "train_loss",       [IL__CURVE_TEST] = "test_loss",
    [IL__CURVE_ACCURACY] = "test_accuracy", [IL__CURVE_RELATIVE] = "relative_test_error",
    [IL__CURVE_LINEARITY] = "linearity",    [IL__CURVE_WEIGHT_NORM] = "weight_norm",
};

static il_status add_path_point(il__report_paths *p, double norm, double r2, int new_run) {
    if (new_run) {
        if (p->n_runs == p->cap_runs) {
            size_t cap = p->cap_runs ? p->cap_runs * 2 : 16;
            size_t *g = realloc(p->run_starts, cap * sizeof *g);
            if (!g) return IL_ERR_NOMEM;
            p->run_starts = g;
            p->cap_runs = cap;
        }
        p->run_starts[p->n_runs++] = p->n;
    }
    if (!isfinite(norm) || !isfinite(r2)) return IL_OK;
    size_t cap2 = p->cap * 2;
    if (grow_doubles(&p->xy, &cap2, 2 * (p->n + 1)) != 0) return IL_ERR_NOMEM;
    p->cap = cap2 / 2;
    p->xy[2 * p->n] = norm;
    p->xy[2 * p->n + 1] = r2;
    p->n++;
    return IL_OK;
}

static il_status read_curves(il__report_results *r, il_error *err) {
    static const char *const keys[] = {"init", "seed", "epoch", "step"};
    int key[4], col[IL__CURVE_COUNT];
    char path[4096];
    il__csvread rd;
    il_status st = il__path_join(path, sizeof path, r->dir, "curves.csv", err);
    if (st == IL_OK) st = il__csvread_open(&rd, path, err);
    if (st != IL_OK) return st;
    st = il__csvread_columns(&rd, keys, 4, key, "the curves.csv of initlab run", err);
    if (st == IL_OK)
        st = il__csvread_columns(&rd, curve_columns, IL__CURVE_COUNT, col, "the curves.csv of initlab run",
                                 err);
    size_t prev_init = (size_t)-1, prev_seed = (size_t)-1;
    double prev_step = -1;
    int got = 0;
    while (st == IL_OK && (st = il__csvread_next(&rd, &got, err)) == IL_OK && got) {
        size_t init = 0, seed = 0;
        double epoch, step, v[IL__CURVE_COUNT];
        if ((st = row_init(r, &rd, key[0], &init, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[1], &seed, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[2], &epoch, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[3], &step, err)) != IL_OK) break;
        if (isnan(epoch) || isnan(step) || epoch < 0 || step < 0) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu: epoch and step must be numbers >= 0", path,
                         rd.line);
            break;
        }
        for (size_t m = 0; m < IL__CURVE_COUNT && st == IL_OK; m++)
            st = il__csvread_number(&rd, col[m], &v[m], err);
        if (st != IL_OK) break;
        il__report_init *in = &r->inits[init];
        il__report_point *p = series_point(&in->curve, step, epoch);
        if (!p) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", path, rd.line);
            break;
        }
        for (size_t m = 0; m < IL__CURVE_COUNT; m++) {
            stat_add(&p->m[m], v[m]);
            r->has_curve[m] |= isfinite(v[m]);
        }
        if (epoch > r->max_epoch) r->max_epoch = epoch;
        /* A new run begins when the init or seed changes or the step goes back (merged files hold
         * each run's rows together, in plan order). */
        int new_run = init != prev_init || seed != prev_seed || step <= prev_step;
        if (add_path_point(&in->paths, v[IL__CURVE_WEIGHT_NORM], v[IL__CURVE_LINEARITY], new_run) != IL_OK) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", path, rd.line);
            break;
        }
        prev_init = init;
        prev_seed = seed;
        prev_step = step;
    }
    il__csvread_close(&rd);
    return st;
}

/* ---- layers.csv: saturated, linear-region, dead fractions and distinct units per layer --------------- */

static const char *const layer_columns[IL__LAYER_COUNT] = {
    [IL__LAYER_SATURATED] = "saturated",
    [IL__LAYER_LINEAR_REGION] = "linear_region",
    [IL__LAYER_DEAD] = "dead",
    [IL__LAYER_DISTINCT] = "distinct_units",
};

#define MAX_LAYERS_READ 64

/* Make room for layer number `layer` (1-based). */
static il_status ensure_layer(il__report_results *r, size_t layer, const char *path, size_t line,
                              il_error *err) {
    if (layer == 0 || layer > MAX_LAYERS_READ)
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column 'layer': %zu, expected 1 to %d", path, line,
                       layer, MAX_LAYERS_READ);
    if (layer <= r->n_layers) return IL_OK;
    il__report_layer *grown = realloc(r->layers, layer * sizeof *grown);
    if (!grown) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    r->layers = grown;
    for (size_t l = r->n_layers; l < layer; l++) {
        memset(&r->layers[l], 0, sizeof r->layers[l]);
        r->layers[l].series = calloc(r->n_inits, sizeof *r->layers[l].series);
        r->layers[l].hist = calloc(2 * r->n_inits, sizeof *r->layers[l].hist);
        if (!r->layers[l].series || !r->layers[l].hist) {
            r->n_layers = l + 1; /* so il__report_free releases what was made */
            return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
        }
    }
    r->n_layers = layer;
    return IL_OK;
}

static il_status read_layers(il__report_results *r, il_error *err) {
    static const char *const keys[] = {"init", "epoch", "step", "layer", "activation", "units"};
    int key[6], col[IL__LAYER_COUNT];
    char path[4096];
    il__csvread rd;
    il_status st = il__path_join(path, sizeof path, r->dir, "layers.csv", err);
    if (st == IL_OK) st = il__csvread_open(&rd, path, err);
    if (st != IL_OK) return st;
    st = il__csvread_columns(&rd, keys, 6, key, "the layers.csv of initlab run", err);
    if (st == IL_OK)
        st = il__csvread_columns(&rd, layer_columns, IL__LAYER_COUNT, col, "the layers.csv of initlab run",
                                 err);
    int got = 0;
    while (st == IL_OK && (st = il__csvread_next(&rd, &got, err)) == IL_OK && got) {
        size_t init = 0, layer = 0, units = 0;
        double epoch, step, v[IL__LAYER_COUNT];
        if ((st = row_init(r, &rd, key[0], &init, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[1], &epoch, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[2], &step, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[3], &layer, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[5], &units, err)) != IL_OK) break;
        if (isnan(epoch) || isnan(step)) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu: epoch and step must be numbers", path, rd.line);
            break;
        }
        for (size_t m = 0; m < IL__LAYER_COUNT && st == IL_OK; m++)
            st = il__csvread_number(&rd, col[m], &v[m], err);
        if (st == IL_OK) st = ensure_layer(r, layer, path, rd.line, err);
        if (st != IL_OK) break;
        il__report_layer *ly = &r->layers[layer - 1];
        snprintf(ly->activation, sizeof ly->activation, "%s", il__csvread_text(&rd, key[4]));
        ly->units = units;
        il__report_point *p = series_point(&ly->series[init], step, epoch);
        if (!p) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", path, rd.line);
            break;
        }
        for (size_t m = 0; m < IL__LAYER_COUNT; m++)
            stat_add(&p->m[m], v[m]);
    }
    il__csvread_close(&rd);
    /* What the figures can show is decided over the hidden layers (all but the last, the output). */
    for (size_t l = 0; st == IL_OK && l + 1 < r->n_layers; l++)
        for (size_t i = 0; i < r->n_inits; i++)
            for (size_t k = 0; k < r->layers[l].series[i].n; k++)
                for (size_t m = 0; m < IL__LAYER_COUNT; m++)
                    r->has_layer[m] |= r->layers[l].series[i].p[k].m[m].n > 0;
    if (st == IL_OK && r->n_layers == 0)
        st = il_fail(err, IL_ERR_FORMAT, "%s holds no row: nothing to draw per layer", path);
    return st;
}

/* ---- histograms.csv: activation histograms at epoch 0 and at the end --------------------------------- */

/* Append one source bin; -1 when out of memory. The three arrays share one capacity. */
static int hist_push(il__report_hist *h, double lo, double hi, double count) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 128;
        if (cap > SIZE_MAX / sizeof(double)) return -1;
        double *a = realloc(h->lo, cap * sizeof *a);
        if (!a) return -1;
        h->lo = a;
        a = realloc(h->hi, cap * sizeof *a);
        if (!a) return -1;
        h->hi = a;
        a = realloc(h->count, cap * sizeof *a);
        if (!a) return -1;
        h->count = a;
        h->cap = cap;
    }
    h->lo[h->n] = lo;
    h->hi[h->n] = hi;
    h->count[h->n] = count;
    h->n++;
    return 0;
}

static il_status read_histograms(il__report_results *r, il_error *err) {
    static const char *const keys[] = {"init", "epoch", "step", "layer", "lo", "hi", "count"};
    int key[7];
    char path[4096];
    il__csvread rd;
    il_status st = il__path_join(path, sizeof path, r->dir, "histograms.csv", err);
    if (st == IL_OK) st = il__csvread_open(&rd, path, err);
    if (st != IL_OK) return st;
    st = il__csvread_columns(&rd, keys, 7, key, "the histograms.csv of initlab run", err);
    int got = 0;
    while (st == IL_OK && (st = il__csvread_next(&rd, &got, err)) == IL_OK && got) {
        size_t init = 0, layer = 0, count = 0;
        double epoch, step, lo, hi;
        if ((st = row_init(r, &rd, key[0], &init, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[1], &epoch, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[2], &step, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[3], &layer, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[4], &lo, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[5], &hi, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[6], &count, err)) != IL_OK) break;
        if (isnan(epoch) || isnan(step) || isnan(lo) || isnan(hi) || hi < lo) {
            st = il_fail(err, IL_ERR_FORMAT,
                         "%s: line %zu: epoch, step, lo and hi must be numbers with lo <= hi", path, rd.line);
            break;
        }
        if (layer == 0 || layer > r->n_layers) {
            st = il_fail(err, IL_ERR_FORMAT,
                         "%s: line %zu, column 'layer': %zu, but layers.csv has layers 1 to %zu", path,
                         rd.line, layer, r->n_layers);
            break;
        }
        /* The runner writes a histogram at the first log point (step 0) and at the last one. */
        il__report_hist *h =
            &r->layers[layer - 1].hist[2 * init + (step > 0 ? IL__HIST_END : IL__HIST_START)];
        if (hist_push(h, lo, hi, (double)count) != 0) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", path, rd.line);
            break;
        }
        if (epoch > h->epoch) h->epoch = epoch;
    }
    il__csvread_close(&rd);
    return st;
}

/* ---- meta and config.ini ---------------------------------------------------------------------------- */

/* A copy of meta's value of key, or NULL when meta has none (or out of memory: the page then leaves the
 * fact out, as for a folder whose meta does not say). */
static char *meta_copy(const il__meta *meta, const char *key) {
    const char *value = il__meta_get(meta, key);
    return value ? il__strdup(value) : NULL;
}

static il_status read_meta_and_config(il__report_results *r, il_error *err) {
    char path[4096];
    il__meta meta = {0};
    il_status st = il__path_join(path, sizeof path, r->dir, "meta", err);
    if (st == IL_OK) st = il__meta_read(&meta, path, err);
    if (st != IL_OK) return st;
    r->data_text = meta_copy(&meta, "data_description");
    r->meta_task = meta_copy(&meta, "task");
    r->meta_activation = meta_copy(&meta, "hidden_activation");
    r->meta_layers = meta_copy(&meta, "hidden_layers");
    r->meta_version = meta_copy(&meta, "version");
    r->meta_date = meta_copy(&meta, "date");
    il__meta_free(&meta);

    /* The experiment as the parser reads it (name and description), and the text as written for the
     * page's copy of it. */
    il_experiment *exp = malloc(sizeof *exp);
    size_t size = 0;
    st = il__path_join(path, sizeof path, r->dir, "config.ini", err);
    if (st == IL_OK && !exp) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    if (st == IL_OK) st = il__read_text_file(path, IL__RESULT_FILE_MAX_BYTES, &r->config_text, &size, err);
    if (st == IL_OK) st = il_experiment_load(exp, path, err);
    if (st == IL_ERR_USAGE) { /* a config.ini the parser refuses is a damaged results file here */
        st = IL_ERR_FORMAT;
        if (err) err->status = st;
    }
    if (st == IL_OK) {
        r->name = il__strdup(exp->name);
        r->description = il__strdup(exp->description);
        if (!r->name || !r->description) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    }
    free(exp);
    return st;
}

size_t il__report_hidden_layers(const il__report_results *r) {
    return r->n_layers > 0 ? r->n_layers - 1 : 0;
}

const char *il__report_loss_kind(const il__report_results *r) {
    if (r->meta_task && strcmp(r->meta_task, "regression") == 0) return "squared error";
    if (r->meta_task && strcmp(r->meta_task, "classification") == 0) return "cross-entropy, nats";
    return NULL;
}

/* ---- the whole folder ------------------------------------------------------------------------------- */

il_status il__report_read(il__report_results *r, const char *dir, il_error *err) {
    memset(r, 0, sizeof *r);
    r->dir = dir;
    il_status st = read_runs(r, err);
    if (st == IL_OK) st = read_meta_and_config(r, err);
    if (st == IL_OK) st = read_curves(r, err);
    if (st == IL_OK) st = read_layers(r, err);
    if (st == IL_OK) st = read_histograms(r, err);
    if (st != IL_OK) il__report_free(r);
    return st;
}

void il__report_free(il__report_results *r) {
    for (size_t i = 0; i < r->n_inits; i++) {
        free(r->inits[i].label);
        free(r->inits[i].curve.p);
        free(r->inits[i].paths.xy);
        free(r->inits[i].paths.run_starts);
    }
    free(r->inits);
    for (size_t l = 0; l < r->n_layers; l++) {
        if (r->layers[l].series)
            for (size_t i = 0; i < r->n_inits; i++)
                free(r->layers[l].series[i].p);
        if (r->layers[l].hist)
            for (size_t k = 0; k < 2 * r->n_inits; k++) {
                free(r->layers[l].hist[k].lo);
                free(r->layers[l].hist[k].hi);
                free(r->layers[l].hist[k].count);
            }
        free(r->layers[l].series);
        free(r->layers[l].hist);
    }
    free(r->layers);
    free(r->name);
    free(r->description);
    free(r->config_text);
    free(r->data_text);
    free(r->meta_task);
    free(r->meta_activation);
    free(r->meta_layers);
    free(r->meta_version);
    free(r->meta_date);
    il_summary_free(&r->summary);
    memset(r, 0, sizeof *r);
}
