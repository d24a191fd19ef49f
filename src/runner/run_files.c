/* run_files.c - the small file chores of a results folder: which per-run files exist and when a run is
 * complete, reading and writing whole files, the meta file, the configuration fingerprint, and the
 * clean-up of temporaries an interrupted atomic write may leave. No CSV content is produced here.
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

void il__remove_temporaries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".tmp.")) continue;
        if (il__path_join(path, sizeof path, dir, e->d_name, NULL) == IL_OK) unlink(path);
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

int il__run_complete(const char *dir, const char *id) {
    char path[4096];
    struct stat sb;
    for (size_t i = 0; i < IL_RESULT_FILE_COUNT; i++) {
        if (il__result_files[i].optional) continue;
        if (il__run_path(path, sizeof path, dir, id, il__result_files[i].name, NULL) != IL_OK) return 0;
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
