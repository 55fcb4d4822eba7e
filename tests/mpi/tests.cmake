# MPI runs of the CLI on this machine (loopback): 1, 2 and 4 ranks give the single run's statistics and
# metrics (issue #9; docs/scaling.md). Only in builds with FIDCPP_MPI (tools/run_tests.sh turns it on).
if(FIDCPP_HAVE_MPI)
  fidcpp_test(NAME test_mpi LABELS mpi SOURCES mpi/test_mpi.cpp mpi/scale_harness.cpp model/synthetic_weights.cpp)
  target_include_directories(test_mpi PRIVATE ${PROJECT_SOURCE_DIR}/tests/model ${PROJECT_SOURCE_DIR}/tests/api)
  target_compile_definitions(test_mpi PRIVATE FIDCPP_MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(test_mpi fidcpp_cli)
endif()
