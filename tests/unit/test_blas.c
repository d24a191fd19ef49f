/* test_blas.c - il_sgemm (OpenBLAS) agrees with the naive triple loop on many shapes.
 *
 * Every transpose combination, alpha/beta away from 0 and 1, leading dimensions wider than the matrices,
 * 1x1 up to a few hundred. The tolerance grows with K (float rounding of a K-term sum); the largest
 * difference seen is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "initlab/blas.h"
#include "initlab/rng.h"
#include "testutil.h"

static float *random_floats(il_rng *rng, size_t n) {
    float *v = malloc((n ? n : 1) * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)il_rng_uniform_range(rng, -1.0, 1.0);
    return v;
}

/* Compare il_sgemm with il_sgemm_naive on one shape; returns the largest |difference| / tolerance-unit. */
static double compare_shape(il_rng *rng, bool ta, bool tb, size_t M, size_t N, size_t K, float alpha,
                            float beta, size_t pad, double *max_abs) {
    /* op(A) is (M, K): stored A is (M, K) or (K, M); op(B) is (K, N): stored (K, N) or (N, K). */
    const size_t a_rows = ta ? K : M, a_cols = ta ? M : K;
    const size_t b_rows = tb ? N : K, b_cols = tb ? K : N;
    const size_t lda = a_cols + pad, ldb = b_cols + pad, ldc = N + pad;
    float *A = random_floats(rng, a_rows * lda);
    float *B = random_floats(rng, b_rows * ldb);
    float *C1 = random_floats(rng, M * ldc);
    float *C2 = malloc(M * ldc * sizeof *C2 + 1);
    assert_non_null(C2);
    memcpy(C2, C1, M * ldc * sizeof *C2);

    il_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc);
    il_sgemm_naive(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);

    /* Entries are sums of K products of values in [-1, 1]: the float rounding error of such a sum is at
     * most about K eps (eps = FLT_EPSILON) times the largest partial sum, which is at most K; in practice
     * errors add like a random walk, so 2 K eps (scaled by alpha, plus the beta C term) is a safe bound
     * that still catches a wrong element, a wrong transpose or a wrong leading dimension. */
    const double tol = 2.0 * FLT_EPSILON * ((double)(K + 1) * (fabs(alpha) + 1.0) + fabs(beta));
    double worst = 0.0;
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < ldc; j++) {
            double d = fabs((double)C1[i * ldc + j] - (double)C2[i * ldc + j]);
            if (j >= N) {
                /* Padding beyond the N columns must not be touched by either. */
                assert_true(C1[i * ldc + j] == C2[i * ldc + j]);
                continue;
            }
            if (d > *max_abs) *max_abs = d;
            if (d / tol > worst) worst = d / tol;
        }
    }
    free(A);
    free(B);
    free(C1);
    free(C2);
    return worst;
}

static void test_sgemm_matches_the_naive_loop_on_random_shapes(void **state) {
    (void)state;
    il_rng rng;
    il_rng_seed(&rng, 42, 7);
    const size_t fixed[][3] = {{1, 1, 1},    {1, 7, 1},      {7, 1, 3},   {3, 5, 7},     {17, 13, 11},
                               {64, 64, 64}, {129, 97, 211}, {300, 2, 5}, {2, 300, 257}, {100, 100, 1}};
    const float alphas[] = {1.0f, -0.5f, 2.25f};
    const float betas[] = {0.0f, 1.0f, 0.3f};
    double max_abs = 0.0, worst = 0.0;
    size_t cases = 0;
    for (int ta = 0; ta < 2; ta++) {
        for (int tb = 0; tb < 2; tb++) {
            for (size_t s = 0; s < sizeof fixed / sizeof fixed[0]; s++) {
                for (size_t k = 0; k < 3; k++) {
                    double w = compare_shape(&rng, ta, tb, fixed[s][0], fixed[s][1], fixed[s][2], alphas[k],
                                             betas[(k + s) % 3], (s + k) % 3 == 0 ? 0 : 1 + s, &max_abs);
                    worst = w > worst ? w : worst;
                    cases++;
                }
            }
            /* And random shapes, odd sizes included. */
            for (int r = 0; r < 12; r++) {
                size_t M = 1 + (size_t)il_rng_below(&rng, 150), N = 1 + (size_t)il_rng_below(&rng, 150);
                size_t K = 1 + (size_t)il_rng_below(&rng, 250), pad = (size_t)il_rng_below(&rng, 5);
                float alpha = (float)il_rng_uniform_range(&rng, -2.0, 2.0);
                float beta = (float)il_rng_uniform_range(&rng, -1.0, 1.0);
                double w = compare_shape(&rng, ta, tb, M, N, K, alpha, beta, pad, &max_abs);
                worst = w > worst ? w : worst;
                cases++;
            }
        }
    }
    print_message("sgemm vs naive: %zu shapes, largest |difference| %.3g (%.3g of the tolerance)\n", cases,
                  max_abs, worst);
    assert_true(worst <= 1.0);
}

static void test_sgemm_with_beta_zero_ignores_garbage_in_c(void **state) {
    (void)state;
    const float A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8}; /* (2, 2) each */
    float C1[4] = {NAN, NAN, INFINITY, NAN}, C2[4] = {NAN, NAN, INFINITY, NAN};
    il_sgemm(false, false, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C1, 2);
    il_sgemm_naive(false, false, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C2, 2);
    const float expect[] = {19, 22, 43, 50};
    for (int i = 0; i < 4; i++) {
        assert_true(C1[i] == expect[i]);
        assert_true(C2[i] == expect[i]);
    }
}

static void test_sgemm_with_k_zero_scales_c_by_beta(void **state) {
    (void)state;
    const float A[1] = {0}, B[1] = {0};
    float C1[6] = {1, 2, 3, 4, 5, 6}, C2[6] = {1, 2, 3, 4, 5, 6};
    il_sgemm(false, false, 2, 3, 0, 1.0f, A, 0, B, 3, 0.5f, C1, 3);
    il_sgemm_naive(false, false, 2, 3, 0, 1.0f, A, 0, B, 3, 0.5f, C2, 3);
    for (int i = 0; i < 6; i++) {
        assert_true(C1[i] == 0.5f * (float)(i + 1));
        assert_true(C2[i] == C1[i]);
    }
}

static void test_sgemm_transposes_are_the_textbook_ones(void **state) {
    (void)state;
    /* A = [[1, 2, 3], [4, 5, 6]] (2, 3). A^T A is (3, 3), A A^T is (2, 2). */
    const float A[] = {1, 2, 3, 4, 5, 6};
    float AtA[9], AAt[4];
    il_sgemm(true, false, 3, 3, 2, 1.0f, A, 3, A, 3, 0.0f, AtA, 3);
    il_sgemm(false, true, 2, 2, 3, 1.0f, A, 3, A, 3, 0.0f, AAt, 2);
    const float expect_ata[] = {17, 22, 27, 22, 29, 36, 27, 36, 45}, expect_aat[] = {14, 32, 32, 77};
    for (int i = 0; i < 9; i++)
        assert_true(AtA[i] == expect_ata[i]);
    for (int i = 0; i < 4; i++)
        assert_true(AAt[i] == expect_aat[i]);
}

/* blas_kernel.c restarts every test program on the kernel for this CPU, as initlab's main() does. */
static void test_programs_run_on_the_blas_kernel_made_for_this_cpu(void **state) {
    (void)state;
    const char *chosen = getenv("OPENBLAS_CORETYPE");
    if (chosen && *chosen) {
        /* set by the restart or by the user: OpenBLAS must have taken it */
        assert_int_equal(strcasecmp(il_blas_core(), chosen), 0);
    } else {
        /* nothing set: OpenBLAS recognized the CPU, or there was no better kernel to restart on */
        assert_null(il_blas_cpu_core());
    }
    assert_non_null(strstr(il_blas_config(), "OpenBLAS"));
}

static void test_blas_threads_and_config_are_reported(void **state) {
    (void)state;
    il_blas_set_threads(1);
    assert_int_equal(il_blas_threads(), 1);
    const char *config = il_blas_config();
    assert_non_null(config);
    assert_true(strlen(config) > 0);
    print_message("BLAS: %s\n", config);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgemm_matches_the_naive_loop_on_random_shapes),
        cmocka_unit_test(test_sgemm_with_beta_zero_ignores_garbage_in_c),
        cmocka_unit_test(test_programs_run_on_the_blas_kernel_made_for_this_cpu),
        cmocka_unit_test(test_sgemm_with_k_zero_scales_c_by_beta),
        cmocka_unit_test(test_sgemm_transposes_are_the_textbook_ones),
        cmocka_unit_test(test_blas_threads_and_config_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
