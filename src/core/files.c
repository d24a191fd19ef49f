/* files.c - whole files in and out, paths and string copies: the one implementation of each (files.h).
 * Reading is plain stdio: a regular file at once by its size, a pipe, device or /proc file (whose size
 * stat does not know) in growing chunks, never more than one byte past the cap; writing goes through
 * il_atomic_* so a result appears whole or not at all.
 */
#include "core/files.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "initlab/fileio.h"

char *il__strndup(const char *s, size_t n) {
    size_t len = 0;
    while (len < n && s[len])
        len++;
    char *d = malloc(len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *il__strdup(const char *s) {
    return il__strndup(s, strlen(s));
}

/* "N bytes" with MiB or GiB beside it when that is easier to read. */
static const char *bytes_text(char *buf, size_t size, uintmax_t n) {
    if (n >= ((uintmax_t)1 << 30))
        snprintf(buf, size, "%ju bytes (%.1f GiB)", n, (double)n / (double)((uintmax_t)1 << 30));
    else if (n >= ((uintmax_t)1 << 20))
        snprintf(buf, size, "%ju bytes (%.1f MiB)", n, (double)n / (double)((uintmax_t)1 << 20));
    else
        snprintf(buf, size, "%ju bytes", n);
    return buf;
}

il_status il__read_file(const char *path, size_t max_bytes, char **text, size_t *size, il_error *err) {
    return il__read_file_judged(path, max_bytes, 0, NULL, NULL, text, size, err);
}

il_status il__read_file_judged(const char *path, size_t max_bytes, size_t head_bytes, il__file_judge judge,
                               void *ctx, char **text, size_t *size, il_error *err) {
    *text = NULL;
    *size = 0;
    if (!judge || head_bytes == 0) judge = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return il_fail(err, IL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    /* A folder opens but does not read; a regular file says its size, so a file over the cap is refused
     * before anything is read and the buffer is the right size at once (+1 to meet the end at once). A
     * stream (a pipe, a device) is read in growing chunks and stopped one byte past the cap. */
    const char *limit_is = "a file of this kind holds";
    char shown[64];
    size_t cap = 1 << 16, len = 0;
    int regular = 0;
    uintmax_t file_size = 0;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            fclose(f);
            return il_fail(err, IL_ERR_IO, "%s: is a folder, not a file", path);
        }
        if (S_ISREG(sb.st_mode)) {
            regular = 1;
            file_size = (uintmax_t)sb.st_size;
            if ((uintmax_t)sb.st_size < SIZE_MAX / 2) cap = (size_t)sb.st_size + 1;
        }
    }
    if (regular && max_bytes && file_size > max_bytes) {
        fclose(f);
        return il_fail(err, IL_ERR_FORMAT, "%s has %jd bytes, more than the %s %s", path, (intmax_t)file_size,
                       bytes_text(shown, sizeof shown, max_bytes), limit_is);
    }
    if (!regular && judge && cap < head_bytes) cap = head_bytes;
    if (max_bytes && cap > max_bytes + 1) cap = max_bytes + 1;
    char *buf = malloc(cap + 1);
    il_status st = IL_OK;
    int judged = !judge;
    for (;;) {
        if (!buf) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: out of memory while reading", path);
            break;
        }
        /* Until the format has judged the head, read only the head. */
        size_t want = !judged && head_bytes < cap ? head_bytes : cap;
        len += fread(buf + len, 1, want - len, f);
        if (!judged) {
            judged = 1;
            size_t limit = max_bytes;
            st = judge((const unsigned char *)buf, len, path, ctx, &limit, err);
            if (st != IL_OK) break;
            if (limit && (!max_bytes || limit < max_bytes)) {
                max_bytes = limit;
                limit_is = "its header allows";
            }
            if (regular && max_bytes && file_size > max_bytes) {
                st = il_fail(err, IL_ERR_FORMAT, "%s has %jd bytes, more than the %s %s", path,
                             (intmax_t)file_size, bytes_text(shown, sizeof shown, max_bytes), limit_is);
                break;
            }
            if (max_bytes && cap > max_bytes + 1) cap = max_bytes + 1;
            if (len < want) break;                        /* the whole file was the head */
            if (!max_bytes || len <= max_bytes) continue; /* else refused just below */
        }
        if (max_bytes && len > max_bytes) {
            st = il_fail(err, IL_ERR_FORMAT, "%s: is larger than %s, more than %s", path,
                         bytes_text(shown, sizeof shown, max_bytes), limit_is);
            break;
        }
        if (len < cap) break; /* the end of the file, or a read error told apart below */
        if (cap > SIZE_MAX / 4) {
            st = il_fail(err, IL_ERR_NOMEM, "%s: file too large", path);
            break;
        }
        /* Never more than one byte past the cap: enough to see that a file is larger. */
        cap = max_bytes && cap * 2 > max_bytes ? max_bytes + 1 : cap * 2;
        char *grown = realloc(buf, cap + 1);
        if (!grown) free(buf);
        buf = grown;
    }
    if (st == IL_OK && ferror(f)) st = il_fail(err, IL_ERR_IO, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    if (st != IL_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    *text = buf;
    *size = len;
    return IL_OK;
}

/* A text file holds no NUL byte: one among the first bytes is a binary file or a device (/dev/zero). */
static il_status text_judge(const unsigned char *head, size_t len, const char *path, void *ctx,
                            size_t *max_bytes, il_error *err) {
    (void)ctx;
    (void)max_bytes;
    const unsigned char *nul = memchr(head, 0, len);
    if (!nul) return IL_OK;
    return il_fail(err, IL_ERR_FORMAT,
                   "%s: byte %zu is a NUL byte; expected a text file (is this a binary file or a device?)",
                   path, (size_t)(nul - head));
}

il_status il__read_text_file(const char *path, size_t max_bytes, char **text, size_t *size, il_error *err) {
    return il__read_file_judged(path, max_bytes, (size_t)64 << 10, text_judge, NULL, text, size, err);
}

il_status il__write_file(const char *path, const char *bytes, size_t size, il_error *err) {
    il_atomic_file af;
    il_status st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    if (size && fwrite(bytes, 1, size, af.f) != size) {
        il_atomic_abort(&af);
        return il_fail(err, IL_ERR_IO, "%s: cannot write", path);
    }
    return il_atomic_commit(&af, err);
}

il_status il__path_join(char *buf, size_t size, const char *a, const char *b, il_error *err) {
    size_t la = strlen(a);
    const char *sep = la == 0 || a[la - 1] == '/' ? "" : "/";
    int n = snprintf(buf, size, "%s%s%s", a, sep, b);
    if (n < 0 || (size_t)n >= size) {
        if (size) buf[0] = '\0';
        return il_fail(err, IL_ERR_USAGE, "%s%s%s: path too long (at most %zu characters)", a, sep, b,
                       size ? size - 1 : 0);
    }
    return IL_OK;
}
