/* test_data_spec.c - the `--data NAME[:key=value,...]` spec: the list of sources, the defaults, and the
 * refusals (unknown source, unknown or malformed option, out-of-range number, missing required option),
 * each a usage error whose message names what was wrong and what is valid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/data.h"
#include "testutil.h"

/* Load spec, expect the status, and check that every fragment occurs in the message. Also checks the
 * failure contract: the output is empty and safe to free (twice). */
static void expect_failure(const char *spec, il_status expected, const char *const *fragments) {
    il_data data;
    il_error err;
    il_error_clear(&err);
    il_status st = il_data_load(&data, spec, NULL, &err);
    if (st != expected)
        fail_msg("spec \"%s\": expected %s, got %s (%s)", spec, il_status_name(expected), il_status_name(st),
                 err.msg);
    for (size_t i = 0; fragments[i]; i++)
        if (!strstr(err.msg, fragments[i]))
            fail_msg("spec \"%s\": message \"%s\" lacks \"%s\"", spec, err.msg, fragments[i]);
    assert_int_equal(data.train.n, 0);
    assert_null(data.train.x);
    assert_null(data.test.x);
    assert_null(data.class_names);
    il_data_free(&data);
    il_data_free(&data);
}

#define EXPECT(spec, status, ...)                                                                            \
    do {                                                                                                     \
        const char *const fragments_[] = {__VA_ARGS__, NULL};                                                \
        expect_failure(spec, status, fragments_);                                                            \
    } while (0)

static void test_source_list_names_every_source_with_a_one_line_description(void **state) {
    (void)state;
    const char *const *names = il_data_source_names();
    const char *const *descriptions = il_data_source_descriptions();
    const char *expected[] = {"esl-sigmoids",  "esl-radial", "xor", "circles", "spirals", "moons",
                              "fashion-mnist", "mnist",      "idx", "images",  "csv"};
    size_t n = 0;
    while (names[n])
        n++;
    assert_int_equal(n, sizeof expected / sizeof *expected);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(names[i], expected[i]);
        assert_non_null(descriptions[i]);
        assert_true(strlen(descriptions[i]) > 10);
        assert_null(strchr(descriptions[i], '\n'));
    }
    assert_null(descriptions[n]);
}

static void test_default_options_are_auto_scaling_a_fifth_held_out_and_no_caps(void **state) {
    (void)state;
    il_data_options opt;
    memset(&opt, 0xab, sizeof opt);
    il_data_options_default(&opt);
    assert_int_equal(opt.scale, IL_SCALE_AUTO);
    assert_float_equal(opt.test_fraction, 0.2, 0.0);
    assert_int_equal(opt.max_train, 0);
    assert_int_equal(opt.max_test, 0);
    assert_int_equal(opt.seed, 1);
}

static void test_every_synthetic_source_loads_with_its_defaults(void **state) {
    (void)state;
    const char *specs[] = {"esl-sigmoids", "esl-radial", "xor", "circles", "spirals", "moons"};
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        il_data data;
        il_error err;
        assert_int_equal(il_data_load(&data, specs[i], NULL, &err), IL_OK);
        assert_string_equal(data.name, specs[i]);
        assert_true(data.train.n > 0 && data.test.n > 0);
        assert_true(strlen(data.description) > 0);
        il_data_free(&data);
    }
}

static void test_names_and_keys_ignore_case_and_surrounding_spaces(void **state) {
    (void)state;
    il_data data;
    il_error err;
    assert_int_equal(il_data_load(&data, " Circles : N = 10 , Noise=0 ,", NULL, &err), IL_OK);
    assert_string_equal(data.name, "circles");
    assert_int_equal(data.train.n, 10);
    il_data_free(&data);
}

static void test_unknown_source_is_refused_with_the_list_of_sources(void **state) {
    (void)state;
    EXPECT("cirkles", IL_ERR_USAGE, "unknown data source 'cirkles'", "esl-sigmoids", "circles",
           "fashion-mnist", "csv");
    EXPECT("", IL_ERR_USAGE, "empty data spec", "esl-radial");
    EXPECT(":n=3", IL_ERR_USAGE, "empty data spec");
}

static void test_unknown_option_is_refused_naming_it_and_the_valid_ones(void **state) {
    (void)state;
    EXPECT("circles:radius=2", IL_ERR_USAGE, "'circles'", "'radius'",
           "valid options: n, test, noise, factor");
    EXPECT("esl-sigmoids:n=50", IL_ERR_USAGE, "'n'", "valid options: train, test, snr");
    EXPECT("moons:turns=3", IL_ERR_USAGE, "'turns'", "valid options: n, test, noise");
    EXPECT("fashion-mnist:file=x", IL_ERR_USAGE, "'file'", "valid options: dir");
    EXPECT("csv:dir=x", IL_ERR_USAGE, "'dir'", "file, label, features, task, test-file");
}

static void test_malformed_options_are_refused(void **state) {
    (void)state;
    EXPECT("circles:noise", IL_ERR_USAGE, "'noise'", "key=value");
    EXPECT("circles:noise=", IL_ERR_USAGE, "'noise'", "empty value");
    EXPECT("circles:n=10,n=20", IL_ERR_USAGE, "'n'", "twice");
    EXPECT("circles:n=10,N=20", IL_ERR_USAGE, "'n'", "twice");
    EXPECT("esl-sigmoids:train=10,oops,test=5", IL_ERR_USAGE, "'oops'", "key=value");
}

static void test_bad_numbers_are_refused_naming_option_value_and_range(void **state) {
    (void)state;
    EXPECT("circles:n=abc", IL_ERR_USAGE, "'n'", "whole number", "'abc'");
    EXPECT("circles:n=0", IL_ERR_USAGE, "'n'", "from 2", "'0'");
    EXPECT("xor:n=3", IL_ERR_USAGE, "'n'", "from 4", "'3'");
    EXPECT("moons:n=-5", IL_ERR_USAGE, "'n'", "'-5'");
    EXPECT("spirals:n=12.5", IL_ERR_USAGE, "'n'", "'12.5'");
    EXPECT("esl-radial:train=0", IL_ERR_USAGE, "'train'", "from 1");
    EXPECT("esl-radial:test=99999999999999999999999", IL_ERR_USAGE, "'test'");
    EXPECT("circles:noise=-0.1", IL_ERR_USAGE, "'noise'", ">= 0", "'-0.1'");
    EXPECT("circles:noise=lots", IL_ERR_USAGE, "'noise'", "must be a number", "'lots'");
    EXPECT("circles:noise=nan", IL_ERR_USAGE, "'noise'");
    EXPECT("circles:factor=1", IL_ERR_USAGE, "'factor'", "between 0 and 1");
    EXPECT("circles:factor=0", IL_ERR_USAGE, "'factor'", "between 0 and 1");
    EXPECT("spirals:turns=0", IL_ERR_USAGE, "'turns'", "> 0");
    EXPECT("esl-sigmoids:snr=0", IL_ERR_USAGE, "'snr'", "> 0");
    EXPECT("esl-sigmoids:snr=inf", IL_ERR_USAGE, "'snr'");
}

static void test_file_sources_say_which_option_they_need(void **state) {
    (void)state;
    EXPECT("mnist", IL_ERR_USAGE, "mnist:dir=", "train-images-idx3-ubyte");
    EXPECT("idx:images=a.gz", IL_ERR_USAGE, "labels=", "missing");
    EXPECT("idx:images=a,labels=b,test-images=c", IL_ERR_USAGE, "test-labels=");
    EXPECT("csv:label=y", IL_ERR_USAGE, "file=");
    EXPECT("csv:file=x.csv", IL_ERR_USAGE, "label=");
    EXPECT("csv:file=x.csv,label=y,task=guess", IL_ERR_USAGE, "'task'", "classification or regression");
    EXPECT("images", IL_ERR_USAGE, "dir=");
    EXPECT("images:dir=x,color=blue", IL_ERR_USAGE, "'color'", "gray or rgb");
    EXPECT("images:dir=x,size=28", IL_ERR_USAGE, "'size'", "28x28");
    EXPECT("images:dir=x,size=0x28", IL_ERR_USAGE, "'size'");
}

static void test_missing_folders_and_paths_are_io_errors_naming_them(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("data-spec");
    assert_non_null(dir);
    char spec[1024];
    snprintf(spec, sizeof spec, "fashion-mnist:dir=%s", dir);
    EXPECT(spec, IL_ERR_IO, dir, "train-images-idx3-ubyte", ".gz");
    snprintf(spec, sizeof spec, "mnist:dir=%s/none", dir);
    EXPECT(spec, IL_ERR_IO, "none", "train-images-idx3-ubyte");
    snprintf(spec, sizeof spec, "%s/missing.csv:label=y", dir);
    EXPECT(spec, IL_ERR_IO, "missing.csv", "neither a known source nor an existing file");
    free(dir);
}

static void test_a_null_spec_is_a_usage_error(void **state) {
    (void)state;
    il_data data;
    il_error err;
    assert_int_equal(il_data_load(&data, NULL, NULL, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "no data source"));
    il_data_free(&data);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_list_names_every_source_with_a_one_line_description),
        cmocka_unit_test(test_default_options_are_auto_scaling_a_fifth_held_out_and_no_caps),
        cmocka_unit_test(test_every_synthetic_source_loads_with_its_defaults),
        cmocka_unit_test(test_names_and_keys_ignore_case_and_surrounding_spaces),
        cmocka_unit_test(test_unknown_source_is_refused_with_the_list_of_sources),
        cmocka_unit_test(test_unknown_option_is_refused_naming_it_and_the_valid_ones),
        cmocka_unit_test(test_malformed_options_are_refused),
        cmocka_unit_test(test_bad_numbers_are_refused_naming_option_value_and_range),
        cmocka_unit_test(test_file_sources_say_which_option_they_need),
        cmocka_unit_test(test_missing_folders_and_paths_are_io_errors_naming_them),
        cmocka_unit_test(test_a_null_spec_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
