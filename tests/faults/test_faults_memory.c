/* test_faults_memory.c - a network or batch the per-key limits allow but the machine cannot hold (issue 11,
 * "a memory budget"): il_net_memory_bytes counts what il_net_create allocates; the runner's check refuses
 * 784-1000000-10 on a Fashion-MNIST-sized set given a machine of 8 GiB, with the bytes needed and the bytes
 * the machine has, and passes the same on a larger machine and a normal network on the small one; `initlab
 * run` refuses a network no machine holds before it creates its results folder, `initlab train` before it
 * allocates anything, both in well under a second.
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
#include <time.h>

#include "initlab/experiment.h"
#include "initlab/net.h"
#include "runner/runner_internal.h"
#include "testutil.h"

#define GiB ((size_t)1 << 30)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static il_net_spec make_spec(size_t n, const size_t *sizes) {
    il_net_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.n_layers = n - 1;
    for (size_t i = 0; i < n; i++)
        spec.sizes[i] = sizes[i];
    for (size_t l = 0; l + 1 < spec.n_layers; l++)
        spec.hidden[l] = IL_ACT_RELU;
    spec.output = IL_OUT_SOFTMAX;
    return spec;
}

static void test_the_estimate_of_a_network_is_what_il_net_create_allocates(void **state) {
    (void)state;
    const size_t sizes[] = {2, 3, 1};
    il_net_spec spec = make_spec(3, sizes);
    /* 13 parameters, each with a gradient and a momentum; z, a, dz of 4 rows for 3 + 1 units. */
    size_t expected = (13 * 3 + 3 * 4 * (3 + 1)) * sizeof(float) + sizeof(il_net);
    assert_int_equal(il_net_memory_bytes(&spec, 4), expected);
    il_net *net = NULL;
    il_error err;
    assert_int_equal(il_net_create(&net, &spec, 4, &err), IL_OK);
    assert_int_equal(net->n_params, 13);
    il_net_free(net);
    /* Beyond counting: the widest layers at the largest batch. */
    size_t wide[IL_MAX_LAYERS + 1];
    for (size_t i = 0; i <= IL_MAX_LAYERS; i++)
        wide[i] = IL_MAX_WIDTH;
    il_net_spec huge = make_spec(IL_MAX_LAYERS + 1, wide);
    assert_true(il_net_memory_bytes(&huge, SIZE_MAX / 2) == SIZE_MAX);
}

/* A Fashion-MNIST-sized data set (60000 + 10000 examples of 784 pixels, 10 classes) that holds no data:
 * the check reads only the sizes. */
static il_data fashion_sized(void) {
    il_data data;
    memset(&data, 0, sizeof data);
    data.train.n = 60000, data.train.d = 784, data.train.t = 10;
    data.test.n = 10000, data.test.d = 784, data.test.t = 10;
    data.task = IL_TASK_CLASSIFICATION;
    data.n_classes = 10;
    snprintf(data.name, sizeof data.name, "fashion-mnist");
    return data;
}

static void test_784_1000000_10_on_fashion_mnist_is_refused_on_a_machine_of_8_gib(void **state) {
    (void)state;
    il_experiment *exp = malloc(sizeof *exp);
    assert_non_null(exp);
    il_experiment_default(exp);
    exp->batch_size = 128;
    exp->probe_samples = 500;
    il_data data = fashion_sized();
    const size_t huge[] = {784, 1000000, 10}, normal[] = {784, 256, 10};
    il_net_spec big = make_spec(3, huge), small = make_spec(3, normal);
    il_error err;
    assert_int_equal(il__run_memory_check(exp, &data, &big, 1, 8 * GiB, &err), IL_ERR_USAGE);
    print_message("  %s\n", err.msg);
    assert_non_null(strstr(err.msg, "the network 784-1000000-10 with batches of 128 rows needs"));
    assert_non_null(strstr(err.msg, "more than the 8589934592 bytes (8.0 GiB) of memory this machine has"));
    /* The bytes needed are named, and they are more than the weights alone: 3 x 795010010 floats. */
    const char *needs = strstr(err.msg, "needs ");
    assert_non_null(needs);
    unsigned long long bytes = strtoull(needs + 6, NULL, 10);
    assert_true(bytes > 3ull * 795010010ull * 4ull);
    /* The same fits a machine of 1 TiB; a normal network fits 8 GiB, even 8 runs at once. */
    assert_int_equal(il__run_memory_check(exp, &data, &big, 1, 1024 * GiB, &err), IL_OK);
    assert_int_equal(il__run_memory_check(exp, &data, &small, 8, 8 * GiB, &err), IL_OK);
    /* A network that fits once but not sixteen times says how many at once and what to lower. */
    const size_t wide[] = {784, 20000, 10};
    il_net_spec medium = make_spec(3, wide);
    assert_int_equal(il__run_memory_check(exp, &data, &medium, 1, 8 * GiB, &err), IL_OK);
    assert_int_equal(il__run_memory_check(exp, &data, &medium, 16, 8 * GiB, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "x 16 runs at once"));
    assert_non_null(strstr(err.msg, "--jobs"));
    free(exp);
}

/* 2-1000000-1000000-1: 10^12 weights, 12 TB with gradients and momentum: no machine holds it. */
static const char too_large_ini[] = "[experiment]\n"
                                    "name = too-large\n"
                                    "[data]\n"
                                    "source = xor\n"
                                    "[network]\n"
                                    "hidden = 1000000, 1000000\n"
                                    "activation = relu\n"
                                    "[training]\n"
                                    "epochs = 1\n"
                                    "[inits]\n"
                                    "list = xavier\n"
                                    "[seeds]\n"
                                    "count = 1\n";

static void test_run_refuses_a_network_no_machine_holds_before_creating_its_folder(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("memory-run");
    char ini[4200], out[4200], cmd[9000];
    snprintf(ini, sizeof ini, "%s/too-large.ini", dir);
    snprintf(out, sizeof out, "%s/results", dir);
    assert_int_equal(tu_write_file(ini, too_large_ini, strlen(too_large_ini)), 0);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --quiet --jobs 1 --out '%s'", tu_exe(), ini, out);
    char *output = NULL;
    double t0 = now();
    int rc = tu_run(cmd, &output);
    double seconds = now() - t0;
    assert_non_null(output);
    print_message("  %.3f s, exit %d: %s", seconds, rc, output);
    assert_int_equal(rc, 2);
    assert_true(seconds < 5.0);
    assert_non_null(strstr(output, "the network 2-1000000-1000000-1"));
    assert_non_null(strstr(output, " bytes (22352.1 GiB) per run"));
    assert_non_null(strstr(output, "of memory this machine has"));
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0); /* no results folder */
    free(output);
    free(dir);
}

static void test_train_refuses_a_network_no_machine_holds_before_allocating_it(void **state) {
    (void)state;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "'%s' train --data xor --layers 2,1000000,1000000,1 --epochs 1", tu_exe());
    char *output = NULL;
    double t0 = now();
    int rc = tu_run(cmd, &output);
    double seconds = now() - t0;
    assert_non_null(output);
    print_message("  %.3f s, exit %d: %s", seconds, rc, output);
    assert_int_equal(rc, 2);
    assert_true(seconds < 5.0);
    assert_non_null(strstr(output, "the network 2-1000000-1000000-1 with batches of 4 rows needs"));
    assert_non_null(strstr(output, "of memory this machine has"));
    free(output);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_estimate_of_a_network_is_what_il_net_create_allocates),
        cmocka_unit_test(test_784_1000000_10_on_fashion_mnist_is_refused_on_a_machine_of_8_gib),
        cmocka_unit_test(test_run_refuses_a_network_no_machine_holds_before_creating_its_folder),
        cmocka_unit_test(test_train_refuses_a_network_no_machine_holds_before_allocating_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
