/* report.c - `initlab report`: read a results folder (docs/results.md), boil every curve down to the
 * mean, minimum and maximum over each init's seeds at each log point, and hand that to the figure
 * writer (report_plot.c) and the page writer (report_html.c). Reading is strict: a missing column or a
 * cell that is not a number is an error naming the file, the line and the column, never a silent gap.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/csv.h"
#include "initlab/fileio.h"
#include "report/report_internal.h"

/* ---- small helpers ---------------------------------------------------------------------------------- */

il_status rp_join(char *buf, size_t size, const char *a, const char *b, il_error *err) {
    int n = snprintf(buf, size, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= size) return il_fail(err, IL_ERR_USAGE, "%s/%s: the path is too long", a, b);
    return IL_OK;
}

static char *dup_text(const char *s, size_t len) {
    char *d = malloc(len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* Read a whole text file; *text is NUL-terminated. ENOENT is reported as "missing". */
static il_status read_text(const char *path, char **text, il_error *err) {
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return il_fail(err, IL_ERR_IO, "%s is missing", path);
        return il_fail(err, IL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - 1 - len, f);
        if (len < cap - 1) break;
        char *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(buf);
        return il_fail(err, IL_ERR_IO, "%s: cannot read", path);
    }
    buf[len] = '\0';
    *text = buf;
    return IL_OK;
}

static void stat_add(rp_stat *s, double v) {
    if (!isfinite(v)) return;
    if (s->n == 0 || v < s->min) s->min = v;
    if (s->n == 0 || v > s->max) s->max = v;
    s->sum += v;
    s->n++;
}

/* The point of series s at step (inserted, in step order, if new). NULL when out of memory. */
static rp_point *series_point(rp_series *s, double step, double epoch) {
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
        rp_point *grown = cap <= SIZE_MAX / sizeof *grown ? realloc(s->p, cap * sizeof *grown) : NULL;
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

static void free_results(rp_results *r) {
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
    memset(r, 0, sizeof *r);
}

/* Index of init label, or -1. Few inits (at most a few dozen): a linear search is the clear choice. */
static long find_init(const rp_results *r, const char *label) {
    for (size_t i = 0; i < r->n_inits; i++)
        if (strcmp(r->inits[i].label, label) == 0) return (long)i;
    return -1;
}

/* The init of the current row of rd, which must be one of runs.csv's. */
static il_status row_init(const rp_results *r, const il__csvread *rd, int col, size_t *init, il_error *err) {
    const char *label = il__csvread_text(rd, col);
    long i = find_init(r, label);
    if (i < 0)
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu: init '%s' has no run in runs.csv", rd->path,
                       rd->line, label);
    *init = (size_t)i;
    return IL_OK;
}

/* ---- runs.csv: the inits in plan order, runs and divergences ---------------------------------------- */

static il_status read_runs(rp_results *r, il_error *err) {
    static const char *const names[] = {"init", "seed", "status", "hidden_units"};
    int col[4];
    char path[4096];
    il__csvread rd;
    il_status st = rp_join(path, sizeof path, r->dir, "runs.csv", err);
    if (st != IL_OK) return st;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT)
        return il_fail(
            err, IL_ERR_IO,
            "%s is missing: %s is not a results folder of initlab run (expected runs.csv, curves.csv, "
            "layers.csv, histograms.csv and meta in it)",
            path, r->dir);
    st = il__csvread_open(&rd, path, err);
    if (st != IL_OK) return st;
    st = il__csvread_columns(&rd, names, 4, col, "the runs.csv of initlab run", err);
    int got = 0;
    while (st == IL_OK && (st = il__csvread_next(&rd, &got, err)) == IL_OK && got) {
        const char *label = il__csvread_text(&rd, col[0]);
        const char *status = il__csvread_text(&rd, col[2]);
        size_t seed, hidden;
        if ((st = il__csvread_count(&rd, col[1], &seed, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, col[3], &hidden, err)) != IL_OK) break;
        int diverged = strcmp(status, "diverged") == 0;
        if (!diverged && strcmp(status, "finished") != 0) {
            st = il_fail(err, IL_ERR_FORMAT,
                         "%s: line %zu, column 'status': '%s', expected finished or diverged", path, rd.line,
                         status);
            break;
        }
        if (!*label) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column 'init': empty, expected the init's label",
                         path, rd.line);
            break;
        }
        long i = find_init(r, label);
        if (i < 0) {
            rp_init *grown = realloc(r->inits, (r->n_inits + 1) * sizeof *grown);
            char *copy = dup_text(label, strlen(label));
            if (!grown || !copy) {
                if (grown) r->inits = grown;
                free(copy);
                st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            r->inits = grown;
            memset(&r->inits[r->n_inits], 0, sizeof *r->inits);
            r->inits[r->n_inits].label = copy;
            i = (long)r->n_inits++;
        }
        r->inits[i].runs++;
        r->inits[i].diverged += (size_t)diverged;
        if (hidden > r->hidden_units) r->hidden_units = hidden;
    }
    if (st == IL_OK && r->n_inits == 0)
        st = il_fail(err, IL_ERR_FORMAT, "%s holds no run: nothing to draw (did the experiment run?)", path);
    il__csvread_close(&rd);
    return st;
}

/* ---- curves.csv: losses, accuracy, linearity, weight norm per init and log point --------------------- */

static const char *const curve_columns[CM_COUNT] = {
    [CM_TRAIN] = "train_loss",       [CM_TEST] = "test_loss",
    [CM_ACCURACY] = "test_accuracy", [CM_RELATIVE] = "relative_test_error",
    [CM_LINEARITY] = "linearity",    [CM_WEIGHT_NORM] = "weight_norm",
};

static il_status add_path_point(rp_paths *p, double norm, double r2, int new_run) {
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

static il_status read_curves(rp_results *r, il_error *err) {
    static const char *const keys[] = {"init", "seed", "epoch", "step"};
    int key[4], col[CM_COUNT];
    char path[4096];
    il__csvread rd;
    il_status st = rp_join(path, sizeof path, r->dir, "curves.csv", err);
    if (st == IL_OK) st = il__csvread_open(&rd, path, err);
    if (st != IL_OK) return st;
    st = il__csvread_columns(&rd, keys, 4, key, "the curves.csv of initlab run", err);
    if (st == IL_OK)
        st = il__csvread_columns(&rd, curve_columns, CM_COUNT, col, "the curves.csv of initlab run", err);
    size_t prev_init = (size_t)-1, prev_seed = (size_t)-1;
    double prev_step = -1;
    int got = 0;
    while (st == IL_OK && (st = il__csvread_next(&rd, &got, err)) == IL_OK && got) {
        size_t init = 0, seed = 0;
        double epoch, step, v[CM_COUNT];
        if ((st = row_init(r, &rd, key[0], &init, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[1], &seed, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[2], &epoch, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[3], &step, err)) != IL_OK) break;
        if (isnan(epoch) || isnan(step) || epoch < 0 || step < 0) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu: epoch and step must be numbers >= 0", path,
                         rd.line);
            break;
        }
        for (size_t m = 0; m < CM_COUNT && st == IL_OK; m++)
            st = il__csvread_number(&rd, col[m], &v[m], err);
        if (st != IL_OK) break;
        rp_init *in = &r->inits[init];
        rp_point *p = series_point(&in->curve, step, epoch);
        if (!p) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", path, rd.line);
            break;
        }
        for (size_t m = 0; m < CM_COUNT; m++) {
            stat_add(&p->m[m], v[m]);
            r->has_curve[m] |= isfinite(v[m]);
        }
        if (epoch > r->max_epoch) r->max_epoch = epoch;
        /* A new run begins when the init or seed changes or the step goes back (merged files hold
         * each run's rows together, in plan order). */
        int new_run = init != prev_init || seed != prev_seed || step <= prev_step;
        if (add_path_point(&in->paths, v[CM_WEIGHT_NORM], v[CM_LINEARITY], new_run) != IL_OK) {
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

static const char *const layer_columns[LM_COUNT] = {
    [LM_SATURATED] = "saturated",
    [LM_LINEAR_REGION] = "linear_region",
    [LM_DEAD] = "dead",
    [LM_DISTINCT] = "distinct_units",
};

#define MAX_LAYERS_READ 64

/* Make room for layer number `layer` (1-based). */
static il_status ensure_layer(rp_results *r, size_t layer, const char *path, size_t line, il_error *err) {
    if (layer == 0 || layer > MAX_LAYERS_READ)
        return il_fail(err, IL_ERR_FORMAT, "%s: line %zu, column 'layer': %zu, expected 1 to %d", path, line,
                       layer, MAX_LAYERS_READ);
    if (layer <= r->n_layers) return IL_OK;
    rp_layer *grown = realloc(r->layers, layer * sizeof *grown);
    if (!grown) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    r->layers = grown;
    for (size_t l = r->n_layers; l < layer; l++) {
        memset(&r->layers[l], 0, sizeof r->layers[l]);
        r->layers[l].series = calloc(r->n_inits, sizeof *r->layers[l].series);
        r->layers[l].hist = calloc(2 * r->n_inits, sizeof *r->layers[l].hist);
        if (!r->layers[l].series || !r->layers[l].hist) {
            r->n_layers = l + 1; /* so free_results releases what was made */
            return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
        }
    }
    r->n_layers = layer;
    return IL_OK;
}

static il_status read_layers(rp_results *r, il_error *err) {
    static const char *const keys[] = {"init", "epoch", "step", "layer", "activation", "units"};
    int key[6], col[LM_COUNT];
    char path[4096];
    il__csvread rd;
    il_status st = rp_join(path, sizeof path, r->dir, "layers.csv", err);
    if (st == IL_OK) st = il__csvread_open(&rd, path, err);
    if (st != IL_OK) return st;
    st = il__csvread_columns(&rd, keys, 6, key, "the layers.csv of initlab run", err);
    if (st == IL_OK)
        st = il__csvread_columns(&rd, layer_columns, LM_COUNT, col, "the layers.csv of initlab run", err);
    int got = 0;
    while (st == IL_OK && (st = il__csvread_next(&rd, &got, err)) == IL_OK && got) {
        size_t init = 0, layer = 0, units = 0;
        double epoch, step, v[LM_COUNT];
        if ((st = row_init(r, &rd, key[0], &init, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[1], &epoch, err)) != IL_OK) break;
        if ((st = il__csvread_number(&rd, key[2], &step, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[3], &layer, err)) != IL_OK) break;
        if ((st = il__csvread_count(&rd, key[5], &units, err)) != IL_OK) break;
        if (isnan(epoch) || isnan(step)) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu: epoch and step must be numbers", path, rd.line);
            break;
        }
        for (size_t m = 0; m < LM_COUNT && st == IL_OK; m++)
            st = il__csvread_number(&rd, col[m], &v[m], err);
        if (st == IL_OK) st = ensure_layer(r, layer, path, rd.line, err);
        if (st != IL_OK) break;
        rp_layer *ly = &r->layers[layer - 1];
        snprintf(ly->activation, sizeof ly->activation, "%s", il__csvread_text(&rd, key[4]));
        ly->units = units;
        rp_point *p = series_point(&ly->series[init], step, epoch);
        if (!p) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory at line %zu", path, rd.line);
            break;
        }
        for (size_t m = 0; m < LM_COUNT; m++)
            stat_add(&p->m[m], v[m]);
    }
    il__csvread_close(&rd);
    /* What the figures can show is decided over the hidden layers (all but the last, the output). */
    for (size_t l = 0; st == IL_OK && l + 1 < r->n_layers; l++)
        for (size_t i = 0; i < r->n_inits; i++)
            for (size_t k = 0; k < r->layers[l].series[i].n; k++)
                for (size_t m = 0; m < LM_COUNT; m++)
                    r->has_layer[m] |= r->layers[l].series[i].p[k].m[m].n > 0;
    if (st == IL_OK && r->n_layers == 0)
        st = il_fail(err, IL_ERR_FORMAT, "%s holds no row: nothing to draw per layer", path);
    return st;
}

/* ---- histograms.csv: activation histograms at epoch 0 and at the end --------------------------------- */

/* Append one source bin; -1 when out of memory. The three arrays share one capacity. */
static int hist_push(rp_hist *h, double lo, double hi, double count) {
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

static il_status read_histograms(rp_results *r, il_error *err) {
    static const char *const keys[] = {"init", "epoch", "step", "layer", "lo", "hi", "count"};
    int key[7];
    char path[4096];
    il__csvread rd;
    il_status st = rp_join(path, sizeof path, r->dir, "histograms.csv", err);
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
        rp_hist *h = &r->layers[layer - 1].hist[2 * init + (step > 0 ? RP_HIST_END : RP_HIST_START)];
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

static char *trimmed_copy(const char *s, size_t len) {
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    return dup_text(s, len);
}

/* meta is "key = value" lines; '#' starts a comment line. */
static char *meta_value(const char *meta, const char *key) {
    size_t klen = strlen(key);
    for (const char *line = meta; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, key, klen) == 0) {
            const char *q = p + klen;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=') {
                q++;
                return trimmed_copy(q, len - (size_t)(q - line));
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return NULL;
}

/* [experiment] name and description of an INI text, with the INI rule for a value that goes on over
 * several lines: the lines after "description =" that are indented continue it. */
static il_status ini_experiment(rp_results *r, const char *ini, il_error *err) {
    int in_section = 0, in_description = 0;
    size_t cap = strlen(ini) + 1, used = 0;
    char *desc = malloc(cap);
    if (!desc) return il_fail(err, IL_ERR_NOMEM, "out of memory");
    desc[0] = '\0';
    for (const char *line = ini; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        const char *p = line;
        while ((size_t)(p - line) < len && (*p == ' ' || *p == '\t'))
            p++;
        size_t rest = len - (size_t)(p - line);
        int indented = p > line, blank = rest == 0 || *p == '\r';
        if (in_description && indented && !blank && *p != '#' && *p != ';') {
            char *t = trimmed_copy(p, rest);
            if (!t) {
                free(desc);
                return il_fail(err, IL_ERR_NOMEM, "out of memory");
            }
            used += (size_t)snprintf(desc + used, cap - used, "%s%s", used ? "\n" : "", t);
            free(t);
        } else if (!blank && *p != '#' && *p != ';') {
            in_description = 0;
            if (*p == '[') {
                in_section = strncmp(p, "[experiment]", 12) == 0;
            } else if (in_section) {
                const char *eq = memchr(p, '=', rest);
                if (eq) {
                    char *k = trimmed_copy(p, (size_t)(eq - p));
                    char *v = trimmed_copy(eq + 1, len - (size_t)(eq + 1 - line));
                    if (!k || !v) {
                        free(k);
                        free(v);
                        free(desc);
                        return il_fail(err, IL_ERR_NOMEM, "out of memory");
                    }
                    if (strcmp(k, "description") == 0) {
                        in_description = 1;
                        if (*v)
                            used += (size_t)snprintf(desc + used, cap - used, "%s%s", used ? "\n" : "", v);
                    } else if (strcmp(k, "name") == 0 && !r->name) {
                        r->name = v;
                        v = NULL;
                    }
                    free(k);
                    free(v);
                }
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    r->description = desc;
    return IL_OK;
}

static il_status read_meta_and_config(rp_results *r, il_error *err) {
    char path[4096];
    char *meta = NULL;
    il_status st = rp_join(path, sizeof path, r->dir, "meta", err);
    if (st == IL_OK) st = read_text(path, &meta, err);
    if (st != IL_OK) return st;
    r->data_text = meta_value(meta, "data_description");
    r->meta_task = meta_value(meta, "task");
    r->meta_activation = meta_value(meta, "hidden_activation");
    r->meta_layers = meta_value(meta, "hidden_layers");
    r->meta_version = meta_value(meta, "version");
    r->meta_date = meta_value(meta, "date");
    char *name = meta_value(meta, "experiment");
    free(meta);
    st = rp_join(path, sizeof path, r->dir, "config.ini", err);
    if (st == IL_OK) st = read_text(path, &r->config_text, err);
    if (st == IL_OK) st = ini_experiment(r, r->config_text, err);
    if (st == IL_OK && !r->name) {
        r->name = name;
        name = NULL;
    }
    free(name);
    if (st == IL_OK && !r->name) r->name = dup_text("(unnamed)", 9);
    if (st == IL_OK && !r->name) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    return st;
}

/* ---- the whole report -------------------------------------------------------------------------------- */

void il_report_options_default(il_report_options *opt) {
    memset(opt, 0, sizeof *opt);
}

static void progress(const il_report_options *opt, const char *fmt, const char *a, size_t i, size_t n) {
    if (!opt->progress) return;
    char line[512];
    snprintf(line, sizeof line, fmt, i, n, a);
    opt->progress(opt->progress_ctx, line);
}

/* Write gnuplot's collected warnings, or remove an old log when there were none. */
static il_status write_log(const char *path, const char *log, size_t len, il_error *err) {
    if (len == 0) {
        remove(path);
        return IL_OK;
    }
    il_atomic_file af;
    il_status st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    fwrite(log, 1, len, af.f);
    return il_atomic_commit(&af, err);
}

il_status il_report_write(const char *results_dir, const il_report_options *options, il_report_result *res,
                          il_error *err) {
    il_report_options defaults;
    if (!options) {
        il_report_options_default(&defaults);
        options = &defaults;
    }
    const char *gnuplot = options->gnuplot && *options->gnuplot ? options->gnuplot : "gnuplot";
    struct stat sb;
    if (!results_dir || !*results_dir) return il_fail(err, IL_ERR_USAGE, "no results folder given");
    if (stat(results_dir, &sb) != 0)
        return il_fail(err, IL_ERR_IO, "%s: cannot open the results folder: %s", results_dir,
                       strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return il_fail(err, IL_ERR_USAGE, "%s is a file, not a results folder of initlab run", results_dir);

    char out_dir[4096], figures_dir[4096], gnuplot_dir[4096], index_path[4096], log_path[4096];
    il_status st = IL_OK;
    if (options->out_dir && *options->out_dir) {
        if (strlen(options->out_dir) >= sizeof out_dir)
            return il_fail(err, IL_ERR_USAGE, "%s: the path is too long", options->out_dir);
        snprintf(out_dir, sizeof out_dir, "%s", options->out_dir);
    } else {
        st = rp_join(out_dir, sizeof out_dir, results_dir, "report", err);
    }
    if (st == IL_OK) st = rp_join(figures_dir, sizeof figures_dir, out_dir, "figures", err);
    if (st == IL_OK) st = rp_join(gnuplot_dir, sizeof gnuplot_dir, out_dir, "gnuplot", err);
    if (st == IL_OK) st = rp_join(index_path, sizeof index_path, out_dir, "index.html", err);
    if (st == IL_OK) st = rp_join(log_path, sizeof log_path, gnuplot_dir, "gnuplot.log", err);
    if (st != IL_OK) return st;

    /* Read everything before writing anything: a folder that is not a results folder, or a damaged
     * file, leaves no half report behind. */
    rp_results r;
    memset(&r, 0, sizeof r);
    r.dir = results_dir;
    st = read_runs(&r, err);
    if (st == IL_OK) st = read_meta_and_config(&r, err);
    if (st == IL_OK) st = read_curves(&r, err);
    if (st == IL_OK) st = read_layers(&r, err);
    if (st == IL_OK) st = read_histograms(&r, err);

    char terminal[16] = "";
    if (st == IL_OK) st = rp_gnuplot_probe(gnuplot, terminal, sizeof terminal, err);
    if (st == IL_OK) st = il_make_dirs(figures_dir, err);
    if (st == IL_OK) st = il_make_dirs(gnuplot_dir, err);

    rp_figures *figs = st == IL_OK ? calloc(1, sizeof *figs) : NULL;
    if (st == IL_OK && !figs) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    char *log = NULL;
    size_t log_len = 0;
    if (st == IL_OK) {
        rp_plan_figures(&r, figs);
        for (size_t k = 0; k < figs->n && st == IL_OK; k++) {
            progress(options, "figure %zu of %zu: %s", figs->fig[k].name, k + 1, figs->n);
            st = rp_draw_figure(&r, &figs->fig[k], gnuplot, terminal, gnuplot_dir, figures_dir, &log,
                                &log_len, err);
        }
    }
    if (st == IL_OK) st = write_log(log_path, log, log_len, err);
    if (st == IL_OK) st = rp_write_html(&r, figs, out_dir, index_path, err);
    if (st == IL_OK && res) {
        memset(res, 0, sizeof *res);
        snprintf(res->out_dir, sizeof res->out_dir, "%s", out_dir);
        snprintf(res->index_path, sizeof res->index_path, "%s", index_path);
        snprintf(res->terminal, sizeof res->terminal, "%s", terminal);
        res->n_figures = figs->n;
    }
    free(log);
    free(figs);
    free_results(&r);
    return st;
}
