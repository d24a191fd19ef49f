/* report_gnuplot.h - internal (il__): gnuplot, the program that draws the report's figures, run as a child
 * process: find it and its best PNG terminal, and run one script in a folder. Knows nothing of figures
 * or results: the bottom of the report (page -> figures -> gnuplot).
 */
#ifndef INITLAB_REPORT_GNUPLOT_H
#define INITLAB_REPORT_GNUPLOT_H

#include <stddef.h>

#include "initlab/status.h"

/* Find the gnuplot program (a name looked up on PATH, or a path) and its best PNG terminal that works
 * together with svg: "pngcairo", else "png", into terminal. IL_ERR_IO when gnuplot is missing (the
 * message says how to install it or name it), cannot run, or has neither terminal. */
il_status il__report_gnuplot_probe(const char *gnuplot, char *terminal, size_t size, il_error *err);

/* Run `gnuplot -e "suffix = 'SUFFIX'" SCRIPT` in folder dir (stdin from /dev/null). On success *output
 * (malloc'ed, NUL-terminated, may be NULL; the caller frees it) and *len hold what gnuplot printed, its
 * warnings. IL_ERR_IO when gnuplot cannot be started or fails: the message names script_path and quotes
 * gnuplot's first error line; *output is then NULL. */
il_status il__report_gnuplot_run(const char *gnuplot, const char *dir, const char *script, const char *suffix,
                                 const char *script_path, char **output, size_t *len, il_error *err);

#endif
