/* test_faults_bounds_messages.c - what a hostile file makes initlab say (issue 11, "Bounded reads"): a model
 * whose output code was flipped and its checksum recomputed is refused naming the model file, not a
 * --output flag nobody gave; CSV errors (dataset loader and results reader) show control bytes escaped
 * and stay on one line; a PNG declaring a huge size is "too large", not an "unknown image type".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/csv.h"
#include "initlab/data.h"
#include "testutil.h"

/* One printable line: no control byte at all (a newline included). */
static void assert_one_printable_line(const char *msg) {
    for (const char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) fail_msg("control byte 0x%02x in: %s", *p, msg);
}

/* ---- a model with a flipped output code -------------------------------------------------------------- */

/* Offset of the output code for L = 2 (docs/model-format.md): magic 8, version 4, L 4, 3 sizes, 1 code. */
#define OUTPUT_CODE_AT (8 + 4 + 4 + 4 * 3 + 4 * 1)

static void set_output_code_and_recompute_the_checksum(const char *path, unsigned code) {
    size_t size = 0;
    unsigned char *bytes = (unsigned char *)tu_read_file(path, &size);
    assert_non_null(bytes);
    assert_true(size > OUTPUT_CODE_AT + 4 + 4);
    bytes[OUTPUT_CODE_AT] = (unsigned char)code;
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), bytes, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        bytes[size - 4 + i] = (unsigned char)(crc >> (8 * i));
    assert_int_equal(tu_write_file(path, bytes, size), 0);
    free(bytes);
}

static void test_a_model_decoding_an_output_the_data_lacks_is_refused_naming_the_model_file(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("messages-model");
    char model[4200], cmd[9000];
    snprintf(model, sizeof model, "%s/xor.model", dir);
    snprintf(cmd, sizeof cmd, "'%s' train --data xor --layers 2,4,1 --epochs 1 --save '%s' >/dev/null 2>&1",
             tu_exe(), model);
    assert_int_equal(tu_run(cmd, NULL), 0);
    /* xor has one 0/1 target: sigmoid (code 1). Softmax (2) over one unit, identity (0) on classes. */
    const unsigned codes[] = {2, 0};
    const char *says[] = {"the model's output is softmax", "the model's output is identity"};
    for (size_t i = 0; i < 2; i++) {
        set_output_code_and_recompute_the_checksum(model, codes[i]);
        snprintf(cmd, sizeof cmd, "'%s' eval '%s' --data xor", tu_exe(), model);
        char *output = NULL;
        int rc = tu_run(cmd, &output);
        assert_non_null(output);
        print_message("  exit %d: %s", rc, output);
        assert_int_not_equal(rc, 0);
        assert_non_null(strstr(output, model));
        assert_non_null(strstr(output, says[i]));
        assert_null(strstr(output, "--output"));
        free(output);
    }
    free(dir);
}

/* ---- CSV messages ------------------------------------------------------------------------------------ */

static il_status load_csv(const char *path, const char *label, il_error *err) {
    char spec[4400];
    snprintf(spec, sizeof spec, "csv:file=%s,label=%s", path, label);
    return tu_load_spec(spec, err);
}

static void test_a_csv_cell_with_escape_sequences_and_line_breaks_is_shown_escaped_on_one_line(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("messages-csv");
    char path[4200];
    snprintf(path, sizeof path, "%s/hostile.csv", dir);
    /* A quoted cell holding a terminal escape (clear the screen), a bell and a line break. */
    const char text[] = "a,b,y\n1,2,cat\n\"3\x1b[2J\a\nrm\",4,dog\n";
    assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
    il_error err;
    assert_int_equal(load_csv(path, "y", &err), IL_ERR_FORMAT);
    print_message("  %s\n", err.msg);
    assert_one_printable_line(err.msg);
    assert_non_null(
        strstr(err.msg, "hostile.csv: line 3, column 'a' (column 1): '3?[2J??rm' is not a number"));
    free(dir);
}

static void test_header_names_with_control_bytes_are_listed_escaped(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("messages-csv-header");
    char path[4200];
    snprintf(path, sizeof path, "%s/header.csv", dir);
    const char text[] = "\"a\x1b]0;owned\x07\",\"b\r\nc\",y\n1,2,cat\n3,4,dog\n";
    assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
    il_error err;
    assert_int_not_equal(load_csv(path, "label", &err), IL_OK);
    print_message("  %s\n", err.msg);
    assert_one_printable_line(err.msg);
    assert_non_null(strstr(err.msg, "the columns are: a?]0;owned?, b??c, y"));
    free(dir);
}

static void test_a_results_file_cell_with_control_bytes_is_shown_escaped_on_one_line(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("messages-results");
    char path[4200];
    snprintf(path, sizeof path, "%s/curves.csv", dir);
    const char text[] = "epoch,\"loss\x1b[31m\"\n0,\"0.5\x1b[2J\n\"\n";
    assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
    il__csvread r;
    il_error err;
    assert_int_equal(il__csvread_open(&r, path, &err), IL_OK);
    int got = 0;
    assert_int_equal(il__csvread_next(&r, &got, &err), IL_OK);
    assert_int_equal(got, 1);
    double v = 0;
    assert_int_equal(il__csvread_number(&r, 1, &v, &err), IL_ERR_FORMAT);
    il__csvread_close(&r);
    print_message("  %s\n", err.msg);
    assert_one_printable_line(err.msg);
    assert_non_null(
        strstr(err.msg, "curves.csv: line 2, column 'loss?[31m': '0.5?[2J?' is not a finite number"));
    free(dir);
}

/* ---- a PNG declaring a huge size ---------------------------------------------------------------------- */

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void test_a_png_declaring_a_huge_size_is_too_large_not_of_unknown_type(void **state) {
    (void)state;
    /* A real small PNG (the bad-input corpus's), its IHDR width and height (bytes 16 and 20) rewritten;
     * stb_image does not check chunk CRCs. 40000 x 40000 gray is past stb_image's own 2^30-byte limit
     * (which made it report "unknown image type"); 2^24 + 1 is past its largest side. */
    size_t size = 0;
    unsigned char *png = (unsigned char *)tu_read_file(
        tu_source_path("tests/data/bad/images/huge-dimensions/cat/a.png"), &size);
    assert_non_null(png);
    assert_true(size > 24 && memcmp(png + 12, "IHDR", 4) == 0);
    const uint32_t sides[][2] = {{40000, 40000}, {16777217, 1}, {1, 4000000000u}};
    const char *shown[] = {"40000x40000", "16777217x1", "1x4000000000"};
    for (size_t i = 0; i < 3; i++) {
        char *dir = tu_make_tmpdir("messages-png");
        char path[4200], spec[4300];
        snprintf(path, sizeof path, "%s/cat", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/dog", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/cat/a.png", dir);
        assert_int_equal(tu_write_file(path, png, size), 0);
        put_be32(png + 16, sides[i][0]);
        put_be32(png + 20, sides[i][1]);
        snprintf(path, sizeof path, "%s/dog/huge.png", dir);
        assert_int_equal(tu_write_file(path, png, size), 0);
        snprintf(spec, sizeof spec, "images:dir=%s,color=gray", dir);
        il_data_options opt;
        il_data_options_default(&opt);
        il_data data;
        memset(&data, 0, sizeof data);
        il_error err;
        assert_int_equal(il_data_load(&data, spec, &opt, &err), IL_ERR_FORMAT);
        il_data_free(&data);
        print_message("  %s\n", err.msg);
        assert_non_null(strstr(err.msg, "dog/huge.png says it is"));
        assert_non_null(strstr(err.msg, shown[i]));
        assert_non_null(strstr(err.msg, "too large"));
        assert_null(strstr(err.msg, "unknown image type"));
        free(dir);
        /* Back to the original size for the next round's cat/a.png. */
        free(png);
        png = (unsigned char *)tu_read_file(tu_source_path("tests/data/bad/images/huge-dimensions/cat/a.png"),
                                            &size);
        assert_non_null(png);
    }
    free(png);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_model_decoding_an_output_the_data_lacks_is_refused_naming_the_model_file),
        cmocka_unit_test(test_a_csv_cell_with_escape_sequences_and_line_breaks_is_shown_escaped_on_one_line),
        cmocka_unit_test(test_header_names_with_control_bytes_are_listed_escaped),
        cmocka_unit_test(test_a_results_file_cell_with_control_bytes_is_shown_escaped_on_one_line),
        cmocka_unit_test(test_a_png_declaring_a_huge_size_is_too_large_not_of_unknown_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
