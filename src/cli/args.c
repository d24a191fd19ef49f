/* args.c - strict parsing of flag values for every subcommand, and getopt_long error messages.
 * "Strict" means the whole text must be the value: "0.1x", "", "1e999" and "-3" for a count are refused
 * with a message naming the flag, the value and the accepted range, before any work starts.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

volatile sig_atomic_t cli_interrupted = 0;

/* "[0, 1)" style text for the accepted range, used in messages. */
static void describe_range(char *buf, size_t size, double lo, int lo_open, double hi, int hi_open) {
    if (isinf(hi) && isinf(lo))
        snprintf(buf, size, "a finite number");
    else if (isinf(hi))
        snprintf(buf, size, "a number %s %g", lo_open ? ">" : ">=", lo);
    else if (isinf(lo))
        snprintf(buf, size, "a number %s %g", hi_open ? "<" : "<=", hi);
    else
        snprintf(buf, size, "a number in %c%g, %g%c", lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
}

il_status cli_parse_double(const char *flag, const char *text, double lo, int lo_open, double hi, int hi_open,
                           double *out, il_error *err) {
    char range[96];
    describe_range(range, sizeof range, lo, lo_open, hi, hi_open);
    char *end = NULL;
    errno = 0;
    double v = text && *text && !isspace((unsigned char)*text) ? strtod(text, &end) : NAN;
    if (!text || !*text || end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return il_fail(err, IL_ERR_USAGE, "%s '%s': not a number; expected %s", flag, text ? text : "",
                       range);
    if (v < lo || v > hi || (lo_open && v == lo) || (hi_open && v == hi))
        return il_fail(err, IL_ERR_USAGE, "%s '%s': out of range; expected %s", flag, text, range);
    *out = v;
    return IL_OK;
}

il_status cli_parse_size(const char *flag, const char *text, size_t lo, size_t hi, size_t *out,
                         il_error *err) {
    if (!text || !isdigit((unsigned char)text[0]))
        return il_fail(err, IL_ERR_USAGE, "%s '%s': expected a whole number from %zu to %zu", flag,
                       text ? text : "", lo, hi);
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE || v > (unsigned long long)SIZE_MAX)
        return il_fail(err, IL_ERR_USAGE, "%s '%s': expected a whole number from %zu to %zu", flag, text, lo,
                       hi);
    if ((size_t)v < lo || (size_t)v > hi)
        return il_fail(err, IL_ERR_USAGE, "%s '%s': out of range; expected a whole number from %zu to %zu",
                       flag, text, lo, hi);
    *out = (size_t)v;
    return IL_OK;
}

il_status cli_parse_u64(const char *flag, const char *text, uint64_t *out, il_error *err) {
    if (!text || !isdigit((unsigned char)text[0]))
        return il_fail(err, IL_ERR_USAGE, "%s '%s': expected a whole number from 0 to %llu", flag,
                       text ? text : "", (unsigned long long)UINT64_MAX);
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return il_fail(err, IL_ERR_USAGE, "%s '%s': expected a whole number from 0 to %llu", flag, text,
                       (unsigned long long)UINT64_MAX);
    *out = (uint64_t)v;
    return IL_OK;
}

il_status cli_parse_scale(const char *text, il_scale *out, il_error *err) {
    /* The same words as [data] scale in experiment files (docs/config.md). */
    static const struct {
        const char *name;
        il_scale scale;
    } scales[] = {{"standardize", IL_SCALE_STANDARDIZE},
                  {"auto", IL_SCALE_AUTO},
                  {"unit", IL_SCALE_UNIT},
                  {"none", IL_SCALE_NONE}};
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++)
        if (strcmp(text, scales[i].name) == 0) {
            *out = scales[i].scale;
            return IL_OK;
        }
    return il_fail(err, IL_ERR_USAGE, "--scale '%s': expected standardize, unit, none or auto", text);
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
