fidcpp_test(NAME test_cli LABELS cli SOURCES cli/test_cli.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli fidcpp_cli)
fidcpp_test(NAME test_cli_surface LABELS cli SOURCES cli/test_cli_surface.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli_surface PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli_surface fidcpp_cli)
# Sharded statistics (--shard K/N + merge) equal the single run (issue #9; docs/scaling.md).
fidcpp_test(NAME test_shards LABELS cli SOURCES cli/test_shards.cpp mpi/scale_harness.cpp model/synthetic_weights.cpp)
target_include_directories(test_shards PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_shards fidcpp_cli)
# A build without MPI refuses to run as one of several copies started by mpirun / srun (issue #20;
# docs/metrics-extra.md "Safe scale-out"). In MPI builds a second, MPI-less CLI is built for it.
if(FIDCPP_HAVE_MPI)
  list(TRANSFORM FIDCPP_CLI_SOURCES PREPEND "${PROJECT_SOURCE_DIR}/" OUTPUT_VARIABLE fidcpp_nompi_sources)
  add_executable(fidcpp_nompi ${fidcpp_nompi_sources} ${PROJECT_SOURCE_DIR}/src/cli/mpi_none.cpp)
  target_include_directories(fidcpp_nompi PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(fidcpp_nompi PRIVATE ${FIDCPP_WARNINGS})
  target_link_libraries(fidcpp_nompi PRIVATE fidcpp)
  set(fidcpp_nompi_target fidcpp_nompi)
  set(fidcpp_test_mpiexec "${MPIEXEC_EXECUTABLE}")
else()
  # This build's CLI has no MPI itself; the system's launcher, where one is installed, still starts it twice.
  set(fidcpp_nompi_target fidcpp_cli)
  find_program(FIDCPP_TEST_MPIEXEC NAMES mpirun mpiexec)
  set(fidcpp_test_mpiexec "")
  if(FIDCPP_TEST_MPIEXEC)
    set(fidcpp_test_mpiexec "${FIDCPP_TEST_MPIEXEC}")
  endif()
endif()
fidcpp_test(NAME test_launcher LABELS cli
            SOURCES cli/test_launcher.cpp ${PROJECT_SOURCE_DIR}/src/cli/launcher_env.cpp model/synthetic_weights.cpp)
target_include_directories(test_launcher PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
target_compile_definitions(test_launcher PRIVATE FIDCPP_NOMPI_CLI_PATH="$<TARGET_FILE:${fidcpp_nompi_target}>"
                                                 FIDCPP_MPIEXEC="${fidcpp_test_mpiexec}")
add_dependencies(test_launcher ${fidcpp_nompi_target})
# Density and coverage through the CLI and the C API against prdc 0.2 (tools/ref_dc.py; docs/metrics-extra.md).
fidcpp_test(NAME test_cli_dc LABELS cli SOURCES cli/test_cli_dc.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli_dc PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli_dc fidcpp_cli)
# Small-sample warnings of the CLI (docs/metrics-extra.md "Small samples").
fidcpp_test(NAME test_small_samples LABELS cli
            SOURCES cli/test_small_samples.cpp ${PROJECT_SOURCE_DIR}/src/cli/sample_warnings.cpp
                    model/synthetic_weights.cpp)
target_include_directories(test_small_samples PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_small_samples fidcpp_cli)
# `fidcpp features` (issue #20): the per-image features .npy, read back by fidcpp and numpy.
fidcpp_test(NAME test_cli_features LABELS cli SOURCES cli/test_cli_features.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli_features PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli_features fidcpp_cli)
# FID-infinity / IS-infinity through the CLI and the C/C++ API (docs/metrics-extra.md).
fidcpp_test(NAME test_cli_fid_infinity LABELS cli SOURCES cli/test_cli_fid_infinity.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli_fid_infinity PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli_fid_infinity fidcpp_cli)
# Bootstrap confidence intervals of FID and KID through the CLI and the C/C++ API (docs/metrics-extra.md).
fidcpp_test(NAME test_cli_bootstrap LABELS cli SOURCES cli/test_cli_bootstrap.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli_bootstrap PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli_bootstrap fidcpp_cli)
# The CUDA module loader (src/backend/cuda_module.h) against stand-in modules, with or without CUDA: one that
# creates a CPU backend (the CLI's --device cuda runs end to end through it), and two it must refuse.
set(fidcpp_fake_modules "")
foreach(kind ok wrong_id wrong_abi)
  add_library(fidcpp_fake_cuda_${kind} MODULE cli/fake_cuda_module.cpp)
  target_include_directories(fidcpp_fake_cuda_${kind} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(fidcpp_fake_cuda_${kind} PRIVATE ${FIDCPP_WARNINGS})
  set(id "${FIDCPP_BUILD_ID}")
  set(abi "fidcpp::kCudaModuleAbi")
  if(kind STREQUAL "wrong_id")
    set(id "0.0.0/other-compiler/0000000000000000")
  elseif(kind STREQUAL "wrong_abi")
    set(abi "fidcpp::kCudaModuleAbi + 1")
  endif()
  target_compile_definitions(fidcpp_fake_cuda_${kind} PRIVATE FAKE_BUILD_ID="${id}" "FAKE_ABI=${abi}"
                                                               FAKE_KIND_OK=$<STREQUAL:${kind},ok>)
  target_link_libraries(fidcpp_fake_cuda_${kind} PRIVATE fidcpp)
  target_link_options(fidcpp_fake_cuda_${kind} PRIVATE
                      -Wl,--version-script=${PROJECT_SOURCE_DIR}/src/backend/cuda/cuda_module.map
                      -Wl,--exclude-libs,ALL)
  list(APPEND fidcpp_fake_modules "FIDCPP_FAKE_CUDA_${kind}=\"$<TARGET_FILE:fidcpp_fake_cuda_${kind}>\"")
endforeach()
fidcpp_test(NAME test_cuda_module LABELS cli SOURCES cli/test_cuda_module.cpp model/synthetic_weights.cpp)
target_include_directories(test_cuda_module PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
set(fidcpp_real_module "")
if(FIDCPP_HAVE_CUDA)
  set(fidcpp_real_module "$<TARGET_FILE:fidcpp_cuda_module>")
endif()
target_compile_definitions(test_cuda_module PRIVATE ${fidcpp_fake_modules}
                           FIDCPP_SHARED_LIBRARY="$<TARGET_FILE:fidcpp_shared>"
                           FIDCPP_REAL_CUDA_MODULE="${fidcpp_real_module}")
add_dependencies(test_cuda_module fidcpp_cli fidcpp_shared fidcpp_fake_cuda_ok fidcpp_fake_cuda_wrong_id
                 fidcpp_fake_cuda_wrong_abi)
# .npz image batches (ADM sample format) against the same images as PNG files; clean-fid / ADM statistics.
fidcpp_test(NAME test_cli_npz_images LABELS cli
  SOURCES cli/test_cli_npz_images.cpp mpi/scale_harness.cpp model/synthetic_weights.cpp)
target_include_directories(test_cli_npz_images PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
add_dependencies(test_cli_npz_images fidcpp_cli)
