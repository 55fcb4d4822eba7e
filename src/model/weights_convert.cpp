// Weights converter: checkpoint -> pytorch-fid names -> safetensors (docs/weights.md, docs/conventions.md
// §1.8).
#include "model/weights_convert.h"

#include <map>
#include <sstream>

#include "core/sha256.h"
#include "io/safetensors.h"
#include "io/torch_archive.h"
#include "model/inception_table.h"
#include "model/weights_file.h"

namespace fidcpp {

const char* weights_naming_name(WeightsNaming n) {
  return n == WeightsNaming::kPytorchFid ? "pytorch-fid" : "NVIDIA TorchScript";
}

namespace {

// TF scope names inside each Inception block type (docs/conventions.md §1.8.3; NVIDIA keeps them, §1.8.4, and
// flattens the E blocks' nested scopes with '_').
struct BranchMap {
  const char* branch;
  const char* scope;
};
const BranchMap kBlockA[] = {{"branch1x1", "conv"},
                             {"branch5x5_1", "tower.conv"},
                             {"branch5x5_2", "tower.conv_1"},
                             {"branch3x3dbl_1", "tower_1.conv"},
                             {"branch3x3dbl_2", "tower_1.conv_1"},
                             {"branch3x3dbl_3", "tower_1.conv_2"},
                             {"branch_pool", "tower_2.conv"}};
const BranchMap kBlockB[] = {{"branch3x3", "conv"},
                             {"branch3x3dbl_1", "tower.conv"},
                             {"branch3x3dbl_2", "tower.conv_1"},
                             {"branch3x3dbl_3", "tower.conv_2"}};
const BranchMap kBlockC[] = {{"branch1x1", "conv"},
                             {"branch7x7_1", "tower.conv"},
                             {"branch7x7_2", "tower.conv_1"},
                             {"branch7x7_3", "tower.conv_2"},
                             {"branch7x7dbl_1", "tower_1.conv"},
                             {"branch7x7dbl_2", "tower_1.conv_1"},
                             {"branch7x7dbl_3", "tower_1.conv_2"},
                             {"branch7x7dbl_4", "tower_1.conv_3"},
                             {"branch7x7dbl_5", "tower_1.conv_4"},
                             {"branch_pool", "tower_2.conv"}};
const BranchMap kBlockD[] = {{"branch3x3_1", "tower.conv"},       {"branch3x3_2", "tower.conv_1"},
                             {"branch7x7x3_1", "tower_1.conv"},   {"branch7x7x3_2", "tower_1.conv_1"},
                             {"branch7x7x3_3", "tower_1.conv_2"}, {"branch7x7x3_4", "tower_1.conv_3"}};
const BranchMap kBlockE[] = {{"branch1x1", "conv"},
                             {"branch3x3_1", "tower_conv"},
                             {"branch3x3_2a", "tower_mixed_conv"},
                             {"branch3x3_2b", "tower_mixed_conv_1"},
                             {"branch3x3dbl_1", "tower_1_conv"},
                             {"branch3x3dbl_2", "tower_1_conv_1"},
                             {"branch3x3dbl_3a", "tower_1_mixed_conv"},
                             {"branch3x3dbl_3b", "tower_1_mixed_conv_1"},
                             {"branch_pool", "tower_2_conv"}};

struct BlockMap {
  const char* block;
  const char* scope;
  const BranchMap* branches;
  size_t n;
};
#define FIDCPP_BLOCK(b, s, t) \
  { b, s, t, sizeof(t) / sizeof(t[0]) }
const BlockMap kBlocks[] = {
    FIDCPP_BLOCK("Mixed_5b", "mixed", kBlockA),    FIDCPP_BLOCK("Mixed_5c", "mixed_1", kBlockA),
    FIDCPP_BLOCK("Mixed_5d", "mixed_2", kBlockA),  FIDCPP_BLOCK("Mixed_6a", "mixed_3", kBlockB),
    FIDCPP_BLOCK("Mixed_6b", "mixed_4", kBlockC),  FIDCPP_BLOCK("Mixed_6c", "mixed_5", kBlockC),
    FIDCPP_BLOCK("Mixed_6d", "mixed_6", kBlockC),  FIDCPP_BLOCK("Mixed_6e", "mixed_7", kBlockC),
    FIDCPP_BLOCK("Mixed_7a", "mixed_8", kBlockD),  FIDCPP_BLOCK("Mixed_7b", "mixed_9", kBlockE),
    FIDCPP_BLOCK("Mixed_7c", "mixed_10", kBlockE),
};
#undef FIDCPP_BLOCK
const BranchMap kStem[] = {{"Conv2d_1a_3x3", "conv"},
                           {"Conv2d_2a_3x3", "conv_1"},
                           {"Conv2d_2b_3x3", "conv_2"},
                           {"Conv2d_3b_1x1", "conv_3"},
                           {"Conv2d_4a_3x3", "conv_4"}};

// NVIDIA per-layer tensor -> pytorch-fid BasicConv2d tensor.
const BranchMap kNvidiaSuffix[] = {
    {"conv.weight", "weight"}, {"bn.bias", "beta"}, {"bn.running_mean", "mean"}, {"bn.running_var", "var"}};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The prefix in front of every key (e.g. "module." or "net.layers."), found from a key that only this naming
// has.
bool find_prefix(const TensorMap& src, const std::string& anchor, std::string* prefix) {
  for (const auto& kv : src.tensors)
    if (ends_with(kv.first, anchor) &&
        (kv.first.size() == anchor.size() || kv.first[kv.first.size() - anchor.size() - 1] == '.')) {
      *prefix = kv.first.substr(0, kv.first.size() - anchor.size());
      return true;
    }
  return false;
}

}  // namespace

std::string nvidia_scope_for(const std::string& p) {
  for (const auto& s : kStem)
    if (p == s.branch) return s.scope;
  for (const auto& b : kBlocks) {
    const std::string head = std::string(b.block) + ".";
    if (p.compare(0, head.size(), head) != 0) continue;
    const std::string branch = p.substr(head.size());
    for (size_t i = 0; i < b.n; ++i)
      if (branch == b.branches[i].branch) return std::string(b.scope) + "." + b.branches[i].scope;
  }
  return "";
}

Result<TensorMap> map_to_inception_names(const TensorMap& src, WeightsNaming* naming_out) {
  std::string prefix;
  WeightsNaming naming;
  if (find_prefix(src, "Mixed_7c.branch_pool.conv.weight", &prefix)) {
    naming = WeightsNaming::kPytorchFid;
  } else if (find_prefix(src, "mixed_10.tower_2_conv.weight", &prefix)) {
    naming = WeightsNaming::kNvidia;
  } else {
    return bad_input(
        "checkpoint has neither pytorch-fid names (e.g. 'Mixed_7c.branch_pool.conv.weight') nor "
        "NVIDIA names (e.g. 'layers.mixed_10.tower_2_conv.weight'); is it the FID Inception?");
  }
  if (naming_out) *naming_out = naming;
  const bool has_fc = src.find(prefix + "fc.weight") != nullptr || src.find(prefix + "fc.bias") != nullptr;
  std::map<std::string, std::string> source_of;  // pytorch-fid name -> source name ("" = ones)
  for (const auto& spec : inception_param_specs(has_fc)) {
    if (naming == WeightsNaming::kPytorchFid) {
      source_of[spec.name] = prefix + spec.name;
      continue;
    }
    const std::string unit = spec.name.substr(0, spec.name.rfind('.', spec.name.rfind('.') - 1));
    const std::string tail = spec.name.substr(unit.size() + 1);
    if (tail == "bn.weight") {
      source_of[spec.name] = "";
      continue;
    }
    const std::string scope = nvidia_scope_for(unit);
    if (scope.empty()) return internal_error("no NVIDIA scope for '" + unit + "'");
    for (const auto& s : kNvidiaSuffix)
      if (tail == s.branch) source_of[spec.name] = prefix + scope + "." + s.scope;
  }
  std::map<std::string, bool> used;
  for (const auto& kv : src.tensors) used[kv.first] = false;
  std::vector<std::string> missing;
  TensorMap out;
  const std::vector<ParamSpec> specs = inception_param_specs(has_fc);
  for (const auto& spec : specs) {
    const std::string& from = source_of.at(spec.name);
    HostTensor t;
    t.shape = spec.shape;
    if (from.empty()) {
      t.owned.assign(static_cast<size_t>(spec.shape[0]), 1.0f);
      t.data = t.owned.data();
    } else {
      const HostTensor* s = src.find(from);
      if (!s) {
        missing.push_back(from);
        continue;
      }
      used[from] = true;
      if (s->shape != spec.shape)
        return bad_input("tensor '" + from + "' (for '" + spec.name + "') has shape " +
                         shape_to_string(s->shape) + ", expected " + shape_to_string(spec.shape));
      t.data = s->data;
    }
    out.tensors.emplace(spec.name, std::move(t));
  }
  std::vector<std::string> unknown;
  for (const auto& kv : used)
    if (!kv.second) unknown.push_back(kv.first);
  if (!missing.empty())
    return bad_input(std::string(weights_naming_name(naming)) + " checkpoint is missing tensor" +
                     (missing.size() > 1 ? "s " : " ") + tensor_name_list(missing));
  if (!unknown.empty())
    return bad_input(std::string(weights_naming_name(naming)) + " checkpoint has unexpected tensor" +
                     (unknown.size() > 1 ? "s " : " ") + tensor_name_list(unknown) +
                     " (not part of the FID Inception)");
  out.keepalive = src.keepalive;
  return out;
}

Result<WeightsConvertReport> convert_weights(const std::string& src, const std::string& dst,
                                             Overwrite overwrite, const std::string& manifest_path) {
  if (overwrite == Overwrite::kRefuse && file_exists(dst))
    return invalid_argument("'" + dst + "' already exists (use --force to overwrite)");
  WeightsConvertReport r;
  FIDCPP_ASSIGN_OR_RETURN(r.source_sha256, sha256_file_hex(src));
  FIDCPP_ASSIGN_OR_RETURN(TorchCheckpoint ck, read_torch_checkpoint(src));
  r.source_format = torch_format_name(ck.format);
  r.skipped = ck.skipped;
  WeightsNaming naming;
  Result<TensorMap> mapped = map_to_inception_names(ck.tensors, &naming);
  if (!mapped.ok()) return mapped.status().with_context("'" + src + "'");
  TensorMap out = std::move(mapped).value();
  r.naming = weights_naming_name(naming);
  r.has_fc = weights_have_fc(out);
  r.tensors = out.tensors.size();
  std::string base = src.substr(src.find_last_of('/') == std::string::npos ? 0 : src.find_last_of('/') + 1);
  out.metadata = {{"format", kWeightsFormatName},
                  {"format_version", kWeightsFormatVersion},
                  {"source_file", base},
                  {"source_sha256", r.source_sha256},
                  {"has_fc", r.has_fc ? "true" : "false"}};
  Status valid = validate_inception_weights(out, "'" + src + "'");
  if (!valid.ok()) return bad_input(valid.message());
  FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, encode_safetensors(out));
  r.output_sha256 = sha256_hex(bytes.data(), bytes.size());
  if (!manifest_path.empty() && file_exists(manifest_path)) {
    FIDCPP_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, read_weights_manifest(manifest_path));
    for (const auto& e : entries)
      if (e.kind == "source" && e.sha256 == r.source_sha256) r.known_source = e.name;
  }
  FIDCPP_RETURN_IF_ERROR(write_file_atomic(dst, bytes.data(), bytes.size(), overwrite));
  std::ostringstream os;
  os << "source: " << src << " (" << r.source_format << ", " << r.naming << " names"
     << (r.known_source.empty() ? "" : ", known as " + r.known_source) << ")\n";
  os << "source sha256: " << r.source_sha256 << "\n";
  os << "wrote: " << dst << " (" << r.tensors << " tensors, " << bytes.size() << " bytes, "
     << (r.has_fc ? "with fc" : "no fc: FID/KID/PRC only, no IS") << ")\n";
  if (naming == WeightsNaming::kNvidia) os << "note: BN gamma absent in the source; bn.weight written as 1\n";
  if (!r.skipped.empty()) os << "ignored: " << r.skipped.size() << " num_batches_tracked tensors\n";
  os << "sha256: " << r.output_sha256 << "\n";
  r.text = os.str();
  return r;
}

}  // namespace fidcpp
