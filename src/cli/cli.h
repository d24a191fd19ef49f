/* cli.h - what the parts of the `initlab` program share: the subcommands' entry points, strict parsers
 * for flag values (each error names the flag, the value and what was expected) and the Ctrl-C flag.
 * Subcommands return an il_status and fill an il_error; only main() prints errors and chooses the exit
 * code (0 success, 1 runtime error, 2 usage or config error).
 */
#ifndef INITLAB_CLI_H
#define INITLAB_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/parse.h"
#include "initlab/data.h"
#include "initlab/status.h"

/* Subcommands: argv[0] is the subcommand's name. After a usage error main() adds
 * "Try 'initlab SUBCOMMAND --help'." */
il_status cli_train(int argc, char **argv, il_error *err);
il_status cli_eval(int argc, char **argv, il_error *err);
il_status cli_list(int argc, char **argv, il_error *err);
il_status cli_run(int argc, char **argv, il_error *err);
il_status cli_merge(int argc, char **argv, il_error *err);
il_status cli_report(int argc, char **argv, il_error *err);

/* Set by the SIGINT/SIGTERM handler main() installs; long loops check it and stop cleanly with
 * IL_ERR_STOPPED, so no half-written file is left behind. */
extern volatile sig_atomic_t cli_interrupted;

/* ---- strict value parsers --------------------------------------------------------------------------------
 * core/parse.h's, with the flag as the place: each parses the whole text (no trailing junk, no empty text)
 * and on failure returns IL_ERR_USAGE with "--FLAG: expected <the range in words>, got "VALUE"", *out
 * untouched. */

/* A whole number in [lo, hi] (no sign, no fraction). */
il_status cli_parse_size(const char *flag, const char *text, size_t lo, size_t hi, size_t *out,
                         il_error *err);
/* A 64-bit unsigned whole number (seeds). */
il_status cli_parse_u64(const char *flag, const char *text, uint64_t *out, il_error *err);

/* --scale: standardize, unit, none or auto (the words of [data] scale in experiment files). */
il_status cli_parse_scale(const char *text, il_scale *out, il_error *err);

/* getopt_long reported an unknown option or a missing argument: turn it into a usage error naming it.
 * c is getopt_long's return ('?' or ':'), argv/optind as left by getopt_long. */
il_status cli_getopt_error(const char *command, int c, char **argv, il_error *err);

/* Seconds since an arbitrary fixed point (monotonic clock). */
double cli_now(void);

#endif
