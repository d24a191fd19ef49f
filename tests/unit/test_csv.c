/* test_csv.c - the CSV tokenizer (core/csv.h: the same records from text and from a stream read in any
 * chunk size, errors naming file, line, field and byte) and CSV loading: class names numbered in sorted
 * order, class numbers used as they are, numeric targets for regression, and the spreadsheet habits
 * (quotes, CRLF, byte-order mark, blank lines); a loaded two-class source has one 0/1 target.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/csv.h"
#include "data/loaders.h"
#include "testutil.h"

/* ---- the tokenizer ------------------------------------------------------------------------------------ */

/* Every record of a tokenizer as one line of text: "line N: [cell][cell]...", records separated by '\n';
 * or "error: MESSAGE" where it stopped. */
static char *records_of(il__csv_tokenizer *t) {
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    il_error err;
    int got = 0;
    il_status st;
    while ((st = il__csv_next(t, &got, &err)) == IL_OK && got) {
        len += (size_t)snprintf(out + len, cap - len, "line %zu: ", t->record_line);
        for (size_t i = 0; i < t->n_fields; i++)
            len += (size_t)snprintf(out + len, cap - len, "[%s]", il__csv_field(t, i));
        len += (size_t)snprintf(out + len, cap - len, "\n");
        assert_true(len < cap);
    }
    if (st != IL_OK) snprintf(out + len, cap - len, "error: %s", err.msg);
    return out;
}

static char *records_of_text(const char *text, size_t size, int trim) {
    il__csv_tokenizer t;
    il__csv_tokenize_text(&t, text, size, "mem.csv", trim);
    char *out = records_of(&t);
    il__csv_free(&t);
    return out;
}

static char *records_of_stream(const char *text, size_t size, size_t chunk, int trim) {
    FILE *f = fmemopen((void *)(uintptr_t)text, size, "rb");
    assert_non_null(f);
    il__csv_tokenizer t;
    il_error err;
    assert_int_equal(il__csv_tokenize_stream(&t, f, chunk, "mem.csv", trim, &err), IL_OK);
    char *out = records_of(&t);
    il__csv_free(&t);
    fclose(f);
    return out;
}

static void test_tokenizer_splits_quotes_line_ends_bom_blank_lines_and_empty_cells(void **state) {
    (void)state;
    const char *text = "\xEF\xBB\xBF"
                       "a,b,c\r\n"
                       "\r\n"
                       "\"x,y\",\"say \"\"hi\"\"\",\r\n"
                       "1,\"two\r\nlines\",3\n"
                       "\n"
                       ",,\r"
                       "\"\",last";
    char *got = records_of_text(text, strlen(text), 0);
    assert_string_equal(got, "line 1: [a][b][c]\n"
                             "line 3: [x,y][say \"hi\"][]\n"
                             "line 4: [1][two\r\nlines][3]\n"
                             "line 7: [][][]\n"
                             "line 8: [][last]\n");
    free(got);
}

static void test_tokenizer_trims_blanks_around_cells_only_when_asked(void **state) {
    (void)state;
    const char *text = " a ,\t\"b c\" , d\n  \n";
    char *kept = records_of_text(text, strlen(text), 0);
    char *trimmed = records_of_text(text, strlen(text), 1);
    /* Untrimmed, a quote after a blank is text, and a line of blanks is a record of one cell. */
    assert_string_equal(kept, "line 1: [ a ][\t\"b c\" ][ d]\nline 2: [  ]\n");
    assert_string_equal(trimmed, "line 1: [a][b c][d]\n");
    free(kept);
    free(trimmed);
}

static void test_a_stream_read_in_any_chunk_size_gives_the_same_records_as_the_text(void **state) {
    (void)state;
    /* Quotes, doubled quotes, CRLF and lone CR straddle every chunk boundary for some chunk size. */
    char text[4096];
    size_t len = 0;
    len += (size_t)snprintf(text + len, sizeof text - len, "\xEF\xBB\xBFinit,note,loss\r\n");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%d,\"q\"\"%.*s\r\n\",%d.5%s",
                                i % 3 ? "" : "\r\n", i, i % 7, "abcdefg", i, i % 5 == 4 ? "\r" : "\n");
    len += (size_t)snprintf(text + len, sizeof text - len, "\"open,1\n");
    char *expected = records_of_text(text, len, 0);
    assert_non_null(strstr(expected, "line 5: [1][q\"a\r\n][1.5]\n"));
    assert_non_null(strstr(expected, "error: mem.csv: line"));
    for (size_t chunk = 4; chunk <= 41; chunk++) {
        char *got = records_of_stream(text, len, chunk, 0);
        if (strcmp(got, expected) != 0) fail_msg("chunk %zu:\n%s\nexpected:\n%s", chunk, got, expected);
        free(got);
    }
    free(expected);
}

static void test_tokenizer_errors_name_file_line_field_and_byte(void **state) {
    (void)state;
    struct {
        const char *text;
        size_t size;
        const char *expected;
    } cases[] = {
        {"a,b\n1,\"x\ny\n", 0,
         "mem.csv: line 2: a quoted cell is not closed: the quote opened at line 2 (byte 3 of the line) "
         "never "
         "ends"},
        {"a,b\n1,\"x\"y\n", 0,
         "mem.csv: line 2, field 2: unexpected 'y' (byte 6 of the line) after the closing quote"},
        {"a,b\n1,x\0y\n", 10, "mem.csv: line 2, field 2 holds a NUL byte (byte 4 of the line)"},
        {"a,\"b\nc\",\0\n", 10, "mem.csv: line 2, field 3 holds a NUL byte (byte 4 of the line)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t size = cases[i].size ? cases[i].size : strlen(cases[i].text); /* a size for NUL bytes */
        char *text = records_of_text(cases[i].text, size, 1);
        char *stream = records_of_stream(cases[i].text, size, 5, 1);
        if (!strstr(text, cases[i].expected))
            fail_msg("case %zu: '%s' not in: %s", i, cases[i].expected, text);
        assert_string_equal(stream, text);
        free(text);
        free(stream);
    }
}

static void test_fields_copied_from_a_record_outlive_the_next_record(void **state) {
    (void)state;
    const char *text = "name,\"\",z\nlonger text that reuses the buffer,2,3\n";
    il__csv_tokenizer t;
    il__csv_tokenize_text(&t, text, strlen(text), "mem.csv", 0);
    il_error err;
    int got = 0;
    assert_int_equal(il__csv_next(&t, &got, &err), IL_OK);
    char **header = il__csv_copy_fields(&t);
    assert_non_null(header);
    assert_int_equal(il__csv_next(&t, &got, &err), IL_OK);
    assert_int_equal(got, 1);
    assert_string_equal(header[0], "name");
    assert_string_equal(header[1], "");
    assert_string_equal(header[2], "z");
    assert_string_equal(il__csv_field(&t, 0), "longer text that reuses the buffer");
    assert_int_equal(il__csv_next(&t, &got, &err), IL_OK);
    assert_int_equal(got, 0);
    free(header);
    il__csv_free(&t);
}

/* ---- the dataset loader -------------------------------------------------------------------------------- */

/* What a loader filled (il_data_free belongs to the dispatcher; the test frees the same fields). */
static void release(il_data *d) {
    il_dataset_free(&d->train);
    il_dataset_free(&d->test);
    if (d->class_names)
        for (size_t k = 0; k < d->n_classes; k++)
            free(d->class_names[k]);
    free(d->class_names);
    memset(d, 0, sizeof *d);
}

static il_status parse(il_data *d, const char *text, const char *features, const char *label, int regression,
                       il_error *err) {
    il__csv_options opt = {.features = features, .label = label, .regression = regression};
    memset(d, 0, sizeof *d);
    return il__csv_parse(d, text, strlen(text), "mem.csv", &opt, err);
}

static void assert_row(const il_dataset *ds, size_t i, float a, float b) {
    assert_true(ds->x[i * ds->d + 0] == a);
    assert_true(ds->x[i * ds->d + 1] == b);
}

static void test_class_names_are_numbered_in_sorted_order(void **state) {
    (void)state;
    const char *text = "sepal,petal,species\n"
                       "5.1,1.4,setosa\n"
                       "6.3,6.0,virginica\n"
                       "5.9,4.2,versicolor\n"
                       "4.9,1.5,setosa\n";
    il_data d;
    il_error err;
    assert_int_equal(parse(&d, text, NULL, "species", 0, &err), IL_OK);
    assert_int_equal(d.task, IL_TASK_CLASSIFICATION);
    assert_int_equal(d.n_classes, 3);
    assert_string_equal(d.class_names[0], "setosa");
    assert_string_equal(d.class_names[1], "versicolor");
    assert_string_equal(d.class_names[2], "virginica");
    assert_int_equal(d.train.n, 4);
    assert_int_equal(d.train.d, 2);
    assert_int_equal(d.train.t, 3);
    const int expected[4] = {0, 2, 1, 0};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(d.train.labels[i], expected[i]);
        for (size_t k = 0; k < 3; k++)
            assert_true(d.train.y[i * 3 + k] == ((int)k == expected[i] ? 1.0f : 0.0f));
    }
    assert_row(&d.train, 1, 6.3f, 6.0f);
    assert_true(isnan(d.bayes_error));
    release(&d);
}

static void test_whole_number_labels_are_the_class_indices(void **state) {
    (void)state;
    /* "1.0" is class 1 too; class 3 never occurs but 4 does, so there are 5 classes. */
    const char *text = "y,a,b\n2,1,2\n0,3,4\n1.0,5,6\n4,7,8\n";
    il_data d;
    il_error err;
    assert_int_equal(parse(&d, text, NULL, "y", 0, &err), IL_OK);
    assert_int_equal(d.n_classes, 5);
    assert_int_equal(d.train.t, 5);
    assert_string_equal(d.class_names[3], "3");
    const int expected[4] = {2, 0, 1, 4};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(d.train.labels[i], expected[i]);
    assert_row(&d.train, 3, 7.0f, 8.0f);
    release(&d);
}

static void test_negative_number_labels_become_class_names(void **state) {
    (void)state;
    const char *text = "a,b,y\n1,2,-1\n3,4,1\n5,6,-1\n";
    il_data d;
    il_error err;
    assert_int_equal(parse(&d, text, NULL, "y", 0, &err), IL_OK);
    assert_int_equal(d.n_classes, 2);
    assert_string_equal(d.class_names[0], "-1");
    assert_string_equal(d.class_names[1], "1");
    assert_int_equal(d.train.labels[1], 1);
    release(&d);
}

static void test_regression_keeps_the_numeric_target(void **state) {
    (void)state;
    const char *text = "x1,x2,price\n1,2,10.5\n3,4,-2e3\n";
    il_data d;
    il_error err;
    assert_int_equal(parse(&d, text, "x1;x2", "price", 1, &err), IL_OK);
    assert_int_equal(d.task, IL_TASK_REGRESSION);
    assert_int_equal(d.n_classes, 0);
    assert_null(d.class_names);
    assert_null(d.train.labels);
    assert_int_equal(d.train.t, 1);
    assert_true(d.train.y[0] == 10.5f);
    assert_true(d.train.y[1] == -2000.0f);
    release(&d);
}

static void test_features_follow_the_order_of_the_list(void **state) {
    (void)state;
    const char *text = "a,b,c,y\n1,2,3,0\n4,5,6,1\n";
    il_data d;
    il_error err;
    assert_int_equal(parse(&d, text, "c; a", "y", 0, &err), IL_OK);
    assert_int_equal(d.train.d, 2);
    assert_row(&d.train, 0, 3.0f, 1.0f);
    assert_row(&d.train, 1, 6.0f, 4.0f);
    release(&d);
}

static void test_quoted_fields_hold_commas_quotes_and_line_breaks(void **state) {
    (void)state;
    const char *text = "\"length, cm\",\"weight\",label\n"
                       "\"1.5\",2,\"say \"\"hi\"\"\"\n"
                       "3, \"4\" ,\"two\nlines\"\n"
                       "5,6,\"say \"\"hi\"\"\"\n";
    il_data d;
    il_error err;
    il_status st = parse(&d, text, "length, cm;weight", "label", 0, &err);
    if (st != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(d.train.n, 3);
    assert_int_equal(d.n_classes, 2);
    assert_string_equal(d.class_names[0], "say \"hi\"");
    assert_string_equal(d.class_names[1], "two\nlines");
    assert_row(&d.train, 0, 1.5f, 2.0f);
    assert_row(&d.train, 1, 3.0f, 4.0f);
    assert_int_equal(d.train.labels[1], 1);
    assert_int_equal(d.train.labels[2], 0);
    release(&d);
}

static void test_bom_crlf_spaces_and_blank_lines_are_what_spreadsheets_write(void **state) {
    (void)state;
    const char *text = "\xEF\xBB\xBF"
                       "a , b,y\r\n"
                       "\r\n"
                       " 1 ,2 ,cat\r\n"
                       "3,4, dog \r\n"
                       "\r\n"
                       "  \r\n";
    il_data d;
    il_error err;
    il_status st = parse(&d, text, NULL, "y", 0, &err);
    if (st != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(d.train.n, 2);
    assert_int_equal(d.train.d, 2);
    assert_string_equal(d.class_names[0], "cat");
    assert_string_equal(d.class_names[1], "dog");
    assert_row(&d.train, 0, 1.0f, 2.0f);
    assert_row(&d.train, 1, 3.0f, 4.0f);
    release(&d);
}

static void test_errors_give_the_line_in_the_file_after_multiline_fields(void **state) {
    (void)state;
    /* The quoted name spans lines 2-3, so the bad value is on line 5. */
    const char *text = "a,b,y\n1,2,\"x\ny\"\n3,4,z\n5,oops,z\n";
    il_data d;
    il_error err;
    assert_int_equal(parse(&d, text, NULL, "y", 0, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "mem.csv: line 5, column 'b' (column 2): 'oops' is not a number"));
    assert_null(d.train.x);
    assert_null(d.class_names);
}

static void test_a_gzipped_csv_file_loads_by_its_name(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("csv-gz");
    const char *text = "a,b,y\n1,2,0\n3,4,1\n";
    unsigned char packed[256];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)text;
    zs.avail_in = (uInt)strlen(text);
    zs.next_out = packed;
    zs.avail_out = sizeof packed;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    char path[1024];
    snprintf(path, sizeof path, "%s/data.csv.gz", dir);
    assert_int_equal(tu_write_file(path, packed, zs.total_out), 0);
    deflateEnd(&zs);
    il__csv_options opt = {.features = NULL, .label = "y", .regression = 0};
    il_data d;
    memset(&d, 0, sizeof d);
    il_error err;
    assert_int_equal(il__csv_load(&d, path, &opt, &err), IL_OK);
    assert_int_equal(d.train.n, 2);
    assert_row(&d.train, 1, 3.0f, 4.0f);
    release(&d);
    /* And a file that is not there is named. */
    snprintf(path, sizeof path, "%s/missing.csv", dir);
    assert_int_equal(il__csv_load(&d, path, &opt, &err), IL_ERR_IO);
    assert_non_null(strstr(err.msg, "missing.csv"));
    free(dir);
}

static void test_a_label_name_that_is_missing_lists_the_columns(void **state) {
    (void)state;
    il_data d;
    il_error err;
    assert_int_not_equal(parse(&d, "a,b,y\n1,2,0\n3,4,1\n", NULL, "species", 0, &err), IL_OK);
    assert_non_null(strstr(err.msg, "no column named 'species'"));
    assert_non_null(strstr(err.msg, "the columns are: a, b, y"));
    /* A semicolon-separated file gets a hint. */
    assert_int_not_equal(parse(&d, "a;b;y\n1;2;0\n", NULL, "y", 0, &err), IL_OK);
    assert_non_null(strstr(err.msg, "separated by ';'"));
}

/* ---- targets of a loaded CSV source (il_data_load) ------------------------------------------------ */

/* Write text to DIR/name and load "csv:file=PATH,OPTIONS" with the default preparation. */
static il_status load_csv(il_data *d, const char *dir, const char *name, const char *text,
                          const char *options, il_error *err) {
    char path[4096], spec[16384];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
    snprintf(spec, sizeof spec, "csv:file=%s,%s", path, options);
    return il_data_load(d, spec, NULL, err);
}

static void test_two_classes_give_one_0_1_target_and_one_hot_keeps_two(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("csv-binary");
    assert_non_null(dir);
    const char *text = "a,b,kind\n1,2,dog\n2,1,cat\n3,3,dog\n4,1,cat\n0,5,dog\n1,1,cat\n2,2,dog\n"
                       "5,0,cat\n3,1,dog\n0,0,cat\n";
    il_data d;
    il_error err;
    /* cat < dog: cat is 0, dog is 1, one target per row, in the training and the held-out split. */
    assert_int_equal(load_csv(&d, dir, "pets.csv", text, "label=kind", &err), IL_OK);
    assert_int_equal(d.n_classes, 2);
    assert_int_equal(d.train.t, 1);
    assert_int_equal(d.test.t, 1);
    assert_string_equal(d.class_names[1], "dog");
    const il_dataset *sets[] = {&d.train, &d.test};
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i < sets[s]->n; i++)
            assert_true(sets[s]->y[i] == (float)sets[s]->labels[i]);
    il_data_free(&d);
    /* targets=one-hot: one column per class, for a softmax. */
    assert_int_equal(load_csv(&d, dir, "pets.csv", text, "label=kind,targets=one-hot", &err), IL_OK);
    assert_int_equal(d.train.t, 2);
    for (size_t i = 0; i < d.train.n; i++)
        assert_true(d.train.y[2 * i + (size_t)d.train.labels[i]] == 1.0f);
    il_data_free(&d);
    /* A test file is matched by class name and gets the same single target. */
    char test_path[4096], options[8192];
    snprintf(test_path, sizeof test_path, "%s/test.csv", dir);
    const char *test_text = "a,b,kind\n1,1,dog\n2,2,cat\n";
    assert_int_equal(tu_write_file(test_path, test_text, strlen(test_text)), 0);
    snprintf(options, sizeof options, "label=kind,test-file=%s", test_path);
    assert_int_equal(load_csv(&d, dir, "pets.csv", text, options, &err), IL_OK);
    assert_int_equal(d.test.t, 1);
    assert_true(d.test.y[0] == 1.0f && d.test.y[1] == 0.0f);
    il_data_free(&d);
    /* Three classes stay one-hot; asking for one binary target is refused, so is targets= on numbers. */
    const char *three = "a,kind\n1,x\n2,y\n3,z\n4,x\n5,y\n";
    assert_int_equal(load_csv(&d, dir, "three.csv", three, "label=kind", &err), IL_OK);
    assert_int_equal(d.train.t, 3);
    il_data_free(&d);
    assert_int_equal(load_csv(&d, dir, "three.csv", three, "label=kind,targets=binary", &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "exactly two classes"));
    assert_int_equal(load_csv(&d, dir, "three.csv", three, "label=a,task=regression,targets=binary", &err),
                     IL_ERR_USAGE);
    assert_int_equal(load_csv(&d, dir, "pets.csv", text, "label=kind,targets=two", &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "one-hot"));
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenizer_splits_quotes_line_ends_bom_blank_lines_and_empty_cells),
        cmocka_unit_test(test_tokenizer_trims_blanks_around_cells_only_when_asked),
        cmocka_unit_test(test_a_stream_read_in_any_chunk_size_gives_the_same_records_as_the_text),
        cmocka_unit_test(test_tokenizer_errors_name_file_line_field_and_byte),
        cmocka_unit_test(test_fields_copied_from_a_record_outlive_the_next_record),
        cmocka_unit_test(test_class_names_are_numbered_in_sorted_order),
        cmocka_unit_test(test_whole_number_labels_are_the_class_indices),
        cmocka_unit_test(test_negative_number_labels_become_class_names),
        cmocka_unit_test(test_regression_keeps_the_numeric_target),
        cmocka_unit_test(test_features_follow_the_order_of_the_list),
        cmocka_unit_test(test_quoted_fields_hold_commas_quotes_and_line_breaks),
        cmocka_unit_test(test_bom_crlf_spaces_and_blank_lines_are_what_spreadsheets_write),
        cmocka_unit_test(test_errors_give_the_line_in_the_file_after_multiline_fields),
        cmocka_unit_test(test_a_gzipped_csv_file_loads_by_its_name),
        cmocka_unit_test(test_a_label_name_that_is_missing_lists_the_columns),
        cmocka_unit_test(test_two_classes_give_one_0_1_target_and_one_hot_keeps_two),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
