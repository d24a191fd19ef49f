/* test_no_allocation.c - the training loop allocates nothing: after one warm-up epoch (OpenBLAS sets up
 * its buffers on first use), further epochs of il_train_epoch, evaluation and probe measurements make no
 * call to malloc, calloc or realloc. Counted by defining those three in this program, which then serve
 * every caller, OpenBLAS included, and forward to glibc's own allocator. Under AddressSanitizer the
 * sanitizer owns malloc, so the count is skipped at build time there (the normal build runs it).
 * A positive control first shows the counter sees allocations made between the counters, by this file and
 * by the library, so the zero cannot come from a malloc that is not interposed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "initlab/probe.h"
#include "initlab/train.h"

#ifndef INITLAB_SANITIZE_BUILD
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static volatile int counting;
static volatile size_t allocations;

void *malloc(size_t size) {
    if (counting) allocations++;
    return __libc_malloc(size);
}
void *calloc(size_t n, size_t size) {
    if (counting) allocations++;
    return __libc_calloc(n, size);
}
void *realloc(void *p, size_t size) {
    if (counting) allocations++;
    return __libc_realloc(p, size);
}
#endif

enum { N = 200, D = 20, H = 16, T = 3, B = 32 };

#ifndef INITLAB_SANITIZE_BUILD
static void test_the_counter_sees_allocations_by_this_program_and_by_the_library(void **state) {
    (void)state;
    il_error err;
    allocations = 0;
    counting = 1;
    void *volatile direct = malloc(64); /* volatile: the compiler may not drop the pair */
    size_t after_direct = allocations;
    il_batch batch;
    il_status st = il_batch_alloc(&batch, B, D, T, &err); /* libinitlab's own malloc calls */
    size_t after_library = allocations;
    counting = 0;
    free(direct);
    assert_int_equal(st, IL_OK);
    il_batch_free(&batch);
    print_message("allocations counted: %zu by this file, %zu by il_batch_alloc\n", after_direct,
                  after_library - after_direct);
    assert_int_equal(after_direct, 1);
    assert_true(after_library > after_direct);
}
#endif

static void test_epochs_evaluation_and_probes_allocate_nothing_after_warm_up(void **state) {
    (void)state;
    il_error err;
    static float x[N * D], y[N * T];
    static size_t order[N];
    il_rng rng;
    il_rng_seed(&rng, 7, IL_STREAM_GEN);
    for (size_t i = 0; i < N * D; i++)
        x[i] = (float)il_rng_normal(&rng);
    for (size_t r = 0; r < N; r++) {
        y[r * T + (r % T)] = 1.0f; /* one-hot, balanced */
        order[r] = r;
    }
    il_net_spec spec = {0};
    assert_int_equal(il_net_spec_parse_layers(&spec, "20,16,16,3", &err), IL_OK);
    spec.hidden[0] = IL_ACT_SIGMOID;
    spec.hidden[1] = IL_ACT_RELU;
    spec.output = IL_OUT_SOFTMAX;
    il_net *net = NULL;
    assert_int_equal(il_net_create(&net, &spec, B, &err), IL_OK);
    il_init_spec init[3] = {{IL_INIT_XAVIER, 0, 0}, {IL_INIT_HE, 0, 0}, {IL_INIT_XAVIER, 0, 0}};
    il_rng_seed(&rng, 7, IL_STREAM_INIT);
    il_net_init(net, init, &rng);
    il_batch batch;
    assert_int_equal(il_batch_alloc(&batch, B, D, T, &err), IL_OK);
    il_probe *probe = NULL;
    assert_int_equal(il_probe_create(&probe, &spec, x, y, 100, &err), IL_OK);
    il_probe_layer layers[3];
    il_probe_net summary;
    il_sgd_options opt = {0.1, 0.9, 1e-4};
    double loss;

    /* warm-up: first BLAS calls, first probe */
    assert_int_equal(il_train_epoch(net, &batch, x, y, N, order, B, &opt, &loss, &err), IL_OK);
    il_net_evaluate(net, x, y, N);
    assert_int_equal(il_probe_measure(probe, net, opt.weight_decay, layers, &summary, &err), IL_OK);

#ifndef INITLAB_SANITIZE_BUILD
    allocations = 0;
    counting = 1;
#endif
    for (int epoch = 0; epoch < 5; epoch++) {
        il_epoch_order_next(&rng, order, N); /* the runner's epoch order, counted too */
        assert_int_equal(il_train_epoch(net, &batch, x, y, N, order, B, &opt, &loss, &err), IL_OK);
        il_eval ev = il_net_evaluate(net, x, y, N);
        assert_true(ev.loss > 0);
        assert_int_equal(il_probe_measure(probe, net, opt.weight_decay, layers, &summary, &err), IL_OK);
    }
#ifndef INITLAB_SANITIZE_BUILD
    counting = 0;
    print_message("allocations during 5 epochs, 5 evaluations and 5 probe measurements: %zu\n",
                  (size_t)allocations);
    assert_int_equal(allocations, 0);
#endif
    il_probe_free(probe);
    il_batch_free(&batch);
    il_net_free(net);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#ifndef INITLAB_SANITIZE_BUILD
        cmocka_unit_test(test_the_counter_sees_allocations_by_this_program_and_by_the_library),
#endif
        cmocka_unit_test(test_epochs_evaluation_and_probes_allocate_nothing_after_warm_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
