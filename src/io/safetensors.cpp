// safetensors reader/writer. Validation order (fixed, so each damage gives one predictable message):
// size, header length, JSON, metadata, per-entry fields, byte counts, bounds, overlaps, dtypes.
#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "io/json.h"
#include "io/little_endian.h"

namespace fidcpp {

int safetensors_dtype_size(const std::string& d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2") return 1;
  return 0;
}

namespace {

Status entry_error(const std::string& what, const std::string& name, const std::string& m) {
  return bad_input(what + ": tensor '" + name + "' " + m);
}

Result<SafetensorsEntry> parse_entry(const std::string& what, const std::string& name, const JsonValue& v,
                                     uint64_t data_size) {
  SafetensorsEntry e;
  e.name = name;
  if (v.type != JsonValue::Type::kObject) return entry_error(what, name, "is not a JSON object");
  for (const auto& kv : v.object)
    if (kv.first != "dtype" && kv.first != "shape" && kv.first != "data_offsets")
      return entry_error(what, name, "has an unknown field \"" + kv.first + "\"");
  const JsonValue* dtype = v.get("dtype");
  const JsonValue* shape = v.get("shape");
  const JsonValue* offs = v.get("data_offsets");
  if (!dtype || !shape || !offs)
    return entry_error(what, name, "needs the fields dtype, shape and data_offsets");
  if (dtype->type != JsonValue::Type::kString) return entry_error(what, name, "has a non-string dtype");
  e.dtype = dtype->string;
  const int elem = safetensors_dtype_size(e.dtype);
  if (elem == 0) return entry_error(what, name, "has unknown dtype '" + e.dtype + "'");
  if (shape->type != JsonValue::Type::kArray)
    return entry_error(what, name, "has a shape that is not an array");
  if (shape->array.size() > 16) return entry_error(what, name, "has more than 16 dimensions");
  uint64_t numel = 1;
  bool overflow = false;
  for (const auto& d : shape->array) {
    if (d.type != JsonValue::Type::kNumber || !d.is_integer || d.integer < 0)
      return entry_error(what, name, "has a shape entry that is not a non-negative integer");
    e.shape.push_back(d.integer);
    uint64_t u = static_cast<uint64_t>(d.integer);
    if (u != 0 && numel > UINT64_MAX / u) overflow = true;
    numel *= u;
  }
  if (offs->type != JsonValue::Type::kArray || offs->array.size() != 2)
    return entry_error(what, name, "has data_offsets that are not [begin, end]");
  for (const auto& o : offs->array)
    if (o.type != JsonValue::Type::kNumber || !o.is_integer || o.integer < 0)
      return entry_error(what, name, "has data_offsets that are not non-negative integers");
  e.begin = static_cast<uint64_t>(offs->array[0].integer);
  e.end = static_cast<uint64_t>(offs->array[1].integer);
  if (e.begin > e.end) return entry_error(what, name, "has data_offsets with begin > end");
  if (overflow || numel > UINT64_MAX / elem || numel * elem != e.end - e.begin)
    return entry_error(what, name,
                       "has " + std::to_string(e.end - e.begin) + " data bytes, expected " +
                           (overflow ? std::string("an impossible size") : std::to_string(numel * elem)) +
                           " for " + e.dtype + " " + shape_to_string(e.shape));
  if (e.end > data_size)
    return entry_error(what, name,
                       "has data_offsets [" + std::to_string(e.begin) + "," + std::to_string(e.end) +
                           "] beyond the data region of " + std::to_string(data_size) + " bytes");
  return e;
}

}  // namespace

Result<SafetensorsHeader> parse_safetensors_header(const uint8_t* data, size_t size, const std::string& what,
                                                   const SafetensorsOptions& options) {
  if (size < 8)
    return bad_input(what + ": " + std::to_string(size) +
                     " bytes is too small for a safetensors file (needs 8+)");
  const uint64_t n = load_le64(data);
  if (n > options.max_header_bytes)
    return bad_input(what + ": header length " + std::to_string(n) + " exceeds the limit of " +
                     std::to_string(options.max_header_bytes) + " bytes (not a safetensors file?)");
  if (n > size - 8)
    return bad_input(what + ": header length " + std::to_string(n) + " goes beyond the end of the " +
                     std::to_string(size) + "-byte file (truncated?)");
  SafetensorsHeader h;
  h.data_start = 8 + n;
  h.data_size = size - h.data_start;
  FIDCPP_ASSIGN_OR_RETURN(JsonValue root, parse_json(reinterpret_cast<const char*>(data + 8),
                                                     static_cast<size_t>(n), what + " header"));
  if (root.type != JsonValue::Type::kObject) return bad_input(what + ": header is not a JSON object");
  for (const auto& kv : root.object) {
    if (kv.first == "__metadata__") {
      if (kv.second.type != JsonValue::Type::kObject)
        return bad_input(what + ": __metadata__ is not an object");
      for (const auto& m : kv.second.object) {
        if (m.second.type != JsonValue::Type::kString)
          return bad_input(what + ": __metadata__ entry '" + m.first + "' is a " +
                           json_type_name(m.second.type) + ", expected a string");
        h.metadata[m.first] = m.second.string;
      }
      continue;
    }
    FIDCPP_ASSIGN_OR_RETURN(SafetensorsEntry e, parse_entry(what, kv.first, kv.second, h.data_size));
    h.entries.push_back(std::move(e));
  }
  std::vector<const SafetensorsEntry*> by_begin;
  for (const auto& e : h.entries)
    if (e.end > e.begin) by_begin.push_back(&e);
  std::sort(by_begin.begin(), by_begin.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->name < b->name;
  });
  for (size_t i = 1; i < by_begin.size(); ++i)
    if (by_begin[i]->begin < by_begin[i - 1]->end)
      return bad_input(what + ": tensors '" + by_begin[i - 1]->name + "' and '" + by_begin[i]->name +
                       "' overlap in the data region");
  return h;
}

Result<TensorMap> parse_safetensors(const uint8_t* data, size_t size, const std::string& what,
                                    const SafetensorsOptions& options) {
  if (!host_is_little_endian()) return unsupported("safetensors: big-endian hosts are not supported");
  FIDCPP_ASSIGN_OR_RETURN(SafetensorsHeader h, parse_safetensors_header(data, size, what, options));
  TensorMap m;
  m.metadata = h.metadata;
  for (const auto& e : h.entries) {
    if (e.dtype != "F32") {
      if (options.skip_non_f32) continue;
      return unsupported(what + ": tensor '" + e.name + "' has dtype " + e.dtype + ", expected F32");
    }
    HostTensor t;
    t.shape = e.shape;
    const uint8_t* p = data + h.data_start + e.begin;
    if (reinterpret_cast<uintptr_t>(p) % alignof(float) != 0) {
      t.owned.resize(static_cast<size_t>((e.end - e.begin) / 4));
      // An empty tensor leaves owned.data() null, which memcpy must not get (found by fuzz_safetensors).
      if (e.end > e.begin) std::memcpy(t.owned.data(), p, static_cast<size_t>(e.end - e.begin));
      t.data = t.owned.data();
    } else {
      t.data = reinterpret_cast<const float*>(p);
    }
    m.tensors.emplace(e.name, std::move(t));
  }
  return m;
}

Result<TensorMap> read_safetensors(const std::string& path, const SafetensorsOptions& options) {
  FIDCPP_ASSIGN_OR_RETURN(MappedFile f, MappedFile::open(path));
  auto owner = std::make_shared<MappedFile>(std::move(f));
  FIDCPP_ASSIGN_OR_RETURN(TensorMap m,
                          parse_safetensors(owner->data(), owner->size(), "'" + path + "'", options));
  m.keepalive = owner;
  m.mapped = owner.get();
  return m;
}

Result<std::vector<uint8_t>> encode_safetensors(const TensorMap& map) {
  if (!host_is_little_endian()) return unsupported("safetensors: big-endian hosts are not supported");
  std::string header = "{";
  if (!map.metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& kv : map.metadata) {
      if (!first) header += ',';
      first = false;
      append_json_string(header, kv.first);
      header += ':';
      append_json_string(header, kv.second);
    }
    header += '}';
  }
  uint64_t offset = 0;
  for (const auto& kv : map.tensors) {
    if (kv.first == "__metadata__")
      return invalid_argument("safetensors: a tensor cannot be named __metadata__");
    const HostTensor& t = kv.second;
    for (int64_t d : t.shape)
      if (d < 0) return invalid_argument("safetensors: tensor '" + kv.first + "' has a negative dimension");
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * 4;
    if (bytes > 0 && t.data == nullptr)
      return invalid_argument("safetensors: tensor '" + kv.first + "' has no data");
    if (header.size() > 1) header += ',';
    append_json_string(header, kv.first);
    header += ":{\"dtype\":\"F32\",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i) header += (i ? "," : "") + std::to_string(t.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += '}';
  // Spaces are JSON whitespace; padding keeps the data region 8-byte aligned for readers that map the file.
  while (header.size() % 8 != 0) header += ' ';
  std::vector<uint8_t> out;
  try {
    out.reserve(8 + header.size() + offset);
  } catch (const std::bad_alloc&) {
    return out_of_memory("safetensors: cannot allocate " + std::to_string(offset) + " bytes");
  }
  put_le64(out, header.size());
  out.insert(out.end(), header.begin(), header.end());
  for (const auto& kv : map.tensors) {
    const auto* p = reinterpret_cast<const uint8_t*>(kv.second.data);
    out.insert(out.end(), p, p + kv.second.numel() * 4);
  }
  return out;
}

Status write_safetensors(const std::string& path, const TensorMap& map, Overwrite overwrite) {
  FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, encode_safetensors(map));
  return write_file_atomic(path, bytes.data(), bytes.size(), overwrite);
}

}  // namespace fidcpp
