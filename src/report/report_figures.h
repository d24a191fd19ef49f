/* report_figures.h - internal (il__): the figures of a report: which ones the results allow, with their
 * names, titles, alt texts and captions (a catalogue, report_figures.c), and drawing one: its script
 * and data (report_script.h), gnuplot run on them (report_gnuplot.h), its PNG and SVG put in place.
 */
#ifndef INITLAB_REPORT_FIGURES_H
#define INITLAB_REPORT_FIGURES_H

#include <stddef.h>

#include "initlab/status.h"
#include "report/report_results.h"
#include "report/report_script.h"

#define IL__REPORT_MAX_FIGURES 48

typedef struct {
    il__report_figure fig[IL__REPORT_MAX_FIGURES];
    size_t n;
} il__report_figures;

/* Plan every figure the results allow (names, words, sizes), in the order of the page; no file is
 * written. */
void il__report_plan_figures(const il__report_results *res, il__report_figures *figs);

/* Write figure fig's data and script into gnuplot_dir, run gnuplot there (terminal from
 * il__report_gnuplot_probe), and move its PNG and SVG into figures_dir once both are whole: a figure is
 * never half written. log (may be NULL) collects gnuplot's warnings, *log_len bytes of it (malloc'ed;
 * the caller frees it). IL_ERR_IO when a file cannot be written or gnuplot fails (its message quoted). */
il_status il__report_draw_figure(const il__report_results *res, const il__report_figure *fig,
                                 const char *gnuplot, const char *terminal, const char *gnuplot_dir,
                                 const char *figures_dir, char **log, size_t *log_len, il_error *err);

#endif
