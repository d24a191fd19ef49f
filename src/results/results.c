/* results.c - from per-run folders to the merged files of a results folder, and the merge of slice
 * folders of a sharded sweep. Long files (runs, curves, layers, histograms, timing) are the per-run
 * files concatenated in plan order; wide files hold, per log point, the mean over seeds of one curve
 * column for each init, so that a spreadsheet line chart is one click. Nothing here trains anything.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/csv.h"
#include "initlab/fileio.h"
#include "initlab/results.h"
#include "runner/runner_internal.h"

/* The curves.csv columns the wide files read: the log point, then every column that gets a <name>_wide.csv
 * (written when at least one run has a value for it). */
static const char *const wide_columns[] = {
    "epoch",     "step",        "train_loss", "test_loss", "test_accuracy", "test_mse", "relative_test_error",
    "linearity", "weight_norm", "grad_norm",  "saturated", "linear_region", "dead",     "distinct_units",
};
#define N_COLUMNS (sizeof wide_columns / sizeof wide_columns[0])
#define N_WIDE    (N_COLUMNS - 2)
#define METRIC(m) wide_columns[2 + (m)]

static const char *merged_name(const il_result_file *file) {
    return strcmp(file->name, "run.csv") == 0 ? "runs.csv" : file->name;
}

/* ---- long files ---------------------------------------------------------------------------------------- */

/* Append the body (all but the header line) of one run's file, after checking its header. */
static il_status append_body(FILE *out, const char *path, const char *header, il_error *err) {
    char *text;
    size_t size;
    il_status st = il__read_text_file(path, IL__RESULT_FILE_MAX_BYTES, &text, &size, err);
    if (st != IL_OK) return st;
    size_t hlen = strlen(header);
    if (size < hlen + 1 || memcmp(text, header, hlen) != 0 || text[hlen] != '\n') {
        free(text);
        return il_fail(
            err, IL_ERR_FORMAT,
            "%s: its first line is not the header this version writes (\"%.60s...\"); was it written by "
            "another version of initlab?",
            path, header);
    }
    const char *body = text + hlen + 1;
    size_t n = size - hlen - 1;
    if (n) {
        fwrite(body, 1, n, out);
        if (body[n - 1] != '\n') fputc('\n', out);
    }
    free(text);
    return IL_OK;
}

static il_status write_long_file(const char *dir, const il_result_file *file, char *const *ids, size_t n_ids,
                                 il_error *err) {
    char path[4096], run_path[4096];
    struct stat sb;
    /* An optional file (timing.csv) is merged from the runs that have one, and only if some have. */
    size_t present = 0;
    for (size_t i = 0; i < n_ids; i++) {
        present += il__run_path(run_path, sizeof run_path, dir, ids[i], file->name, NULL) == IL_OK &&
                   stat(run_path, &sb) == 0;
    }
    if (file->optional && present == 0) return IL_OK;
    il_status st = il__path_join(path, sizeof path, dir, merged_name(file), err);
    if (st != IL_OK) return st;
    il_atomic_file af;
    st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    fprintf(af.f, "%s\n", file->header);
    for (size_t i = 0; i < n_ids && st == IL_OK; i++) {
        if ((st = il__run_path(run_path, sizeof run_path, dir, ids[i], file->name, err)) != IL_OK) break;
        if (file->optional && stat(run_path, &sb) != 0) continue;
        st = append_body(af.f, run_path, file->header, err);
    }
    if (st != IL_OK) {
        il_atomic_abort(&af);
        return st;
    }
    return il_atomic_commit(&af, err);
}

/* ---- wide files ---------------------------------------------------------------------------------------- */

/* One curves.csv row as the wide files need it. */
typedef struct {
    size_t step;
    size_t init;          /* index into exp->inits */
    char epoch[40];       /* the epoch cell as written */
    double value[N_WIDE]; /* NAN where the cell is empty */
} curve_point;

typedef struct {
    curve_point *points; /* (n) in plan order, then row order */
    size_t n, cap;
    size_t *steps;       /* (n_keys) the distinct log points, ascending */
    const char **epochs; /* (n_keys) their epoch text */
    size_t n_keys;
    double *sum;   /* (n_keys, n_inits, N_WIDE) */
    size_t *count; /* (n_keys, n_inits, N_WIDE) */
} wide_table;

static il_status read_points(wide_table *w, const char *path, size_t init, il_error *err) {
    il__csvread r;
    il_status st = il__csvread_open(&r, path, err);
    if (st != IL_OK) return st;
    int cols[N_COLUMNS];
    st = il__csvread_columns(&r, wide_columns, N_COLUMNS, cols, "the curves.csv of initlab run", err);
    int got = 1;
    while (st == IL_OK && (st = il__csvread_next(&r, &got, err)) == IL_OK && got) {
        if (w->n == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 1024;
            curve_point *grown = realloc(w->points, cap * sizeof *grown);
            if (!grown) {
                st = il_fail(err, IL_ERR_NOMEM, "out of memory for the wide files");
                break;
            }
            w->points = grown;
            w->cap = cap;
        }
        curve_point *p = &w->points[w->n++];
        p->init = init;
        snprintf(p->epoch, sizeof p->epoch, "%s", il__csvread_text(&r, cols[0]));
        st = il__csvread_count(&r, cols[1], &p->step, err);
        for (size_t m = 0; st == IL_OK && m < N_WIDE; m++)
            st = il__csvread_number(&r, cols[2 + m], &p->value[m], err);
    }
    il__csvread_close(&r);
    return st;
}

static int compare_points_by_step(const void *a, const void *b) {
    size_t x = (*(const curve_point *const *)a)->step, y = (*(const curve_point *const *)b)->step;
    return (x > y) - (x < y);
}

/* The log points: every step any run logged (runs that diverged stop early), ascending. */
static il_status collect_log_points(wide_table *w, il_error *err) {
    const curve_point **order = malloc((w->n ? w->n : 1) * sizeof *order);
    w->steps = malloc((w->n ? w->n : 1) * sizeof *w->steps);
    w->epochs = malloc((w->n ? w->n : 1) * sizeof *w->epochs);
    if (!order || !w->steps || !w->epochs) {
        free(order);
        return il_fail(err, IL_ERR_NOMEM, "out of memory for the wide files");
    }
    for (size_t i = 0; i < w->n; i++)
        order[i] = &w->points[i];
    qsort(order, w->n, sizeof *order, compare_points_by_step);
    for (size_t i = 0; i < w->n; i++) {
        if (w->n_keys && w->steps[w->n_keys - 1] == order[i]->step) continue;
        w->steps[w->n_keys] = order[i]->step;
        w->epochs[w->n_keys] = order[i]->epoch;
        w->n_keys++;
    }
    free(order);
    return IL_OK;
}

static size_t key_find(const wide_table *w, size_t step) {
    size_t lo = 0, hi = w->n_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->steps[mid] < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static il_status write_wide_files(const il_experiment *exp, const char *dir, char *const *ids,
                                  const size_t *init_of, size_t n_ids, il_error *err) {
    wide_table w = {0};
    il_status st = IL_OK;
    char path[4096], name[64], buf[40];
    for (size_t i = 0; st == IL_OK && i < n_ids; i++) {
        st = il__run_path(path, sizeof path, dir, ids[i], "curves.csv", err);
        if (st == IL_OK) st = read_points(&w, path, init_of[i], err);
    }
    if (st == IL_OK) st = collect_log_points(&w, err);
    size_t cells = w.n_keys * exp->n_inits * N_WIDE;
    if (st == IL_OK) {
        w.sum = calloc(cells ? cells : 1, sizeof *w.sum);
        w.count = calloc(cells ? cells : 1, sizeof *w.count);
        if (!w.sum || !w.count) st = il_fail(err, IL_ERR_NOMEM, "out of memory for the wide files");
    }
    /* Sums in plan order: the same bytes however the runs were spread over jobs or slices. */
    for (size_t i = 0; st == IL_OK && i < w.n; i++) {
        const curve_point *p = &w.points[i];
        size_t k = key_find(&w, p->step);
        for (size_t m = 0; m < N_WIDE; m++) {
            if (!isfinite(p->value[m])) continue;
            size_t at = (k * exp->n_inits + p->init) * N_WIDE + m;
            w.sum[at] += p->value[m];
            w.count[at]++;
        }
    }
    for (size_t m = 0; st == IL_OK && m < N_WIDE; m++) {
        size_t any = 0;
        for (size_t c = m; c < cells; c += N_WIDE)
            any += w.count[c];
        if (!any) continue;
        snprintf(name, sizeof name, "%s_wide.csv", METRIC(m));
        st = il__path_join(path, sizeof path, dir, name, err);
        il_atomic_file af;
        if (st == IL_OK) st = il_atomic_open(&af, path, err);
        if (st != IL_OK) break;
        fputs("epoch", af.f);
        for (size_t j = 0; j < exp->n_inits; j++) {
            fputc(',', af.f);
            il_csv_text(af.f, exp->inits[j].label);
        }
        fputc('\n', af.f);
        for (size_t k = 0; k < w.n_keys; k++) {
            fputs(w.epochs[k], af.f);
            for (size_t j = 0; j < exp->n_inits; j++) {
                size_t at = (k * exp->n_inits + j) * N_WIDE + m;
                fputc(',', af.f);
                if (w.count[at]) fputs(il_csv_number(buf, sizeof buf, w.sum[at] / (double)w.count[at]), af.f);
            }
            fputc('\n', af.f);
        }
        st = il_atomic_commit(&af, err);
    }
    free(w.points);
    free(w.steps);
    free(w.epochs);
    free(w.sum);
    free(w.count);
    return st;
}

il_status il_results_collect(const il_experiment *exp, const char *dir, size_t *n_complete, il_error *err) {
    size_t plan = il_plan_size(exp);
    char **ids = calloc(plan ? plan : 1, sizeof *ids);
    size_t *init_of = calloc(plan ? plan : 1, sizeof *init_of);
    size_t n = 0;
    il_status st = ids && init_of ? IL_OK : il_fail(err, IL_ERR_NOMEM, "out of memory for %zu runs", plan);
    for (size_t i = 0; st == IL_OK && i < plan; i++) {
        il_plan_run run;
        il_plan_get(exp, i, &run);
        if (!il__run_complete(dir, run.id)) continue;
        ids[n] = il__strdup(run.id);
        if (!ids[n]) {
            st = il_fail(err, IL_ERR_NOMEM, "out of memory");
            break;
        }
        init_of[n] = run.init_index;
        n++;
    }
    for (size_t f = 0; st == IL_OK && f < IL_RESULT_FILE_COUNT; f++)
        st = write_long_file(dir, &il__result_files[f], ids, n, err);
    if (st == IL_OK) st = write_wide_files(exp, dir, ids, init_of, n, err);
    if (n_complete) *n_complete = n;
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
    free(init_of);
    return st;
}

/* ---- merging slice folders ----------------------------------------------------------------------------- */

static il_status copy_file(const char *from, const char *to, il_error *err) {
    char *text;
    size_t size;
    il_status st = il__read_text_file(from, IL__RESULT_FILE_MAX_BYTES, &text, &size, err);
    if (st != IL_OK) return st;
    st = il__write_file(to, text, size, err);
    free(text);
    return st;
}

/* Copy runs/<id>/ from one folder to another, run.csv last (it marks the copy complete). */
static il_status copy_run(const char *from_dir, const char *to_dir, const char *id, il_error *err) {
    char from[4096], to[4096];
    il_status st = il__run_path(to, sizeof to, to_dir, id, NULL, err);
    if (st == IL_OK) st = il_make_dirs(to, err);
    for (size_t f = 0; st == IL_OK && f < IL_RESULT_FILE_COUNT; f++) {
        st = il__run_path(from, sizeof from, from_dir, id, il__result_files[f].name, err);
        if (st == IL_OK) st = il__run_path(to, sizeof to, to_dir, id, il__result_files[f].name, err);
        if (st != IL_OK) return st;
        struct stat sb;
        if (il__result_files[f].optional && stat(from, &sb) != 0) continue;
        st = copy_file(from, to, err);
    }
    return st;
}

il_status il_results_merge(const char *const *dirs, size_t n_dirs, const char *out_dir, il_run_report *report,
                           il_error *err) {
    il_run_report local;
    if (!report) report = &local;
    memset(report, 0, sizeof *report);
    if (n_dirs == 0) return il_fail(err, IL_ERR_USAGE, "merge needs at least one results folder");
    if (!out_dir || !*out_dir)
        return il_fail(err, IL_ERR_USAGE, "merge needs a folder for the merged results");
    snprintf(report->out_dir, sizeof report->out_dir, "%s", out_dir);
    if (il__dir_has_entries(out_dir))
        return il_fail(err, IL_ERR_USAGE,
                       "%s: the folder already holds files; merged results go into a new or empty "
                       "folder",
                       out_dir);

    /* Every slice must come from the same configuration. */
    il__meta first = {0};
    char path[4096];
    il_status st = IL_OK;
    for (size_t i = 0; i < n_dirs && st == IL_OK; i++) {
        if (strcmp(dirs[i], out_dir) == 0) {
            st = il_fail(err, IL_ERR_USAGE, "%s: a folder cannot be merged into itself", out_dir);
            break;
        }
        il__meta meta;
        st = il__path_join(path, sizeof path, dirs[i], "meta", err);
        if (st == IL_OK) st = il__meta_read(&meta, path, err);
        if (st != IL_OK) {
            if (err)
                snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                         " (is %s an initlab results folder?)", dirs[i]);
            break;
        }
        const char *fp = il__meta_get(&meta, "config_fingerprint");
        const char *fp0 = i ? il__meta_get(&first, "config_fingerprint") : fp;
        if (!fp || !fp0 || strcmp(fp, fp0) != 0) {
            char why[600] = "", other[4096];
            il_experiment *a = malloc(sizeof *a), *b = malloc(sizeof *b);
            if (a && b && il__path_join(path, sizeof path, dirs[0], "config.ini", NULL) == IL_OK &&
                il__path_join(other, sizeof other, dirs[i], "config.ini", NULL) == IL_OK &&
                il_experiment_load(a, path, NULL) == IL_OK && il_experiment_load(b, other, NULL) == IL_OK)
                il__describe_difference(a, b, why, sizeof why);
            free(a);
            free(b);
            st = il_fail(
                err, IL_ERR_USAGE,
                "%s and %s come from different configurations%s%s: only slices of one sweep can be merged",
                dirs[0], dirs[i], *why ? " (" : "", *why ? why : "");
            if (*why && err) snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), ")");
        }
        if (i == 0)
            first = meta;
        else
            il__meta_free(&meta);
    }
    il_experiment *exp = st == IL_OK ? malloc(sizeof *exp) : NULL;
    if (st == IL_OK && !exp) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    if (st == IL_OK) st = il__path_join(path, sizeof path, dirs[0], "config.ini", err);
    if (st == IL_OK) st = il_experiment_load(exp, path, err);

    char target[4096];
    if (st == IL_OK) st = il__path_join(target, sizeof target, out_dir, IL_RUNS_DIR, err);
    if (st == IL_OK) st = il_make_dirs(target, err);
    if (st == IL_OK) st = il__path_join(target, sizeof target, out_dir, "config.ini", err);
    if (st == IL_OK) st = copy_file(path, target, err);

    size_t plan = st == IL_OK ? il_plan_size(exp) : 0;
    report->runs_in_plan = report->runs_in_shard = plan;
    for (size_t i = 0; st == IL_OK && i < plan; i++) {
        il_plan_run run;
        il_plan_get(exp, i, &run);
        for (size_t d = 0; d < n_dirs; d++) {
            if (!il__run_complete(dirs[d], run.id)) continue;
            st = copy_run(dirs[d], out_dir, run.id, err);
            break;
        }
    }
    if (st == IL_OK) {
        char merged_from[4096] = "", buf[64];
        for (size_t d = 0; d < n_dirs; d++)
            snprintf(merged_from + strlen(merged_from), sizeof merged_from - strlen(merged_from), "%s%s",
                     d ? ", " : "", dirs[d]);
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        il__meta_remove(&first, "jobs");
        st = il__meta_set(&first, "shard", "all (merged)", err);
        if (st == IL_OK) st = il__meta_set(&first, "merged_from", merged_from, err);
        if (st == IL_OK) st = il__meta_set(&first, "date", buf, err);
        if (st == IL_OK) st = il__path_join(path, sizeof path, out_dir, "meta", err);
        if (st == IL_OK) st = il__meta_write(&first, path, err);
    }
    size_t complete = 0;
    if (st == IL_OK) st = il_results_collect(exp, out_dir, &complete, err);
    if (st == IL_OK) st = il__path_join(path, sizeof path, out_dir, "runs.csv", err);
    il__csvread runs;
    if (st == IL_OK) st = il__csvread_open(&runs, path, err);
    if (st == IL_OK) {
        int col = il__csvread_column(&runs, "status"), got = 1;
        while (col >= 0 && (st = il__csvread_next(&runs, &got, err)) == IL_OK && got) {
            if (strcmp(il__csvread_text(&runs, col), "diverged") == 0)
                report->runs_diverged++;
            else
                report->runs_finished++;
        }
        il__csvread_close(&runs);
        report->runs_missing = plan - complete;
    }
    il__meta_free(&first);
    free(exp);
    return st;
}
