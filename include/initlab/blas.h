/* blas.h - the one thin wrapper over OpenBLAS cblas_sgemm, with a naive loop beside it.
 *
 * Row-major single precision only. il_sgemm is what the network uses; il_sgemm_naive is the readable
 * reference the tests compare it with. Both compute C = alpha * op(A) * op(B) + beta * C where
 * op(X) is X or its transpose, op(A) is (M, K), op(B) is (K, N) and C is (M, N).
 */
#ifndef INITLAB_BLAS_H
#define INITLAB_BLAS_H

#include <stdbool.h>
#include <stddef.h>

void il_sgemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K, float alpha, const float *A,
              size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);

void il_sgemm_naive(bool trans_a, bool trans_b, size_t M, size_t N, size_t K, float alpha, const float *A,
                    size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);

/* OpenBLAS threads: set (n >= 1) and read back; the configuration string for the results' meta. */
void il_blas_set_threads(int n);
int il_blas_threads(void);
const char *il_blas_config(void);

#endif
