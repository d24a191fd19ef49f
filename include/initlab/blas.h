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

/* ---- the kernel ---------------------------------------------------------------------------------------
 * OpenBLAS picks a kernel for the CPU when it loads. A build older than the CPU model does not know it and
 * falls back to its generic SSE3 kernel, "Prescott" (OpenBLAS 0.3.21, Debian 12's, on 5th-generation Xeon
 * for one). That kernel is slow and, worse for initlab, rounds the edge rows and columns of a product
 * differently from the inner ones: hidden units that are identical in exact arithmetic (zero init) stop
 * being identical in float32 after the first step, and the symmetry ESL 11.5.1 describes seems to break.
 * The kernels made for the CPU's instruction set (Sandybridge, Haswell, SkylakeX) keep identical units
 * identical on initlab's experiments and agree with each other bit for bit there (the claims and acceptance
 * tests check it). No BLAS promises that for every shape: docs/diagnostics.md says what that means. */

/* The kernel OpenBLAS is using, e.g. "Haswell". */
const char *il_blas_core(void);
/* The kernel for this CPU's instruction set when OpenBLAS fell back to its generic one on a CPU with AVX
 * or better ("SkylakeX" with AVX-512, "Haswell" with AVX2 and FMA, "Sandybridge" with AVX), else NULL. */
const char *il_blas_cpu_core(void);
/* If il_blas_cpu_core() names a kernel and the environment does not already choose one
 * (OPENBLAS_CORETYPE, OpenBLAS's own setting), set OPENBLAS_CORETYPE to it and re-execute the running
 * program with the same argv, so that it starts on that kernel. Call it first in main(), before any
 * thread, file or signal handler exists. Returns 0 when nothing needed doing; returns -1 only when the
 * re-execution failed, and the program then goes on with the generic kernel (its numbers are still
 * correct float32, rounded differently). */
int il_blas_use_cpu_kernel(char **argv);

#endif
