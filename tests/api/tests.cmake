fidcpp_test(NAME test_c_api LABELS api SOURCES api/test_c_api.cpp model/synthetic_weights.cpp)
target_include_directories(test_c_api PRIVATE ${PROJECT_SOURCE_DIR}/tests/model)
add_dependencies(test_c_api fidcpp_cli)
