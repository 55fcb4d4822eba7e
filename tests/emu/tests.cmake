# Emulated CUDA tests (label emu): the kernels and the CUDA backend's host code compiled by the host compiler
# through cudaemu and run on the CPU. Needs only the CUDA toolkit's headers, not nvcc or a GPU.
find_package(CUDAToolkit QUIET)
set(FIDCPP_EMU_CUDA_INCLUDE "")
if(CUDAToolkit_FOUND AND EXISTS "${CUDAToolkit_INCLUDE_DIRS}/cuda_runtime.h")
  set(FIDCPP_EMU_CUDA_INCLUDE ${CUDAToolkit_INCLUDE_DIRS})
elseif(EXISTS "/usr/local/cuda/include/cuda_runtime.h")
  set(FIDCPP_EMU_CUDA_INCLUDE /usr/local/cuda/include)
endif()
if(NOT FIDCPP_EMU_CUDA_INCLUDE)
  message(STATUS "fidcpp: CUDA headers not found, emulated CUDA tests (label emu) skipped")
  return()
endif()

include(${PROJECT_SOURCE_DIR}/kernels/kernels.cmake)
# One generated wrapper per .cu, so the host compiler treats it as C++ (foo.cu.cpp: #include "foo.cu").
set(FIDCPP_EMU_WRAPPERS "")
foreach(cu ${FIDCPP_CUDA_KERNEL_FILES} tests/emu/semantics.cu)
  get_filename_component(stem ${cu} NAME)
  set(wrapper ${CMAKE_CURRENT_BINARY_DIR}/emu_wrappers/${stem}.cpp)
  file(CONFIGURE OUTPUT ${wrapper} CONTENT "#include \"${PROJECT_SOURCE_DIR}/${cu}\"\n" @ONLY)
  list(APPEND FIDCPP_EMU_WRAPPERS ${wrapper})
endforeach()

add_library(fidcpp_cuda_emu STATIC
  ${PROJECT_SOURCE_DIR}/kernels/emu/cudaemu.cpp
  ${PROJECT_SOURCE_DIR}/kernels/kernel_refs.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_check.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/linalg_emulated.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_backend.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_preprocess.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_fid.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_moments.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_products.cpp
  ${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_backend_emulated.cpp
  ${FIDCPP_EMU_WRAPPERS})
target_compile_definitions(fidcpp_cuda_emu PUBLIC FIDCPP_CUDA_EMULATED=1)
if(FIDCPP_SANITIZE MATCHES "thread")
  # The scheduler's bookkeeping is shared between fibers without happens-before edges (switches are no_sync so
  # that kernel races stay visible); keep it uninstrumented and let it drive TSan through the fiber API only.
  set_source_files_properties(${PROJECT_SOURCE_DIR}/kernels/emu/cudaemu.cpp PROPERTIES
    COMPILE_OPTIONS "-fno-sanitize=thread;-DCUDAEMU_TSAN=1")
endif()
target_include_directories(fidcpp_cuda_emu PUBLIC
  ${PROJECT_SOURCE_DIR}/kernels ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests ${FIDCPP_EMU_CUDA_INCLUDE})
# #pragma unroll is for nvcc.
target_compile_options(fidcpp_cuda_emu PRIVATE ${FIDCPP_WARNINGS} -Wno-unknown-pragmas)
# fidcpp: the preprocessing resize plans (make_*_axis, src/preprocess/) that the device preprocessing uploads.
target_link_libraries(fidcpp_cuda_emu PUBLIC fidcpp Threads::Threads)

fidcpp_test(NAME test_emu LABELS emu
  SOURCES emu/test_semantics.cpp emu/test_kernels.cpp emu/test_linalg.cpp emu/test_backend.cpp
    emu/test_preprocess.cpp
  LIBS fidcpp_cuda_emu)

# The whole network under emulation (slow: minutes, not seconds), separate so that the TSan run leaves it out.
fidcpp_test(NAME test_emu_network LABELS emu
  SOURCES emu/test_network.cpp model/synthetic_weights.cpp
  LIBS fidcpp_cuda_emu)
target_include_directories(test_emu_network PRIVATE ${PROJECT_SOURCE_DIR}/tests/model)
