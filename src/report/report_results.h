/* report_results.h - internal (il__): the results folder as the report needs it, boiled down to the mean,
 * minimum and maximum over each init's seeds at each log point, with the histograms, the summary rows
 * and the experiment's own words. report_results.c reads it; the figures and the page only read it.
 * Dimension legend: I = inits, L = layers (hidden layers, then the output layer), P = log points.
 */
#ifndef INITLAB_REPORT_RESULTS_H
#define INITLAB_REPORT_RESULTS_H

#include <stddef.h>

#include "initlab/status.h"
#include "initlab/summary.h"

/* ---- statistics over the seeds of one init at one log point ---------------------------------------- */

typedef struct {
    double sum, min, max;
    size_t n; /* seeds with a value (empty cells and diverged runs do not count) */
} il__report_stat;

/* Whole-network columns of curves.csv that figures use. */
enum {
    IL__CURVE_TRAIN,
    IL__CURVE_TEST,
    IL__CURVE_ACCURACY,
    IL__CURVE_RELATIVE,
    IL__CURVE_LINEARITY,
    IL__CURVE_WEIGHT_NORM,
    IL__CURVE_COUNT
};
/* Per-layer columns of layers.csv that figures use. */
enum { IL__LAYER_SATURATED, IL__LAYER_LINEAR_REGION, IL__LAYER_DEAD, IL__LAYER_DISTINCT, IL__LAYER_COUNT };

#define IL__REPORT_MAX_METRICS 6 /* max(IL__CURVE_COUNT, IL__LAYER_COUNT) */

typedef struct {
    double step;  /* SGD steps taken: the key of a log point */
    double epoch; /* the same point in epochs (fractional during the first epoch with every_steps) */
    il__report_stat m[IL__REPORT_MAX_METRICS];
} il__report_point;

typedef struct {
    il__report_point *p; /* (P) in increasing step */
    size_t n, cap;
} il__report_series;

/* One init's runs as (weight norm, R^2) paths, for linearity against weight norm. */
typedef struct {
    double *xy; /* (n, 2) norm, R^2 */
    size_t n, cap;
    size_t *run_starts; /* index into xy where each run begins */
    size_t n_runs, cap_runs;
} il__report_paths;

/* Activation histogram rows of one init, layer and moment (epoch 0 or the end), all seeds pooled. */
typedef struct {
    double *lo, *hi, *count; /* (n) the source bins as written, every seed */
    size_t n, cap;
    double epoch; /* the epoch of the moment (largest over seeds for the end) */
} il__report_hist;

#define IL__HIST_START 0
#define IL__HIST_END   1

typedef struct {
    char *label;
    size_t runs, diverged;
    il__report_series curve; /* from curves.csv */
    il__report_paths paths;  /* from curves.csv */
} il__report_init;

typedef struct {
    char activation[32];
    size_t units;
    il__report_series *series; /* (I) from layers.csv */
    il__report_hist *hist;     /* (I, 2) start and end, from histograms.csv */
} il__report_layer;

typedef struct {
    const char *dir; /* the results folder */
    size_t n_inits;
    il__report_init *inits; /* (I) in plan order */
    size_t n_layers;
    il__report_layer *layers; /* (L) */
    size_t hidden_units;      /* total over the hidden layers (runs.csv) */
    double max_epoch;
    int has_curve[IL__CURVE_COUNT]; /* some run has a value in this column */
    int has_layer[IL__LAYER_COUNT]; /* some hidden layer has a value */
    il_summary summary;             /* the summary rows (runs.csv and meta) */
    /* from config.ini (read with the experiment parser) and meta */
    char *name;        /* [experiment] name */
    char *description; /* [experiment] description, lines joined by '\n' */
    char *config_text; /* config.ini as written */
    char *data_text;   /* meta data_description */
    char *meta_task;   /* meta task */
    char *meta_activation;
    char *meta_layers;
    char *meta_version;
    char *meta_date;
} il__report_results;

/* Read the results folder dir (meta and runs.csv, config.ini, curves.csv, layers.csv, histograms.csv, in
 * that order) into *res. Strict: a missing file, a missing column or a cell that is not a number is an
 * error naming the file, the line and the column. On failure *res holds nothing to free. dir must
 * outlive *res. */
il_status il__report_read(il__report_results *res, const char *dir, il_error *err);
void il__report_free(il__report_results *res);

/* Hidden layers: every layer but the last, the output. */
size_t il__report_hidden_layers(const il__report_results *res);
/* What the loss is, from meta's task: "squared error" (regression), "cross-entropy, nats"
 * (classification), or NULL when meta does not say. */
const char *il__report_loss_kind(const il__report_results *res);

#endif
