/* report_plot.c - the report's figures: for each one a gnuplot data file and a script that a reader can
 * edit and run again by hand (cd report/gnuplot && gnuplot loss.gp), then gnuplot itself, run as a
 * child process. Every figure is drawn twice by the same script, as PNG for the page and SVG for print.
 * gnuplot writes NAME.png.part and NAME.svg.part; only when it succeeded and both are whole are they
 * renamed into place, so a figure is never half written.
 * Layout is computed here in screen coordinates, so panels line up and the legend gets its own strip
 * below the panels instead of covering data.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initlab/fileio.h"
#include "report/report_internal.h"

/* ---- running gnuplot --------------------------------------------------------------------------------- */

#define OUTPUT_KEEP 65536 /* bytes of a child's output kept for messages and the log */

typedef struct {
    int exec_errno; /* nonzero: the program could not be started */
    int exit_code;  /* 0 success; -1 killed by a signal */
    char *output;   /* stdout and stderr together, NUL-terminated (may be NULL) */
    size_t len;
} run_result;

/* Run argv (argv[0] looked up on PATH unless it holds a '/') in folder cwd (NULL: here), stdin from
 * /dev/null, stdout and stderr captured. IL_OK unless a pipe or fork failed. */
static il_status run_program(char *const argv[], const char *cwd, run_result *out, il_error *err) {
    memset(out, 0, sizeof *out);
    int pipe_out[2], pipe_exec[2];
    if (pipe(pipe_out) != 0) return il_fail(err, IL_ERR_IO, "cannot start %s: %s", argv[0], strerror(errno));
    if (pipe(pipe_exec) != 0) {
        close(pipe_out[0]);
        close(pipe_out[1]);
        return il_fail(err, IL_ERR_IO, "cannot start %s: %s", argv[0], strerror(errno));
    }
    /* The exec pipe closes by itself when exec succeeds; if exec fails the child writes errno into it. */
    fcntl(pipe_exec[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pipe_out[0]);
        close(pipe_out[1]);
        close(pipe_exec[0]);
        close(pipe_exec[1]);
        return il_fail(err, IL_ERR_IO, "cannot start %s: %s", argv[0], strerror(e));
    }
    if (pid == 0) {
        close(pipe_out[0]);
        close(pipe_exec[0]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(pipe_out[1], 1);
        dup2(pipe_out[1], 2);
        int e = 0;
        if (cwd && chdir(cwd) != 0) e = errno;
        if (!e) {
            execvp(argv[0], argv);
            e = errno;
        }
        ssize_t w = write(pipe_exec[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(pipe_out[1]);
    close(pipe_exec[1]);
    char *buf = malloc(OUTPUT_KEEP + 1);
    size_t len = 0;
    char chunk[4096];
    for (;;) {
        ssize_t got = read(pipe_out[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        size_t take = (size_t)got;
        if (buf && len + take > OUTPUT_KEEP) take = OUTPUT_KEEP - len;
        if (buf) memcpy(buf + len, chunk, take);
        len += take;
    }
    close(pipe_out[0]);
    int e = 0;
    ssize_t got;
    do
        got = read(pipe_exec[0], &e, sizeof e);
    while (got < 0 && errno == EINTR);
    close(pipe_exec[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (buf) buf[len] = '\0';
    out->output = buf;
    out->len = buf ? len : 0;
    out->exec_errno = got == (ssize_t)sizeof e ? e : 0;
    out->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return IL_OK;
}

/* The first line of gnuplot's output that reports an error (or the first line at all). */
static void first_error_line(const char *text, char *line, size_t size) {
    const char *pick = NULL;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!pick && strncmp(p, "\"", 1) == 0 && strstr(p, "line")) pick = p; /* "file", line N: message */
    if (!pick && text) {
        const char *e = strstr(text, "rror");
        if (e) {
            while (e > text && e[-1] != '\n')
                e--;
            pick = e;
        }
    }
    if (!pick) pick = text ? text : "";
    while (*pick == '\n' || *pick == ' ')
        pick++;
    size_t n = strcspn(pick, "\n");
    /* gnuplot puts the offending command on the line before "line N: message"; keep the message. */
    snprintf(line, size, "%.*s", (int)(n < size ? n : size - 1), pick);
}

il_status rp_gnuplot_probe(const char *gnuplot, char *terminal, size_t size, il_error *err) {
    static const struct {
        const char *name;
        const char *commands;
    } candidates[] = {
        {"pngcairo", "set terminal pngcairo; set terminal svg"},
        {"png", "set terminal png truecolor; set terminal svg"},
    };
    for (size_t k = 0; k < sizeof candidates / sizeof candidates[0]; k++) {
        char *argv[] = {(char *)gnuplot, (char *)"-e", (char *)candidates[k].commands, NULL};
        run_result rr;
        il_status st = run_program(argv, NULL, &rr, err);
        if (st != IL_OK) return st;
        free(rr.output);
        if (rr.exec_errno == ENOENT)
            return il_fail(
                err, IL_ERR_IO,
                "gnuplot was not found (looked for '%s'%s): the report draws its figures with it; "
                "install it (Debian: apt-get install gnuplot-nox) or name the program with --gnuplot "
                "PATH",
                gnuplot, strchr(gnuplot, '/') ? "" : " on the PATH");
        if (rr.exec_errno)
            return il_fail(err, IL_ERR_IO, "cannot run gnuplot '%s': %s", gnuplot, strerror(rr.exec_errno));
        if (rr.exit_code == 0) {
            snprintf(terminal, size, "%s", candidates[k].name);
            return IL_OK;
        }
    }
    return il_fail(err, IL_ERR_IO,
                   "gnuplot '%s' runs but has neither the pngcairo nor the png terminal together with svg; "
                   "install a complete gnuplot (Debian: apt-get install gnuplot-nox)",
                   gnuplot);
}

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

static void put_init_keyentries(FILE *f, const rp_results *res) {
    for (size_t i = 0; i < res->n_inits; i++) {
        fprintf(f, ", keyentry with lines lw 2.5 dt %d lc rgb '%s' title ", dash(i), colour(i));
        put_quoted(f, res->inits[i].label);
    }
}

static size_t longest_label(const rp_results *res) {
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

static int log_time(const rp_results *res) {
    return res->max_epoch >= LOG_TIME_EPOCHS;
}

/* Where an epoch sits along the axis, in units that are even on the page. */
static double time_coord(const rp_results *res, double epoch) {
    return log_time(res) ? log10(epoch + 1) : epoch;
}

static void put_time_axis(FILE *f, const rp_results *res) {
    double top = res->max_epoch > 0 ? res->max_epoch : 1;
    if (!log_time(res)) {
        fputs("set xlabel 'epoch (passes over the training set)'\n", f);
        fprintf(f, "set xrange [0:%.7g]\n", top);
        return;
    }
    fputs("set xlabel 'epoch (passes over the training set; logarithmic axis from 0)'\n", f);
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
static void put_script_head(FILE *f, const rp_figure *fig, const char *terminal) {
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
static long write_series_block(data_file *d, const rp_results *res, const rp_series *s, size_t m,
                               const char *comment) {
    size_t with_value = 0;
    for (size_t k = 0; k < s->n; k++)
        with_value += s->p[k].m[m].n > 0;
    if (!with_value) return -1;
    begin_block(d, comment);
    fputs("# epoch mean min max (over the seeds with a value)\n", d->f);
    double span = time_coord(res, res->max_epoch > 0 ? res->max_epoch : 1), last_kept = NAN;
    for (size_t k = 0; k < s->n; k++) {
        const rp_point *p = &s->p[k];
        if (!keep_point(time_coord(res, p->epoch), &last_kept, span, k + 1 == s->n)) continue;
        const rp_stat *st = &p->m[m];
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
static int series_range(const rp_series *s, size_t m, double *lo, double *hi) {
    int any = 0;
    for (size_t k = 0; k < s->n; k++) {
        const rp_stat *st = &s->p[k].m[m];
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
static const rp_series *series_of(const rp_results *res, size_t layer, size_t i) {
    return layer == 0 ? &res->inits[i].curve : &res->layers[layer - 1].series[i];
}

/* One panel of metric m over the series of every init: band and mean per init. */
typedef struct {
    const char *title;
    const char *ylabel; /* " (log scale)" is added when the axis is logarithmic */
    int fixed_range;    /* 1: y from ylo to yhi */
    double ylo, yhi;
    int allow_log;
    double reference; /* > 0: a dashed horizontal line there, labelled reference_text */
    const char *reference_text;
    double ytics_step; /* > 0: y ticks at multiples of this (counts) */
} panel_spec;

static void series_panel(FILE *f, data_file *d, const char *dat, const rp_results *res, size_t layer,
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
        put_empty_panel(f, "no values: this quantity does not apply here");
        return;
    }
    int logy = ps->allow_log && wants_log(lo, hi);
    put_time_axis(f, res);
    char ylabel[256];
    snprintf(ylabel, sizeof ylabel, "%s%s", ps->ylabel, logy ? " (log scale)" : "");
    fputs("set ylabel ", f);
    put_quoted(f, ylabel);
    fputc('\n', f);
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

static size_t hidden_layers(const rp_results *res) {
    return res->n_layers > 0 ? res->n_layers - 1 : 0;
}

static const char *loss_kind(const rp_results *res) {
    if (res->meta_task && strcmp(res->meta_task, "regression") == 0) return "squared error";
    if (res->meta_task && strcmp(res->meta_task, "classification") == 0) return "cross-entropy, nats";
    return NULL;
}

static size_t region_rows(const rp_results *res) {
    return (size_t)res->has_layer[LM_SATURATED] + (size_t)res->has_layer[LM_LINEAR_REGION] +
           (size_t)res->has_layer[LM_DEAD];
}

static size_t hist_cols(size_t n_inits) {
    return n_inits < 3 ? n_inits : 3;
}

static const char *const HIST_END_ENTRY = "end of training (in the init's colour)";

/* The grid and legend of each kind of figure: the plan sizes the PNG with it, the drawing places the
 * panels with it. */
static layout figure_layout(const rp_results *res, const rp_figure *fig) {
    size_t I = res->n_inits, H = hidden_layers(res), len = longest_label(res);
    switch (fig->kind) {
    case RP_FIG_LOSS: return make_layout(1, 2, PANEL_H, I, len);
    case RP_FIG_METRIC: return make_layout(1, 1, PANEL_H + 60, I, len);
    case RP_FIG_REGIONS: return make_layout(region_rows(res), H, PANEL_H, I, len);
    case RP_FIG_LINEARITY: return make_layout(1, 2, PANEL_H + 60, I + 2, len > 15 ? len : 15);
    case RP_FIG_DISTINCT: return make_layout(1, H, PANEL_H + 40, I, len);
    case RP_FIG_HISTOGRAMS: {
        size_t cols = hist_cols(I);
        return make_layout((I + cols - 1) / cols, cols, PANEL_H, 2, strlen(HIST_END_ENTRY));
    }
    }
    return make_layout(1, 1, PANEL_H, I, len);
}

static void init_legend(FILE *f, const layout *g, const rp_results *res) {
    legend_begin(f, g);
    put_init_keyentries(f, res);
    legend_end(f);
}

static void draw_loss(FILE *f, data_file *d, const char *dat, const rp_results *res, const layout *g) {
    const char *kind = loss_kind(res);
    char ytrain[128], ytest[128];
    snprintf(ytrain, sizeof ytrain, "training loss%s%s%s", kind ? " (" : "", kind ? kind : "",
             kind ? ")" : "");
    snprintf(ytest, sizeof ytest, "test loss%s%s%s", kind ? " (" : "", kind ? kind : "", kind ? ")" : "");
    panel_spec train = {.title = "Training set", .ylabel = ytrain, .allow_log = 1};
    panel_spec test = {.title = "Test set", .ylabel = ytest, .allow_log = 1};
    series_panel(f, d, dat, res, 0, CM_TRAIN, &train, g, 0, 0);
    series_panel(f, d, dat, res, 0, CM_TEST, &test, g, 0, 1);
    init_legend(f, g, res);
}

static void draw_metric(FILE *f, data_file *d, const char *dat, const rp_results *res, const layout *g) {
    if (res->has_curve[CM_ACCURACY]) {
        panel_spec ps = {.title = "Mean over the seeds; band from the worst to the best seed",
                         .ylabel = "share of test examples classified correctly",
                         .fixed_range = 1,
                         .ylo = 0,
                         .yhi = 1};
        series_panel(f, d, dat, res, 0, CM_ACCURACY, &ps, g, 0, 0);
    } else {
        panel_spec ps = {.title = "Mean over the seeds; band from the best to the worst seed",
                         .ylabel = "test MSE / Bayes error",
                         .allow_log = 1,
                         .reference = 1.0,
                         .reference_text = "1 = the Bayes error, the best any model can do"};
        series_panel(f, d, dat, res, 0, CM_RELATIVE, &ps, g, 0, 0);
    }
    init_legend(f, g, res);
}

static void draw_regions(FILE *f, data_file *d, const char *dat, const rp_results *res, const layout *g) {
    static const struct {
        size_t metric;
        const char *what;
        const char *ylabel;
    } rows[] = {
        {LM_SATURATED, "saturated", "saturated share of unit-sample pairs"},
        {LM_LINEAR_REGION, "in the linear region |z| < 1", "share of unit-sample pairs"},
        {LM_DEAD, "dead", "share of units dead on every sample"},
    };
    size_t H = hidden_layers(res), r = 0;
    for (size_t k = 0; k < 3; k++) {
        if (!res->has_layer[rows[k].metric]) continue;
        for (size_t l = 0; l < H; l++) {
            char title[160];
            snprintf(title, sizeof title, "Layer %zu (%s, %zu units): %s", l + 1, res->layers[l].activation,
                     res->layers[l].units, rows[k].what);
            panel_spec ps = {
                .title = title, .ylabel = rows[k].ylabel, .fixed_range = 1, .ylo = -0.02, .yhi = 1.02};
            series_panel(f, d, dat, res, l + 1, rows[k].metric, &ps, g, r, l);
        }
        r++;
    }
    init_legend(f, g, res);
}

static void draw_distinct(FILE *f, data_file *d, const char *dat, const rp_results *res, const layout *g) {
    size_t H = hidden_layers(res);
    for (size_t l = 0; l < H; l++) {
        char title[160];
        snprintf(title, sizeof title, "Layer %zu (%s, %zu units)", l + 1, res->layers[l].activation,
                 res->layers[l].units);
        panel_spec ps = {.title = title,
                         .ylabel = "distinct hidden units (count)",
                         .fixed_range = 1,
                         .ylo = 0,
                         .yhi = (double)res->layers[l].units + 0.5,
                         .ytics_step = res->layers[l].units <= 12 ? 1 : 0};
        series_panel(f, d, dat, res, l + 1, LM_DISTINCT, &ps, g, 0, l);
    }
    init_legend(f, g, res);
}

static void draw_linearity(FILE *f, data_file *d, const char *dat, const rp_results *res, const layout *g) {
    panel_spec ps = {.title = "Linearity over time",
                     .ylabel = "R² of the best linear fit (1 = linear)",
                     .fixed_range = 1,
                     .ylo = 0,
                     .yhi = 1.02};
    series_panel(f, d, dat, res, 0, CM_LINEARITY, &ps, g, 0, 0);

    /* Right: every run's path in (weight norm, R^2); open circle at the start, dot at the end. */
    panel_prologue(f, g, 0, 1, "Linearity against weight norm (one path per run)");
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
        put_empty_panel(f, "no values: R² does not exist when the outputs are constant");
    } else {
        int logx = hi / lo > 50;
        fprintf(f, "set xlabel '‖W‖, Euclidean norm of all weights%s'\n", logx ? " (log scale)" : "");
        fputs("set ylabel 'R² of the best linear fit (1 = linear)'\nset yrange [0:1.02]\n", f);
        if (logx) fputs("set logscale x\n", f);
        int first = 1;
        for (size_t i = 0; i < res->n_inits; i++) {
            const rp_paths *p = &res->inits[i].paths;
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
    fputs(", keyentry with points pt 6 ps 1.1 lc rgb '#444444' title 'start'", f);
    fputs(", keyentry with points pt 7 ps 0.9 lc rgb '#444444' title 'end'", f);
    legend_end(f);
}

/* Pool the seeds' histograms of one init, layer and moment into HIST_BINS bins over their common range;
 * each source bin's count is spread over the pooled bins in proportion to the overlap (a bin of zero
 * width goes whole into the bin that holds it). Shares of all unit x sample pairs. */
#define HIST_BINS 40

static int pool_histogram(const rp_hist *h, double *lo_out, double *width_out, double share[HIST_BINS]) {
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

static long write_hist_block(data_file *d, const rp_hist *h, const char *comment) {
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

static void draw_histograms(FILE *f, data_file *d, const char *dat, const rp_results *res, const layout *g,
                            size_t layer) {
    const rp_layer *ly = &res->layers[layer - 1];
    size_t cols = hist_cols(res->n_inits);
    const char *act = ly->activation;
    for (size_t i = 0; i < res->n_inits; i++) {
        const rp_hist *start = &ly->hist[2 * i + RP_HIST_START], *end = &ly->hist[2 * i + RP_HIST_END];
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
            put_empty_panel(f, "no histogram for this init");
            continue;
        }
        fputs(
            "set xlabel 'activation value f(z)'\nset ylabel 'share of unit-sample pairs'\nset yrange [0:*]\n",
            f);
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
    fputs(", keyentry with boxes fs solid 0.55 noborder lc rgb '#9a9a9a' title 'epoch 0'", f);
    fputs(", keyentry with lines lw 2.4 lc rgb '#444444' title ", f);
    put_quoted(f, HIST_END_ENTRY);
    legend_end(f);
}

/* ---- planning ---------------------------------------------------------------------------------------------
 */

static rp_figure *add_figure(const rp_results *res, rp_figures *figs, rp_figure_kind kind, size_t layer,
                             const char *name, const char *title) {
    if (figs->n == RP_MAX_FIGURES) return NULL;
    rp_figure *fig = &figs->fig[figs->n++];
    memset(fig, 0, sizeof *fig);
    fig->kind = kind;
    fig->layer = layer;
    snprintf(fig->name, sizeof fig->name, "%s", name);
    snprintf(fig->title, sizeof fig->title, "%s", title);
    layout g = figure_layout(res, fig);
    fig->width = g.width;
    fig->height = g.height;
    return fig;
}

void rp_plan_figures(const rp_results *res, rp_figures *figs) {
    figs->n = 0;
    size_t H = hidden_layers(res);
    size_t I = res->n_inits;
    rp_figure *fig;
    const char *kind = loss_kind(res);

    fig = add_figure(res, figs, RP_FIG_LOSS, 0, "loss", "Loss of every init: training set and test set");
    if (!fig) return;
    snprintf(
        fig->alt, sizeof fig->alt,
        "Two line charts of the mean %s over the seeds against the epoch, training set left and test set "
        "right, one coloured line per init with a shaded band from the lowest to the highest seed.",
        kind ? kind : "loss");
    snprintf(
        fig->caption, sizeof fig->caption,
        "The loss averaged over each init's seeds (line) and the range from its best to its worst seed "
        "(shaded band); the axis turns logarithmic when the losses span more than a factor of 20. Look "
        "for: zero weights stalling on a plateau (every hidden unit learns the same thing), small random "
        "weights (uniform, Xavier, He) falling steadily, large weights starting high and ending worse with a "
        "wide band, because each seed lands in a different poor solution. A gap between the panels is "
        "overfitting. A curve that stops early belongs to a run that diverged.");

    if (res->has_curve[CM_ACCURACY] || res->has_curve[CM_RELATIVE]) {
        int acc = res->has_curve[CM_ACCURACY];
        fig = add_figure(res, figs, RP_FIG_METRIC, 0, acc ? "accuracy" : "relative-error",
                         acc ? "Test accuracy of every init" : "Test error relative to the Bayes error");
        if (!fig) return;
        if (acc) {
            snprintf(
                fig->alt, sizeof fig->alt,
                "Line chart of the share of test examples classified correctly against the epoch, one line "
                "per init with a band over the seeds.");
            snprintf(
                fig->caption, sizeof fig->caption,
                "Share of the test examples classified correctly, mean over the seeds with the seed range "
                "shaded. Look for: which inits reach the best accuracy, how fast, and how much the seeds "
                "disagree.");
        } else {
            snprintf(
                fig->alt, sizeof fig->alt,
                "Line chart of the test mean squared error divided by the Bayes error against the epoch, one "
                "line per init with a band over the seeds and a dashed line at 1.");
            snprintf(
                fig->caption, sizeof fig->caption,
                "Test mean squared error divided by the Bayes error (the noise variance), so 1 (dashed) is "
                "the best any model can do (ESL 11.6). Look for: small random starts approaching the dashed "
                "line, zero weights stuck near the linear model's error, large weights staying well above "
                "it with a wide spread between seeds.");
        }
    }

    if (H > 0 &&
        (res->has_layer[LM_SATURATED] || res->has_layer[LM_LINEAR_REGION] || res->has_layer[LM_DEAD])) {
        fig = add_figure(res, figs, RP_FIG_REGIONS, 0, "regions",
                         "Where the hidden units work: saturated, linear region, dead");
        if (!fig) return;
        snprintf(
            fig->alt, sizeof fig->alt,
            "Grid of line charts, one column per hidden layer and one row per quantity (saturated share, "
            "share in the linear region%s), each against the epoch with one line per init.",
            res->has_layer[LM_DEAD] ? ", dead units" : "");
        snprintf(
            fig->caption, sizeof fig->caption,
            "For each hidden layer, over the probe samples: the share of unit-sample pairs where the "
            "activation is saturated (its slope below 10%% of its maximum, so almost no gradient passes), "
            "the share in the linear region |z| < 1 (where sigmoid and tanh are nearly straight lines)%s. "
            "Look for: large weights starting with a saturated share near 1 and staying there (learning "
            "stalls); small weights starting with nearly every pair in the linear region (the network is "
            "close to linear, ESL 11.5.1) and leaving it as the weights grow.",
            res->has_layer[LM_DEAD] ? ", and the share of ReLU units that output 0 on every sample (dead: "
                                      "they never learn again)"
                                    : "");
    }

    if (res->has_curve[CM_LINEARITY]) {
        fig = add_figure(res, figs, RP_FIG_LINEARITY, 0, "linearity",
                         "How linear the network is: R² over time and "
                         "against the weight norm");
        if (!fig) return;
        snprintf(
            fig->alt, sizeof fig->alt,
            "Left: line chart of the R-squared of the best linear fit of the outputs on the inputs against "
            "the epoch, one line per init. Right: one path per run of R-squared against the norm of all "
            "weights, from an open circle at the start to a dot at the end.");
        snprintf(
            fig->caption, sizeof fig->caption,
            "R² of the best least-squares linear fit of the network's outputs on its inputs over the probe "
            "samples: 1 means the network computes a linear function of its inputs. Left, over time; right, "
            "against the Euclidean norm of all weights, one path per run. Look for the near-linear start of "
            "ESL 11.5.1: small random weights begin with R² near 1, and R² falls as the weights grow and "
            "the units leave the linear part of the sigmoid. Zero weights have no R² at the start (the "
            "outputs are constant); large weights start far from linear, at a large norm.");
    }

    if (H > 0 && res->has_layer[LM_DISTINCT]) {
        fig = add_figure(res, figs, RP_FIG_DISTINCT, 0, "distinct-units", "Distinct hidden units over time");
        if (!fig) return;
        snprintf(
            fig->alt, sizeof fig->alt,
            "Line chart per hidden layer of the number of distinct hidden units against the epoch, one line "
            "per init.");
        snprintf(
            fig->caption, sizeof fig->caption,
            "The number of hidden units whose incoming weights and bias differ from every other unit's: "
            "units that compute different functions. Look for symmetry: with zero weights every unit gets "
            "the same update, so the line stays flat at 1 however long the training runs (the %zu units "
            "act as one). Random starts keep every unit distinct.",
            res->hidden_units);
    }

    for (size_t l = 1; l <= res->n_layers; l++) {
        int any = 0;
        for (size_t k = 0; k < 2 * I; k++)
            any |= res->layers[l - 1].hist[k].n > 0;
        if (!any) continue;
        char name[64], title[160];
        int output = l == res->n_layers;
        snprintf(name, sizeof name, "histograms-layer%zu", l);
        if (output)
            snprintf(title, sizeof title,
                     "Activations of layer %zu, the output (%s, %zu unit%s), at epoch 0 and at "
                     "the end",
                     l, res->layers[l - 1].activation, res->layers[l - 1].units,
                     res->layers[l - 1].units == 1 ? "" : "s");
        else
            snprintf(title, sizeof title,
                     "Activations of hidden layer %zu (%s, %zu units) at epoch 0 and at the end", l,
                     res->layers[l - 1].activation, res->layers[l - 1].units);
        fig = add_figure(res, figs, RP_FIG_HISTOGRAMS, l, name, title);
        if (!fig) break;
        snprintf(
            fig->alt, sizeof fig->alt,
            "Small multiples, one per init: histogram of the activation values of layer %zu over the probe "
            "samples, epoch 0 as grey bars and the end of training as a coloured outline.",
            l);
        if (!output && strcmp(res->layers[l - 1].activation, "relu") == 0)
            snprintf(
                fig->caption, sizeof fig->caption,
                "How the %zu units of layer %zu respond to the probe samples, all seeds pooled: grey bars "
                "at epoch 0, the coloured outline at the end. Look for: a tall bar at 0 (units that are "
                "off; if it is every sample, the unit is dead), zero weights putting every value in one "
                "spike, large weights spreading the values very wide.",
                res->layers[l - 1].units, l);
        else if (!output)
            snprintf(
                fig->caption, sizeof fig->caption,
                "How the %zu units of layer %zu respond to the probe samples, all seeds pooled: grey bars "
                "at epoch 0, the coloured outline at the end. Look for saturation: with large weights the "
                "values pile up at the ends of the %s's range, where its slope is nearly 0; with small "
                "weights they sit in the middle, the near-linear part; with zero weights every value is the "
                "same spike.",
                res->layers[l - 1].units, l, res->layers[l - 1].activation);
        else
            snprintf(
                fig->caption, sizeof fig->caption,
                "The network's outputs over the probe samples, all seeds pooled: grey bars at epoch 0, the "
                "coloured outline at the end. Look for: a single spike at the start with zero weights (the "
                "network computes a constant), and how widely the outputs spread with large weights.");
    }
}

/* ---- drawing one figure ---------------------------------------------------------------------------------
 */

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

il_status rp_draw_figure(const rp_results *res, const rp_figure *fig, const char *gnuplot,
                         const char *terminal, const char *gnuplot_dir, const char *figures_dir, char **log,
                         size_t *log_len, il_error *err) {
    char file[128], script_path[4096], data_path[4096];
    snprintf(file, sizeof file, "%s.gp", fig->name);
    il_status st = rp_join(script_path, sizeof script_path, gnuplot_dir, file, err);
    snprintf(file, sizeof file, "%s.dat", fig->name);
    if (st == IL_OK) st = rp_join(data_path, sizeof data_path, gnuplot_dir, file, err);
    if (st != IL_OK) return st;

    il_atomic_file script, data;
    st = il_atomic_open(&script, script_path, err);
    if (st != IL_OK) return st;
    st = il_atomic_open(&data, data_path, err);
    if (st != IL_OK) {
        il_atomic_abort(&script);
        return st;
    }
    fprintf(data.f, "# %s.dat - data of %s.gp (written by initlab report from the results CSVs)\n", fig->name,
            fig->name);
    data_file d = {data.f, 0};
    FILE *f = script.f;
    put_script_head(f, fig, terminal);
    /* The script is written twice in effect (one pass per format) but the data only once: the drawing
     * functions write both at the same time, so the script loop reads the same blocks for each format. */
    layout g = figure_layout(res, fig);
    switch (fig->kind) {
    case RP_FIG_LOSS: draw_loss(f, &d, file, res, &g); break;
    case RP_FIG_METRIC: draw_metric(f, &d, file, res, &g); break;
    case RP_FIG_REGIONS: draw_regions(f, &d, file, res, &g); break;
    case RP_FIG_LINEARITY: draw_linearity(f, &d, file, res, &g); break;
    case RP_FIG_DISTINCT: draw_distinct(f, &d, file, res, &g); break;
    case RP_FIG_HISTOGRAMS: draw_histograms(f, &d, file, res, &g, fig->layer); break;
    }
    put_script_tail(f);
    st = il_atomic_commit(&data, err);
    if (st != IL_OK) {
        il_atomic_abort(&script);
        return st;
    }
    st = il_atomic_commit(&script, err);
    if (st != IL_OK) return st;

    /* Run it: outputs go to ../figures/NAME.{png,svg}.part, renamed once both are whole. */
    char part_png[4096], part_svg[4096], final_png[4096], final_svg[4096];
    snprintf(file, sizeof file, "%s.png.part", fig->name);
    st = rp_join(part_png, sizeof part_png, figures_dir, file, err);
    snprintf(file, sizeof file, "%s.svg.part", fig->name);
    if (st == IL_OK) st = rp_join(part_svg, sizeof part_svg, figures_dir, file, err);
    snprintf(file, sizeof file, "%s.png", fig->name);
    if (st == IL_OK) st = rp_join(final_png, sizeof final_png, figures_dir, file, err);
    snprintf(file, sizeof file, "%s.svg", fig->name);
    if (st == IL_OK) st = rp_join(final_svg, sizeof final_svg, figures_dir, file, err);
    if (st != IL_OK) return st;
    remove(part_png);
    remove(part_svg);

    char script_name[128];
    snprintf(script_name, sizeof script_name, "%s.gp", fig->name);
    char *argv[] = {(char *)gnuplot, (char *)"-e", (char *)"suffix = '.part'", script_name, NULL};
    run_result rr;
    st = run_program(argv, gnuplot_dir, &rr, err);
    if (st != IL_OK) return st;
    if (rr.exec_errno || rr.exit_code != 0) {
        char line[400];
        first_error_line(rr.output, line, sizeof line);
        if (rr.exec_errno)
            st = il_fail(err, IL_ERR_IO, "cannot run gnuplot '%s' for %s: %s", gnuplot, script_path,
                         strerror(rr.exec_errno));
        else
            st = il_fail(err, IL_ERR_IO, "gnuplot failed on %s (exit %d): %s", script_path, rr.exit_code,
                         line[0] ? line : "no message");
        free(rr.output);
        remove(part_png);
        remove(part_svg);
        return st;
    }
    append_log(log, log_len, fig->name, rr.output ? rr.output : "", rr.len);
    free(rr.output);
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
