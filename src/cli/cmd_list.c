/* cmd_list.c - `initlab list`: what --init, --act, --output and --data accept, each with one line, and
 * the keys of an experiment file as docs/config.md's Markdown tables. Names, descriptions and tables come
 * from the library (il_init_*, il_act_*, il_output_*, il_data_source_*, il_experiment_doc_table), so this
 * list can never disagree with what the parsers accept.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "initlab/activation.h"
#include "initlab/data.h"
#include "initlab/experiment.h"
#include "initlab/init.h"

static void print_help(void) {
    printf("Usage: initlab list [WHAT]\n"
           "\n"
           "List what the flags of 'initlab train' (and the keys of an experiment file) accept:\n"
           "  inits        initialization schemes for --init, with their parameter's default and formula\n"
           "  activations  hidden-unit nonlinearities for --act\n"
           "  outputs      output activation and loss pairs for --output\n"
           "  datasets     data sources for --data\n"
           "  keys         every key of an experiment file, as the Markdown tables of docs/config.md\n"
           "Without WHAT, the first four.\n"
           "\n"
           "Options:\n"
           "  -h, --help   show this help\n"
           "\n"
           "Examples:\n"
           "  initlab list\n"
           "  initlab list inits\n"
           "  initlab list keys\n");
}

static void list_inits(void) {
    printf("Initialization schemes (--init NAME, or NAME:P for those with a parameter P; one per layer as\n"
           "NAME/NAME/...). I = fan-in, O = fan-out of the layer; biases start at --bias, 0 by default.\n");
    printf("  %-14s %-7s %s\n", "name", "P", "formula and what it is");
    for (int k = 0; k < IL_INIT_COUNT; k++) {
        il_init_kind kind = (il_init_kind)k;
        char param[32] = "-";
        if (il_init_has_param(kind)) snprintf(param, sizeof param, "%g", il_init_default_param(kind));
        printf("  %-14s %-7s %s\n", il_init_name(kind), param, il_init_describe(kind));
    }
}

static void list_activations(void) {
    printf("Activations of the hidden units (--act NAME):\n");
    for (int a = 0; a < IL_ACT_COUNT; a++)
        printf("  %-14s %s\n", il_act_name((il_act)a), il_act_describe((il_act)a));
}

static void list_outputs(void) {
    printf("Outputs and their losses (--output NAME; default auto: identity for regression, sigmoid for\n"
           "two classes, softmax for more):\n");
    for (int o = 0; o < IL_OUT_COUNT; o++)
        printf("  %-14s %s\n", il_output_name((il_output)o), il_output_describe((il_output)o));
}

static void list_datasets(void) {
    printf("Data sources (--data NAME or NAME:key=value,...; a path reads a CSV file or an image folder):\n");
    const char *const *names = il_data_source_names();
    const char *const *descriptions = il_data_source_descriptions();
    for (size_t i = 0; names[i]; i++)
        printf("  %-14s %s\n", names[i], descriptions[i] ? descriptions[i] : "");
}

static il_status list_keys(il_error *err) {
    char *tables = NULL;
    il_status st = il_experiment_doc_table(NULL, &tables, err);
    if (st != IL_OK) return st;
    fputs(tables, stdout);
    free(tables);
    return IL_OK;
}

il_status cli_list(int argc, char **argv, il_error *err) {
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (c == 'h') {
            print_help();
            return IL_OK;
        }
        return cli_getopt_error("list", c, argv, err);
    }
    if (argc - optind > 1)
        return il_fail(err, IL_ERR_USAGE,
                       "list: expected at most one of inits, activations, outputs, "
                       "datasets, keys; got %d words",
                       argc - optind);
    const char *what = optind < argc ? argv[optind] : NULL;
    if (!what) {
        list_inits();
        printf("\n");
        list_activations();
        printf("\n");
        list_outputs();
        printf("\n");
        list_datasets();
    } else if (strcmp(what, "inits") == 0 || strcmp(what, "init") == 0) {
        list_inits();
    } else if (strcmp(what, "activations") == 0 || strcmp(what, "act") == 0) {
        list_activations();
    } else if (strcmp(what, "outputs") == 0 || strcmp(what, "output") == 0) {
        list_outputs();
    } else if (strcmp(what, "datasets") == 0 || strcmp(what, "data") == 0) {
        list_datasets();
    } else if (strcmp(what, "keys") == 0 || strcmp(what, "key") == 0) {
        return list_keys(err);
    } else {
        return il_fail(err, IL_ERR_USAGE,
                       "list: unknown list '%s'; expected inits, activations, outputs, datasets or keys",
                       what);
    }
    return IL_OK;
}
