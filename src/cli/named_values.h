// The values of --mode and --device, parsed and listed by the library's names (fidcpp_mode_name,
// fidcpp_device_name), so that the CLI spells none of them itself.
#pragma once

#include <optional>
#include <string>

#include "fidcpp/fidcpp.h"

namespace fidcpp_cli {

std::optional<fidcpp_mode> parse_mode(const std::string& name);
std::optional<fidcpp_device> parse_device(const std::string& name);

// "torch-fidelity, torchmetrics, ... or clean-fid-legacy-tf" / "cpu, cuda or auto", for messages.
std::string mode_names_text();
std::string device_names_text();

}  // namespace fidcpp_cli
