# The training benchmark (tests/bench): built as the program initlab-bench, never registered with ctest.
# Run it through scripts/bench-train.sh; see docs/benchmarks.md.
option(INITLAB_BENCH "Build the training benchmark program initlab-bench" ON)
if(INITLAB_BENCH)
  add_subdirectory(${CMAKE_SOURCE_DIR}/tests/bench ${CMAKE_BINARY_DIR}/bench)
endif()
