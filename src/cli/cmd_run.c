/* cmd_run.c - `initlab run [EXPERIMENT.ini]`: the same network under every initializer of an experiment,
 * over its seeds, into one results folder, then the summary table on stdout. With no file it runs the
 * embedded default experiment (ESL sum of sigmoids, five inits, ten seeds). The work is
 * il_run_experiment (src/runner/runner.c); this file reads the flags, applies them over the file's keys and
 * shows progress on stderr. docs/cli.md lists the flags, docs/config.md the keys they override.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "initlab/experiment.h"
#include "initlab/results.h"
#include "initlab/runner.h"

enum {
    OPT_EPOCHS = 256,
    OPT_SEEDS,
    OPT_OUT,
    OPT_JOBS,
    OPT_SET,
    OPT_RESUME,
    OPT_SHARD,
    OPT_NO_TIMING,
    OPT_QUIET
};

static const struct option run_flags[] = {
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"seeds", required_argument, NULL, OPT_SEEDS},
    {"out", required_argument, NULL, OPT_OUT},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"set", required_argument, NULL, OPT_SET},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"no-timing", no_argument, NULL, OPT_NO_TIMING},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_help(void) {
    printf("Usage: initlab run [EXPERIMENT.ini] [OPTIONS]\n"
           "\n"
           "Train the same network on the same data, in the same order, under every initialization the\n"
           "experiment lists, over its seeds; log losses and diagnostics (saturation, linearity R^2,\n"
           "distinct units, ...) at epoch 0 and after; print one summary row per initialization.\n"
           "Without a file: the default experiment (ESL sum of sigmoids, 10 sigmoid hidden units,\n"
           "full-batch gradient descent, inits zero, uniform, xavier, he, large, 10 seeds).\n"
           "\n"
           "Options (each overrides a key of the file; docs/config.md lists every key):\n"
           "  --epochs N           [training] epochs\n"
           "  --seeds N            [seeds] count: run seeds 1..N\n"
           "  --set SECTION.KEY=VALUE\n"
           "                       any key, e.g. --set training.learning_rate=0.1 (repeatable)\n"
           "  --out DIR            the results folder, exactly (default: [output] dir/NAME-DATE-TIME);\n"
           "                       a folder holding results is never overwritten\n"
           "  --jobs N             runs at once, one BLAS thread each (default: [output] jobs, 0 = cores)\n"
           "  --resume             continue the folder given by --out: finished runs are kept and skipped\n"
           "  --shard K/N          run only slice K of N of the plan (merge slices with 'initlab merge')\n"
           "  --no-timing          leave wall-clock seconds out, so two invocations give identical files\n"
           "  -q, --quiet          no progress lines on stderr\n"
           "  -h, --help           show this help\n"
           "\n"
           "Examples:\n"
           "  initlab run                                   the default experiment, summary on stdout\n"
           "  initlab run experiments/02-near-linear-start.ini --out results/linear\n"
           "  initlab run --seeds 3 --set network.hidden=2 --out results/two-units\n"
           "  initlab report results/linear                 figures and an HTML page of a results folder\n"
           "\n"
           "Ctrl-C stops cleanly: finished runs are kept; run again with --resume --out DIR.\n"
           "Results: docs/results.md explains every file and column.\n");
}

static void show_progress(void *ctx, const char *line) {
    (void)ctx;
    fprintf(stderr, "run: %s\n", line);
}

/* "K/N" with 1 <= K <= N. */
static il_status parse_shard(const char *text, size_t *k, size_t *n, il_error *err) {
    const char *slash = strchr(text, '/');
    char left[32];
    if (!slash || (size_t)(slash - text) >= sizeof left)
        return il_fail(err, IL_ERR_USAGE,
                       "--shard '%s': expected K/N, e.g. 2/4 for the second of four slices", text);
    memcpy(left, text, (size_t)(slash - text));
    left[slash - text] = '\0';
    il_status st = cli_parse_size("--shard", slash + 1, 1, 1000000, n, err);
    if (st == IL_OK) st = cli_parse_size("--shard", left, 1, *n, k, err);
    if (st != IL_OK)
        return il_fail(err, IL_ERR_USAGE, "--shard '%s': expected K/N with 1 <= K <= N, e.g. 2/4", text);
    return IL_OK;
}

il_status cli_run(int argc, char **argv, il_error *err) {
    il_runner_options opt;
    il_runner_options_default(&opt);
    const char *epochs = NULL, *seeds = NULL, *out = NULL, *jobs = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets) return il_fail(err, IL_ERR_NOMEM, "run: out of memory");
    size_t n_sets = 0;
    int quiet = 0, c;
    il_status st = IL_OK;
    opterr = 0;
    optind = 1;
    while (st == IL_OK && (c = getopt_long(argc, argv, ":hq", run_flags, NULL)) != -1) {
        switch (c) {
        case OPT_EPOCHS: epochs = optarg; break;
        case OPT_SEEDS: seeds = optarg; break;
        case OPT_OUT: out = optarg; break;
        case OPT_JOBS: jobs = optarg; break;
        case OPT_SET: sets[n_sets++] = optarg; break;
        case OPT_RESUME: opt.resume = 1; break;
        case OPT_SHARD: st = parse_shard(optarg, &opt.shard_k, &opt.shard_n, err); break;
        case OPT_NO_TIMING: opt.no_timing = 1; break;
        case 'q':
        case OPT_QUIET: quiet = 1; break;
        case 'h':
            print_help();
            free(sets);
            return IL_OK;
        default: st = cli_getopt_error("run", c, argv, err);
        }
    }
    if (st == IL_OK && argc - optind > 1)
        st = il_fail(err, IL_ERR_USAGE, "run: one experiment file at a time; got '%s' and '%s'", argv[optind],
                     argv[optind + 1]);
    if (st == IL_OK && opt.resume && !out)
        st = il_fail(err, IL_ERR_USAGE, "--resume needs --out DIR: the results folder to continue");
    if (st == IL_OK && out && !*out) st = il_fail(err, IL_ERR_USAGE, "--out '': expected a folder");

    il_experiment *exp = NULL;
    if (st == IL_OK) {
        exp = malloc(sizeof *exp);
        if (!exp) st = il_fail(err, IL_ERR_NOMEM, "run: out of memory");
    }
    if (st == IL_OK) {
        il_experiment_default(exp);
        /* Every mistake in the file or the flags is found here, before any data is loaded. A file that
         * cannot be read is the user's mistake too (exit 2), like a wrong key. */
        if (optind < argc) {
            st = il_experiment_load(exp, argv[optind], err);
            if (st == IL_ERR_IO) st = IL_ERR_USAGE;
        } else {
            st = il_experiment_parse(exp, il_experiment_default_ini(), "(default experiment)", err);
        }
        for (size_t i = 0; st == IL_OK && i < n_sets; i++)
            st = il_experiment_set(exp, sets[i], err);
        if (st == IL_OK && epochs)
            st = il_experiment_set_key(exp, "training", "epochs", epochs, "--epochs", err);
        if (st == IL_OK && seeds) st = il_experiment_set_key(exp, "seeds", "count", seeds, "--seeds", err);
        if (st == IL_OK && jobs) st = il_experiment_set_key(exp, "output", "jobs", jobs, "--jobs", err);
        if (st == IL_OK) st = il_experiment_check(exp, err);
    }
    if (st == IL_OK) {
        opt.out_path = out;
        opt.stop = &cli_interrupted;
        if (!quiet) opt.progress = show_progress;
        il_run_report report;
        memset(&report, 0, sizeof report);
        st = il_run_experiment(exp, &opt, &report, err);
        if (report.folder_ready) { /* the merged files, also after a stop or a failed run */
            il_error collect_err;
            il_status collected = il_results_collect(exp, report.out_dir, NULL, &collect_err);
            if (st == IL_OK && collected != IL_OK) {
                st = collected;
                *err = collect_err;
            }
        }
        if (report.folder_ready &&
            (st == IL_OK || report.runs_finished + report.runs_diverged > 0 || report.runs_skipped > 0)) {
            il_error summary_err;
            if (il_summary_write(stdout, report.out_dir, &summary_err) != IL_OK && !quiet)
                fprintf(stderr, "run: no summary: %s\n", summary_err.msg);
            printf("\nResults: %s  (docs/results.md explains the files)\n", report.out_dir);
            printf("Figures: initlab report %s\n", report.out_dir);
            if (report.runs_skipped)
                printf("Resumed: %zu run%s already finished were kept.\n", report.runs_skipped,
                       report.runs_skipped == 1 ? "" : "s");
        }
    }
    free(exp);
    free(sets);
    return st;
}
