// Loading, checking, listing and verifying the fidcpp weights file (weights/FORMAT.md, docs/weights.md).
#include "model/weights_file.h"

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/file.h"
#include "core/sha256.h"
#include "io/safetensors.h"
#include "model/inception_table.h"

namespace fidcpp {

std::string tensor_name_list(const std::vector<std::string>& names) {
  std::string s;
  const size_t shown = std::min<size_t>(names.size(), 8);
  for (size_t i = 0; i < shown; ++i) s += (i ? ", '" : "'") + names[i] + "'";
  if (names.size() > shown) s += " and " + std::to_string(names.size() - shown) + " more";
  return s;
}

bool weights_have_fc(const TensorMap& w) {
  return w.find("fc.weight") != nullptr && w.find("fc.bias") != nullptr;
}

Status validate_inception_weights(const TensorMap& w, const std::string& what) {
  auto meta = [&](const char* key) -> const std::string* {
    auto it = w.metadata.find(key);
    return it == w.metadata.end() ? nullptr : &it->second;
  };
  const std::string* format = meta("format");
  if (!format || *format != kWeightsFormatName)
    return weights_error(what + ": metadata 'format' is " +
                         (format ? "'" + *format + "'" : std::string("missing")) + ", expected '" +
                         kWeightsFormatName + "' (convert the file with 'fidcpp weights convert')");
  const std::string* version = meta("format_version");
  if (!version || *version != kWeightsFormatVersion)
    return weights_error(what + ": metadata 'format_version' is " +
                         (version ? "'" + *version + "'" : std::string("missing")) + ", expected '" +
                         kWeightsFormatVersion + "'");
  const bool fc_w = w.find("fc.weight") != nullptr, fc_b = w.find("fc.bias") != nullptr;
  if (fc_w != fc_b)
    return weights_error(what + ": has '" + (fc_w ? "fc.weight" : "fc.bias") + "' without '" +
                         (fc_w ? "fc.bias" : "fc.weight") + "' (the fc layer must be complete or absent)");
  if (const std::string* has_fc = meta("has_fc")) {
    if (*has_fc != "true" && *has_fc != "false")
      return weights_error(what + ": metadata 'has_fc' is '" + *has_fc + "', expected 'true' or 'false'");
    if ((*has_fc == "true") != fc_w)
      return weights_error(what + ": metadata 'has_fc' is '" + *has_fc + "' but the fc tensors are " +
                           (fc_w ? "present" : "absent"));
  }
  const std::vector<ParamSpec> specs = inception_param_specs(fc_w);
  std::map<std::string, const ParamSpec*> expected;
  for (const auto& s : specs) expected[s.name] = &s;
  std::vector<std::string> unknown, missing;
  for (const auto& kv : w.tensors)
    if (!expected.count(kv.first)) unknown.push_back(kv.first);
  for (const auto& s : specs)
    if (!w.find(s.name)) missing.push_back(s.name);
  if (!unknown.empty())
    return weights_error(what + ": unknown tensor" + (unknown.size() > 1 ? "s " : " ") +
                         tensor_name_list(unknown));
  if (!missing.empty())
    return weights_error(what + ": missing tensor" + (missing.size() > 1 ? "s " : " ") +
                         tensor_name_list(missing));
  for (const auto& s : specs) {
    const HostTensor& t = *w.find(s.name);
    if (t.shape != s.shape)
      return weights_error(what + ": tensor '" + s.name + "' has shape " + shape_to_string(t.shape) +
                           ", expected " + shape_to_string(s.shape));
  }
  for (const auto& s : specs) {
    const HostTensor& t = *w.find(s.name);
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i)
      if (!std::isfinite(t.data[i]))
        return weights_error(what + ": tensor '" + s.name + "' holds a non-finite value (" +
                             std::to_string(t.data[i]) + ") at flat index " + std::to_string(i));
    w.drop(t);  // read once here, again when folded: never the whole file resident
  }
  return Status();
}

Result<TensorMap> load_inception_weights(const std::string& path) {
  const std::string what = "weights '" + path + "'";
  if (!file_exists(path))
    return not_found(what + ": no such file (run tools/fetch_weights.sh or 'fidcpp weights convert')");
  Result<TensorMap> m = read_safetensors(path);
  if (!m.ok()) {
    if (m.status().code() == StatusCode::kNotFound || m.status().code() == StatusCode::kIoError)
      return m.status();
    return weights_error("weights: " + m.status().message());
  }
  FIDCPP_RETURN_IF_ERROR(validate_inception_weights(*m, what));
  return m;
}

Result<std::string> inspect_weights_file(const std::string& path) {
  FIDCPP_ASSIGN_OR_RETURN(MappedFile f, MappedFile::open(path));
  SafetensorsOptions opt;
  opt.skip_non_f32 = true;
  Result<SafetensorsHeader> h = parse_safetensors_header(f.data(), f.size(), "'" + path + "'", opt);
  if (!h.ok()) return weights_error("weights: " + h.status().message());
  std::ostringstream os;
  os << "file: " << path << " (" << f.size() << " bytes)\n";
  os << "metadata:\n";
  if (h->metadata.empty()) os << "  (none)\n";
  for (const auto& kv : h->metadata) os << "  " << kv.first << " = " << kv.second << "\n";
  uint64_t total = 0;
  std::map<std::string, const SafetensorsEntry*> sorted;
  for (const auto& e : h->entries) sorted[e.name] = &e;
  os << "tensors: " << sorted.size() << "\n";
  for (const auto& kv : sorted) {
    const SafetensorsEntry& e = *kv.second;
    uint64_t n = 1;
    for (int64_t d : e.shape) n *= static_cast<uint64_t>(d);
    total += n;
    os << "  " << e.name << "  " << e.dtype << " " << shape_to_string(e.shape) << "  " << n << "\n";
  }
  os << "elements: " << total << "\n";
  Result<TensorMap> m = load_inception_weights(path);
  os << "check: "
     << (m.ok() ? std::string("valid fidcpp Inception weights") +
                      (weights_have_fc(*m) ? " (with fc)" : " (no fc)")
                : m.status().message())
     << "\n";
  return os.str();
}

Result<std::vector<ManifestEntry>> read_weights_manifest(const std::string& path) {
  FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path, 1 << 20));
  std::vector<ManifestEntry> out;
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream ls(line);
    ManifestEntry e;
    std::string bytes_text;
    if (!(ls >> e.kind)) continue;
    if (!(ls >> e.name >> bytes_text >> e.sha256 >> e.sha1) ||
        (e.kind != "source" && e.kind != "converted") || e.sha256.size() != 64 ||
        bytes_text.find_first_not_of("0123456789") != std::string::npos)
      return bad_input("manifest '" + path + "' line " + std::to_string(lineno) +
                       ": expected '<source|converted> <name> <bytes> <sha256> <sha1 or ->'");
    e.bytes = std::stoull(bytes_text);
    if (e.sha1 == "-") e.sha1.clear();
    out.push_back(std::move(e));
  }
  return out;
}

Result<WeightsVerifyReport> verify_weights_file(const std::string& path, const std::string& manifest_path) {
  FIDCPP_ASSIGN_OR_RETURN(TensorMap m, load_inception_weights(path));
  WeightsVerifyReport r;
  r.has_fc = weights_have_fc(m);
  FIDCPP_ASSIGN_OR_RETURN(r.sha256, sha256_file_hex(path));
  std::string manifest_note = "no manifest given";
  if (!manifest_path.empty()) {
    if (!file_exists(manifest_path)) {
      manifest_note = "manifest '" + manifest_path + "' not found";
    } else {
      FIDCPP_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, read_weights_manifest(manifest_path));
      manifest_note = "checked against '" + manifest_path + "'";
      for (const auto& e : entries)
        if (e.kind == "converted" && e.sha256 == r.sha256) {
          r.known = true;
          r.known_as = e.name;
        }
    }
  }
  std::ostringstream os;
  os << "file: " << path << "\n";
  os << "structure: ok (" << m.tensors.size() << " tensors, "
     << (r.has_fc ? "with fc" : "no fc: FID/KID/PRC only, no IS") << ")\n";
  for (const char* k : {"source_file", "source_sha256"}) {
    auto it = m.metadata.find(k);
    if (it != m.metadata.end()) os << k << ": " << it->second << "\n";
  }
  os << "sha256: " << r.sha256 << "\n";
  os << "known: " << (r.known ? "yes (" + r.known_as + ")" : std::string("no")) << " [" << manifest_note
     << "]\n";
  r.text = os.str();
  return r;
}

}  // namespace fidcpp
