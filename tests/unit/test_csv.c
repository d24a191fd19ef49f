/* test_csv.c - CSV loading: class names numbered in sorted order, class numbers used as they are, numeric
 * targets for regression, and the spreadsheet habits (quotes, CRLF, byte-order mark, blank lines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data/loaders.h"
#include "testutil.h"

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

int main(void) {
    const struct CMUnitTest tests[] = {
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
