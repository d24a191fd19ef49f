/* report_page.c - the report's index.html: the experiment's own description, the summary table (the
 * rows `initlab run` prints, as an HTML table drawn from the same data), every figure with alt text and a
 * caption saying what to look for, and links to the CSV files. One self-contained file: inline style and a
 * few lines of inline script, relative links only, so it reads offline from the file system with no server.
 * The script checks after loading that every figure loaded and writes the count into the page
 * (<body data-figures="8/8 loaded">), which scripts/check-report.sh reads from a headless browser.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initlab/fileio.h"
#include "initlab/results.h"
#include "initlab/summary.h"
#include "initlab/version.h"
#include "report/report_page.h"

/* ---- escaping ------------------------------------------------------------------------------------------ */

/* Text for an element's content or a quoted attribute value. */
static void put_html(FILE *f, const char *text) {
    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t') fputc(*p, f);
        }
    }
}

static void put_html_len(FILE *f, const char *text, size_t len) {
    char buf[512];
    while (len > 0) {
        size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
        memcpy(buf, text, n);
        buf[n] = '\0';
        put_html(f, buf);
        text += n;
        len -= n;
    }
}

/* A path inside an href or src: characters that are not safe in a URL are percent-encoded. */
static void put_url(FILE *f, const char *path) {
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '/' ||
            *p == '.' || *p == '-' || *p == '_' || *p == '~')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

/* ---- the summary table -----------------------------------------------------------------------------------
 */

/* A table cell: the plain-text arrows and powers of the terminal table become typographic ones. */
static void put_table_text(FILE *f, const char *text, size_t len) {
    size_t i = 0, from = 0;
    while (i < len) {
        if (i + 2 <= len && text[i] == '-' && text[i + 1] == '>') {
            put_html_len(f, text + from, i - from);
            fputs("&rarr;", f);
            i += 2;
            from = i;
        } else if (i + 3 <= len && strncmp(text + i, "R^2", 3) == 0) {
            put_html_len(f, text + from, i - from);
            fputs("R&sup2;", f);
            i += 3;
            from = i;
        } else {
            i++;
        }
    }
    put_html_len(f, text + from, len - from);
}

/* Each line of text (lines end in '\n') through put, followed by after. */
static void put_lines(FILE *f, const char *text, void (*put)(FILE *, const char *, size_t),
                      const char *after) {
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        if (len) {
            put(f, p, len);
            fputs(after, f);
        }
        p += len + (p[len] == '\n');
    }
}

/* The summary rows as a table, cell for cell what `initlab run` prints (il_summary_cell): the heading
 * lines above it as a paragraph, the notes below it. */
static il_status put_summary(FILE *f, const il_summary *s, il_error *err) {
    char *heading = il_summary_heading(s), *notes = il_summary_notes(s);
    if (!heading || !notes) {
        free(heading);
        free(notes);
        return il_fail(err, IL_ERR_NOMEM, "out of memory for the summary table");
    }
    fputs("<p class=\"lead\">", f);
    put_lines(f, heading, put_html_len, "<br>");
    fputs("</p>\n<div class=\"scroll\"><table class=\"summary\">\n", f);
    char cell[512];
    for (size_t r = 0; r <= s->n_rows; r++) {
        const char *tag = r == 0 ? "th" : "td";
        fputs("<tr>", f);
        for (size_t c = 0; c < s->n_columns; c++) {
            il_summary_column col = s->columns[c];
            const char *cls = c == 0 ? "name" : c + 1 == s->n_columns ? "words" : "num";
            if (r == 0)
                snprintf(cell, sizeof cell, "%s", il_summary_header(col));
            else
                il_summary_cell(s, r - 1, col, cell, sizeof cell);
            fprintf(f, "<%s class=\"%s\">", tag, cls);
            put_table_text(f, cell, strlen(cell));
            fprintf(f, "</%s>", tag);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n<p class=\"note\">", f);
    put_lines(f, notes, put_table_text, " ");
    fputs("</p>\n", f);
    free(heading);
    free(notes);
    return IL_OK;
}

/* ---- links to the results files -------------------------------------------------------------------------
 */

/* The relative path from folder `from` to folder `to` (both existing), "" when they are the same, with
 * a trailing '/' otherwise. Falls back to the absolute path of `to`. */
static void relative_dir(const char *from, const char *to, char *out, size_t size) {
    char a[PATH_MAX], b[PATH_MAX];
    if (!realpath(from, a) || !realpath(to, b)) {
        snprintf(out, size, "%s/", to);
        return;
    }
    /* Common leading folders. */
    size_t i = 0, common = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '/') common = i;
        i++;
    }
    if (!a[i] && (!b[i] || b[i] == '/'))
        common = i;
    else if (!b[i] && a[i] == '/')
        common = i;
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = a + common; *p; p++)
        if (*p == '/' && used + 4 < size) used += (size_t)snprintf(out + used, size - used, "../");
    const char *rest = b + common;
    while (*rest == '/')
        rest++;
    if (*rest) snprintf(out + used, size - used, "%s/", rest);
}

static int compare_names(const void *x, const void *y) {
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* What a results file holds, in a few words (docs/results.md has the columns). */
static void describe_file(char *buf, size_t size, const char *name) {
    static const struct {
        const char *name, *what;
    } known[] = {
        {"runs.csv", "one row per run: final losses, linearity, saturation, distinct units at start and end"},
        {"curves.csv", "one row per run and log point: losses, accuracy, linearity, norms, saturation"},
        {"layers.csv", "one row per run, log point and layer: the per-layer diagnostics"},
        {"histograms.csv", "activation histograms per run and layer, at epoch 0 and at the end"},
        {"timing.csv", "wall-clock seconds at each log point"},
        {"config.ini", "the experiment exactly as used (initlab run config.ini repeats it)"},
        {"meta", "what produced the folder: version, seeds, BLAS, date"},
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (strcmp(name, known[k].name) == 0) {
            snprintf(buf, size, "%s", known[k].what);
            return;
        }
    size_t len = strlen(name);
    if (len > 9 && strcmp(name + len - 9, "_wide.csv") == 0) {
        snprintf(buf, size,
                 "%.*s per log point, one column per init (mean over its seeds): a chart in one click",
                 (int)(len - 9), name);
        return;
    }
    snprintf(buf, size, "a file of the results folder");
}

static void put_file_links(FILE *f, const il__report_results *res, const char *out_dir) {
    char rel[PATH_MAX + 8];
    relative_dir(out_dir, res->dir, rel, sizeof rel);
    char *names[512];
    size_t n = 0;
    DIR *dir = opendir(res->dir);
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) && n < 512) {
            size_t len = strlen(e->d_name);
            int csv = len > 4 && strcmp(e->d_name + len - 4, ".csv") == 0;
            if (csv || strcmp(e->d_name, "config.ini") == 0 || strcmp(e->d_name, "meta") == 0) {
                names[n] = malloc(len + 1);
                if (!names[n]) break;
                memcpy(names[n++], e->d_name, len + 1);
            }
        }
        closedir(dir);
    }
    qsort(names, n, sizeof *names, compare_names);
    fputs("<ul class=\"files\">\n", f);
    for (size_t k = 0; k < n; k++) {
        char what[256], href[PATH_MAX + 600];
        describe_file(what, sizeof what, names[k]);
        snprintf(href, sizeof href, "%s%s", rel, names[k]);
        fputs("<li><a href=\"", f);
        put_url(f, href);
        fputs("\"><code>", f);
        put_html(f, names[k]);
        fputs("</code></a> &mdash; ", f);
        put_html(f, what);
        fputs("</li>\n", f);
        free(names[k]);
    }
    fputs("<li><a href=\"gnuplot/\"><code>gnuplot/</code></a> &mdash; the data and script of every figure: "
          "edit a script and run <code>gnuplot NAME.gp</code> in that folder to redraw it</li>\n</ul>\n",
          f);
}

/* ---- the page ---------------------------------------------------------------------------------------------
 */

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1d1d1f;"
    "background:#fff;margin:0;line-height:1.5}\n"
    "main{max-width:1260px;margin:0 auto;padding:8px 24px 40px}\n"
    "header{background:#f3f5f8;border-bottom:1px solid #dde2ea}\n"
    "header .in{max-width:1260px;margin:0 auto;padding:18px 24px}\n"
    "h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.3em;margin:32px 0 8px;border-bottom:1px solid #e3e6eb;"
    "padding-bottom:4px}\n"
    ".facts{color:#444;margin:0;font-size:.95em}\n"
    ".description{font-size:1.05em;background:#fffbe8;border-left:4px solid #e6b800;padding:10px 14px;"
    "margin:12px 0}\n"
    "nav ol{columns:2;margin:4px 0;padding-left:1.4em}\n"
    ".scroll{overflow-x:auto}\n"
    "table.summary{border-collapse:collapse;font-size:.92em;margin:8px 0}\n"
    "table.summary th,table.summary td{border:1px solid #d5d9e0;padding:4px 8px;vertical-align:top}\n"
    "table.summary th{background:#eef1f5;text-align:left}\n"
    "table.summary td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "table.summary td.name{font-weight:600;white-space:nowrap}\n"
    "table.summary tr:nth-child(even) td{background:#fafbfc}\n"
    ".lead,.note{color:#444;font-size:.92em}\n"
    "figure{margin:24px 0;padding:12px;border:1px solid #e3e6eb;border-radius:6px;background:#fff}\n"
    "figure img{display:block;max-width:100%;height:auto;margin:0 auto}\n"
    "figcaption{margin-top:8px;font-size:.95em;color:#333}\n"
    "figcaption .what{font-weight:600}\n"
    "img.broken{outline:3px solid #c00}\n"
    "pre{background:#f6f8fa;padding:10px;overflow-x:auto;font-size:.88em}\n"
    "footer{color:#666;font-size:.85em;margin-top:32px}\n";

/* After load, count the images that arrived whole; the headless check greps the result. */
static const char check_script[] =
    "<script>\n"
    "window.addEventListener('load', function () {\n"
    "  var images = document.querySelectorAll('img'), loaded = 0;\n"
    "  for (var i = 0; i < images.length; i++) {\n"
    "    if (images[i].complete && images[i].naturalWidth > 0) loaded++;\n"
    "    else images[i].className += ' broken';\n"
    "  }\n"
    "  var text = loaded + '/' + images.length + ' loaded';\n"
    "  document.body.setAttribute('data-figures', text);\n"
    "  var status = document.getElementById('figure-status');\n"
    "  if (status) status.textContent = loaded === images.length ? 'all ' + images.length + ' figures "
    "loaded'\n"
    "                                                            : 'only ' + text + ' figures';\n"
    "});\n"
    "</script>\n";

static void put_fact(FILE *f, int *first, const char *label, const char *value) {
    if (!value || !*value) return;
    fputs(*first ? "" : " &middot; ", f);
    put_html(f, label);
    put_html(f, value);
    *first = 0;
}

static void put_description(FILE *f, const char *text) {
    fputs("<div class=\"description\">", f);
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        put_html_len(f, p, len);
        if (eol) fputs("<br>\n", f);
        p = eol ? eol + 1 : p + len;
    }
    fputs("</div>\n", f);
}

il_status il__report_write_page(const il__report_results *res, const il__report_figures *figs,
                                const char *out_dir, const char *path, il_error *err) {
    il_atomic_file af;
    il_status st = il_atomic_open(&af, path, err);
    if (st != IL_OK) return st;
    FILE *f = af.f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    put_html(f, res->name);
    fputs(" &mdash; initlab report</title>\n<style>\n", f);
    fputs(style, f);
    fputs("</style>\n</head>\n<body data-figures=\"not checked yet\">\n<header><div "
          "class=\"in\">\n<h1>Experiment ",
          f);
    put_html(f, res->name);
    fputs("</h1>\n<p class=\"facts\">", f);
    int first = 1;
    char runs[64];
    size_t n_runs = 0;
    for (size_t i = 0; i < res->n_inits; i++)
        n_runs += res->inits[i].runs;
    snprintf(runs, sizeof runs, "%zu runs (%zu inits)", n_runs, res->n_inits);
    put_fact(f, &first, "", runs);
    put_fact(f, &first, "data: ", res->data_text);
    put_fact(f, &first, "hidden layers: ", res->meta_layers);
    put_fact(f, &first, "activation: ", res->meta_activation);
    put_fact(f, &first, "run on ", res->meta_date);
    fputs("</p>\n</div></header>\n<main>\n", f);

    fputs("<h2 id=\"about\">What this experiment shows</h2>\n", f);
    if (res->description && *res->description)
        put_description(f, res->description);
    else
        fputs("<p>The experiment has no description (<code>[experiment] description</code> in its "
              "config).</p>\n",
              f);

    fputs("<nav><strong>Figures:</strong><ol>\n", f);
    for (size_t k = 0; k < figs->n; k++) {
        fprintf(f, "<li><a href=\"#fig-%s\">", figs->fig[k].name);
        put_html(f, figs->fig[k].title);
        fputs("</a></li>\n", f);
    }
    fputs("</ol></nav>\n", f);

    fputs("<h2 id=\"summary\">Summary</h2>\n", f);
    st = put_summary(f, &res->summary, err);
    if (st != IL_OK) {
        il_atomic_abort(&af);
        return st;
    }

    fputs("<h2 id=\"figures\">Figures</h2>\n<p class=\"note\">Each figure is a PNG; click it for the SVG "
          "version (sharp at any size, for printing). Every init has the same colour in every figure; when a "
          "colour of the legend is missing from a chart, that init's curve lies under another one's.</p>\n",
          f);
    for (size_t k = 0; k < figs->n; k++) {
        const il__report_figure *fig = &figs->fig[k];
        fprintf(f, "<figure id=\"fig-%s\">\n<a href=\"figures/", fig->name);
        put_url(f, fig->name);
        fputs(".svg\"><img src=\"figures/", f);
        put_url(f, fig->name);
        fprintf(f, ".png\" width=\"%d\" height=\"%d\" alt=\"", fig->width, fig->height);
        put_html(f, fig->alt);
        fputs("\"></a>\n<figcaption><span class=\"what\">", f);
        put_html(f, fig->title);
        fputs(".</span> ", f);
        put_html(f, fig->caption);
        fputs("</figcaption>\n</figure>\n", f);
    }

    fputs("<h2 id=\"files\">The numbers behind the figures</h2>\n", f);
    put_file_links(f, res, out_dir);
    if (res->config_text) {
        fputs("<details><summary>The experiment's configuration (config.ini)</summary>\n<pre>", f);
        put_html(f, res->config_text);
        fputs("</pre></details>\n", f);
    }
    fputs("<footer>Made by initlab ", f);
    put_html(f, INITLAB_VERSION);
    fputs(" (<code>initlab report</code>) from the results folder <code>", f);
    put_html(f, res->dir);
    fputs("</code>; docs/report.md explains every figure. <span "
          "id=\"figure-status\"></span></footer>\n</main>\n",
          f);
    fputs(check_script, f);
    fputs("</body>\n</html>\n", f);
    return il_atomic_commit(&af, err);
}
