# Data loaders: the real-data tests find Fashion-MNIST where the library looks by default, and with
# -DINITLAB_FUZZ=ON every parser runs under libFuzzer for a bounded time (label `fuzz`).
set(INITLAB_TEST_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist" CACHE PATH
  "Folder of the Fashion-MNIST IDX files the data tests read")
foreach(t test_idx test_images)
  if(TARGET ${t})
    target_compile_definitions(${t} PRIVATE INITLAB_FASHION_MNIST_DIR="${INITLAB_TEST_FASHION_MNIST_DIR}")
  endif()
endforeach()

if(INITLAB_FUZZ)
  # 28 s per fuzz target, failing on a crash: with the 8 targets of tests/fuzz (idx, csv, config, model,
  # images, data_spec, layers, results) about 4 minutes in all (docs/testing.md).
  add_test(NAME fuzz_parsers COMMAND ${CMAKE_SOURCE_DIR}/scripts/run-fuzzers.sh ${CMAKE_BINARY_DIR} 28)
  set_tests_properties(fuzz_parsers PROPERTIES LABELS fuzz TIMEOUT 900)
endif()
