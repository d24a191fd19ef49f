/* xor.c - a program of your own that trains a network through initlab's public API: a 2-4-1 network
 * with tanh hidden units and a sigmoid output learns XOR by full-batch gradient descent from Xavier
 * weights (seed 1), then prints its four answers. Build it against an installed initlab with
 *     cc xor.c $(pkg-config --cflags --libs initlab) -o xor
 */
#include <stdio.h>

#include <initlab/initlab.h>

int main(void) {
    const float x[4 * 2] = {0, 0, 0, 1, 1, 0, 1, 1}; /* (N, D): the four corners */
    const float y[4 * 1] = {0, 1, 1, 0};             /* (N, T): their XOR */
    size_t order[4] = {0, 1, 2, 3};                  /* the order of the examples in an epoch */
    il_error err;
    il_net_spec spec = {.hidden = {IL_ACT_TANH}, .output = IL_OUT_SIGMOID};
    il_net *net = NULL;
    il_batch batch = {0};
    if (il_net_spec_parse_layers(&spec, "2,4,1", &err) != IL_OK ||
        il_net_create(&net, &spec, 4, &err) != IL_OK || il_batch_alloc(&batch, 4, 2, 1, &err) != IL_OK) {
        fprintf(stderr, "xor: %s\n", err.msg);
        il_net_free(net);
        return 1;
    }
    il_init_spec init[2] = {{.kind = IL_INIT_XAVIER}, {.kind = IL_INIT_XAVIER}}; /* one per layer */
    il_rng rng;
    il_rng_seed(&rng, 1, IL_STREAM_INIT);
    il_net_init(net, init, &rng);

    il_sgd_options sgd = {.learning_rate = 0.5, .momentum = 0.9, .weight_decay = 0};
    double loss = 0;
    il_status st = IL_OK;
    for (int epoch = 1; epoch <= 1000 && st == IL_OK; epoch++) {
        st = il_train_epoch(net, &batch, x, y, 4, order, 4, &sgd, &loss, &err);
        if (epoch % 250 == 0) printf("epoch %4d  loss %.4f\n", epoch, loss);
    }
    il_eval ev = il_net_evaluate(net, x, y, 4);
    il_net_forward(net, x, 4);
    for (size_t i = 0; i < 4 && st == IL_OK; i++)
        printf("%.0f xor %.0f -> %.3f\n", x[2 * i], x[2 * i + 1], net->a[spec.n_layers - 1][i]);
    if (st != IL_OK)
        fprintf(stderr, "xor: %s\n", err.msg);
    else
        printf("accuracy %.0f%%: %s\n", 100 * ev.accuracy,
               ev.accuracy == 1.0 ? "XOR learned" : "not learned");
    il_batch_free(&batch);
    il_net_free(net);
    return st == IL_OK && ev.accuracy == 1.0 ? 0 : 1;
}
