// --mode and --device values from the library's tables of names (named_values.h).
#include "cli/named_values.h"

#include <vector>

namespace fidcpp_cli {

namespace {

// Every name of an enum whose values count from 0 (the name functions return NULL past the last).
template <class Enum>
std::vector<std::string> all_names(const char* (*name_of)(Enum)) {
  std::vector<std::string> names;
  for (int i = 0;; ++i) {
    const char* n = name_of(static_cast<Enum>(i));
    if (!n) return names;
    names.push_back(n);
  }
}

std::string or_list(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return text;
}

}  // namespace

std::optional<fidcpp_mode> parse_mode(const std::string& name) {
  fidcpp_mode m;
  if (fidcpp_mode_from_name(name.c_str(), &m) != FIDCPP_STATUS_OK) return std::nullopt;
  return m;
}

std::optional<fidcpp_device> parse_device(const std::string& name) {
  fidcpp_device d;
  if (fidcpp_device_from_name(name.c_str(), &d) != FIDCPP_STATUS_OK) return std::nullopt;
  return d;
}

std::string mode_names_text() {
  return or_list(all_names(&fidcpp_mode_name));
}

std::string device_names_text() {
  return or_list(all_names(&fidcpp_device_name));
}

}  // namespace fidcpp_cli
