/* scratch.c - the fuzz targets' scratch folder and whole-file helpers (scratch.h). Failures abort:
 * they are the machine's, never the input's, and the fuzzer must not blame an input for them.
 */
#include "scratch.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[4096];

static void die(const char *what, const char *path) {
    fprintf(stderr, "fuzz scratch: %s %s: %s\n", what, path, strerror(errno));
    abort();
}

/* path and everything under it (links are removed, not followed). */
static void remove_tree(const char *path) {
    struct stat sb;
    if (lstat(path, &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d) closedir(d);
    }
    remove(path);
}

static void remove_scratch(void) {
    if (scratch[0]) remove_tree(scratch);
}

const char *fz_scratch(void) {
    if (scratch[0]) return scratch;
    /* In memory where the system has it: the library's atomic writes fsync, which a disk makes slow. */
    struct stat sb;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                                                                                                 : "/tmp";
    snprintf(scratch, sizeof scratch, "%s/initlab-fuzz-XXXXXX", tmp);
    if (!mkdtemp(scratch)) die("cannot make", scratch);
    atexit(remove_scratch);
    return scratch;
}

char *fz_path(char *buf, size_t size, const char *rel) {
    int n = snprintf(buf, size, "%s/%s", fz_scratch(), rel);
    if (n < 0 || (size_t)n >= size) die("path too long:", rel);
    return buf;
}

/* Every folder on the way to the file path. */
static void make_parents(const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) die("cannot make", dir);
        *p = '/';
    }
}

void fz_write(const char *path, const void *bytes, size_t size) {
    make_parents(path);
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write", path);
    if ((size && fwrite(bytes, 1, size, f) != size) || fclose(f) != 0) die("cannot write", path);
}

char *fz_read(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) abort();
    for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap && !(buf = realloc(buf, (cap *= 2) + 1))) abort();
    }
    if (ferror(f)) die("cannot read", path);
    fclose(f);
    buf[n] = '\0';
    *size = n;
    return buf;
}

void fz_copy_tree(const char *from, const char *to) {
    DIR *d = opendir(from);
    if (!d) die("cannot list", from);
    if (mkdir(to, 0700) != 0 && errno != EEXIST) die("cannot make", to);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        struct stat sb;
        if (stat(src, &sb) != 0) die("cannot stat", src);
        if (S_ISDIR(sb.st_mode)) {
            fz_copy_tree(src, dst);
        } else {
            size_t n = 0;
            char *bytes = fz_read(src, &n);
            if (!bytes) die("cannot read", src);
            fz_write(dst, bytes, n);
            free(bytes);
        }
    }
    closedir(d);
}
