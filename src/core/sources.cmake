set(FIDCPP_CORE_SOURCES
  src/core/status.cpp
  src/core/parallel.cpp
  src/core/file.cpp
)
