set(FIDCPP_CLI_SOURCES
  src/cli/main.cpp
  src/cli/cmd_weights.cpp
  src/cli/cmd_bench.cpp
  src/cli/plot_svg.cpp
  src/cli/exit_codes.cpp
  src/cli/named_values.cpp
)
