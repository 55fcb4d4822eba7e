// `fidcpp bench`: throughput of the network on synthetic images and the cost of the metrics.
#pragma once

namespace fidcpp {

// argv[0] is "bench". Exit codes: 0 ok, 2 usage error, 4 missing or bad weights, 5 internal error, 6 device
// unsupported on this build/machine.
int cmd_bench(int argc, char** argv);

}  // namespace fidcpp
