/* testutil.c - see testutil.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "testutil.h"

#include "initlab/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_make_tmpdir(const char *tag) {
    const char *base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    size_t n = strlen(base) + strlen(tag) + 64;
    char *path = malloc(n);
    if (!path) return NULL;
    snprintf(path, n, "%s/initlab-test-%s-XXXXXX", base, tag);
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

char *tu_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) break;
        cap *= 2;
        char *grown = realloc(buf, cap + 1);
        if (!grown) {
            free(buf);
            buf = NULL;
        }
        buf = grown;
    }
    fclose(f);
    if (!buf) return NULL;
    buf[len] = '\0';
    if (size) *size = len;
    return buf;
}

int tu_write_file(const char *path, const void *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t put = fwrite(data, 1, size, f);
    int bad = fclose(f) != 0 || put != size;
    return bad ? -1 : 0;
}

int tu_run(const char *command, char **output) {
    size_t n = strlen(command) + 16;
    char *full = malloc(n);
    if (!full) return -1;
    snprintf(full, n, "%s 2>&1", command);
    FILE *p = popen(full, "r");
    free(full);
    if (!p) return -1;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, p)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown) free(buf);
            buf = grown;
        }
    }
    int status = pclose(p);
    if (buf) buf[len] = '\0';
    if (output)
        *output = buf;
    else
        free(buf);
    if (status == -1 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

const char *tu_exe(void) {
#ifdef INITLAB_EXE
    /* The program of this build, never another initlab found on the PATH. */
    if (access(INITLAB_EXE, X_OK) != 0)
        fail_msg("the initlab program of this build is missing: %s", INITLAB_EXE);
    return INITLAB_EXE;
#else
    fail_msg("this build has no initlab program (src/cli has no sources), so no test can run it");
    return NULL;
#endif
}

const char *tu_source_path(const char *relative) {
    static char buf[4096];
#ifdef INITLAB_SOURCE_DIR
    snprintf(buf, sizeof buf, "%s/%s", INITLAB_SOURCE_DIR, relative);
#else
    snprintf(buf, sizeof buf, "%s", relative);
#endif
    return buf;
}

il_status tu_load_spec(const char *spec, il_error *err) {
    il_data_options opt;
    il_data_options_default(&opt);
    il_data data;
    memset(&data, 0, sizeof data);
    il_status st = il_data_load(&data, spec, &opt, err);
    il_data_free(&data);
    return st;
}
