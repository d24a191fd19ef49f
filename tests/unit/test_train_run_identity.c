/* test_train_run_identity.c - `initlab train` with flags and `initlab run` with the experiment file that
 * says the same give byte-identical curves: one training path, one epoch order, one log, one writer.
 *
 * Each case is trained both ways on a regression (esl-sigmoids), a binary (circles, moons) and a
 * 10-class source (the data/fashion-sample image folder), by full-batch gradient descent and by
 * mini-batches of 64 over 200 or 240 examples (a smaller last batch). Epochs 2 and later are where two
 * training loops once parted (one reshuffled the last order, the other 0..N-1), so every case runs
 * several. curves.csv has no wall-clock column (that is timing.csv's), so the whole file must match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct {
    const char *what;
    const char *source; /* --data and [data] source; NULL = the image folder data/fashion-sample */
    const char *hidden, *act, *init;
    const char *epochs, *lr, *batch; /* batch: "full" or a size */
    const char *seed;
    size_t steps_per_epoch; /* what the batch size makes of the training set */
} identity_case;

static const identity_case cases[] = {
    {"regression, full batch", "esl-sigmoids:train=200,test=300", "6", "sigmoid", "uniform", "25", "0.5",
     "full", "3", 1},
    {"regression, mini-batches 64+64+64+8", "esl-sigmoids:train=200,test=300", "6", "tanh", "xavier", "8",
     "0.1", "64", "4", 4},
    {"binary, full batch", "circles:n=200,test=100", "8", "tanh", "xavier", "25", "0.5", "full", "5", 1},
    {"binary, mini-batches 64+64+64+8", "moons:n=200,test=100", "8", "relu", "he", "8", "0.1", "64", "6", 4},
    {"10 classes, full batch", NULL, "16", "relu", "he", "6", "0.1", "full", "7", 1},
    {"10 classes, mini-batches 64+64+64+48", NULL, "16", "sigmoid", "xavier", "5", "0.1", "64", "8", 4},
};

static char *read_or_fail(const char *path) {
    char *text = tu_read_file(path, NULL);
    if (!text) fail_msg("cannot read %s", path);
    return text;
}

static size_t count_lines(const char *text) {
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* The step column of the last row of a curves.csv (the fourth field). */
static size_t last_step(const char *text) {
    size_t len = strlen(text);
    if (len < 2) return 0;
    const char *line = text + len - 2;
    while (line > text && line[-1] != '\n')
        line--;
    for (int k = 0; k < 3 && line; k++) {
        line = strchr(line, ',');
        if (line) line++;
    }
    return line ? (size_t)strtoull(line, NULL, 10) : 0;
}

/* Train with flags into dir/train.csv; run the experiment file that says the same into dir/results;
 * compare the curves: rows log points ending at global step `steps`. */
static void check_identity(const char *what, const char *train_flags, const char *ini, const char *run_id,
                           size_t rows, size_t steps) {
    char *dir = tu_make_tmpdir("identity");
    assert_non_null(dir);
    char csv[2048], ini_path[2048], results[2048], command[16384];
    snprintf(csv, sizeof csv, "%s/train.csv", dir);
    snprintf(ini_path, sizeof ini_path, "%s/same.ini", dir);
    snprintf(results, sizeof results, "%s/results", dir);
    assert_int_equal(tu_write_file(ini_path, ini, strlen(ini)), 0);

    char *out = NULL;
    snprintf(command, sizeof command, "'%s' train %s --threads 1 --quiet --csv '%s'", tu_exe(), train_flags,
             csv);
    int status = tu_run(command, &out);
    if (status != 0) fail_msg("%s: train exited %d:\n%s", what, status, out ? out : "");
    free(out);
    snprintf(command, sizeof command, "'%s' run '%s' --out '%s' --jobs 1 --no-timing --quiet", tu_exe(),
             ini_path, results);
    status = tu_run(command, &out);
    if (status != 0) fail_msg("%s: run exited %d:\n%s\n%s", what, status, out ? out : "", ini);
    free(out);

    char run_csv[4096], merged_csv[4096];
    snprintf(run_csv, sizeof run_csv, "%s/runs/%s/curves.csv", results, run_id);
    snprintf(merged_csv, sizeof merged_csv, "%s/curves.csv", results);
    char *t = read_or_fail(csv), *r = read_or_fail(run_csv), *m = read_or_fail(merged_csv);
    if (strcmp(t, r) != 0)
        fail_msg("%s: train's curves differ from run's:\n--- train\n%s\n--- run\n%s", what, t, r);
    assert_string_equal(t, m);
    /* Not vacuous: the header and a row per epoch from 0, and every step (the last, smaller batch too). */
    assert_int_equal(count_lines(t), rows + 1);
    assert_int_equal(last_step(t), steps);
    print_message("%s: %zu rows, %zu steps, identical\n", what, rows, steps);
    free(t);
    free(r);
    free(m);
    free(dir);
}

static void check_case(const identity_case *c) {
    const char *source = c->source ? c->source : tu_source_path("data/fashion-sample");
    char flags[4096], ini[8192], id[128];
    snprintf(flags, sizeof flags,
             "--data '%s' --hidden %s --act %s --init %s --epochs %s --lr %s --batch %s --seed %s", source,
             c->hidden, c->act, c->init, c->epochs, c->lr, c->batch, c->seed);
    /* train's --scale default is standardize and its --seed is also the data seed; the file says so. */
    snprintf(ini, sizeof ini,
             "[experiment]\nname = same\n"
             "[data]\nsource = %s\nscale = standardize\nseed = %s\n"
             "[network]\nhidden = %s\nactivation = %s\n"
             "[training]\nepochs = %s\nlearning_rate = %s\nbatch_size = %s\n"
             "[inits]\nlist = %s\n"
             "[seeds]\nlist = %s\n"
             "[logging]\nevery_epochs = 1\n",
             source, c->seed, c->hidden, c->act, c->epochs, c->lr, c->batch, c->init, c->seed);
    snprintf(id, sizeof id, "%s__seed%s", c->init, c->seed);
    size_t epochs = (size_t)atoi(c->epochs);
    check_identity(c->what, flags, ini, id, epochs + 1, epochs * c->steps_per_epoch);
}

static void test_a_regression_trains_the_same_by_train_and_by_run(void **state) {
    (void)state;
    check_case(&cases[0]);
    check_case(&cases[1]);
}

static void test_a_binary_classification_trains_the_same_by_train_and_by_run(void **state) {
    (void)state;
    check_case(&cases[2]);
    check_case(&cases[3]);
}

static void test_ten_image_classes_train_the_same_by_train_and_by_run(void **state) {
    (void)state;
    check_case(&cases[4]);
    check_case(&cases[5]);
}

static void test_trains_documented_defaults_are_the_keys_an_experiment_file_would_give(void **state) {
    (void)state;
    /* XOR's 4 examples: full batch, lr 0.5, 2000 epochs, 8 sigmoid units, xavier, inputs standardized. */
    const char *ini = "[data]\nsource = xor\nscale = standardize\nseed = 2\n"
                      "[network]\nhidden = 8\nactivation = sigmoid\n"
                      "[training]\nepochs = 2000\nlearning_rate = 0.5\nbatch_size = full\n"
                      "[inits]\nlist = xavier\n[seeds]\nlist = 2\n[logging]\nevery_epochs = 1\n";
    check_identity("xor with train's defaults", "--seed 2", ini, "xavier__seed2", 2001, 2000);
    /* --act relu changes the default init to he. */
    const char *relu = "[data]\nsource = xor\nscale = standardize\nseed = 1\n"
                       "[network]\nhidden = 8\nactivation = relu\n"
                       "[training]\nepochs = 2000\nlearning_rate = 0.5\nbatch_size = full\n"
                       "[inits]\nlist = he\n[seeds]\nlist = 1\n[logging]\nevery_epochs = 1\n";
    check_identity("xor, relu, train's defaults", "--act relu", relu, "he__seed1", 2001, 2000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_regression_trains_the_same_by_train_and_by_run),
        cmocka_unit_test(test_a_binary_classification_trains_the_same_by_train_and_by_run),
        cmocka_unit_test(test_ten_image_classes_train_the_same_by_train_and_by_run),
        cmocka_unit_test(test_trains_documented_defaults_are_the_keys_an_experiment_file_would_give),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
