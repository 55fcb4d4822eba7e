// `fidcpp bench`: throughput of the network on synthetic images and the cost of the metrics.
#pragma once

namespace fidcpp {

// argv[0] is "bench". Exit codes as every command's (cli/exit_codes.h).
int cmd_bench(int argc, char** argv);

}  // namespace fidcpp
