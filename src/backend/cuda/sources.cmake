# fidcpp_cuda: the kernels (nvcc) and the CUDA backend's host side (host compiler, real cudart/cuBLAS/cuSOLVER).
# Included by the top-level CMakeLists.txt only when nvcc was found.
include(${PROJECT_SOURCE_DIR}/kernels/kernels.cmake)
option(FIDCPP_CUDA_PTXAS_REPORT "Print ptxas register/spill/shared-memory usage for every kernel (-Xptxas -v)" OFF)

set(FIDCPP_CUDA_SOURCES ${FIDCPP_CUDA_KERNEL_FILES}
  src/backend/cuda/cuda_check.cpp
  src/backend/cuda/linalg_cublas.cpp
  src/backend/cuda/cuda_backend.cpp
  src/backend/cuda/cuda_preprocess.cpp
  src/backend/cuda/cuda_fid.cpp
  src/backend/cuda/cuda_moments.cpp
  src/backend/cuda/cuda_products.cpp
  src/backend/cuda/cuda_backend_create.cpp
)
list(TRANSFORM FIDCPP_CUDA_SOURCES PREPEND ${PROJECT_SOURCE_DIR}/)
add_library(fidcpp_cuda STATIC ${FIDCPP_CUDA_SOURCES})
target_include_directories(fidcpp_cuda
  PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/kernels> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
  PRIVATE ${CUDAToolkit_INCLUDE_DIRS})
# -Werror all-warnings: the device code must stay warning-free for every architecture. No --use_fast_math; the
# resize kernels use __f*_rn intrinsics where contraction into FMA would change results.
target_compile_options(fidcpp_cuda PRIVATE
  $<$<COMPILE_LANGUAGE:CUDA>:SHELL:-Werror all-warnings>
  $<$<COMPILE_LANGUAGE:CUDA>:SHELL:-Xcompiler -Wall,-Wextra>
  $<$<COMPILE_LANGUAGE:CXX>:${FIDCPP_WARNINGS}>)
if(FIDCPP_CUDA_PTXAS_REPORT)
  target_compile_options(fidcpp_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:SHELL:-Xptxas -v>)
endif()
set_target_properties(fidcpp_cuda PROPERTIES CUDA_RUNTIME_LIBRARY Static POSITION_INDEPENDENT_CODE ON)
# Never libcuda (driver API) directly: a binary linked with it does not even start on a machine without a driver.
target_link_libraries(fidcpp_cuda PUBLIC CUDA::cudart_static CUDA::cublas CUDA::cusolver)
# The device preprocessing uploads the resize plans (make_*_axis, src/preprocess/): their objects are part of
# this library too (CMakeLists.txt), so it does not link fidcpp.
target_sources(fidcpp_cuda PRIVATE $<TARGET_OBJECTS:fidcpp_preprocess>)

# libfidcpp-cuda.so: the module the library opens on --device cuda|auto (src/backend/cuda_module.h). It holds
# the kernels, the backend, the CUDA runtime (static) and whatever library code they use; it exports only
# fidcpp_cuda_module_entry. Built next to the CLI, so a build tree's `fidcpp --device cuda` finds it.
add_library(fidcpp_cuda_module MODULE ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_module.cpp)
set_target_properties(fidcpp_cuda_module PROPERTIES OUTPUT_NAME fidcpp-cuda PREFIX lib
                                                    LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
target_compile_definitions(fidcpp_cuda_module PRIVATE FIDCPP_BUILD_ID="${FIDCPP_BUILD_ID}")
target_include_directories(fidcpp_cuda_module PRIVATE ${PROJECT_SOURCE_DIR}/src ${CUDAToolkit_INCLUDE_DIRS})
target_compile_options(fidcpp_cuda_module PRIVATE ${FIDCPP_WARNINGS})
target_link_libraries(fidcpp_cuda_module PRIVATE fidcpp_cuda fidcpp)
set(FIDCPP_CUDA_MODULE_MAP ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_module.map)
target_link_options(fidcpp_cuda_module PRIVATE -Wl,--version-script=${FIDCPP_CUDA_MODULE_MAP} -Wl,--no-undefined
                    -Wl,--as-needed -Wl,--exclude-libs,ALL)
set_property(TARGET fidcpp_cuda_module APPEND PROPERTY LINK_DEPENDS ${FIDCPP_CUDA_MODULE_MAP})
