/* blas_kernel.c - linked into every test program. Before main() runs, it restarts the program on the BLAS
 * kernel made for this CPU when OpenBLAS did not recognize the CPU (il_blas_use_cpu_kernel, blas.h), as
 * the initlab program does first thing: the tests then check the numbers a user of the program gets.
 * glibc hands an executable's constructors argc, argv and the environment.
 */
#include "initlab/blas.h"

void initlab_test_use_cpu_kernel(int argc, char **argv, char **envp);

__attribute__((constructor)) void initlab_test_use_cpu_kernel(int argc, char **argv, char **envp) {
    (void)argc;
    (void)envp;
    if (argv) il_blas_use_cpu_kernel(argv);
}
