/* test_report.c - the report (il_report_write) on the hand-made results folder tests/data/results-mini:
 * every figure as a whole PNG and SVG referenced by index.html, seed bands that hold the lowest and
 * highest seed, escaping of the description, and clear errors for a folder that is not a results folder,
 * a damaged CSV or config.ini (file, line and column named), a missing gnuplot or a failing one. The
 * summary rows (il_summary_read) and both tables drawn from them, the page's and the text one. Also the
 * CSV reader.
 * Needs gnuplot, like the report itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/csv.h"
#include "initlab/report.h"
#include "initlab/results.h"
#include "initlab/runner.h"
#include "initlab/summary.h"
#include "testutil.h"

static const char *const fixture_files[] = {"runs.csv", "curves.csv", "layers.csv",        "histograms.csv",
                                            "meta",     "config.ini", "test_loss_wide.csv"};
#define N_FIXTURE_FILES (sizeof fixture_files / sizeof fixture_files[0])

/* The figures the fixture must give: a regression (relative error), one sigmoid hidden layer and the
 * identity output layer. */
static const char *const expected_figures[] = {
    "loss",           "relative-error",    "regions",          "linearity",
    "distinct-units", "histograms-layer1", "histograms-layer2"};
#define N_EXPECTED (sizeof expected_figures / sizeof expected_figures[0])

static const char *fixture_dir(void) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/results-mini", INITLAB_SOURCE_DIR);
    return path;
}

static char *join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* A copy of the fixture in a fresh folder, so a test may damage it. */
static char *copy_fixture(const char *tag) {
    char *dir = tu_make_tmpdir(tag);
    assert_non_null(dir);
    for (size_t k = 0; k < N_FIXTURE_FILES; k++) {
        char *from = join(fixture_dir(), fixture_files[k]), *to = join(dir, fixture_files[k]);
        size_t size;
        char *bytes = tu_read_file(from, &size);
        assert_non_null(bytes);
        assert_int_equal(tu_write_file(to, bytes, size), 0);
        free(bytes);
        free(from);
        free(to);
    }
    return dir;
}

/* Replace the first occurrence of old in file dir/name by new. */
static void edit_file(const char *dir, const char *name, const char *old, const char *new_text) {
    char *path = join(dir, name);
    size_t size;
    char *text = tu_read_file(path, &size);
    assert_non_null(text);
    char *at = strstr(text, old);
    assert_non_null(at);
    size_t before = (size_t)(at - text), old_len = strlen(old), new_len = strlen(new_text);
    char *out = malloc(size - old_len + new_len + 1);
    assert_non_null(out);
    memcpy(out, text, before);
    memcpy(out + before, new_text, new_len);
    memcpy(out + before + new_len, at + old_len, size - before - old_len);
    assert_int_equal(tu_write_file(path, out, size - old_len + new_len), 0);
    free(out);
    free(text);
    free(path);
}

static il_status make_report(const char *results, const char *out, const char *gnuplot, il_report_result *res,
                             il_error *err) {
    il_report_options opt;
    il_report_options_default(&opt);
    opt.out_dir = out;
    opt.gnuplot = gnuplot;
    il_error_clear(err);
    il_status st = il_report_write(results, &opt, res, err);
    if (st != IL_OK) print_message("il_report_write: %s\n", err->msg); /* shown when an assertion fails */
    return st;
}

static int file_exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- the whole report ------------------------------------------------------------------------------- */

static void test_report_draws_every_figure_as_png_and_svg_referenced_by_the_page(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-out");
    il_report_result res;
    il_error err;
    il_status st = make_report(fixture_dir(), out, NULL, &res, &err);
    assert_int_equal(st, IL_OK);
    assert_int_equal(res.n_figures, N_EXPECTED);
    assert_true(strcmp(res.terminal, "pngcairo") == 0 || strcmp(res.terminal, "png") == 0);

    char *index_path = join(out, "index.html");
    assert_string_equal(res.index_path, index_path);
    char *page = tu_read_file(index_path, NULL);
    assert_non_null(page);
    for (size_t k = 0; k < N_EXPECTED; k++) {
        char name[256], ref[300];
        snprintf(name, sizeof name, "figures/%s.png", expected_figures[k]);
        char *png_path = join(out, name);
        size_t size = 0;
        char *png = tu_read_file(png_path, &size);
        assert_non_null(png);
        assert_true(size > 2000);
        assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
        snprintf(ref, sizeof ref, "src=\"%s\"", name);
        assert_non_null(strstr(page, ref));

        snprintf(name, sizeof name, "figures/%s.svg", expected_figures[k]);
        char *svg_path = join(out, name);
        char *svg = tu_read_file(svg_path, &size);
        assert_non_null(svg);
        assert_non_null(strstr(svg, "<svg"));
        assert_non_null(strstr(svg, "</svg>"));
        snprintf(ref, sizeof ref, "href=\"%s\"", name);
        assert_non_null(strstr(page, ref));

        /* The script and data stay beside the figures, to be drawn again by hand. */
        snprintf(name, sizeof name, "gnuplot/%s.gp", expected_figures[k]);
        char *gp = join(out, name);
        assert_true(file_exists(gp));
        free(gp);
        free(png);
        free(svg);
        free(png_path);
        free(svg_path);
    }
    /* Every image has alt text, and the page checks its own figures after loading. */
    size_t images = 0;
    for (const char *p = strstr(page, "<img "); p; p = strstr(p + 1, "<img ")) {
        images++;
        const char *end = strchr(p, '>');
        const char *alt = strstr(p, " alt=\"");
        assert_non_null(alt);
        assert_true(alt < end);
        assert_true(alt[6] != '"');
    }
    assert_int_equal(images, N_EXPECTED);
    assert_non_null(strstr(page, "data-figures="));
    assert_non_null(strstr(page, "naturalWidth"));
    /* Links to the CSVs of the results folder, relative so that the page works offline. */
    assert_non_null(strstr(page, "runs.csv\""));
    assert_non_null(strstr(page, "test_loss_wide.csv\""));
    assert_null(strstr(page, "href=\"http"));
    assert_null(strstr(page, "src=\"http"));
    free(page);
    free(index_path);
    free(out);
}

static void test_report_page_escapes_the_description_and_shows_the_summary_as_a_table(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-html");
    il_error err;
    assert_int_equal(make_report(fixture_dir(), out, NULL, NULL, &err), IL_OK);
    char *path = join(out, "index.html");
    char *page = tu_read_file(path, NULL);
    assert_non_null(page);
    /* config.ini's description holds "<b>stays</b>", "&" and "±": shown as text, never as markup. */
    assert_non_null(strstr(page, "saturates &amp; its R² &lt; 0.5 &lt;b&gt;stays&lt;/b&gt; low"));
    assert_null(strstr(page, "<b>stays"));
    assert_non_null(strstr(page, "large (±10)"));
    assert_non_null(strstr(page, "A tiny made-up folder for the report&#39;s tests"));
    /* One table row per init, in plan order, with the runner's verdicts. */
    const char *zero = strstr(page, "<td class=\"name\">zero</td>");
    const char *uniform = strstr(page, "<td class=\"name\">uniform</td>");
    const char *large = strstr(page, "<td class=\"name\">large</td>");
    assert_non_null(zero);
    assert_non_null(uniform);
    assert_non_null(large);
    assert_true(zero < uniform && uniform < large);
    assert_non_null(strstr(zero, "symmetric: 1 distinct unit"));
    assert_non_null(strstr(large, "diverged in 1 of 2 seeds"));
    assert_non_null(strstr(page, "<th class=\"name\">init</th>"));
    free(page);
    free(path);
    free(out);
}

/* The value of column col (0-based) on the row of loss.dat's block `title` whose epoch is `epoch`. */
static double dat_value(const char *dat, const char *title, double epoch, int col) {
    const char *block = strstr(dat, title);
    assert_non_null(block);
    const char *end = strstr(block, "\n\n\n");
    for (const char *line = strchr(block, '\n') + 1; line && (!end || line < end);
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (*line == '#' || *line == '\n') continue;
        double v[4];
        if (sscanf(line, "%lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3]) == 4 && fabs(v[0] - epoch) < 1e-9)
            return v[col];
    }
    fail_msg("no row for epoch %g under '%s'", epoch, title);
    return NAN;
}

static void test_report_seed_bands_span_the_lowest_to_the_highest_seed(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-bands");
    il_error err;
    assert_int_equal(make_report(fixture_dir(), out, NULL, NULL, &err), IL_OK);
    char *path = join(out, "gnuplot/loss.dat");
    char *dat = tu_read_file(path, NULL);
    assert_non_null(dat);
    /* make-fixture.py: uniform's training loss at epoch e is 0.9 exp(-0.45 e) + 0.08 + 0.03 seed. */
    double s1 = 0.9 * exp(-0.45 * 3) + 0.08 + 0.03, s2 = s1 + 0.03;
    assert_float_equal(dat_value(dat, "Training set, init uniform", 3, 1), (s1 + s2) / 2, 1e-6);
    assert_float_equal(dat_value(dat, "Training set, init uniform", 3, 2), s1, 1e-6);
    assert_float_equal(dat_value(dat, "Training set, init uniform", 3, 3), s2, 1e-6);
    /* large__seed2 diverged during epoch 7: from epoch 7 on only seed 1 is in the band. */
    double l1 = (4.0 * exp(-0.2 * 8) + 0.5 + 3 * 0.03) * 1.15;
    assert_float_equal(dat_value(dat, "Test set, init large", 8, 1), l1, 1e-6);
    assert_float_equal(dat_value(dat, "Test set, init large", 8, 2), l1, 1e-6);
    assert_float_equal(dat_value(dat, "Test set, init large", 8, 3), l1, 1e-6);
    /* The log point of epoch 0.5 (every_steps) is kept. */
    assert_float_equal(dat_value(dat, "Training set, init zero", 0.5, 2), 0.9 * exp(-0.025) + 0.6 + 0.03,
                       1e-6);
    free(dat);
    free(path);
    free(out);
}

static void test_report_can_be_drawn_again_over_itself_leaving_no_temporary_files(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-again");
    il_error err;
    assert_int_equal(make_report(fixture_dir(), out, NULL, NULL, &err), IL_OK);
    assert_int_equal(make_report(fixture_dir(), out, NULL, NULL, &err), IL_OK);
    const char *const sub[] = {"", "figures", "gnuplot"};
    for (size_t k = 0; k < 3; k++) {
        char *dir_path = join(out, sub[k]);
        DIR *dir = opendir(dir_path);
        assert_non_null(dir);
        struct dirent *e;
        while ((e = readdir(dir))) {
            assert_null(strstr(e->d_name, ".part"));
            assert_null(strstr(e->d_name, ".tmp."));
        }
        closedir(dir);
        free(dir_path);
    }
    free(out);
}

/* ---- the summary rows and the two tables drawn from them ---------------------------------------------- */

static void test_summary_rows_hold_the_means_over_the_seeds_and_the_verdicts(void **state) {
    (void)state;
    il_summary s;
    il_error err;
    assert_int_equal(il_summary_read(&s, fixture_dir(), &err), IL_OK);
    assert_int_equal(s.n_rows, 3);
    assert_int_equal(s.runs, 6);
    assert_int_equal(s.runs_in_plan, 6);
    assert_string_equal(s.experiment, "mini");
    assert_int_equal(s.hidden_layers, 1);
    const il_summary_row *zero = &s.rows[0], *uniform = &s.rows[1], *large = &s.rows[2];
    assert_string_equal(zero->init, "zero");
    assert_string_equal(uniform->init, "uniform");
    assert_string_equal(large->init, "large");
    /* means over the seeds; large's diverged seed counts only for the start values */
    assert_true(fabs(zero->train_loss - (1.17587759 + 1.20587759) / 2) < 1e-9);
    assert_true(fabs(large->test_loss - 1.3010423) < 1e-9);
    assert_true(fabs(large->saturated_start - 0.93) < 1e-9);
    assert_true(fabs(large->linearity_start - (0.32 + 0.29) / 2) < 1e-9);
    assert_int_equal(large->runs, 2);
    assert_int_equal(large->finished, 1);
    assert_int_equal(large->diverged, 1);
    assert_true(fabs(large->first_diverged_epoch - 7) < 1e-9);
    assert_true(isnan(zero->linearity_start)); /* the outputs of zero weights are constant: no R^2 */
    assert_true(isnan(zero->test_accuracy));
    assert_true(uniform->lowest_test_loss && !zero->lowest_test_loss && !large->lowest_test_loss);
    assert_string_equal(zero->verdict, "symmetric: 1 distinct unit; still linear at end (R^2 1.000)");
    assert_string_equal(uniform->verdict,
                        "nearly linear at start (R^2 1.00), R^2 0.60 at end; lowest test loss");
    assert_string_equal(large->verdict, "diverged in 1 of 2 seeds; saturated: 88% of sigmoid units");
    /* a regression with a Bayes error: test/Bayes instead of accuracy and test MSE, no dead share */
    const il_summary_column expected[] = {
        IL_SUMMARY_INIT,      IL_SUMMARY_RUNS,       IL_SUMMARY_TRAIN_LOSS,
        IL_SUMMARY_TEST_LOSS, IL_SUMMARY_TEST_BAYES, IL_SUMMARY_DISTINCT_UNITS,
        IL_SUMMARY_SATURATED, IL_SUMMARY_LINEARITY,  IL_SUMMARY_VERDICT};
    assert_int_equal(s.n_columns, sizeof expected / sizeof expected[0]);
    for (size_t c = 0; c < s.n_columns; c++)
        assert_int_equal(s.columns[c], expected[c]);
    char cell[300];
    il_summary_cell(&s, 0, IL_SUMMARY_LINEARITY, cell, sizeof cell);
    assert_string_equal(cell, "- -> 1.000");
    il_summary_cell(&s, 2, IL_SUMMARY_SATURATED, cell, sizeof cell);
    assert_string_equal(cell, "93% -> 88%");
    il_summary_cell(&s, 0, IL_SUMMARY_DISTINCT_UNITS, cell, sizeof cell);
    assert_string_equal(cell, "1 of 4");
    il_summary_cell(&s, 1, IL_SUMMARY_TEST_BAYES, cell, sizeof cell);
    assert_string_equal(cell, "3.1");
    il_summary_free(&s);
}

/* text as the page writes a summary cell: arrows and R^2 typographic, no markup characters expected. */
static void html_cell(char *out, size_t size, const char *text) {
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = text; *p && used + 8 < size;) {
        if (strncmp(p, "->", 2) == 0)
            used += (size_t)snprintf(out + used, size - used, "&rarr;"), p += 2;
        else if (strncmp(p, "R^2", 3) == 0)
            used += (size_t)snprintf(out + used, size - used, "R&sup2;"), p += 3;
        else
            out[used++] = *p++, out[used] = '\0';
    }
}

static void test_report_page_shows_every_cell_of_the_summary_rows_in_order(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-rows");
    il_error err;
    assert_int_equal(make_report(fixture_dir(), out, NULL, NULL, &err), IL_OK);
    char *path = join(out, "index.html");
    char *page = tu_read_file(path, NULL);
    assert_non_null(page);
    il_summary s;
    assert_int_equal(il_summary_read(&s, fixture_dir(), &err), IL_OK);
    const char *at = strstr(page, "<table class=\"summary\">");
    assert_non_null(at);
    for (size_t r = 0; r <= s.n_rows; r++) {
        char row[4096] = "<tr>", cell[300], html[600];
        for (size_t c = 0; c < s.n_columns; c++) {
            if (r == 0)
                snprintf(cell, sizeof cell, "%s", il_summary_header(s.columns[c]));
            else
                il_summary_cell(&s, r - 1, s.columns[c], cell, sizeof cell);
            html_cell(html, sizeof html, cell);
            const char *cls = c == 0 ? "name" : c + 1 == s.n_columns ? "words" : "num";
            const char *tag = r == 0 ? "th" : "td";
            snprintf(row + strlen(row), sizeof row - strlen(row), "<%s class=\"%s\">%s</%s>", tag, cls, html,
                     tag);
        }
        strcat(row, "</tr>\n");
        const char *found = strstr(at, row);
        if (!found) fail_msg("the page has no summary row\n%s", row);
        at = found + strlen(row);
    }
    assert_non_null(strstr(page, "Experiment mini: 6 runs in "));
    assert_non_null(strstr(page, "Data: ESL 11.6 sum of sigmoids, 2 inputs, 100 train, 40 test<br>"));
    assert_non_null(strstr(page, "Linearity is the R&sup2; of the best linear fit"));
    il_summary_free(&s);
    free(page);
    free(path);
    free(out);
}

static void test_summary_text_table_prints_the_same_cells_as_the_rows(void **state) {
    (void)state;
    il_summary s;
    il_error err;
    assert_int_equal(il_summary_read(&s, fixture_dir(), &err), IL_OK);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    assert_int_equal(il_summary_write(f, fixture_dir(), &err), IL_OK);
    fclose(f);
    for (size_t r = 0; r < s.n_rows; r++) {
        char start[80];
        snprintf(start, sizeof start, "\n%s ", s.rows[r].init);
        const char *line = strstr(text, start);
        assert_non_null(line);
        const char *end = strchr(line + 1, '\n');
        for (size_t c = 0; c < s.n_columns; c++) {
            char cell[300];
            il_summary_cell(&s, r, s.columns[c], cell, sizeof cell);
            const char *found = strstr(line, cell);
            if (!found || found > end) fail_msg("row %s: no cell '%s' where expected", s.rows[r].init, cell);
            line = found + strlen(cell);
        }
        assert_true(line == end); /* the verdict ends the line */
    }
    il_summary_free(&s);
    free(text);
}

static void test_summary_refuses_a_run_whose_status_is_neither_finished_nor_diverged(void **state) {
    (void)state;
    char *dir = copy_fixture("summary-status");
    edit_file(dir, "runs.csv", "zero,1,finished,", "zero,1,running,");
    il_summary s;
    il_error err;
    assert_int_equal(il_summary_read(&s, dir, &err), IL_ERR_FORMAT);
    assert_non_null(
        strstr(err.msg, "runs.csv: line 2, column 'status': 'running', expected finished or diverged"));
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "column 'status'"));
    free(dir);
}

/* ---- errors -------------------------------------------------------------------------------------------- */

static void test_report_refuses_a_folder_that_is_not_a_results_folder(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("report-empty");
    char *out = join(dir, "report");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_IO);
    assert_non_null(strstr(err.msg, "runs.csv is missing"));
    assert_non_null(strstr(err.msg, "not a results folder"));
    assert_false(file_exists(out)); /* nothing written */
    free(out);
    free(dir);
}

static void test_report_names_file_line_and_column_of_a_cell_that_is_not_a_number(void **state) {
    (void)state;
    char *dir = copy_fixture("report-badcell");
    /* line 3 of curves.csv is zero's seed-1 row at epoch 0.5; its test_loss becomes a word */
    edit_file(dir, "curves.csv", "1.50777892,1.73394576,", "1.50777892,lots,");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "curves.csv: line 3, column 'test_loss': 'lots' is not a finite number"));
    char *index_path = join(dir, "report/index.html");
    assert_false(file_exists(index_path));
    free(index_path);
    free(dir);
}

static void test_report_refuses_nan_where_results_hold_an_empty_cell(void **state) {
    (void)state;
    char *dir = copy_fixture("report-nan");
    edit_file(dir, "layers.csv", "zero,1,0,0,1,sigmoid,4,0,", "zero,1,0,0,1,sigmoid,4,nan,");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_OK); /* weight_norm is not read */
    edit_file(dir, "layers.csv", "zero,1,0,0,1,sigmoid,4,nan,0.35,0,1,0.5,0.2,0,",
              "zero,1,0,0,1,sigmoid,4,nan,0.35,0,1,0.5,0.2,nan,");
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "layers.csv: line 2, column 'saturated': 'nan'"));
    free(dir);
}

static void test_report_names_a_missing_column(void **state) {
    (void)state;
    char *dir = copy_fixture("report-column");
    edit_file(dir, "histograms.csv", ",count\n", ",n\n");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "histograms.csv: line 1: no column 'count'"));
    free(dir);
}

static void test_report_names_a_row_with_too_few_cells(void **state) {
    (void)state;
    char *dir = copy_fixture("report-short");
    edit_file(dir, "layers.csv", "zero,1,0,0,2,identity,1,0,0.15,0.1,0.9,0.1,0.9,,0.5,,1\n",
              "zero,1,0,0,2\n");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "layers.csv: line 3 has 5 cells, the header has 17"));
    free(dir);
}

static void test_report_refuses_an_init_that_has_no_run(void **state) {
    (void)state;
    char *dir = copy_fixture("report-init");
    edit_file(dir, "curves.csv", "\nuniform,1,", "\nunifrom,1,");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "curves.csv: line 14: init 'unifrom' has no run in runs.csv"));
    free(dir);
}

static void test_report_refuses_a_histogram_of_a_layer_that_does_not_exist(void **state) {
    (void)state;
    char *dir = copy_fixture("report-layer");
    edit_file(dir, "histograms.csv", "\nzero,1,0,0,1,sigmoid,1,", "\nzero,1,0,0,9,sigmoid,1,");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(
        strstr(err.msg, "histograms.csv: line 2, column 'layer': 9, but layers.csv has layers 1 to 2"));
    free(dir);
}

static void test_report_reads_config_with_the_experiment_parser_and_names_a_bad_key(void **state) {
    (void)state;
    char *dir = copy_fixture("report-config");
    edit_file(dir, "config.ini", "learning_rate = 0.5", "learning_rate = fast");
    il_error err;
    assert_int_equal(make_report(dir, NULL, NULL, NULL, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "config.ini"));
    assert_non_null(strstr(err.msg, "learning_rate"));
    char *index_path = join(dir, "report/index.html");
    assert_false(file_exists(index_path));
    free(index_path);
    free(dir);
}

static void test_report_without_gnuplot_says_how_to_install_it(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-nognuplot");
    il_error err;
    assert_int_equal(make_report(fixture_dir(), out, "/nonexistent/bin/gnuplot", NULL, &err), IL_ERR_IO);
    assert_non_null(strstr(err.msg, "gnuplot was not found"));
    assert_non_null(strstr(err.msg, "gnuplot-nox"));
    char *index_path = join(out, "index.html");
    assert_false(file_exists(index_path));
    free(index_path);
    free(out);
}

/* A stand-in for gnuplot: passes the terminal check, fails on every figure with a gnuplot-like message. */
static char *write_fake_gnuplot(const char *dir, const char *body) {
    char *path = join(dir, "fake-gnuplot");
    assert_int_equal(tu_write_file(path, body, strlen(body)), 0);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

static void test_report_quotes_gnuplot_when_a_figure_fails_and_writes_no_page(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-gpfail");
    char *fake = write_fake_gnuplot(out, "#!/bin/sh\n"
                                         "[ \"$1\" = -e ] && [ $# -eq 2 ] && exit 0\n"
                                         "echo 'plot boom' >&2\n"
                                         "echo '\"loss.gp\" line 7: undefined variable: boom' >&2\n"
                                         "exit 1\n");
    il_error err;
    assert_int_equal(make_report(fixture_dir(), out, fake, NULL, &err), IL_ERR_IO);
    assert_non_null(strstr(err.msg, "gnuplot failed on"));
    assert_non_null(strstr(err.msg, "loss.gp"));
    assert_non_null(strstr(err.msg, "line 7: undefined variable: boom"));
    char *index_path = join(out, "index.html");
    assert_false(file_exists(index_path));
    char *png = join(out, "figures/loss.png");
    assert_false(file_exists(png));
    free(png);
    free(index_path);
    free(fake);
    free(out);
}

static void test_report_falls_back_to_the_png_terminal_without_cairo(void **state) {
    (void)state;
    char *out = tu_make_tmpdir("report-png");
    /* gnuplot without pngcairo, as some builds are: the libgd png terminal draws the figures. */
    char *fake =
        write_fake_gnuplot(out, "#!/bin/sh\n"
                                "for a in \"$@\"; do case \"$a\" in *pngcairo*) exit 1;; esac; done\n"
                                "exec gnuplot \"$@\"\n");
    il_report_result res;
    il_error err;
    assert_int_equal(make_report(fixture_dir(), out, fake, &res, &err), IL_OK);
    assert_string_equal(res.terminal, "png");
    char *png_path = join(out, "figures/loss.png");
    size_t size = 0;
    char *png = tu_read_file(png_path, &size);
    assert_non_null(png);
    assert_true(size > 2000);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    free(png);
    free(png_path);
    free(fake);
    free(out);
}

/* ---- the CSV reader ----------------------------------------------------------------------------------- */

static il_status open_text(il__csvread *r, const char *dir, const char *text, il_error *err) {
    char *path = join(dir, "t.csv");
    assert_int_equal(tu_write_file(path, text, strlen(text)), 0);
    il_status st = il__csvread_open(r, path, err);
    free(path);
    return st;
}

static void test_csv_reader_handles_quotes_crlf_bom_blank_lines_and_empty_cells(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("csvread");
    il__csvread r;
    il_error err;
    const char *text = "\xEF\xBB\xBFinit,seed,loss\r\n"
                       "\"a,b\",1,0.5\r\n"
                       "\r\n"
                       "\"say \"\"hi\"\"\n2\",2,\r\n";
    assert_int_equal(open_text(&r, dir, text, &err), IL_OK);
    assert_int_equal(r.n_cols, 3);
    assert_int_equal(il__csvread_column(&r, "init"), 0);
    assert_int_equal(il__csvread_column(&r, "loss"), 2);
    assert_int_equal(il__csvread_column(&r, "nope"), -1);
    int got;
    double v;
    size_t n;
    assert_int_equal(il__csvread_next(&r, &got, &err), IL_OK);
    assert_int_equal(got, 1);
    assert_string_equal(il__csvread_text(&r, 0), "a,b");
    assert_int_equal(il__csvread_count(&r, 1, &n, &err), IL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(il__csvread_number(&r, 2, &v, &err), IL_OK);
    assert_float_equal(v, 0.5, 0);
    assert_int_equal(r.line, 2);
    assert_int_equal(il__csvread_next(&r, &got, &err), IL_OK);
    assert_int_equal(got, 1);
    assert_string_equal(il__csvread_text(&r, 0), "say \"hi\"\n2");
    assert_int_equal(r.line, 4);
    assert_int_equal(il__csvread_number(&r, 2, &v, &err), IL_OK);
    assert_true(isnan(v)); /* empty: the value does not exist */
    assert_int_equal(il__csvread_next(&r, &got, &err), IL_OK);
    assert_int_equal(got, 0);
    il__csvread_close(&r);
    free(dir);
}

static void test_csv_reader_refuses_words_infinity_and_unclosed_quotes(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("csvread-bad");
    il__csvread r;
    il_error err;
    int got;
    double v;
    size_t n;
    assert_int_equal(open_text(&r, dir, "a,b\ninf, 2\n-1,x\n", &err), IL_OK);
    assert_int_equal(il__csvread_next(&r, &got, &err), IL_OK);
    assert_int_equal(il__csvread_number(&r, 0, &v, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "line 2, column 'a': 'inf' is not a finite number"));
    assert_int_equal(il__csvread_number(&r, 1, &v, &err), IL_ERR_FORMAT); /* leading space */
    assert_int_equal(il__csvread_next(&r, &got, &err), IL_OK);
    assert_int_equal(il__csvread_count(&r, 0, &n, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "line 3, column 'a': '-1' is not a whole number"));
    il__csvread_close(&r);

    assert_int_equal(open_text(&r, dir, "a,b\n\"open,1\n2,3\n", &err), IL_OK);
    assert_int_equal(il__csvread_next(&r, &got, &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "line 2: a quoted cell is not closed"));
    il__csvread_close(&r);

    assert_int_equal(open_text(&r, dir, "", &err), IL_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "empty file"));
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_draws_every_figure_as_png_and_svg_referenced_by_the_page),
        cmocka_unit_test(test_report_page_escapes_the_description_and_shows_the_summary_as_a_table),
        cmocka_unit_test(test_report_seed_bands_span_the_lowest_to_the_highest_seed),
        cmocka_unit_test(test_summary_rows_hold_the_means_over_the_seeds_and_the_verdicts),
        cmocka_unit_test(test_report_page_shows_every_cell_of_the_summary_rows_in_order),
        cmocka_unit_test(test_summary_text_table_prints_the_same_cells_as_the_rows),
        cmocka_unit_test(test_summary_refuses_a_run_whose_status_is_neither_finished_nor_diverged),
        cmocka_unit_test(test_report_can_be_drawn_again_over_itself_leaving_no_temporary_files),
        cmocka_unit_test(test_report_refuses_a_folder_that_is_not_a_results_folder),
        cmocka_unit_test(test_report_names_file_line_and_column_of_a_cell_that_is_not_a_number),
        cmocka_unit_test(test_report_refuses_nan_where_results_hold_an_empty_cell),
        cmocka_unit_test(test_report_names_a_missing_column),
        cmocka_unit_test(test_report_names_a_row_with_too_few_cells),
        cmocka_unit_test(test_report_refuses_an_init_that_has_no_run),
        cmocka_unit_test(test_report_refuses_a_histogram_of_a_layer_that_does_not_exist),
        cmocka_unit_test(test_report_reads_config_with_the_experiment_parser_and_names_a_bad_key),
        cmocka_unit_test(test_report_without_gnuplot_says_how_to_install_it),
        cmocka_unit_test(test_report_quotes_gnuplot_when_a_figure_fails_and_writes_no_page),
        cmocka_unit_test(test_report_falls_back_to_the_png_terminal_without_cairo),
        cmocka_unit_test(test_csv_reader_handles_quotes_crlf_bom_blank_lines_and_empty_cells),
        cmocka_unit_test(test_csv_reader_refuses_words_infinity_and_unclosed_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
