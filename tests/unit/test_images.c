/* test_images.c - image folders: the shipped fashion-sample loads as 300 gray 28x28 images whose pixels
 * are exactly their Fashion-MNIST sources, classes are the folder names in strcmp order, RGB keeps the
 * channels, resizing gives the asked size, and several file formats decode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image_write.h>

#include "data/loaders.h"
#include "testutil.h"

static void release(il_data *d) {
    il_dataset_free(&d->train);
    il_dataset_free(&d->test);
    if (d->class_names)
        for (size_t k = 0; k < d->n_classes; k++)
            free(d->class_names[k]);
    free(d->class_names);
    memset(d, 0, sizeof *d);
}

/* The shipped sample, by the source tree's path (testutil's tu_source_path is compiled without it). */
#define SAMPLE_DIR INITLAB_SOURCE_DIR "/data/fashion-sample"

static il_status load(il_data *d, const char *root, int channels, size_t w, size_t h, il_error *err) {
    il__image_options opt = {.channels = channels, .width = w, .height = h};
    memset(d, 0, sizeof *d);
    return il__images_load(d, root, &opt, err);
}

static const char *join(const char *a, const char *b) {
    static char buf[4][1024];
    static int next = 0;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", a, b);
    return p;
}

/* A w x h image of one color (channels 1 or 3). */
static void write_flat(const char *path, int w, int h, int channels, const unsigned char *color, int format) {
    unsigned char px[64 * 64 * 3];
    for (int i = 0; i < w * h; i++)
        memcpy(px + i * channels, color, (size_t)channels);
    int ok = format == 'p'   ? stbi_write_png(path, w, h, channels, px, w * channels)
             : format == 'b' ? stbi_write_bmp(path, w, h, channels, px)
                             : stbi_write_jpg(path, w, h, channels, px, 100);
    assert_true(ok);
}

/* ---- the shipped sample ----------------------------------------------------------------------------- */

static const char *const sorted_classes[10] = {"ankle_boot", "bag",   "coat",    "dress",       "pullover",
                                               "sandal",     "shirt", "sneaker", "t-shirt_top", "trouser"};
/* Fashion-MNIST's label of each folder above (its class order: t-shirt_top, trouser, pullover, ...). */
static const int fashion_label[10] = {9, 8, 4, 3, 2, 5, 6, 7, 0, 1};

static void test_fashion_sample_loads_300_gray_images_in_10_sorted_classes(void **state) {
    (void)state;
    il_data d;
    il_error err;
    il_status st = load(&d, SAMPLE_DIR, 1, 0, 0, &err);
    if (st != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(d.task, IL_TASK_CLASSIFICATION);
    assert_int_equal(d.train.n, 300);
    assert_int_equal(d.train.d, 784);
    assert_int_equal(d.train.t, 10);
    assert_int_equal(d.n_classes, 10);
    for (size_t k = 0; k < 10; k++)
        assert_string_equal(d.class_names[k], sorted_classes[k]);
    for (size_t i = 0; i < 300; i++) {
        assert_int_equal(d.train.labels[i], (int)(i / 30)); /* class by class, 30 each */
        assert_true(d.train.y[i * 10 + i / 30] == 1.0f);
    }
    assert_int_equal(d.test.n, 0);
    release(&d);
}

static void test_fashion_sample_pixels_are_exactly_their_fashion_mnist_sources(void **state) {
    (void)state;
    il_data d;
    il_error err;
    assert_int_equal(load(&d, SAMPLE_DIR, 1, 0, 0, &err), IL_OK);
    il_dataset t10k;
    size_t k_classes = 0;
    char images[1024], labels[1024];
    snprintf(images, sizeof images, "%s/t10k-images-idx3-ubyte.gz", INITLAB_FASHION_MNIST_DIR);
    snprintf(labels, sizeof labels, "%s/t10k-labels-idx1-ubyte.gz", INITLAB_FASHION_MNIST_DIR);
    il_status st = il__idx_load_pair(&t10k, images, labels, 10, &k_classes, &err);
    if (st != IL_OK) fail_msg("%s", err.msg);
    /* Folder k holds the first 30 t10k images of its Fashion-MNIST label, in file order. */
    for (size_t k = 0; k < 10; k++) {
        size_t taken = 0;
        for (size_t j = 0; j < t10k.n && taken < 30; j++) {
            if (t10k.labels[j] != fashion_label[k]) continue;
            const float *mine = d.train.x + (k * 30 + taken) * 784, *source = t10k.x + j * 784;
            assert_memory_equal(mine, source, 784 * sizeof(float));
            taken++;
        }
        assert_int_equal(taken, 30);
    }
    il_dataset_free(&t10k);
    release(&d);
}

static void test_resizing_gives_the_asked_size(void **state) {
    (void)state;
    il_data d;
    il_error err;
    assert_int_equal(load(&d, SAMPLE_DIR, 1, 14, 10, &err), IL_OK);
    assert_int_equal(d.train.n, 300);
    assert_int_equal(d.train.d, 140);
    float hi = 0;
    for (size_t i = 0; i < d.train.n * d.train.d; i++)
        hi = d.train.x[i] > hi ? d.train.x[i] : hi;
    assert_true(hi > 100.0f && hi <= 255.0f); /* still images, not blanks */
    release(&d);
}

/* ---- folders made here ------------------------------------------------------------------------------ */

static void test_rgb_keeps_channels_and_gray_uses_luminance(void **state) {
    (void)state;
    char *root = tu_make_tmpdir("images-rgb");
    const unsigned char red[3] = {255, 0, 0}, blue[3] = {0, 0, 255};
    assert_int_equal(mkdir(join(root, "red"), 0755), 0);
    assert_int_equal(mkdir(join(root, "blue"), 0755), 0);
    write_flat(join(root, "red/a.png"), 3, 2, 3, red, 'p');
    write_flat(join(root, "red/b.bmp"), 3, 2, 3, red, 'b');
    write_flat(join(root, "blue/c.jpg"), 3, 2, 3, blue, 'j');
    assert_int_equal(tu_write_file(join(root, "blue/notes.txt"), "not an image", 12), 0);
    il_data d;
    il_error err;
    il_status st = load(&d, root, 3, 0, 0, &err);
    if (st != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(d.train.n, 3);
    assert_int_equal(d.train.d, 18);
    assert_string_equal(d.class_names[0], "blue");
    assert_string_equal(d.class_names[1], "red");
    /* Row 0 is the (lossy) blue JPEG, rows 1-2 the exact red PNG and BMP: R, G, B per pixel. */
    for (size_t p = 0; p < 6; p++) {
        assert_true(d.train.x[0 * 18 + p * 3 + 2] > 240.0f && d.train.x[0 * 18 + p * 3 + 0] < 15.0f);
        for (size_t r = 1; r < 3; r++) {
            assert_true(d.train.x[r * 18 + p * 3 + 0] == 255.0f);
            assert_true(d.train.x[r * 18 + p * 3 + 1] == 0.0f);
            assert_true(d.train.x[r * 18 + p * 3 + 2] == 0.0f);
        }
    }
    assert_int_equal(d.train.labels[0], 0);
    assert_int_equal(d.train.labels[2], 1);
    release(&d);
    /* Gray: stb's luminance (77 R + 150 G + 29 B) / 256 of pure red is 76. */
    assert_int_equal(load(&d, root, 1, 0, 0, &err), IL_OK);
    assert_int_equal(d.train.d, 6);
    assert_true(d.train.x[1 * 6 + 0] == 76.0f);
    release(&d);
    free(root);
}

static void test_class_folders_are_sorted_by_strcmp_and_files_within_them_too(void **state) {
    (void)state;
    char *root = tu_make_tmpdir("images-order");
    const char *classes[3] = {"b", "a", "B"}; /* strcmp order: "B" < "a" < "b" */
    for (int c = 0; c < 3; c++)
        assert_int_equal(mkdir(join(root, classes[c]), 0755), 0);
    /* Files named out of order; each image's gray level tells which it is. */
    const char *names[3] = {"z.png", "m.png", "a10.png"};
    const unsigned char level[3] = {30, 20, 10};
    for (int c = 0; c < 3; c++)
        for (int f = 0; f < 3; f++) {
            char rel[64];
            snprintf(rel, sizeof rel, "%s/%s", classes[c], names[f]);
            unsigned char v =
                (unsigned char)(level[f] + 100 * (classes[c][0] == 'B') + 50 * (classes[c][0] == 'b'));
            write_flat(join(root, rel), 2, 2, 1, &v, 'p');
        }
    assert_int_equal(tu_write_file(join(root, "README"), "class folders", 13), 0);
    il_data d;
    il_error err;
    assert_int_equal(load(&d, root, 1, 0, 0, &err), IL_OK);
    assert_string_equal(d.class_names[0], "B");
    assert_string_equal(d.class_names[1], "a");
    assert_string_equal(d.class_names[2], "b");
    /* Class "B" first (levels +100), files a10 < m < z, i.e. levels 10, 20, 30. */
    const float expected[9] = {110, 120, 130, 10, 20, 30, 60, 70, 80};
    for (size_t i = 0; i < 9; i++) {
        assert_true(d.train.x[i * 4] == expected[i]);
        assert_int_equal(d.train.labels[i], (int)(i / 3));
    }
    release(&d);
    free(root);
}

static void test_mixed_sizes_are_refused_unless_resized(void **state) {
    (void)state;
    char *root = tu_make_tmpdir("images-mixed");
    const unsigned char gray = 200;
    assert_int_equal(mkdir(join(root, "one"), 0755), 0);
    assert_int_equal(mkdir(join(root, "two"), 0755), 0);
    write_flat(join(root, "one/a.png"), 4, 4, 1, &gray, 'p');
    write_flat(join(root, "two/b.png"), 6, 2, 1, &gray, 'p');
    il_data d;
    il_error err;
    assert_int_equal(load(&d, root, 1, 0, 0, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "two/b.png is 6x2 pixels"));
    assert_non_null(strstr(err.msg, "one/a.png, the first image, is 4x4"));
    assert_null(d.class_names);
    /* Resized to 3x3, a flat image stays flat. */
    assert_int_equal(load(&d, root, 1, 3, 3, &err), IL_OK);
    assert_int_equal(d.train.d, 9);
    for (size_t i = 0; i < 18; i++)
        assert_true(d.train.x[i] >= 199.0f && d.train.x[i] <= 201.0f);
    release(&d);
    free(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fashion_sample_loads_300_gray_images_in_10_sorted_classes),
        cmocka_unit_test(test_fashion_sample_pixels_are_exactly_their_fashion_mnist_sources),
        cmocka_unit_test(test_resizing_gives_the_asked_size),
        cmocka_unit_test(test_rgb_keeps_channels_and_gray_uses_luminance),
        cmocka_unit_test(test_class_folders_are_sorted_by_strcmp_and_files_within_them_too),
        cmocka_unit_test(test_mixed_sizes_are_refused_unless_resized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
