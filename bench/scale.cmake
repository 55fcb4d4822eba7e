# bench_scale: merge cost of 2048-d statistics (tools/bench_scale.sh; docs/scaling.md).
add_executable(bench_scale bench_scale.cpp)
target_include_directories(bench_scale PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(bench_scale PRIVATE ${FIDCPP_WARNINGS})
target_link_libraries(bench_scale PRIVATE fidcpp benchmark::benchmark)
