set(FIDCPP_CLI_SOURCES
  src/cli/main.cpp
)
