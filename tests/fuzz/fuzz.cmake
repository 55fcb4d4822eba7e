# FIDCPP_FUZZ=ON: libFuzzer executables build/fuzz_<name>, one per reader (tools/ci_fuzz.sh builds and runs
# them). Needs clang. The readers (src/core + src/io) are compiled again into fidcpp_fuzz_io with ASan, UBSan
# and libFuzzer's coverage instrumentation; the rest of the library is not needed.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "FIDCPP_FUZZ=ON needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++ "
                      "-DCMAKE_C_COMPILER=clang")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
set(FIDCPP_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)

add_library(fidcpp_fuzz_io STATIC ${FIDCPP_CORE_SOURCES} ${FIDCPP_IO_SOURCES})
target_include_directories(fidcpp_fuzz_io PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src
                                          PRIVATE ${STB_INCLUDE_DIR})
target_compile_options(fidcpp_fuzz_io PRIVATE ${FIDCPP_WARNINGS} ${FIDCPP_FUZZ_FLAGS} -fsanitize=fuzzer-no-link)
target_link_libraries(fidcpp_fuzz_io PUBLIC Threads::Threads ${FIDCPP_CODEC_LIBS})
if(FIDCPP_MINIMAL)  # the minimal build's stb_image readers (docs/edge.md) fuzzed the same way
  target_compile_definitions(fidcpp_fuzz_io PRIVATE FIDCPP_MINIMAL=1)
endif()

add_custom_target(fuzz_targets)
foreach(name ${FIDCPP_FUZZ_TARGETS})
  add_executable(fuzz_${name} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${name}.cpp)
  target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(fuzz_${name} PRIVATE FIDCPP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_compile_options(fuzz_${name} PRIVATE ${FIDCPP_WARNINGS} ${FIDCPP_FUZZ_FLAGS} -fsanitize=fuzzer)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_${name} PRIVATE fidcpp_fuzz_io)
  set_target_properties(fuzz_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  add_dependencies(fuzz_targets fuzz_${name})
endforeach()
