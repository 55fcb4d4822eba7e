fidcpp_test(NAME test_cli LABELS cli SOURCES cli/test_cli.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli fidcpp_cli)
