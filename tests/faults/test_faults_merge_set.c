/* test_faults_merge_set.c - the merged files never mix or lose results: a damaged run file stops the
 * merge with the previous merged set intact byte for byte, `initlab merge` refuses slices that ran on
 * other data and a merge with runs missing from every slice unless --partial is given, and a merge that
 * fails leaves no folder behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faults_lab.h"

/* Every merged file of a results folder (the CSV files of its top level: runs.csv, curves.csv, ...,
 * *_wide.csv) with its checksum, by name. */
static char *merged_set(const char *dir) {
    char command[4400];
    snprintf(command, sizeof command,
             "cd '%s' && find . -maxdepth 1 -type f -name '*.csv' -exec sha256sum {} + | sort -k2", dir);
    char *out = NULL;
    assert_int_equal(tu_run(command, &out), 0);
    assert_non_null(strstr(out, "./curves.csv"));
    return out;
}

static int exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Damage a run's file with script (run in the folder), resume: the resume must fail naming the file,
 * every merged file stays as it was and no temporary is left. Then the damage is repaired. */
static void assert_damage_keeps_the_merged_set(const lab *l, const char *script, const char *named) {
    run_in(l->out, "cp -a runs runs.kept");
    run_in(l->out, script);
    char *before = merged_set(l->out);
    char *out = NULL;
    int status = lab_run(l, "--resume", &out);
    if (status != 1 || !strstr(out, named))
        fail_msg("after `%s`: resume exited %d, expected 1 and a message naming %s:\n%s", script, status,
                 named, out);
    free(out);
    char *after = merged_set(l->out);
    if (strcmp(before, after) != 0)
        fail_msg("after `%s` the merged set changed:\n%s\n%s", script, before, after);
    free(before);
    free(after);
    assert_int_equal(count_temporaries(l->out), 0);
    run_in(l->out, "rm -rf runs && mv runs.kept runs");
}

static void test_a_damaged_run_file_fails_the_merge_and_keeps_every_merged_file_byte_for_byte(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-damaged");
    lab_run_ok(&l, "");
    /* The last row of one run's curves.csv cut short, as the issue found it. */
    assert_damage_keeps_the_merged_set(
        &l, "cd runs/xavier__seed2 && head -c -20 curves.csv > c && mv c curves.csv",
        "xavier__seed2/curves.csv");
    /* A row with a cell missing that still ends its line (the wide files do not read layers.csv). */
    assert_damage_keeps_the_merged_set(&l, "cd runs/uniform__seed2 && sed -i '3s/,[^,]*$//' layers.csv",
                                       "uniform__seed2/layers.csv: line 3 has");
    /* A word where curves.csv has a number: the long curves.csv can be written, the wide files that
     * read it cannot; the merged curves.csv must not have been replaced by then. */
    assert_damage_keeps_the_merged_set(
        &l,
        "cd runs/uniform__seed1 && awk -F, -v OFS=, 'NR == 2 { $5 = \"oops\" } "
        "{ print }' curves.csv > c && mv c curves.csv",
        "uniform__seed1/curves.csv");
    /* Repaired, the same resume succeeds and gives the same set again. */
    char *before = merged_set(l.out);
    lab_run_ok(&l, "--resume");
    char *after = merged_set(l.out);
    assert_string_equal(before, after);
    free(before);
    free(after);
    lab_free(&l);
}

static void test_merge_with_runs_missing_from_every_slice_fails_unless_partial(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-partial");
    char slice[4200], merged[4200], args[9000];
    snprintf(slice, sizeof slice, "%s/slice1", l.scratch);
    snprintf(merged, sizeof merged, "%s/merged", l.scratch);
    char *out = NULL;
    if (lab_run_into(&l, slice, "--shard 1/2", &out) != 0) fail_msg("%s", out);
    free(out);

    snprintf(args, sizeof args, "merge '%s' --out '%s' -q", slice, merged);
    assert_int_equal(lab_initlab(args, &out), 1);
    assert_non_null(strstr(out, "2 of the plan's 4 runs are in none of the folders"));
    assert_non_null(strstr(out, "--partial"));
    free(out);
    assert_false(exists(merged));

    snprintf(args, sizeof args, "merge '%s' --out '%s' -q --partial", slice, merged);
    assert_int_equal(lab_initlab(args, &out), 0);
    assert_non_null(strstr(out, "2 runs of the plan missing from every slice"));
    free(out);
    assert_int_equal(rows_of(merged, "runs.csv"), 2);
    assert_int_equal(count_temporaries(l.scratch), 0);
    lab_free(&l);
}

static void test_merge_refuses_slices_trained_on_different_data_naming_it(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-mixdata");
    char s1[4200], s2[4200], merged[4200], args[13000];
    snprintf(s1, sizeof s1, "%s/slice1", l.scratch);
    snprintf(s2, sizeof s2, "%s/slice2", l.scratch);
    snprintf(merged, sizeof merged, "%s/merged", l.scratch);
    char *out = NULL;
    if (lab_run_into(&l, s1, "--shard 1/2", &out) != 0) fail_msg("%s", out);
    free(out);
    write_data(l.data, 0.25);
    if (lab_run_into(&l, s2, "--shard 2/2", &out) != 0) fail_msg("%s", out);
    free(out);

    snprintf(args, sizeof args, "merge '%s' '%s' --out '%s' -q", s1, s2, merged);
    assert_int_equal(lab_initlab(args, &out), 2);
    assert_non_null(strstr(out, "differ in the data (data_fingerprint"));
    free(out);
    assert_false(exists(merged));
    lab_free(&l);
}

static void test_a_merge_that_fails_on_a_damaged_run_leaves_no_folder(void **state) {
    (void)state;
    lab l;
    lab_make(&l, "faults-mergefail");
    lab_run_ok(&l, "");
    run_in(l.out, "cd runs/xavier__seed1 && head -c -7 histograms.csv > h && mv h histograms.csv");
    char merged[4200], args[9000];
    snprintf(merged, sizeof merged, "%s/merged", l.scratch);
    snprintf(args, sizeof args, "merge '%s' --out '%s' -q", l.out, merged);
    char *out = NULL;
    assert_int_equal(lab_initlab(args, &out), 1);
    assert_non_null(strstr(out, "xavier__seed1/histograms.csv"));
    free(out);
    assert_false(exists(merged));
    assert_int_equal(count_temporaries(l.scratch), 0);
    lab_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_damaged_run_file_fails_the_merge_and_keeps_every_merged_file_byte_for_byte),
        cmocka_unit_test(test_merge_with_runs_missing_from_every_slice_fails_unless_partial),
        cmocka_unit_test(test_merge_refuses_slices_trained_on_different_data_naming_it),
        cmocka_unit_test(test_a_merge_that_fails_on_a_damaged_run_leaves_no_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
