/* fuzz_data_spec.c - libFuzzer target for the `--data` spec "NAME[:key=value,...]" (or a path): the
 * parser that cuts it and checks every key against its source, and the option values behind it, through
 * il_data_load. It runs in a scratch folder that holds small real inputs for the file sources (d.csv;
 * img/<class>/ with two PNGs; mn/ with the four IDX files), so a spec that names them loads them.
 * What loads must be a usable dataset (il_data_load's promises); a refusal must leave the il_data empty
 * and say why.
 *
 * Specs that would make the call slow rather than test the parser are skipped: any path outside the
 * scratch folder ('/' or ".."), Fashion-MNIST (60000 images), and sizes of 1000 or more (a whole number of
 * four digits or more), since the generators make up to 10 million examples on request.
 */
#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "initlab/data.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void copy_file(const char *from, const char *to_rel) {
    size_t n = 0;
    char *bytes = fz_read(from, &n);
    if (!bytes) abort();
    char to[4096];
    fz_write(fz_path(to, sizeof to, to_rel), bytes, n);
    free(bytes);
}

static void make_inputs(void) {
    static int made;
    if (made) return;
    made = 1;
    char path[4096];
    static const char csv[] = "a,b,y\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n9,10,cat\n";
    fz_write(fz_path(path, sizeof path, "d.csv"), csv, sizeof csv - 1);
    copy_file(INITLAB_SOURCE_DIR "/data/fashion-sample/bag/t10k-00018.png", "img/bag/1.png");
    copy_file(INITLAB_SOURCE_DIR "/data/fashion-sample/bag/t10k-00030.png", "img/bag/2.png");
    copy_file(INITLAB_SOURCE_DIR "/data/fashion-sample/coat/t10k-00006.png", "img/coat/1.png");
    static const char *const idx[4][2] = {{"good-images.idx", "mn/train-images-idx3-ubyte"},
                                          {"good-labels.idx", "mn/train-labels-idx1-ubyte"},
                                          {"good-images.idx", "mn/t10k-images-idx3-ubyte"},
                                          {"good-labels.idx", "mn/t10k-labels-idx1-ubyte"}};
    for (int i = 0; i < 4; i++) {
        char from[4096];
        snprintf(from, sizeof from, "%s/tests/data/bad/idx/%s", INITLAB_SOURCE_DIR, idx[i][0]);
        copy_file(from, idx[i][1]);
    }
}

/* See the file's comment: slow, not interesting. */
static int costly(const char *text) {
    if (strchr(text, '/') || strstr(text, "..")) return 1;
    for (const char *p = text; *p; p++)
        if (strncasecmp(p, "fashion", 7) == 0) return 1;
    size_t run = 0; /* digits ending at text[i] */
    for (size_t i = 0; text[i]; i++) {
        run = isdigit((unsigned char)text[i]) ? run + 1 : 0;
        size_t first = i + 1 - run; /* a fraction's digits after a '.' are not a size */
        if (run >= 4 && (first == 0 || text[first - 1] != '.')) return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    make_inputs();
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = '\0';
    if (costly(text)) {
        free(text);
        return 0;
    }
    /* Relative paths of the spec are in the scratch folder; the fuzzer's own (corpus, artifacts) are not. */
    int here = open(".", O_RDONLY | O_DIRECTORY);
    if (here < 0 || chdir(fz_scratch()) != 0) abort();
    il_data_options opt;
    il_data_options_default(&opt);
    il_data d;
    il_error err;
    il_error_clear(&err);
    if (il_data_load(&d, text, &opt, &err) == IL_OK) {
        const il_dataset *tr = &d.train, *te = &d.test;
        if (!d.name[0] || !d.description[0]) __builtin_trap();
        if (tr->n == 0 || tr->d == 0 || tr->t == 0 || te->n == 0 || te->d != tr->d || te->t != tr->t)
            __builtin_trap();
        for (size_t i = 0; i < tr->n * tr->d; i++)
            if (!isfinite(tr->x[i])) __builtin_trap();
        if (d.task == IL_TASK_CLASSIFICATION) {
            if (d.n_classes < 2 || !tr->labels || !te->labels) __builtin_trap();
            for (size_t i = 0; i < tr->n; i++)
                if (tr->labels[i] < 0 || (size_t)tr->labels[i] >= d.n_classes) __builtin_trap();
        }
        il_data_free(&d);
    } else {
        if (d.train.x || d.test.x || d.class_names || err.msg[0] == '\0') __builtin_trap();
    }
    if (fchdir(here) != 0) abort();
    close(here);
    free(text);
    return 0;
}
