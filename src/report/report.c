/* report.c - `initlab report`: read a results folder (report_results.c), plan its figures and draw each
 * one with gnuplot (report_figures.c), then write the page that shows them (report_page.c). Everything
 * is read before anything is written, and the page comes last, when every figure exists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/files.h"
#include "initlab/fileio.h"
#include "initlab/report.h"
#include "report/report_figures.h"
#include "report/report_gnuplot.h"
#include "report/report_page.h"
#include "report/report_results.h"

/* ---- the whole report -------------------------------------------------------------------------------- */

void il_report_options_default(il_report_options *opt) {
    memset(opt, 0, sizeof *opt);
}

/* "figure 3 of 7: regions" to the progress callback. */
static void progress(const il_report_options *opt, const char *name, size_t i, size_t n) {
    if (!opt->progress) return;
    char line[512];
    snprintf(line, sizeof line, "figure %zu of %zu: %s", i, n, name);
    opt->progress(opt->progress_ctx, line);
}

/* Write gnuplot's collected warnings, or remove an old log when there were none. */
static il_status write_log(const char *path, const char *log, size_t len, il_error *err) {
    if (len == 0) {
        remove(path);
        return IL_OK;
    }
    return il__write_file(path, log, len, err);
}

il_status il_report_write(const char *results_dir, const il_report_options *options, il_report_result *res,
                          il_error *err) {
    il_report_options defaults;
    if (!options) {
        il_report_options_default(&defaults);
        options = &defaults;
    }
    const char *gnuplot = options->gnuplot && *options->gnuplot ? options->gnuplot : "gnuplot";
    struct stat sb;
    if (!results_dir || !*results_dir) return il_fail(err, IL_ERR_USAGE, "no results folder given");
    if (stat(results_dir, &sb) != 0)
        return il_fail(err, IL_ERR_IO, "%s: cannot open the results folder: %s", results_dir,
                       strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return il_fail(err, IL_ERR_USAGE, "%s is a file, not a results folder of initlab run", results_dir);

    char out_dir[4096], figures_dir[4096], gnuplot_dir[4096], index_path[4096], log_path[4096];
    il_status st = IL_OK;
    if (options->out_dir && *options->out_dir) {
        if (strlen(options->out_dir) >= sizeof out_dir)
            return il_fail(err, IL_ERR_USAGE, "%s: the path is too long", options->out_dir);
        snprintf(out_dir, sizeof out_dir, "%s", options->out_dir);
    } else {
        st = il__path_join(out_dir, sizeof out_dir, results_dir, "report", err);
    }
    if (st == IL_OK) st = il__path_join(figures_dir, sizeof figures_dir, out_dir, "figures", err);
    if (st == IL_OK) st = il__path_join(gnuplot_dir, sizeof gnuplot_dir, out_dir, "gnuplot", err);
    if (st == IL_OK) st = il__path_join(index_path, sizeof index_path, out_dir, "index.html", err);
    if (st == IL_OK) st = il__path_join(log_path, sizeof log_path, gnuplot_dir, "gnuplot.log", err);
    if (st != IL_OK) return st;

    /* Read everything before writing anything: a folder that is not a results folder, or a damaged
     * file, leaves no half report behind. */
    il__report_results r;
    st = il__report_read(&r, results_dir, err);
    if (st != IL_OK) return st;

    char terminal[16] = "";
    st = il__report_gnuplot_probe(gnuplot, terminal, sizeof terminal, err);
    if (st == IL_OK) st = il_make_dirs(figures_dir, err);
    if (st == IL_OK) st = il_make_dirs(gnuplot_dir, err);

    il__report_figures *figs = st == IL_OK ? calloc(1, sizeof *figs) : NULL;
    if (st == IL_OK && !figs) st = il_fail(err, IL_ERR_NOMEM, "out of memory");
    char *log = NULL;
    size_t log_len = 0;
    if (st == IL_OK) {
        il__report_plan_figures(&r, figs);
        for (size_t k = 0; k < figs->n && st == IL_OK; k++) {
            progress(options, figs->fig[k].name, k + 1, figs->n);
            st = il__report_draw_figure(&r, &figs->fig[k], gnuplot, terminal, gnuplot_dir, figures_dir, &log,
                                        &log_len, err);
        }
    }
    if (st == IL_OK) st = write_log(log_path, log, log_len, err);
    if (st == IL_OK) st = il__report_write_page(&r, figs, out_dir, index_path, err);
    if (st == IL_OK && res) {
        memset(res, 0, sizeof *res);
        snprintf(res->out_dir, sizeof res->out_dir, "%s", out_dir);
        snprintf(res->index_path, sizeof res->index_path, "%s", index_path);
        snprintf(res->terminal, sizeof res->terminal, "%s", terminal);
        res->n_figures = figs->n;
    }
    free(log);
    free(figs);
    il__report_free(&r);
    return st;
}
