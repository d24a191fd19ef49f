/* cmd_train.c - `initlab train`: one training run from flags, with a progress line per epoch on stderr,
 * an optional per-epoch CSV, model and weights, and a result block on stdout that explains itself.
 *
 * Order of work: every flag is parsed and checked first (a bad value stops here, before any file is
 * touched); then the data is loaded and the layer sizes are checked against it; then the output files
 * are opened under temporary names; only then does training start. The CSV appears under its name when
 * the run ends (or diverges), never half-written; Ctrl-C leaves no file at all.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "initlab/blas.h"
#include "initlab/data.h"
#include "initlab/fileio.h"
#include "initlab/init.h"
#include "initlab/model.h"
#include "initlab/net.h"
#include "initlab/probe.h"
#include "initlab/rng.h"
#include "initlab/train.h"

/* Defaults that depend on the data (see docs/cli.md): a small set (up to SMALL_SET training examples,
 * like XOR or the ESL simulations) is trained by full-batch gradient descent, a large one (Fashion-MNIST)
 * by mini-batches. */
#define SMALL_SET        1000
#define SMALL_LR         0.5
#define SMALL_EPOCHS     2000
#define LARGE_LR         0.1
#define LARGE_BATCH      64
#define LARGE_EPOCHS     10
#define DEFAULT_HIDDEN   8
#define MAX_EPOCHS       100000000
#define MAX_LAYER_SIZE   1000000
#define MAX_THREADS      1024
#define EVAL_BATCH       1024
#define CHUNKS_PER_EPOCH 50

/* ---- options ----------------------------------------------------- */

typedef struct {
    const char *data;         /* --data spec */
    il_data_options data_opt; /* --scale, --max-train, --max-test, seed = --seed */
    size_t n_layers;          /* L, from --layers or --hidden */
    size_t sizes[IL_MAX_LAYERS + 1];
    int sizes_given;         /* 1 = --layers (ends checked against the data), 0 = --hidden (ends filled) */
    const char *layers_text; /* as written, for messages */
    il_act act;              /* --act */
    int output;              /* --output: il_output, or -1 = from the task */
    size_t n_inits;          /* 1 or L */
    il_init_spec inits[IL_MAX_LAYERS];
    const char *init_text; /* as written, or NULL for the default */
    double bias;           /* --bias */
    size_t epochs;         /* --epochs; epochs_set = given */
    int epochs_set;
    il_sgd_options sgd; /* --lr, --momentum, --weight-decay */
    int lr_set;
    size_t batch; /* --batch, 0 = full batch */
    int batch_set;
    uint64_t seed;  /* --seed */
    size_t threads; /* --threads, 0 = leave the BLAS default */
    const char *csv_path, *save_path, *export_path;
    int quiet;
    size_t progress_every;
} train_options;

enum {
    OPT_DATA = 256,
    OPT_LAYERS,
    OPT_HIDDEN,
    OPT_ACT,
    OPT_OUTPUT,
    OPT_INIT,
    OPT_BIAS,
    OPT_EPOCHS,
    OPT_LR,
    OPT_BATCH,
    OPT_MOMENTUM,
    OPT_WEIGHT_DECAY,
    OPT_SEED,
    OPT_SCALE,
    OPT_MAX_TRAIN,
    OPT_MAX_TEST,
    OPT_THREADS,
    OPT_CSV,
    OPT_SAVE,
    OPT_EXPORT_CSV,
    OPT_PROGRESS_EVERY
};

static const struct option train_flags[] = {
    {"data", required_argument, NULL, OPT_DATA},
    {"layers", required_argument, NULL, OPT_LAYERS},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"act", required_argument, NULL, OPT_ACT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"init", required_argument, NULL, OPT_INIT},
    {"bias", required_argument, NULL, OPT_BIAS},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"lr", required_argument, NULL, OPT_LR},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"momentum", required_argument, NULL, OPT_MOMENTUM},
    {"weight-decay", required_argument, NULL, OPT_WEIGHT_DECAY},
    {"seed", required_argument, NULL, OPT_SEED},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"max-train", required_argument, NULL, OPT_MAX_TRAIN},
    {"max-test", required_argument, NULL, OPT_MAX_TEST},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"csv", required_argument, NULL, OPT_CSV},
    {"save", required_argument, NULL, OPT_SAVE},
    {"export-csv", required_argument, NULL, OPT_EXPORT_CSV},
    {"progress-every", required_argument, NULL, OPT_PROGRESS_EVERY},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_help(void) {
    printf(
        "Usage: initlab train [OPTIONS]\n"
        "\n"
        "Train one network on one dataset by gradient descent and report its loss and accuracy.\n"
        "A progress line per epoch goes to stderr, the result block to stdout.\n"
        "\n"
        "Data:\n"
        "  --data SPEC          a source from 'initlab list datasets', NAME or NAME:key=value,...,\n"
        "                       or the path of a CSV file or image folder (default: xor)\n"
        "  --scale MODE         standardize (the default): every input to mean 0, sd 1 with training\n"
        "                       statistics (ESL 11.5.3); unit: to [0, 1] (pixels / 255); none: as\n"
        "                       loaded; auto: unit for image sources, standardize for the rest\n"
        "  --max-train N        keep only the first N training examples (0 = all, the default)\n"
        "  --max-test N         keep only the first N test examples (0 = all, the default)\n"
        "\n"
        "Network:\n"
        "  --layers LIST        every layer size from inputs to outputs, e.g. 2,8,1; the first must be\n"
        "                       the data's number of inputs and the last its number of outputs\n"
        "  --hidden LIST        only the hidden widths, e.g. 8 or 256,128 ('none' for no hidden layer);\n"
        "                       the ends come from the data (default: %d)\n"
        "  --act NAME           hidden activation: sigmoid, tanh, relu or identity (default sigmoid)\n"
        "  --output NAME        output and loss: identity (squared error), sigmoid (binary\n"
        "                       cross-entropy) or softmax (cross-entropy); default auto, from the data\n"
        "\n"
        "Initialization:\n"
        "  --init SCHEME[:P]    starting weights, see 'initlab list inits' (default xavier, or he with\n"
        "                       --act relu); one scheme per layer joined by '/', e.g. xavier/he\n"
        "  --bias B             every bias starts at B (default 0)\n"
        "\n"
        "Training:\n"
        "  --epochs N           passes over the training set (default %d for sets of up to %d examples,\n"
        "                       else %d)\n"
        "  --lr RATE            learning rate > 0 (default %g with full batches, %g with mini-batches)\n"
        "  --batch N            mini-batch size; 0 or full = full batch (default full up to %d\n"
        "                       examples, else %d)\n"
        "  --momentum MU        momentum in [0, 1) (default 0: plain gradient descent)\n"
        "  --weight-decay L     adds L * sum of squared weights to the loss (default 0)\n"
        "  --seed S             seed of the starting weights, the data order and any generated data\n"
        "                       (default 1)\n"
        "  --threads N          BLAS threads (default: the BLAS library's own choice)\n"
        "\n"
        "Output:\n"
        "  --csv FILE           per-epoch log: epoch,train_loss,test_loss,test_accuracy (or\n"
        "                       relative_test_error / test_mse for regression),distinct_units,\n"
        "                       weight_norm,seconds; epoch 0 is the starting point\n"
        "  --save MODEL         save the trained network ('initlab eval MODEL' reads it back)\n"
        "  --export-csv FILE    every weight and bias as CSV: layer,kind,row,col,value\n"
        "  --progress-every N   without a terminal, a progress line every N epochs (default 1)\n"
        "  -q, --quiet          no progress on stderr (errors are still reported)\n"
        "  -h, --help           show this help\n"
        "\n"
        "Files appear whole under their names when the run ends, or not at all (Ctrl-C, errors).\n"
        "Same seed, flags and --threads => the same numbers, bit for bit (all CSV columns but seconds);\n"
        "use --threads 1 to compare runs across machines.\n"
        "Exit status: 0 success, 1 runtime error (a file, a diverged run, Ctrl-C), 2 usage error.\n"
        "\n"
        "Examples:\n"
        "  initlab train --init he                  XOR, 2-8-1 sigmoid net: 100%% accuracy\n"
        "  initlab train --init zero                XOR from zero weights: the hidden units stay identical\n"
        "  initlab train --init uniform:0.7 --act tanh --csv xor.csv\n"
        "  initlab train --data esl-sigmoids --hidden 10 --weight-decay 0.0005 --init uniform\n"
        "  initlab train --data fashion-mnist --layers 784,256,128,10 --act relu --init he --epochs 5\n",
        DEFAULT_HIDDEN, SMALL_EPOCHS, SMALL_SET, LARGE_EPOCHS, SMALL_LR, LARGE_LR, SMALL_SET, LARGE_BATCH);
}

static void train_options_default(train_options *o) {
    memset(o, 0, sizeof *o);
    o->data = "xor";
    il_data_options_default(&o->data_opt);
    /* Standardized inputs for every source, images too (ESL 11.5.3): measured on Fashion-MNIST,
     * 784-256-128-10 ReLU/He, 5 epochs, batch 64, lr 0.1, it reaches 0.88 test accuracy against 0.83 with
     * pixels in [0, 1]. */
    o->data_opt.scale = IL_SCALE_STANDARDIZE;
    o->n_layers = 2;
    o->sizes[1] = DEFAULT_HIDDEN;
    o->act = IL_ACT_SIGMOID;
    o->output = -1;
    o->seed = 1;
    o->progress_every = 1;
}

/* "2,8,1" or "256,128" into sizes; each size a whole number >= 1. */
static il_status parse_size_list(const char *flag, const char *text, size_t *sizes, size_t max_count,
                                 size_t *count, il_error *err) {
    size_t n = 0;
    const char *p = text;
    if (!*text)
        return il_fail(err, IL_ERR_USAGE, "%s '': expected sizes separated by commas, e.g. 2,8,1", flag);
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char word[32];
        if (len == 0 || len >= sizeof word)
            return il_fail(err, IL_ERR_USAGE,
                           "%s '%s': size %zu is %s; expected whole numbers separated by "
                           "commas, e.g. 2,8,1",
                           flag, text, n + 1, len == 0 ? "empty" : "too long");
        memcpy(word, p, len);
        word[len] = '\0';
        if (n == max_count)
            return il_fail(err, IL_ERR_USAGE, "%s '%s': more than %zu sizes", flag, text, max_count);
        size_t v;
        il_error inner;
        if (cli_parse_size(flag, word, 0, MAX_LAYER_SIZE, &v, &inner) != IL_OK)
            return il_fail(err, IL_ERR_USAGE, "%s '%s': size %zu, '%s', is not a whole number from 1 to %d",
                           flag, text, n + 1, word, MAX_LAYER_SIZE);
        if (v == 0)
            return il_fail(err, IL_ERR_USAGE,
                           "%s '%s': layer size 0 at position %zu; every layer needs at "
                           "least 1 unit",
                           flag, text, n + 1);
        sizes[n++] = v;
        if (!comma) break;
        p = comma + 1;
    }
    *count = n;
    return IL_OK;
}

/* --init "he" or "xavier/he" (one per layer) into o->inits. The per-layer count is checked against the
 * layers later, in check_options, since --layers may come after --init. */
static il_status parse_inits(train_options *o, const char *text, il_error *err) {
    size_t n = 0;
    const char *p = text;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        char word[64];
        if (len == 0 || len >= sizeof word)
            return il_fail(err, IL_ERR_USAGE,
                           "--init '%s': scheme %zu is %s; expected SCHEME or SCHEME:P, "
                           "one per layer joined by '/' (see 'initlab list inits')",
                           text, n + 1, len == 0 ? "empty" : "too long");
        if (n == IL_MAX_LAYERS)
            return il_fail(err, IL_ERR_USAGE, "--init '%s': more than %d schemes", text, IL_MAX_LAYERS);
        memcpy(word, p, len);
        word[len] = '\0';
        il_error inner;
        il_error_clear(&inner);
        if (il_init_parse(&o->inits[n], word, &inner) != IL_OK) {
            if (strcmp(word, text) == 0) return il_fail(err, IL_ERR_USAGE, "--init: %s", inner.msg);
            return il_fail(err, IL_ERR_USAGE, "--init '%s', scheme %zu: %s", text, n + 1, inner.msg);
        }
        n++;
        if (!slash) break;
        p = slash + 1;
    }
    o->n_inits = n;
    o->init_text = text;
    return IL_OK;
}

/* The folder an output file goes into must exist: checked before the data is loaded, so that a typo in
 * a path costs nothing. */
static il_status check_output_folder(const char *flag, const char *path, il_error *err) {
    if (!*path) return il_fail(err, IL_ERR_USAGE, "%s: the file name is empty", flag);
    const char *slash = strrchr(path, '/');
    if (!slash) return IL_OK;
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *folder = malloc(len + 1);
    if (!folder) return il_fail(err, IL_ERR_NOMEM, "out of memory");
    memcpy(folder, path, len);
    folder[len] = '\0';
    struct stat st;
    il_status status = IL_OK;
    if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode))
        status = il_fail(err, IL_ERR_IO, "%s %s: the folder '%s' does not exist", flag, path, folder);
    free(folder);
    return status;
}

/* Parse argv into o; *help is set when --help was asked for (nothing else is done then). */
static il_status parse_train_args(train_options *o, int argc, char **argv, int *help, il_error *err) {
    int c;
    il_status st = IL_OK;
    opterr = 0;
    while (st == IL_OK && (c = getopt_long(argc, argv, ":qh", train_flags, NULL)) != -1) {
        int parsed;
        switch (c) {
        case OPT_DATA:
            if (!*optarg) return il_fail(err, IL_ERR_USAGE, "--data: the spec is empty");
            o->data = optarg;
            break;
        case OPT_LAYERS:
            o->layers_text = optarg;
            st = parse_size_list("--layers", optarg, o->sizes, IL_MAX_LAYERS + 1, &o->n_layers, err);
            if (st != IL_OK) return st;
            if (o->n_layers < 2)
                return il_fail(err, IL_ERR_USAGE,
                               "--layers '%s': give every layer size from inputs to outputs (at least two, "
                               "e.g. 2,8,1), or only the hidden widths with --hidden %s",
                               optarg, optarg);
            o->n_layers -= 1;
            o->sizes_given = 1;
            break;
        case OPT_HIDDEN:
            o->layers_text = optarg;
            o->sizes_given = 0;
            if (strcmp(optarg, "none") == 0) {
                o->n_layers = 1;
            } else {
                size_t n_hidden = 0;
                st = parse_size_list("--hidden", optarg, o->sizes + 1, IL_MAX_LAYERS - 1, &n_hidden, err);
                o->n_layers = n_hidden + 1;
            }
            break;
        case OPT_ACT:
            parsed = il_act_parse(optarg);
            if (parsed < 0)
                return il_fail(err, IL_ERR_USAGE,
                               "--act '%s': unknown activation; expected sigmoid, tanh, relu or identity "
                               "(see 'initlab list activations')",
                               optarg);
            o->act = (il_act)parsed;
            break;
        case OPT_OUTPUT:
            if (strcmp(optarg, "auto") == 0) {
                o->output = -1;
                break;
            }
            o->output = il_output_parse(optarg);
            if (o->output < 0)
                return il_fail(err, IL_ERR_USAGE,
                               "--output '%s': unknown output; expected auto, identity, sigmoid or softmax "
                               "(see 'initlab list outputs')",
                               optarg);
            break;
        case OPT_INIT: st = parse_inits(o, optarg, err); break;
        case OPT_BIAS:
            st = cli_parse_double("--bias", optarg, IL_RANGE_CLOSED(-INFINITY, INFINITY), &o->bias, err);
            break;
        case OPT_EPOCHS:
            st = cli_parse_size("--epochs", optarg, 0, MAX_EPOCHS, &o->epochs, err);
            o->epochs_set = 1;
            break;
        case OPT_LR:
            st = cli_parse_double("--lr", optarg, IL_RANGE_OPEN_LOW(0, INFINITY), &o->sgd.learning_rate, err);
            o->lr_set = 1;
            break;
        case OPT_BATCH:
            /* "full" as in experiment files ([training] batch_size); 0 says the same. */
            if (strcmp(optarg, "full") == 0)
                o->batch = 0;
            else
                st = cli_parse_size("--batch", optarg, 0, SIZE_MAX / 2, &o->batch, err);
            o->batch_set = 1;
            break;
        case OPT_MOMENTUM:
            st = cli_parse_double("--momentum", optarg, IL_RANGE_OPEN_HIGH(0, 1), &o->sgd.momentum, err);
            break;
        case OPT_WEIGHT_DECAY:
            st = cli_parse_double("--weight-decay", optarg, IL_RANGE_CLOSED(0, INFINITY),
                                  &o->sgd.weight_decay, err);
            break;
        case OPT_SEED: st = cli_parse_u64("--seed", optarg, &o->seed, err); break;
        case OPT_SCALE: st = cli_parse_scale(optarg, &o->data_opt.scale, err); break;
        case OPT_MAX_TRAIN:
            st = cli_parse_size("--max-train", optarg, 0, SIZE_MAX / 2, &o->data_opt.max_train, err);
            break;
        case OPT_MAX_TEST:
            st = cli_parse_size("--max-test", optarg, 0, SIZE_MAX / 2, &o->data_opt.max_test, err);
            break;
        case OPT_THREADS: st = cli_parse_size("--threads", optarg, 1, MAX_THREADS, &o->threads, err); break;
        case OPT_CSV: o->csv_path = optarg; break;
        case OPT_SAVE: o->save_path = optarg; break;
        case OPT_EXPORT_CSV: o->export_path = optarg; break;
        case OPT_PROGRESS_EVERY:
            st = cli_parse_size("--progress-every", optarg, 1, MAX_EPOCHS, &o->progress_every, err);
            break;
        case 'q': o->quiet = 1; break;
        case 'h': *help = 1; return IL_OK;
        default: return cli_getopt_error("train", c, argv, err);
        }
    }
    if (st != IL_OK) return st;
    if (optind < argc)
        return il_fail(err, IL_ERR_USAGE,
                       "train: unexpected argument '%s'; every setting is a flag, e.g. --data xor",
                       argv[optind]);
    return IL_OK;
}

/* Checks that need several flags together; still before any work. */
static il_status check_options(train_options *o, il_error *err) {
    if (o->n_inits == 0) {
        /* Default: Xavier/Glorot for sigmoid and tanh units, He for ReLU (the variance each was derived
         * for). */
        o->inits[0].kind = o->act == IL_ACT_RELU ? IL_INIT_HE : IL_INIT_XAVIER;
        o->inits[0].param = il_init_default_param(o->inits[0].kind);
        o->n_inits = 1;
    }
    if (o->n_inits != 1 && o->n_inits != o->n_layers)
        return il_fail(err, IL_ERR_USAGE,
                       "--init '%s': %zu schemes for a network of %zu weight layers; give one scheme for "
                       "all layers or exactly one per layer",
                       o->init_text, o->n_inits, o->n_layers);
    for (size_t i = 0; i < o->n_inits; i++)
        o->inits[i].bias = o->bias;
    if (o->n_inits == 1)
        for (size_t l = 1; l < o->n_layers; l++)
            o->inits[l] = o->inits[0];
    const char *outputs[] = {"--csv", o->csv_path, "--save", o->save_path, "--export-csv", o->export_path};
    for (size_t i = 0; i < 6; i += 2) {
        if (!outputs[i + 1]) continue;
        il_status st = check_output_folder(outputs[i], outputs[i + 1], err);
        if (st != IL_OK) return st;
        for (size_t j = 0; j < i; j += 2)
            if (outputs[j + 1] && strcmp(outputs[i + 1], outputs[j + 1]) == 0)
                return il_fail(err, IL_ERR_USAGE, "%s and %s name the same file '%s'", outputs[j], outputs[i],
                               outputs[i + 1]);
    }
    return IL_OK;
}

/* ---- the run ----------------------------------------------------- */

typedef struct {
    il_data data;
    il_net_spec spec;
    il_net *net;
    il_batch batch;
    size_t *order;     /* (N) permutation of the training examples, reshuffled every epoch */
    size_t batch_size; /* effective: N for full batch */
    cli_metric metric;
    il_atomic_file csv;
    int csv_open;
    /* what the result block reports */
    il_eval train_eval, test_eval;
    size_t distinct, epochs_done, diverged_epoch; /* diverged_epoch 0 = did not diverge */
    double seconds;
} train_run;

static void train_run_free(train_run *r) {
    if (r->csv_open) il_atomic_abort(&r->csv);
    il_net_free(r->net);
    il_batch_free(&r->batch);
    free(r->order);
    il_data_free(&r->data);
}

/* Defaults that depend on the data (documented in the help and docs/cli.md). */
static void resolve_defaults(train_options *o, size_t n_train) {
    int small = n_train <= SMALL_SET;
    if (!o->batch_set) o->batch = small ? 0 : LARGE_BATCH;
    int full = o->batch == 0 || o->batch >= n_train;
    if (!o->lr_set) o->sgd.learning_rate = full ? SMALL_LR : LARGE_LR;
    if (!o->epochs_set) o->epochs = small ? SMALL_EPOCHS : LARGE_EPOCHS;
}

/* Fill the network spec from the flags and the data; a size mismatch is the user's to fix. */
static il_status build_spec(train_run *r, const train_options *o, il_error *err) {
    const il_data *d = &r->data;
    il_net_spec *spec = &r->spec;
    memset(spec, 0, sizeof *spec);
    spec->n_layers = o->n_layers;
    for (size_t l = 0; l <= o->n_layers; l++)
        spec->sizes[l] = o->sizes[l];
    if (o->sizes_given) {
        if (spec->sizes[0] != d->train.d || spec->sizes[o->n_layers] != d->train.t) {
            char hidden[256] = "";
            size_t used = 0;
            for (size_t l = 1; l < o->n_layers && used < sizeof hidden; l++) {
                int n = snprintf(hidden + used, sizeof hidden - used, ",%zu", o->sizes[l]);
                if (n < 0) break;
                used += (size_t)n;
            }
            return il_fail(
                err, IL_ERR_USAGE,
                "--layers '%s': the data '%s' has %zu input%s and %zu output%s, so the list must "
                "start with %zu and end with %zu, e.g. --layers %zu%s,%zu (or give only the hidden "
                "widths with --hidden)",
                o->layers_text, o->data, d->train.d, d->train.d == 1 ? "" : "s", d->train.t,
                d->train.t == 1 ? "" : "s", d->train.d, d->train.t, d->train.d, hidden, d->train.t);
        }
    } else {
        spec->sizes[0] = d->train.d;
        spec->sizes[o->n_layers] = d->train.t;
    }
    for (size_t l = 0; l + 1 < spec->n_layers; l++)
        spec->hidden[l] = o->act;
    spec->output = o->output >= 0 ? (il_output)o->output : cli_output_for(d);
    il_status st = cli_check_output(spec->output, d, err);
    if (st != IL_OK) return st;
    return il_net_spec_check(spec, err);
}

static size_t min_size(size_t a, size_t b) {
    return a < b ? a : b;
}

static il_status allocate(train_run *r, const train_options *o, il_error *err) {
    size_t n = r->data.train.n;
    r->batch_size = o->batch == 0 || o->batch >= n ? n : o->batch;
    /* Evaluation runs in chunks of the net's workspace: make that at least EVAL_BATCH rows. */
    size_t max_batch = r->batch_size;
    size_t largest = n > r->data.test.n ? n : r->data.test.n;
    if (max_batch < min_size(EVAL_BATCH, largest)) max_batch = min_size(EVAL_BATCH, largest);
    il_status st = il_net_create(&r->net, &r->spec, max_batch, err);
    if (st == IL_OK) st = il_batch_alloc(&r->batch, r->batch_size, r->data.train.d, r->data.train.t, err);
    if (st != IL_OK) return st;
    if (n > SIZE_MAX / sizeof *r->order) return il_fail(err, IL_ERR_NOMEM, "training set too large");
    r->order = malloc(n * sizeof *r->order);
    if (!r->order) return il_fail(err, IL_ERR_NOMEM, "out of memory for %zu training examples", n);
    for (size_t i = 0; i < n; i++)
        r->order[i] = i;
    return IL_OK;
}

static void write_csv_header(train_run *r) {
    fprintf(r->csv.f, "epoch,train_loss,test_loss,%s,distinct_units,weight_norm,seconds\n",
            cli_metric_column(r->metric));
}

static void write_csv_row(train_run *r, size_t epoch, int diverged, double seconds) {
    char a[40], b[40], m[40], w[40], s[40];
    FILE *f = r->csv.f;
    if (diverged) {
        /* The run stopped being finite: losses and metric do not exist (empty cells). */
        fprintf(f, "%zu,,,,,,%s\n", epoch, il_csv_number(s, sizeof s, seconds));
        return;
    }
    fprintf(f, "%zu,%s,%s,%s,", epoch, il_csv_number(a, sizeof a, r->train_eval.loss),
            il_csv_number(b, sizeof b, r->test_eval.loss),
            il_csv_number(m, sizeof m, cli_metric_value(r->metric, &r->test_eval, &r->data)));
    if (r->spec.n_layers >= 2) fprintf(f, "%zu", r->distinct);
    fprintf(f, ",%s,%s\n", il_csv_number(w, sizeof w, il_net_weight_norm(r->net)),
            il_csv_number(s, sizeof s, seconds));
}

/* Measure the network after an epoch (epoch 0: the starting weights). */
static void measure(train_run *r) {
    const il_dataset *tr = &r->data.train, *te = &r->data.test;
    r->train_eval = il_net_evaluate(r->net, tr->x, tr->y, tr->n);
    r->test_eval = il_net_evaluate(r->net, te->x, te->y, te->n);
    if (r->spec.n_layers >= 2)
        r->distinct = il_distinct_units(r->net->w[0], r->net->b[0], r->spec.sizes[0], r->spec.sizes[1]);
}

/* One epoch in chunks of whole mini-batches, so the live line can move inside a long epoch and Ctrl-C is
 * seen within a fraction of an epoch. The batches and their order are exactly those of one call over
 * the whole permutation. */
static il_status train_one_epoch(train_run *r, const train_options *o, cli_progress *progress, size_t epoch,
                                 il_error *err) {
    const il_dataset *tr = &r->data.train;
    size_t n = tr->n;
    size_t batches = (n + r->batch_size - 1) / r->batch_size;
    size_t per_chunk = batches / CHUNKS_PER_EPOCH ? batches / CHUNKS_PER_EPOCH : 1;
    size_t chunk = per_chunk * r->batch_size;
    for (size_t done = 0; done < n;) {
        if (cli_interrupted)
            return il_fail(err, IL_ERR_STOPPED, "interrupted in epoch %zu of %zu; no file was written", epoch,
                           o->epochs);
        size_t count = min_size(chunk, n - done);
        double mean_loss;
        il_status st = il_train_epoch(r->net, &r->batch, tr->x, tr->y, count, r->order + done, r->batch_size,
                                      &o->sgd, &mean_loss, err);
        if (st != IL_OK) return st;
        done += count;
        cli_progress_step(progress, epoch, (double)done / (double)n);
    }
    return IL_OK;
}

static il_status run_epochs(train_run *r, const train_options *o, il_error *err) {
    il_rng init_rng, data_rng;
    il_rng_seed(&init_rng, o->seed, IL_STREAM_INIT);
    il_rng_seed(&data_rng, o->seed, IL_STREAM_DATA);
    il_net_init(r->net, o->inits, &init_rng);

    cli_progress progress;
    cli_progress_start(&progress, o->epochs, o->quiet, o->progress_every);
    const char *metric = cli_metric_column(r->metric);
    for (size_t epoch = 0; epoch <= o->epochs; epoch++) {
        if (epoch > 0) {
            il_rng_shuffle(&data_rng, r->order, r->data.train.n);
            il_status st = train_one_epoch(r, o, &progress, epoch, err);
            if (st == IL_ERR_NUMERIC) {
                r->diverged_epoch = epoch;
                r->seconds = cli_now() - progress.start;
                if (r->csv_open) write_csv_row(r, epoch, 1, r->seconds);
                cli_progress_epoch(&progress, epoch, NAN, NAN, metric, NAN);
                cli_progress_end(&progress);
                return IL_OK;
            }
            if (st != IL_OK) {
                cli_progress_end(&progress);
                return st;
            }
        }
        measure(r);
        r->epochs_done = epoch;
        r->seconds = cli_now() - progress.start;
        if (r->csv_open) write_csv_row(r, epoch, 0, r->seconds);
        cli_progress_epoch(&progress, epoch, r->train_eval.loss, r->test_eval.loss, metric,
                           cli_metric_value(r->metric, &r->test_eval, &r->data));
    }
    cli_progress_end(&progress);
    return IL_OK;
}

/* ---- the result block -------------------------------------------- */

/* 1 if every weight into the first hidden layer is exactly zero. */
static int first_layer_all_zero(const il_net *net) {
    size_t n = net->spec.sizes[0] * net->spec.sizes[1];
    for (size_t i = 0; i < n; i++)
        if (net->w[0][i] != 0.0f) return 0;
    return 1;
}

static void print_init(const train_options *o) {
    char text[64];
    il_init_format(&o->inits[0], text, sizeof text);
    printf("%s", text);
    if (o->n_inits > 1)
        for (size_t l = 1; l < o->n_layers; l++) {
            il_init_format(&o->inits[l], text, sizeof text);
            printf("/%s", text);
        }
}

static void print_hidden_units(const train_run *r) {
    size_t units = r->spec.sizes[1];
    printf("  hidden units    %zu distinct of %zu in the first hidden layer", r->distinct, units);
    if (units < 2 || r->distinct == units) {
        printf("\n");
    } else if (first_layer_all_zero(r->net)) {
        printf(" (every weight into them is\n"
               "                  still exactly 0: zero derivatives, the algorithm never moved them,\n"
               "                  ESL 11.5.1 - see docs/diagnostics.md)\n");
    } else if (r->distinct == 1) {
        printf(" (all identical:\n"
               "                  symmetry never broke, the layer computes what one unit could -\n"
               "                  see docs/diagnostics.md)\n");
    } else {
        printf(" (some units are\n"
               "                  exact copies of others: their symmetry never broke - see\n"
               "                  docs/diagnostics.md)\n");
    }
}

static void print_result(const train_run *r, const train_options *o) {
    char net_text[512];
    cli_describe_net(net_text, sizeof net_text, &r->spec);
    printf("Result\n");
    printf("  data            %s: %s\n", r->data.name, r->data.description);
    printf("  network         %s\n", net_text);
    printf("  init            ");
    print_init(o);
    printf(", biases %g, seed %llu\n", o->bias, (unsigned long long)o->seed);
    printf("  training        %zu epoch%s, lr %g, ", o->epochs, o->epochs == 1 ? "" : "s",
           o->sgd.learning_rate);
    if (r->batch_size == r->data.train.n)
        printf("full batch (%zu examples)", r->data.train.n);
    else
        printf("batch %zu of %zu examples", r->batch_size, r->data.train.n);
    printf(", momentum %g, weight decay %g\n", o->sgd.momentum, o->sgd.weight_decay);
    if (r->diverged_epoch) {
        printf("  diverged        in epoch %zu: a loss or a weight became NaN or infinite; nothing after\n"
               "                  it exists. Try a smaller --lr or a smaller initialization.\n",
               r->diverged_epoch);
        return;
    }
    printf("  train loss      %.6g  (on all %zu training examples, final weights)\n", r->train_eval.loss,
           r->data.train.n);
    printf("  test loss       %.6g  (on the %zu test examples)\n", r->test_eval.loss, r->data.test.n);
    double metric = cli_metric_value(r->metric, &r->test_eval, &r->data);
    switch (r->metric) {
    case CLI_METRIC_ACCURACY:
        printf("  test accuracy   %.4f  (%.1f%% of the test examples classified correctly)\n", metric,
               100.0 * metric);
        break;
    case CLI_METRIC_RELATIVE_ERROR:
        printf("  relative error  %.4f  (test mean squared error / noise variance %.4g;\n"
               "                  1 is the Bayes rate, the best any model can do - ESL 11.6)\n",
               metric, r->data.bayes_error);
        break;
    case CLI_METRIC_MSE:
        printf("  test MSE        %.6g  (mean squared error on the test examples)\n", metric);
        break;
    }
    if (r->spec.n_layers >= 2) print_hidden_units(r);
    printf("  weight norm     %.4g  (all weights, biases excluded)\n", il_net_weight_norm(r->net));
    printf("  time            %.2f s\n", r->seconds);
}

static il_status write_outputs(train_run *r, const train_options *o, il_error *err) {
    il_status st = IL_OK;
    if (r->csv_open) {
        r->csv_open = 0;
        st = il_atomic_commit(&r->csv, err);
        if (st != IL_OK) return st;
        printf("  wrote           %s (per-epoch log)\n", o->csv_path);
    }
    if (r->diverged_epoch) return IL_OK;
    if (o->save_path) {
        st = il_model_save(r->net, o->save_path, err);
        if (st != IL_OK) return st;
        printf("  wrote           %s (model; 'initlab eval %s --data %s' reads it)\n", o->save_path,
               o->save_path, o->data);
    }
    if (o->export_path) {
        st = il_model_export_csv(r->net, o->export_path, err);
        if (st != IL_OK) return st;
        printf("  wrote           %s (weights and biases)\n", o->export_path);
    }
    return IL_OK;
}

il_status cli_train(int argc, char **argv, il_error *err) {
    train_options o;
    train_options_default(&o);
    int help = 0;
    il_status st = parse_train_args(&o, argc, argv, &help, err);
    if (st != IL_OK) return st;
    if (help) {
        print_help();
        return IL_OK;
    }
    st = check_options(&o, err);
    if (st != IL_OK) return st;
    o.data_opt.seed = o.seed;
    if (o.threads) il_blas_set_threads((int)o.threads);

    train_run r;
    memset(&r, 0, sizeof r);
    st = il_data_load(&r.data, o.data, &o.data_opt, err);
    if (st == IL_OK) {
        resolve_defaults(&o, r.data.train.n);
        r.metric = cli_metric_for(&r.data);
        st = build_spec(&r, &o, err);
    }
    if (st == IL_OK) st = allocate(&r, &o, err);
    if (st == IL_OK && o.csv_path) {
        st = il_atomic_open(&r.csv, o.csv_path, err);
        if (st == IL_OK) {
            r.csv_open = 1;
            write_csv_header(&r);
        }
    }
    if (st == IL_OK) st = run_epochs(&r, &o, err);
    if (st == IL_OK) {
        print_result(&r, &o);
        st = write_outputs(&r, &o, err);
    }
    if (st == IL_OK && r.diverged_epoch)
        st = il_fail(err, IL_ERR_NUMERIC,
                     "training diverged in epoch %zu (lr %g): a loss or weight became NaN or infinite",
                     r.diverged_epoch, o.sgd.learning_rate);
    train_run_free(&r);
    return st;
}
