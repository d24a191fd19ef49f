/* cmd_list.c - `initlab list`: what --init, --act, --output and --data accept, each with one line.
 * Names and descriptions come from the library (il_init_*, il_act_*, il_output_*, il_data_source_*),
 * so this list can never disagree with what the parsers accept.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "initlab/activation.h"
#include "initlab/data.h"
#include "initlab/init.h"

static void print_help(void) {
    printf("Usage: initlab list [WHAT]\n"
           "\n"
           "List what the flags of 'initlab train' (and the keys of an experiment file) accept:\n"
           "  inits        initialization schemes for --init, with their parameter's default and formula\n"
           "  activations  hidden-unit nonlinearities for --act\n"
           "  outputs      output activation and loss pairs for --output\n"
           "  datasets     data sources for --data\n"
           "Without WHAT, all four.\n"
           "\n"
           "Options:\n"
           "  -h, --help   show this help\n"
           "\n"
           "Examples:\n"
           "  initlab list\n"
           "  initlab list inits\n");
}

/* The formula of each scheme in the notation of init.h (I = fan-in, O = fan-out, P = its parameter). */
static const char *init_formula(il_init_kind kind) {
    switch (kind) {
    case IL_INIT_ZERO: return "w = 0";
    case IL_INIT_UNIFORM: return "U(-P, P)";
    case IL_INIT_XAVIER: return "U(-r, r), r = sqrt(6/(I+O))";
    case IL_INIT_XAVIER_NORMAL: return "N(0, 2/(I+O))";
    case IL_INIT_HE: return "N(0, 2/I)";
    case IL_INIT_HE_UNIFORM: return "U(-r, r), r = sqrt(6/I)";
    case IL_INIT_LECUN: return "N(0, 1/I)";
    case IL_INIT_NORMAL: return "N(0, P^2)";
    case IL_INIT_LARGE: return "U(-P, P)";
    case IL_INIT_COUNT: break;
    }
    return "";
}

static void list_inits(void) {
    printf("Initialization schemes (--init NAME or NAME:P; one per layer as NAME/NAME/...; biases start at\n"
           "--bias, 0 by default). I = fan-in, O = fan-out of the layer, P = the scheme's parameter.\n");
    printf("  %-14s %-9s %-28s %s\n", "name", "P default", "formula", "what it is");
    for (int k = 0; k < IL_INIT_COUNT; k++) {
        char param[32] = "-";
        if (il_init_has_param((il_init_kind)k)) snprintf(param, sizeof param, "%g", il_init_default_param(k));
        printf("  %-14s %-9s %-28s %s\n", il_init_name((il_init_kind)k), param, init_formula((il_init_kind)k),
               il_init_describe((il_init_kind)k));
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
                       "datasets; got %d words",
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
    } else {
        return il_fail(err, IL_ERR_USAGE,
                       "list: unknown list '%s'; expected inits, activations, outputs or "
                       "datasets",
                       what);
    }
    return IL_OK;
}
