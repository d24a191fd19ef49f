/* run_files.c - the small file chores of a results folder: which per-run files exist and whether a run
 * is complete (or cannot be told), folders that appear whole (filled beside, then renamed), the meta
 * file, the fingerprints of the configuration and of the data and the meta keys runs depend on, and the
 * clean-up of what an interrupted write may leave. No CSV content is produced here.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

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

int il__is_temporary(const char *name) {
    const char *t = strstr(name, ".tmp.");
    return t && t != name && t[5] != '\0';
}

/* Remove folder dir with what it holds (folders in it too, a few levels deep, links never followed);
 * with only_results, refuse (return -1, removing nothing) when it holds an entry that is neither a
 * result file nor a temporary. */
static int remove_folder(const char *dir, int only_results, int depth) {
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    char path[4096];
    int ok = 1;
    for (int pass = only_results ? 0 : 1; ok && pass < 2; pass++) {
        rewinddir(d);
        while (ok && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            if (pass == 0) {
                int known = il__is_temporary(e->d_name);
                for (size_t i = 0; i < IL_RESULT_FILE_COUNT && !known; i++)
                    known = strcmp(e->d_name, il__result_files[i].name) == 0;
                ok = known;
            } else if (il__path_join(path, sizeof path, dir, e->d_name, NULL) == IL_OK) {
                struct stat sb;
                if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                    if (depth > 0) remove_folder(path, 0, depth - 1);
                } else {
                    unlink(path);
                }
            }
        }
    }
    closedir(d);
    if (!ok) return -1;
    return rmdir(dir) == 0 || errno == ENOENT ? 0 : -1;
}

void il__remove_temporaries(const char *dir) {
    il__remove_temporaries_of(dir, NULL);
}

void il__remove_temporaries_of(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[4096];
    size_t n = prefix ? strlen(prefix) : 0;
    while ((e = readdir(d)) != NULL) {
        if (!il__is_temporary(e->d_name)) continue;
        if (prefix && (strncmp(e->d_name, prefix, n) != 0 || strncmp(e->d_name + n, ".tmp.", 5) != 0))
            continue;
        if (il__path_join(path, sizeof path, dir, e->d_name, NULL) != IL_OK) continue;
        struct stat sb;
        if (lstat(path, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode))
            remove_folder(path, 0, 3);
        else
            unlink(path);
    }
    closedir(d);
}

uint64_t il__fnv1a_more(uint64_t h, const void *bytes, size_t size) {
    const unsigned char *p = bytes;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t il__fnv1a(const void *bytes, size_t size) {
    return il__fnv1a_more(14695981039346656037ULL, bytes, size);
}

/* FNV-1a taking 8 bytes (native order) per step instead of one: the data of a large set (188 MB of
 * Fashion-MNIST inputs) is hashed in a few hundredths of a second, not a quarter of one. */
static uint64_t fnv1a_words(uint64_t h, const void *bytes, size_t size) {
    const unsigned char *p = bytes;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h ^= w;
        h *= 1099511628211ULL;
    }
    return il__fnv1a_more(h, p + i, size - i);
}

static uint64_t hash_dataset(uint64_t h, const il_dataset *ds) {
    uint64_t dims[3] = {ds->n, ds->d, ds->t};
    h = il__fnv1a_more(h, dims, sizeof dims);
    if (ds->n && ds->d && ds->x) h = fnv1a_words(h, ds->x, ds->n * ds->d * sizeof *ds->x);
    if (ds->n && ds->t && ds->y) h = fnv1a_words(h, ds->y, ds->n * ds->t * sizeof *ds->y);
    return h;
}

void il__data_fingerprint(const il_data *data, char hex[17]) {
    uint64_t h = il__fnv1a("initlab data", 12);
    h = hash_dataset(h, &data->train);
    h = hash_dataset(h, &data->test);
    int32_t task = (int32_t)data->task;
    h = il__fnv1a_more(h, &task, sizeof task);
    /* The Bayes error scales relative_test_error; NAN (unknown) hashes as one value. */
    char bayes[40];
    il_csv_number(bayes, sizeof bayes, data->bayes_error);
    h = il__fnv1a_more(h, bayes, strlen(bayes));
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

il_status il__run_path(char *buf, size_t size, const char *dir, const char *id, const char *file,
                       il_error *err) {
    char runs[4096], run[4096];
    il_status st = il__path_join(runs, sizeof runs, dir, IL_RUNS_DIR, err);
    if (st == IL_OK)
        st = file ? il__path_join(run, sizeof run, runs, id, err) : il__path_join(buf, size, runs, id, err);
    if (st == IL_OK && file) st = il__path_join(buf, size, run, file, err);
    if (st != IL_OK && size) buf[0] = '\0';
    return st;
}

il_status il__run_state(const char *dir, const char *id, int *complete, il_error *err) {
    *complete = 0;
    char path[4096];
    struct stat sb;
    il_status st = il__run_path(path, sizeof path, dir, id, NULL, err);
    if (st != IL_OK) return st;
    if (stat(path, &sb) != 0) {
        int why = errno;
        /* Absent is "not run yet"; a name that leads nowhere (a dangling link) or cannot be looked up
         * (runs/ unreadable, a loop of links, runs/ not a folder) is not. */
        if (why == ENOENT && lstat(path, &sb) != 0 && errno == ENOENT) return IL_OK;
        return il_fail(err, IL_ERR_IO, "%s: cannot be read (%s); is the results folder damaged?", path,
                       why == ENOENT ? "a link to nothing" : strerror(why));
    }
    if (!S_ISDIR(sb.st_mode))
        return il_fail(err, IL_ERR_IO, "%s: is not a folder; a run's files live in a folder of its name",
                       path);
    int missing = 0;
    for (size_t i = 0; i < IL_RESULT_FILE_COUNT; i++) {
        if ((st = il__run_path(path, sizeof path, dir, id, il__result_files[i].name, err)) != IL_OK)
            return st;
        if (stat(path, &sb) != 0) {
            if (errno == ENOENT) {
                missing += !il__result_files[i].optional;
                continue;
            }
            return il_fail(err, IL_ERR_IO, "%s: cannot be read (%s)", path, strerror(errno));
        }
        if (!S_ISREG(sb.st_mode)) return il_fail(err, IL_ERR_IO, "%s: is not a regular file", path);
        if (access(path, R_OK) != 0)
            return il_fail(err, IL_ERR_IO, "%s: cannot be read (%s)", path, strerror(errno));
    }
    *complete = missing == 0;
    return IL_OK;
}

il_status il__folder_stage_open(const char *dir, char *tmp, size_t size, il_error *err) {
    /* dir without trailing slashes: the temporary goes beside it, never inside. */
    size_t end = strlen(dir);
    while (end > 1 && dir[end - 1] == '/')
        end--;
    if (end + 12 > size || end >= 4096) return il_fail(err, IL_ERR_USAGE, "%s: path too long", dir);
    char parent[4096];
    size_t len = 0;
    for (size_t i = 0; i < end; i++)
        if (dir[i] == '/') len = i;
    if (len) {
        memcpy(parent, dir, len);
        parent[len] = '\0';
        il_status st = il_make_dirs(parent, err);
        if (st != IL_OK) return st;
    }
    snprintf(tmp, size, "%.*s.tmp.XXXXXX", (int)end, dir);
    if (!mkdtemp(tmp)) {
        il_status st = il_fail(err, IL_ERR_IO, "%s: cannot create a temporary folder beside it: %s", dir,
                               strerror(errno));
        tmp[0] = '\0';
        return st;
    }
    chmod(tmp, 0755);
    return IL_OK;
}

void il__folder_stage_abort(const char *tmp) {
    if (tmp && *tmp) remove_folder(tmp, 0, 3);
}

il_status il__folder_stage_commit(const char *tmp, const char *run_dir, il_error *err) {
    if (remove_folder(run_dir, 1, 0) != 0) {
        il_status st = il_fail(err, IL_ERR_IO,
                               "%s: cannot replace this folder: it holds files that are not initlab's, or "
                               "cannot be removed",
                               run_dir);
        il__folder_stage_abort(tmp);
        return st;
    }
    if (rename(tmp, run_dir) != 0) {
        il_status st = il_fail(err, IL_ERR_IO, "%s: cannot rename the finished folder into place: %s",
                               run_dir, strerror(errno));
        il__folder_stage_abort(tmp);
        return st;
    }
    return IL_OK;
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

/* One meta line is at most what an INI line holds; longer values go on over indented lines. */
#define META_MAX_BYTES  ((size_t)16 << 20)
#define META_LINE_CHARS (INI_MAX_LINE - 2)

/* Feeds inih one line at a time from the text and refuses lines inih would split, as the experiment
 * reader does; notes whether the line is indented (a continuation of the previous value). */
typedef struct {
    il__meta *meta;
    const char *path, *text;
    size_t pos;
    int line, indented;
    il_status status;
    il_error error;
} meta_reader;

static char *meta_line(char *str, int num, void *stream) {
    meta_reader *r = stream;
    if (r->status != IL_OK || !r->text[r->pos]) return NULL;
    const char *line = r->text + r->pos;
    const char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    size_t content = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
    r->line++;
    if (num < 3 || content > (size_t)num - 2) {
        r->status = il_fail(&r->error, IL_ERR_FORMAT,
                            "%s: line %d is longer than %d characters; a long value goes on over indented "
                            "lines",
                            r->path, r->line, num - 2);
        return NULL;
    }
    memcpy(str, line, content);
    str[content] = '\n';
    str[content + 1] = '\0';
    r->indented = content > 0 && (line[0] == ' ' || line[0] == '\t');
    r->pos += eol ? len + 1 : len;
    return str;
}

static int meta_key(void *user, const char *section, const char *name, const char *value) {
    (void)section; /* meta has none; a heading someone added changes nothing */
    meta_reader *r = user;
    il__meta *m = r->meta;
    if (!*name) { /* written back, " = value" would read as the previous key's continuation */
        r->status = il_fail(&r->error, IL_ERR_FORMAT, "%s: line %d: expected \"key = value\", found no key",
                            r->path, r->line);
        return 0;
    }
    if (r->indented && m->n && strcmp(m->keys[m->n - 1], name) == 0) {
        /* A continuation: the writer broke the value between two non-blank characters. */
        size_t had = strlen(m->values[m->n - 1]), more = strlen(value);
        char *joined = realloc(m->values[m->n - 1], had + more + 1);
        if (!joined) {
            r->status = il_fail(&r->error, IL_ERR_NOMEM, "%s: out of memory", r->path);
            return 0;
        }
        memcpy(joined + had, value, more + 1);
        m->values[m->n - 1] = joined;
        /* Stored as a value on one line is, so that it reads back the same once written (a tab inside a
         * piece becomes a space). */
        r->status = il__meta_set(m, name, joined, &r->error);
        return r->status == IL_OK;
    }
    r->status = il__meta_set(m, name, value, &r->error);
    return r->status == IL_OK;
}

il_status il__meta_read(il__meta *meta, const char *path, il_error *err) {
    memset(meta, 0, sizeof *meta);
    char *text;
    size_t size;
    il_status st = il__read_file(path, META_MAX_BYTES, &text, &size, err);
    if (st != IL_OK) return st;
    if (memchr(text, '\0', size)) {
        free(text);
        return il_fail(err, IL_ERR_FORMAT, "%s: holds a NUL byte; a meta file is text", path);
    }
    meta_reader r = {.meta = meta, .path = path, .text = text, .status = IL_OK};
    int ret = ini_parse_stream(meta_line, &r, meta_key, &r);
    if (r.status != IL_OK)
        st = il_fail(err, r.status, "%s", r.error.msg);
    else if (ret > 0)
        st = il_fail(err, IL_ERR_FORMAT, "%s: line %d: expected \"key = value\"", path, ret);
    else if (ret < 0)
        st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory while reading", path);
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
    /* One line of text per key, as an INI reader gives it back: blanks (newlines too) become spaces,
     * none at either end, and none before a ';' (which would start a comment). */
    size_t n = strlen(value), len = 0;
    char *v = malloc(n + 1);
    if (!v) return il_fail(err, IL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char c = isspace((unsigned char)value[i]) ? ' ' : value[i];
        if (c == ' ' && len == 0) continue;
        while (c == ';' && len > 0 && v[len - 1] == ' ')
            len--;
        v[len++] = c;
    }
    while (len > 0 && v[len - 1] == ' ')
        len--;
    v[len] = '\0';
    for (size_t i = 0; i < meta->n; i++) {
        if (strcmp(meta->keys[i], key) == 0) {
            free(meta->values[i]);
            meta->values[i] = v;
            return IL_OK;
        }
    }
    char *k = il__strdup(key);
    char **keys = k ? realloc(meta->keys, (meta->n + 1) * sizeof *keys) : NULL;
    if (keys) meta->keys = keys;
    char **values = keys ? realloc(meta->values, (meta->n + 1) * sizeof *values) : NULL;
    if (!values) {
        free(k);
        free(v);
        return il_fail(err, IL_ERR_NOMEM, "out of memory");
    }
    meta->values = values;
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

/* Whether a value may be broken before v[i] (0 < i < strlen(v)): inih strips blanks at both ends of
 * each piece and takes an indented line starting with ';' or '#' for a comment. */
static int can_break(const char *v, size_t i) {
    return v[i - 1] != ' ' && v[i] != ' ' && v[i] != ';' && v[i] != '#';
}

/* "key = value" on one line when it fits, else the value goes on over lines indented by 4, each as
 * full as an INI line allows, broken after a ',' or '/' where one is near (lists, paths), else between
 * any two non-blank characters. */
static void write_key(FILE *f, const char *key, const char *v) {
    size_t n = strlen(v), at = 0;
    fprintf(f, "%s = ", key);
    size_t room = META_LINE_CHARS - strlen(key) - 3; /* on this line; 4 less than a line on the next */
    while (n - at > room) {
        size_t cut = 0, end = at + room;
        for (size_t i = end; !cut && i > end - room / 3; i--)
            if ((v[i - 1] == ',' || v[i - 1] == '/') && can_break(v, i)) cut = i;
        for (size_t i = end; !cut && i > at; i--)
            if (can_break(v, i)) cut = i;
        /* Only single characters between blanks ("a b c ...") leave no such place: break after a blank,
         * which the reader then drops. A value with no place at all stays whole (and too long a line is
         * then refused by the reader, never misread). */
        for (size_t i = end; !cut && i > at; i--)
            if (v[i] != ' ' && v[i] != ';' && v[i] != '#') cut = i;
        if (!cut) break;
        fwrite(v + at, 1, cut - at, f);
        fputs("\n    ", f);
        at = cut;
        room = META_LINE_CHARS - 4;
    }
    fputs(v + at, f);
    fputc('\n', f);
}

il_status il__meta_write(const il__meta *meta, const char *path, il_error *err) {
    il_atomic_file af;
    il_status st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    fputs("# initlab results folder: what produced it. The files are described in docs/results.md.\n", af.f);
    for (size_t i = 0; i < meta->n; i++)
        write_key(af.f, meta->keys[i], meta->values[i]);
    return il_atomic_commit(&af, err);
}

const il__dependency il__dependencies[IL_DEPENDENCY_COUNT] = {
    {"version", "the program version"},
    {"config_fingerprint", "the configuration"},
    {"data_fingerprint", "the data"},
    {"blas_threads_per_run", "the BLAS threads per run"},
};

int il__meta_dependency_difference(const il__meta *a, const il__meta *b) {
    for (int i = 0; i < IL_DEPENDENCY_COUNT; i++) {
        const char *x = il__meta_get(a, il__dependencies[i].key),
                   *y = il__meta_get(b, il__dependencies[i].key);
        if (!x || !y || strcmp(x, y) != 0) return i;
    }
    return -1;
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
