/* test_files.c - the one whole-file reader, path joiner and string duplicator (core/files.h): a file is
 * read whole with its NUL bytes, a folder and a file over the cap are refused by name before anything
 * is read, a file whose size stat does not know (/proc) is read all the same; joins never double a '/'
 * and never truncate silently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "testutil.h"

static void test_a_file_is_read_whole_with_its_nul_bytes_and_a_terminating_nul(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("files-read");
    char path[4096];
    assert_int_equal(il__path_join(path, sizeof path, dir, "bytes.bin", NULL), IL_OK);
    /* Larger than the first read of a file whose size is unknown, with a NUL inside. */
    size_t n = 200000;
    char *bytes = malloc(n);
    assert_non_null(bytes);
    for (size_t i = 0; i < n; i++)
        bytes[i] = (char)('a' + i % 26);
    bytes[1000] = '\0';
    assert_int_equal(tu_write_file(path, bytes, n), 0);
    char *text = NULL;
    size_t size = 0;
    il_error err;
    if (il__read_file(path, 0, &text, &size, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(size, n);
    assert_memory_equal(text, bytes, n);
    assert_int_equal(text[n], '\0');
    free(text);
    /* An exact cap is enough. */
    assert_int_equal(il__read_file(path, n, &text, &size, &err), IL_OK);
    free(text);
    free(bytes);
    free(dir);
}

static void test_a_folder_a_missing_file_and_a_file_over_the_cap_are_refused_by_name(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("files-refuse");
    char path[4096], missing[4096];
    assert_int_equal(il__path_join(path, sizeof path, dir, "ten.txt", NULL), IL_OK);
    assert_int_equal(il__path_join(missing, sizeof missing, dir, "absent.txt", NULL), IL_OK);
    assert_int_equal(tu_write_file(path, "0123456789", 10), 0);
    char *text = (char *)&text; /* any non-NULL value: a failure must reset it */
    size_t size = 7;
    il_error err;
    assert_int_equal(il__read_file(path, 9, &text, &size, &err), IL_ERR_FORMAT);
    assert_null(text);
    assert_int_equal(size, 0);
    assert_non_null(strstr(err.msg, "ten.txt has 10 bytes, more than the 9 bytes"));
    assert_int_equal(il__read_file(dir, 0, &text, &size, &err), IL_ERR_IO);
    assert_non_null(strstr(err.msg, "is a folder, not a file"));
    assert_non_null(strstr(err.msg, dir));
    assert_int_equal(il__read_file(missing, 0, &text, &size, &err), IL_ERR_IO);
    assert_non_null(strstr(err.msg, "absent.txt: cannot open"));
    assert_null(text);
    free(dir);
}

static void test_a_file_whose_size_stat_does_not_know_is_read_and_capped_as_it_grows(void **state) {
    (void)state;
    char *text = NULL;
    size_t size = 0;
    il_error err;
    /* /proc files say 0 bytes but have content. */
    if (il__read_file("/proc/self/status", 0, &text, &size, &err) != IL_OK) skip();
    assert_true(size > 0);
    assert_non_null(strstr(text, "Name:"));
    free(text);
    assert_int_equal(il__read_file("/proc/self/status", 8, &text, &size, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "is larger than 8 bytes"));
    assert_null(text);
}

static void test_paths_join_with_one_slash_and_a_too_long_path_is_an_error(void **state) {
    (void)state;
    char buf[16];
    il_error err;
    assert_int_equal(il__path_join(buf, sizeof buf, "a/b", "c", NULL), IL_OK);
    assert_string_equal(buf, "a/b/c");
    assert_int_equal(il__path_join(buf, sizeof buf, "a/b/", "c", NULL), IL_OK);
    assert_string_equal(buf, "a/b/c");
    assert_int_equal(il__path_join(buf, sizeof buf, "", "c", NULL), IL_OK);
    assert_string_equal(buf, "c");
    assert_int_equal(il__path_join(buf, sizeof buf, "results", "curves.csv", &err), IL_ERR_USAGE);
    assert_string_equal(buf, "");
    assert_non_null(strstr(err.msg, "results/curves.csv: path too long (at most 15 characters)"));
}

static void test_strings_are_copied_whole_or_up_to_n_bytes(void **state) {
    (void)state;
    char *a = il__strdup("initlab");
    char *b = il__strndup("initlab", 4);
    char *c = il__strndup("in", 10);
    assert_string_equal(a, "initlab");
    assert_string_equal(b, "init");
    assert_string_equal(c, "in");
    free(a);
    free(b);
    free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_file_is_read_whole_with_its_nul_bytes_and_a_terminating_nul),
        cmocka_unit_test(test_a_folder_a_missing_file_and_a_file_over_the_cap_are_refused_by_name),
        cmocka_unit_test(test_a_file_whose_size_stat_does_not_know_is_read_and_capped_as_it_grows),
        cmocka_unit_test(test_paths_join_with_one_slash_and_a_too_long_path_is_an_error),
        cmocka_unit_test(test_strings_are_copied_whole_or_up_to_n_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
