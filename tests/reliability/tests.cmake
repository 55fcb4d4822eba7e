# Reliability (docs/reliability.md): hostile inputs and limits, interrupted runs, determinism across threads
# and batch sizes (label reliability); long runs with memory and count checks (labels reliability + soak).
fidcpp_test(NAME test_reliability LABELS reliability
  SOURCES reliability/test_reliability.cpp model/synthetic_weights.cpp)
target_include_directories(test_reliability PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_reliability fidcpp_cli)

# One ctest entry for the whole soak binary: gtest_discover_tests flattens a list of labels into separate
# properties, and this test needs two (ctest -L soak selects it alone, ctest -L reliability with the rest).
add_executable(test_soak reliability/test_soak.cpp model/synthetic_weights.cpp)
target_include_directories(test_soak PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests
                                             ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
target_compile_options(test_soak PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${FIDCPP_WARNINGS}>)
target_link_libraries(test_soak PRIVATE fidcpp GTest::gtest GTest::gtest_main)
add_test(NAME soak COMMAND test_soak)
set_tests_properties(soak PROPERTIES LABELS "reliability;soak" TIMEOUT 1200)
