/* run_plan.c - the plan of an experiment (every init x every seed, seed-major), run ids, shards, and
 * the random choices every initializer of a seed shares: the order of examples in each epoch and the
 * probe samples. They depend on the seed alone, which is what makes the comparison fair.
 */
#include <stdio.h>
#include <string.h>

#include "initlab/rng.h"
#include "initlab/train.h"
#include "runner/runner_internal.h"

size_t il_plan_size(const il_experiment *exp) {
    return exp->n_inits * exp->n_seeds;
}

void il__run_id(const il_experiment *exp, size_t init_index, uint64_t seed, char *buf, size_t size) {
    /* A label may hold anything a config allows; a folder name may not. */
    char label[IL_NAME_MAX];
    const char *src = exp->inits[init_index].label;
    size_t n = 0;
    for (; src[n] && n + 1 < sizeof label; n++) {
        char c = src[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '-' || c == '_';
        label[n] = ok ? c : '_';
    }
    label[n] = '\0';
    if (n == 0 || strspn(label, ".") == n) snprintf(label, sizeof label, "init%zu", init_index + 1);
    snprintf(buf, size, "%s__seed%llu", label, (unsigned long long)seed);
}

void il_plan_get(const il_experiment *exp, size_t index, il_plan_run *run) {
    memset(run, 0, sizeof *run);
    run->index = index;
    run->init_index = index % exp->n_inits;
    run->seed_index = index / exp->n_inits;
    run->seed = exp->seeds[run->seed_index];
    il__run_id(exp, run->init_index, run->seed, run->id, sizeof run->id);
}

int il_plan_in_shard(size_t index, size_t shard_k, size_t shard_n) {
    if (shard_n == 0) return 1;
    return index % shard_n == shard_k - 1;
}

/* Epoch e's order is il_epoch_order_next's (src/core/train.c), the one definition: each run calls it
 * once per epoch on its (seed, IL_STREAM_DATA) stream, so replaying e calls gives epoch e. */
void il_run_epoch_order(uint64_t seed, size_t epoch, size_t *order, size_t n) {
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_DATA);
    for (size_t e = 1; e <= epoch; e++)
        il_epoch_order_next(&rng, order, n);
}

void il_run_probe_indices(uint64_t seed, size_t n_train, size_t n_probe, size_t *idx) {
    /* Knuth's selection sampling (TAOCP vol. 2, Algorithm S): walk the examples once and keep example t
     * with probability (still needed) / (still left). Every subset of size n_probe is equally likely,
     * nothing is allocated, and the indices come out in increasing order. */
    il_rng rng;
    il_rng_seed(&rng, seed, IL_STREAM_PROBE);
    if (n_probe > n_train) n_probe = n_train;
    size_t chosen = 0;
    for (size_t t = 0; t < n_train && chosen < n_probe; t++)
        if (il_rng_below(&rng, n_train - t) < n_probe - chosen) idx[chosen++] = t;
}
