fidcpp_test(NAME test_model_table LABELS unit SOURCES model/test_inception_table.cpp)
