set(FIDCPP_TOP_SOURCES
  src/evaluator.cpp
  src/evaluator_batching.cpp
  src/evaluator_inputs.cpp
  src/evaluator_cache.cpp
  src/c_api.cpp
  src/cache.cpp
  src/device_kind.cpp
  src/backend_registry.cpp
  src/library_tools.cpp
)
# Where the evaluator looks for the default weights file (after $FIDCPP_WEIGHTS).
set_source_files_properties(src/evaluator.cpp PROPERTIES COMPILE_DEFINITIONS
  "FIDCPP_SOURCE_WEIGHTS_DIR=\"${PROJECT_SOURCE_DIR}/weights\";FIDCPP_INSTALL_WEIGHTS_DIR=\"${CMAKE_INSTALL_FULL_DATADIR}/fidcpp\"")
