// The status -> exit code map shared by the commands (exit_codes.h).
#include "cli/exit_codes.h"

namespace fidcpp_cli {

int exit_code_for(fidcpp_status s, ExitRole role) {
  const bool weights_file = role == ExitRole::kWeightsFile;
  switch (s) {
    case FIDCPP_STATUS_OK:
      return kExitOk;
    case FIDCPP_STATUS_INVALID_ARGUMENT:
    case FIDCPP_STATUS_OUT_OF_MEMORY:  // in practice an input over a size limit (image pixels, zip member)
      return kExitBadInput;
    case FIDCPP_STATUS_BAD_INPUT:
    case FIDCPP_STATUS_IO_ERROR:
    case FIDCPP_STATUS_NOT_FOUND:
      return weights_file ? kExitWeights : kExitBadInput;
    case FIDCPP_STATUS_WEIGHTS:
      return kExitWeights;
    case FIDCPP_STATUS_UNSUPPORTED:  // for a weights file: a checkpoint format the reader does not know
      return weights_file ? kExitWeights : kExitUnsupported;
    default:
      return kExitInternal;
  }
}

}  // namespace fidcpp_cli
