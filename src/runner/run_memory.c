/* run_memory.c - the sizes of one run (batch rows, network workspace, probe samples) and the memory they
 * take, estimated from the experiment and the data before anything is allocated, so that a network or a
 * batch allowed by the per-key limits but too large for the machine is refused with the bytes it needs
 * and the bytes the machine has, not found out by an allocation failure or the kernel's OOM killer.
 * What "the machine has" is its physical memory (docs/cli.md); what is free at the moment is not used:
 * it changes from second to second, and a run that fits the machine is the operating system's to fit.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "initlab/net.h"
#include "runner/runner_internal.h"

/* Largest evaluation chunk: evaluation runs over the whole train and test sets in chunks of
 * net->max_batch rows, so the net gets at least this many rows of workspace. */
#define EVAL_ROWS 1024

void il__run_shape_of(const il_experiment *exp, const il_data *data, il__run_shape *shape) {
    size_t N = data->train.n;
    shape->batch = exp->batch_size == 0 || exp->batch_size > N ? N : exp->batch_size;
    size_t rows = N > data->test.n ? N : data->test.n;
    shape->max_batch = rows < EVAL_ROWS ? rows : EVAL_ROWS;
    if (shape->max_batch < shape->batch) shape->max_batch = shape->batch;
    shape->n_probe = exp->probe_samples == 0 || exp->probe_samples > N ? N : exp->probe_samples;
}

/* a * b + c, saturating at SIZE_MAX. */
static size_t mul_add(size_t a, size_t b, size_t c) {
    if (b != 0 && a > (SIZE_MAX - c) / b) return SIZE_MAX;
    return a * b + c;
}

static size_t add(size_t a, size_t b) {
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* The bytes one run allocates (il_run_single and the probe it creates), SIZE_MAX when beyond counting:
 * the training net; the order and the probe's indices; the batch and the probe's samples (kept twice:
 * the run's copy and the probe's); the probe's own net over its samples, its unit hash table and the
 * linearity fit's two double copies of the probe inputs. The log of a few hundred points is left out. */
static size_t run_bytes(const il_net_spec *spec, const il__run_shape *shape, size_t N, size_t *net_bytes) {
    size_t D = spec->sizes[0], T = spec->sizes[spec->n_layers], widest = 0;
    for (size_t l = 1; l <= spec->n_layers; l++)
        widest = spec->sizes[l] > widest ? spec->sizes[l] : widest;
    *net_bytes = il_net_memory_bytes(spec, shape->max_batch);
    size_t total = *net_bytes;
    total = add(total, mul_add(add(N, shape->n_probe), sizeof(size_t), 0));
    total = add(total, mul_add(mul_add(shape->batch, add(D, T), 0), sizeof(float), 0));
    total = add(total, mul_add(mul_add(shape->n_probe, add(D, T), 0), 2 * sizeof(float), 0));
    total = add(total, il_net_memory_bytes(spec, shape->n_probe));
    total = add(total, mul_add(widest, 6 * sizeof(uint64_t), 0)); /* hashes and a table of 2+ slots each */
    total = add(total, mul_add(mul_add(shape->n_probe, add(D, 1), 0), 2 * sizeof(double), 0));
    return total;
}

static size_t data_bytes(const il_data *data) {
    const il_dataset *sets[2] = {&data->train, &data->test};
    size_t total = 0;
    for (int i = 0; i < 2; i++)
        total = add(total, mul_add(mul_add(sets[i]->n, add(sets[i]->d, sets[i]->t), 0), sizeof(float), 0));
    return total;
}

size_t il__machine_memory_bytes(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return SIZE_MAX; /* unknown: nothing is refused */
    return mul_add((size_t)pages, (size_t)page, 0);
}

/* "12.3 GiB" */
static const char *gib(char *buf, size_t size, size_t bytes) {
    if (bytes == SIZE_MAX)
        snprintf(buf, size, "more than 16 EiB");
    else
        snprintf(buf, size, "%.1f GiB", (double)bytes / (double)((size_t)1 << 30));
    return buf;
}

il_status il__run_memory_check(const il_experiment *exp, const il_data *data, const il_net_spec *spec,
                               size_t jobs, size_t machine_bytes, il_error *err) {
    il__run_shape shape;
    il__run_shape_of(exp, data, &shape);
    size_t net = 0, one = run_bytes(spec, &shape, data->train.n, &net);
    size_t all = add(mul_add(one, jobs ? jobs : 1, 0), data_bytes(data));
    if (all <= machine_bytes) return IL_OK;
    char sizes[256], a[32], b[32], c[32], d[32];
    size_t used = 0;
    sizes[0] = '\0';
    for (size_t l = 0; l <= spec->n_layers && used + 24 < sizeof sizes; l++)
        used += (size_t)snprintf(sizes + used, sizeof sizes - used, "%s%zu", l ? "-" : "", spec->sizes[l]);
    char at_once[64] = "";
    if (jobs > 1) snprintf(at_once, sizeof at_once, " x %zu runs at once", jobs);
    return il_fail(err, IL_ERR_USAGE,
                   "the network %s with batches of %zu rows needs %zu bytes (%s) per run (its weights, "
                   "gradients, momentum and activations alone %s)%s, with the data %zu bytes in all (%s), "
                   "more than the %zu bytes (%s) of memory this machine has; use fewer or narrower layers, "
                   "a smaller batch_size or probe_samples%s",
                   sizes, shape.batch, one, gib(a, sizeof a, one), gib(b, sizeof b, net), at_once, all,
                   gib(c, sizeof c, all), machine_bytes, gib(d, sizeof d, machine_bytes),
                   jobs > 1 ? ", or fewer jobs (--jobs)" : "");
}
