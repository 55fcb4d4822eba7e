fidcpp_test(NAME test_core LABELS unit SOURCES core/test_status.cpp core/test_parallel.cpp core/test_file.cpp)
