set(FIDCPP_CORE_SOURCES
  src/core/status.cpp
  src/core/parallel.cpp
  src/core/file.cpp
  src/core/sha256.cpp
  src/core/sha1.cpp
)
