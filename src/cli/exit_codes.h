// The exit codes of every `fidcpp` command (docs/cli.md "Exit codes", `fidcpp --help`), and the one map from
// a library status to them.
#pragma once

#include "fidcpp/fidcpp.h"

namespace fidcpp_cli {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;     // the command line itself is wrong (parsed by the CLI)
constexpr int kExitBadInput = 3;  // missing/empty/unreadable input, too few images, over a size limit
constexpr int kExitWeights = 4;   // missing or bad weights
constexpr int kExitInternal = 5;
constexpr int kExitUnsupported = 6;  // unsupported on this build or machine (e.g. --device cuda without GPU)

// What the failing call was reading: an input (images, statistics, an output to write) or a weights file
// (`fidcpp weights inspect|verify`), whose absence or damage is exit 4 rather than 3.
enum class ExitRole { kInput, kWeightsFile };

int exit_code_for(fidcpp_status status, ExitRole role = ExitRole::kInput);

}  // namespace fidcpp_cli
