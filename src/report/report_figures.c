/* report_figures.c - the report's figures: the catalogue (every figure the report knows, with the
 * results that call for it, its name, title, alt text and caption: what it shows and what to look for),
 * the plan of the figures one results folder allows, and drawing one of them: its script and data
 * (report_script.c), gnuplot run on them (report_gnuplot.c), then its PNG and SVG renamed into place
 * once both are whole, so a figure is never half written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/files.h"
#include "initlab/fileio.h"
#include "report/report_figures.h"
#include "report/report_gnuplot.h"

/* ---- the catalogue --------------------------------------------------------------------------------------
 * In the words, {name} stands for a word that depends on the results (figure_words below). */

typedef enum {
    WHEN_ALWAYS,
    WHEN_ACCURACY,       /* curves.csv has test accuracy (classification) */
    WHEN_RELATIVE_ERROR, /* no accuracy, but test error relative to the Bayes error */
    WHEN_REGIONS,        /* hidden layers with a saturated, linear-region or dead share */
    WHEN_LINEARITY,      /* curves.csv has linearity */
    WHEN_DISTINCT,       /* hidden layers with distinct units */
    WHEN_HIDDEN_RELU,    /* per layer: a hidden ReLU layer with histograms */
    WHEN_HIDDEN,         /* per layer: another hidden layer with histograms */
    WHEN_OUTPUT          /* per layer: the output layer, with histograms */
} figure_when;

typedef struct {
    il__report_figure_kind kind;
    figure_when when;
    const char *name, *title, *alt, *caption;
} figure_entry;

/* In page order. A per-layer figure is drawn for every layer, with the first of its entries that
 * applies to that layer. */
static const figure_entry catalogue[] = {
    {IL__FIG_LOSS, WHEN_ALWAYS, "loss", "Loss of every init: training set and test set",
     "Two line charts of the mean {loss} over the seeds against the epoch, training set left and test set "
     "right, one coloured line per init with a shaded band from the lowest to the highest seed.",
     "The loss averaged over each init's seeds (line) and the range from its best to its worst seed "
     "(shaded band); the axis turns logarithmic when the losses span more than a factor of 20. Look for: "
     "zero weights stalling on a plateau (every hidden unit learns the same thing), small random weights "
     "(uniform, Xavier, He) falling steadily, large weights starting high and ending worse with a wide "
     "band, because each seed lands in a different poor solution. A gap between the panels is "
     "overfitting. A curve that stops early belongs to a run that diverged."},

    {IL__FIG_METRIC, WHEN_ACCURACY, "accuracy", "Test accuracy of every init",
     "Line chart of the share of test examples classified correctly against the epoch, one line per init "
     "with a band over the seeds.",
     "Share of the test examples classified correctly, mean over the seeds with the seed range shaded. "
     "Look for: which inits reach the best accuracy, how fast, and how much the seeds disagree."},

    {IL__FIG_METRIC, WHEN_RELATIVE_ERROR, "relative-error", "Test error relative to the Bayes error",
     "Line chart of the test mean squared error divided by the Bayes error against the epoch, one line per "
     "init with a band over the seeds and a dashed line at 1.",
     "Test mean squared error divided by the Bayes error (the noise variance), so 1 (dashed) is the best "
     "any model can do (ESL 11.6). Look for: small random starts approaching the dashed line, zero weights "
     "stuck near the linear model's error, large weights staying well above it with a wide spread between "
     "seeds."},

    {IL__FIG_REGIONS, WHEN_REGIONS, "regions", "Where the hidden units work: saturated, linear region, dead",
     "Grid of line charts, one column per hidden layer and one row per quantity (saturated share, share in "
     "the linear region{dead_units}), each against the epoch with one line per init.",
     "For each hidden layer, over the probe samples: the share of unit-sample pairs where the activation "
     "is saturated (its slope below 10% of its maximum, so almost no gradient passes), the share in the "
     "linear region |z| < 1 (where sigmoid and tanh are nearly straight lines){dead_share}. Look for: large "
     "weights starting with a saturated share near 1 and staying there (learning stalls); small weights "
     "starting with nearly every pair in the linear region (the network is close to linear, ESL 11.5.1) "
     "and leaving it as the weights grow."},

    {IL__FIG_LINEARITY, WHEN_LINEARITY, "linearity",
     "How linear the network is: R² over time and against the weight norm",
     "Left: line chart of the R-squared of the best linear fit of the outputs on the inputs against the "
     "epoch, one line per init. Right: one path per run of R-squared against the norm of all weights, from "
     "an open circle at the start to a dot at the end.",
     "R² of the best least-squares linear fit of the network's outputs on its inputs over the probe "
     "samples: 1 means the network computes a linear function of its inputs. Left, over time; right, "
     "against the Euclidean norm of all weights, one path per run. Look for the near-linear start of ESL "
     "11.5.1: small random weights begin with R² near 1, and R² falls as the weights grow and the units "
     "leave the linear part of the sigmoid. Zero weights have no R² at the start (the outputs are "
     "constant); large weights start far from linear, at a large norm."},

    {IL__FIG_DISTINCT, WHEN_DISTINCT, "distinct-units", "Distinct hidden units over time",
     "Line chart per hidden layer of the number of distinct hidden units against the epoch, one line per "
     "init.",
     "The number of hidden units whose incoming weights and bias differ from every other unit's: units "
     "that compute different functions. Look for symmetry: with zero weights every unit gets the same "
     "update, so the line stays flat at 1 however long the training runs (the {hidden_units} units act as "
     "one). Random starts keep every unit distinct."},

    {IL__FIG_HISTOGRAMS, WHEN_HIDDEN_RELU, "histograms-layer{layer}",
     "Activations of hidden layer {layer} ({activation}, {units} units) at epoch 0 and at the end",
     "Small multiples, one per init: histogram of the activation values of layer {layer} over the probe "
     "samples, epoch 0 as grey bars and the end of training as a coloured outline.",
     "How the {units} units of layer {layer} respond to the probe samples, all seeds pooled: grey bars at "
     "epoch 0, the coloured outline at the end. Look for: a tall bar at 0 (units that are off; if it is "
     "every sample, the unit is dead), zero weights putting every value in one spike, large weights "
     "spreading the values very wide."},

    {IL__FIG_HISTOGRAMS, WHEN_HIDDEN, "histograms-layer{layer}",
     "Activations of hidden layer {layer} ({activation}, {units} units) at epoch 0 and at the end",
     "Small multiples, one per init: histogram of the activation values of layer {layer} over the probe "
     "samples, epoch 0 as grey bars and the end of training as a coloured outline.",
     "How the {units} units of layer {layer} respond to the probe samples, all seeds pooled: grey bars at "
     "epoch 0, the coloured outline at the end. Look for saturation: with large weights the values pile up "
     "at the ends of the {activation}'s range, where its slope is nearly 0; with small weights they sit in "
     "the middle, the near-linear part; with zero weights every value is the same spike."},

    {IL__FIG_HISTOGRAMS, WHEN_OUTPUT, "histograms-layer{layer}",
     "Activations of layer {layer}, the output ({activation}, {units} unit{unit_s}), at epoch 0 and at the "
     "end",
     "Small multiples, one per init: histogram of the activation values of layer {layer} over the probe "
     "samples, epoch 0 as grey bars and the end of training as a coloured outline.",
     "The network's outputs over the probe samples, all seeds pooled: grey bars at epoch 0, the coloured "
     "outline at the end. Look for: a single spike at the start with zero weights (the network computes a "
     "constant), and how widely the outputs spread with large weights."},
};
#define N_CATALOGUE (sizeof catalogue / sizeof catalogue[0])

/* The words a figure's texts take from the results. */
typedef struct {
    char loss[32];         /* "squared error", "cross-entropy, nats", or "loss" when meta has no task */
    char dead_units[32];   /* ", dead units" when the hidden layers have a dead share */
    char dead_share[128];  /* the same in the regions caption */
    char hidden_units[24]; /* total over the hidden layers */
    char layer[24];        /* per-layer figures: the layer, 1-based */
    char units[24];        /* its units */
    char unit_s[4];        /* "s" unless it has 1 unit */
    char activation[32];   /* its activation */
} figure_words;

static const struct {
    const char *name;
    size_t offset;
} caption_words[] = {
    {"{loss}", offsetof(figure_words, loss)},
    {"{dead_units}", offsetof(figure_words, dead_units)},
    {"{dead_share}", offsetof(figure_words, dead_share)},
    {"{hidden_units}", offsetof(figure_words, hidden_units)},
    {"{layer}", offsetof(figure_words, layer)},
    {"{units}", offsetof(figure_words, units)},
    {"{unit_s}", offsetof(figure_words, unit_s)},
    {"{activation}", offsetof(figure_words, activation)},
};

static const char dead_units_words[] = ", dead units";
static const char dead_share_words[] =
    ", and the share of ReLU units that output 0 on every sample (dead: they never learn again)";

/* text with every {name} replaced by its word, into out (truncated to size). */
static void expand(char *out, size_t size, const char *text, const figure_words *w) {
    size_t used = 0;
    for (const char *p = text; *p && used + 1 < size;) {
        size_t k = 0, n = sizeof caption_words / sizeof caption_words[0];
        if (*p == '{')
            while (k < n && strncmp(p, caption_words[k].name, strlen(caption_words[k].name)) != 0)
                k++;
        if (*p == '{' && k < n) {
            const char *word = (const char *)w + caption_words[k].offset;
            int written = snprintf(out + used, size - used, "%s", word);
            used = (size_t)written < size - used ? used + (size_t)written : size - 1;
            p += strlen(caption_words[k].name);
        } else {
            out[used++] = *p++;
        }
    }
    out[used] = '\0';
}

/* Whether the results call for a figure of condition `when` (layer: 1-based, for the per-layer ones). */
static int applies(const il__report_results *res, figure_when when, size_t layer) {
    size_t H = il__report_hidden_layers(res);
    const int *has = res->has_layer;
    int any_hist = 0, output = layer == res->n_layers;
    if (layer >= 1 && layer <= res->n_layers)
        for (size_t k = 0; k < 2 * res->n_inits; k++)
            any_hist |= res->layers[layer - 1].hist[k].n > 0;
    const char *activation = layer >= 1 && layer <= res->n_layers ? res->layers[layer - 1].activation : "";
    switch (when) {
    case WHEN_ALWAYS: return 1;
    case WHEN_ACCURACY: return res->has_curve[IL__CURVE_ACCURACY];
    case WHEN_RELATIVE_ERROR:
        return !res->has_curve[IL__CURVE_ACCURACY] && res->has_curve[IL__CURVE_RELATIVE];
    case WHEN_REGIONS:
        return H > 0 && (has[IL__LAYER_SATURATED] || has[IL__LAYER_LINEAR_REGION] || has[IL__LAYER_DEAD]);
    case WHEN_LINEARITY: return res->has_curve[IL__CURVE_LINEARITY];
    case WHEN_DISTINCT: return H > 0 && has[IL__LAYER_DISTINCT];
    case WHEN_HIDDEN_RELU: return any_hist && !output && strcmp(activation, "relu") == 0;
    case WHEN_HIDDEN: return any_hist && !output;
    case WHEN_OUTPUT: return any_hist && output;
    }
    return 0;
}

static int per_layer(figure_when when) {
    return when == WHEN_HIDDEN_RELU || when == WHEN_HIDDEN || when == WHEN_OUTPUT;
}

static void figure_words_of(const il__report_results *res, size_t layer, figure_words *w) {
    memset(w, 0, sizeof *w);
    const char *kind = il__report_loss_kind(res);
    snprintf(w->loss, sizeof w->loss, "%s", kind ? kind : "loss");
    int dead = res->has_layer[IL__LAYER_DEAD];
    snprintf(w->dead_units, sizeof w->dead_units, "%s", dead ? dead_units_words : "");
    snprintf(w->dead_share, sizeof w->dead_share, "%s", dead ? dead_share_words : "");
    snprintf(w->hidden_units, sizeof w->hidden_units, "%zu", res->hidden_units);
    if (layer >= 1 && layer <= res->n_layers) {
        const il__report_layer *ly = &res->layers[layer - 1];
        snprintf(w->layer, sizeof w->layer, "%zu", layer);
        snprintf(w->units, sizeof w->units, "%zu", ly->units);
        snprintf(w->unit_s, sizeof w->unit_s, "%s", ly->units == 1 ? "" : "s");
        snprintf(w->activation, sizeof w->activation, "%s", ly->activation);
    }
}

/* Add entry e's figure (for layer, 1-based, or 0); 0 when the plan is full. */
static int add_figure(const il__report_results *res, il__report_figures *figs, const figure_entry *e,
                      size_t layer) {
    if (figs->n == IL__REPORT_MAX_FIGURES) return 0;
    il__report_figure *fig = &figs->fig[figs->n++];
    memset(fig, 0, sizeof *fig);
    figure_words w;
    figure_words_of(res, layer, &w);
    fig->kind = e->kind;
    fig->layer = layer;
    expand(fig->name, sizeof fig->name, e->name, &w);
    expand(fig->title, sizeof fig->title, e->title, &w);
    expand(fig->alt, sizeof fig->alt, e->alt, &w);
    expand(fig->caption, sizeof fig->caption, e->caption, &w);
    il__report_figure_size(res, fig, &fig->width, &fig->height);
    return 1;
}

void il__report_plan_figures(const il__report_results *res, il__report_figures *figs) {
    figs->n = 0;
    for (size_t k = 0; k < N_CATALOGUE; k++)
        if (!per_layer(catalogue[k].when) && applies(res, catalogue[k].when, 0) &&
            !add_figure(res, figs, &catalogue[k], 0))
            return;
    for (size_t l = 1; l <= res->n_layers; l++)
        for (size_t k = 0; k < N_CATALOGUE; k++)
            if (per_layer(catalogue[k].when) && applies(res, catalogue[k].when, l)) {
                if (!add_figure(res, figs, &catalogue[k], l)) return;
                break;
            }
}

/* ---- drawing one figure ------------------------------------------------------------------------------- */

/* Whether path is a whole file of the format: PNG magic, or an <svg element. */
static int looks_whole(const char *path, int png) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char head[512];
    size_t n = fread(head, 1, sizeof head - 1, f);
    int ok = 0;
    if (png) {
        ok = n >= 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0;
    } else {
        head[n] = '\0';
        ok = strstr(head, "<svg") != NULL;
        if (ok && fseek(f, -16, SEEK_END) == 0) {
            char tail[17];
            size_t t = fread(tail, 1, 16, f);
            tail[t] = '\0';
            ok = strstr(tail, "</svg>") != NULL;
        }
    }
    fclose(f);
    return ok;
}

/* fsync then rename: the figure appears whole under its final name or not at all. */
static il_status commit_output(const char *part, const char *final_path, il_error *err) {
    int fd = open(part, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    if (rename(part, final_path) != 0) {
        il_status st = il_fail(err, IL_ERR_IO, "%s: cannot write: %s", final_path, strerror(errno));
        remove(part);
        return st;
    }
    return IL_OK;
}

static void append_log(char **log, size_t *log_len, const char *name, const char *text, size_t len) {
    if (!log || !len) return;
    size_t head = strlen(name) + 32;
    char *grown = realloc(*log, *log_len + head + len + 2);
    if (!grown) return; /* the log is a courtesy; losing it is not an error */
    *log = grown;
    *log_len += (size_t)snprintf(*log + *log_len, head, "== %s.gp\n", name);
    memcpy(*log + *log_len, text, len);
    *log_len += len;
    if (text[len - 1] != '\n') (*log)[(*log_len)++] = '\n';
}

/* folder/NAME.EXT into buf. */
static il_status figure_path(char *buf, size_t size, const char *folder, const char *name, const char *ext,
                             il_error *err) {
    char file[128];
    snprintf(file, sizeof file, "%s.%s", name, ext);
    return il__path_join(buf, size, folder, file, err);
}

il_status il__report_draw_figure(const il__report_results *res, const il__report_figure *fig,
                                 const char *gnuplot, const char *terminal, const char *gnuplot_dir,
                                 const char *figures_dir, char **log, size_t *log_len, il_error *err) {
    char script_path[4096], data_path[4096];
    il_status st = figure_path(script_path, sizeof script_path, gnuplot_dir, fig->name, "gp", err);
    if (st == IL_OK) st = figure_path(data_path, sizeof data_path, gnuplot_dir, fig->name, "dat", err);
    if (st != IL_OK) return st;

    il_atomic_file script, data;
    st = il_atomic_open(&script, script_path, err);
    if (st != IL_OK) return st;
    st = il_atomic_open(&data, data_path, err);
    if (st != IL_OK) {
        il_atomic_abort(&script);
        return st;
    }
    il__report_write_script(script.f, data.f, res, fig, terminal);
    st = il_atomic_commit(&data, err);
    if (st != IL_OK) {
        il_atomic_abort(&script);
        return st;
    }
    st = il_atomic_commit(&script, err);
    if (st != IL_OK) return st;

    /* Run it: outputs go to ../figures/NAME.{png,svg}.part, renamed once both are whole. */
    char part_png[4096], part_svg[4096], final_png[4096], final_svg[4096];
    st = figure_path(part_png, sizeof part_png, figures_dir, fig->name, "png.part", err);
    if (st == IL_OK) st = figure_path(part_svg, sizeof part_svg, figures_dir, fig->name, "svg.part", err);
    if (st == IL_OK) st = figure_path(final_png, sizeof final_png, figures_dir, fig->name, "png", err);
    if (st == IL_OK) st = figure_path(final_svg, sizeof final_svg, figures_dir, fig->name, "svg", err);
    if (st != IL_OK) return st;
    remove(part_png);
    remove(part_svg);

    char script_name[128], *output = NULL;
    size_t output_len = 0;
    snprintf(script_name, sizeof script_name, "%s.gp", fig->name);
    st = il__report_gnuplot_run(gnuplot, gnuplot_dir, script_name, ".part", script_path, &output, &output_len,
                                err);
    if (st != IL_OK) {
        remove(part_png);
        remove(part_svg);
        return st;
    }
    append_log(log, log_len, fig->name, output ? output : "", output_len);
    free(output);
    if (!looks_whole(part_png, 1) || !looks_whole(part_svg, 0)) {
        remove(part_png);
        remove(part_svg);
        return il_fail(err, IL_ERR_IO, "gnuplot ran %s but did not write a whole %s.png and %s.svg into %s",
                       script_path, fig->name, fig->name, figures_dir);
    }
    st = commit_output(part_png, final_png, err);
    if (st == IL_OK) st = commit_output(part_svg, final_svg, err);
    return st;
}
