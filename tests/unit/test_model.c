/* test_model.c - saving, loading and exporting networks (model.h).
 *
 * Round trips must be bit-exact; every damaged file (each truncation, each flipped byte, each absurd
 * header) must be refused with IL_ERR_FORMAT and a message naming the file and the place; a failed save
 * must leave no file behind and an existing model untouched; the CSV export must parse back exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "initlab/model.h"
#include "initlab/rng.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------------------ */

static il_net_spec make_spec(size_t n_layers, const size_t *sizes, const il_act *hidden, il_output output) {
    il_net_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.n_layers = n_layers;
    for (size_t i = 0; i <= n_layers; i++)
        spec.sizes[i] = sizes[i];
    for (size_t l = 0; l + 1 < n_layers; l++)
        spec.hidden[l] = hidden[l];
    spec.output = output;
    return spec;
}

/* A net with seeded N(0,1) parameters and a few awkward float values (signed zero, a subnormal, a huge
 * value) that a round trip through text or a sloppy encoder would lose. */
static il_net *make_net(const il_net_spec *spec, size_t max_batch, uint64_t seed) {
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_net_create(&net, spec, max_batch, &err), IL_OK);
    assert_non_null(net);
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_INIT);
    for (size_t k = 0; k < net->n_params; k++)
        net->params[k] = (float)il_rng_normal(&rng);
    net->w[0][0] = -0.0f;
    if (net->n_params > 3) {
        net->b[0][0] = 1.0e-40f; /* subnormal */
        net->w[spec->n_layers - 1][0] = 3.0e38f;
    }
    return net;
}

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static size_t count_entries(const char *dir) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

/* Remove a flat scratch folder and the files in it (the tests create no subfolders that survive). */
static void remove_dir(char *dir) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char *p = join(dir, e->d_name);
        assert_int_equal(unlink(p), 0);
        free(p);
    }
    closedir(d);
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

static void assert_same_spec(const il_net_spec *a, const il_net_spec *b) {
    assert_int_equal(a->n_layers, b->n_layers);
    for (size_t i = 0; i <= a->n_layers; i++)
        assert_int_equal(a->sizes[i], b->sizes[i]);
    for (size_t l = 0; l + 1 < a->n_layers; l++)
        assert_int_equal(a->hidden[l], b->hidden[l]);
    assert_int_equal(a->output, b->output);
}

static void assert_same_params(const il_net *a, const il_net *b) {
    assert_int_equal(a->n_params, b->n_params);
    for (size_t l = 0; l < a->spec.n_layers; l++) {
        size_t I = a->spec.sizes[l], O = a->spec.sizes[l + 1];
        assert_memory_equal(a->w[l], b->w[l], I * O * sizeof(float));
        assert_memory_equal(a->b[l], b->b[l], O * sizeof(float));
    }
}

/* Load path expecting a format error whose message contains path and every given substring. */
static void assert_refused(const char *path, const char *substring1, const char *substring2) {
    static il_net sentinel;
    il_net *net = &sentinel; /* a non-NULL value that the loader must overwrite with NULL */
    il_error err;
    il_error_clear(&err);
    il_status st = il_model_load(&net, path, 4, &err);
    if (st != IL_ERR_FORMAT) fail_msg("expected a format error for %s, got %d: %s", path, (int)st, err.msg);
    assert_null(net);
    if (!strstr(err.msg, path)) fail_msg("message does not name the file: %s", err.msg);
    if (substring1 && !strstr(err.msg, substring1)) fail_msg("'%s' not in: %s", substring1, err.msg);
    if (substring2 && !strstr(err.msg, substring2)) fail_msg("'%s' not in: %s", substring2, err.msg);
}

static void put_u32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A hand-built file: header fields as given, n_float zeros, and a correct CRC unless told otherwise. */
static size_t build_file(unsigned char *buf, uint32_t version, uint32_t L, const uint32_t *sizes,
                         const uint32_t *hidden, uint32_t output, uint64_t n_params, size_t n_floats) {
    size_t pos = 0;
    memcpy(buf, "INITLAB", 8);
    pos = 8;
    put_u32(buf + pos, version), pos += 4;
    put_u32(buf + pos, L), pos += 4;
    for (uint32_t i = 0; i <= L; i++)
        put_u32(buf + pos, sizes[i]), pos += 4;
    for (uint32_t l = 0; l + 1 < L; l++)
        put_u32(buf + pos, hidden[l]), pos += 4;
    put_u32(buf + pos, output), pos += 4;
    put_u64(buf + pos, n_params), pos += 8;
    memset(buf + pos, 0, 4 * n_floats);
    pos += 4 * n_floats;
    put_u32(buf + pos, (uint32_t)crc32(0L, buf, (uInt)pos));
    return pos + 4;
}

/* The small net the damage tests work on: 2 inputs, 3 tanh units, 1 identity output (13 parameters). */
static il_net *small_net(void) {
    const size_t sizes[] = {2, 3, 1};
    const il_act hidden[] = {IL_ACT_TANH};
    il_net_spec spec = make_spec(2, sizes, hidden, IL_OUT_IDENTITY);
    return make_net(&spec, 4, 7);
}

/* ---- round trips -------------------------------------------------------------------------------------- */

static void test_save_then_load_gives_bit_identical_parameters_and_the_same_spec(void **state) {
    (void)state;
    struct {
        size_t n_layers;
        size_t sizes[5];
        il_act hidden[3];
        il_output output;
    } cases[] = {
        {1, {5, 1}, {IL_ACT_IDENTITY}, IL_OUT_SIGMOID},
        {2, {2, 3, 1}, {IL_ACT_SIGMOID}, IL_OUT_IDENTITY},
        {2, {3, 16, 2}, {IL_ACT_RELU}, IL_OUT_SIGMOID},
        {3, {4, 8, 8, 3}, {IL_ACT_TANH, IL_ACT_RELU}, IL_OUT_SOFTMAX},
        {4, {1, 2, 2, 2, 1}, {IL_ACT_IDENTITY, IL_ACT_SIGMOID, IL_ACT_TANH}, IL_OUT_IDENTITY},
        {2, {784, 64, 10}, {IL_ACT_RELU}, IL_OUT_SOFTMAX},
    };
    char *dir = tu_make_tmpdir("model-roundtrip");
    assert_non_null(dir);
    char *path = join(dir, "model.bin");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        il_net_spec spec = make_spec(cases[c].n_layers, cases[c].sizes, cases[c].hidden, cases[c].output);
        il_net *net = make_net(&spec, 3, 100 + c);
        if (net->n_params > 5) { /* a diverged net is saved as it is, bit for bit */
            net->b[cases[c].n_layers - 1][0] = NAN;
            net->w[0][1] = -INFINITY;
        }
        il_error err;
        assert_int_equal(il_model_save(net, path, &err), IL_OK);
        il_net *back = NULL;
        if (il_model_load(&back, path, 5, &err) != IL_OK) fail_msg("case %zu: %s", c, err.msg);
        assert_non_null(back);
        assert_same_spec(&net->spec, &back->spec);
        assert_same_params(net, back);
        assert_int_equal(back->max_batch, 5);
        /* The file has exactly the documented size: 32 + 8 L + 4 n_params bytes. */
        size_t size = 0;
        char *bytes = tu_read_file(path, &size);
        assert_non_null(bytes);
        assert_int_equal(size, 32 + 8 * spec.n_layers + 4 * net->n_params);
        free(bytes);
        il_net_free(back);
        il_net_free(net);
    }
    assert_int_equal(count_entries(dir), 1); /* no temporary file left behind */
    free(path);
    remove_dir(dir);
}

static void test_loaded_network_predicts_exactly_what_the_saved_one_did(void **state) {
    (void)state;
    const size_t sizes[] = {3, 7, 5, 4};
    const il_act hidden[] = {IL_ACT_SIGMOID, IL_ACT_TANH};
    il_net_spec spec = make_spec(3, sizes, hidden, IL_OUT_SOFTMAX);
    il_net *net = make_net(&spec, 8, 21);
    float x[8 * 3]; /* (B, I) */
    il_rng rng;
    il_rng_seed(&rng, 5, IL_STREAM_DATA);
    for (size_t k = 0; k < 8 * 3; k++)
        x[k] = (float)il_rng_normal(&rng);
    net->w[2][0] = 0.5f; /* keep the outputs away from overflow so the comparison is of real numbers */
    il_net_forward(net, x, 8);

    char *dir = tu_make_tmpdir("model-predict");
    char *path = join(dir, "model.bin");
    il_error err;
    assert_int_equal(il_model_save(net, path, &err), IL_OK);
    il_net *back = NULL;
    assert_int_equal(il_model_load(&back, path, 8, &err), IL_OK);
    il_net_forward(back, x, 8);
    for (size_t k = 0; k < 8 * 4; k++)
        assert_true(isfinite(net->a[2][k]));
    assert_memory_equal(net->a[2], back->a[2], 8 * 4 * sizeof(float));
    il_net_free(back);
    il_net_free(net);
    free(path);
    remove_dir(dir);
}

static void test_file_is_little_endian_with_the_documented_layout_and_crc(void **state) {
    (void)state;
    const size_t sizes[] = {1, 1};
    il_net_spec spec = make_spec(1, sizes, NULL, IL_OUT_SIGMOID);
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_net_create(&net, &spec, 1, &err), IL_OK);
    net->w[0][0] = 1.0f;  /* 0x3F800000 */
    net->b[0][0] = -2.0f; /* 0xC0000000 */
    char *dir = tu_make_tmpdir("model-layout");
    char *path = join(dir, "model.bin");
    assert_int_equal(il_model_save(net, path, &err), IL_OK);
    size_t size = 0;
    unsigned char *b = (unsigned char *)tu_read_file(path, &size);
    assert_non_null(b);
    const unsigned char expected[] = {
        'I',  'N',  'I',  'T',  'L', 'A', 'B', 0, /* magic */
        1,    0,    0,    0,                      /* version 1 */
        1,    0,    0,    0,                      /* L = 1 */
        1,    0,    0,    0,    1,   0,   0,   0, /* sizes 1, 1 */
        1,    0,    0,    0,                      /* output code 1 = sigmoid (no hidden codes at L = 1) */
        2,    0,    0,    0,    0,   0,   0,   0, /* n_params = 2 (u64) */
        0x00, 0x00, 0x80, 0x3F,                   /* w0 = 1.0f */
        0x00, 0x00, 0x00, 0xC0,                   /* b0 = -2.0f */
    };
    assert_int_equal(size, sizeof expected + 4);
    assert_memory_equal(b, expected, sizeof expected);
    uint32_t crc = (uint32_t)crc32(0L, b, (uInt)sizeof expected);
    unsigned char crc_bytes[4];
    put_u32(crc_bytes, crc);
    assert_memory_equal(b + sizeof expected, crc_bytes, 4);
    free(b);
    il_net_free(net);
    free(path);
    remove_dir(dir);
}

/* ---- damaged files ------------------------------------------------------------------------------------ */

static void test_every_truncated_prefix_of_a_model_is_refused(void **state) {
    (void)state;
    il_net *net = small_net();
    char *dir = tu_make_tmpdir("model-truncated");
    char *path = join(dir, "model.bin");
    char *cut = join(dir, "cut.bin");
    il_error err;
    assert_int_equal(il_model_save(net, path, &err), IL_OK);
    size_t full = 0;
    char *bytes = tu_read_file(path, &full);
    assert_non_null(bytes);
    assert_int_equal(full, 32 + 8 * 2 + 4 * 13);
    for (size_t len = 0; len < full; len++) {
        assert_int_equal(tu_write_file(cut, bytes, len), 0);
        assert_refused(cut, len == 0 ? "empty" : "truncated", NULL);
    }
    /* The example of the format notes: a cut inside the parameters reports the header's claim. */
    assert_int_equal(tu_write_file(cut, bytes, 60), 0);
    assert_refused(cut, "truncated: header says 13 parameters (52 bytes from byte 44)", "file has 60 bytes");
    /* A cut inside the header names the field it expected. */
    assert_int_equal(tu_write_file(cut, bytes, 14), 0);
    assert_refused(cut, "truncated at byte 12: expected the number of layers", "only 14 bytes");
    free(bytes);
    il_net_free(net);
    free(cut);
    free(path);
    remove_dir(dir);
}

static void test_every_single_altered_byte_of_a_model_is_refused(void **state) {
    (void)state;
    il_net *net = small_net();
    char *dir = tu_make_tmpdir("model-flipped");
    char *path = join(dir, "model.bin");
    char *bad = join(dir, "bad.bin");
    il_error err;
    assert_int_equal(il_model_save(net, path, &err), IL_OK);
    size_t full = 0;
    char *bytes = tu_read_file(path, &full);
    assert_non_null(bytes);
    const unsigned char flips[] = {0x01, 0x80, 0xFF, 0x5A};
    size_t checksum_messages = 0;
    for (size_t pos = 0; pos < full; pos++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            bytes[pos] = (char)(bytes[pos] ^ flips[f]);
            assert_int_equal(tu_write_file(bad, bytes, full), 0);
            il_net *loaded = NULL;
            il_error_clear(&err);
            il_status st = il_model_load(&loaded, bad, 1, &err);
            if (st != IL_ERR_FORMAT || loaded)
                fail_msg("byte %zu xor 0x%02X: expected a format error, got %d: %s", pos, flips[f], (int)st,
                         err.msg);
            assert_non_null(strstr(err.msg, bad));
            if (strstr(err.msg, "checksum mismatch")) checksum_messages++;
            bytes[pos] = (char)(bytes[pos] ^ flips[f]);
        }
    }
    /* Every parameter byte and checksum byte can only be caught by the checksum. */
    assert_true(checksum_messages >= (13 * 4 + 4) * sizeof flips);
    /* And the intact bytes still load. */
    assert_int_equal(tu_write_file(bad, bytes, full), 0);
    il_net *ok = NULL;
    assert_int_equal(il_model_load(&ok, bad, 1, &err), IL_OK);
    assert_same_params(net, ok);
    il_net_free(ok);
    free(bytes);
    il_net_free(net);
    free(bad);
    free(path);
    remove_dir(dir);
}

static void test_altered_parameter_reports_stored_and_computed_checksums(void **state) {
    (void)state;
    il_net *net = small_net();
    char *dir = tu_make_tmpdir("model-crc");
    char *path = join(dir, "model.bin");
    il_error err;
    assert_int_equal(il_model_save(net, path, &err), IL_OK);
    size_t full = 0;
    char *bytes = tu_read_file(path, &full);
    bytes[50] ^= 0x10;
    assert_int_equal(tu_write_file(path, bytes, full), 0);
    uint32_t stored =
        (uint32_t)(unsigned char)bytes[full - 4] | (uint32_t)(unsigned char)bytes[full - 3] << 8 |
        (uint32_t)(unsigned char)bytes[full - 2] << 16 | (uint32_t)(unsigned char)bytes[full - 1] << 24;
    uint32_t computed = (uint32_t)crc32(0L, (unsigned char *)bytes, (uInt)(full - 4));
    char expect[96];
    snprintf(expect, sizeof expect, "checksum mismatch (stored 0x%08X, computed 0x%08X)", (unsigned)stored,
             (unsigned)computed);
    assert_refused(path, expect, "altered or damaged");
    free(bytes);
    il_net_free(net);
    free(path);
    remove_dir(dir);
}

static void test_wrong_magic_version_and_absurd_headers_are_refused_with_clear_messages(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("model-header");
    char *path = join(dir, "bad.bin");
    unsigned char buf[1024];
    const uint32_t sizes[] = {2, 3, 1};
    const uint32_t tanh_code[] = {2};
    size_t n;

    /* A file of another kind. */
    const char png[] = "\x89PNG\r\n\x1a\n and more bytes after it";
    assert_int_equal(tu_write_file(path, png, sizeof png - 1), 0);
    assert_refused(path, "byte 0: expected the magic \"INITLAB\\0\"", "\\x89PNG");

    n = build_file(buf, 7, 2, sizes, tanh_code, 0, 13, 13);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "byte 8: expected version 1, found 7", NULL);

    const uint32_t one[] = {2, 3};
    n = build_file(buf, 1, 0, one, NULL, 0, 0, 0);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "byte 12: expected a number of layers from 1 to 64, found 0", NULL);

    memcpy(buf, "INITLAB", 8);
    put_u32(buf + 8, 1);
    put_u32(buf + 12, 1000000);
    memset(buf + 16, 0, 64);
    assert_int_equal(tu_write_file(path, buf, 80), 0);
    assert_refused(path, "byte 12: expected a number of layers from 1 to 64, found 1000000", NULL);

    const uint32_t zero_width[] = {2, 0, 1};
    n = build_file(buf, 1, 2, zero_width, tanh_code, 0, 1, 1);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "byte 20: expected sizes[1] (a hidden width) >= 1, found 0", NULL);

    const uint32_t unknown_act[] = {9};
    n = build_file(buf, 1, 2, sizes, unknown_act, 0, 13, 13);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "byte 28: expected the activation code of hidden layer 0", "found 9");

    n = build_file(buf, 1, 2, sizes, tanh_code, 3, 13, 13);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "byte 32: expected the output code (0 identity, 1 sigmoid, 2 softmax), found 3",
                   NULL);

    n = build_file(buf, 1, 2, sizes, tanh_code, 0, 14, 14);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "byte 36: expected n_params = 13 (what the layer sizes 2,3,1 imply), found 14",
                   NULL);

    /* Shapes that would need 40 GB: refused from the file size, before any allocation. */
    const uint32_t huge[] = {100000, 100000};
    n = build_file(buf, 1, 1, huge, NULL, 0, 100000ull * 100000ull + 100000ull, 2);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "truncated: header says 10000100000 parameters (40000400000 bytes from byte 36)",
                   "the file has 48 bytes");

    /* Shapes whose parameter count does not even fit 64 bits. */
    const uint32_t overflow[] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    n = build_file(buf, 1, 2, overflow, tanh_code, 0, 5, 0);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "byte 36: the layer sizes 4294967295,4294967295,4294967295 imply more parameters",
                   NULL);

    /* A claim of nearly 2^64 parameters, consistent with its shapes. */
    const uint32_t giant[] = {0xFFFFFFFFu, 0xFFFFFFFFu};
    uint64_t giant_params = 0xFFFFFFFFull * 0xFFFFFFFFull + 0xFFFFFFFFull;
    n = build_file(buf, 1, 1, giant, NULL, 0, giant_params, 0);
    assert_int_equal(tu_write_file(path, buf, n), 0);
    assert_refused(path, "truncated: header says 18446744069414584320 parameters", "far more than");

    /* Bytes after the checksum. */
    n = build_file(buf, 1, 2, sizes, tanh_code, 0, 13, 13);
    buf[n] = 0;
    assert_int_equal(tu_write_file(path, buf, n + 1), 0);
    assert_refused(path, "byte 100: expected the end of the file after the checksum, found 1 more bytes",
                   NULL);

    /* The same hand-built file without the extra byte is a valid model of zeros. */
    assert_int_equal(tu_write_file(path, buf, n), 0);
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_model_load(&net, path, 2, &err), IL_OK);
    assert_int_equal(net->spec.hidden[0], IL_ACT_TANH);
    assert_int_equal(net->spec.output, IL_OUT_IDENTITY);
    il_net_free(net);
    free(path);
    remove_dir(dir);
}

static void test_missing_file_and_folder_are_io_errors_naming_the_path(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("model-missing");
    char *path = join(dir, "absent.bin");
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_model_load(&net, path, 1, &err), IL_ERR_IO);
    assert_null(net);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(il_model_load(&net, dir, 1, &err), IL_ERR_IO);
    assert_null(net);
    assert_non_null(strstr(err.msg, "folder"));
    free(path);
    remove_dir(dir);
}

static void test_load_with_no_batch_rows_is_a_usage_error_and_reads_nothing(void **state) {
    (void)state;
    static il_net sentinel;
    il_net *net = &sentinel;
    il_error err;
    assert_int_equal(il_model_load(&net, "never-read.bin", 0, &err), IL_ERR_USAGE);
    assert_null(net);
    assert_non_null(strstr(err.msg, "max_batch"));
}

/* ---- failed saves ------------------------------------------------------------------------------------- */

static void test_save_into_a_missing_folder_fails_and_creates_nothing(void **state) {
    (void)state;
    il_net *net = small_net();
    char *dir = tu_make_tmpdir("model-nofolder");
    char *sub = join(dir, "no-such-folder");
    char *path = join(sub, "model.bin");
    il_error err;
    assert_int_equal(il_model_save(net, path, &err), IL_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(il_model_export_csv(net, path, &err), IL_ERR_IO);
    struct stat sb;
    assert_int_not_equal(stat(sub, &sb), 0);
    assert_int_equal(count_entries(dir), 0);
    il_net_free(net);
    free(path);
    free(sub);
    remove_dir(dir);
}

/* A save that fails half-way through writing (the file size limit is lowered below the model's size, so
 * the write itself fails) must keep the model that was there, and leave no temporary file. */
static void test_save_that_fails_mid_write_keeps_the_existing_model_intact(void **state) {
    (void)state;
    il_net *old = small_net();
    const size_t sizes[] = {20, 50, 10};
    const il_act hidden[] = {IL_ACT_RELU};
    il_net_spec spec = make_spec(2, sizes, hidden, IL_OUT_SOFTMAX);
    il_net *big = make_net(&spec, 1, 99); /* 1560 parameters, 6 KB */
    char *dir = tu_make_tmpdir("model-failsave");
    char *path = join(dir, "model.bin");
    il_error err;
    assert_int_equal(il_model_save(old, path, &err), IL_OK);
    size_t before_size = 0;
    char *before = tu_read_file(path, &before_size);

    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG */
    struct rlimit low = saved;
    low.rlim_cur = 1024;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
    il_status st = il_model_save(big, path, &err);
    il_status st_csv = il_model_export_csv(big, path, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);

    assert_int_equal(st, IL_ERR_IO);
    assert_int_equal(st_csv, IL_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    size_t after_size = 0;
    char *after = tu_read_file(path, &after_size);
    assert_int_equal(after_size, before_size);
    assert_memory_equal(after, before, before_size);
    assert_int_equal(count_entries(dir), 1);
    il_net *back = NULL;
    assert_int_equal(il_model_load(&back, path, 1, &err), IL_OK);
    assert_same_params(old, back);
    il_net_free(back);
    free(before);
    free(after);
    il_net_free(big);
    il_net_free(old);
    free(path);
    remove_dir(dir);
}

static void test_save_replaces_an_existing_model_whole(void **state) {
    (void)state;
    il_net *first = small_net();
    const size_t sizes[] = {3, 4, 2};
    const il_act hidden[] = {IL_ACT_SIGMOID};
    il_net_spec spec = make_spec(2, sizes, hidden, IL_OUT_SIGMOID);
    il_net *second = make_net(&spec, 1, 3);
    char *dir = tu_make_tmpdir("model-replace");
    char *path = join(dir, "model.bin");
    il_error err;
    assert_int_equal(il_model_save(first, path, &err), IL_OK);
    assert_int_equal(il_model_save(second, path, &err), IL_OK);
    il_net *back = NULL;
    assert_int_equal(il_model_load(&back, path, 1, &err), IL_OK);
    assert_same_spec(&second->spec, &back->spec);
    assert_same_params(second, back);
    assert_int_equal(count_entries(dir), 1);
    il_net_free(back);
    il_net_free(second);
    il_net_free(first);
    free(path);
    remove_dir(dir);
}

/* ---- CSV export --------------------------------------------------------------------------------------- */

static void test_csv_export_has_a_header_and_one_exact_row_per_weight_and_bias(void **state) {
    (void)state;
    const size_t sizes[] = {3, 5, 2};
    const il_act hidden[] = {IL_ACT_TANH};
    il_net_spec spec = make_spec(2, sizes, hidden, IL_OUT_SOFTMAX);
    il_net *net = make_net(&spec, 1, 11);
    net->w[1][3] = 1.17549435e-38f;        /* FLT_MIN: the smallest normal float must survive the text */
    net->b[1][1] = nextafterf(1.0f, 2.0f); /* 1 + 2^-23 needs all 9 significant digits */
    char *dir = tu_make_tmpdir("model-csv");
    char *path = join(dir, "weights.csv");
    il_error err;
    assert_int_equal(il_model_export_csv(net, path, &err), IL_OK);
    size_t size = 0;
    char *text = tu_read_file(path, &size);
    assert_non_null(text);

    size_t n_params = net->n_params; /* 3*5 + 5 + 5*2 + 2 = 32 */
    assert_int_equal(n_params, 32);
    char *seen = calloc(n_params, 1);
    char *line = strtok(text, "\n");
    assert_string_equal(line, "layer,kind,row,col,value");
    size_t rows = 0, weights = 0, biases = 0;
    while ((line = strtok(NULL, "\n")) != NULL) {
        rows++;
        size_t layer, row = 0, col;
        char kind;
        int used = 0;
        if (sscanf(line, "%zu,%c,%zu,%zu,%n", &layer, &kind, &row, &col, &used) == 4 && kind == 'w') {
            weights++;
        } else if (sscanf(line, "%zu,%c,,%zu,%n", &layer, &kind, &col, &used) == 3 && kind == 'b') {
            biases++;
        } else {
            fail_msg("row %zu does not match layer,kind,row,col,value: %s", rows, line);
        }
        assert_true(used > 0);
        assert_true(layer < spec.n_layers);
        size_t I = spec.sizes[layer], O = spec.sizes[layer + 1];
        assert_true(col < O);
        char *end;
        float value = strtof(line + used, &end);
        assert_true(end != line + used && *end == '\0');
        const float *p;
        if (kind == 'w') {
            assert_true(row < I);
            p = &net->w[layer][row * O + col];
        } else {
            p = &net->b[layer][col];
        }
        if (value != *p) fail_msg("%s parses to %.9g, parameter is %.9g", line, value, *p);
        size_t k = (size_t)(p - net->params);
        assert_true(k < n_params);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
    }
    assert_int_equal(rows, n_params);
    assert_int_equal(weights, 3 * 5 + 5 * 2);
    assert_int_equal(biases, 5 + 2);
    free(seen);
    free(text);
    il_net_free(net);
    free(path);
    remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_then_load_gives_bit_identical_parameters_and_the_same_spec),
        cmocka_unit_test(test_loaded_network_predicts_exactly_what_the_saved_one_did),
        cmocka_unit_test(test_file_is_little_endian_with_the_documented_layout_and_crc),
        cmocka_unit_test(test_every_truncated_prefix_of_a_model_is_refused),
        cmocka_unit_test(test_every_single_altered_byte_of_a_model_is_refused),
        cmocka_unit_test(test_altered_parameter_reports_stored_and_computed_checksums),
        cmocka_unit_test(test_wrong_magic_version_and_absurd_headers_are_refused_with_clear_messages),
        cmocka_unit_test(test_missing_file_and_folder_are_io_errors_naming_the_path),
        cmocka_unit_test(test_load_with_no_batch_rows_is_a_usage_error_and_reads_nothing),
        cmocka_unit_test(test_save_into_a_missing_folder_fails_and_creates_nothing),
        cmocka_unit_test(test_save_that_fails_mid_write_keeps_the_existing_model_intact),
        cmocka_unit_test(test_save_replaces_an_existing_model_whole),
        cmocka_unit_test(test_csv_export_has_a_header_and_one_exact_row_per_weight_and_bias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
