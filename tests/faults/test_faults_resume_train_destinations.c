/* test_faults_resume_train_destinations.c - `initlab train` checks where --save, --export-csv and --csv
 * will write before it loads data or trains: a destination that cannot be written is refused at once
 * (the issue lost 52 s of training to an unwritable folder), naming the flag and the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "faults_lab.h"

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A training that takes many seconds when it is allowed to start (the check that it would: below). */
#define LONG_TRAINING "train --data circles --hidden 16 --epochs 200000 --quiet"

/* `initlab train ... FLAG PATH` must fail before any training (which runs far longer than the 5 s
 * allowed here: the control below), with a message naming the flag and `expect`, and leave nothing at
 * path. The refusals take well under 0.5 s on an idle machine; the margin is for a loaded one. */
static void assert_refused_at_once(const char *flag, const char *path, const char *expect) {
    char args[9000];
    snprintf(args, sizeof args, LONG_TRAINING " %s '%s'", flag, path);
    char *out = NULL;
    double t0 = now_seconds();
    int status = lab_initlab(args, &out);
    double seconds = now_seconds() - t0;
    if (status != 1 || !strstr(out, flag) || !strstr(out, expect) || seconds > 5.0)
        fail_msg("%s %s: exit %d after %.2f s, expected 1 within 5 s naming \"%s\":\n%s", flag, path, status,
                 seconds, expect, out);
    assert_null(strstr(out, "test loss"));
    free(out);
}

static void test_unwritable_save_and_export_destinations_are_refused_before_training(void **state) {
    (void)state;
    char *scratch = tu_make_tmpdir("faults-destinations");
    assert_non_null(scratch);
    char locked[4200], path[4300], missing[4300];
    snprintf(locked, sizeof locked, "%s/locked", scratch);
    assert_int_equal(mkdir(locked, 0755), 0);
    /* A folder nobody may write: for root, whom permissions do not stop, one of the kernel's. */
    const char *unwritable = locked;
    if (geteuid() == 0)
        unwritable = "/proc";
    else
        assert_int_equal(chmod(locked, 0555), 0);
    snprintf(path, sizeof path, "%s/model.bin", unwritable);
    snprintf(missing, sizeof missing, "%s/no-such-folder/model.bin", scratch);

    const char *flags[] = {"--save", "--export-csv", "--csv"};
    for (size_t i = 0; i < 3; i++) {
        assert_refused_at_once(flags[i], path, "cannot write into the folder");
        assert_refused_at_once(flags[i], missing, "does not exist");
        assert_refused_at_once(flags[i], scratch, "is a folder");
    }
    assert_int_equal(access(path, F_OK), -1);
    chmod(locked, 0755);

    /* The same training with a destination that can be written does start and is still running after
     * the 5 s the refusals are allowed (then it is stopped): the refusals above are the check, not a
     * training that was quick anyway. */
    char command[9000];
    snprintf(command, sizeof command, "timeout 6 '%s' " LONG_TRAINING " --save '%s/model.bin'; echo $?",
             tu_exe(), scratch);
    char *out = NULL;
    tu_run(command, &out);
    assert_non_null(out);
    assert_non_null(strstr(out, "124"));
    free(out);
    cu_remove_scratch(scratch);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unwritable_save_and_export_destinations_are_refused_before_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
