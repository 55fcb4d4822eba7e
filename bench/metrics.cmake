# Metrics benchmarks (included by bench/CMakeLists.txt when present): FID from 2048-d statistics, KID, PRC.
add_executable(bench_metrics ${CMAKE_CURRENT_LIST_DIR}/bench_metrics.cpp)
target_include_directories(bench_metrics PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(bench_metrics PRIVATE ${FIDCPP_WARNINGS})
target_link_libraries(bench_metrics PRIVATE fidcpp benchmark::benchmark)
