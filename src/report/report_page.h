/* report_page.h - internal (il__): the report's index.html, the top of the report (page -> figures ->
 * gnuplot): it lays out what the figures and the results already hold, and draws nothing itself.
 */
#ifndef INITLAB_REPORT_PAGE_H
#define INITLAB_REPORT_PAGE_H

#include "initlab/status.h"
#include "report/report_figures.h"
#include "report/report_results.h"

/* Write the page to path (atomically) for the report folder out_dir: the experiment's facts and
 * description, the summary rows as a table, every figure of figs with its caption, and links to the
 * files of the results folder (relative to out_dir). */
il_status il__report_write_page(const il__report_results *res, const il__report_figures *figs,
                                const char *out_dir, const char *path, il_error *err);

#endif
