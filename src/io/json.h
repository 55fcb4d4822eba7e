// A small strict JSON parser (RFC 8259) for safetensors headers: no comments, no trailing commas, no
// duplicate keys, depth and size bounded. Object members keep their file order.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace fidcpp {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0.0;
  bool is_integer = false;  // the literal had no fraction/exponent and fits int64
  int64_t integer = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;

  const JsonValue* get(const std::string& key) const;  // objects only; null when absent
};

const char* json_type_name(JsonValue::Type t);

struct JsonLimits {
  int max_depth = 64;
};

// `what` names the document in errors ("'w.safetensors' header"); errors give the byte offset.
Result<JsonValue> parse_json(const char* text, size_t size, const std::string& what,
                             const JsonLimits& limits = {});

// Appends `s` as a JSON string literal (quotes and escapes added).
void append_json_string(std::string& out, const std::string& s);

}  // namespace fidcpp
