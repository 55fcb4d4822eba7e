# GPU tests (label gpu): built by nvcc against the real runtime; they report SKIPPED on machines without a device.
if(NOT FIDCPP_HAVE_CUDA)
  return()
endif()
add_library(fidcpp_kernel_refs_gpu STATIC ${PROJECT_SOURCE_DIR}/kernels/kernel_refs.cpp)
target_include_directories(fidcpp_kernel_refs_gpu PUBLIC ${PROJECT_SOURCE_DIR}/kernels)
fidcpp_test(NAME test_gpu LABELS gpu SOURCES gpu/test_gpu_kernels.cpp model/synthetic_weights.cpp
            LIBS fidcpp_cuda fidcpp_kernel_refs_gpu)
target_include_directories(test_gpu PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests)
