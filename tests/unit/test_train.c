/* test_train.c - the one training step, epochs of it over plain arrays (batching, the last partial
 * batch), the epoch order, divergence, evaluation.
 *
 * A step and a mini-batch epoch are checked against the same work done by hand with forward/backward/
 * step, so the batching (order, sizes, the smaller last batch) is verified exactly, not just "the loss
 * went down"; an epoch is checked to be exactly its steps, since the runner takes the steps itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/train.h"
#include "testutil.h"

enum { N = 10, D = 3, T = 2 };

typedef struct {
    float x[N * D];
    float y[N * T];
    size_t order[N];
} dataset;

static void make_data(dataset *ds, uint64_t seed) {
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_GEN);
    for (size_t i = 0; i < N * D; i++)
        ds->x[i] = (float)il_rng_uniform_range(&rng, -1.0, 1.0);
    for (size_t r = 0; r < N; r++) {
        /* A smooth target the net can fit: y = (x0 + x1, x1 * x2). */
        ds->y[r * T] = ds->x[r * D] + ds->x[r * D + 1];
        ds->y[r * T + 1] = ds->x[r * D + 1] * ds->x[r * D + 2];
    }
    for (size_t i = 0; i < N; i++)
        ds->order[i] = i;
    il_rng_shuffle(&rng, ds->order, N);
}

static il_net *make_net(il_output out, size_t max_batch, uint64_t seed) {
    il_net_spec spec = {0};
    il_error err;
    assert_int_equal(il_net_spec_parse_layers(&spec, "3,5,2", &err), IL_OK);
    spec.hidden[0] = IL_ACT_TANH;
    spec.output = out;
    il_net *net = NULL;
    assert_int_equal(il_net_create(&net, &spec, max_batch, &err), IL_OK);
    il_init_spec init[2] = {{IL_INIT_XAVIER, 0, 0}, {IL_INIT_XAVIER, 0, 0}};
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_INIT);
    il_net_init(net, init, &rng);
    return net;
}

/* The epoch done by hand: batches order[s .. s+bs) with a smaller last one. Returns the mean loss. */
static double manual_epoch(il_net *net, const dataset *ds, size_t bs, const il_sgd_options *opt) {
    float xb[N * D], yb[N * T];
    double sum = 0.0;
    for (size_t s = 0; s < N; s += bs) {
        size_t B = s + bs <= N ? bs : N - s;
        for (size_t r = 0; r < B; r++) {
            memcpy(xb + r * D, ds->x + ds->order[s + r] * D, D * sizeof(float));
            memcpy(yb + r * T, ds->y + ds->order[s + r] * T, T * sizeof(float));
        }
        il_net_forward(net, xb, B);
        sum += il_net_loss(net, yb, B) * (double)B;
        il_net_backward(net, xb, yb, B, opt->weight_decay);
        il_sgd_step(net, opt);
    }
    return sum / N;
}

static void check_epoch_matches_manual(size_t bs) {
    dataset ds;
    make_data(&ds, 11);
    il_net *a = make_net(IL_OUT_IDENTITY, bs, 3), *b = make_net(IL_OUT_IDENTITY, bs, 3);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, bs < N ? bs : N, D, T, &err), IL_OK);
    il_sgd_options opt = {0.05, 0.5, 0.001};
    for (int e = 0; e < 3; e++) {
        double loss_a = -1.0;
        assert_int_equal(il_train_epoch(a, &batch, ds.x, ds.y, N, ds.order, bs, &opt, &loss_a, &err), IL_OK);
        double loss_b = manual_epoch(b, &ds, bs < N ? bs : N, &opt);
        assert_true(loss_a == loss_b);
        assert_memory_equal(a->params, b->params, a->n_params * sizeof(float));
        assert_memory_equal(a->momentum, b->momentum, a->n_params * sizeof(float));
    }
    il_batch_free(&batch);
    il_net_free(a);
    il_net_free(b);
}

static void test_full_batch_epoch_is_one_step_over_all_rows(void **state) {
    (void)state;
    check_epoch_matches_manual(N);
    check_epoch_matches_manual(1000); /* batch_size > N is still full batch */
}

static void test_mini_batch_epoch_takes_one_step_per_batch_including_the_last_partial_one(void **state) {
    (void)state;
    check_epoch_matches_manual(1);
    check_epoch_matches_manual(3); /* 3 + 3 + 3 + 1 */
    check_epoch_matches_manual(4); /* 4 + 4 + 2 */
}

static void test_full_batch_and_mini_batch_both_reduce_the_loss(void **state) {
    (void)state;
    dataset ds;
    make_data(&ds, 12);
    const size_t sizes[] = {N, 4, 1};
    for (size_t k = 0; k < 3; k++) {
        il_net *net = make_net(IL_OUT_IDENTITY, sizes[k], 4);
        il_batch batch;
        il_error err;
        assert_int_equal(il_batch_alloc(&batch, sizes[k], D, T, &err), IL_OK);
        il_eval before = il_net_evaluate(net, ds.x, ds.y, N);
        il_sgd_options opt = {0.05, 0.0, 0.0};
        double loss;
        for (int e = 0; e < 200; e++)
            assert_int_equal(
                il_train_epoch(net, &batch, ds.x, ds.y, N, ds.order, sizes[k], &opt, &loss, &err), IL_OK);
        il_eval after = il_net_evaluate(net, ds.x, ds.y, N);
        print_message("batch %zu: loss %.4f -> %.4f\n", sizes[k], before.loss, after.loss);
        assert_true(after.loss < 0.5 * before.loss);
        assert_true(isnan(after.accuracy)); /* identity output: accuracy does not exist */
        il_batch_free(&batch);
        il_net_free(net);
    }
}

static void test_non_finite_learning_rate_returns_a_numeric_error(void **state) {
    (void)state;
    dataset ds;
    make_data(&ds, 13);
    il_net *net = make_net(IL_OUT_IDENTITY, N, 5);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, N, D, T, &err), IL_OK);
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (int i = 0; i < 3; i++) {
        il_sgd_options opt = {bad[i], 0.0, 0.0};
        double loss;
        il_error_clear(&err);
        assert_int_equal(il_train_epoch(net, &batch, ds.x, ds.y, N, ds.order, 4, &opt, &loss, &err),
                         IL_ERR_NUMERIC);
        assert_true(strlen(err.msg) > 0);
    }
    print_message("%s\n", err.msg);
    il_batch_free(&batch);
    il_net_free(net);
}

static void test_a_diverging_run_returns_a_numeric_error(void **state) {
    (void)state;
    /* A finite but absurd learning rate: the weights blow up to inf/NaN within a few steps. */
    dataset ds;
    make_data(&ds, 14);
    il_net *net = make_net(IL_OUT_IDENTITY, N, 6);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, N, D, T, &err), IL_OK);
    il_sgd_options opt = {1e30, 0.0, 0.0};
    double loss;
    il_status st = IL_OK;
    for (int e = 0; e < 10 && st == IL_OK; e++)
        st = il_train_epoch(net, &batch, ds.x, ds.y, N, ds.order, 2, &opt, &loss, &err);
    assert_int_equal(st, IL_ERR_NUMERIC);
    print_message("%s\n", err.msg);
    il_batch_free(&batch);
    il_net_free(net);
}

static void test_bad_epoch_arguments_are_usage_errors(void **state) {
    (void)state;
    dataset ds;
    make_data(&ds, 15);
    il_net *net = make_net(IL_OUT_IDENTITY, 4, 7);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, 4, D, T, &err), IL_OK);
    il_sgd_options opt = {0.1, 0.0, 0.0};
    double loss;
    assert_int_equal(il_train_epoch(net, &batch, ds.x, ds.y, N, ds.order, 0, &opt, &loss, &err),
                     IL_ERR_USAGE);
    assert_int_equal(il_train_epoch(net, &batch, ds.x, ds.y, 0, ds.order, 4, &opt, &loss, &err),
                     IL_ERR_USAGE);
    /* Batch 5 does not fit max_batch 4. */
    assert_int_equal(il_train_epoch(net, &batch, ds.x, ds.y, N, ds.order, 5, &opt, &loss, &err),
                     IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "5"));
    il_batch_free(&batch);
    il_batch_free(&batch); /* freeing twice is safe */
    assert_int_equal(il_batch_alloc(&batch, 0, D, T, &err), IL_ERR_USAGE);
    assert_int_equal(il_batch_alloc(&batch, (size_t)-1 / 2, D, T, &err), IL_ERR_USAGE);
    il_net_free(net);
}

static void test_evaluate_chunks_by_max_batch_and_leaves_parameters_alone(void **state) {
    (void)state;
    /* Softmax with 2 classes: evaluating 10 rows through a net of max_batch 3 (chunks 3+3+3+1) gives the
     * same loss and accuracy as through a net of max_batch 10. */
    dataset ds;
    make_data(&ds, 16);
    float y[N * T];
    for (size_t r = 0; r < N; r++) {
        int cls = ds.x[r * D] > 0.0f;
        y[r * T] = cls ? 0.0f : 1.0f;
        y[r * T + 1] = cls ? 1.0f : 0.0f;
    }
    il_net *small = make_net(IL_OUT_SOFTMAX, 3, 8), *whole = make_net(IL_OUT_SOFTMAX, N, 8);
    float *before = malloc(small->n_params * sizeof(float));
    assert_non_null(before);
    memcpy(before, small->params, small->n_params * sizeof(float));
    il_eval a = il_net_evaluate(small, ds.x, y, N), b = il_net_evaluate(whole, ds.x, y, N);
    assert_float_equal(a.loss, b.loss, 1e-6 * b.loss);
    assert_true(a.accuracy == b.accuracy);
    assert_memory_equal(before, small->params, small->n_params * sizeof(float));
    /* Accuracy by hand: argmax of the predictions vs the class. */
    il_net_forward(whole, ds.x, N);
    size_t correct = 0;
    for (size_t r = 0; r < N; r++)
        correct += (whole->a[1][r * T + 1] > whole->a[1][r * T]) == (y[r * T + 1] > y[r * T]);
    assert_true(b.accuracy == (double)correct / N);
    free(before);
    il_net_free(small);
    il_net_free(whole);
}

static void test_sigmoid_accuracy_thresholds_at_one_half(void **state) {
    (void)state;
    il_net_spec spec = {0};
    il_error err;
    assert_int_equal(il_net_spec_parse_layers(&spec, "1,1", &err), IL_OK);
    spec.output = IL_OUT_SIGMOID;
    il_net *net = NULL;
    assert_int_equal(il_net_create(&net, &spec, 2, &err), IL_OK);
    net->w[0][0] = 1.0f; /* p = sigma(x): above 1/2 exactly when x > 0 */
    const float x[] = {-2.0f, -0.5f, 0.5f, 3.0f, 1.0f}, y[] = {0.0f, 1.0f, 1.0f, 1.0f, 0.0f};
    il_eval ev = il_net_evaluate(net, x, y, 5);
    assert_float_equal(ev.accuracy, 3.0 / 5.0, 1e-12);
    assert_true(ev.loss > 0.0 && isfinite(ev.loss));
    il_eval empty = il_net_evaluate(net, x, y, 0);
    assert_true(isnan(empty.loss) && isnan(empty.accuracy));
    il_net_free(net);
}

/* ---- the step ---------------------------------------------------------------------------------------- */

static void test_a_step_gathers_the_chosen_rows_and_updates_like_forward_backward_step_by_hand(void **state) {
    (void)state;
    dataset ds;
    make_data(&ds, 21);
    il_net *a = make_net(IL_OUT_IDENTITY, N, 8), *b = make_net(IL_OUT_IDENTITY, N, 8);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, N, D, T, &err), IL_OK);
    il_sgd_options opt = {0.05, 0.9, 0.01};
    const size_t rows[] = {7, 2, 9}; /* any rows, in any order */
    for (int k = 0; k < 3; k++) {
        double loss = -1.0;
        assert_int_equal(il_train_step(a, &batch, ds.x, ds.y, rows, 3, &opt, &loss, &err), IL_OK);
        float xb[3 * D], yb[3 * T];
        for (size_t r = 0; r < 3; r++) {
            memcpy(xb + r * D, ds.x + rows[r] * D, D * sizeof(float));
            memcpy(yb + r * T, ds.y + rows[r] * T, T * sizeof(float));
        }
        il_net_forward(b, xb, 3);
        double expected = il_net_loss(b, yb, 3);
        il_net_backward(b, xb, yb, 3, opt.weight_decay);
        il_sgd_step(b, &opt);
        assert_true(loss == expected); /* the loss before the update */
        assert_memory_equal(a->params, b->params, a->n_params * sizeof(float));
        assert_memory_equal(a->momentum, b->momentum, a->n_params * sizeof(float));
    }
    il_batch_free(&batch);
    il_net_free(a);
    il_net_free(b);
}

static void test_an_epoch_is_exactly_its_steps_in_order(void **state) {
    (void)state;
    dataset ds;
    make_data(&ds, 22);
    il_net *a = make_net(IL_OUT_IDENTITY, 4, 9), *b = make_net(IL_OUT_IDENTITY, 4, 9);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, 4, D, T, &err), IL_OK);
    il_sgd_options opt = {0.1, 0.5, 0.0};
    double mean = -1.0, sum = 0.0;
    assert_int_equal(il_train_epoch(a, &batch, ds.x, ds.y, N, ds.order, 4, &opt, &mean, &err), IL_OK);
    for (size_t start = 0; start < N; start += 4) {
        size_t B = N - start < 4 ? N - start : 4; /* 4 + 4 + 2 */
        double loss;
        assert_int_equal(il_train_step(b, &batch, ds.x, ds.y, ds.order + start, B, &opt, &loss, &err), IL_OK);
        sum += loss * (double)B;
    }
    assert_memory_equal(a->params, b->params, a->n_params * sizeof(float));
    assert_true(mean == sum / N);
    il_batch_free(&batch);
    il_net_free(a);
    il_net_free(b);
}

static void test_a_step_refuses_an_empty_or_oversized_batch_and_leaves_the_net_alone(void **state) {
    (void)state;
    dataset ds;
    make_data(&ds, 23);
    il_net *net = make_net(IL_OUT_IDENTITY, 4, 10);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, 4, D, T, &err), IL_OK);
    float before[64];
    assert_true(net->n_params <= 64);
    memcpy(before, net->params, net->n_params * sizeof(float));
    il_sgd_options opt = {0.1, 0.0, 0.0};
    double loss = 7.0;
    assert_int_equal(il_train_step(net, &batch, ds.x, ds.y, ds.order, 0, &opt, &loss, &err), IL_ERR_USAGE);
    assert_int_equal(il_train_step(net, &batch, ds.x, ds.y, ds.order, 5, &opt, &loss, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "5 rows"));
    il_sgd_options bad = {NAN, 0.0, 0.0};
    assert_int_equal(il_train_step(net, &batch, ds.x, ds.y, ds.order, 4, &bad, &loss, &err), IL_ERR_NUMERIC);
    assert_memory_equal(before, net->params, net->n_params * sizeof(float));
    assert_true(loss == 7.0);
    il_batch_free(&batch);
    il_net_free(net);
}

static void test_a_step_that_overflows_the_weights_is_a_numeric_error_naming_divergence(void **state) {
    (void)state;
    dataset ds;
    make_data(&ds, 24);
    il_net *net = make_net(IL_OUT_IDENTITY, N, 11);
    il_batch batch;
    il_error err;
    assert_int_equal(il_batch_alloc(&batch, N, D, T, &err), IL_OK);
    il_sgd_options opt = {1e30, 0.0, 0.0};
    il_status st = IL_OK;
    int steps = 0;
    for (; steps < 10 && st == IL_OK; steps++)
        st = il_train_step(net, &batch, ds.x, ds.y, ds.order, 2, &opt, NULL, &err);
    assert_int_equal(st, IL_ERR_NUMERIC);
    assert_non_null(strstr(err.msg, "diverged"));
    print_message("step %d: %s\n", steps, err.msg);
    il_batch_free(&batch);
    il_net_free(net);
}

/* ---- the epoch order --------------------------------------------------------------------------------- */

static void test_the_epoch_order_is_a_fresh_shuffle_of_0_to_n_whatever_the_last_order_was(void **state) {
    (void)state;
    enum { M = 50 };
    size_t fresh[M], stale[M], by_hand[M];
    il_rng a, b, c;
    il_rng_seed(&a, 3, IL_STREAM_DATA);
    il_rng_seed(&b, 3, IL_STREAM_DATA);
    il_rng_seed(&c, 3, IL_STREAM_DATA);
    for (size_t i = 0; i < M; i++)
        stale[i] = M - 1 - i; /* what a previous epoch might have left */
    for (int epoch = 1; epoch <= 3; epoch++) {
        for (size_t i = 0; i < M; i++)
            fresh[i] = 12345;
        il_epoch_order_next(&a, fresh, M);
        il_epoch_order_next(&b, stale, M);
        for (size_t i = 0; i < M; i++)
            by_hand[i] = i;
        il_rng_shuffle(&c, by_hand, M); /* the definition: reset, then Fisher-Yates from the stream */
        assert_memory_equal(fresh, stale, sizeof fresh);
        assert_memory_equal(fresh, by_hand, sizeof fresh);
        int seen[M] = {0};
        for (size_t i = 0; i < M; i++) {
            assert_true(fresh[i] < M);
            seen[fresh[i]]++;
        }
        for (size_t i = 0; i < M; i++)
            assert_int_equal(seen[i], 1);
    }
    /* The stream moves on: epoch 4 is not epoch 3 again. */
    size_t next[M];
    il_epoch_order_next(&a, next, M);
    assert_memory_not_equal(next, fresh, sizeof next);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_batch_epoch_is_one_step_over_all_rows),
        cmocka_unit_test(test_mini_batch_epoch_takes_one_step_per_batch_including_the_last_partial_one),
        cmocka_unit_test(test_full_batch_and_mini_batch_both_reduce_the_loss),
        cmocka_unit_test(test_non_finite_learning_rate_returns_a_numeric_error),
        cmocka_unit_test(test_a_diverging_run_returns_a_numeric_error),
        cmocka_unit_test(test_bad_epoch_arguments_are_usage_errors),
        cmocka_unit_test(test_a_step_gathers_the_chosen_rows_and_updates_like_forward_backward_step_by_hand),
        cmocka_unit_test(test_an_epoch_is_exactly_its_steps_in_order),
        cmocka_unit_test(test_a_step_refuses_an_empty_or_oversized_batch_and_leaves_the_net_alone),
        cmocka_unit_test(test_a_step_that_overflows_the_weights_is_a_numeric_error_naming_divergence),
        cmocka_unit_test(test_the_epoch_order_is_a_fresh_shuffle_of_0_to_n_whatever_the_last_order_was),
        cmocka_unit_test(test_evaluate_chunks_by_max_batch_and_leaves_parameters_alone),
        cmocka_unit_test(test_sigmoid_accuracy_thresholds_at_one_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
