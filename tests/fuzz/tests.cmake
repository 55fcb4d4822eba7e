# Fuzz corpus replay (label fuzz): every libFuzzer target's body (fuzz_<name>.cpp, built here without
# libFuzzer) runs over its seed corpus and its regression inputs, in the plain and the sanitizer builds.
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
set(FIDCPP_FUZZ_REPLAY_SOURCES fuzz/test_fuzz_replay.cpp)
foreach(name ${FIDCPP_FUZZ_TARGETS})
  list(APPEND FIDCPP_FUZZ_REPLAY_SOURCES fuzz/fuzz_${name}.cpp)
endforeach()
list(JOIN FIDCPP_FUZZ_TARGETS "," FIDCPP_FUZZ_TARGET_LIST)
fidcpp_test(NAME test_fuzz_replay LABELS fuzz SOURCES ${FIDCPP_FUZZ_REPLAY_SOURCES})
target_compile_definitions(test_fuzz_replay PRIVATE FIDCPP_FUZZ_REPLAY=1
                                                    FIDCPP_FUZZ_TARGET_LIST="${FIDCPP_FUZZ_TARGET_LIST}")
