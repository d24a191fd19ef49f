/* report_internal.h - what the report's three source files share: the results folder boiled down to
 * means and seed bands per init (report.c reads and aggregates), the figures drawn from it
 * (report_plot.c writes gnuplot data and scripts and runs gnuplot) and the page (report_html.c).
 * Dimension legend: I = inits, L = layers (hidden layers, then the output layer), P = log points.
 */
#ifndef INITLAB_LAB_REPORT_INTERNAL_H
#define INITLAB_LAB_REPORT_INTERNAL_H

#include <stddef.h>

#include "initlab/report.h"

/* ---- statistics over the seeds of one init at one log point ---------------------------------------- */

typedef struct {
    double sum, min, max;
    size_t n; /* seeds with a value (empty cells and diverged runs do not count) */
} rp_stat;

/* Whole-network columns of curves.csv that figures use. */
enum { CM_TRAIN, CM_TEST, CM_ACCURACY, CM_RELATIVE, CM_LINEARITY, CM_WEIGHT_NORM, CM_COUNT };
/* Per-layer columns of layers.csv that figures use. */
enum { LM_SATURATED, LM_LINEAR_REGION, LM_DEAD, LM_DISTINCT, LM_COUNT };

#define RP_MAX_METRICS 6 /* max(CM_COUNT, LM_COUNT) */

typedef struct {
    double step;  /* SGD steps taken: the key of a log point */
    double epoch; /* the same point in epochs (fractional during the first epoch with every_steps) */
    rp_stat m[RP_MAX_METRICS];
} rp_point;

typedef struct {
    rp_point *p; /* (P) in increasing step */
    size_t n, cap;
} rp_series;

/* One init's runs as (weight norm, R^2) paths, for linearity against weight norm. */
typedef struct {
    double *xy; /* (n, 2) norm, R^2 */
    size_t n, cap;
    size_t *run_starts; /* index into xy where each run begins */
    size_t n_runs, cap_runs;
} rp_paths;

/* Activation histogram rows of one init, layer and moment (epoch 0 or the end), all seeds pooled. */
typedef struct {
    double *lo, *hi, *count; /* (n) the source bins as written, every seed */
    size_t n, cap;
    double epoch; /* the epoch of the moment (largest over seeds for the end) */
} rp_hist;

#define RP_HIST_START 0
#define RP_HIST_END   1

typedef struct {
    char *label;
    size_t runs, diverged;
    rp_series curve; /* from curves.csv */
    rp_paths paths;  /* from curves.csv */
} rp_init;

typedef struct {
    char activation[32];
    size_t units;
    rp_series *series; /* (I) from layers.csv */
    rp_hist *hist;     /* (I, 2) start and end, from histograms.csv */
} rp_layer;

typedef struct {
    const char *dir; /* the results folder */
    size_t n_inits;
    rp_init *inits; /* (I) in plan order */
    size_t n_layers;
    rp_layer *layers;    /* (L) */
    size_t hidden_units; /* total over the hidden layers (runs.csv) */
    double max_epoch;
    int has_curve[CM_COUNT]; /* some run has a value in this column */
    int has_layer[LM_COUNT]; /* some hidden layer has a value */
    /* from meta and config.ini */
    char *name;        /* experiment name */
    char *description; /* [experiment] description, lines joined by '\n' */
    char *config_text; /* config.ini as written */
    char *data_text;   /* meta data_description */
    char *meta_task;   /* meta task */
    char *meta_activation;
    char *meta_layers;
    char *meta_version;
    char *meta_date;
} rp_results;

/* ---- figures --------------------------------------------------------------------------------------- */

#define RP_MAX_FIGURES 48

typedef enum {
    RP_FIG_LOSS,      /* train and test loss per init, seed bands */
    RP_FIG_METRIC,    /* test accuracy, or test error relative to the Bayes error */
    RP_FIG_REGIONS,   /* saturated, linear-region and dead fractions per hidden layer */
    RP_FIG_LINEARITY, /* R^2 over time and against the weight norm */
    RP_FIG_DISTINCT,  /* distinct units per hidden layer */
    RP_FIG_HISTOGRAMS /* one layer's activation histograms, one panel per init */
} rp_figure_kind;

typedef struct {
    rp_figure_kind kind;
    size_t layer;       /* RP_FIG_HISTOGRAMS: the layer, 1-based */
    char name[64];      /* file stem: figures/<name>.png and .svg, gnuplot/<name>.gp and .dat */
    char title[160];    /* heading on the page */
    char alt[400];      /* alt text of the image */
    char caption[1200]; /* what it shows and what to look for (plain text, escaped when written) */
    int width, height;  /* pixels of the PNG */
} rp_figure;

typedef struct {
    rp_figure fig[RP_MAX_FIGURES];
    size_t n;
} rp_figures;

/* Plan every figure the results allow (names, captions, sizes); no file is written. */
void rp_plan_figures(const rp_results *res, rp_figures *figs);

/* Find the gnuplot program and its best PNG terminal ("pngcairo", else "png"), into terminal. */
il_status rp_gnuplot_probe(const char *gnuplot, char *terminal, size_t size, il_error *err);

/* Write figure fig's data and script into gnuplot_dir, run gnuplot there, and move its PNG and SVG into
 * figures_dir once both are whole. log (may be NULL) collects gnuplot's warnings. */
il_status rp_draw_figure(const rp_results *res, const rp_figure *fig, const char *gnuplot,
                         const char *terminal, const char *gnuplot_dir, const char *figures_dir, char **log,
                         size_t *log_len, il_error *err);

/* Write index.html into out_dir: the description, the summary table (il_summary_write), the figures
 * and links to the CSVs of the results folder (relative to out_dir). */
il_status rp_write_html(const rp_results *res, const rp_figures *figs, const char *out_dir, const char *path,
                        il_error *err);

/* "a/b" into buf; IL_ERR_USAGE if it does not fit. */
il_status rp_join(char *buf, size_t size, const char *a, const char *b, il_error *err);

#endif
