/* test_parse.c - the one strict parser (core/parse.c): what counts as a number and what does not, ranges
 * with open and closed ends and the words messages use for them, whole numbers to 2^64 - 1, lists of
 * sizes, the shortest round-trip text of a double, and quoting of bad values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "initlab/net.h"

static void assert_contains(const char *text, const char *part) {
    if (!strstr(text, part)) fail_msg("expected \"%s\" in: %s", part, text);
}

static void test_a_real_is_the_whole_text_in_decimal(void **state) {
    (void)state;
    const char *good[] = {"0", "0.5", "-1e-3", "+2", ".5", "5.", "1E3", "2e+2", "1e-400"};
    const double values[] = {0, 0.5, -1e-3, 2, 0.5, 5, 1000, 200, 0};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        double v = -99;
        il_error err;
        if (il__parse_real(good[i], IL_RANGE_CLOSED(-INFINITY, INFINITY), "x", &v, &err) != IL_OK)
            fail_msg("\"%s\" refused: %s", good[i], err.msg);
        assert_true(v == values[i]);
    }
    const char *bad[] = {"",     " 1", "1 ", "0.1x", "1e999", "-1e999", "nan",  "inf",
                         "0x10", "1e", "e5", ".",    "-",     "1,5",    "1.2.3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v = -99;
        il_error err;
        il_error_clear(&err);
        assert_int_equal(il__parse_real(bad[i], IL_RANGE_CLOSED(-INFINITY, INFINITY), "--x", &v, &err),
                         IL_ERR_USAGE);
        assert_true(v == -99); /* untouched */
        assert_contains(err.msg, "--x: expected a number, got ");
    }
    il_error err;
    double v = 0;
    assert_int_equal(il__parse_real(NULL, IL_RANGE_CLOSED(0, 1), "x", &v, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "got nothing");
}

static void test_open_and_closed_ends_of_a_range_are_kept_and_said(void **state) {
    (void)state;
    struct {
        il_range r;
        double inside, outside;
        const char *words;
    } cases[] = {
        {IL_RANGE_CLOSED(0, 1000), 1000, 1000.5, "a number from 0 to 1000"},
        {IL_RANGE_CLOSED(0, 1000), 0, -1e-9, "a number from 0 to 1000"},
        {IL_RANGE_OPEN_LOW(0, 1000), 1000, 0, "a positive number up to 1000"},
        {IL_RANGE_OPEN_HIGH(0, 1), 0, 1, "a number from 0 up to (not including) 1"},
        {IL_RANGE_OPEN(0, 1), 0.5, 0, "a number between 0 and 1 (both excluded)"},
        {IL_RANGE_OPEN(0, 1), 0.5, 1, "a number between 0 and 1 (both excluded)"},
        {IL_RANGE_OPEN_LOW(-1, 2), 2, -1, "a number above -1, up to 2"},
        {IL_RANGE_OPEN_LOW(0, INFINITY), 1e300, 0, "a positive number"},
        {IL_RANGE_CLOSED(0, INFINITY), 0, -1, "a number of at least 0"},
        {IL_RANGE_OPEN_LOW(1, INFINITY), 1.5, 1, "a number above 1"},
        {IL_RANGE_CLOSED(-INFINITY, 5), -1e300, 6, "a number of at most 5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char in[64], out[64];
        snprintf(in, sizeof in, "%.17g", cases[i].inside);
        snprintf(out, sizeof out, "%.17g", cases[i].outside);
        double v = -99;
        il_error err;
        if (il__parse_real(in, cases[i].r, "k", &v, &err) != IL_OK) fail_msg("%s refused: %s", in, err.msg);
        assert_true(v == cases[i].inside);
        assert_int_equal(il__parse_real(out, cases[i].r, "k", &v, &err), IL_ERR_USAGE);
        char expected[200];
        snprintf(expected, sizeof expected, "k: expected %s, got \"%s\"", cases[i].words, out);
        assert_string_equal(err.msg, expected);
        char words[128];
        il__describe_range(words, sizeof words, cases[i].r);
        assert_string_equal(words, cases[i].words);
    }
    char bounds[128];
    il__describe_bounds(bounds, sizeof bounds, IL_RANGE_OPEN_HIGH(0, 1));
    assert_string_equal(bounds, "0 up to (not including) 1");
    il__describe_bounds(bounds, sizeof bounds, IL_RANGE_OPEN(0, 1));
    assert_string_equal(bounds, "between 0 and 1, both excluded");
    il__describe_bounds(bounds, sizeof bounds, IL_RANGE_OPEN_LOW(0, INFINITY));
    assert_string_equal(bounds, "above 0");
    il__describe_bounds(bounds, sizeof bounds, IL_RANGE_CLOSED(-1000, 1000));
    assert_string_equal(bounds, "-1000 to 1000");
}

static void test_a_whole_number_is_digits_only_up_to_two_to_the_64_minus_one(void **state) {
    (void)state;
    uint64_t v = 0;
    il_error err;
    assert_int_equal(il__parse_whole("18446744073709551615", IL_WHOLE(0, UINT64_MAX), "s", &v, &err), IL_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(il__parse_whole("007", IL_WHOLE(0, 10), "s", &v, &err), IL_OK);
    assert_true(v == 7);
    const char *bad[] = {"", "18446744073709551616", "-3", "+3", "1e3", "3.0", " 3", "3 ", "0x10", "three"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        v = 42;
        assert_int_equal(il__parse_whole(bad[i], IL_WHOLE(0, UINT64_MAX), "--seed", &v, &err), IL_ERR_USAGE);
        assert_true(v == 42);
        assert_contains(err.msg, "--seed: expected a whole number (0 or more), got ");
    }
    assert_int_equal(il__parse_whole("11", IL_WHOLE(1, 10), "--n", &v, &err), IL_ERR_USAGE);
    assert_string_equal(err.msg, "--n: expected a whole number from 1 to 10, got \"11\"");
    assert_int_equal(il__parse_whole("0", IL_WHOLE(1, 10), "--n", &v, &err), IL_ERR_USAGE);
    size_t s = 5;
    assert_int_equal(il__parse_size("10", IL_WHOLE(1, 10), "--n", &s, &err), IL_OK);
    assert_int_equal(s, 10);
    /* a size's range ends at SIZE_MAX whatever the caller asked */
    assert_int_equal(il__parse_size("18446744073709551615", IL_WHOLE(0, UINT64_MAX), "--n", &s, &err),
                     SIZE_MAX == UINT64_MAX ? IL_OK : IL_ERR_USAGE);
    char bounds[64];
    il__describe_whole_bounds(bounds, sizeof bounds, IL_WHOLE(0, UINT64_MAX));
    assert_string_equal(bounds, "0 to 2^64 - 1");
    il__describe_whole_bounds(bounds, sizeof bounds, IL_WHOLE(1, 1000));
    assert_string_equal(bounds, "1 to 1000");
}

static void test_a_size_list_names_the_item_that_is_wrong(void **state) {
    (void)state;
    size_t sizes[4] = {0}, count = 99;
    il_error err;
    assert_int_equal(
        il__parse_size_list(" 2 , 8,1 ", IL_WHOLE(1, IL_MAX_WIDTH), 4, "--layers", sizes, &count, &err),
        IL_OK);
    assert_int_equal(count, 3);
    assert_int_equal(sizes[0], 2);
    assert_int_equal(sizes[1], 8);
    assert_int_equal(sizes[2], 1);

    count = 99;
    assert_int_equal(
        il__parse_size_list("2,0,1", IL_WHOLE(1, IL_MAX_WIDTH), 4, "--layers", sizes, &count, &err),
        IL_ERR_USAGE);
    assert_string_equal(
        err.msg, "--layers, item 2 of \"2,0,1\": expected a whole number from 1 to 1000000, got \"0\"");
    assert_int_equal(count, 99); /* untouched */
    assert_int_equal(il__parse_size_list("2,,1", IL_WHOLE(1, 10), 4, "--layers", sizes, &count, &err),
                     IL_ERR_USAGE);
    assert_contains(err.msg, "--layers: item 2 of \"2,,1\" is empty");
    assert_int_equal(il__parse_size_list("2,1,", IL_WHOLE(1, 10), 4, "--layers", sizes, &count, &err),
                     IL_ERR_USAGE);
    assert_contains(err.msg, "item 3 of \"2,1,\" is empty");
    assert_int_equal(il__parse_size_list("", IL_WHOLE(1, 10), 4, "--layers", sizes, &count, &err),
                     IL_ERR_USAGE);
    assert_contains(err.msg, "--layers: expected whole numbers separated by commas");
    assert_int_equal(il__parse_size_list("1,2,3,4,5", IL_WHOLE(1, 10), 4, "--layers", sizes, &count, &err),
                     IL_ERR_USAGE);
    assert_contains(err.msg, "more than 4 items");
    assert_int_equal(il__parse_size_list("1,2;3", IL_WHOLE(1, 10), 4, "--layers", sizes, &count, &err),
                     IL_ERR_USAGE);
    assert_contains(err.msg, "got \"2;3\"");
    assert_int_equal(count, 99);
}

static void test_the_width_limit_is_one_million_units(void **state) {
    (void)state;
    size_t sizes[2], count = 0;
    il_error err;
    char text[64];
    snprintf(text, sizeof text, "%u,%u", IL_MAX_WIDTH, IL_MAX_WIDTH + 1);
    assert_int_equal(IL_MAX_WIDTH, 1000000u);
    assert_int_equal(il__parse_size_list(text, IL_WHOLE(1, IL_MAX_WIDTH), 2, "w", sizes, &count, &err),
                     IL_ERR_USAGE);
    assert_contains(err.msg, "w, item 2 of");
    assert_contains(err.msg, "got \"1000001\"");
}

static void test_a_real_is_written_in_its_shortest_text_that_reads_back_exactly(void **state) {
    (void)state;
    struct {
        double v;
        const char *text;
    } cases[] = {{0.7, "0.7"},
                 {2000, "2000"},
                 {1e6, "1000000"},
                 {0.5, "0.5"},
                 {1e300, "1e+300"},
                 {0.1 + 0.2, "0.30000000000000004"},
                 {-1000, "-1000"},
                 {0, "0"},
                 {1e-7, "1e-07"},
                 {0.0005, "0.0005"},
                 {123456789012, "123456789012"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[64];
        il__format_real(buf, sizeof buf, cases[i].v);
        assert_string_equal(buf, cases[i].text);
    }
    /* every double of a spread of magnitudes reads back bit for bit */
    unsigned long long x = 88172645463325252ull;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v = (double)(x >> 11) / 9007199254740992.0 * pow(10.0, (double)(i % 40) - 20.0);
        char buf[64];
        il__format_real(buf, sizeof buf, v);
        double back = -1;
        il_error err;
        if (il__parse_real(buf, IL_RANGE_CLOSED(-INFINITY, INFINITY), "x", &back, &err) != IL_OK)
            fail_msg("%s: %s", buf, err.msg);
        if (back != v) fail_msg("%.17g written as %s reads back as %.17g", v, buf, back);
    }
}

static void test_a_bad_value_is_quoted_on_one_printable_line(void **state) {
    (void)state;
    char q[IL_QUOTE_SIZE];
    assert_string_equal(il__quote(q, sizeof q, "a\tb\nc"), "\"a?b?c\"");
    assert_string_equal(il__quote(q, sizeof q, ""), "\"\"");
    char long_text[200];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    il__quote(q, sizeof q, long_text);
    assert_int_equal(strlen(q), IL_QUOTE_CHARS + 5);
    assert_contains(q, "xxx...\"");
    il_error err;
    double v;
    assert_int_equal(il__parse_real(long_text, IL_RANGE_CLOSED(0, 1), "k", &v, &err), IL_ERR_USAGE);
    assert_contains(err.msg, "...\"");
    assert_true(strlen(err.msg) < 200);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_real_is_the_whole_text_in_decimal),
        cmocka_unit_test(test_open_and_closed_ends_of_a_range_are_kept_and_said),
        cmocka_unit_test(test_a_whole_number_is_digits_only_up_to_two_to_the_64_minus_one),
        cmocka_unit_test(test_a_size_list_names_the_item_that_is_wrong),
        cmocka_unit_test(test_the_width_limit_is_one_million_units),
        cmocka_unit_test(test_a_real_is_written_in_its_shortest_text_that_reads_back_exactly),
        cmocka_unit_test(test_a_bad_value_is_quoted_on_one_printable_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
