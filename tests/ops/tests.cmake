fidcpp_test(NAME test_cpu_ops LABELS ops SOURCES ops/test_cpu_ops.cpp)
