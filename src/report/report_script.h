/* report_script.h - internal (il__): what a figure is, and the writer of its gnuplot script and data
 * file. The script draws the figure twice, as PNG for the page and SVG for print, into ../figures/; a
 * reader can edit it and run it again by hand. Writes to the files it is given; runs nothing.
 */
#ifndef INITLAB_REPORT_SCRIPT_H
#define INITLAB_REPORT_SCRIPT_H

#include <stddef.h>
#include <stdio.h>

#include "report/report_results.h"

typedef enum {
    IL__FIG_LOSS,      /* train and test loss per init, seed bands */
    IL__FIG_METRIC,    /* test accuracy, or test error relative to the Bayes error */
    IL__FIG_REGIONS,   /* saturated, linear-region and dead fractions per hidden layer */
    IL__FIG_LINEARITY, /* R^2 over time and against the weight norm */
    IL__FIG_DISTINCT,  /* distinct units per hidden layer */
    IL__FIG_HISTOGRAMS /* one layer's activation histograms, one panel per init */
} il__report_figure_kind;

typedef struct {
    il__report_figure_kind kind;
    size_t layer;       /* IL__FIG_HISTOGRAMS: the layer, 1-based */
    char name[64];      /* file stem: figures/<name>.png and .svg, gnuplot/<name>.gp and .dat */
    char title[160];    /* heading on the page and in the figure */
    char alt[400];      /* alt text of the image */
    char caption[1200]; /* what it shows and what to look for (plain text, escaped when written) */
    int width, height;  /* pixels of the PNG */
} il__report_figure;

/* The PNG's size in pixels of a figure of fig->kind (and fig->layer) drawn from res: the panel grid and
 * the legend strip under it. */
void il__report_figure_size(const il__report_results *res, const il__report_figure *fig, int *width,
                            int *height);

/* Write figure fig's gnuplot script to script and its data to data (which the script reads as
 * <name>.dat from its own folder). terminal is the PNG terminal: "pngcairo" or "png". */
void il__report_write_script(FILE *script, FILE *data, const il__report_results *res,
                             const il__report_figure *fig, const char *terminal);

#endif
