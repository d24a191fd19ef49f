/* test_faults_resume_folder.c - `initlab run --resume` against a folder that bad luck or a hostile user
 * changed: data replaced between a stop and the resume, run folders that cannot be read, leftovers of a
 * kill during the merge or while the folder was being started, a run whose files cannot all be written.
 * Each scenario runs the built program on a small CSV source and checks the folder byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claims_util.h"
#include "faults_lab.h"
#include "testutil.h"

/* ---- the data changed -------------------------------------------------------------------------------- */

static void test_resume_refuses_a_csv_source_whose_file_was_replaced_and_changes_nothing(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-data");
    lab_run_ok(&l, "");
    /* A stop after three of the four runs: one run folder is not there. */
    run_in(l.out, "rm -rf runs/xavier__seed2");
    write_data(l.data, 0.5);
    char *before = snapshot(l.out);
    char *out = NULL;
    assert_int_equal(lab_run(&l, "--resume", &out), 2);
    assert_non_null(strstr(out, "the data changed since the folder was started"));
    assert_non_null(strstr(out, "data_fingerprint"));
    free(out);
    assert_same_snapshot(before, l.out);
    free(before);

    /* The data the runs were trained on back in place: the resume finishes the sweep. */
    write_data(l.data, 0.0);
    lab_run_ok(&l, "--resume");
    assert_int_equal(rows_of(l.out, "runs.csv"), 4);
    lab_free(&l);
}

static void test_resume_refuses_a_folder_of_another_program_version_naming_it(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-version");
    lab_run_ok(&l, "");
    run_in(l.out, "sed -i 's/^version = .*/version = 0.0.1-old/' meta");
    char *before = snapshot(l.out);
    char *out = NULL;
    assert_int_equal(lab_run(&l, "--resume", &out), 2);
    assert_non_null(strstr(out, "the program version changed since the folder was started"));
    assert_non_null(strstr(out, "0.0.1-old"));
    free(out);
    assert_same_snapshot(before, l.out);
    free(before);
    lab_free(&l);
}

/* ---- run folders that cannot be read ----------------------------------------------------------------- */

/* Damage, resume (must fail, naming a path, with the folder as it was), repair. */
static void assert_resume_fails_untouched(const lab *l, const char *damage, const char *repair,
                                          const char *named) {
    run_in(l->out, damage);
    char *before = snapshot(l->out);
    char *out = NULL;
    int status = lab_run(l, "--resume", &out);
    if (status == 0 || !strstr(out, named))
        fail_msg("after `%s`: resume exited %d, expected an error naming %s:\n%s", damage, status, named,
                 out);
    assert_null(strstr(out, "Resumed"));
    free(out);
    assert_same_snapshot(before, l->out);
    free(before);
    run_in(l->out, repair);
    assert_int_equal(rows_of(l->out, "runs.csv"), 4);
}

static void test_a_run_folder_that_cannot_be_read_is_an_error_never_a_run_to_redo(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-unreadable");
    lab_run_ok(&l, "");
    /* runs/ unreadable. As root, permissions do not stop a read: a loop of links does. */
    if (geteuid() != 0)
        assert_resume_fails_untouched(&l, "chmod 000 runs", "chmod 755 runs", "runs");
    else
        assert_resume_fails_untouched(&l, "mv runs runs.kept && ln -s runs runs",
                                      "rm runs && mv runs.kept runs", "runs/");
    /* One run folder replaced by a file, by a link to nothing, by a loop of links. */
    assert_resume_fails_untouched(&l, "cd runs && mv uniform__seed1 kept && echo x > uniform__seed1",
                                  "cd runs && rm uniform__seed1 && mv kept uniform__seed1",
                                  "uniform__seed1: is not a folder");
    assert_resume_fails_untouched(&l, "cd runs && mv uniform__seed1 kept && ln -s nowhere uniform__seed1",
                                  "cd runs && rm uniform__seed1 && mv kept uniform__seed1",
                                  "uniform__seed1: cannot be read");
    assert_resume_fails_untouched(&l,
                                  "cd runs && mv uniform__seed1 kept && ln -s uniform__seed1 "
                                  "uniform__seed1",
                                  "cd runs && rm uniform__seed1 && mv kept uniform__seed1",
                                  "uniform__seed1: cannot be read");
    /* A run's file that is a folder, not a file. */
    assert_resume_fails_untouched(&l, "cd runs/xavier__seed2 && mv run.csv kept && mkdir run.csv",
                                  "cd runs/xavier__seed2 && rmdir run.csv && mv kept run.csv",
                                  "xavier__seed2/run.csv: is not a regular file");
    lab_free(&l);
}

/* ---- leftovers of a kill ----------------------------------------------------------------------------- */

static void test_resume_removes_what_a_kill_during_the_merge_or_a_run_left(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-leftovers");
    lab_run_ok(&l, "");
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.csv", l.out);
    char *merged = tu_read_file(path, NULL);
    assert_non_null(merged);
    /* What SIGKILL leaves: the merge's temporaries, a staged set, a run killed while filling its
     * temporary folder, a temporary inside a run folder. */
    run_in(l.out, "printf 'init,seed\\nhalf' > curves.csv.tmp.Ab12Cd && printf x > runs.csv.tmp.set && "
                  "printf x > meta.tmp.Zz9Yy8");
    run_in(l.out,
           "cd runs && mkdir xavier__seed2.tmp.Qw3Er4 && printf half > xavier__seed2.tmp.Qw3Er4/curves.csv "
           "&& printf x > uniform__seed1/layers.csv.tmp.Kk1Ll2");
    assert_int_equal(count_temporaries(l.out), 5);
    lab_run_ok(&l, "--resume");
    assert_int_equal(count_temporaries(l.out), 0);
    char *again = tu_read_file(path, NULL);
    assert_string_equal(merged, again);
    free(merged);
    free(again);

    /* `initlab merge` of such a folder carries none of them over, and removes what a killed merge into
     * the same --out left beside it. */
    run_in(l.out, "printf x > layers.csv.tmp.Mm5Nn6");
    char merged_dir[4200], command[9000];
    snprintf(merged_dir, sizeof merged_dir, "%s/merged", l.scratch);
    run_in(l.scratch, "mkdir merged.tmp.Pp0Oo9 && mkdir merged.tmp.Pp0Oo9/runs && printf x > "
                      "merged.tmp.Pp0Oo9/runs.csv");
    snprintf(command, sizeof command, "'%s' merge '%s' --out '%s' -q 2>&1", tu_exe(), l.out, merged_dir);
    char *out = NULL;
    if (tu_run(command, &out) != 0) fail_msg("%s", out);
    free(out);
    assert_int_equal(count_temporaries(merged_dir), 0);
    char stale[4300];
    snprintf(stale, sizeof stale, "%s/merged.tmp.Pp0Oo9", l.scratch);
    assert_int_equal(access(stale, F_OK), -1);
    lab_free(&l);
}

/* A folder as a kill while config.ini (or meta) was being written leaves it: runs/ empty and an
 * initlab temporary, or config.ini whole and meta's temporary. */
static void make_half_folder(const lab *l, const char *config_from) {
    run_in(l->out, "mkdir runs");
    if (config_from) {
        char script[4400];
        snprintf(script, sizeof script, "cp '%s' config.ini && printf '# initlab res' > meta.tmp.Hh7Jj8",
                 config_from);
        run_in(l->out, script);
    } else {
        run_in(l->out, "printf '[experiment]\\nname = fau' > config.ini.tmp.Gg5Ff4");
    }
}

static void test_a_folder_whose_start_was_killed_is_taken_by_a_plain_run_and_by_resume(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-halfstart");
    lab_run_ok(&l, "");
    char config[4300], done[4200];
    snprintf(done, sizeof done, "%s/done", l.scratch);
    char script[9000];
    snprintf(script, sizeof script, "mv '%s' '%s'", l.out, done);
    run_in(l.scratch, script);
    snprintf(config, sizeof config, "%s/config.ini", done);

    const char *modes[] = {"", "--resume"};
    for (int m = 0; m < 2; m++) {
        for (int whole_config = 0; whole_config < 2; whole_config++) {
            make_half_folder(&l, whole_config ? config : NULL);
            lab_run_ok(&l, modes[m]);
            assert_int_equal(rows_of(l.out, "runs.csv"), 4);
            assert_int_equal(count_temporaries(l.out), 0);
            snprintf(script, sizeof script, "diff -r '%s/runs' runs", done);
            run_in(l.out, script);
            run_in(l.out, "cd .. && rm -rf results");
        }
    }

    /* Anything else in a folder without meta may be someone's: refused, untouched. */
    make_half_folder(&l, NULL);
    run_in(l.out, "echo mine > notes.txt");
    char *before = snapshot(l.out);
    char *out = NULL;
    assert_int_equal(lab_run(&l, "", &out), 2);
    assert_non_null(strstr(out, "already holds files"));
    free(out);
    assert_int_equal(lab_run(&l, "--resume", &out), 2);
    assert_non_null(strstr(out, "not an initlab results folder"));
    free(out);
    assert_same_snapshot(before, l.out);
    free(before);
    /* A config.ini of another configuration is not this run's interrupted start either. */
    run_in(l.out, "cd .. && rm -rf results");
    make_half_folder(&l, config);
    run_in(l.out, "sed -i 's/^epochs = .*/epochs = 7/' config.ini");
    assert_int_equal(lab_run(&l, "", NULL), 2);
    lab_free(&l);
}

/* ---- a run that fails writes nothing ----------------------------------------------------------------- */

static void test_a_run_that_fails_while_writing_its_files_leaves_none(void **state) {
    (void)state;
    lab l;
    /* Eight hidden layers: each run's histograms.csv (2 log points x 9 layers x 40 bins) is over 30 KB,
     * its curves.csv and layers.csv a few KB. */
    lab_make_network(&l, "faults-failedrun", "3, 3, 3, 3, 3, 3, 3, 3");
    /* Files may grow to 28 blocks (ulimit -f counts 512- or 1024-byte blocks: 14 or 28 KiB), which
     * leaves curves.csv and layers.csv possible and histograms.csv not; a write past it fails with
     * EFBIG instead of killing the process. */
    char command[12288];
    snprintf(command, sizeof command,
             "ulimit -f 28 && trap '' XFSZ && '%s' run '%s' --out '%s' --jobs 2 --no-timing -q 2>&1",
             tu_exe(), l.ini, l.out);
    char *out = NULL;
    int status = tu_run(command, &out);
    if (status != 1 || !strstr(out, "4 of 4 runs failed") || !strstr(out, "histograms.csv"))
        fail_msg("expected every run to fail writing histograms.csv, exit 1; got %d:\n%s", status, out);
    free(out);
    char runs[4200];
    snprintf(runs, sizeof runs, "%s/runs", l.out);
    snprintf(command, sizeof command, "find '%s' -mindepth 1 | wc -l", runs);
    assert_int_equal(tu_run(command, &out), 0);
    if (atoi(out) != 0) {
        char *listing = snapshot(runs);
        fail_msg("failed runs left files:\n%s", listing);
    }
    free(out);
    assert_int_equal(rows_of(l.out, "runs.csv"), 0);
    /* Without the limit the resume runs all four. */
    lab_run_ok(&l, "--resume");
    assert_int_equal(rows_of(l.out, "runs.csv"), 4);
    lab_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_refuses_a_csv_source_whose_file_was_replaced_and_changes_nothing),
        cmocka_unit_test(test_resume_refuses_a_folder_of_another_program_version_naming_it),
        cmocka_unit_test(test_a_run_folder_that_cannot_be_read_is_an_error_never_a_run_to_redo),
        cmocka_unit_test(test_resume_removes_what_a_kill_during_the_merge_or_a_run_left),
        cmocka_unit_test(test_a_folder_whose_start_was_killed_is_taken_by_a_plain_run_and_by_resume),
        cmocka_unit_test(test_a_run_that_fails_while_writing_its_files_leaves_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
