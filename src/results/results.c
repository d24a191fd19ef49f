/* results.c - from per-run folders to the merged files of a results folder, and the merge of slice
 * folders of a sharded sweep. Long files (runs, curves, layers, histograms, timing) are the per-run
 * files concatenated in plan order; wide files hold, per log point, the mean over seeds of one curve
 * column for each init, so that a spreadsheet line chart is one click. Nothing here trains anything.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* Append the body (all but the header line) of one run's file, after checking all of it: the header
 * this version writes, then rows of exactly its number of cells, and a last line that ends (a run file
 * is written whole, so one that does not end was cut short). */
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
    if (n && body[n - 1] != '\n') {
        free(text);
        return il_fail(err, IL_ERR_FORMAT, "%s: the last line does not end; the file was cut short", path);
    }
    size_t columns = 1;
    for (const char *c = header; *c; c++)
        columns += *c == ',';
    il__csv_tokenizer t;
    il__csv_tokenize_text(&t, body, n, path, 0);
    int got = 1;
    while ((st = il__csv_next(&t, &got, err)) == IL_OK && got) {
        if (t.n_fields != columns) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu has %zu cells; the header has %zu", path,
                         t.record_line + 1, t.n_fields, columns);
            break;
        }
    }
    il__csv_free(&t);
    if (st == IL_OK && n) fwrite(body, 1, n, out);
    free(text);
    return st;
}

/* The merged set is made beside the files it replaces, as NAME.tmp.set each, and renamed into place
 * only once every one of them is written: a failure on the way leaves the previous set as it was. */
#define MAX_MERGED (IL_RESULT_FILE_COUNT + N_WIDE)
typedef struct {
    char final[MAX_MERGED][4096];
    size_t n;
} merged_set;

/* The staged name of merged file `name` of dir into staged (and its final name into the set). */
static il_status stage_path(merged_set *set, const char *dir, const char *name, char *staged, size_t size,
                            il_error *err) {
    if (set->n == MAX_MERGED) return il_fail(err, IL_ERR_USAGE, "%s: too many merged files", dir);
    il_status st = il__path_join(set->final[set->n], sizeof set->final[0], dir, name, err);
    if (st != IL_OK) return st;
    if (snprintf(staged, size, "%s.tmp.set", set->final[set->n]) >= (int)size)
        return il_fail(err, IL_ERR_USAGE, "%s: path too long", set->final[set->n]);
    set->n++;
    return IL_OK;
}

static void staged_name(const merged_set *set, size_t i, char *buf, size_t size) {
    snprintf(buf, size, "%s.tmp.set", set->final[i]);
}

static void set_abort(const merged_set *set) {
    char staged[4200];
    for (size_t i = 0; i < set->n; i++) {
        staged_name(set, i, staged, sizeof staged);
        unlink(staged);
    }
}

static il_status set_commit(const merged_set *set, il_error *err) {
    char staged[4200];
    for (size_t i = 0; i < set->n; i++) {
        staged_name(set, i, staged, sizeof staged);
        if (rename(staged, set->final[i]) != 0) {
            il_status st = il_fail(err, IL_ERR_IO, "%s: cannot rename the merged file into place: %s",
                                   set->final[i], strerror(errno));
            set_abort(set);
            return st;
        }
    }
    return IL_OK;
}

static il_status write_long_file(const char *dir, const il_result_file *file, char *const *ids, size_t n_ids,
                                 merged_set *set, il_error *err) {
    char path[4200], run_path[4096];
    struct stat sb;
    /* An optional file (timing.csv) is merged from the runs that have one, and only if some have. */
    size_t present = 0;
    for (size_t i = 0; i < n_ids; i++) {
        present += il__run_path(run_path, sizeof run_path, dir, ids[i], file->name, NULL) == IL_OK &&
                   stat(run_path, &sb) == 0;
    }
    if (file->optional && present == 0) return IL_OK;
    il_status st = stage_path(set, dir, merged_name(file), path, sizeof path, err);
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
                                  const size_t *init_of, size_t n_ids, merged_set *set, il_error *err) {
    wide_table w = {0};
    il_status st = IL_OK;
    char path[4200], name[64], buf[40];
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
        st = stage_path(set, dir, name, path, sizeof path, err);
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
    if (n_complete) *n_complete = 0;
    /* What an interrupted merge left (NAME.tmp.*) goes first. */
    il__remove_temporaries(dir);
    size_t plan = il_plan_size(exp);
    char **ids = calloc(plan ? plan : 1, sizeof *ids);
    size_t *init_of = calloc(plan ? plan : 1, sizeof *init_of);
    size_t n = 0;
    il_status st = ids && init_of ? IL_OK : il_fail(err, IL_ERR_NOMEM, "out of memory for %zu runs", plan);
    for (size_t i = 0; st == IL_OK && i < plan; i++) {
        il_plan_run run;
        il_plan_get(exp, i, &run);
        int complete = 0;
        if ((st = il__run_state(dir, run.id, &complete, err)) != IL_OK || !complete) continue;
        ids[n] = il__strdup(run.id);
        if (!ids[n]) {
            st = il_fail(err, IL_ERR_NOMEM, "out of memory");
            break;
        }
        init_of[n] = run.init_index;
        n++;
    }
    merged_set *set = st == IL_OK ? calloc(1, sizeof *set) : NULL;
    if (st == IL_OK && !set) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    for (size_t f = 0; st == IL_OK && f < IL_RESULT_FILE_COUNT; f++)
        st = write_long_file(dir, &il__result_files[f], ids, n, set, err);
    if (st == IL_OK) st = write_wide_files(exp, dir, ids, init_of, n, set, err);
    if (set) {
        if (st == IL_OK)
            st = set_commit(set, err);
        else
            set_abort(set);
    }
    free(set);
    if (n_complete && st == IL_OK) *n_complete = n;
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

/* Copy runs/<id>/ from one folder to another: into a temporary folder that then becomes runs/<id>/, so
 * the copy appears whole or not at all. */
static il_status copy_run(const char *from_dir, const char *to_dir, const char *id, il_error *err) {
    char from[4096], to[4096], tmp[4096];
    il_status st = il__run_path(to, sizeof to, to_dir, id, NULL, err);
    if (st == IL_OK) st = il__folder_stage_open(to, tmp, sizeof tmp, err);
    if (st != IL_OK) return st;
    for (size_t f = 0; st == IL_OK && f < IL_RESULT_FILE_COUNT; f++) {
        st = il__run_path(from, sizeof from, from_dir, id, il__result_files[f].name, err);
        if (st == IL_OK) st = il__path_join(to, sizeof to, tmp, il__result_files[f].name, err);
        if (st != IL_OK) break;
        struct stat sb;
        if (il__result_files[f].optional && stat(from, &sb) != 0) continue;
        st = copy_file(from, to, err);
    }
    if (st != IL_OK) {
        il__folder_stage_abort(tmp);
        return st;
    }
    if ((st = il__run_path(to, sizeof to, to_dir, id, NULL, err)) != IL_OK) {
        il__folder_stage_abort(tmp);
        return st;
    }
    return il__folder_stage_commit(tmp, to, err);
}

/* Why slice folder b (meta mb) cannot be merged with the first, a (meta ma): the first dependency in
 * which they differ, named. IL_OK when they agree. */
static il_status compare_slices(const char *a, const il__meta *ma, const char *b, const il__meta *mb,
                                il_error *err) {
    int i = il__meta_dependency_difference(ma, mb);
    if (i < 0) return IL_OK;
    const char *key = il__dependencies[i].key, *what = il__dependencies[i].what;
    const char *va = il__meta_get(ma, key), *vb = il__meta_get(mb, key);
    if (!va || !vb)
        return il_fail(err, IL_ERR_USAGE,
                       "%s: its meta does not record %s (%s); was it made by another version of initlab? "
                       "Only slices of one sweep can be merged",
                       va ? b : a, what, key);
    if (strcmp(key, "config_fingerprint") == 0) {
        char why[600] = "", path[4096], other[4096];
        il_experiment *x = malloc(sizeof *x), *y = malloc(sizeof *y);
        if (x && y && il__path_join(path, sizeof path, a, "config.ini", NULL) == IL_OK &&
            il__path_join(other, sizeof other, b, "config.ini", NULL) == IL_OK &&
            il_experiment_load(x, path, NULL) == IL_OK && il_experiment_load(y, other, NULL) == IL_OK)
            il__describe_difference(x, y, why, sizeof why);
        free(x);
        free(y);
        return il_fail(err, IL_ERR_USAGE,
                       "%s and %s come from different configurations%s%s%s: only slices of one sweep can be "
                       "merged",
                       a, b, *why ? " (" : "", why, *why ? ")" : "");
    }
    return il_fail(err, IL_ERR_USAGE,
                   "%s and %s differ in %s (%s %s in one, %s in the other): their runs cannot be mixed; only "
                   "slices of one sweep can be merged",
                   a, b, what, key, va, vb);
}

/* What a merge into out_dir that was killed left beside it: its temporary folders out_dir.tmp.*. */
static void remove_stale_stages(const char *out_dir) {
    char parent[4096], name[4096];
    size_t end = strlen(out_dir);
    while (end > 1 && out_dir[end - 1] == '/')
        end--;
    size_t slash = end;
    while (slash > 0 && out_dir[slash - 1] != '/')
        slash--;
    if (end - slash == 0 || end - slash >= sizeof name || slash >= sizeof parent) return;
    snprintf(parent, sizeof parent, "%.*s", (int)(slash ? slash : 1), slash ? out_dir : ".");
    snprintf(name, sizeof name, "%.*s", (int)(end - slash), out_dir + slash);
    il__remove_temporaries_of(parent, name);
}

static il_status merge_folders(const char *const *dirs, size_t n_dirs, const char *out_dir, int partial,
                               il_run_report *report, il_error *err) {
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

    /* Every slice must come from the same configuration, data, program and BLAS threads. */
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
        if (i) st = compare_slices(dirs[0], &first, dirs[i], &meta, err);
        if (i == 0)
            first = meta;
        else
            il__meta_free(&meta);
    }
    il_experiment *exp = st == IL_OK ? malloc(sizeof *exp) : NULL;
    if (st == IL_OK && !exp) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    if (st == IL_OK) st = il__path_join(path, sizeof path, dirs[0], "config.ini", err);
    if (st == IL_OK) st = il_experiment_load(exp, path, err);

    /* Where each run of the plan comes from (the first folder holding it complete), found before
     * anything is written: a folder that cannot be read, or runs missing from all of them when a
     * partial merge was not asked for, leave out_dir untouched. */
    size_t plan = st == IL_OK ? il_plan_size(exp) : 0;
    report->runs_in_plan = report->runs_in_shard = plan;
    size_t *source = st == IL_OK ? malloc((plan ? plan : 1) * sizeof *source) : NULL;
    if (st == IL_OK && !source) st = il_fail(err, IL_ERR_NOMEM, "out of memory for %zu runs", plan);
    size_t missing = 0;
    char first_missing[IL_NAME_MAX + 32] = "";
    for (size_t i = 0; st == IL_OK && i < plan; i++) {
        il_plan_run run;
        il_plan_get(exp, i, &run);
        source[i] = n_dirs;
        for (size_t d = 0; st == IL_OK && d < n_dirs && source[i] == n_dirs; d++) {
            int complete = 0;
            st = il__run_state(dirs[d], run.id, &complete, err);
            if (complete) source[i] = d;
        }
        if (st == IL_OK && source[i] == n_dirs && missing++ == 0)
            snprintf(first_missing, sizeof first_missing, "%s", run.id);
    }
    if (st == IL_OK && missing && !partial)
        st =
            il_fail(err, IL_ERR_IO,
                    "%zu of the plan's %zu runs are in none of the folders (the first: %s); nothing was "
                    "written. Finish the missing slices (initlab run ... --shard K/N --resume --out DIR), or "
                    "add --partial to merge the runs that are there",
                    missing, plan, first_missing);

    /* Everything goes into a temporary folder beside out_dir that becomes out_dir at the end: a merge
     * that fails on the way (a damaged run file, a full disk) leaves nothing. */
    char stage[4096] = "", target[4096];
    if (st == IL_OK) remove_stale_stages(out_dir);
    if (st == IL_OK) st = il__folder_stage_open(out_dir, stage, sizeof stage, err);
    if (st == IL_OK) st = il__path_join(target, sizeof target, stage, IL_RUNS_DIR, err);
    if (st == IL_OK) st = il_make_dirs(target, err);
    if (st == IL_OK) st = il__path_join(target, sizeof target, stage, "config.ini", err);
    if (st == IL_OK) st = copy_file(path, target, err);
    for (size_t i = 0; st == IL_OK && i < plan; i++) {
        if (source[i] == n_dirs) continue;
        il_plan_run run;
        il_plan_get(exp, i, &run);
        st = copy_run(dirs[source[i]], stage, run.id, err);
    }
    free(source);
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
        if (st == IL_OK) st = il__path_join(path, sizeof path, stage, "meta", err);
        if (st == IL_OK) st = il__meta_write(&first, path, err);
    }
    size_t complete = 0;
    if (st == IL_OK) st = il_results_collect(exp, stage, &complete, err);
    if (st == IL_OK) st = il__path_join(path, sizeof path, stage, "runs.csv", err);
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
    if (st == IL_OK)
        st = il__folder_stage_commit(stage, out_dir, err);
    else
        il__folder_stage_abort(stage);
    il__meta_free(&first);
    free(exp);
    return st;
}

il_status il_results_merge(const char *const *dirs, size_t n_dirs, const char *out_dir, il_run_report *report,
                           il_error *err) {
    return merge_folders(dirs, n_dirs, out_dir, 1, report, err);
}

il_status il_results_merge_whole(const char *const *dirs, size_t n_dirs, const char *out_dir,
                                 il_run_report *report, il_error *err) {
    return merge_folders(dirs, n_dirs, out_dir, 0, report, err);
}
