/* cmd_eval.c - `initlab eval MODEL --data SPEC`: the loss and accuracy (or relative error) of a model
 * saved by `initlab train --save` on the training and test sets of a dataset. Changes nothing.
 * The data must be prepared as it was for training: the same spec, --scale and --seed.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "initlab/blas.h"
#include "initlab/data.h"
#include "initlab/model.h"
#include "initlab/train.h"

#define EVAL_BATCH  1024
#define MAX_THREADS 1024

enum { OPT_DATA = 256, OPT_SCALE, OPT_MAX_TRAIN, OPT_MAX_TEST, OPT_SEED, OPT_THREADS };

static const struct option eval_flags[] = {
    {"data", required_argument, NULL, OPT_DATA},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"max-train", required_argument, NULL, OPT_MAX_TRAIN},
    {"max-test", required_argument, NULL, OPT_MAX_TEST},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_help(void) {
    printf("Usage: initlab eval MODEL [OPTIONS]\n"
           "\n"
           "Evaluate a network saved by 'initlab train --save MODEL' on a dataset's training and test\n"
           "sets: loss, and accuracy (classification) or relative test error (ESL regression).\n"
           "Prepare the data as for training: the same --data, --scale and --seed.\n"
           "\n"
           "Options:\n"
           "  --data SPEC     the dataset, as for 'initlab train' (default: xor)\n"
           "  --scale MODE    standardize (the default, as for train), unit, none or auto\n"
           "  --max-train N   evaluate only the first N training examples (0 = all)\n"
           "  --max-test N    evaluate only the first N test examples (0 = all)\n"
           "  --seed S        seed of generated data and of the train/test split (default 1)\n"
           "  --threads N     BLAS threads (default: the BLAS library's own choice)\n"
           "  -h, --help      show this help\n"
           "\n"
           "Example:\n"
           "  initlab train --init he --save xor.model && initlab eval xor.model --data xor\n");
}

static void print_set(const char *which, const il_eval *ev, size_t n, cli_metric metric,
                      const il_data *data) {
    printf("  %-5s loss %.6g on %zu examples", which, ev->loss, n);
    double value = cli_metric_value(metric, ev, data);
    switch (metric) {
    case CLI_METRIC_ACCURACY: printf(", accuracy %.4f (%.1f%% correct)\n", value, 100.0 * value); break;
    case CLI_METRIC_RELATIVE_ERROR:
        printf(", relative error %.4f (mean squared error / noise variance)\n", value);
        break;
    case CLI_METRIC_MSE: printf(", mean squared error %.6g\n", value); break;
    }
}

il_status cli_eval(int argc, char **argv, il_error *err) {
    const char *spec = "xor";
    il_data_options opt;
    il_data_options_default(&opt);
    opt.scale = IL_SCALE_STANDARDIZE; /* as `initlab train` prepares data by default */
    size_t threads = 0;
    il_status st = IL_OK;
    int c;
    opterr = 0;
    while (st == IL_OK && (c = getopt_long(argc, argv, ":h", eval_flags, NULL)) != -1) {
        switch (c) {
        case OPT_DATA: spec = optarg; break;
        case OPT_SCALE: st = cli_parse_scale(optarg, &opt.scale, err); break;
        case OPT_MAX_TRAIN:
            st = cli_parse_size("--max-train", optarg, 0, SIZE_MAX / 2, &opt.max_train, err);
            break;
        case OPT_MAX_TEST:
            st = cli_parse_size("--max-test", optarg, 0, SIZE_MAX / 2, &opt.max_test, err);
            break;
        case OPT_SEED: st = cli_parse_u64("--seed", optarg, &opt.seed, err); break;
        case OPT_THREADS: st = cli_parse_size("--threads", optarg, 1, MAX_THREADS, &threads, err); break;
        case 'h': print_help(); return IL_OK;
        default: return cli_getopt_error("eval", c, argv, err);
        }
    }
    if (st != IL_OK) return st;
    if (optind >= argc) return il_fail(err, IL_ERR_USAGE, "eval: which model? e.g. initlab eval xor.model");
    if (argc - optind > 1)
        return il_fail(err, IL_ERR_USAGE, "eval: one model at a time; got '%s' and '%s'", argv[optind],
                       argv[optind + 1]);
    const char *model_path = argv[optind];
    if (threads) il_blas_set_threads((int)threads);

    il_net *net = NULL;
    il_data data;
    memset(&data, 0, sizeof data);
    st = il_model_load(&net, model_path, EVAL_BATCH, err);
    if (st == IL_OK) st = il_data_load(&data, spec, &opt, err);
    if (st == IL_OK) {
        const il_net_spec *s = &net->spec;
        if (s->sizes[0] != data.train.d || s->sizes[s->n_layers] != data.train.t)
            st = il_fail(err, IL_ERR_USAGE,
                         "eval: the model %s takes %zu inputs and gives %zu outputs, but the data '%s' has "
                         "%zu inputs and %zu outputs",
                         model_path, s->sizes[0], s->sizes[s->n_layers], spec, data.train.d, data.train.t);
    }
    if (st == IL_OK) st = cli_check_output(net->spec.output, model_path, &data, err);
    if (st == IL_OK) {
        cli_metric metric = cli_metric_for(&data);
        il_eval train = il_net_evaluate(net, data.train.x, data.train.y, data.train.n);
        il_eval test = il_net_evaluate(net, data.test.x, data.test.y, data.test.n);
        char net_text[512];
        cli_describe_net(net_text, sizeof net_text, &net->spec);
        printf("Evaluation of %s on %s (%s)\n", model_path, data.name, data.description);
        printf("  network %s\n", net_text);
        print_set("train", &train, data.train.n, metric, &data);
        print_set("test", &test, data.test.n, metric, &data);
    }
    il_net_free(net);
    il_data_free(&data);
    return st;
}
