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
# The CUDA module's loader (src/backend/cuda_module.h): the id a module must carry, and where an installed one
# lives relative to the binary and absolutely.
set_source_files_properties(src/backend_registry.cpp PROPERTIES COMPILE_DEFINITIONS
  "FIDCPP_BUILD_ID=\"${FIDCPP_BUILD_ID}\";FIDCPP_INSTALL_LIBDIR=\"${CMAKE_INSTALL_LIBDIR}\";FIDCPP_INSTALL_FULL_LIBDIR=\"${CMAKE_INSTALL_FULL_LIBDIR}\"")
