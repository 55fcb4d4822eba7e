// Where an evaluator runs, and the one table of the devices' names ("cpu", "cuda", "auto") from which the C
// API and the CLI take them.
#pragma once

#include <string>

#include "core/status.h"

namespace fidcpp {

// Numbered as the C API's fidcpp_device (c_api.cpp checks it), so that mapping is the identity.
enum class DeviceKind { kCpu = 0, kCuda = 1, kAuto = 2 };

// The device's name; nullptr for a value that is not a device.
const char* device_kind_name(DeviceKind device);
// Accepts exactly the names above; the error lists them.
Result<DeviceKind> parse_device_kind(const std::string& name);
// The device numbered `value`, or an error for a number that is not a device.
Result<DeviceKind> device_kind_from_value(int value);

}  // namespace fidcpp
