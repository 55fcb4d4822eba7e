fidcpp_test(NAME test_c_api LABELS api SOURCES api/test_c_api.cpp model/synthetic_weights.cpp)
target_include_directories(test_c_api PRIVATE ${PROJECT_SOURCE_DIR}/tests/model)
add_dependencies(test_c_api fidcpp_cli)
fidcpp_test(NAME test_real_weights LABELS weights SOURCES api/test_real_weights.cpp)
# Installs to a temporary prefix and builds consumers with find_package and pkg-config. Not in sanitizer builds:
# an installed sanitized static library needs the sanitizer runtime in every consumer.
if(NOT FIDCPP_SANITIZE)
add_test(NAME packaging.install_find_package_pkg_config
         COMMAND ${PROJECT_SOURCE_DIR}/tests/packaging/test_install.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties(packaging.install_find_package_pkg_config PROPERTIES LABELS cli TIMEOUT 600)
endif()
# Peak resident memory of the real network at batch 1 (docs/edge.md "Footprint"); one process per test. Not in
# sanitizer builds, where the peak is the sanitizer's shadow memory, not ours (run_tests.sh fails on a skip there).
if(NOT FIDCPP_SANITIZE)
  fidcpp_test(NAME test_footprint LABELS weights SOURCES api/test_footprint.cpp)
endif()
