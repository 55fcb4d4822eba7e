set(FIDCPP_CPU_SOURCES
  src/backend/cpu/cpu_backend.cpp
  src/backend/cpu/conv2d_cpu.cpp
  src/backend/cpu/winograd_cpu.cpp
  src/backend/cpu/vector_kernels_portable.cpp
  src/backend/cpu/pool_cpu.cpp
  src/backend/cpu/gemm_kernel_portable.cpp
)
# ISA-specific micro-kernels get their instruction set per file; the binary picks one at run time
# (select_gemm_micro_kernel in cpu_backend.cpp, which only names the kernels of this architecture).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i.86|x86)$")
  list(APPEND FIDCPP_CPU_SOURCES
    src/backend/cpu/vector_kernels_avx2.cpp
    src/backend/cpu/vector_kernels_avx512.cpp
    src/backend/cpu/gemm_kernel_avx2.cpp
    src/backend/cpu/gemm_kernel_avx512.cpp
  )
  set_source_files_properties(src/backend/cpu/gemm_kernel_avx2.cpp src/backend/cpu/vector_kernels_avx2.cpp
                              PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
  set_source_files_properties(src/backend/cpu/gemm_kernel_avx512.cpp src/backend/cpu/vector_kernels_avx512.cpp
                              PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx2;-mfma;-mprefer-vector-width=512")
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  # ASIMD is in the AArch64 base ISA: no extra flags.
  list(APPEND FIDCPP_CPU_SOURCES
    src/backend/cpu/vector_kernels_neon.cpp
    src/backend/cpu/gemm_kernel_neon.cpp
  )
endif()
