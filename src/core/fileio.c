/* fileio.c - atomic file replacement and CSV cell formatting (see fileio.h).
 * Deliberately small: no CSV reader here (the one tokenizer is core/csv.c), no buffering policy of its own.
 */
#include "initlab/fileio.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files.h"

static void release(il_atomic_file *af) {
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    af->f = NULL;
}

il_status il_atomic_open(il_atomic_file *af, const char *path, il_error *err) {
    af->f = NULL;
    af->path = il__strdup(path);
    size_t n = strlen(path) + 16;
    af->tmp_path = malloc(n);
    if (!af->path || !af->tmp_path) {
        release(af);
        return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(af->tmp_path, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp_path);
    if (fd < 0) {
        il_status st = il_fail(err, IL_ERR_IO, "%s: cannot create a temporary file next to it: %s", path,
                               strerror(errno));
        release(af);
        return st;
    }
    fchmod(fd, 0644);
    af->f = fdopen(fd, "w");
    if (!af->f) {
        il_status st = il_fail(err, IL_ERR_IO, "%s: cannot open for writing: %s", path, strerror(errno));
        close(fd);
        unlink(af->tmp_path);
        release(af);
        return st;
    }
    return IL_OK;
}

il_status il_atomic_commit(il_atomic_file *af, il_error *err) {
    if (!af->f) return il_fail(err, IL_ERR_IO, "%s: file was not open", af->path ? af->path : "(none)");
    int failed = ferror(af->f) || fflush(af->f) != 0 || fsync(fileno(af->f)) != 0;
    int saved = errno;
    if (fclose(af->f) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    af->f = NULL;
    if (!failed && rename(af->tmp_path, af->path) != 0) {
        failed = 1;
        saved = errno;
    }
    if (failed) {
        il_status st = il_fail(err, IL_ERR_IO, "%s: cannot write: %s", af->path, strerror(saved));
        unlink(af->tmp_path);
        release(af);
        return st;
    }
    release(af);
    return IL_OK;
}

void il_atomic_abort(il_atomic_file *af) {
    if (af->f) {
        fclose(af->f);
        af->f = NULL;
    }
    if (af->tmp_path) unlink(af->tmp_path);
    release(af);
}

char *il_csv_number(char *buf, size_t size, double value) {
    if (!isfinite(value)) {
        if (size) buf[0] = '\0';
        return buf;
    }
    snprintf(buf, size, "%.9g", value);
    return buf;
}

void il_csv_text(FILE *f, const char *text) {
    if (!strpbrk(text, ",\"\n\r")) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

il_status il_make_dirs(const char *path, il_error *err) {
    size_t n = strlen(path);
    char *buf = il__strdup(path);
    if (!buf) return il_fail(err, IL_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
            il_status st = il_fail(err, IL_ERR_IO, "%s: cannot create folder: %s", buf, strerror(errno));
            free(buf);
            return st;
        }
        buf[i] = saved;
    }
    free(buf);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return il_fail(err, IL_ERR_IO, "%s: exists and is not a folder", path);
    return IL_OK;
}
