/* test_idx.c - IDX loading: plain and gzip files written here round-trip exactly, gzip is found by its
 * magic bytes, a gzip stream is never inflated past its header's size, and the real Fashion-MNIST files
 * load with their published shapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data/loaders.h"
#include "testutil.h"

/* ---- helpers --------------------------------------------------------------------------------------- */

/* An unsigned-byte IDX file: magic, big-endian dims, payload. Returns its size; buf must be big enough. */
static size_t make_idx(unsigned char *buf, unsigned n_dims, const uint32_t *dims,
                       const unsigned char *payload, size_t payload_len) {
    buf[0] = 0;
    buf[1] = 0;
    buf[2] = 0x08;
    buf[3] = (unsigned char)n_dims;
    for (unsigned k = 0; k < n_dims; k++) {
        buf[4 + 4 * k] = (unsigned char)(dims[k] >> 24);
        buf[5 + 4 * k] = (unsigned char)(dims[k] >> 16);
        buf[6 + 4 * k] = (unsigned char)(dims[k] >> 8);
        buf[7 + 4 * k] = (unsigned char)dims[k];
    }
    memcpy(buf + 4 + 4 * n_dims, payload, payload_len);
    return 4 + 4 * n_dims + payload_len;
}

/* gzip-compress in into out (capacity cap); returns the compressed size. */
static size_t gzip_bytes(unsigned char *out, size_t cap, const unsigned char *in, size_t len) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    return n;
}

static char *path_in(const char *dir, const char *name) {
    static char buf[4][1024];
    static int next = 0;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

/* Three 2x3 images and their labels 2, 0, 1. */
static const unsigned char pixels[18] = {0,  1,  2,  3,   4,   5,   10,  20,  30,
                                         40, 50, 60, 255, 254, 253, 128, 127, 0};
static const unsigned char labels3[3] = {2, 0, 1};

static void write_pair(const char *dir, int gz, char **images_path, char **labels_path) {
    unsigned char img[64], lab[32], packed[256];
    uint32_t img_dims[3] = {3, 2, 3}, lab_dims[1] = {3};
    size_t img_len = make_idx(img, 3, img_dims, pixels, sizeof pixels);
    size_t lab_len = make_idx(lab, 1, lab_dims, labels3, sizeof labels3);
    /* Names without ".gz" on purpose: gzip is recognised by its bytes, not by the name. */
    *images_path = path_in(dir, gz ? "images-gz.idx" : "images.idx");
    *labels_path = path_in(dir, gz ? "labels-gz.idx" : "labels.idx");
    if (gz) {
        assert_int_equal(tu_write_file(*images_path, packed, gzip_bytes(packed, sizeof packed, img, img_len)),
                         0);
        assert_int_equal(tu_write_file(*labels_path, packed, gzip_bytes(packed, sizeof packed, lab, lab_len)),
                         0);
    } else {
        assert_int_equal(tu_write_file(*images_path, img, img_len), 0);
        assert_int_equal(tu_write_file(*labels_path, lab, lab_len), 0);
    }
}

static void assert_three_images(const il_dataset *ds, size_t n_classes) {
    assert_int_equal(ds->n, 3);
    assert_int_equal(ds->d, 6);
    assert_int_equal(ds->t, 3);
    assert_int_equal(n_classes, 3);
    for (size_t i = 0; i < 18; i++)
        assert_true(ds->x[i] == (float)pixels[i]);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ds->labels[i], labels3[i]);
        for (size_t k = 0; k < 3; k++)
            assert_true(ds->y[i * 3 + k] == (k == labels3[i] ? 1.0f : 0.0f));
    }
}

/* ---- round trips ------------------------------------------------------------------------------------ */

static void test_plain_idx_pair_round_trips_pixels_and_one_hot_labels(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("idx-plain");
    char *images, *labels;
    write_pair(dir, 0, &images, &labels);
    il_dataset ds;
    il_error err;
    size_t k = 0;
    il_status st = il__idx_load_pair(&ds, images, labels, 10, &k, &err);
    assert_int_equal(st, IL_OK);
    assert_three_images(&ds, k);
    il_dataset_free(&ds);
    free(dir);
}

static void test_gzip_idx_pair_found_by_magic_bytes_loads_like_plain(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("idx-gz");
    char *images, *labels;
    write_pair(dir, 1, &images, &labels);
    il_dataset ds;
    il_error err;
    size_t k = 0;
    il_status st = il__idx_load_pair(&ds, images, labels, 10, &k, &err);
    assert_int_equal(st, IL_OK);
    assert_three_images(&ds, k);
    il_dataset_free(&ds);
    free(dir);
}

static void test_gzip_file_of_two_members_is_read_whole(void **state) {
    (void)state;
    unsigned char img[64], lab[32], packed[512];
    uint32_t img_dims[3] = {3, 2, 3}, lab_dims[1] = {3};
    size_t img_len = make_idx(img, 3, img_dims, pixels, sizeof pixels);
    size_t lab_len = make_idx(lab, 1, lab_dims, labels3, sizeof labels3);
    /* `cat header.gz payload.gz`: the header and the pixels in separate gzip members. */
    size_t first = gzip_bytes(packed, sizeof packed, img, 16);
    size_t second = gzip_bytes(packed + first, sizeof packed - first, img + 16, img_len - 16);
    il_dataset ds;
    il_error err;
    size_t k = 0;
    il_status st = il__idx_pair_from_memory(&ds, packed, first + second, "two-members.gz", lab, lab_len,
                                            "labels", 0, &k, &err);
    assert_int_equal(st, IL_OK);
    assert_three_images(&ds, k);
    il_dataset_free(&ds);
}

static void test_idx_parse_gives_dimensions_and_payload(void **state) {
    (void)state;
    unsigned char img[64];
    uint32_t dims[3] = {3, 2, 3};
    size_t len = make_idx(img, 3, dims, pixels, sizeof pixels);
    unsigned n_dims = 0;
    size_t got[4] = {0};
    const unsigned char *payload = NULL;
    il_error err;
    assert_int_equal(il__idx_parse(img, len, "x.idx", &n_dims, got, &payload, &err), IL_OK);
    assert_int_equal(n_dims, 3);
    assert_int_equal(got[0], 3);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 3);
    assert_ptr_equal(payload, img + 16);
    /* One byte less is a truncated payload, one byte more a header that does not match the file. */
    assert_int_not_equal(il__idx_parse(img, len - 1, "x.idx", &n_dims, got, &payload, &err), IL_OK);
    assert_non_null(strstr(err.msg, "truncated"));
    img[len] = 7;
    assert_int_not_equal(il__idx_parse(img, len + 1, "x.idx", &n_dims, got, &payload, &err), IL_OK);
    assert_non_null(strstr(err.msg, "does not match"));
}

static void test_one_hot_width_is_one_plus_the_largest_label(void **state) {
    (void)state;
    unsigned char img[64], lab[32];
    uint32_t img_dims[2] = {3, 6}, lab_dims[1] = {3};
    const unsigned char few[3] = {0, 4, 1};
    size_t img_len = make_idx(img, 2, img_dims, pixels, sizeof pixels);
    size_t lab_len = make_idx(lab, 1, lab_dims, few, 3);
    il_dataset ds;
    il_error err;
    size_t k = 0;
    assert_int_equal(il__idx_pair_from_memory(&ds, img, img_len, "img", lab, lab_len, "lab", 0, &k, &err),
                     IL_OK);
    assert_int_equal(k, 5);
    assert_int_equal(ds.t, 5);
    assert_int_equal(ds.d, 6);
    assert_true(ds.y[1 * 5 + 4] == 1.0f);
    il_dataset_free(&ds);
}

/* ---- refusals that need a file made here ------------------------------------------------------------ */

static void test_labels_at_or_above_max_classes_are_refused_with_their_offset(void **state) {
    (void)state;
    unsigned char img[64], lab[32];
    uint32_t img_dims[3] = {3, 2, 3}, lab_dims[1] = {3};
    size_t img_len = make_idx(img, 3, img_dims, pixels, sizeof pixels);
    size_t lab_len = make_idx(lab, 1, lab_dims, labels3, 3);
    il_dataset ds;
    il_error err;
    size_t k = 99;
    il_status st =
        il__idx_pair_from_memory(&ds, img, img_len, "img", lab, lab_len, "labels.idx", 2, &k, &err);
    assert_int_equal(st, IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "labels.idx: label 2 of item 0 (byte offset 8)"));
    assert_non_null(strstr(err.msg, "expected 0 to 1"));
    assert_int_equal(k, 99);
    assert_null(ds.x);
}

static void test_gzip_header_claiming_more_than_its_bytes_can_hold_is_refused(void **state) {
    (void)state;
    /* 60000 x 28 x 28 declared, 18 pixels present: 47 MB cannot come out of ~60 compressed bytes. */
    unsigned char img[64], packed[256];
    uint32_t dims[3] = {60000, 28, 28};
    size_t len = make_idx(img, 3, dims, pixels, sizeof pixels);
    size_t packed_len = gzip_bytes(packed, sizeof packed, img, len);
    il_dataset ds;
    il_error err;
    size_t k = 0;
    il_status st = il__idx_pair_from_memory(&ds, packed, packed_len, "liar.gz", img, len, "lab", 0, &k, &err);
    assert_int_equal(st, IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "liar.gz"));
    assert_non_null(strstr(err.msg, "60000 x 28 x 28"));
    assert_non_null(strstr(err.msg, "can hold"));
}

static void test_gzip_holding_more_than_its_header_declares_is_refused(void **state) {
    (void)state;
    unsigned char img[64], packed[256];
    uint32_t dims[3] = {2, 2, 3}; /* 12 bytes declared, 18 present */
    size_t len = make_idx(img, 3, dims, pixels, sizeof pixels);
    size_t packed_len = gzip_bytes(packed, sizeof packed, img, len);
    il_dataset ds;
    il_error err;
    size_t k = 0;
    il_status st = il__idx_pair_from_memory(&ds, packed, packed_len, "long.gz", img, len, "lab", 0, &k, &err);
    assert_int_equal(st, IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "long.gz: decompresses to more than the 2 x 2 x 3 = 12 bytes"));
}

static void test_read_maybe_gz_gives_the_same_text_plain_or_gzipped_and_keeps_its_cap(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("maybe-gz");
    const char *text = "a,b,y\n1,2,x\n3,4,z\n";
    unsigned char packed[256];
    size_t packed_len = gzip_bytes(packed, sizeof packed, (const unsigned char *)text, strlen(text));
    assert_int_equal(tu_write_file(path_in(dir, "t.csv"), text, strlen(text)), 0);
    assert_int_equal(tu_write_file(path_in(dir, "t.csv.gz"), packed, packed_len), 0);
    unsigned char *plain = NULL, *unpacked = NULL;
    size_t plain_len = 0, unpacked_len = 0;
    il_error err;
    assert_int_equal(il__read_maybe_gz(path_in(dir, "t.csv"), 1000, &plain, &plain_len, &err), IL_OK);
    assert_int_equal(il__read_maybe_gz(path_in(dir, "t.csv.gz"), 1000, &unpacked, &unpacked_len, &err),
                     IL_OK);
    assert_int_equal(plain_len, strlen(text));
    assert_int_equal(unpacked_len, strlen(text));
    assert_string_equal((char *)plain, text); /* NUL-terminated */
    assert_string_equal((char *)unpacked, text);
    free(plain);
    free(unpacked);
    /* 4000 bytes of text (about 40 compressed) under a 1000-byte cap: refused, plain or compressed. */
    char long_text[4000];
    memset(long_text, 'a', sizeof long_text);
    packed_len = gzip_bytes(packed, sizeof packed, (const unsigned char *)long_text, sizeof long_text);
    assert_true(packed_len < 1000);
    assert_int_equal(tu_write_file(path_in(dir, "long.csv"), long_text, sizeof long_text), 0);
    assert_int_equal(tu_write_file(path_in(dir, "long.csv.gz"), packed, packed_len), 0);
    assert_int_not_equal(il__read_maybe_gz(path_in(dir, "long.csv"), 1000, &plain, &plain_len, &err), IL_OK);
    assert_non_null(strstr(err.msg, "long.csv has 4000 bytes"));
    assert_null(plain);
    assert_int_not_equal(il__read_maybe_gz(path_in(dir, "long.csv.gz"), 1000, &unpacked, &unpacked_len, &err),
                         IL_OK);
    assert_non_null(strstr(err.msg, "long.csv.gz decompresses to more than 1000 bytes"));
    assert_null(unpacked);
    free(dir);
}

/* ---- the real Fashion-MNIST files ------------------------------------------------------------------- */

static const char *fashion_file(const char *base) {
    static char buf[2][1024];
    static int next = 0;
    char *p = buf[next++ % 2];
    snprintf(p, sizeof buf[0], "%s/%s", INITLAB_FASHION_MNIST_DIR, base);
    return p;
}

static void check_fashion_split(const char *images, const char *labels, size_t n) {
    il_dataset ds;
    il_error err;
    size_t k = 0;
    il_status st = il__idx_load_pair(&ds, fashion_file(images), fashion_file(labels), 10, &k, &err);
    if (st != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(ds.n, n);
    assert_int_equal(ds.d, 784);
    assert_int_equal(ds.t, 10);
    assert_int_equal(k, 10);
    size_t count[10] = {0};
    float lo = 1e9f, hi = -1e9f;
    for (size_t i = 0; i < ds.n; i++) {
        assert_true(ds.labels[i] >= 0 && ds.labels[i] < 10);
        count[ds.labels[i]]++;
    }
    for (size_t i = 0; i < ds.n * ds.d; i++) {
        lo = ds.x[i] < lo ? ds.x[i] : lo;
        hi = ds.x[i] > hi ? ds.x[i] : hi;
    }
    /* Fashion-MNIST is balanced: n / 10 images per class; pixels span 0..255; item 0 is an ankle boot. */
    for (size_t c = 0; c < 10; c++)
        assert_int_equal(count[c], n / 10);
    assert_true(lo == 0.0f && hi == 255.0f);
    assert_int_equal(ds.labels[0], 9);
    il_dataset_free(&ds);
}

static void test_fashion_mnist_training_files_load_as_60000_images_of_784_pixels(void **state) {
    (void)state;
    check_fashion_split("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000);
}

static void test_fashion_mnist_test_files_load_as_10000_images_of_784_pixels(void **state) {
    (void)state;
    check_fashion_split("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_idx_pair_round_trips_pixels_and_one_hot_labels),
        cmocka_unit_test(test_gzip_idx_pair_found_by_magic_bytes_loads_like_plain),
        cmocka_unit_test(test_gzip_file_of_two_members_is_read_whole),
        cmocka_unit_test(test_idx_parse_gives_dimensions_and_payload),
        cmocka_unit_test(test_one_hot_width_is_one_plus_the_largest_label),
        cmocka_unit_test(test_labels_at_or_above_max_classes_are_refused_with_their_offset),
        cmocka_unit_test(test_gzip_header_claiming_more_than_its_bytes_can_hold_is_refused),
        cmocka_unit_test(test_gzip_holding_more_than_its_header_declares_is_refused),
        cmocka_unit_test(test_read_maybe_gz_gives_the_same_text_plain_or_gzipped_and_keeps_its_cap),
        cmocka_unit_test(test_fashion_mnist_training_files_load_as_60000_images_of_784_pixels),
        cmocka_unit_test(test_fashion_mnist_test_files_load_as_10000_images_of_784_pixels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
