/* cmd_merge.c - `initlab merge DIR... --out DIR`: put the slice folders of a sharded sweep
 * (`initlab run --shard K/N`) back together into one results folder, identical to what one unsharded
 * run would have written, and print its summary. The work is il_results_merge (src/results/results.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "initlab/results.h"

enum { OPT_OUT = 256, OPT_QUIET, OPT_PARTIAL };

static const struct option merge_flags[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"partial", no_argument, NULL, OPT_PARTIAL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_help(void) {
    printf("Usage: initlab merge SLICE_DIR... --out DIR [--partial]\n"
           "\n"
           "Merge the results folders of one sweep run in slices (initlab run --shard K/N, e.g. as a\n"
           "cluster job array: scripts/slurm-sweep.sh) into one new results folder DIR, byte-identical\n"
           "to an unsharded run of the same experiment, and print its summary. Folders from different\n"
           "experiment configurations, data, program versions or BLAS threads are refused. A run\n"
           "missing from every slice is an error (exit 1, nothing written) unless --partial is given.\n"
           "\n"
           "Options:\n"
           "  --out DIR     the merged results folder (must not exist, or be empty)\n"
           "  --partial     merge even when runs of the plan are missing from every slice\n"
           "  -q, --quiet   print only the summary\n"
           "  -h, --help    show this help\n"
           "\n"
           "Example:\n"
           "  initlab run big.ini --shard 1/2 --out r/s1 & initlab run big.ini --shard 2/2 --out r/s2\n"
           "  initlab merge r/s1 r/s2 --out r/all\n");
}

il_status cli_merge(int argc, char **argv, il_error *err) {
    const char *out = NULL;
    int quiet = 0, partial = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":hq", merge_flags, NULL)) != -1) {
        switch (c) {
        case OPT_OUT: out = optarg; break;
        case 'q':
        case OPT_QUIET: quiet = 1; break;
        case OPT_PARTIAL: partial = 1; break;
        case 'h': print_help(); return IL_OK;
        default: return cli_getopt_error("merge", c, argv, err);
        }
    }
    if (!out || !*out)
        return il_fail(err, IL_ERR_USAGE, "merge: where to? give --out DIR for the merged folder");
    if (optind >= argc)
        return il_fail(err, IL_ERR_USAGE, "merge: which folders? e.g. initlab merge r/s1 r/s2 --out r/all");
    il_run_report report;
    memset(&report, 0, sizeof report);
    const char *const *dirs = (const char *const *)(argv + optind);
    size_t n_dirs = (size_t)(argc - optind);
    il_status st = partial ? il_results_merge(dirs, n_dirs, out, &report, err)
                           : il_results_merge_whole(dirs, n_dirs, out, &report, err);
    if (st != IL_OK) return st;
    st = il_summary_write(stdout, out, err);
    if (st != IL_OK) return st;
    printf("\nMerged %d folder%s into %s", argc - optind, argc - optind == 1 ? "" : "s", out);
    if (report.runs_missing)
        printf(" (--partial: %zu run%s of the plan missing from every slice)", report.runs_missing,
               report.runs_missing == 1 ? "" : "s");
    printf("\n");
    if (!quiet) fprintf(stderr, "merge: %zu runs in the plan\n", report.runs_in_plan);
    return IL_OK;
}
