# One valgrind memcheck pass over the program as a user runs it (label `memcheck`): `initlab train` on
# the Fashion-MNIST sample images with --save, `initlab eval` of the saved model, a small `initlab run`
# (2 inits x 2 seeds on XOR, two worker processes) and its `--resume`. Every valgrind error (invalid read
# or write, use of uninitialised memory, a leak that is definitely or possibly lost) fails the test.
# Registered in plain builds only: sanitizer builds cannot run under valgrind. About a minute.
#
# The BLAS under valgrind: OPENBLAS_NUM_THREADS=1 (no thread pool to wade through). valgrind's CPU has no
# AVX-512, so OpenBLAS picks an older kernel there than natively (Haswell instead of SkylakeX here); and
# when it does not recognize the CPU at all, initlab restarts itself through /proc/self/exe on the kernel
# made for the CPU (il_blas_use_cpu_kernel). --trace-children=yes keeps that restart inside valgrind
# (otherwise the real work would run natively, unchecked), and the kernel it picks there is one valgrind
# can run, since the choice is made from the CPU valgrind shows. Worker processes are forks, which
# valgrind follows anyway; each exits 1 on an error, which fails its run and so the command.
find_program(INITLAB_VALGRIND NAMES valgrind)
if(TARGET initlab AND INITLAB_VALGRIND AND NOT INITLAB_SANITIZE AND NOT INITLAB_FUZZ)
  add_test(NAME memcheck_train_eval_and_run_have_no_valgrind_errors
    COMMAND bash -c [=[
set -eu
valgrind=$1 exe=$2 out=$3 source=$4
rm -rf "$out"
mkdir -p "$out"
vg() {
  echo "+ valgrind initlab $*"
  "$valgrind" --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible \
    --trace-children=yes --quiet "$exe" "$@"
}
vg --version
vg train --data "images:dir=$source/data/fashion-sample" --hidden 8 --epochs 2 --save "$out/model"
vg eval "$out/model" --data "images:dir=$source/data/fashion-sample"
run=(--out "$out/results" --jobs 2 --quiet --epochs 3 --seeds 2 --set data.source=xor:n=40
  --set network.hidden=4 --set inits.list=zero,xavier --set logging.every_epochs=1
  --set logging.probe_samples=20)
vg run "${run[@]}"
vg run "${run[@]}" --resume
test -s "$out/results/curves.csv"
echo "no valgrind errors"
]=] memcheck ${INITLAB_VALGRIND} $<TARGET_FILE:initlab> ${CMAKE_BINARY_DIR}/memcheck ${CMAKE_SOURCE_DIR})
  set_tests_properties(memcheck_train_eval_and_run_have_no_valgrind_errors PROPERTIES
    LABELS memcheck TIMEOUT 900 ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
endif()
