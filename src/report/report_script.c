/* report_script.c - the gnuplot script and data file of each figure: layout, panels with seed bands, the
 * legend strip, histograms pooled over the seeds. Every figure is drawn twice by the same script, as PNG
 * for the page and SVG for print, and a reader can edit the script and run it again by hand
 * (cd report/gnuplot && gnuplot loss.gp). Layout is computed here in screen coordinates, so panels line
 * up and the legend gets its own strip below the panels instead of covering data. The words inside the
 * figures (panel titles, axis labels, reference lines) are the table `panels` below.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_script.h"

/* ---- colours, text and numbers in scripts ----------------------------------------------------------- */

/* Okabe-Ito colours, distinguishable with the common colour-vision deficiencies; yellow is darkened to
 * read on white. An init keeps its colour in every figure. */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                      "#D55E00", "#56B4E9", "#B8A000", "#000000"};
#define N_COLOURS (sizeof palette / sizeof palette[0])

static const char *colour(size_t init) {
    return palette[init % N_COLOURS];
}
/* After eight inits the colours repeat with another dash pattern. */
static int dash(size_t init) {
    return (int)(init / N_COLOURS) % 5 + 1;
}

/* A gnuplot single-quoted string: no escapes inside, a quote is doubled; control characters dropped. */
static void put_quoted(FILE *f, const char *text) {
    fputc('\'', f);
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            fputs("''", f);
        else if ((unsigned char)*p >= 0x20)
            fputc(*p, f);
    }
    fputc('\'', f);
}

static void put_number(FILE *f, double v) {
    if (isfinite(v))
        fprintf(f, "%.7g", v);
    else
        fputs("NaN", f);
}

/* ---- the words in the figures ------------------------------------------------------------------------ */

/* A panel: its words and how its y axis is set. */
typedef struct {
    const char *title;  /* per-layer panels: follows "Layer L (activation, U units)" */
    const char *xlabel; /* panels whose x axis is not the time axis */
    const char *ylabel; /* " (log scale)" is added when the axis is logarithmic */
    const char *empty;  /* the words of the panel when it has no value (NULL: words.no_values) */
    int fixed_range;    /* 1: y from ylo to yhi */
    double ylo, yhi;
    int allow_log;
    double reference; /* > 0: a dashed horizontal line there, labelled reference_text */
    const char *reference_text;
    double ytics_step; /* > 0: y ticks at multiples of this (counts) */
} panel_spec;

enum {
    PANEL_TRAIN_LOSS,
    PANEL_TEST_LOSS,
    PANEL_ACCURACY,
    PANEL_RELATIVE_ERROR,
    PANEL_SATURATED,
    PANEL_LINEAR_REGION,
    PANEL_DEAD,
    PANEL_DISTINCT,
    PANEL_LINEARITY_TIME,
    PANEL_LINEARITY_NORM,
    PANEL_HISTOGRAM,
    PANEL_COUNT
};

static const panel_spec panels[PANEL_COUNT] = {
    /* the loss's kind (" (squared error)") follows the y label when meta names the task */
    [PANEL_TRAIN_LOSS] = {.title = "Training set", .ylabel = "training loss", .allow_log = 1},
    [PANEL_TEST_LOSS] = {.title = "Test set", .ylabel = "test loss", .allow_log = 1},
    [PANEL_ACCURACY] = {.title = "Mean over the seeds; band from the worst to the best seed",
                        .ylabel = "share of test examples classified correctly",
                        .fixed_range = 1,
                        .ylo = 0,
                        .yhi = 1},
    [PANEL_RELATIVE_ERROR] = {.title = "Mean over the seeds; band from the best to the worst seed",
                              .ylabel = "test MSE / Bayes error",
                              .allow_log = 1,
                              .reference = 1.0,
                              .reference_text = "1 = the Bayes error, the best any model can do"},
    [PANEL_SATURATED] = {.title = ": saturated",
                         .ylabel = "saturated share of unit-sample pairs",
                         .fixed_range = 1,
                         .ylo = -0.02,
                         .yhi = 1.02},
    [PANEL_LINEAR_REGION] = {.title = ": in the linear region |z| < 1",
                             .ylabel = "share of unit-sample pairs",
                             .fixed_range = 1,
                             .ylo = -0.02,
                             .yhi = 1.02},
    [PANEL_DEAD] = {.title = ": dead",
                    .ylabel = "share of units dead on every sample",
                    .fixed_range = 1,
                    .ylo = -0.02,
                    .yhi = 1.02},
    /* y up to the layer's width + 0.5, a tick per unit up to 12 units */
    [PANEL_DISTINCT] = {.title = "", .ylabel = "distinct hidden units (count)", .fixed_range = 1, .ylo = 0},
    [PANEL_LINEARITY_TIME] = {.title = "Linearity over time",
                              .ylabel = "R² of the best linear fit (1 = linear)",
                              .fixed_range = 1,
                              .ylo = 0,
                              .yhi = 1.02},
    [PANEL_LINEARITY_NORM] = {.title = "Linearity against weight norm (one path per run)",
                              .xlabel = "‖W‖, Euclidean norm of all weights",
                              .ylabel = "R² of the best linear fit (1 = linear)",
                              .empty = "no values: R² does not exist when the outputs are constant"},
    /* the title names the init and the epochs */
    [PANEL_HISTOGRAM] = {.xlabel = "activation value f(z)",
                         .ylabel = "share of unit-sample pairs",
                         .empty = "no histogram for this init"},
};

/* Words every figure may use. */
static const struct {
    const char *epoch_axis, *epoch_axis_log; /* the time axis, linear or logarithmic */
    const char *log_scale;                   /* after an axis label */
    const char *no_values;                   /* a series panel with no value */
    const char *path_start, *path_end;       /* legend of the paths of linearity against weight norm */
    const char *hist_start, *hist_end;       /* legend of the histograms */
} words = {
    .epoch_axis = "epoch (passes over the training set)",
    .epoch_axis_log = "epoch (passes over the training set; logarithmic axis from 0)",
    .log_scale = " (log scale)",
    .no_values = "no values: this quantity does not apply here",
    .path_start = "start",
    .path_end = "end",
    .hist_start = "epoch 0",
    .hist_end = "end of training (in the init's colour)",
};

/* "set xlabel 'TEXT'" (or ylabel), with suffix after the text. */
static void put_label(FILE *f, const char *axis, const char *text, const char *suffix) {
    char label[256];
    snprintf(label, sizeof label, "%s%s", text, suffix);
    fprintf(f, "set %slabel ", axis);
    put_quoted(f, label);
    fputc('\n', f);
}

/* ---- layout ------------------------------------------------------------------------------------------ */

#define FIG_WIDTH  1200
#define TITLE_PX   46  /* figure title band */
#define LEGEND_ROW 22  /* one row of the legend strip */
#define PANEL_L    100 /* room left of a panel for tick labels and the y label */
#define PANEL_R    28
#define PANEL_T    44  /* panel title */
#define PANEL_B    64  /* tick labels and x label */
#define PANEL_H    340 /* panel height including its margins */

typedef struct {
    size_t rows, cols;
    int panel_h;
    int width, height;
    int legend_h; /* the strip under the panels that holds the legend */
} layout;

/* Panels in a grid of rows x cols, each panel_h pixels high, and a legend strip under them with
 * n_items entries whose longest title has max_len characters. gnuplot puts as many equal-width entries
 * on a row as fit, so the strip's height is estimated from that width (about 7 pixels a character at
 * the 11-point font, plus the line sample). */
static layout make_layout(size_t rows, size_t cols, int panel_h, size_t n_items, size_t max_len) {
    layout g;
    g.rows = rows;
    g.cols = cols ? cols : 1;
    g.panel_h = panel_h;
    g.width = FIG_WIDTH;
    double entry = 7.2 * (double)max_len + 80;
    size_t per_row = (size_t)((FIG_WIDTH - 60) / entry);
    if (per_row < 1) per_row = 1;
    size_t legend_rows = n_items ? (n_items + per_row - 1) / per_row : 0;
    g.legend_h = legend_rows ? (int)legend_rows * LEGEND_ROW + 22 : 0;
    g.height = TITLE_PX + (int)rows * panel_h + g.legend_h;
    return g;
}

/* Margins of panel (r, c) in screen coordinates (0..1, origin bottom left). */
static void put_margins(FILE *f, const layout *g, size_t r, size_t c) {
    double cell_w = (double)g->width / (double)g->cols;
    double top = (double)g->height - TITLE_PX - (double)r * g->panel_h;
    double x0 = cell_w * (double)c, x1 = x0 + cell_w;
    fprintf(f, "set lmargin at screen %.4f; set rmargin at screen %.4f\n", (x0 + PANEL_L) / g->width,
            (x1 - PANEL_R) / g->width);
    fprintf(f, "set tmargin at screen %.4f; set bmargin at screen %.4f\n", (top - PANEL_T) / g->height,
            (top - g->panel_h + PANEL_B) / g->height);
}

/* Settings every panel starts from: reset clears the previous panel's ranges, scales and labels. */
static void panel_prologue(FILE *f, const layout *g, size_t r, size_t c, const char *title) {
    fputs("reset\n", f);
    put_margins(f, g, r, c);
    fputs("set border 3 lw 1.2\nset tics nomirror out\nset grid lc rgb '#e4e4e4' lw 1\n"
          "set style fill transparent solid 0.18 noborder\nunset key\n",
          f);
    fputs("set title ", f);
    put_quoted(f, title);
    fputs(" font ',12'\n", f);
}

/* The legend: an empty, frameless last panel across the strip under the panels, holding only the key.
 * Entries follow as ", keyentry ..." items; legend_end closes the plot command. */
static void legend_begin(FILE *f, const layout *g) {
    fputs("reset\n", f);
    fprintf(f, "set lmargin at screen 0.01; set rmargin at screen 0.99\n");
    fprintf(f, "set tmargin at screen %.4f; set bmargin at screen %.4f\n",
            (double)(g->legend_h - 4) / g->height, 4.0 / g->height);
    fputs("unset border; unset xtics; unset ytics; set xrange [0:1]; set yrange [0:1]\n"
          "set key at graph 0.5, 0.5 center center horizontal reverse Left samplen 3 width 0 spacing 1.15 "
          "box lc rgb '#c8c8c8'\nplot 2 notitle",
          f);
}

static void legend_end(FILE *f) {
    fputc('\n', f);
}

static void put_init_keyentries(FILE *f, const il__report_results *res) {
    for (size_t i = 0; i < res->n_inits; i++) {
        fprintf(f, ", keyentry with lines lw 2.5 dt %d lc rgb '%s' title ", dash(i), colour(i));
        put_quoted(f, res->inits[i].label);
    }
}

static size_t longest_label(const il__report_results *res) {
    size_t n = 0;
    for (size_t i = 0; i < res->n_inits; i++)
        if (strlen(res->inits[i].label) > n) n = strlen(res->inits[i].label);
    return n;
}

/* ---- the time axis ---------------------------------------------------------------------------------------
 * Most of what an init does happens in the first few percent of a long run, so from LOG_TIME_EPOCHS
 * epochs on the epoch axis is logarithmic in (epoch + 1): epoch 0 stays on the axis, and the first ten
 * epochs get as much room as the next ninety. */
#define LOG_TIME_EPOCHS 30

static int log_time(const il__report_results *res) {
    return res->max_epoch >= LOG_TIME_EPOCHS;
}

/* Where an epoch sits along the axis, in units that are even on the page. */
static double time_coord(const il__report_results *res, double epoch) {
    return log_time(res) ? log10(epoch + 1) : epoch;
}

static void put_time_axis(FILE *f, const il__report_results *res) {
    double top = res->max_epoch > 0 ? res->max_epoch : 1;
    if (!log_time(res)) {
        put_label(f, "x", words.epoch_axis, "");
        fprintf(f, "set xrange [0:%.7g]\n", top);
        return;
    }
    put_label(f, "x", words.epoch_axis_log, "");
    fputs("set nonlinear x via log10(x + 1) inverse 10**x - 1\n", f);
    fprintf(f, "set xrange [0:%.7g]\nset xtics (0", top);
    /* 1, 2, 5, 10, 20, 50, ...: ticks evenly spread on the logarithmic axis, and the last epoch. */
    double last = 0;
    for (double decade = 1; decade <= top; decade *= 10)
        for (int k = 0; k < 3; k++) {
            double t = decade * (k == 0 ? 1 : k == 1 ? 2 : 5);
            if (t > top) break;
            if (log10(top + 1) - log10(t + 1) < 0.12) continue; /* too close to the last epoch's tick */
            fprintf(f, ", %.7g", t);
            last = t;
        }
    (void)last;
    fprintf(f, ", %.7g)\n", top);
}

/* Terminal and output for one of the two formats, inside the script's loop over them. */
static void put_script_head(FILE *f, const il__report_figure *fig, const char *terminal) {
    fprintf(f, "# %s.gp - %s\n", fig->name, fig->title);
    fprintf(f,
            "# Written by initlab report from the results CSVs; data in %s.dat (a block per curve, see the\n"
            "# comment above each). Edit and run again: cd report/gnuplot && gnuplot %s.gp\n",
            fig->name, fig->name);
    fputs("set encoding utf8\n", f);
    fputs("if (!exists('suffix')) suffix = ''\n", f);
    fputs("do for [format in 'png svg'] {\n", f);
    fputs("if (format eq 'png') {\n", f);
    if (strcmp(terminal, "pngcairo") == 0)
        fprintf(f, "    set terminal pngcairo size %d,%d noenhanced font 'sans,11' background '#ffffff'\n",
                fig->width, fig->height);
    else
        fprintf(f,
                "    set terminal png truecolor size %d,%d noenhanced font 'sans,11' background '#ffffff'\n",
                fig->width, fig->height);
    fputs("} else {\n", f);
    fprintf(f, "    set terminal svg size %d,%d noenhanced font 'sans,11' background '#ffffff'\n", fig->width,
            fig->height);
    fputs("}\n", f);
    fprintf(f, "set output sprintf('../figures/%s.%%s%%s', format, suffix)\n", fig->name);
    fputs("set multiplot title ", f);
    put_quoted(f, fig->title);
    fputs(" font ',14'\n", f);
}

static void put_script_tail(FILE *f) {
    fputs("unset multiplot\nunset output\n}\n", f);
}

/* Between two elements of a plot command: one element a line, for a reader of the script. */
#define PLOT_NEXT ", \\\n     "

/* ---- data blocks -------------------------------------------------------------------------------------- */

/* Long runs are thinned to about this many points per curve (every point of the first epoch is kept,
 * where the early dynamics are fast); a 1200-pixel figure cannot show more. */
#define MAX_CURVE_POINTS 600

typedef struct {
    FILE *f;
    size_t next; /* index of the next block gnuplot will see */
} data_file;

static void begin_block(data_file *d, const char *comment) {
    fprintf(d->f, "# block %zu: %s\n", d->next, comment);
}
static size_t end_block(data_file *d) {
    fputs("\n\n", d->f);
    return d->next++;
}

/* Thinning: keep a point when it lies at least 1/MAX_CURVE_POINTS of the axis beyond the last one kept
 * (measured along the axis as drawn, so a logarithmic time axis keeps the early points), and the last. */
static int keep_point(double coord, double *last_kept, double span, int is_last) {
    if (is_last || isnan(*last_kept) || coord - *last_kept >= span / MAX_CURVE_POINTS) {
        *last_kept = coord;
        return 1;
    }
    return 0;
}

/* Write metric m of series s as "epoch mean min max" rows; -1 when it has no value at all. */
static long write_series_block(data_file *d, const il__report_results *res, const il__report_series *s,
                               size_t m, const char *comment) {
    size_t with_value = 0;
    for (size_t k = 0; k < s->n; k++)
        with_value += s->p[k].m[m].n > 0;
    if (!with_value) return -1;
    begin_block(d, comment);
    fputs("# epoch mean min max (over the seeds with a value)\n", d->f);
    double span = time_coord(res, res->max_epoch > 0 ? res->max_epoch : 1), last_kept = NAN;
    for (size_t k = 0; k < s->n; k++) {
        const il__report_point *p = &s->p[k];
        if (!keep_point(time_coord(res, p->epoch), &last_kept, span, k + 1 == s->n)) continue;
        const il__report_stat *st = &p->m[m];
        put_number(d->f, p->epoch);
        fputc(' ', d->f);
        put_number(d->f, st->n ? st->sum / (double)st->n : NAN);
        fputc(' ', d->f);
        put_number(d->f, st->n ? st->min : NAN);
        fputc(' ', d->f);
        put_number(d->f, st->n ? st->max : NAN);
        fputc('\n', d->f);
    }
    return (long)end_block(d);
}

/* Smallest and largest value (band included) of metric m in series s; 0 when it has none. */
static int series_range(const il__report_series *s, size_t m, double *lo, double *hi) {
    int any = 0;
    for (size_t k = 0; k < s->n; k++) {
        const il__report_stat *st = &s->p[k].m[m];
        if (!st->n) continue;
        if (!any || st->min < *lo) *lo = st->min;
        if (!any || st->max > *hi) *hi = st->max;
        any = 1;
    }
    return any;
}

/* A logarithmic axis helps when every value is positive and they span more than a factor of 20. */
static int wants_log(double lo, double hi) {
    return lo > 0 && hi / lo > 20;
}

/* The band and mean line of one init's block. */
static void put_band_and_line(FILE *f, int *first, const char *file, long block, size_t init) {
    if (block < 0) return;
    fprintf(f, "%s'%s' index %ld using 1:3:4 with filledcurves lc rgb '%s' notitle",
            *first ? "plot " : PLOT_NEXT, file, block, colour(init));
    fprintf(f, PLOT_NEXT "'' index %ld using 1:2 with lines lw 2.2 dt %d lc rgb '%s' notitle", block,
            dash(init), colour(init));
    *first = 0;
}

/* A panel with nothing to show still gets its frame and a word why. */
static void put_empty_panel(FILE *f, const char *why) {
    fputs("set xrange [0:1]; set yrange [0:1]; unset xtics; unset ytics; unset nonlinear x\nset label 1 ", f);
    put_quoted(f, why);
    fputs(" at graph 0.5, 0.5 center\nplot 2 notitle\n", f);
}

/* The series of init i: layer 0 means the whole network (curves.csv), layer l >= 1 that layer. */
static const il__report_series *series_of(const il__report_results *res, size_t layer, size_t i) {
    return layer == 0 ? &res->inits[i].curve : &res->layers[layer - 1].series[i];
}

/* One panel of metric m over the series of every init: band and mean per init. */

static void series_panel(FILE *f, data_file *d, const char *dat, const il__report_results *res, size_t layer,
                         size_t m, const panel_spec *ps, const layout *g, size_t r, size_t c) {
    size_t n = res->n_inits;
    panel_prologue(f, g, r, c, ps->title);
    double lo = 0, hi = 0;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        double a = 0, b = 0;
        if (!series_range(series_of(res, layer, i), m, &a, &b)) continue;
        if (!any || a < lo) lo = a;
        if (!any || b > hi) hi = b;
        any = 1;
    }
    if (!any) {
        put_empty_panel(f, ps->empty ? ps->empty : words.no_values);
        return;
    }
    int logy = ps->allow_log && wants_log(lo, hi);
    put_time_axis(f, res);
    put_label(f, "y", ps->ylabel, logy ? words.log_scale : "");
    if (logy) fputs("set logscale y\n", f);
    if (ps->fixed_range) fprintf(f, "set yrange [%.7g:%.7g]\n", ps->ylo, ps->yhi);
    if (ps->ytics_step > 0) fprintf(f, "set ytics %.7g\nset format y '%%.0f'\n", ps->ytics_step);
    if (ps->reference > 0) {
        /* The reference line must be inside the axis, with room under it for its words. */
        if (!ps->fixed_range) {
            double bottom = fmin(lo, ps->reference);
            fprintf(f, "set yrange [%.7g:*]\n", logy ? bottom / 1.3 : bottom - 0.08 * (hi - bottom));
        }
        fprintf(f,
                "set arrow 1 from graph 0, first %.7g to graph 1, first %.7g nohead dt 2 lw 1.5 lc rgb "
                "'#555555'\n",
                ps->reference, ps->reference);
        fputs("set label 2 ", f);
        put_quoted(f, ps->reference_text);
        fprintf(f, " at graph 0.01, first %.7g left offset 0, 0.7 tc rgb '#555555'\n", ps->reference);
    }
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        char comment[256];
        snprintf(comment, sizeof comment, "%s, init %s", ps->title, res->inits[i].label);
        long block = write_series_block(d, res, series_of(res, layer, i), m, comment);
        put_band_and_line(f, &first, dat, block, i);
    }
    fputc('\n', f);
}

/* ---- the figures ----------------------------------------------------------------------------------------
 */

static size_t region_rows(const il__report_results *res) {
    return (size_t)res->has_layer[IL__LAYER_SATURATED] + (size_t)res->has_layer[IL__LAYER_LINEAR_REGION] +
           (size_t)res->has_layer[IL__LAYER_DEAD];
}

static size_t hist_cols(size_t n_inits) {
    return n_inits < 3 ? n_inits : 3;
}

/* The grid and legend of each kind of figure: the plan sizes the PNG with it, the drawing places the
 * panels with it. */
static layout figure_layout(const il__report_results *res, const il__report_figure *fig) {
    size_t I = res->n_inits, H = il__report_hidden_layers(res), len = longest_label(res);
    switch (fig->kind) {
    case IL__FIG_LOSS: return make_layout(1, 2, PANEL_H, I, len);
    case IL__FIG_METRIC: return make_layout(1, 1, PANEL_H + 60, I, len);
    case IL__FIG_REGIONS: return make_layout(region_rows(res), H, PANEL_H, I, len);
    case IL__FIG_LINEARITY: return make_layout(1, 2, PANEL_H + 60, I + 2, len > 15 ? len : 15);
    case IL__FIG_DISTINCT: return make_layout(1, H, PANEL_H + 40, I, len);
    case IL__FIG_HISTOGRAMS: {
        size_t cols = hist_cols(I);
        return make_layout((I + cols - 1) / cols, cols, PANEL_H, 2, strlen(words.hist_end));
    }
    }
    return make_layout(1, 1, PANEL_H, I, len);
}

static void init_legend(FILE *f, const layout *g, const il__report_results *res) {
    legend_begin(f, g);
    put_init_keyentries(f, res);
    legend_end(f);
}

/* The title of layer l's panel (0-based): "Layer 1 (sigmoid, 10 units)" and the panel's own title. */
static void layer_title(char *title, size_t size, const il__report_results *res, size_t l, const char *what) {
    snprintf(title, size, "Layer %zu (%s, %zu units)%s", l + 1, res->layers[l].activation,
             res->layers[l].units, what);
}

static void draw_loss(FILE *f, data_file *d, const char *dat, const il__report_results *res,
                      const layout *g) {
    static const struct {
        int panel;
        size_t metric;
    } sides[] = {{PANEL_TRAIN_LOSS, IL__CURVE_TRAIN}, {PANEL_TEST_LOSS, IL__CURVE_TEST}};
    const char *kind = il__report_loss_kind(res);
    for (size_t c = 0; c < 2; c++) {
        panel_spec ps = panels[sides[c].panel];
        char ylabel[128];
        snprintf(ylabel, sizeof ylabel, "%s%s%s%s", ps.ylabel, kind ? " (" : "", kind ? kind : "",
                 kind ? ")" : "");
        ps.ylabel = ylabel;
        series_panel(f, d, dat, res, 0, sides[c].metric, &ps, g, 0, c);
    }
    init_legend(f, g, res);
}

static void draw_metric(FILE *f, data_file *d, const char *dat, const il__report_results *res,
                        const layout *g) {
    if (res->has_curve[IL__CURVE_ACCURACY])
        series_panel(f, d, dat, res, 0, IL__CURVE_ACCURACY, &panels[PANEL_ACCURACY], g, 0, 0);
    else
        series_panel(f, d, dat, res, 0, IL__CURVE_RELATIVE, &panels[PANEL_RELATIVE_ERROR], g, 0, 0);
    init_legend(f, g, res);
}

static void draw_regions(FILE *f, data_file *d, const char *dat, const il__report_results *res,
                         const layout *g) {
    static const struct {
        size_t metric;
        int panel;
    } rows[] = {
        {IL__LAYER_SATURATED, PANEL_SATURATED},
        {IL__LAYER_LINEAR_REGION, PANEL_LINEAR_REGION},
        {IL__LAYER_DEAD, PANEL_DEAD},
    };
    size_t H = il__report_hidden_layers(res), r = 0;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        if (!res->has_layer[rows[k].metric]) continue;
        for (size_t l = 0; l < H; l++) {
            panel_spec ps = panels[rows[k].panel];
            char title[160];
            layer_title(title, sizeof title, res, l, ps.title);
            ps.title = title;
            series_panel(f, d, dat, res, l + 1, rows[k].metric, &ps, g, r, l);
        }
        r++;
    }
    init_legend(f, g, res);
}

static void draw_distinct(FILE *f, data_file *d, const char *dat, const il__report_results *res,
                          const layout *g) {
    size_t H = il__report_hidden_layers(res);
    for (size_t l = 0; l < H; l++) {
        panel_spec ps = panels[PANEL_DISTINCT];
        char title[160];
        layer_title(title, sizeof title, res, l, ps.title);
        ps.title = title;
        ps.yhi = (double)res->layers[l].units + 0.5;
        ps.ytics_step = res->layers[l].units <= 12 ? 1 : 0;
        series_panel(f, d, dat, res, l + 1, IL__LAYER_DISTINCT, &ps, g, 0, l);
    }
    init_legend(f, g, res);
}

static void draw_linearity(FILE *f, data_file *d, const char *dat, const il__report_results *res,
                           const layout *g) {
    series_panel(f, d, dat, res, 0, IL__CURVE_LINEARITY, &panels[PANEL_LINEARITY_TIME], g, 0, 0);

    /* Right: every run's path in (weight norm, R^2); open circle at the start, dot at the end. */
    const panel_spec *ps = &panels[PANEL_LINEARITY_NORM];
    panel_prologue(f, g, 0, 1, ps->title);
    double lo = 0, hi = 0;
    int any = 0;
    for (size_t i = 0; i < res->n_inits; i++)
        for (size_t k = 0; k < res->inits[i].paths.n; k++) {
            double x = res->inits[i].paths.xy[2 * k];
            if (x <= 0) continue;
            if (!any || x < lo) lo = x;
            if (!any || x > hi) hi = x;
            any = 1;
        }
    if (!any) {
        put_empty_panel(f, ps->empty);
    } else {
        int logx = hi / lo > 50;
        put_label(f, "x", ps->xlabel, logx ? words.log_scale : "");
        put_label(f, "y", ps->ylabel, "");
        fputs("set yrange [0:1.02]\n", f);
        if (logx) fputs("set logscale x\n", f);
        int first = 1;
        for (size_t i = 0; i < res->n_inits; i++) {
            const il__report_paths *p = &res->inits[i].paths;
            if (p->n == 0) continue;
            char comment[160];
            snprintf(
                comment, sizeof comment,
                "paths of init %s: weight_norm linearity flag (1 start, 2 end); a blank line between runs",
                res->inits[i].label);
            begin_block(d, comment);
            for (size_t run = 0; run < p->n_runs; run++) {
                size_t a = p->run_starts[run], b = run + 1 < p->n_runs ? p->run_starts[run + 1] : p->n;
                if (a >= b) continue;
                /* Thinned along the path as drawn: both axes measured in units of their span. */
                double span = logx ? log10(hi / lo) : hi - lo, kept_x = 0, kept_y = 0;
                if (!(span > 0)) span = 1;
                for (size_t k = a; k < b; k++) {
                    double x = p->xy[2 * k], y = p->xy[2 * k + 1];
                    double px = (logx ? log10(x > 0 ? x : lo) : x) / span;
                    if (k != a && k + 1 != b && fabs(px - kept_x) + fabs(y - kept_y) < 1.0 / MAX_CURVE_POINTS)
                        continue;
                    kept_x = px;
                    kept_y = y;
                    put_number(d->f, x);
                    fputc(' ', d->f);
                    put_number(d->f, y);
                    fprintf(d->f, " %d\n", k == a ? 1 : k + 1 == b ? 2 : 0);
                }
                fputc('\n', d->f);
            }
            long block = (long)end_block(d);
            fprintf(f, "%s'%s' index %ld using 1:2 with lines lw 1 dt %d lc rgb '%s' notitle",
                    first ? "plot " : PLOT_NEXT, dat, block, dash(i), colour(i));
            fprintf(f,
                    ", '' index %ld using 1:($3 == 1 ? $2 : NaN) with points pt 6 ps 1.1 lc rgb '%s' notitle",
                    block, colour(i));
            fprintf(f,
                    ", '' index %ld using 1:($3 == 2 ? $2 : NaN) with points pt 7 ps 0.9 lc rgb '%s' notitle",
                    block, colour(i));
            first = 0;
        }
        fputc('\n', f);
    }
    legend_begin(f, g);
    put_init_keyentries(f, res);
    fputs(", keyentry with points pt 6 ps 1.1 lc rgb '#444444' title ", f);
    put_quoted(f, words.path_start);
    fputs(", keyentry with points pt 7 ps 0.9 lc rgb '#444444' title ", f);
    put_quoted(f, words.path_end);
    legend_end(f);
}

/* Pool the seeds' histograms of one init, layer and moment into HIST_BINS bins over their common range;
 * each source bin's count is spread over the pooled bins in proportion to the overlap (a bin of zero
 * width goes whole into the bin that holds it). Shares of all unit x sample pairs. */
#define HIST_BINS 40

static int pool_histogram(const il__report_hist *h, double *lo_out, double *width_out,
                          double share[HIST_BINS]) {
    if (h->n == 0) return 0;
    double lo = h->lo[0], hi = h->hi[0], total = 0;
    for (size_t k = 0; k < h->n; k++) {
        if (h->lo[k] < lo) lo = h->lo[k];
        if (h->hi[k] > hi) hi = h->hi[k];
        total += h->count[k];
    }
    if (total <= 0) return 0;
    double span = hi - lo;
    if (!(span > 1e-9 * (fabs(lo) + fabs(hi) + 1e-30))) {
        /* Every activation has the same value (zero weights): a narrow spike around it. */
        double half = fmax(1e-3, 1e-3 * fabs(lo));
        lo -= half;
        hi += half;
        span = hi - lo;
    }
    double width = span / HIST_BINS;
    for (size_t b = 0; b < HIST_BINS; b++)
        share[b] = 0;
    for (size_t k = 0; k < h->n; k++) {
        double a = h->lo[k], z = h->hi[k], c = h->count[k] / total;
        if (c == 0) continue;
        if (z - a <= 1e-12 * span) {
            long b = (long)floor((a - lo) / width);
            share[b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b] += c;
            continue;
        }
        long b0 = (long)floor((a - lo) / width), b1 = (long)floor((z - lo) / width);
        if (b0 < 0) b0 = 0;
        if (b1 >= HIST_BINS) b1 = HIST_BINS - 1;
        for (long b = b0; b <= b1; b++) {
            double x0 = lo + width * (double)b, x1 = x0 + width;
            double overlap = fmin(z, x1) - fmax(a, x0);
            if (overlap > 0) share[b] += c * overlap / (z - a);
        }
    }
    *lo_out = lo;
    *width_out = width;
    return 1;
}

static long write_hist_block(data_file *d, const il__report_hist *h, const char *comment) {
    double lo, width, share[HIST_BINS];
    if (!pool_histogram(h, &lo, &width, share)) return -1;
    begin_block(d, comment);
    fputs("# bin centre, share of unit-sample pairs, bin width\n", d->f);
    for (size_t b = 0; b < HIST_BINS; b++) {
        put_number(d->f, lo + width * ((double)b + 0.5));
        fputc(' ', d->f);
        put_number(d->f, share[b]);
        fputc(' ', d->f);
        put_number(d->f, width);
        fputc('\n', d->f);
    }
    return (long)end_block(d);
}

static void draw_histograms(FILE *f, data_file *d, const char *dat, const il__report_results *res,
                            const layout *g, size_t layer) {
    const il__report_layer *ly = &res->layers[layer - 1];
    size_t cols = hist_cols(res->n_inits);
    const char *act = ly->activation;
    const panel_spec *ps = &panels[PANEL_HISTOGRAM];
    for (size_t i = 0; i < res->n_inits; i++) {
        const il__report_hist *start = &ly->hist[2 * i + IL__HIST_START],
                              *end = &ly->hist[2 * i + IL__HIST_END];
        char title[160];
        if (end->n)
            snprintf(title, sizeof title, "%s: epoch 0 and epoch %.4g", res->inits[i].label, end->epoch);
        else
            snprintf(title, sizeof title, "%s: epoch 0 (no later histogram)", res->inits[i].label);
        panel_prologue(f, g, i / cols, i % cols, title);
        char comment[200];
        snprintf(comment, sizeof comment, "layer %zu, init %s, epoch 0, all seeds pooled", layer,
                 res->inits[i].label);
        long b0 = write_hist_block(d, start, comment);
        snprintf(comment, sizeof comment, "layer %zu, init %s, end of training, all seeds pooled", layer,
                 res->inits[i].label);
        long b1 = write_hist_block(d, end, comment);
        if (b0 < 0 && b1 < 0) {
            put_empty_panel(f, ps->empty);
            continue;
        }
        put_label(f, "x", ps->xlabel, "");
        put_label(f, "y", ps->ylabel, "");
        fputs("set yrange [0:*]\n", f);
        if (strcmp(act, "sigmoid") == 0)
            fputs("set xrange [-0.02:1.02]\n", f);
        else if (strcmp(act, "tanh") == 0)
            fputs("set xrange [-1.04:1.04]\n", f);
        fputs("set style fill solid 0.55 noborder\n", f);
        int first = 1;
        if (b0 >= 0) {
            fprintf(f, "plot '%s' index %ld using 1:2:3 with boxes lc rgb '#9a9a9a' notitle", dat, b0);
            first = 0;
        }
        if (b1 >= 0)
            fprintf(f, "%s'%s' index %ld using 1:2 with histeps lw 2.4 dt %d lc rgb '%s' notitle",
                    first ? "plot " : PLOT_NEXT, dat, b1, dash(i), colour(i));
        fputc('\n', f);
    }
    legend_begin(f, g);
    fputs(", keyentry with boxes fs solid 0.55 noborder lc rgb '#9a9a9a' title ", f);
    put_quoted(f, words.hist_start);
    fputs(", keyentry with lines lw 2.4 lc rgb '#444444' title ", f);
    put_quoted(f, words.hist_end);
    legend_end(f);
}

/* ---- one figure ------------------------------------------------------------------------------------------
 */

void il__report_figure_size(const il__report_results *res, const il__report_figure *fig, int *width,
                            int *height) {
    layout g = figure_layout(res, fig);
    *width = g.width;
    *height = g.height;
}

void il__report_write_script(FILE *script, FILE *data, const il__report_results *res,
                             const il__report_figure *fig, const char *terminal) {
    char file[128];
    snprintf(file, sizeof file, "%s.dat", fig->name);
    fprintf(data, "# %s.dat - data of %s.gp (written by initlab report from the results CSVs)\n", fig->name,
            fig->name);
    data_file d = {data, 0};
    FILE *f = script;
    put_script_head(f, fig, terminal);
    /* The script is written twice in effect (one pass per format) but the data only once: the drawing
     * functions write both at the same time, so the script loop reads the same blocks for each format. */
    layout g = figure_layout(res, fig);
    switch (fig->kind) {
    case IL__FIG_LOSS: draw_loss(f, &d, file, res, &g); break;
    case IL__FIG_METRIC: draw_metric(f, &d, file, res, &g); break;
    case IL__FIG_REGIONS: draw_regions(f, &d, file, res, &g); break;
    case IL__FIG_LINEARITY: draw_linearity(f, &d, file, res, &g); break;
    case IL__FIG_DISTINCT: draw_distinct(f, &d, file, res, &g); break;
    case IL__FIG_HISTOGRAMS: draw_histograms(f, &d, file, res, &g, fig->layer); break;
    }
    put_script_tail(f);
}
