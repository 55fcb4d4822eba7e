set(FIDCPP_CLI_SOURCES
  src/cli/main.cpp
  src/cli/cmd_weights.cpp
)
