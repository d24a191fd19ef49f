/* blas.c - the one place the library calls cblas_sgemm, and the naive loop that defines what it computes.
 *
 * Row-major float32. C = alpha * op(A) * op(B) + beta * C with op(A) (M, K), op(B) (K, N), C (M, N).
 * Degenerate shapes (M, N or K zero) are handled here rather than handed to BLAS, which would reject a
 * leading dimension of 0; sizes beyond the BLAS integer range fall back to the naive loop.
 */
#include "initlab/blas.h"

#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

/* ---- the reference: what every entry of C is ---------------------------------------------------- */

/* Element (r, c) of op(X) where X is stored row-major with leading dimension ld. */
static float op_at(const float *X, size_t ld, bool trans, size_t r, size_t c) {
    return trans ? X[c * ld + r] : X[r * ld + c];
}

void il_sgemm_naive(bool trans_a, bool trans_b, size_t M, size_t N, size_t K, float alpha, const float *A,
                    size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc) {
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) {
            /* C[i][j] = alpha * sum_k op(A)[i][k] op(B)[k][j] + beta * C[i][j]; the sum in double so the
             * reference is more accurate than what it checks. */
            double sum = 0.0;
            for (size_t k = 0; k < K; k++)
                sum += (double)op_at(A, lda, trans_a, i, k) * (double)op_at(B, ldb, trans_b, k, j);
            /* BLAS convention: with beta == 0, C is not read (it may hold NaN or garbage). */
            double old = beta == 0.0f ? 0.0 : (double)beta * (double)C[i * ldc + j];
            C[i * ldc + j] = (float)((double)alpha * sum + old);
        }
    }
}

/* ---- the fast path -------------------------------------------------------------------------------- */

/* C = beta * C, for the shapes where the product term vanishes (K == 0 or alpha == 0). */
static void scale_c(size_t M, size_t N, float beta, float *C, size_t ldc) {
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++)
            C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
}

static bool fits_blas_int(size_t n) {
    return n <= (size_t)INT_MAX;
}

void il_sgemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K, float alpha, const float *A,
              size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc) {
    if (M == 0 || N == 0) return;
    if (K == 0 || alpha == 0.0f) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    if (!fits_blas_int(M) || !fits_blas_int(N) || !fits_blas_int(K) || !fits_blas_int(lda) ||
        !fits_blas_int(ldb) || !fits_blas_int(ldc)) {
        il_sgemm_naive(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

/* ---- threads and build description ---------------------------------------------------------------- */

void il_blas_set_threads(int n) {
    openblas_set_num_threads(n >= 1 ? n : 1);
}

int il_blas_threads(void) {
    return openblas_get_num_threads();
}

const char *il_blas_config(void) {
    const char *config = openblas_get_config();
    return config ? config : "unknown BLAS";
}

/* ---- the kernel ------------------------------------------------------------------------------------------
 */

const char *il_blas_core(void) {
    const char *core = openblas_get_corename();
    return core && *core ? core : "unknown";
}

const char *il_blas_cpu_core(void) {
    if (strcasecmp(il_blas_core(), "Prescott") != 0) return NULL; /* a kernel chosen for this CPU */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    /* A real Prescott (2004) has no AVX: only an unrecognized newer CPU lands here. */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    if (__builtin_cpu_supports("avx")) return "Sandybridge";
#endif
    return NULL;
}

int il_blas_use_cpu_kernel(char **argv) {
    const char *core = il_blas_cpu_core();
    const char *chosen = getenv("OPENBLAS_CORETYPE");
    if (!core || (chosen && *chosen)) return 0; /* the kernel fits, or the user chose one */
    if (setenv("OPENBLAS_CORETYPE", core, 1) != 0) return -1;
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE"); /* the exec failed: go on as we are */
    return -1;
}
