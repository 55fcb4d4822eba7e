# bench_gpu (plain program, no Google Benchmark): SGEMM roofline, whole-network images/s, per-layer times on the
# CUDA backend. Built with CUDA only; exits 77 with "no CUDA device" on machines without one.
if(FIDCPP_HAVE_CUDA)
  add_executable(bench_gpu bench_gpu.cpp ${PROJECT_SOURCE_DIR}/tests/model/synthetic_weights.cpp)
  target_include_directories(bench_gpu PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests
                                               ${CUDAToolkit_INCLUDE_DIRS})
  target_compile_options(bench_gpu PRIVATE ${FIDCPP_WARNINGS})
  target_link_libraries(bench_gpu PRIVATE fidcpp fidcpp_cuda CUDA::cudart_static)
endif()
