/* main.c - the `initlab` program: picks the subcommand, and is the one place that turns an error into a
 * message on stderr and an exit code (0 success, 1 runtime error, 2 usage or config error).
 * Subcommands live in cmd_*.c; they print results and help, never errors.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "initlab/blas.h"
#include "initlab/version.h"

typedef struct {
    const char *name;
    il_status (*run)(int argc, char **argv, il_error *err);
    const char *summary;
} subcommand;

static const subcommand subcommands[] = {
    {"train", cli_train, "train one network from flags; report its loss and accuracy"},
    {"eval", cli_eval, "evaluate a model saved by 'train --save' on a dataset"},
    {"list", cli_list, "list the initialization schemes, activations, outputs and datasets"},
    {"run", cli_run, "run an experiment: every init x every seed, diagnostics, summary table"},
    {"merge", cli_merge, "merge the slice folders of a sharded run (run --shard K/N)"},
    {"report", cli_report, "draw a results folder's figures (gnuplot) and an HTML page"},
};
#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void print_help(FILE *out) {
    fprintf(out, "Usage: initlab SUBCOMMAND [OPTIONS]\n"
                 "       initlab --help | --version\n"
                 "\n"
                 "Train small neural networks and see what their starting weights do: exact zeros never\n"
                 "break the symmetry between hidden units, small random weights start the network nearly\n"
                 "linear (ESL 11.5.1), large ones saturate it, Xavier and He keep the signal alive.\n"
                 "\n"
                 "Subcommands:\n");
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        fprintf(out, "  %-7s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "\n"
                 "Options:\n"
                 "  -h, --help     show this help ('initlab SUBCOMMAND --help' for a subcommand's flags)\n"
                 "  -V, --version  show the version and the BLAS library in use\n"
                 "\n"
                 "Examples:\n"
                 "  initlab train --init he          XOR with a 2-8-1 network: reaches 100%% accuracy\n"
                 "  initlab train --init zero        the same from zero weights: it cannot, and says why\n"
                 "  initlab list                     what --init, --act, --output and --data accept\n"
                 "  initlab run                      the default experiment: five inits, ten seeds, summary\n"
                 "  initlab run experiments/02-near-linear-start.ini --out results/linear\n"
                 "  initlab report results/linear    figures and an HTML page of that results folder\n"
                 "  initlab train --data fashion-mnist --layers 784,256,128,10 --act relu --init he \\\n"
                 "                --epochs 5\n"
                 "\n"
                 "Exit status: 0 success, 1 runtime error (a file, a diverged run, Ctrl-C),\n"
                 "2 usage or config error (a bad flag or value; nothing was done).\n"
                 "Documentation: docs/cli.md.\n");
}

static void on_signal(int sig) {
    (void)sig;
    cli_interrupted = 1;
}

/* Ctrl-C (and a polite kill) stop a run between batches instead of killing it mid-write: the
 * subcommand then removes its temporary files and reports IL_ERR_STOPPED. A second Ctrl-C kills. */
static void install_signal_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv) {
    /* First of all: on a CPU the BLAS does not know, restart on the kernel made for its instruction set
     * (see blas.h; identical hidden units must stay identical). */
    il_blas_use_cpu_kernel(argv);
    if (argc < 2) {
        fprintf(stderr, "initlab: error: no subcommand given\nTry 'initlab --help'.\n");
        return 2;
    }
    const char *word = argv[1];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
        print_help(stdout);
        return 0;
    }
    if (strcmp(word, "--version") == 0 || strcmp(word, "-V") == 0) {
        printf("initlab %s\nBLAS: %s (kernel %s)\n", INITLAB_VERSION, il_blas_config(), il_blas_core());
        return 0;
    }
    /* "initlab help" and "initlab help train" are spelled-out --help. */
    if (strcmp(word, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return 0;
        }
        static char help_flag[] = "--help";
        argv[1] = argv[2];
        argv[2] = help_flag;
        word = argv[1];
    }
    const subcommand *cmd = NULL;
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        if (strcmp(word, subcommands[i].name) == 0) cmd = &subcommands[i];
    if (!cmd) {
        if (word[0] == '-')
            fprintf(stderr, "initlab: error: unknown option '%s' (options come after the subcommand)\n",
                    word);
        else {
            fprintf(stderr, "initlab: error: unknown subcommand '%s'; the subcommands are:", word);
            for (size_t i = 0; i < N_SUBCOMMANDS; i++)
                fprintf(stderr, "%s %s", i ? "," : "", subcommands[i].name);
            fprintf(stderr, "\n");
        }
        fprintf(stderr, "Try 'initlab --help'.\n");
        return 2;
    }

    install_signal_handlers();
    il_error err;
    il_error_clear(&err);
    il_status st = cmd->run(argc - 1, argv + 1, &err);
    fflush(stdout);
    if (st == IL_OK) return 0;
    fprintf(stderr, "initlab: error: %s\n", err.msg[0] ? err.msg : il_status_name(st));
    if (st == IL_ERR_USAGE) {
        fprintf(stderr, "Try 'initlab %s --help'.\n", cmd->name);
        return 2;
    }
    return 1;
}
