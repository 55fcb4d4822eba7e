// `fidcpp weights convert|inspect|verify|fetch`: the weights subcommands.
#pragma once

namespace fidcpp {

// argv[0] is "weights". Exit codes: 0 ok, 2 usage error, 3 bad input (e.g. an unreadable source checkpoint),
// 4 missing or bad weights, 5 internal error.
int cmd_weights(int argc, char** argv);

}  // namespace fidcpp
