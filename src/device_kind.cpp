// The devices' names (device_kind.h).
#include "device_kind.h"

namespace fidcpp {

namespace {

struct DeviceName {
  DeviceKind device;
  const char* name;
};
constexpr DeviceName kDeviceNames[] = {
    {DeviceKind::kCpu, "cpu"},
    {DeviceKind::kCuda, "cuda"},
    {DeviceKind::kAuto, "auto"},
};

}  // namespace

const char* device_kind_name(DeviceKind device) {
  for (const DeviceName& d : kDeviceNames)
    if (d.device == device) return d.name;
  return nullptr;
}

Result<DeviceKind> parse_device_kind(const std::string& name) {
  std::string all;
  for (const DeviceName& d : kDeviceNames) {
    if (name == d.name) return d.device;
    all += all.empty() ? "" : ", ";
    all += d.name;
  }
  return invalid_argument("unknown device '" + name + "' (expected one of: " + all + ")");
}

Result<DeviceKind> device_kind_from_value(int value) {
  for (const DeviceName& d : kDeviceNames)
    if (static_cast<int>(d.device) == value) return d.device;
  return invalid_argument("device " + std::to_string(value) + " is not a device");
}

}  // namespace fidcpp
