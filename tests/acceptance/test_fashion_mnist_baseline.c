/* test_fashion_mnist_baseline.c - the dataset issue's "done when" on the real program: an MLP
 * 784-256-128-10 with ReLU units and He weights, 5 epochs on Fashion-MNIST, reaches a test accuracy above
 * 0.87 (published MLP baselines: 0.87-0.88) and prints it. One BLAS thread, so the number is reproducible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_mlp_on_fashion_mnist_beats_the_published_baseline_in_five_epochs(void **state) {
    (void)state;
    char cmd[4096];
    snprintf(
        cmd, sizeof cmd,
        "'%s' train --data fashion-mnist --layers 784,256,128,10 --act relu --init he --epochs 5 --quiet",
        tu_exe());
    char *out = NULL;
    int rc = tu_run(cmd, &out);
    if (rc != 0) fail_msg("initlab train failed (%d): %s", rc, out ? out : "");
    const char *line = strstr(out, "test accuracy");
    assert_non_null(line);
    double accuracy = strtod(line + strlen("test accuracy"), NULL);
    print_message("Fashion-MNIST test accuracy after 5 epochs: %.4f\n", accuracy);
    assert_true(accuracy > 0.87);
    assert_true(accuracy <= 1.0);
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mlp_on_fashion_mnist_beats_the_published_baseline_in_five_epochs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
