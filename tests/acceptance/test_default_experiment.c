/* test_default_experiment.c - the runner issue's "done when", checked on the real program: the embedded
 * default experiment (initlab run, no file) shows the three phenomena in its results, the same invocation
 * twice writes byte-identical CSVs, and the CSVs open in a spreadsheet as numbers (LibreOffice, when it is
 * installed: the test setup installs it). Everything is read from the files the run wrote.
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
#include <unistd.h>

#include "runner_fixture.h"
#include "testutil.h"

/* ---- result tables: the tests' one reader (runner_fixture.h, on the project's CSV reader) ---- */

typedef rf_table table;

static int table_read(table *t, const char *path) {
    return rf_table_read(t, path, NULL) == IL_OK ? 0 : -1;
}

static const char *cell(const table *t, size_t row, const char *name) {
    return rf_cell(t, row, name);
}

/* Mean of a numeric column over the rows whose `init` is init (empty cells skipped); n gets the count. */
static double mean_of(const table *t, const char *init, const char *name, size_t *n) {
    double sum = 0;
    size_t count = 0;
    for (size_t i = 0; i < t->n_rows; i++) {
        if (strcmp(cell(t, i, "init"), init) != 0) continue;
        const char *v = cell(t, i, name);
        if (!*v) continue;
        sum += strtod(v, NULL);
        count++;
    }
    if (n) *n = count;
    return count ? sum / (double)count : NAN;
}

/* ---- running the default experiment once per test group ---- */

typedef struct {
    char *dir1, *dir2;
    char *summary;
} fixture;

static int run_default(const char *out, char **summary) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' run --no-timing --quiet --jobs 2 --out '%s'", tu_exe(), out);
    return tu_run(cmd, summary);
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    char *base = tu_make_tmpdir("default");
    if (!f || !base) return -1;
    size_t n = strlen(base) + 8;
    f->dir1 = malloc(n);
    f->dir2 = malloc(n);
    snprintf(f->dir1, n, "%s/one", base);
    snprintf(f->dir2, n, "%s/two", base);
    free(base);
    if (run_default(f->dir1, &f->summary) != 0) {
        fprintf(stderr, "%s\n", f->summary ? f->summary : "");
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    char cmd[8192];
    char *parent = strdup(f->dir1);
    *strrchr(parent, '/') = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", parent);
    tu_run(cmd, NULL);
    free(parent);
    free(f->dir1);
    free(f->dir2);
    free(f->summary);
    free(f);
    return 0;
}

static void test_zero_init_keeps_one_distinct_hidden_unit_at_every_log_point(void **state) {
    fixture *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/curves.csv", f->dir1);
    table t;
    assert_int_equal(table_read(&t, path), 0);
    size_t rows = 0;
    for (size_t i = 0; i < t.n_rows; i++) {
        if (strcmp(cell(&t, i, "init"), "zero") != 0) continue;
        assert_string_equal(cell(&t, i, "distinct_units"), "1");
        rows++;
    }
    assert_true(rows > 10 * 100); /* ten seeds, a log point every 10th of 2000 epochs */
    /* every random init breaks the symmetry at epoch 0 */
    for (size_t i = 0; i < t.n_rows; i++)
        if (strcmp(cell(&t, i, "init"), "zero") != 0 && strcmp(cell(&t, i, "epoch"), "0") == 0)
            assert_string_equal(cell(&t, i, "distinct_units"), "10");
    rf_table_free(&t);
    assert_non_null(strstr(f->summary, "symmetric: 1 distinct unit"));
}

static void test_small_uniform_starts_nearly_linear_and_ends_less_linear(void **state) {
    fixture *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/runs.csv", f->dir1);
    table t;
    assert_int_equal(table_read(&t, path), 0);
    size_t n;
    double start = mean_of(&t, "uniform", "linearity_start", &n);
    assert_int_equal(n, 10);
    double end = mean_of(&t, "uniform", "linearity_end", NULL);
    print_message("uniform: linearity R^2 %.4f at epoch 0, %.4f at the end\n", start, end);
    assert_true(start > 0.95);
    assert_true(end < start);
    /* seed by seed, too */
    for (size_t i = 0; i < t.n_rows; i++)
        if (strcmp(cell(&t, i, "init"), "uniform") == 0)
            assert_true(strtod(cell(&t, i, "linearity_end"), NULL) <
                        strtod(cell(&t, i, "linearity_start"), NULL));
    rf_table_free(&t);
}

static void test_large_init_saturates_most_units_and_ends_worse_than_xavier_and_he(void **state) {
    fixture *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/runs.csv", f->dir1);
    table t;
    assert_int_equal(table_read(&t, path), 0);
    double sat = mean_of(&t, "large", "saturated_start", NULL);
    double sat_end = mean_of(&t, "large", "saturated_end", NULL);
    double large = mean_of(&t, "large", "relative_test_error", NULL);
    double xavier = mean_of(&t, "xavier", "relative_test_error", NULL);
    double he = mean_of(&t, "he", "relative_test_error", NULL);
    print_message("large: saturated %.2f -> %.2f; test error / Bayes: large %.3f, xavier %.3f, he %.3f\n",
                  sat, sat_end, large, xavier, he);
    assert_true(sat > 0.5);
    assert_true(sat_end > 0.5);
    assert_true(large > xavier);
    assert_true(large > he);
    rf_table_free(&t);
    assert_non_null(strstr(f->summary, "saturated:"));
}

/* Every CSV (top level and per run) of a second invocation is byte-identical to the first. */
static void compare_folder(const char *a, const char *b, size_t *compared) {
    DIR *d = opendir(a);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char pa[4096], pb[4096];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".csv") == 0) {
            size_t sa, sb;
            char *ta = tu_read_file(pa, &sa), *tb = tu_read_file(pb, &sb);
            assert_non_null(ta);
            assert_non_null(tb);
            if (sa != sb || memcmp(ta, tb, sa) != 0) fail_msg("%s differs from %s", pa, pb);
            free(ta);
            free(tb);
            (*compared)++;
        } else if (strcmp(e->d_name, "runs") == 0 || strstr(e->d_name, "__seed")) {
            compare_folder(pa, pb, compared);
        }
    }
    closedir(d);
}

static void test_the_same_invocation_twice_writes_byte_identical_csvs(void **state) {
    fixture *f = *state;
    char *summary = NULL;
    assert_int_equal(run_default(f->dir2, &summary), 0);
    /* the summary names its folder; everything else in it must be the same */
    const char *a = strstr(f->summary, "\ninit "), *b = strstr(summary, "\ninit ");
    assert_non_null(a);
    assert_non_null(b);
    size_t la = strcspn(a, "/"), lb = strcspn(b, "/"); /* up to the first path, in "Results: ..." */
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(summary);
    size_t compared = 0;
    compare_folder(f->dir1, f->dir2, &compared);
    print_message("%zu CSV files compared byte for byte\n", compared);
    assert_true(compared > 50 * 4);
}

/* LibreOffice reads runs.csv and writes it as a flat OpenDocument spreadsheet: every cell that holds a
 * number in the CSV must come out typed as a float, not as text. */
static void test_csvs_open_in_a_spreadsheet_as_numbers(void **state) {
    fixture *f = *state;
    if (system("command -v soffice >/dev/null 2>&1") != 0) {
        /* The test setup installs LibreOffice; without it this check cannot run, and says so loudly. */
        fail_msg("soffice (LibreOffice) is not installed: ./scripts/setup.sh test installs it");
    }
    char *work = tu_make_tmpdir("calc");
    assert_non_null(work);
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && HOME='%s' timeout 180 soffice -env:UserInstallation=file://%s/profile --headless "
             "--infilter=CSV:44,34,76,1 --convert-to fods --outdir '%s' '%s/runs.csv'",
             work, work, work, work, f->dir1);
    char *out = NULL;
    int rc = tu_run(cmd, &out);
    if (rc != 0) fail_msg("soffice failed (%d): %s", rc, out ? out : "");
    free(out);
    char path[4096];
    snprintf(path, sizeof path, "%s/runs.fods", work);
    char *fods = tu_read_file(path, NULL);
    assert_non_null(fods);
    /* Count cells typed as numbers; identical neighbours are stored once with a repeat count. */
    size_t floats = 0;
    for (const char *p = fods; (p = strstr(p, "<table:table-cell")); p++) {
        const char *end = strchr(p, '>');
        assert_non_null(end);
        char tag[512];
        size_t len = (size_t)(end - p) < sizeof tag - 1 ? (size_t)(end - p) : sizeof tag - 1;
        memcpy(tag, p, len);
        tag[len] = '\0';
        if (!strstr(tag, "office:value-type=\"float\"")) continue;
        const char *rep = strstr(tag, "table:number-columns-repeated=\"");
        floats += rep ? strtoul(rep + strlen("table:number-columns-repeated=\""), NULL, 10) : 1;
    }

    snprintf(path, sizeof path, "%s/runs.csv", f->dir1);
    table t;
    assert_int_equal(table_read(&t, path), 0);
    size_t numbers = 0;
    for (size_t i = 0; i < t.n_rows * t.n_cols; i++) {
        const char *v = t.cells[i];
        char *end;
        if (*v && (strtod(v, &end), *end == '\0')) numbers++;
    }
    print_message("runs.csv: %zu numeric cells, LibreOffice typed %zu cells as numbers\n", numbers, floats);
    assert_true(numbers > 0);
    assert_int_equal(floats, numbers);
    rf_table_free(&t);
    free(fods);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    tu_run(cmd, NULL);
    free(work);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_init_keeps_one_distinct_hidden_unit_at_every_log_point),
        cmocka_unit_test(test_small_uniform_starts_nearly_linear_and_ends_less_linear),
        cmocka_unit_test(test_large_init_saturates_most_units_and_ends_worse_than_xavier_and_he),
        cmocka_unit_test(test_the_same_invocation_twice_writes_byte_identical_csvs),
        cmocka_unit_test(test_csvs_open_in_a_spreadsheet_as_numbers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
