/* cmd_report.c - `initlab report DIR`: turn a results folder of `initlab run` into figures (gnuplot, PNG
 * and SVG) and an index.html that shows them with the summary table and the experiment's description.
 * The work is il_report_write (src/report/report.c); this file parses the flags, shows progress on stderr
 * and says where the page is. docs/report.md explains the figures.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "initlab/report.h"

enum { OPT_OUT = 256, OPT_GNUPLOT, OPT_QUIET };

static const struct option report_flags[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"gnuplot", required_argument, NULL, OPT_GNUPLOT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_help(void) {
    printf(
        "Usage: initlab report RESULTS_DIR [OPTIONS]\n"
        "\n"
        "Draw the figures of a results folder written by 'initlab run' and lay them out in one page,\n"
        "RESULTS_DIR/report/index.html, readable offline in any browser: loss curves of every init with\n"
        "seed bands, saturated / linear-region / dead fractions per layer, linearity (R^2) over time and\n"
        "against the weight norm, distinct hidden units, activation histograms at epoch 0 and at the end,\n"
        "the summary table and the experiment's own description. Figures are PNG and SVG, drawn by\n"
        "gnuplot; their data and scripts stay in report/gnuplot/ to be edited and drawn again.\n"
        "\n"
        "Options:\n"
        "  --out DIR        write the report into DIR instead of RESULTS_DIR/report\n"
        "  --gnuplot PROG   the gnuplot program to run (default: gnuplot, found on the PATH)\n"
        "  -q, --quiet      no progress lines on stderr\n"
        "  -h, --help       show this help\n"
        "\n"
        "Example:\n"
        "  initlab run --out results/default\n"
        "  initlab report results/default     then open results/default/report/index.html\n"
        "\n"
        "Needs gnuplot (Debian: apt-get install gnuplot-nox). docs/report.md says what each figure shows\n"
        "and what to look for.\n");
}

static void show_progress(void *ctx, const char *line) {
    (void)ctx;
    fprintf(stderr, "report: %s\n", line);
}

il_status cli_report(int argc, char **argv, il_error *err) {
    il_report_options opt;
    il_report_options_default(&opt);
    int quiet = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hq", report_flags, NULL)) != -1) {
        switch (c) {
        case OPT_OUT: opt.out_dir = optarg; break;
        case OPT_GNUPLOT: opt.gnuplot = optarg; break;
        case 'q':
        case OPT_QUIET: quiet = 1; break;
        case 'h': print_help(); return IL_OK;
        default: return cli_getopt_error("report", c, argv, err);
        }
    }
    if (optind >= argc)
        return il_fail(err, IL_ERR_USAGE,
                       "report: which results folder? e.g. initlab report results/default-20250301-101500");
    if (argc - optind > 1)
        return il_fail(err, IL_ERR_USAGE, "report: one results folder at a time; got '%s' and '%s'",
                       argv[optind], argv[optind + 1]);
    if (opt.out_dir && !*opt.out_dir) return il_fail(err, IL_ERR_USAGE, "--out '': expected a folder");
    if (opt.gnuplot && !*opt.gnuplot) return il_fail(err, IL_ERR_USAGE, "--gnuplot '': expected a program");
    if (!quiet) opt.progress = show_progress;

    il_report_result res;
    il_status st = il_report_write(argv[optind], &opt, &res, err);
    if (st != IL_OK) return st;
    char absolute[PATH_MAX];
    const char *where = realpath(res.index_path, absolute) ? absolute : res.index_path;
    printf("Report written: %s (%zu figures as PNG and SVG)\n", res.index_path, res.n_figures);
    printf("Open it in a browser: file://%s\n", where);
    return IL_OK;
}
