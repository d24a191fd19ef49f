/* bench_train.c - how long one SGD step of initlab takes, next to the floor of the sgemm calls it makes.
 *
 * For each shape (network, batch) and OpenBLAS thread count it measures, with warm-up and repetitions:
 *   floor    the sgemm calls of one step alone: Z = X W forward, dW = A^T dZ and dX = dZ W^T backward
 *   initlab  il_train_epoch on synthetic data, divided into steps
 *   parts    the pieces of that step timed one by one (gather, forward, loss, backward, finite check, SGD)
 * and prints one CSV row per measurement, which scripts/bench-train.sh joins with the PyTorch peer's rows
 * into a markdown table. It asserts nothing about speed: it reports, and docs/benchmarks.md reads.
 *
 * Dimension letters: N = examples, D = inputs, T = targets, B = batch rows, I = fan-in, O = fan-out.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "initlab/blas.h"
#include "initlab/init.h"
#include "initlab/net.h"
#include "initlab/rng.h"
#include "initlab/train.h"

#define MAX_THREAD_COUNTS 8
#define MAX_REPS          101
#define BENCH_SEED        20240611u
#define MAX_GROUP         16 /* measurements timed together */

/* ---- what is measured ------------------------------------------------------------------------------- */

typedef struct {
    const char *key;      /* what --shapes selects it by */
    const char *name;     /* the shape as the table prints it */
    const char *layers;   /* the layer list as il_net_spec_parse_layers reads it */
    il_act hidden;        /* every hidden layer */
    il_output output;     /* output activation and loss */
    il_init_spec init;    /* every layer */
    size_t batch;         /* B: rows per step */
    size_t n_examples;    /* N: one epoch is N / B steps */
    const char *describe; /* one line for the header */
} bench_shape;

/* The MLP on Fashion-MNIST-sized inputs at two batch sizes, and the ESL 11.6 net (sum of sigmoids,
 * p = 2, 10 hidden units, 100 training examples, full batch). The ESL net is the regression setting of the
 * book: sigmoid hidden units, identity output with squared error, uniform +-0.7 starting weights (a softmax
 * over one output would be constant, its gradient zero). N = 4096 for the MLP keeps the inputs (12.8 MB) in
 * a typical last-level cache; the gather cost of a step is still a real row-by-row copy. */
static const bench_shape shapes[] = {
    {.key = "mlp-64",
     .name = "784-256-128-10",
     .layers = "784,256,128,10",
     .hidden = IL_ACT_RELU,
     .output = IL_OUT_SOFTMAX,
     .init = {IL_INIT_HE, 0.0, 0.0},
     .batch = 64,
     .n_examples = 4096,
     .describe = "ReLU hidden, softmax + cross-entropy, He init, N = 4096 N(0,1) inputs, random labels"},
    {.key = "mlp-256",
     .name = "784-256-128-10",
     .layers = "784,256,128,10",
     .hidden = IL_ACT_RELU,
     .output = IL_OUT_SOFTMAX,
     .init = {IL_INIT_HE, 0.0, 0.0},
     .batch = 256,
     .n_examples = 4096,
     .describe = "the same net and data at batch 256"},
    {.key = "esl-100",
     .name = "2-10-1",
     .layers = "2,10,1",
     .hidden = IL_ACT_SIGMOID,
     .output = IL_OUT_IDENTITY,
     .init = {IL_INIT_UNIFORM, 0.7, 0.0},
     .batch = 100,
     .n_examples = 100,
     .describe = "ESL 11.6: sigmoid hidden, identity output + squared error, uniform 0.7 init, full batch"},
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

typedef struct {
    int reps;         /* R timed repetitions per measurement */
    double warmup_ms; /* untimed work before them (also calibrates the repetition length) */
    double rep_ms;    /* target length of one repetition */
    int threads[MAX_THREAD_COUNTS];
    size_t n_threads;
    int parts;              /* also time the pieces of a step */
    int header;             /* print the CSV header line */
    int selected[N_SHAPES]; /* which shapes to measure */
} bench_options;

/* ---- timing ---------------------------------------------------------------------------------------- */

static double clock_ms(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Wall-clock time: what a user waits for. */
static double now_ms(void) {
    return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of the whole process (all its threads): with one thread, the time the step really ran, which
 * other programs on the machine do not inflate; with more, the work of all threads, spinning included. */
static double cpu_ms(void) {
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

/* Do `units` units of work; reset (may be NULL) puts the state back before a repetition, untimed. */
typedef void (*work_fn)(void *ctx, size_t units);
typedef void (*reset_fn)(void *ctx);

/* One measurement of a group. The group's first item is its reference (the floor): every repetition runs
 * all items back to back, so the ratio of an item to the reference is taken within one repetition, under
 * the same load of the machine, and its median over repetitions is robust to other work going on. */
typedef struct {
    const char *impl; /* floor or initlab */
    const char *part; /* step, or the piece of a step */
    work_fn work;
    reset_fn reset;
    void *ctx;
    size_t steps_per_unit; /* an epoch holds N / B steps; everything else is one step per unit */
    /* results, per step */
    size_t units;            /* units per repetition, calibrated in the warm-up */
    double median, min, max; /* milliseconds per step over the repetitions */
    double cpu_median;       /* process CPU milliseconds per step, median over the repetitions */
    double ratio;            /* median over repetitions of (this item / the reference) */
} bench_item;

/* An item to measure; its results start at zero. */
static bench_item make_item(const char *impl, const char *part, work_fn work, reset_fn reset, void *ctx,
                            size_t steps_per_unit) {
    bench_item it;
    memset(&it, 0, sizeof it);
    it.impl = impl;
    it.part = part;
    it.work = work;
    it.reset = reset;
    it.ctx = ctx;
    it.steps_per_unit = steps_per_unit;
    return it;
}

static int compare_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_sorted(const double *v, size_t n) {
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Warm each item up for warmup_ms (at least three units) and estimate the cost of one unit from it, choose
 * the units per repetition so that a repetition lasts about rep_ms, then time R repetitions, each running
 * every item once. The median is the number to read; min and max show the spread (on a shared machine max
 * is the noisy one). */
static void measure_group(bench_item *items, size_t n, const bench_options *opt) {
    for (size_t i = 0; i < n; i++) {
        bench_item *it = &items[i];
        if (it->reset) it->reset(it->ctx);
        size_t warm_units = 0;
        const double start = now_ms();
        double elapsed = 0.0;
        while (warm_units < 3 || elapsed < opt->warmup_ms) {
            it->work(it->ctx, 1);
            warm_units++;
            elapsed = now_ms() - start;
        }
        const double per_unit = elapsed / (double)warm_units;
        double want = ceil(opt->rep_ms / (per_unit > 1e-6 ? per_unit : 1e-6));
        it->units = want < 1.0 ? 1 : want > 1e8 ? 100000000u : (size_t)want;
    }

    static double samples[MAX_GROUP][MAX_REPS], cpu[MAX_GROUP][MAX_REPS]; /* ms per step, [item][rep] */
    for (int r = 0; r < opt->reps; r++)
        for (size_t i = 0; i < n; i++) {
            bench_item *it = &items[i];
            if (it->reset) it->reset(it->ctx);
            const double steps = (double)(it->units * it->steps_per_unit);
            const double c0 = cpu_ms(), t0 = now_ms();
            it->work(it->ctx, it->units);
            const double t1 = now_ms(), c1 = cpu_ms();
            samples[i][r] = (t1 - t0) / steps;
            cpu[i][r] = (c1 - c0) / steps;
        }

    const size_t R = (size_t)opt->reps;
    for (size_t i = 0; i < n; i++) {
        double ratios[MAX_REPS];
        for (size_t r = 0; r < R; r++)
            ratios[r] = samples[i][r] / samples[0][r];
        qsort(ratios, R, sizeof ratios[0], compare_double);
        items[i].ratio = median_sorted(ratios, R);
        qsort(cpu[i], R, sizeof cpu[i][0], compare_double);
        items[i].cpu_median = median_sorted(cpu[i], R);
        qsort(samples[i], R, sizeof samples[i][0], compare_double);
        items[i].median = median_sorted(samples[i], R);
        items[i].min = samples[i][0];
        items[i].max = samples[i][R - 1];
    }
}

/* ---- the workload: a net, its data, an order -------------------------------------------------------- */

typedef struct {
    const bench_shape *shape;
    il_net *net;
    il_batch batch;
    il_init_spec init[IL_MAX_LAYERS];
    float *x;      /* (N, D) inputs */
    float *y;      /* (N, T) targets */
    size_t *order; /* (N) a fixed shuffled order */
    size_t D, T, N, B;
    il_sgd_options sgd;
    size_t cursor;    /* next batch start for the gather part */
    double sink;      /* losses land here so no call is dead code */
    il_status status; /* the first failure inside timed work */
    il_error err;
} workload;

/* The ESL 11.6 "sum of sigmoids" target, Y = s(a1.X) + s(a2.X) + noise, a1 = (3, 3), a2 = (3, -3). */
static double sigmoid(double z) {
    return 1.0 / (1.0 + exp(-z));
}

static il_status workload_create(workload *w, const bench_shape *shape, il_error *err) {
    memset(w, 0, sizeof *w);
    w->shape = shape;
    il_net_spec spec;
    memset(&spec, 0, sizeof spec);
    il_status st = il_net_spec_parse_layers(&spec, shape->layers, err);
    if (st != IL_OK) return st;
    for (size_t l = 0; l + 1 < spec.n_layers; l++)
        spec.hidden[l] = shape->hidden;
    spec.output = shape->output;
    for (size_t l = 0; l < spec.n_layers; l++)
        w->init[l] = shape->init;
    w->D = spec.sizes[0];
    w->T = spec.sizes[spec.n_layers];
    w->N = shape->n_examples;
    w->B = shape->batch;
    w->sgd = (il_sgd_options){0.1, 0.0, 0.0};

    st = il_net_create(&w->net, &spec, w->B, err);
    if (st != IL_OK) return st;
    st = il_batch_alloc(&w->batch, w->B, w->D, w->T, err);
    if (st != IL_OK) return st;
    if (w->D > SIZE_MAX / sizeof(float) / w->N || w->T > SIZE_MAX / sizeof(float) / w->N)
        return il_fail(err, IL_ERR_USAGE, "benchmark data of %zu rows is too large (size overflows)", w->N);
    w->x = malloc(w->N * w->D * sizeof *w->x);
    w->y = calloc(w->N * w->T, sizeof *w->y);
    w->order = malloc(w->N * sizeof *w->order);
    if (!w->x || !w->y || !w->order) return il_fail(err, IL_ERR_NOMEM, "out of memory for benchmark data");

    il_rng gen;
    il_rng_seed(&gen, BENCH_SEED, IL_STREAM_GEN);
    for (size_t i = 0; i < w->N * w->D; i++)
        w->x[i] = (float)il_rng_normal(&gen);
    for (size_t n = 0; n < w->N; n++) {
        if (shape->output == IL_OUT_SOFTMAX) {
            w->y[n * w->T + il_rng_below(&gen, w->T)] = 1.0f; /* a random one-hot label */
        } else {
            const float *xn = w->x + n * w->D;
            const double a1 = 3.0 * (xn[0] + xn[1]), a2 = 3.0 * (xn[0] - xn[1]);
            w->y[n * w->T] = (float)(sigmoid(a1) + sigmoid(a2) + 0.3 * il_rng_normal(&gen));
        }
    }
    il_rng data;
    il_rng_seed(&data, BENCH_SEED, IL_STREAM_DATA);
    for (size_t n = 0; n < w->N; n++)
        w->order[n] = n;
    il_rng_shuffle(&data, w->order, w->N);
    return IL_OK;
}

static void workload_free(workload *w) {
    il_net_free(w->net);
    il_batch_free(&w->batch);
    free(w->x);
    free(w->y);
    free(w->order);
}

/* The same starting weights before every repetition: each repetition times the same early stretch of
 * training, and no repetition runs into tiny (subnormal) gradients of a long-converged net. */
static void reset_weights(void *ctx) {
    workload *w = ctx;
    il_rng rng;
    il_rng_seed(&rng, BENCH_SEED, IL_STREAM_INIT);
    il_net_init(w->net, w->init, &rng);
}

/* ---- the floor: the sgemm calls of one step, with exactly the arguments net.c passes -------------- */

typedef enum { FLOOR_ALL, FLOOR_FORWARD, FLOOR_DW, FLOOR_DX } floor_part;

typedef struct {
    workload *w;
    floor_part part;
} floor_ctx;

static void floor_work(void *ctx, size_t units) {
    const floor_ctx *f = ctx;
    il_net *net = f->w->net;
    const size_t L = net->spec.n_layers, B = f->w->B;
    const float *x = f->w->batch.x;
    for (size_t u = 0; u < units; u++) {
        if (f->part == FLOOR_ALL || f->part == FLOOR_FORWARD)
            for (size_t l = 0; l < L; l++) {
                const size_t I = net->spec.sizes[l], O = net->spec.sizes[l + 1];
                /* Z (B, O) = A (B, I) W (I, O) + Z: beta = 1 as in dense_forward (bias preloaded). */
                il_sgemm(false, false, B, O, I, 1.0f, l == 0 ? x : net->a[l - 1], I, net->w[l], O, 1.0f,
                         net->z[l], O);
            }
        for (size_t l = L; l-- > 0;) {
            const size_t I = net->spec.sizes[l], O = net->spec.sizes[l + 1];
            /* dW (I, O) = A^T (I, B) dZ (B, O) */
            if (f->part == FLOOR_ALL || f->part == FLOOR_DW)
                il_sgemm(true, false, I, O, B, 1.0f, l == 0 ? x : net->a[l - 1], I, net->dz[l], O, 0.0f,
                         net->dw[l], O);
            /* dX (B, I) = dZ (B, O) W^T (O, I); the first layer's input needs no gradient */
            if (l > 0 && (f->part == FLOOR_ALL || f->part == FLOOR_DX))
                il_sgemm(false, true, B, I, O, 1.0f, net->dz[l], O, net->w[l], O, 0.0f, net->dz[l - 1], I);
        }
    }
}

/* Put realistic values in every buffer the floor reads: one forward and backward of the first batch. */
static void floor_reset(void *ctx) {
    workload *w = ((floor_ctx *)ctx)->w;
    reset_weights(w);
    il_batch_gather(&w->batch, w->x, w->y, w->D, w->T, w->order, w->B);
    il_net_forward(w->net, w->batch.x, w->B);
    il_net_backward(w->net, w->batch.x, w->batch.y, w->B, 0.0);
}

/* Floating-point operations of a step's sgemm calls: 2 B I O for each product. */
static double step_flops(const workload *w) {
    double flops = 0.0;
    const il_net *net = w->net;
    for (size_t l = 0; l < net->spec.n_layers; l++) {
        const double bio = 2.0 * (double)w->B * (double)net->spec.sizes[l] * (double)net->spec.sizes[l + 1];
        flops += l == 0 ? 2.0 * bio : 3.0 * bio; /* forward, dW, and dX except for the first layer */
    }
    return flops;
}

/* ---- initlab: whole epochs through the public training call --------------------------------------- */

static void epoch_work(void *ctx, size_t units) {
    workload *w = ctx;
    for (size_t u = 0; u < units && w->status == IL_OK; u++) {
        double loss = 0.0;
        w->status =
            il_train_epoch(w->net, &w->batch, w->x, w->y, w->N, w->order, w->B, &w->sgd, &loss, &w->err);
        w->sink += loss;
    }
}

/* ---- the parts of a step, one by one ------------------------------------------------------------- */

typedef enum {
    PART_GATHER,
    PART_FORWARD,
    PART_LOSS,
    PART_BACKWARD,
    PART_FINITE,
    PART_SGD,
    PART_COUNT
} step_part;
static const char *const part_names[PART_COUNT] = {"gather",   "forward",      "loss",
                                                   "backward", "finite-check", "sgd"};

typedef struct {
    workload *w;
    step_part part;
} part_ctx;

static void part_work(void *ctx, size_t units) {
    const part_ctx *p = ctx;
    workload *w = p->w;
    for (size_t u = 0; u < units; u++) {
        switch (p->part) {
        case PART_GATHER:
            il_batch_gather(&w->batch, w->x, w->y, w->D, w->T, w->order + w->cursor, w->B);
            w->cursor = w->cursor + 2 * w->B <= w->N ? w->cursor + w->B : 0;
            break;
        case PART_FORWARD: il_net_forward(w->net, w->batch.x, w->B); break;
        case PART_LOSS: w->sink += il_net_loss(w->net, w->batch.y, w->B); break;
        case PART_BACKWARD: il_net_backward(w->net, w->batch.x, w->batch.y, w->B, 0.0); break;
        case PART_FINITE: w->sink += il_net_is_finite(w->net); break;
        case PART_SGD: il_sgd_step(w->net, &w->sgd); break;
        case PART_COUNT: break;
        }
    }
}

static void part_reset(void *ctx) {
    floor_ctx f = {((part_ctx *)ctx)->w, FLOOR_ALL};
    floor_reset(&f);
}

/* ---- output ------------------------------------------------------------------------------------- */

static const char csv_header[] = "impl,part,net,batch,threads,steps_per_rep,reps,median_ms,min_ms,max_ms,"
                                 "cpu_ms,ratio_to_floor,flops_per_step";

/* One row; times are milliseconds per step. */
static void print_row(const bench_item *it, const workload *w, int threads, const bench_options *opt) {
    printf("%s,%s,%s,%zu,%d,%zu,%d,%.6f,%.6f,%.6f,%.6f,%.4f,%.0f\n", it->impl, it->part, w->shape->name, w->B,
           threads, it->units * it->steps_per_unit, opt->reps, it->median, it->min, it->max, it->cpu_median,
           it->ratio, step_flops(w));
    fflush(stdout);
}

static int run_shape(const bench_shape *shape, int threads, const bench_options *opt) {
    workload w;
    il_error err;
    il_error_clear(&err);
    if (workload_create(&w, shape, &err) != IL_OK) {
        fprintf(stderr, "initlab-bench: cannot set up %s batch %zu: %s\n", shape->name, shape->batch,
                err.msg);
        workload_free(&w);
        return 1;
    }

    /* The reference first (the floor), then the real step, then the pieces. */
    floor_ctx floors[] = {{&w, FLOOR_ALL}, {&w, FLOOR_FORWARD}, {&w, FLOOR_DW}, {&w, FLOOR_DX}};
    part_ctx parts[PART_COUNT];
    bench_item items[MAX_GROUP];
    size_t n = 0;
    items[n++] = make_item("floor", "step", floor_work, floor_reset, &floors[0], 1);
    items[n++] = make_item("initlab", "step", epoch_work, reset_weights, &w, (w.N + w.B - 1) / w.B);
    if (opt->parts) {
        static const char *const floor_names[] = {"gemm-forward", "gemm-dw", "gemm-dx"};
        for (size_t i = 0; i < 3; i++)
            items[n++] = make_item("floor", floor_names[i], floor_work, floor_reset, &floors[i + 1], 1);
        for (int p = 0; p < PART_COUNT; p++) {
            parts[p] = (part_ctx){&w, (step_part)p};
            items[n++] = make_item("initlab", part_names[p], part_work, part_reset, &parts[p], 1);
        }
    }
    w.status = IL_OK;
    measure_group(items, n, opt);
    if (w.status != IL_OK) {
        fprintf(stderr, "initlab-bench: training %s batch %zu failed: %s\n", shape->name, w.B, w.err.msg);
        workload_free(&w);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        print_row(&items[i], &w, threads, opt);
    workload_free(&w);
    return 0;
}

/* ---- command line ------------------------------------------------------------------------------- */

static void usage(FILE *out) {
    fprintf(out,
            "usage: initlab-bench [--threads 1,2] [--reps R] [--warmup-ms MS] [--rep-ms MS] [--no-parts]\n"
            "                     [--no-header]\n"
            "Times one SGD step of initlab (il_train_epoch) and the sgemm calls alone that the step makes,\n"
            "for the MLP 784-256-128-10 at batch 64 and 256 and the ESL net 2-10-1 at full batch 100, and\n"
            "prints one CSV row per measurement (times in milliseconds per step: median, min, max over R\n"
            "repetitions after a warm-up). scripts/bench-train.sh turns the rows into a markdown table.\n"
            "  --threads LIST   OpenBLAS thread counts to measure, comma-separated (default 1,2)\n"
            "  --reps R         timed repetitions per measurement, 1..%d (default 7)\n"
            "  --warmup-ms MS   untimed warm-up per measurement (default 200)\n"
            "  --rep-ms MS      target length of one repetition (default 100)\n"
            "  --shapes LIST    which shapes, comma-separated, from mlp-64, mlp-256, esl-100 (default all)\n"
            "  --no-parts       skip the step's pieces (gather, forward, ...), time only floor and step\n"
            "  --no-header      do not print the CSV header line\n",
            MAX_REPS);
}

static int parse_positive(const char *flag, const char *text, double lo, double hi, double *out) {
    errno = 0;
    char *end = NULL;
    const double v = strtod(text ? text : "", &end);
    if (!text || end == text || *end != '\0' || errno == ERANGE || !(v >= lo && v <= hi)) {
        fprintf(stderr, "initlab-bench: error: %s expects a number from %g to %g, got '%s'\n", flag, lo, hi,
                text ? text : "(nothing)");
        return 0;
    }
    *out = v;
    return 1;
}

static int parse_shapes(const char *text, bench_options *opt) {
    for (size_t s = 0; s < N_SHAPES; s++)
        opt->selected[s] = 0;
    const char *p = text ? text : "";
    for (;;) {
        const size_t len = strcspn(p, ",");
        size_t s = 0;
        while (s < N_SHAPES && !(strlen(shapes[s].key) == len && !strncmp(shapes[s].key, p, len)))
            s++;
        if (s == N_SHAPES) {
            fprintf(stderr,
                    "initlab-bench: error: --shapes expects names from mlp-64, mlp-256, esl-100 separated by "
                    "commas, got '%s'\n",
                    text ? text : "(nothing)");
            return 0;
        }
        opt->selected[s] = 1;
        if (p[len] == '\0') return 1;
        p += len + 1;
    }
}

static int parse_threads(const char *text, bench_options *opt) {
    opt->n_threads = 0;
    const char *p = text ? text : "";
    for (;;) {
        char *end = NULL;
        errno = 0;
        const long v = strtol(p, &end, 10);
        if (end == p || errno == ERANGE || v < 1 || v > 256 || opt->n_threads == MAX_THREAD_COUNTS ||
            (*end != ',' && *end != '\0')) {
            fprintf(stderr,
                    "initlab-bench: error: --threads expects up to %d thread counts from 1 to 256 separated "
                    "by commas (e.g. 1,2), got '%s'\n",
                    MAX_THREAD_COUNTS, text ? text : "(nothing)");
            return 0;
        }
        opt->threads[opt->n_threads++] = (int)v;
        if (*end == '\0') return 1;
        p = end + 1;
    }
}

int main(int argc, char **argv) {
    il_blas_use_cpu_kernel(argv); /* measure the kernel a user of initlab gets (blas.h) */
    bench_options opt = {7, 200.0, 100.0, {1, 2}, 2, 1, 1, {0}};
    for (size_t s = 0; s < N_SHAPES; s++)
        opt.selected[s] = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        double v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--threads")) {
            if (!parse_threads(next, &opt)) return 2;
            i++;
        } else if (!strcmp(a, "--reps")) {
            if (!parse_positive(a, next, 1, MAX_REPS, &v)) return 2;
            if (v != floor(v)) {
                fprintf(stderr, "initlab-bench: error: --reps expects a whole number, got '%s'\n", next);
                return 2;
            }
            opt.reps = (int)v;
            i++;
        } else if (!strcmp(a, "--warmup-ms")) {
            if (!parse_positive(a, next, 0, 600000, &opt.warmup_ms)) return 2;
            i++;
        } else if (!strcmp(a, "--rep-ms")) {
            if (!parse_positive(a, next, 0.001, 600000, &opt.rep_ms)) return 2;
            i++;
        } else if (!strcmp(a, "--shapes")) {
            if (!parse_shapes(next, &opt)) return 2;
            i++;
        } else if (!strcmp(a, "--no-parts")) {
            opt.parts = 0;
        } else if (!strcmp(a, "--no-header")) {
            opt.header = 0;
        } else {
            fprintf(stderr, "initlab-bench: error: unknown argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }

    /* What the numbers depend on, as comment lines the script carries into its report. */
    printf("# initlab BLAS: %s\n", il_blas_config());
    /* OpenBLAS reads these at start-up; the benchmark leaves them as the environment sets them. */
    const char *env_names[] = {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS"};
    printf("# initlab environment:");
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++) {
        const char *v = getenv(env_names[i]);
        printf("%s %s=%s", i ? "," : "", env_names[i], v ? v : "(unset)");
    }
    printf("\n");
    for (size_t s = 0; s < N_SHAPES; s++)
        printf("# shape %s batch %zu: %s\n", shapes[s].name, shapes[s].batch, shapes[s].describe);
    printf(
        "# protocol: per measurement a warm-up of %.0f ms, then %d repetitions of about %.0f ms; synthetic "
        "data, fixed seed; SGD lr 0.1, no momentum\n",
        opt.warmup_ms, opt.reps, opt.rep_ms);
    if (opt.header) printf("%s\n", csv_header);
    fflush(stdout);

    for (size_t t = 0; t < opt.n_threads; t++) {
        il_blas_set_threads(opt.threads[t]);
        const int actual = il_blas_threads();
        if (actual != opt.threads[t])
            printf("# note: asked OpenBLAS for %d threads, it runs %d\n", opt.threads[t], actual);
        for (size_t s = 0; s < N_SHAPES; s++)
            if (opt.selected[s] && run_shape(&shapes[s], actual, &opt) != 0) return 1;
    }
    return 0;
}
