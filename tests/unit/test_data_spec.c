/* test_data_spec.c - the `--data NAME[:key=value,...]` spec: the list of sources, the defaults, and the
 * refusals (unknown source, unknown or malformed option, out-of-range number, missing required option),
 * each a usage error whose message names what was wrong and what is valid; then the dispatch of the file
 * sources (IDX folders and pairs, CSV with a test file, paths, the installed Fashion-MNIST) with their
 * split, caps, classes and pixel scaling. Small files are written by the tests into a scratch folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "initlab/data.h"
#include "testutil.h"

/* Remove a scratch folder the tests made (it holds only files) and free its name. */
static void remove_scratch(char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[2048];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

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
    EXPECT("circles:n=abc", IL_ERR_USAGE, "option 'n'", "whole number", "got \"abc\"");
    EXPECT("circles:n=0", IL_ERR_USAGE, "option 'n'", "from 2", "got \"0\"");
    EXPECT("xor:n=3", IL_ERR_USAGE, "option 'n'", "from 4", "got \"3\"");
    EXPECT("moons:n=-5", IL_ERR_USAGE, "option 'n'", "got \"-5\"");
    EXPECT("spirals:n=12.5", IL_ERR_USAGE, "option 'n'", "got \"12.5\"");
    EXPECT("esl-radial:train=0", IL_ERR_USAGE, "option 'train'", "from 1");
    EXPECT("esl-radial:test=99999999999999999999999", IL_ERR_USAGE, "option 'test'", "whole number");
    EXPECT("circles:noise=-0.1", IL_ERR_USAGE, "option 'noise'", "at least 0", "got \"-0.1\"");
    EXPECT("circles:noise=lots", IL_ERR_USAGE, "option 'noise' (sd of the Gaussian noise)",
           "expected a number of at least 0", "got \"lots\"");
    EXPECT("circles:noise=nan", IL_ERR_USAGE, "option 'noise'", "got \"nan\"");
    EXPECT("circles:factor=1", IL_ERR_USAGE, "option 'factor'", "between 0 and 1 (both excluded)");
    EXPECT("circles:factor=0", IL_ERR_USAGE, "option 'factor'", "between 0 and 1 (both excluded)");
    EXPECT("spirals:turns=0", IL_ERR_USAGE, "option 'turns'", "a positive number");
    EXPECT("esl-sigmoids:snr=0", IL_ERR_USAGE, "option 'snr'", "a positive number");
    EXPECT("esl-sigmoids:snr=inf", IL_ERR_USAGE, "option 'snr'", "got \"inf\"");
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
    remove_scratch(dir);
}

static void test_a_null_spec_is_a_usage_error(void **state) {
    (void)state;
    il_data data;
    il_error err;
    assert_int_equal(il_data_load(&data, NULL, NULL, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "no data source"));
    il_data_free(&data);
}

/* ---- file sources ----------------------------------------------------------------------------------- */

/* Pixel of image i at position p in the fixtures: distinct per image, covering 0..255. */
static unsigned char fixture_pixel(size_t i, size_t p) {
    return (unsigned char)((i * 37 + p * 11) % 256);
}

static void put_be32(unsigned char *b, uint32_t v) {
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* Write an IDX images file (n images of 4x4 = 16 pixels) and a labels file, plain or gzipped. */
static void write_idx_pair(const char *images, const char *labels, size_t n, const unsigned char *label_of,
                           int gz) {
    size_t isize = 16 + n * 16, lsize = 8 + n;
    unsigned char *ib = malloc(isize), *lb = malloc(lsize);
    assert_non_null(ib);
    assert_non_null(lb);
    put_be32(ib, 0x00000803);
    put_be32(ib + 4, (uint32_t)n);
    put_be32(ib + 8, 4);
    put_be32(ib + 12, 4);
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < 16; p++)
            ib[16 + i * 16 + p] = fixture_pixel(i, p);
    put_be32(lb, 0x00000801);
    put_be32(lb + 4, (uint32_t)n);
    memcpy(lb + 8, label_of, n);
    const char *paths[2] = {images, labels};
    const unsigned char *bytes[2] = {ib, lb};
    size_t sizes[2] = {isize, lsize};
    for (int f = 0; f < 2; f++) {
        if (gz) {
            gzFile g = gzopen(paths[f], "wb");
            assert_non_null(g);
            assert_int_equal(gzwrite(g, bytes[f], (unsigned)sizes[f]), (int)sizes[f]);
            assert_int_equal(gzclose(g), Z_OK);
        } else {
            assert_int_equal(tu_write_file(paths[f], bytes[f], sizes[f]), 0);
        }
    }
    free(ib);
    free(lb);
}

/* An MNIST-style folder: 30 training images with labels 0, 1, 2 cycling, 12 test images with labels
 * 0, 1 only (so the test file alone would say 2 classes). */
static char *make_mnist_folder(int gz) {
    char *dir = tu_make_tmpdir("data-mnist");
    assert_non_null(dir);
    unsigned char train_labels[30], test_labels[12];
    for (size_t i = 0; i < 30; i++)
        train_labels[i] = (unsigned char)(i % 3);
    for (size_t i = 0; i < 12; i++)
        test_labels[i] = (unsigned char)(i % 2);
    char images[1024], labels[1024];
    const char *ext = gz ? ".gz" : "";
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte%s", dir, ext);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte%s", dir, ext);
    write_idx_pair(images, labels, 30, train_labels, gz);
    snprintf(images, sizeof images, "%s/t10k-images-idx3-ubyte%s", dir, ext);
    snprintf(labels, sizeof labels, "%s/t10k-labels-idx1-ubyte%s", dir, ext);
    write_idx_pair(images, labels, 12, test_labels, gz);
    return dir;
}

static il_data load_spec_ok(const char *spec, const il_data_options *opt) {
    il_data data;
    il_error err;
    il_error_clear(&err);
    if (il_data_load(&data, spec, opt, &err) != IL_OK) fail_msg("il_data_load(\"%s\"): %s", spec, err.msg);
    return data;
}

static void check_one_hot(const il_dataset *ds, size_t k) {
    assert_int_equal(ds->t, k);
    for (size_t i = 0; i < ds->n; i++)
        for (size_t c = 0; c < k; c++)
            assert_true(ds->y[i * k + c] == (c == (size_t)ds->labels[i] ? 1.0f : 0.0f));
}

static void test_mnist_folder_loads_both_splits_as_ten_classes_with_pixels_in_0_1(void **state) {
    (void)state;
    for (int gz = 0; gz < 2; gz++) {
        char *dir = make_mnist_folder(gz);
        char spec[1100];
        snprintf(spec, sizeof spec, "mnist:dir=%s", dir);
        il_data data = load_spec_ok(spec, NULL);
        assert_string_equal(data.name, "mnist");
        assert_int_equal(data.task, IL_TASK_CLASSIFICATION);
        assert_int_equal(data.train.n, 30);
        assert_int_equal(data.test.n, 12);
        assert_int_equal(data.train.d, 16);
        assert_int_equal(data.n_classes, 10);
        check_one_hot(&data.train, 10);
        check_one_hot(&data.test, 10);
        assert_string_equal(data.class_names[0], "0");
        assert_string_equal(data.class_names[9], "9");
        /* Auto scaling of an image source divides by 255, for both splits. */
        for (size_t p = 0; p < 16; p++) {
            assert_float_equal(data.train.x[5 * 16 + p], fixture_pixel(5, p) / 255.0, 1e-6);
            assert_float_equal(data.test.x[3 * 16 + p], fixture_pixel(3, p) / 255.0, 1e-6);
        }
        assert_non_null(strstr(data.description, "30 train, 12 test"));
        assert_non_null(strstr(data.description, "pixels divided by 255"));
        il_data_free(&data);
        remove_scratch(dir);
    }
}

static void test_a_folder_path_with_mnist_names_reads_as_mnist_and_caps_keep_the_first_images(void **state) {
    (void)state;
    char *dir = make_mnist_folder(1);
    il_data_options opt;
    il_data_options_default(&opt);
    opt.max_train = 7;
    opt.max_test = 5;
    opt.scale = IL_SCALE_NONE;
    il_data data = load_spec_ok(dir, &opt);
    assert_string_equal(data.name, "mnist");
    assert_int_equal(data.train.n, 7);
    assert_int_equal(data.test.n, 5);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(data.train.labels[i], (int32_t)(i % 3));
        assert_true(data.train.x[i * 16 + 2] == (float)fixture_pixel(i, 2));
    }
    il_data_free(&data);
    remove_scratch(dir);
}

static void test_idx_pair_without_test_files_holds_out_the_test_fraction(void **state) {
    (void)state;
    char *dir = make_mnist_folder(0);
    char spec[2200];
    snprintf(spec, sizeof spec, "idx:images=%s/train-images-idx3-ubyte,labels=%s/train-labels-idx1-ubyte",
             dir, dir);
    il_data_options opt;
    il_data_options_default(&opt);
    opt.test_fraction = 0.3;
    opt.seed = 9;
    il_data data = load_spec_ok(spec, &opt);
    assert_string_equal(data.name, "idx");
    assert_int_equal(data.test.n, 9);
    assert_int_equal(data.train.n, 21);
    assert_int_equal(data.n_classes, 3);
    check_one_hot(&data.train, 3);
    check_one_hot(&data.test, 3);
    assert_non_null(strstr(data.description, "30% held out"));
    /* Same seed, same split. */
    il_data again = load_spec_ok(spec, &opt);
    assert_memory_equal(data.test.labels, again.test.labels, 9 * sizeof(int32_t));
    assert_memory_equal(data.train.x, again.train.x, 21 * 16 * sizeof(float));
    il_data_free(&again);
    il_data_free(&data);
    remove_scratch(dir);
}

static void test_csv_test_file_classes_are_matched_by_name(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("data-csv");
    assert_non_null(dir);
    char train[1024], test[1024], spec[2200];
    snprintf(train, sizeof train, "%s/train.csv", dir);
    snprintf(test, sizeof test, "%s/test.csv", dir);
    const char *train_text = "a,b,kind\n1,2,cat\n2,1,dog\n3,3,eel\n4,1,cat\n0,5,dog\n";
    const char *test_text = "a,b,kind\n9,9,eel\n8,8,cat\n7,7,eel\n";
    assert_int_equal(tu_write_file(train, train_text, strlen(train_text)), 0);
    assert_int_equal(tu_write_file(test, test_text, strlen(test_text)), 0);
    snprintf(spec, sizeof spec, "csv:file=%s,label=kind,test-file=%s", train, test);
    il_data data = load_spec_ok(spec, NULL);
    assert_int_equal(data.task, IL_TASK_CLASSIFICATION);
    assert_int_equal(data.n_classes, 3);
    assert_int_equal(data.train.n, 5);
    assert_int_equal(data.test.n, 3);
    assert_int_equal(data.test.t, data.train.t);
    const char *expected[3] = {"eel", "cat", "eel"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(data.class_names[data.test.labels[i]], expected[i]);
    assert_string_equal(data.class_names[data.train.labels[1]], "dog");
    il_data_free(&data);

    /* A test class the training file never saw is an error naming it and both files. */
    const char *odd_text = "a,b,kind\n1,1,cat\n2,2,fox\n";
    assert_int_equal(tu_write_file(test, odd_text, strlen(odd_text)), 0);
    EXPECT(spec, IL_ERR_FORMAT, "'fox'", "test.csv", "train.csv");
    remove_scratch(dir);
}

static void test_installed_fashion_mnist_loads_with_its_class_names(void **state) {
    (void)state;
    il_data_options opt;
    il_data_options_default(&opt);
    opt.max_train = 1000;
    opt.max_test = 500;
    il_data data = load_spec_ok("fashion-mnist", &opt);
    assert_int_equal(data.train.n, 1000);
    assert_int_equal(data.test.n, 500);
    assert_int_equal(data.train.d, 784);
    assert_int_equal(data.n_classes, 10);
    const char *names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                             "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    for (size_t k = 0; k < 10; k++)
        assert_string_equal(data.class_names[k], names[k]);
    float lo = 1.0f, hi = 0.0f;
    for (size_t i = 0; i < data.train.n * data.train.d; i++) {
        if (data.train.x[i] < lo) lo = data.train.x[i];
        if (data.train.x[i] > hi) hi = data.train.x[i];
    }
    assert_true(lo == 0.0f && hi == 1.0f);
    assert_non_null(strstr(data.description, "Fashion-MNIST"));
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
        cmocka_unit_test(test_mnist_folder_loads_both_splits_as_ten_classes_with_pixels_in_0_1),
        cmocka_unit_test(test_a_folder_path_with_mnist_names_reads_as_mnist_and_caps_keep_the_first_images),
        cmocka_unit_test(test_idx_pair_without_test_files_holds_out_the_test_fraction),
        cmocka_unit_test(test_csv_test_file_classes_are_matched_by_name),
        cmocka_unit_test(test_installed_fashion_mnist_loads_with_its_class_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
