/* test_cli.c - the `initlab` program as a user meets it: exit codes, help, refusals before any work,
 * XOR learned from He and Xavier weights but not from zeros, reproducible CSVs, quiet mode, files.
 * Every test runs the built executable (INITLAB_EXE) in a shell and reads what it printed and wrote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "initlab/activation.h"
#include "initlab/data.h"
#include "initlab/init.h"
#include "testutil.h"

/* ---- helpers ----------------------------------------------------- */

/* Run "initlab ARGS" (stdout and stderr together); returns the exit status, *out the text. */
static int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(char **out, const char *fmt, ...) {
    char args[4096], command[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(command, sizeof command, "'%s' %s", tu_exe(), args);
    return tu_run(command, out);
}

/* Run a shell command line as given (for redirections of one stream). */
static int run_shell(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_shell(char **out, const char *fmt, ...) {
    char command[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(command, sizeof command, fmt, ap);
    va_end(ap);
    return tu_run(command, out);
}

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in a folder, "." and ".." excluded. */
static size_t count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static size_t count_lines_starting(const char *text, const char *prefix) {
    size_t n = 0, len = strlen(prefix);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, prefix, len) == 0) n++;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

/* Field k (0-based) of a CSV line, into buf ("" when the line has fewer fields). */
static void line_field(const char *line, size_t k, char *buf, size_t size) {
    for (size_t i = 0; i < k && line; i++) {
        line = strpbrk(line, ",\n");
        line = line && *line == ',' ? line + 1 : NULL;
    }
    size_t len = line ? strcspn(line, ",\n") : 0;
    if (len >= size) len = size - 1;
    memcpy(buf, line ? line : "", len);
    buf[len] = '\0';
}

/* Field `column` (named in the header) of data row `row` (0 = the first after the header) of CSV
 * text into buf; fails the test when the column or the row does not exist. */
static void csv_field(const char *text, const char *column, size_t row, char *buf, size_t size) {
    size_t k = 0;
    for (;; k++) {
        line_field(text, k, buf, size);
        if (!*buf) fail_msg("no column %s in:\n%s", column, text);
        if (strcmp(buf, column) == 0) break;
    }
    const char *line = text;
    for (size_t i = 0; i <= row; i++) {
        line = strchr(line, '\n');
        if (!line || !line[1]) fail_msg("no row %zu in:\n%s", row, text);
        line++;
    }
    line_field(line, k, buf, size);
}

static size_t count_lines(const char *text) {
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    return lines;
}

static void assert_contains(const char *text, const char *needle) {
    if (!text || !strstr(text, needle))
        fail_msg("expected to find \"%s\" in:\n%s", needle, text ? text : "(null)");
}

/* ---- program-level behaviour ------------------------------------- */

static void test_version_prints_the_version_and_exits_0(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "--version"), 0);
    assert_contains(out, "initlab 0.");
    assert_contains(out, "BLAS");
    free(out);
}

static void test_main_help_names_every_subcommand_and_the_exit_codes(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "--help"), 0);
    const char *words[] = {"train",  "eval",      "list",        "run",    "merge",
                           "report", "--version", "Exit status", "2 usage"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        assert_contains(out, words[i]);
    free(out);
}

static void test_no_subcommand_is_a_usage_error(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "%s", ""), 2);
    assert_contains(out, "initlab: error:");
    assert_contains(out, "Try 'initlab --help'.");
    free(out);
}

static void test_unknown_subcommand_exits_2_and_lists_the_subcommands(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "trian"), 2);
    assert_contains(out, "initlab: error: unknown subcommand 'trian'");
    assert_contains(out, "train");
    free(out);
}

static void test_help_of_train_mentions_every_flag(void **state) {
    (void)state;
    const char *flags[] = {"--data",           "--layers",       "--hidden", "--act",   "--output",
                           "--init",           "--bias",         "--epochs", "--lr",    "--batch",
                           "--momentum",       "--weight-decay", "--seed",   "--scale", "--max-train",
                           "--max-test",       "--threads",      "--csv",    "--save",  "--export-csv",
                           "--progress-every", "--quiet",        "--help"};
    char *out = NULL;
    assert_int_equal(run(&out, "train --help"), 0);
    assert_contains(out, "Usage: initlab train");
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        assert_contains(out, flags[i]);
    free(out);
    /* "initlab help train" is the same text. */
    char *again = NULL;
    assert_int_equal(run(&again, "help train"), 0);
    assert_contains(again, "Usage: initlab train");
    free(again);
}

static void test_help_of_eval_and_list_mentions_every_flag(void **state) {
    (void)state;
    const char *eval_flags[] = {"--data", "--scale",   "--max-train", "--max-test",
                                "--seed", "--threads", "--help"};
    char *out = NULL;
    assert_int_equal(run(&out, "eval --help"), 0);
    assert_contains(out, "Usage: initlab eval MODEL");
    for (size_t i = 0; i < sizeof eval_flags / sizeof eval_flags[0]; i++)
        assert_contains(out, eval_flags[i]);
    free(out);
    assert_int_equal(run(&out, "list --help"), 0);
    assert_contains(out, "Usage: initlab list");
    assert_contains(out, "--help");
    free(out);
}

/* ---- refusals before any work ------------------------------------ */

/* Runs `initlab train ARGS --csv DIR/out.csv` and checks: exit 2, the message names `needle`, the hint
 * to --help follows, and no file at all was created (the refusal came before any work). */
static void assert_refused_before_work(const char *args, const char *needle) {
    char *dir = tu_make_tmpdir("cli-refuse");
    assert_non_null(dir);
    char *out = NULL;
    int status = run(&out, "train %s --csv '%s/out.csv' --save '%s/m.model'", args, dir, dir);
    if (status != 2) fail_msg("'train %s' exited %d, expected 2; output:\n%s", args, status, out ? out : "");
    assert_contains(out, "initlab: error:");
    assert_contains(out, needle);
    assert_contains(out, "Try 'initlab train --help'.");
    /* No progress line: training never started. */
    assert_null(strstr(out, "epoch "));
    assert_int_equal(count_entries(dir), 0);
    free(out);
    free(dir);
}

/* Every flag that is an experiment key is refused by that key's parser, in its words, naming the flag. */
static void test_negative_learning_rate_is_refused_before_any_work(void **state) {
    (void)state;
    assert_refused_before_work("--lr -0.1", "--lr: expected a positive number up to 1000, got \"-0.1\"");
    assert_refused_before_work("--lr 0", "--lr: expected a positive number up to 1000, got \"0\"");
    assert_refused_before_work("--lr 0.1x", "got \"0.1x\"");
    assert_refused_before_work("--lr 5000", "got \"5000\"");
}

static void test_layer_of_size_zero_is_refused_before_any_work(void **state) {
    (void)state;
    assert_refused_before_work(
        "--layers 2,0,1",
        "--layers, item 2 of \"2,0,1\": expected a whole number from 1 to 1000000, got \"0\"");
    assert_refused_before_work(
        "--hidden 8,0", "--hidden, item 2 of \"8,0\": expected a whole number from 1 to 1000000, got \"0\"");
    assert_refused_before_work("--layers 2,,1", "--layers: item 2 of \"2,,1\" is empty");
}

static void test_unknown_init_scheme_is_refused_before_any_work(void **state) {
    (void)state;
    assert_refused_before_work("--init kaiming", "--init: item \"kaiming\": unknown initializer 'kaiming'");
    assert_refused_before_work("--init he:2", "--init: item \"he:2\": he takes no value");
    assert_refused_before_work("--init xavier/he/he",
                               "gives 3 per-layer schemes, but [network] hidden = 8 makes 2");
    /* train trains one init; comparing several is what `run` is for */
    assert_refused_before_work("--init he,xavier", "--init 'he,xavier': names 2 inits; train trains one");
}

static void test_other_bad_values_are_refused_before_any_work(void **state) {
    (void)state;
    assert_refused_before_work("--act softplus",
                               "--act: expected identity, sigmoid, tanh or relu, got \"softplus\"");
    assert_refused_before_work("--output tanh",
                               "--output: expected auto, identity, sigmoid or softmax, got \"tanh\"");
    assert_refused_before_work("--momentum 1",
                               "--momentum: expected a number from 0 up to (not including) 1");
    assert_refused_before_work("--weight-decay -1",
                               "--weight-decay: expected a number from 0 to 1000, got \"-1\"");
    assert_refused_before_work("--epochs -3",
                               "--epochs: expected a whole number from 1 to 100000000, got \"-3\"");
    assert_refused_before_work("--epochs 0",
                               "--epochs: expected a whole number from 1 to 100000000, got \"0\"");
    assert_refused_before_work(
        "--batch 2.5", "--batch: expected a whole number from 0 to 1000000000 or \"full\", got \"2.5\"");
    assert_refused_before_work("--seed abc", "--seed: expected a whole number (0 or more), got \"abc\"");
    assert_refused_before_work("--seed 1,2", "--seed: expected a whole number (0 or more), got \"1,2\"");
    assert_refused_before_work("--scale big",
                               "--scale: expected auto, standardize, unit or none, got \"big\"");
    assert_refused_before_work("--bias 5000", "--bias: expected a number from -1000 to 1000, got \"5000\"");
    assert_refused_before_work("--threads 0", "--threads: expected a whole number from 1 to 1024, got \"0\"");
    assert_refused_before_work("--bogus", "unknown option '--bogus'");
    assert_refused_before_work("--quiet=yes", "'--quiet' takes no value");
    assert_refused_before_work("extra-word", "unexpected argument 'extra-word'");
}

static void test_layers_that_do_not_fit_the_data_are_refused_saying_what_it_needs(void **state) {
    (void)state;
    assert_refused_before_work("--layers 3,8,1", "has 2 inputs and 1 output");
    assert_refused_before_work("--layers 3,8,1", "--layers 2,8,1");
    assert_refused_before_work("--layers 8", "--hidden 8");
    assert_refused_before_work("--output softmax", "sigmoid");
}

static void test_a_missing_output_folder_is_a_runtime_error_before_training(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "train --csv /nonexistent-initlab-folder/x.csv"), 1);
    assert_contains(out, "'/nonexistent-initlab-folder' does not exist");
    assert_null(strstr(out, "epoch "));
    free(out);
}

static void test_an_unknown_data_source_is_refused_as_a_usage_error(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "train --data nosuchdata"), 2);
    assert_contains(out, "nosuchdata");
    free(out);
}

/* ---- learning XOR ------------------------------------------------ */

static void test_xor_reaches_full_accuracy_from_he_and_from_xavier_weights(void **state) {
    (void)state;
    const char *inits[] = {"he", "xavier"};
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL;
        int status = run(&out, "train --data xor --init %s --quiet", inits[i]);
        if (status != 0) fail_msg("--init %s exited %d:\n%s", inits[i], status, out ? out : "");
        assert_contains(out, "test accuracy   1.0000  (100.0%");
        assert_contains(out, "8 distinct of 8");
        free(out);
    }
}

static void
test_xor_from_zero_weights_keeps_identical_hidden_units_and_cannot_reach_full_accuracy(void **state) {
    (void)state;
    const char *acts[] = {"sigmoid", "tanh", "relu"};
    for (size_t i = 0; i < 3; i++) {
        char *out = NULL;
        int status = run(&out, "train --data xor --init zero --act %s --quiet", acts[i]);
        if (status != 0) fail_msg("--act %s exited %d:\n%s", acts[i], status, out ? out : "");
        assert_contains(out, "1 distinct of 8");
        assert_null(strstr(out, "(100.0%"));
        assert_contains(out, "docs/diagnostics.md");
        free(out);
    }
}

static void test_the_same_seed_gives_a_byte_identical_csv(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-repro");
    assert_non_null(dir);
    char a[4096], b[4096], c[4096];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    snprintf(c, sizeof c, "%s/c.csv", dir);
    const char *flags = "--data circles --hidden 6 --init uniform --epochs 40 --batch 16 --lr 0.2 --quiet";
    assert_int_equal(run(NULL, "train %s --seed 7 --csv '%s'", flags, a), 0);
    assert_int_equal(run(NULL, "train %s --seed 7 --csv '%s'", flags, b), 0);
    assert_int_equal(run(NULL, "train %s --seed 8 --csv '%s'", flags, c), 0);
    char *ta = tu_read_file(a, NULL), *tb = tu_read_file(b, NULL), *tc = tu_read_file(c, NULL);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_non_null(tc);
    /* curves.csv has no wall-clock column (that is timing.csv's): the whole file repeats. */
    assert_string_equal(ta, tb);
    /* ...and a different seed really changes the numbers (the comparison above is not vacuous). */
    assert_string_not_equal(ta, tc);
    free(ta);
    free(tb);
    free(tc);
    free(dir);
}

/* ---- progress, CSV and other files ------------------------------- */

static void test_progress_goes_to_stderr_one_line_per_epoch_and_quiet_silences_it(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-progress");
    assert_non_null(dir);
    char *err_text = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    /* Not a terminal: plain lines, epoch 0 (the start) to epoch 12. */
    assert_int_equal(run_shell(NULL, "('%s' train --epochs 12 >/dev/null 2>'%s')", tu_exe(), path), 0);
    err_text = tu_read_file(path, NULL);
    assert_non_null(err_text);
    assert_int_equal(count_lines_starting(err_text, "epoch "), 13);
    assert_contains(err_text, "epoch 12/12  train_loss ");
    assert_contains(err_text, "test_accuracy ");
    free(err_text);
    /* --progress-every 5: epochs 0, 5, 10 and the last. */
    assert_int_equal(
        run_shell(NULL, "('%s' train --epochs 12 --progress-every 5 >/dev/null 2>'%s')", tu_exe(), path), 0);
    err_text = tu_read_file(path, NULL);
    assert_int_equal(count_lines_starting(err_text, "epoch "), 4);
    free(err_text);
    /* --quiet: nothing on stderr at all, the result still on stdout. */
    char *out = NULL;
    assert_int_equal(run_shell(&out, "('%s' train --epochs 12 --quiet 2>'%s')", tu_exe(), path), 0);
    err_text = tu_read_file(path, NULL);
    assert_non_null(err_text);
    assert_string_equal(err_text, "");
    assert_contains(out, "test accuracy");
    assert_null(strstr(out, "epoch 1/"));
    free(err_text);
    free(out);
    free(dir);
}

#define CURVE_HEADER                                                                                         \
    "init,seed,epoch,step,train_loss,test_loss,test_accuracy,test_mse,relative_test_error,linearity,"        \
    "weight_norm,param_norm,grad_norm,probe_loss,saturated,linear_region,dead,distinct_units\n"

static void
test_csv_is_the_runs_curves_file_with_a_row_per_epoch_and_no_temporary_file_is_left(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-csv");
    assert_non_null(dir);
    char csv[4096];
    snprintf(csv, sizeof csv, "%s/xor.csv", dir);
    assert_int_equal(run(NULL, "train --init zero --epochs 30 --quiet --csv '%s'", csv), 0);
    char *text = tu_read_file(csv, NULL);
    assert_non_null(text);
    assert_true(strncmp(text, CURVE_HEADER, strlen(CURVE_HEADER)) == 0);
    /* Header + epochs 0..30, one full-batch step per epoch. */
    assert_int_equal(count_lines(text), 32);
    assert_contains(text, "\nzero,1,0,0,0.693147181,0.693147181,0.5,");
    assert_contains(text, "\nzero,1,30,30,0.693147181,");
    /* Zero init: one distinct unit and a zero weight norm on every row; no test_mse for classes. */
    char field[64];
    for (size_t row = 0; row <= 30; row++) {
        csv_field(text, "distinct_units", row, field, sizeof field);
        assert_string_equal(field, "1");
        csv_field(text, "weight_norm", row, field, sizeof field);
        assert_string_equal(field, "0");
        csv_field(text, "test_mse", row, field, sizeof field);
        assert_string_equal(field, "");
    }
    assert_int_equal(count_entries(dir), 1);
    free(text);
    free(dir);
}

static void test_a_regression_csv_reports_the_error_relative_to_the_bayes_rate(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-esl");
    assert_non_null(dir);
    char csv[4096];
    snprintf(csv, sizeof csv, "%s/esl.csv", dir);
    char *out = NULL;
    assert_int_equal(run(&out,
                         "train --data esl-sigmoids:test=500 --hidden 2 --init uniform --epochs 50 --quiet "
                         "--csv '%s'",
                         csv),
                     0);
    assert_contains(out, "relative error");
    assert_contains(out, "identity output with squared-error loss");
    char *text = tu_read_file(csv, NULL);
    assert_non_null(text);
    assert_true(strncmp(text, CURVE_HEADER, strlen(CURVE_HEADER)) == 0);
    assert_int_equal(count_lines(text), 52);
    /* A regression: no accuracy, a test MSE and its ratio to the noise variance on every row; the
     * result block's number is the last row's. */
    char field[64];
    csv_field(text, "test_accuracy", 50, field, sizeof field);
    assert_string_equal(field, "");
    csv_field(text, "test_mse", 50, field, sizeof field);
    assert_true(atof(field) > 0);
    csv_field(text, "relative_test_error", 50, field, sizeof field);
    char expected[96];
    snprintf(expected, sizeof expected, "relative error  %.4f", atof(field));
    assert_contains(out, expected);
    free(text);
    free(out);
    free(dir);
}

static void test_a_saved_model_evaluates_to_the_same_test_loss_and_exports_its_weights(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-model");
    assert_non_null(dir);
    char model[4096], weights[4096];
    snprintf(model, sizeof model, "%s/xor.model", dir);
    snprintf(weights, sizeof weights, "%s/w.csv", dir);
    char *out = NULL;
    assert_int_equal(
        run(&out, "train --init he --epochs 300 --quiet --save '%s' --export-csv '%s'", model, weights), 0);
    const char *line = strstr(out, "test loss       ");
    assert_non_null(line);
    char test_loss[64] = "";
    sscanf(line + 16, "%63s", test_loss);
    assert_true(file_exists(model));
    char *w = tu_read_file(weights, NULL);
    assert_non_null(w);
    const char *header = "layer,kind,row,col,value\n";
    assert_true(strncmp(w, header, strlen(header)) == 0);
    free(w);

    char *ev = NULL;
    assert_int_equal(run(&ev, "eval '%s' --data xor", model), 0);
    char expected[128];
    snprintf(expected, sizeof expected, "test  loss %s on 4 examples", test_loss);
    assert_contains(ev, expected);
    free(ev);
    /* A model that does not fit the data is refused with both shapes named. */
    assert_int_equal(run(&ev, "eval '%s' --data esl-radial:test=10", model), 2);
    assert_contains(ev, "takes 2 inputs");
    free(ev);
    assert_int_equal(count_entries(dir), 2);
    free(out);
    free(dir);
}

static void test_a_diverged_run_exits_1_and_its_csv_ends_before_the_epoch_that_diverged(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-diverge");
    assert_non_null(dir);
    char csv[4096], model[4096];
    snprintf(csv, sizeof csv, "%s/div.csv", dir);
    snprintf(model, sizeof model, "%s/div.model", dir);
    char *out = NULL;
    /* Linear hidden units from weights of +-100 at rate 10: the cross-entropy (about |logit| when
     * confidently wrong) grows about tenfold per epoch, from 8688, until it passes divergence_loss. */
    assert_int_equal(run(&out,
                         "train --act identity --init large:100 --lr 10 --epochs 30 --quiet --csv '%s' "
                         "--save '%s'",
                         csv, model),
                     1);
    const char *msg = strstr(out ? out : "", "initlab: error: training diverged in epoch ");
    if (!msg) fail_msg("no divergence message in:\n%s", out ? out : "");
    int epoch = atoi(msg + strlen("initlab: error: training diverged in epoch "));
    assert_true(epoch >= 2 && epoch < 30);
    assert_contains(out, "Try a smaller --lr");
    char *text = tu_read_file(csv, NULL);
    assert_non_null(text);
    /* The log points up to the divergence, as the runner's curves.csv holds them; no NaN, no Inf. */
    size_t rows = count_lines(text) - 1;
    assert_true(rows >= (size_t)epoch);
    char field[64];
    csv_field(text, "epoch", rows - 1, field, sizeof field);
    assert_true(atoi(field) <= epoch);
    assert_true(atoi(field) >= epoch - 1);
    assert_null(strstr(text, "nan"));
    assert_null(strstr(text, "inf"));
    /* A diverged network is not saved. */
    assert_false(file_exists(model));
    free(text);
    free(out);
    free(dir);
}

/* Ctrl-C in the middle of training: exit 1, a message, and none of the files asked for. */
static void test_an_interrupted_run_leaves_no_file(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-interrupt");
    assert_non_null(dir);
    char *out = NULL;
    int status =
        run_shell(&out,
                  "cd '%s' && ('%s' train --data circles --epochs 1000000 --batch 1 --quiet --csv c.csv "
                  "--save m.model --export-csv w.csv & pid=$!; sleep 1; kill -INT $pid; wait $pid)",
                  dir, tu_exe());
    assert_int_equal(status, 1);
    assert_contains(out, "interrupted; no file was written");
    assert_int_equal(count_entries(dir), 0);
    free(out);
    free(dir);
}

static void test_eval_of_a_missing_model_is_a_runtime_error(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "eval /nonexistent-initlab.model"), 1);
    assert_contains(out, "initlab: error:");
    assert_contains(out, "/nonexistent-initlab.model");
    free(out);
    assert_int_equal(run(&out, "eval"), 2);
    assert_contains(out, "which model?");
    free(out);
}

/* ---- run and merge ---------------------------------------------- */

/* A small experiment: two inits, two seeds, 20 epochs on a reduced ESL test set (a second or two). */
#define SMALL_RUN                                                                                            \
    "--epochs 20 --seeds 2 --set 'inits.list=zero, he' --set data.source=esl-sigmoids:test=200 --quiet"

static void test_help_of_run_and_merge_mentions_every_flag(void **state) {
    (void)state;
    const char *run_flags[] = {"--epochs", "--seeds", "--set",       "--out",   "--jobs",
                               "--resume", "--shard", "--no-timing", "--quiet", "--help"};
    char *out = NULL;
    assert_int_equal(run(&out, "run --help"), 0);
    assert_contains(out, "Usage: initlab run [EXPERIMENT.ini]");
    for (size_t i = 0; i < sizeof run_flags / sizeof run_flags[0]; i++)
        assert_contains(out, run_flags[i]);
    free(out);
    assert_int_equal(run(&out, "merge --help"), 0);
    assert_contains(out, "Usage: initlab merge SLICE_DIR... --out DIR");
    assert_contains(out, "--quiet");
    free(out);
}

static void test_run_refuses_bad_flags_and_keys_before_any_work(void **state) {
    (void)state;
    const char *cases[][2] = {
        {"--epochs abc", "--epochs"},
        {"--seeds 0", "--seeds"},
        {"--set training.lr=0.1", "unknown key \"lr\""},
        {"--set training.learning_rate=-1", "learning_rate"},
        {"--shard 5/4", "--shard '5/4'"},
        {"--shard 2", "--shard '2'"},
        {"--jobs -1", "--jobs"},
        {"--resume", "--resume needs --out"},
        {"a.ini b.ini", "one experiment file at a time"},
        {"--frobnicate", "unknown option '--frobnicate'"},
    };
    char *dir = tu_make_tmpdir("cli-run-refuse");
    assert_non_null(dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        /* --resume alone must be refused for itself, so it gets no --out here. */
        int status = strcmp(cases[i][0], "--resume") == 0
                         ? run(&out, "run --resume")
                         : run(&out, "run %s --out '%s/results'", cases[i][0], dir);
        if (status != 2) fail_msg("'run %s' exited %d, expected 2:\n%s", cases[i][0], status, out ? out : "");
        assert_contains(out, cases[i][1]);
        assert_contains(out, "Try 'initlab run --help'.");
        assert_int_equal(count_entries(dir), 0);
        free(out);
    }
    free(dir);
}

static void test_run_prints_the_summary_and_merged_shards_equal_the_whole_run(void **state) {
    (void)state;
    char *dir = tu_make_tmpdir("cli-run");
    assert_non_null(dir);
    char *out = NULL;
    assert_int_equal(run(&out, "run " SMALL_RUN " --no-timing --jobs 2 --out '%s/whole'", dir), 0);
    assert_contains(out, "\nzero ");
    assert_contains(out, "\nhe ");
    assert_contains(out, "symmetric: 1 distinct unit");
    assert_contains(out, "Results: ");
    free(out);
    assert_int_equal(run(NULL, "run " SMALL_RUN " --no-timing --shard 1/2 --out '%s/s1'", dir), 0);
    assert_int_equal(run(NULL, "run " SMALL_RUN " --no-timing --shard 2/2 --out '%s/s2'", dir), 0);
    assert_int_equal(run(&out, "merge '%s/s1' '%s/s2' --out '%s/merged'", dir, dir, dir), 0);
    assert_contains(out, "Merged 2 folders into ");
    assert_contains(out, "symmetric: 1 distinct unit");
    free(out);
    const char *files[] = {"runs.csv", "curves.csv", "layers.csv"};
    for (size_t i = 0; i < 3; i++) {
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/whole/%s", dir, files[i]);
        snprintf(b, sizeof b, "%s/merged/%s", dir, files[i]);
        char *ta = tu_read_file(a, NULL), *tb = tu_read_file(b, NULL);
        assert_non_null(ta);
        assert_non_null(tb);
        assert_string_equal(ta, tb);
        free(ta);
        free(tb);
    }
    /* Merging a folder that holds no results is refused, naming it, and creates nothing. */
    assert_int_equal(run(&out, "merge '%s/whole/runs' --out '%s/bad'", dir, dir), 1);
    assert_contains(out, "initlab: error:");
    assert_contains(out, "/whole/runs");
    free(out);
    char bad[4096];
    snprintf(bad, sizeof bad, "%s/bad", dir);
    assert_false(file_exists(bad));
    /* A results folder is never written into again without --resume. */
    assert_int_equal(run(&out, "run " SMALL_RUN " --out '%s/whole'", dir), 2);
    assert_contains(out, "--resume");
    free(out);
    free(dir);
}

/* ---- list -------------------------------------------------------- */

static void test_list_shows_every_scheme_activation_output_and_dataset(void **state) {
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "list"), 0);
    char word[128];
    for (int k = 0; k < IL_INIT_COUNT; k++) {
        snprintf(word, sizeof word, "\n  %s ", il_init_name((il_init_kind)k));
        assert_contains(out, word);
        assert_contains(out, il_init_describe((il_init_kind)k));
    }
    for (int a = 0; a < IL_ACT_COUNT; a++) {
        snprintf(word, sizeof word, "\n  %s ", il_act_name((il_act)a));
        assert_contains(out, word);
    }
    for (int o = 0; o < IL_OUT_COUNT; o++)
        assert_contains(out, il_output_describe((il_output)o));
    const char *const *names = il_data_source_names();
    for (size_t i = 0; names[i]; i++) {
        snprintf(word, sizeof word, "\n  %s ", names[i]);
        assert_contains(out, word);
    }
    assert_contains(out, "0.7"); /* uniform's default parameter */
    free(out);
    assert_int_equal(run(&out, "list inits"), 0);
    assert_contains(out, "xavier");
    assert_null(strstr(out, "Activations"));
    free(out);
    assert_int_equal(run(&out, "list colours"), 2);
    assert_contains(out, "unknown list 'colours'");
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_prints_the_version_and_exits_0),
        cmocka_unit_test(test_main_help_names_every_subcommand_and_the_exit_codes),
        cmocka_unit_test(test_no_subcommand_is_a_usage_error),
        cmocka_unit_test(test_unknown_subcommand_exits_2_and_lists_the_subcommands),
        cmocka_unit_test(test_help_of_train_mentions_every_flag),
        cmocka_unit_test(test_help_of_eval_and_list_mentions_every_flag),
        cmocka_unit_test(test_negative_learning_rate_is_refused_before_any_work),
        cmocka_unit_test(test_layer_of_size_zero_is_refused_before_any_work),
        cmocka_unit_test(test_unknown_init_scheme_is_refused_before_any_work),
        cmocka_unit_test(test_other_bad_values_are_refused_before_any_work),
        cmocka_unit_test(test_layers_that_do_not_fit_the_data_are_refused_saying_what_it_needs),
        cmocka_unit_test(test_a_missing_output_folder_is_a_runtime_error_before_training),
        cmocka_unit_test(test_an_unknown_data_source_is_refused_as_a_usage_error),
        cmocka_unit_test(test_xor_reaches_full_accuracy_from_he_and_from_xavier_weights),
        cmocka_unit_test(
            test_xor_from_zero_weights_keeps_identical_hidden_units_and_cannot_reach_full_accuracy),
        cmocka_unit_test(test_the_same_seed_gives_a_byte_identical_csv),
        cmocka_unit_test(test_progress_goes_to_stderr_one_line_per_epoch_and_quiet_silences_it),
        cmocka_unit_test(test_csv_is_the_runs_curves_file_with_a_row_per_epoch_and_no_temporary_file_is_left),
        cmocka_unit_test(test_a_regression_csv_reports_the_error_relative_to_the_bayes_rate),
        cmocka_unit_test(test_a_saved_model_evaluates_to_the_same_test_loss_and_exports_its_weights),
        cmocka_unit_test(test_a_diverged_run_exits_1_and_its_csv_ends_before_the_epoch_that_diverged),
        cmocka_unit_test(test_an_interrupted_run_leaves_no_file),
        cmocka_unit_test(test_eval_of_a_missing_model_is_a_runtime_error),
        cmocka_unit_test(test_help_of_run_and_merge_mentions_every_flag),
        cmocka_unit_test(test_run_refuses_bad_flags_and_keys_before_any_work),
        cmocka_unit_test(test_run_prints_the_summary_and_merged_shards_equal_the_whole_run),
        cmocka_unit_test(test_list_shows_every_scheme_activation_output_and_dataset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
