/* cmd_train.c - `initlab train`: one training run from flags. The flags build an experiment with one
 * init and one seed (every value checked by the experiment's own key parser, as `initlab run --set`
 * would), the data is loaded once, and the runner's single-run path (il_run_single) trains it: the same
 * loop, epoch order, log points and curves.csv writer as `initlab run`, so both give the same numbers.
 * This file only maps flags, fills the data-dependent defaults, shows progress and prints the result.
 *
 * Order of work: every flag is checked first (a bad value stops here, before any file is touched); then
 * the data is loaded and the layer sizes and output are checked against it; only then does training
 * start. Files are written when the run ends, each whole under its name (Ctrl-C: no file at all).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "core/parse.h"
#include "initlab/blas.h"
#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/init.h"
#include "initlab/model.h"
#include "initlab/runner.h"

/* Defaults that depend on the data (see docs/cli.md): a small set (up to SMALL_SET training examples,
 * like XOR or the ESL simulations) is trained by full-batch gradient descent, a large one (Fashion-MNIST)
 * by mini-batches. Written as the experiment's key values, so the key parser reads them like any flag. */
#define SMALL_SET      1000
#define SMALL_LR       "0.5"
#define SMALL_EPOCHS   "2000"
#define LARGE_LR       "0.1"
#define LARGE_BATCH    "64"
#define LARGE_EPOCHS   "10"
#define DEFAULT_HIDDEN "8"
#define DEFAULT_DATA   "xor"
#define DEFAULT_SEED   "1"
#define MAX_EPOCHS     100000000
#define MAX_THREADS    1024

/* ---- options ----------------------------------------------------- */

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

/* The flags that are experiment keys (docs/config.md): the value goes to the key's own parser. --seed
 * sets the data seed here and the run seed ([seeds] list) beside it; --layers is mapped by hand. */
static const struct {
    int opt;
    const char *flag, *section, *key;
} flag_keys[] = {
    {OPT_DATA, "--data", "data", "source"},
    {OPT_SCALE, "--scale", "data", "scale"},
    {OPT_MAX_TRAIN, "--max-train", "data", "max_train"},
    {OPT_MAX_TEST, "--max-test", "data", "max_test"},
    {OPT_SEED, "--seed", "data", "seed"},
    {OPT_HIDDEN, "--hidden", "network", "hidden"},
    {OPT_ACT, "--act", "network", "activation"},
    {OPT_OUTPUT, "--output", "network", "output"},
    {OPT_EPOCHS, "--epochs", "training", "epochs"},
    {OPT_LR, "--lr", "training", "learning_rate"},
    {OPT_BATCH, "--batch", "training", "batch_size"},
    {OPT_MOMENTUM, "--momentum", "training", "momentum"},
    {OPT_WEIGHT_DECAY, "--weight-decay", "training", "weight_decay"},
    {OPT_INIT, "--init", "inits", "list"},
    {OPT_BIAS, "--bias", "inits", "bias"},
};

typedef struct {
    il_experiment *exp; /* one init, one seed; logs every epoch */
    /* --layers: every size from inputs to outputs, the ends checked against the data once loaded */
    int layers_given;
    size_t sizes[IL_MAX_LAYERS + 1];
    size_t n_sizes;
    const char *layers_text;
    int init_given, epochs_given, lr_given, batch_given;
    size_t threads; /* --threads, 0 = leave the BLAS default */
    size_t progress_every;
    int quiet;
    const char *csv_path, *save_path, *export_path;
} train_options;

static void print_help(void) {
    printf("Usage: initlab train [OPTIONS]\n"
           "\n"
           "Train one network on one dataset by gradient descent and report its loss and accuracy.\n"
           "The flags make a one-init, one-seed experiment that trains exactly as 'initlab run' does\n"
           "(same epoch order, same batches, same log): each flag sets the experiment key shown in\n"
           "brackets (docs/config.md), with that key's checks. A progress line per epoch goes to stderr,\n"
           "the result block to stdout.\n"
           "\n"
           "Data:\n"
           "  --data SPEC          [data] source: a source from 'initlab list datasets', NAME or\n"
           "                       NAME:key=value,..., or the path of a CSV file or image folder\n"
           "                       (default: %s)\n"
           "  --scale MODE         [data] scale: standardize (the default): every input to mean 0, sd 1\n"
           "                       with training statistics (ESL 11.5.3); unit: to [0, 1] (pixels / 255);\n"
           "                       none: as loaded; auto: unit for image sources, standardize for the rest\n"
           "  --max-train N        [data] max_train: keep only the first N training examples (0 = all)\n"
           "  --max-test N         [data] max_test: keep only the first N test examples (0 = all)\n"
           "\n"
           "Network:\n"
           "  --layers LIST        every layer size from inputs to outputs, e.g. 2,8,1; the first must be\n"
           "                       the data's number of inputs and the last its number of outputs\n"
           "  --hidden LIST        [network] hidden: only the hidden widths, e.g. 8 or 256,128 ('none'\n"
           "                       for no hidden layer); the ends come from the data (default: %s)\n"
           "  --act NAME           [network] activation: sigmoid, tanh, relu or identity (default sigmoid)\n"
           "  --output NAME        [network] output: identity (squared error), sigmoid (binary\n"
           "                       cross-entropy) or softmax (cross-entropy); default auto, from the data\n"
           "\n"
           "Initialization:\n"
           "  --init SCHEME[:P]    [inits] list, one init: see 'initlab list inits' (default xavier, or he\n"
           "                       with --act relu); one scheme per layer joined by '/', e.g. xavier/he\n"
           "  --bias B             [inits] bias: every bias starts at B (default 0)\n"
           "\n"
           "Training:\n"
           "  --epochs N           [training] epochs: passes over the training set, at least 1 (default\n"
           "                       %s for sets of up to %d examples, else %s)\n"
           "  --lr RATE            [training] learning_rate, above 0 up to 1000 (default %s with full\n"
           "                       batches, %s with mini-batches)\n"
           "  --batch N            [training] batch_size; 0 or full = full batch (default full up to %d\n"
           "                       examples, else %s)\n"
           "  --momentum MU        [training] momentum in [0, 1) (default 0: plain gradient descent)\n"
           "  --weight-decay L     [training] weight_decay: adds L * sum of squared weights to the loss\n"
           "                       (default 0)\n"
           "  --seed S             [seeds] list = S and [data] seed = S: the starting weights, the data\n"
           "                       order and any generated data (default %s)\n"
           "  --threads N          BLAS threads (default: the BLAS library's own choice)\n"
           "\n",
           DEFAULT_DATA, DEFAULT_HIDDEN, SMALL_EPOCHS, SMALL_SET, LARGE_EPOCHS, SMALL_LR, LARGE_LR, SMALL_SET,
           LARGE_BATCH, DEFAULT_SEED);
    printf(
        "Output:\n"
        "  --csv FILE           the run's curves.csv: a row per epoch (epoch 0 is the starting point)\n"
        "                       with init,seed,epoch,step, the losses, test accuracy or error and the\n"
        "                       diagnostics (linearity, norms, saturated, dead, distinct_units), the\n"
        "                       columns of 'initlab run' (docs/results.md)\n"
        "  --save MODEL         save the trained network ('initlab eval MODEL' reads it back)\n"
        "  --export-csv FILE    every weight and bias as CSV: layer,kind,row,col,value\n"
        "  --progress-every N   without a terminal, a progress line every N epochs (default 1)\n"
        "  -q, --quiet          no progress on stderr (errors are still reported)\n"
        "  -h, --help           show this help\n"
        "\n"
        "Files appear whole under their names when the run ends, or not at all (Ctrl-C, errors).\n"
        "Same seed, flags and --threads => the same numbers, bit for bit, and the same curves as\n"
        "'initlab run' of the same experiment; use --threads 1 to compare runs across machines.\n"
        "Exit status: 0 success, 1 runtime error (a file, a diverged run, Ctrl-C), 2 usage error.\n"
        "\n"
        "Examples:\n"
        "  initlab train --init he                  XOR, 2-8-1 sigmoid net: 100%% accuracy\n"
        "  initlab train --init zero                XOR from zero weights: the hidden units stay identical\n"
        "  initlab train --init uniform:0.7 --act tanh --csv xor.csv\n"
        "  initlab train --data esl-sigmoids --hidden 10 --weight-decay 0.0005 --init uniform\n"
        "  initlab train --data fashion-mnist --layers 784,256,128,10 --act relu --init he --epochs 5\n");
}

/* The experiment before any flag: train's own defaults over the key defaults. */
static il_status train_options_default(train_options *o, il_error *err) {
    il_experiment *exp = o->exp;
    il_experiment_default(exp);
    /* Standardized inputs for every source, images too (ESL 11.5.3): measured on Fashion-MNIST,
     * 784-256-128-10 ReLU/He, 5 epochs, batch 64, lr 0.1, it reaches 0.88 test accuracy against 0.83 with
     * pixels in [0, 1]. Every epoch is a log point: the progress line and the CSV show each one. */
    static const char *const defaults[][3] = {
        {"experiment", "name", "train"},  {"data", "source", DEFAULT_DATA},
        {"data", "scale", "standardize"}, {"data", "seed", DEFAULT_SEED},
        {"seeds", "list", DEFAULT_SEED},  {"network", "hidden", DEFAULT_HIDDEN},
        {"logging", "every_epochs", "1"}, {"logging", "every_steps", "0"},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
        il_status st = il_experiment_set_key(exp, defaults[i][0], defaults[i][1], defaults[i][2], NULL, err);
        if (st != IL_OK) return st;
    }
    o->progress_every = 1;
    return IL_OK;
}

/* --layers 2,8,1: the hidden widths go to [network] hidden, the ends are checked once the data is known. */
static il_status apply_layers(train_options *o, const char *text, il_error *err) {
    il_status st = il__parse_size_list(text, IL_WHOLE(1, IL_MAX_WIDTH), IL_MAX_LAYERS + 1, "--layers",
                                       o->sizes, &o->n_sizes, err);
    if (st != IL_OK) return st;
    if (o->n_sizes < 2)
        return il_fail(err, IL_ERR_USAGE,
                       "--layers '%s': give every layer size from inputs to outputs (at least two, e.g. "
                       "2,8,1), or only the hidden widths with --hidden %s",
                       text, text);
    char hidden[IL_MAX_LAYERS * 12] = "0"; /* "0": no hidden layer */
    size_t used = 0;
    for (size_t l = 1; l + 1 < o->n_sizes; l++) {
        int n = snprintf(hidden + used, sizeof hidden - used, "%s%zu", l > 1 ? "," : "", o->sizes[l]);
        if (n < 0 || (size_t)n >= sizeof hidden - used)
            return il_fail(err, IL_ERR_USAGE, "--layers '%s': too many layers", text);
        used += (size_t)n;
    }
    st = il_experiment_set_key(o->exp, "network", "hidden", hidden, "--layers", err);
    if (st != IL_OK) return st;
    o->layers_given = 1;
    o->layers_text = text;
    return IL_OK;
}

/* One flag that is an experiment key. */
static il_status apply_key_flag(train_options *o, int c, const char *value, il_error *err) {
    for (size_t i = 0; i < sizeof flag_keys / sizeof *flag_keys; i++) {
        if (flag_keys[i].opt != c) continue;
        il_status st = il_experiment_set_key(o->exp, flag_keys[i].section, flag_keys[i].key, value,
                                             flag_keys[i].flag, err);
        if (st == IL_OK && c == OPT_SEED)
            st = il_experiment_set_key(o->exp, "seeds", "list", value, "--seed", err);
        if (st == IL_OK && c == OPT_INIT && o->exp->n_inits != 1)
            st = il_fail(err, IL_ERR_USAGE,
                         "--init '%s': names %zu inits; train trains one (compare several with "
                         "'initlab run' and [inits] list)",
                         value, o->exp->n_inits);
        if (c == OPT_HIDDEN) o->layers_given = 0;
        if (c == OPT_INIT) o->init_given = 1;
        if (c == OPT_EPOCHS) o->epochs_given = 1;
        if (c == OPT_LR) o->lr_given = 1;
        if (c == OPT_BATCH) o->batch_given = 1;
        return st;
    }
    return il_fail(err, IL_ERR_USAGE, "train: flag %d has no key", c);
}

/* Parse argv into o; *help is set when --help was asked for (nothing else is done then). */
static il_status parse_train_args(train_options *o, int argc, char **argv, int *help, il_error *err) {
    int c;
    il_status st = IL_OK;
    opterr = 0;
    while (st == IL_OK && (c = getopt_long(argc, argv, ":qh", train_flags, NULL)) != -1) {
        switch (c) {
        case OPT_LAYERS: st = apply_layers(o, optarg, err); break;
        case OPT_THREADS: st = cli_parse_size("--threads", optarg, 1, MAX_THREADS, &o->threads, err); break;
        case OPT_CSV: o->csv_path = optarg; break;
        case OPT_SAVE: o->save_path = optarg; break;
        case OPT_EXPORT_CSV: o->export_path = optarg; break;
        case OPT_PROGRESS_EVERY:
            st = cli_parse_size("--progress-every", optarg, 1, MAX_EPOCHS, &o->progress_every, err);
            break;
        case 'q': o->quiet = 1; break;
        case 'h': *help = 1; return IL_OK;
        case '?':
        case ':': return cli_getopt_error("train", c, argv, err);
        default: st = apply_key_flag(o, c, optarg, err);
        }
    }
    if (st != IL_OK) return st;
    if (optind < argc)
        return il_fail(err, IL_ERR_USAGE,
                       "train: unexpected argument '%s'; every setting is a flag, e.g. --data xor",
                       argv[optind]);
    return IL_OK;
}

/* An output file must be one that can be written, which is checked before the data is loaded so that
 * a typo or an unwritable folder costs nothing: the path is not a folder, its folder exists, and a
 * file can be created there (tried for real, as the atomic write will: a permission check alone
 * misses read-only file systems and is always yes for root). */
static il_status check_output_folder(const char *flag, const char *path, il_error *err) {
    if (!*path) return il_fail(err, IL_ERR_USAGE, "%s: the file name is empty", flag);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return il_fail(err, IL_ERR_IO, "%s %s: is a folder; give a file name", flag, path);
    const char *slash = strrchr(path, '/');
    size_t len = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *folder = malloc(len + 1);
    char *probe = malloc(len + 32);
    if (!folder || !probe) {
        free(folder);
        free(probe);
        return il_fail(err, IL_ERR_NOMEM, "out of memory");
    }
    memcpy(folder, slash ? path : ".", len);
    folder[len] = '\0';
    il_status status = IL_OK;
    if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode)) {
        status = il_fail(err, IL_ERR_IO, "%s %s: the folder '%s' does not exist", flag, path, folder);
    } else {
        snprintf(probe, len + 32, "%s/.initlab-probe.tmp.XXXXXX", folder);
        int fd = mkstemp(probe);
        if (fd < 0) {
            status = il_fail(err, IL_ERR_IO, "%s %s: cannot write into the folder '%s': %s", flag, path,
                             folder, strerror(errno));
        } else {
            close(fd);
            unlink(probe);
        }
    }
    free(folder);
    free(probe);
    return status;
}

/* Checks that need several flags together; still before any work. */
static il_status check_options(train_options *o, il_error *err) {
    il_status st = IL_OK;
    if (!o->init_given) {
        /* Default: Xavier/Glorot for sigmoid and tanh units, He for ReLU (the variance each was derived
         * for). */
        const char *init = o->exp->activation == IL_ACT_RELU ? "he" : "xavier";
        st = il_experiment_set_key(o->exp, "inits", "list", init, "--init", err);
    }
    if (st == IL_OK) st = il_experiment_check(o->exp, err);
    if (st != IL_OK) return st;
    const char *outputs[] = {"--csv", o->csv_path, "--save", o->save_path, "--export-csv", o->export_path};
    for (size_t i = 0; i < 6; i += 2) {
        if (!outputs[i + 1]) continue;
        st = check_output_folder(outputs[i], outputs[i + 1], err);
        if (st != IL_OK) return st;
        for (size_t j = 0; j < i; j += 2)
            if (outputs[j + 1] && strcmp(outputs[i + 1], outputs[j + 1]) == 0)
                return il_fail(err, IL_ERR_USAGE, "%s and %s name the same file '%s'", outputs[j], outputs[i],
                               outputs[i + 1]);
    }
    return IL_OK;
}

/* ---- after the data is loaded ------------------------------------ */

/* Defaults that depend on the data (documented in the help and docs/cli.md), as key values. */
static il_status resolve_defaults(train_options *o, size_t n_train, il_error *err) {
    il_experiment *exp = o->exp;
    int small = n_train <= SMALL_SET;
    il_status st = IL_OK;
    if (!o->batch_given)
        st = il_experiment_set_key(exp, "training", "batch_size", small ? "full" : LARGE_BATCH, "--batch",
                                   err);
    int full = exp->batch_size == 0 || exp->batch_size >= n_train;
    if (st == IL_OK && !o->lr_given)
        st = il_experiment_set_key(exp, "training", "learning_rate", full ? SMALL_LR : LARGE_LR, "--lr", err);
    if (st == IL_OK && !o->epochs_given)
        st = il_experiment_set_key(exp, "training", "epochs", small ? SMALL_EPOCHS : LARGE_EPOCHS, "--epochs",
                                   err);
    if (st == IL_OK) st = il_experiment_check(exp, err);
    return st;
}

/* The network the runner will build, checked against the flags: --layers ends and --output. */
static il_status check_network(const train_options *o, const il_data *d, il_net_spec *spec, il_error *err) {
    if (o->layers_given && (o->sizes[0] != d->train.d || o->sizes[o->n_sizes - 1] != d->train.t)) {
        char hidden[256] = "";
        size_t used = 0;
        for (size_t l = 1; l + 1 < o->n_sizes && used < sizeof hidden; l++) {
            int n = snprintf(hidden + used, sizeof hidden - used, ",%zu", o->sizes[l]);
            if (n < 0) break;
            used += (size_t)n;
        }
        return il_fail(err, IL_ERR_USAGE,
                       "--layers '%s': the data '%s' has %zu input%s and %zu output%s, so the list must "
                       "start with %zu and end with %zu, e.g. --layers %zu%s,%zu (or give only the hidden "
                       "widths with --hidden)",
                       o->layers_text, o->exp->data, d->train.d, d->train.d == 1 ? "" : "s", d->train.t,
                       d->train.t == 1 ? "" : "s", d->train.d, d->train.t, d->train.d, hidden, d->train.t);
    }
    il_status st = il_run_net_spec(o->exp, d, spec, err);
    if (st == IL_OK) st = cli_check_output(spec->output, NULL, d, err);
    return st;
}

/* ---- progress ---------------------------------------------------- */

typedef struct {
    cli_progress progress;
    cli_metric metric;
    double last_epoch; /* of the last progress line, -1 before the first */
} train_watch;

/* The test metric of a log point, as the result block and the progress line name it. */
static double point_metric(cli_metric metric, const il_run_point *p) {
    switch (metric) {
    case CLI_METRIC_ACCURACY: return p->test_accuracy;
    case CLI_METRIC_RELATIVE_ERROR: return p->relative_test_error;
    case CLI_METRIC_MSE: return p->test_mse;
    }
    return NAN;
}

static void on_log(void *ctx, const il_run_point *point, const il_probe_layer *layers, size_t n_layers) {
    (void)layers;
    (void)n_layers;
    train_watch *w = ctx;
    w->last_epoch = point->epoch;
    cli_progress_epoch(&w->progress, (size_t)point->epoch, point->train_loss, point->test_loss,
                       cli_metric_column(w->metric), point_metric(w->metric, point));
}

static void on_step(void *ctx, size_t epoch, double fraction) {
    train_watch *w = ctx;
    cli_progress_step(&w->progress, epoch, fraction);
}

/* ---- the result block -------------------------------------------- */

/* 1 if every weight into the first hidden layer is exactly zero. */
static int first_layer_all_zero(const il_net *net) {
    size_t n = net->spec.sizes[0] * net->spec.sizes[1];
    for (size_t i = 0; i < n; i++)
        if (net->w[0][i] != 0.0f) return 0;
    return 1;
}

static void print_init(const il_init_entry *init, size_t n_layers) {
    char text[64];
    size_t n = init->n_specs > 1 ? n_layers : 1;
    for (size_t l = 0; l < n; l++) {
        il_init_format(&init->layer[l], text, sizeof text);
        printf("%s%s", l ? "/" : "", text);
    }
}

static void print_hidden_units(const il_probe_layer *first, const il_net *net) {
    size_t units = first->units, distinct = first->distinct_units;
    printf("  hidden units    %zu distinct of %zu in the first hidden layer", distinct, units);
    if (units < 2 || distinct == units) {
        printf("\n");
    } else if (first_layer_all_zero(net)) {
        printf(" (every weight into them is\n"
               "                  still exactly 0: zero derivatives, the algorithm never moved them,\n"
               "                  ESL 11.5.1 - see docs/diagnostics.md)\n");
    } else if (distinct == 1) {
        printf(" (all identical:\n"
               "                  symmetry never broke, the layer computes what one unit could -\n"
               "                  see docs/diagnostics.md)\n");
    } else {
        printf(" (some units are\n"
               "                  exact copies of others: their symmetry never broke - see\n"
               "                  docs/diagnostics.md)\n");
    }
}

/* The result block from what the run logged: its last point and, for the symmetry note, the network. */
static void print_result(const train_options *o, const il_data *d, const il_run_log *log,
                         const il_run_outcome *outcome, cli_metric metric) {
    const il_experiment *exp = o->exp;
    const il_net_spec *spec = &log->net->spec;
    char net_text[512];
    cli_describe_net(net_text, sizeof net_text, spec);
    printf("Result\n");
    printf("  data            %s: %s\n", d->name, d->description);
    printf("  network         %s\n", net_text);
    printf("  init            ");
    print_init(&exp->inits[0], spec->n_layers);
    printf(", biases %g, seed %llu\n", exp->inits[0].layer[0].bias, (unsigned long long)exp->seeds[0]);
    printf("  training        %zu epoch%s, lr %g, ", exp->epochs, exp->epochs == 1 ? "" : "s",
           exp->sgd.learning_rate);
    size_t n = d->train.n;
    if (exp->batch_size == 0 || exp->batch_size >= n)
        printf("full batch (%zu examples)", n);
    else
        printf("batch %zu of %zu examples", exp->batch_size, n);
    printf(", momentum %g, weight decay %g\n", exp->sgd.momentum, exp->sgd.weight_decay);
    if (outcome->status == IL_RUN_DIVERGED) {
        printf("  diverged        in epoch %g: a loss or a weight became NaN, infinite or above %g;\n"
               "                  nothing after it exists. Try a smaller --lr or a smaller initialization.\n",
               outcome->diverged_epoch, exp->divergence_loss);
        return;
    }
    const il_run_point *last = &log->points[log->n_points - 1];
    printf("  train loss      %.6g  (on all %zu training examples, final weights)\n", last->train_loss, n);
    printf("  test loss       %.6g  (on the %zu test examples)\n", last->test_loss, d->test.n);
    double value = point_metric(metric, last);
    switch (metric) {
    case CLI_METRIC_ACCURACY:
        printf("  test accuracy   %.4f  (%.1f%% of the test examples classified correctly)\n", value,
               100.0 * value);
        break;
    case CLI_METRIC_RELATIVE_ERROR:
        printf("  relative error  %.4f  (test mean squared error / noise variance %.4g;\n"
               "                  1 is the Bayes rate, the best any model can do - ESL 11.6)\n",
               value, d->bayes_error);
        break;
    case CLI_METRIC_MSE:
        printf("  test MSE        %.6g  (mean squared error on the test examples)\n", value);
        break;
    }
    if (spec->n_layers >= 2) print_hidden_units(&log->layers[(log->n_points - 1) * log->n_layers], log->net);
    printf("  weight norm     %.4g  (all weights, biases excluded)\n", last->probe.weight_norm);
    printf("  time            %.2f s\n", outcome->seconds);
}

static il_status write_outputs(const train_options *o, const il_run_log *log, const il_run_outcome *outcome,
                               il_error *err) {
    if (cli_interrupted) return il_fail(err, IL_ERR_STOPPED, "interrupted; no file was written");
    il_status st = IL_OK;
    if (o->csv_path) {
        st = il_run_log_write_curves(log, o->csv_path, err);
        if (st != IL_OK) return st;
        printf("  wrote           %s (the run's curves.csv, docs/results.md)\n", o->csv_path);
    }
    if (outcome->status == IL_RUN_DIVERGED) return IL_OK; /* a network that is not finite is not saved */
    if (o->save_path) {
        st = il_model_save(log->net, o->save_path, err);
        if (st != IL_OK) return st;
        printf("  wrote           %s (model; 'initlab eval %s --data %s' reads it)\n", o->save_path,
               o->save_path, o->exp->data);
    }
    if (o->export_path) {
        st = il_model_export_csv(log->net, o->export_path, err);
        if (st != IL_OK) return st;
        printf("  wrote           %s (weights and biases)\n", o->export_path);
    }
    return IL_OK;
}

/* Train the experiment of the flags on the loaded data through the runner, then report. */
static il_status train_and_report(const train_options *o, const il_data *data, il_error *err) {
    train_watch watch;
    watch.metric = cli_metric_for(data);
    watch.last_epoch = -1;
    cli_progress_start(&watch.progress, o->exp->epochs, o->quiet, o->progress_every);
    il_run_log log;
    il_run_observer observer = {.ctx = &watch, .on_step = on_step, .on_log = on_log, .keep = &log};
    il_run_outcome outcome;
    il_status st =
        il_run_single(o->exp, data, 0, o->exp->seeds[0], NULL, 1, &cli_interrupted, &observer, &outcome, err);
    /* The epoch that diverged, unless its point was logged (a finite loss above divergence_loss). */
    if (st == IL_OK && outcome.status == IL_RUN_DIVERGED && watch.last_epoch != outcome.diverged_epoch)
        cli_progress_epoch(&watch.progress, (size_t)outcome.diverged_epoch, NAN, NAN,
                           cli_metric_column(watch.metric), NAN);
    cli_progress_end(&watch.progress);
    if (st == IL_ERR_STOPPED) return il_fail(err, IL_ERR_STOPPED, "interrupted; no file was written");
    if (st != IL_OK) return st;
    print_result(o, data, &log, &outcome, watch.metric);
    st = write_outputs(o, &log, &outcome, err);
    if (st == IL_OK && outcome.status == IL_RUN_DIVERGED)
        st = il_fail(err, IL_ERR_NUMERIC,
                     "training diverged in epoch %g (lr %g): a loss or weight became NaN, infinite or above "
                     "%g",
                     outcome.diverged_epoch, o->exp->sgd.learning_rate, o->exp->divergence_loss);
    il_run_log_free(&log);
    return st;
}

il_status cli_train(int argc, char **argv, il_error *err) {
    train_options o;
    memset(&o, 0, sizeof o);
    o.exp = malloc(sizeof *o.exp);
    if (!o.exp) return il_fail(err, IL_ERR_NOMEM, "train: out of memory");
    int help = 0;
    il_status st = train_options_default(&o, err);
    if (st == IL_OK) st = parse_train_args(&o, argc, argv, &help, err);
    if (st == IL_OK && help) {
        print_help();
        free(o.exp);
        return IL_OK;
    }
    if (st == IL_OK) st = check_options(&o, err);
    if (st != IL_OK) {
        free(o.exp);
        return st;
    }
    if (o.threads) il_blas_set_threads((int)o.threads);

    il_data data;
    memset(&data, 0, sizeof data);
    st = il_data_load(&data, o.exp->data, &o.exp->data_opt, err);
    il_net_spec spec;
    if (st == IL_OK) st = resolve_defaults(&o, data.train.n, err);
    if (st == IL_OK) st = check_network(&o, &data, &spec, err);
    if (st == IL_OK) st = train_and_report(&o, &data, err);
    il_data_free(&data);
    free(o.exp);
    return st;
}
