# Image input area: resize kernels and preprocessing modes (ops); decoding and sources (unit).
fidcpp_test(NAME test_preprocess_resize LABELS ops SOURCES preprocess/test_resize.cpp preprocess/resize_refs.cpp)
fidcpp_test(NAME test_image_decode LABELS unit SOURCES preprocess/test_image_decode.cpp)
fidcpp_test(NAME test_image_source LABELS unit SOURCES preprocess/test_image_source.cpp)
