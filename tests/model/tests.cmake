fidcpp_test(NAME test_model_table LABELS unit SOURCES model/test_inception_table.cpp)
fidcpp_test(NAME test_inception_forward LABELS model
            SOURCES model/test_inception_forward.cpp model/synthetic_weights.cpp)
fidcpp_test(NAME test_pipeline_files LABELS model
            SOURCES model/test_pipeline_files.cpp model/synthetic_weights.cpp)
