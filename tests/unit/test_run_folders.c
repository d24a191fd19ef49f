/* test_run_folders.c - the runner's results folders on tiny experiments (a 2-4-1 net on 40 examples):
 * stop and resume, Ctrl-C to the process group, a run stopped midway, folders never overwritten, what a
 * folder holds, and run folders first with the merged files from il_results_collect.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "initlab/fileio.h"
#include "initlab/results.h"
#include "initlab/runner.h"
#include "runner/runner_internal.h"
#include "runner_fixture.h"
#include "testutil.h"

/* ---- stop and resume
 * ---------------------------------------------------------------------------------------------- */

typedef struct {
    volatile sig_atomic_t *stop;
    size_t finished_lines;
    size_t stop_after;
} stopper;

/* Plays the user pressing Ctrl-C once stop_after runs have ended. */
static void stop_after_runs(void *ctx, const char *line) {
    stopper *s = ctx;
    if (line[0] == '[' && strstr(line, ": finished")) s->finished_lines++;
    if (s->stop_after && s->finished_lines >= s->stop_after) *s->stop = 1;
}

static void test_a_stopped_sweep_keeps_finished_runs_and_resume_runs_only_the_rest(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *dir = rf_fresh_dir("resume"), *whole = rf_fresh_dir("resume-whole");
    volatile sig_atomic_t stop = 0;
    stopper s = {.stop = &stop, .stop_after = 2};
    il_runner_options opt = rf_options(dir, &data, 1);
    opt.stop = &stop;
    opt.progress = stop_after_runs;
    opt.progress_ctx = &s;
    opt.no_timing = 1;
    il_run_report report;
    il_error err;
    assert_int_equal(rf_run_and_collect(exp, &opt, &report, &err), IL_ERR_STOPPED);
    assert_non_null(strstr(err.msg, "--resume"));
    assert_int_equal(report.runs_executed, 2);
    assert_int_equal(report.runs_missing, 2);
    rf_table runs;
    assert_int_equal(rf_table_read(&runs, rf_path_in(dir, "runs.csv"), NULL), IL_OK);
    assert_int_equal(runs.n_rows, 2); /* what finished is merged already */
    rf_table_free(&runs);

    /* Without --resume the folder is refused; with it only the two missing runs are trained. */
    stop = 0;
    s.stop_after = 0;
    assert_int_equal(rf_run_and_collect(exp, &opt, &report, &err), IL_ERR_USAGE);
    opt.resume = 1;
    if (rf_run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_skipped, 2);
    assert_int_equal(report.runs_executed, 2);
    assert_int_equal(report.runs_missing, 0);
    /* A third time there is nothing left to do. */
    if (rf_run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_executed, 0);
    assert_int_equal(report.runs_skipped, 4);

    il_runner_options plain = rf_options(whole, &data, 1);
    plain.no_timing = 1;
    if (rf_run_and_collect(exp, &plain, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    rf_assert_same_csvs(dir, whole, 0);
    rf_assert_clean_folder(dir);
    il_data_free(&data);
    free(dir);
    free(whole);
    free(exp);
}

static volatile sig_atomic_t interrupted;
static void on_interrupt(int sig) {
    (void)sig;
    interrupted = 1;
}

/* The sweep of the Ctrl-C test: long enough (24 runs of 1500 epochs) that the signal lands in the middle. */
static il_experiment *slow_experiment(void) {
    il_experiment *exp = rf_tiny_experiment();
    exp->epochs = 1500;
    exp->batch_size = 0;
    exp->log_every_steps = 0;
    exp->log_every_epochs = 100;
    rf_set_init(exp, 2, "xavier", "xavier");
    rf_set_init(exp, 3, "he", "he");
    exp->n_seeds = 6;
    for (size_t i = 0; i < 6; i++)
        exp->seeds[i] = 10 + i;
    return exp;
}

static void test_ctrl_c_to_the_process_group_stops_cleanly_and_resume_finishes(void **state) {
    (void)state;
    il_experiment *exp = slow_experiment();
    il_data data;
    rf_regression_data(&data, 100, 1000);
    char *dir = rf_fresh_dir("ctrl-c");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The "terminal session": its own process group, a SIGINT handler that sets the stop flag. */
        setpgid(0, 0);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_interrupt;
        sigaction(SIGINT, &sa, NULL);
        il_runner_options opt = rf_options(dir, &data, 2);
        opt.stop = &interrupted;
        il_status st = rf_run_and_collect(exp, &opt, NULL, NULL);
        _exit(st == IL_ERR_STOPPED ? 130 : st == IL_OK ? 0 : 1);
    }
    setpgid(pid, pid);
    /* Wait for the first complete run, then press Ctrl-C: SIGINT to the whole group, workers included. */
    char first[8192];
    snprintf(first, sizeof first, "%s/runs/zero__seed10/run.csv", dir);
    struct stat sb;
    for (int i = 0; i < 6000 && stat(first, &sb) != 0; i++)
        usleep(10000);
    assert_int_equal(stat(first, &sb), 0);
    assert_int_equal(kill(-pid, SIGINT), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);

    /* Whatever finished is merged, nothing is half-written. */
    rf_table runs;
    assert_int_equal(rf_table_read(&runs, rf_path_in(dir, "runs.csv"), NULL), IL_OK);
    size_t kept = runs.n_rows;
    rf_table_free(&runs);
    assert_true(kept >= 1 && kept < 24);
    rf_assert_clean_folder(dir);
    il_runner_options opt = rf_options(dir, &data, 2);
    opt.resume = 1;
    il_run_report report;
    il_error err;
    if (rf_run_and_collect(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.runs_skipped, kept);
    assert_int_equal(report.runs_executed, 24 - kept);
    assert_int_equal(report.runs_missing, 0);
    il_data_free(&data);
    free(dir);
    free(exp);
}

static void test_a_run_stopped_midway_writes_no_files(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *dir = rf_fresh_dir("stopped-run");
    volatile sig_atomic_t stop = 1;
    il_run_outcome out;
    assert_int_equal(il_run_single(exp, &data, 1, 1, dir, 0, &stop, NULL, &out, NULL), IL_ERR_STOPPED);
    struct stat sb;
    assert_int_not_equal(stat(rf_path_in(dir, "run.csv"), &sb), 0);
    assert_int_not_equal(stat(rf_path_in(dir, "curves.csv"), &sb), 0);
    il_data_free(&data);
    free(dir);
    free(exp);
}

static void test_resume_refuses_a_folder_of_another_configuration(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *dir = rf_fresh_dir("resume-other");
    il_runner_options opt = rf_options(dir, &data, 2);
    il_error err;
    if (rf_run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    exp->sgd.learning_rate = 0.2;
    opt.resume = 1;
    assert_int_equal(rf_run_and_collect(exp, &opt, NULL, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "different configuration"));
    assert_non_null(strstr(err.msg, "learning_rate")); /* the message names the setting that differs */
    /* --jobs is not part of the configuration: a resume with another job count is fine. */
    exp->sgd.learning_rate = 0.1;
    exp->jobs = 1;
    opt.jobs = 1;
    if (rf_run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    il_data_free(&data);
    free(dir);
    free(exp);
}

/* ---- folders
 * -------------------------------------------------------------------------------------------------- */

static void test_a_finished_folder_is_never_overwritten(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *dir = rf_fresh_dir("keep");
    il_runner_options opt = rf_options(dir, &data, 2);
    il_error err;
    if (rf_run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    char *before = tu_read_file(rf_path_in(dir, "runs.csv"), NULL);
    assert_non_null(before);
    exp->sgd.learning_rate = 0.3; /* a different experiment aimed at the same folder */
    assert_int_equal(rf_run_and_collect(exp, &opt, NULL, &err), IL_ERR_USAGE);
    assert_non_null(strstr(err.msg, "never overwritten"));
    char *after = tu_read_file(rf_path_in(dir, "runs.csv"), NULL);
    assert_string_equal(before, after);
    /* A folder holding anything at all is refused too. */
    char *other = rf_fresh_dir("keep-other");
    assert_int_equal(il_make_dirs(other, NULL), IL_OK);
    assert_int_equal(tu_write_file(rf_path_in(other, "notes.txt"), "mine", 4), 0);
    il_runner_options o2 = rf_options(other, &data, 2);
    assert_int_equal(rf_run_and_collect(exp, &o2, NULL, &err), IL_ERR_USAGE);
    char *notes = tu_read_file(rf_path_in(other, "notes.txt"), NULL);
    assert_string_equal(notes, "mine");
    free(before);
    free(after);
    free(notes);
    il_data_free(&data);
    free(dir);
    free(other);
    free(exp);
}

static void test_the_folder_holds_config_meta_and_wide_files_with_one_column_per_init(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    rf_set_init(exp, 2, "xavier", "xavier");
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *dir = rf_fresh_dir("layout");
    il_runner_options opt = rf_options(dir, &data, 2);
    il_error err;
    if (rf_run_and_collect(exp, &opt, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    il__meta meta;
    assert_int_equal(il__meta_read(&meta, rf_path_in(dir, "meta"), NULL), IL_OK);
    assert_non_null(il__meta_get(&meta, "version"));
    assert_string_equal(il__meta_get(&meta, "seeds"), "1,2");
    assert_non_null(il__meta_get(&meta, "blas"));
    assert_string_equal(il__meta_get(&meta, "blas_threads_per_run"), "1");
    assert_non_null(il__meta_get(&meta, "date"));
    assert_int_equal(strlen(il__meta_get(&meta, "config_fingerprint")), 16);
    il__meta_free(&meta);
    il_experiment *back = malloc(sizeof *back);
    if (il_experiment_load(back, rf_path_in(dir, "config.ini"), &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(back->n_inits, 3);
    assert_int_equal(back->epochs, 3);
    free(back);

    const char *wide[] = {"test_loss_wide.csv",   "train_loss_wide.csv",         "saturated_wide.csv",
                          "linearity_wide.csv",   "distinct_units_wide.csv",     "grad_norm_wide.csv",
                          "weight_norm_wide.csv", "relative_test_error_wide.csv"};
    rf_table curves;
    assert_int_equal(rf_table_read(&curves, rf_path_in(dir, "curves.csv"), NULL), IL_OK);
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        rf_table t;
        if (rf_table_read(&t, rf_path_in(dir, wide[i]), &err) != IL_OK) fail_msg("%s", err.msg);
        assert_int_equal(t.n_cols, 4);
        assert_string_equal(t.header[0], "epoch");
        assert_string_equal(t.header[1], "zero");
        assert_string_equal(t.header[2], "uniform");
        assert_string_equal(t.header[3], "xavier");
        assert_int_equal(t.n_rows, 5); /* epochs 0, 0.5, 1, 2, 3 */
        rf_table_free(&t);
    }
    /* The test loss of uniform at epoch 3 is the mean of its two seeds' values in curves.csv. */
    double sum = 0;
    for (size_t r = 0; r < curves.n_rows; r++)
        if (strcmp(rf_cell(&curves, r, "init"), "uniform") == 0 &&
            strcmp(rf_cell(&curves, r, "epoch"), "3") == 0)
            sum += strtod(rf_cell(&curves, r, "test_loss"), NULL);
    rf_table t;
    assert_int_equal(rf_table_read(&t, rf_path_in(dir, "test_loss_wide.csv"), NULL), IL_OK);
    assert_string_equal(rf_table_cell(&t, 4, 0), "3");
    rf_assert_cell_is(&t, 4, "uniform", sum / 2);
    rf_table_free(&t);
    rf_table_free(&curves);
    /* Histograms at epoch 0 and at the end: 2 points x 3 inits x 2 seeds x 2 layers x 40 bins. */
    rf_table hist;
    assert_int_equal(rf_table_read(&hist, rf_path_in(dir, "histograms.csv"), NULL), IL_OK);
    assert_int_equal(hist.n_rows, 2 * 3 * 2 * 2 * IL_HIST_BINS);
    rf_table_free(&hist);
    rf_assert_clean_folder(dir);
    il_data_free(&data);
    free(dir);
    free(exp);
}

/* The arrow runner -> results: il_run_experiment leaves run folders only, il_results_collect makes the
 * merged files from them, and collecting again gives the same bytes. */
static void test_the_runner_writes_run_folders_and_collect_writes_the_merged_files(void **state) {
    (void)state;
    il_experiment *exp = rf_tiny_experiment();
    il_data data;
    rf_regression_data(&data, 40, 200);
    char *dir = rf_fresh_dir("collect");
    il_runner_options opt = rf_options(dir, &data, 2);
    opt.no_timing = 1;
    il_run_report report;
    il_error err;
    if (il_run_experiment(exp, &opt, &report, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(report.folder_ready, 1);
    struct stat sb;
    assert_int_equal(stat(rf_path_in(dir, "runs/uniform__seed2/run.csv"), &sb), 0);
    const char *merged[] = {"runs.csv", "curves.csv", "layers.csv", "histograms.csv", "test_loss_wide.csv"};
    for (size_t i = 0; i < 5; i++)
        assert_int_not_equal(stat(rf_path_in(dir, merged[i]), &sb), 0);
    size_t complete = 0;
    if (il_results_collect(exp, dir, &complete, &err) != IL_OK) fail_msg("%s", err.msg);
    assert_int_equal(complete, il_plan_size(exp));
    char *first[5];
    for (size_t i = 0; i < 5; i++)
        assert_non_null(first[i] = tu_read_file(rf_path_in(dir, merged[i]), NULL));
    if (il_results_collect(exp, dir, NULL, &err) != IL_OK) fail_msg("%s", err.msg);
    for (size_t i = 0; i < 5; i++) {
        char *again = tu_read_file(rf_path_in(dir, merged[i]), NULL);
        assert_string_equal(again, first[i]);
        free(again);
        free(first[i]);
    }
    rf_table runs;
    assert_int_equal(rf_table_read(&runs, rf_path_in(dir, "runs.csv"), NULL), IL_OK);
    assert_int_equal(runs.n_rows, il_plan_size(exp));
    rf_table_free(&runs);
    /* A refused folder is not the experiment's: nothing to collect there. */
    assert_int_equal(il_run_experiment(exp, &opt, &report, &err), IL_ERR_USAGE);
    assert_int_equal(report.folder_ready, 0);
    rf_assert_clean_folder(dir);
    il_data_free(&data);
    free(dir);
    free(exp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_stopped_sweep_keeps_finished_runs_and_resume_runs_only_the_rest),
        cmocka_unit_test(test_ctrl_c_to_the_process_group_stops_cleanly_and_resume_finishes),
        cmocka_unit_test(test_a_run_stopped_midway_writes_no_files),
        cmocka_unit_test(test_resume_refuses_a_folder_of_another_configuration),
        cmocka_unit_test(test_a_finished_folder_is_never_overwritten),
        cmocka_unit_test(test_the_folder_holds_config_meta_and_wide_files_with_one_column_per_init),
        cmocka_unit_test(test_the_runner_writes_run_folders_and_collect_writes_the_merged_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
