fidcpp_test(NAME test_model_table LABELS unit SOURCES model/test_inception_table.cpp)
fidcpp_test(NAME test_inception_forward LABELS model
            SOURCES model/test_inception_forward.cpp model/synthetic_weights.cpp)
fidcpp_test(NAME test_pipeline_files LABELS model
            SOURCES model/test_pipeline_files.cpp model/synthetic_weights.cpp)
# Not a test: writes or compares the network's features on synthetic weights, to check one build of fidcpp
# against another (tools/ci_arm64.sh: the AArch64 NEON build under qemu against the x86-64 build).
add_executable(fidcpp_dump_features model/dump_features.cpp model/synthetic_weights.cpp)
target_include_directories(fidcpp_dump_features PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(fidcpp_dump_features PRIVATE ${FIDCPP_WARNINGS})
target_link_libraries(fidcpp_dump_features PRIVATE fidcpp)
