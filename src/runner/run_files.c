/* run_files.c - the small file chores of a results folder: which per-run files exist and when a run is
 * complete, reading and writing whole files, the meta file, the configuration fingerprint, and the
 * clean-up of temporaries an interrupted atomic write may leave. No CSV content is produced here.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initlab/fileio.h"
#include "runner/runner_internal.h"

const il_result_file il__result_files[IL_RESULT_FILE_COUNT] = {
    {"curves.csv", IL_CURVE_COLUMNS, 0},
    {"layers.csv", IL_LAYER_COLUMNS, 0},
    {"histograms.csv", IL_HISTOGRAM_COLUMNS, 0},
    {"timing.csv", IL_TIMING_COLUMNS, 1},
    {"run.csv", IL_RUN_COLUMNS, 0},
};

int il__dir_has_entries(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL)
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

void il__remove_temporaries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".tmp.")) continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path) unlink(path);
    }
    closedir(d);
}

uint64_t il__fnv1a(const void *bytes, size_t size) {
    const unsigned char *p = bytes;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int il__run_complete(const char *dir, const char *id) {
    char path[4096];
    struct stat sb;
    for (size_t i = 0; i < IL_RESULT_FILE_COUNT; i++) {
        if (il__result_files[i].optional) continue;
        int n = snprintf(path, sizeof path, "%s/" IL_RUNS_DIR "/%s/%s", dir, id, il__result_files[i].name);
        if (n < 0 || (size_t)n >= sizeof path) return 0;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    }
    return 1;
}

/* ---- meta ---------------------------------------------------------------------------------------------- */

void il__meta_free(il__meta *meta) {
    for (size_t i = 0; i < meta->n; i++) {
        free(meta->keys[i]);
        free(meta->values[i]);
    }
    free(meta->keys);
    free(meta->values);
    memset(meta, 0, sizeof *meta);
}

static char *trimmed_copy(const char *begin, const char *end) {
    while (begin < end && (*begin == ' ' || *begin == '\t'))
        begin++;
    while (end > begin && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    char *s = malloc((size_t)(end - begin) + 1);
    if (s) {
        memcpy(s, begin, (size_t)(end - begin));
        s[end - begin] = '\0';
    }
    return s;
}

il_status il__meta_read(il__meta *meta, const char *path, il_error *err) {
    memset(meta, 0, sizeof *meta);
    char *text;
    size_t size;
    il_status st = il__read_file(path, 0, &text, &size, err);
    if (st != IL_OK) return st;
    size_t line_no = 0;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        char *end = nl ? nl : line + strlen(line);
        line_no++;
        char *p = line;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && *p != '#' && *p != '\r') {
            char *eq = memchr(p, '=', (size_t)(end - p));
            if (!eq) {
                st = il_fail(err, IL_ERR_FORMAT, "%s: line %zu: expected \"key = value\"", path, line_no);
                break;
            }
            char **keys = realloc(meta->keys, (meta->n + 1) * sizeof *keys);
            if (keys) meta->keys = keys;
            char **values = keys ? realloc(meta->values, (meta->n + 1) * sizeof *values) : NULL;
            if (values) meta->values = values;
            char *k = values ? trimmed_copy(p, eq) : NULL;
            char *v = k ? trimmed_copy(eq + 1, end) : NULL;
            if (!v) {
                free(k);
                st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            meta->keys[meta->n] = k;
            meta->values[meta->n] = v;
            meta->n++;
        }
        line = nl ? nl + 1 : end;
    }
    free(text);
    if (st != IL_OK) il__meta_free(meta);
    return st;
}

const char *il__meta_get(const il__meta *meta, const char *key) {
    for (size_t i = 0; i < meta->n; i++)
        if (strcmp(meta->keys[i], key) == 0) return meta->values[i];
    return NULL;
}

il_status il__meta_set(il__meta *meta, const char *key, const char *value, il_error *err) {
    /* One line per key: newlines inside a value (a description) become spaces. */
    size_t n = strlen(value);
    char *v = malloc(n + 1);
    if (!v) return il_fail(err, IL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i <= n; i++)
        v[i] = value[i] == '\n' || value[i] == '\r' ? ' ' : value[i];
    for (size_t i = 0; i < meta->n; i++) {
        if (strcmp(meta->keys[i], key) == 0) {
            free(meta->values[i]);
            meta->values[i] = v;
            return IL_OK;
        }
    }
    size_t klen = strlen(key) + 1;
    char *k = malloc(klen);
    char **keys = k ? realloc(meta->keys, (meta->n + 1) * sizeof *keys) : NULL;
    if (keys) meta->keys = keys;
    char **values = keys ? realloc(meta->values, (meta->n + 1) * sizeof *values) : NULL;
    if (!values) {
        free(k);
        free(v);
        return il_fail(err, IL_ERR_NOMEM, "out of memory");
    }
    meta->values = values;
    memcpy(k, key, klen);
    meta->keys[meta->n] = k;
    meta->values[meta->n] = v;
    meta->n++;
    return IL_OK;
}

void il__meta_remove(il__meta *meta, const char *key) {
    for (size_t i = 0; i < meta->n; i++) {
        if (strcmp(meta->keys[i], key) != 0) continue;
        free(meta->keys[i]);
        free(meta->values[i]);
        memmove(meta->keys + i, meta->keys + i + 1, (meta->n - i - 1) * sizeof *meta->keys);
        memmove(meta->values + i, meta->values + i + 1, (meta->n - i - 1) * sizeof *meta->values);
        meta->n--;
        return;
    }
}

il_status il__meta_write(const il__meta *meta, const char *path, il_error *err) {
    il_atomic_file af;
    il_status st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    fputs("# initlab results folder: what produced it. The files are described in docs/results.md.\n", af.f);
    for (size_t i = 0; i < meta->n; i++)
        fprintf(af.f, "%s = %s\n", meta->keys[i], meta->values[i]);
    return il_atomic_commit(&af, err);
}

/* What the fingerprint leaves out: how many workers ran and where the folder lives change no result, so
 * slices run with different --jobs or --out still merge, and a resume may use another --jobs. */
static void neutralize_output(il_experiment *exp) {
    exp->jobs = 0;
    snprintf(exp->out_dir, sizeof exp->out_dir, "results");
}

il_status il__fingerprint(const il_experiment *exp, char hex[17], il_error *err) {
    il_experiment *copy = malloc(sizeof *copy);
    if (!copy) return il_fail(err, IL_ERR_NOMEM, "out of memory");
    *copy = *exp;
    neutralize_output(copy);
    char *text = NULL;
    il_status st = il_experiment_format_ini(copy, &text, err);
    free(copy);
    if (st != IL_OK) return st;
    snprintf(hex, 17, "%016llx", (unsigned long long)il__fnv1a(text, strlen(text)));
    free(text);
    return IL_OK;
}

void il__describe_difference(const il_experiment *a, const il_experiment *b, char *buf, size_t size) {
    buf[0] = '\0';
    il_experiment *x = malloc(sizeof *x), *y = malloc(sizeof *y);
    if (x && y) {
        *x = *a;
        *y = *b;
        neutralize_output(x);
        neutralize_output(y);
        const char *key = il_experiment_difference(x, y);
        const char *dot = key ? strchr(key, '.') : NULL;
        if (dot) {
            char section[64];
            snprintf(section, sizeof section, "%.*s", (int)(dot - key), key);
            char *va = NULL, *vb = NULL;
            if (il_experiment_get(x, section, dot + 1, &va, NULL) == IL_OK &&
                il_experiment_get(y, section, dot + 1, &vb, NULL) == IL_OK)
                snprintf(buf, size, "[%s] %s is \"%.200s\" in one and \"%.200s\" in the other", section,
                         dot + 1, va, vb);
            else
                snprintf(buf, size, "[%s] %s differs", section, dot + 1);
            free(va);
            free(vb);
        }
    }
    free(x);
    free(y);
}
