/* fuzz_images.c - libFuzzer target for image folders: the bytes as the image of two class folders,
 * decoded by stb_image through il__images_load (the size checks before decoding, the decode, and the
 * resize when a size is asked). What loads must be two examples of the size decoded or asked, pixels
 * whole numbers 0 to 255; a refusal must name the image, on one line.
 *
 * Input: one byte of options (bit 0: rgb, else gray; bit 1: resize to W x H with W = 1 + 4 * bits 2-4
 * and H = 1 + 4 * bits 5-7), then the image file (any format stb_image reads; it goes by content).
 * The loader reads folders, so the bytes go to scratch/img/a/x.png, and img/b/x.png links to it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/loaders.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A promise broken is a bug: say which, then stop so that the fuzzer keeps the input. */
static void broken(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_images: %s%s%s\n", what, detail[0] ? ": " : "", detail);
    abort();
}

static char root[4096], image[4096];

static void make_folders(void) {
    if (root[0]) return;
    char link[4096];
    fz_path(root, sizeof root, "img");
    fz_path(image, sizeof image, "img/a/x.png");
    fz_path(link, sizeof link, "img/b/x.png");
    fz_write(image, "", 0);
    fz_write(link, "", 0);
    unlink(link);
    if (symlink("../a/x.png", link) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    make_folders();
    fz_write(image, data + 1, size - 1);
    il__image_options opt = {.channels = (data[0] & 1) ? 3 : 1, .width = 0, .height = 0};
    if (data[0] & 2) {
        opt.width = 1 + 4 * (size_t)((data[0] >> 2) & 7);
        opt.height = 1 + 4 * (size_t)((data[0] >> 5) & 7);
    }
    il_data d;
    memset(&d, 0, sizeof d);
    il_error err;
    il_error_clear(&err);
    if (il__images_load(&d, root, &opt, &err) == IL_OK) {
        const il_dataset *ds = &d.train;
        if (ds->n != 2 || d.n_classes != 2 || ds->t != 2 || !d.class_names)
            broken("not 2 examples of 2 classes", "");
        if (strcmp(d.class_names[0], "a") != 0 || strcmp(d.class_names[1], "b") != 0)
            broken("class names", "");
        if (ds->labels[0] != 0 || ds->labels[1] != 1) broken("labels", "");
        if (ds->d == 0 || ds->d % (size_t)opt.channels != 0) broken("inputs per example", d.description);
        if (opt.width && ds->d != opt.width * opt.height * (size_t)opt.channels)
            broken("not the size asked", d.description);
        for (size_t i = 0; i < ds->n * ds->d; i++)
            if (!(ds->x[i] >= 0.0f && ds->x[i] <= 255.0f) || ds->x[i] != floorf(ds->x[i]))
                broken("a pixel outside 0, 1, ..., 255", "");
        /* Both classes hold the same file: the same pixels. */
        if (memcmp(ds->x, ds->x + ds->d, ds->d * sizeof *ds->x) != 0)
            broken("one file, two different images", "");
        il_data_free(&d);
    } else {
        if (d.train.x || d.class_names) broken("a failed load left data behind", err.msg);
        if (err.msg[0] == '\0' || strchr(err.msg, '\n') || !strstr(err.msg, "x.png"))
            broken("a refusal must name the image on one line", err.msg);
    }
    return 0;
}
