/* args.c - flag values for every subcommand, and getopt_long error messages. Numbers go through the one
 * strict parser (core/parse.h), so a flag and the config key it overrides refuse a value in the same
 * words: "--lr: expected a positive number, got "-0.1"", before any work starts.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

volatile sig_atomic_t cli_interrupted = 0;

il_status cli_parse_size(const char *flag, const char *text, size_t lo, size_t hi, size_t *out,
                         il_error *err) {
    return il__parse_size(text, IL_WHOLE(lo, hi), flag, out, err);
}

il_status cli_parse_u64(const char *flag, const char *text, uint64_t *out, il_error *err) {
    return il__parse_whole(text, IL_WHOLE(0, UINT64_MAX), flag, out, err);
}

il_status cli_parse_scale(const char *text, il_scale *out, il_error *err) {
    /* The words of [data] scale in experiment files (il_scale_name). */
    int scale = il_scale_parse(text);
    if (scale < 0)
        return il_fail(err, IL_ERR_USAGE, "--scale: expected auto, standardize, unit or none, got \"%s\"",
                       text);
    *out = (il_scale)scale;
    return IL_OK;
}

il_status cli_getopt_error(const char *command, int c, char **argv, il_error *err) {
    /* getopt_long leaves the offending word at argv[optind - 1]; a short option inside a cluster
     * ("-qx") is only known through optopt. */
    const char *arg = optind >= 1 ? argv[optind - 1] : NULL;
    char word[128] = "";
    int had_value = 0;
    if (arg && strncmp(arg, "--", 2) == 0) {
        snprintf(word, sizeof word, "%s", arg);
        char *eq = strchr(word, '=');
        if (eq) {
            *eq = '\0';
            had_value = 1;
        }
    } else if (optopt && isprint(optopt)) {
        snprintf(word, sizeof word, "-%c", optopt);
    } else if (arg) {
        snprintf(word, sizeof word, "%s", arg);
    }
    if (c == ':') return il_fail(err, IL_ERR_USAGE, "%s: option '%s' needs a value", command, word);
    /* A known long flag given "=value" although it takes none: glibc reports it with optopt set. */
    if (had_value && optopt)
        return il_fail(err, IL_ERR_USAGE, "%s: option '%s' takes no value", command, word);
    return il_fail(err, IL_ERR_USAGE, "%s: unknown option '%s'", command, word);
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
