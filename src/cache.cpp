// Feature / statistics cache: key, manifest with checksums, atomic entry writes (see cache.h).
#include "cache.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <sstream>

#include "core/file.h"
#include "core/sha256.h"
#include "io/image_source.h"
#include "io/npy.h"
#include "metrics/stats_file.h"

namespace fidcpp {

namespace {

constexpr const char* kManifestMagic = "fidcpp-cache 1";
constexpr uint64_t kMaxManifestBytes = 1 << 16;
constexpr uint64_t kMaxEntryFileBytes = uint64_t(64) << 30;

Result<std::string> stat_line(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return io_error("cache key: cannot stat '" + path + "': " + std::strerror(errno));
  const long long mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return std::to_string(static_cast<long long>(st.st_size)) + "\t" + std::to_string(mtime_ns);
}

Status make_dirs(const std::string& dir) {
  if (dir.empty()) return invalid_argument("cache directory is empty");
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    prefix = dir.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return io_error("cache directory '" + dir + "': cannot create '" + prefix +
                      "': " + std::strerror(errno));
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return io_error("cache directory '" + dir + "' is not a directory");
  return Status();
}

std::string entry_path(const std::string& dir, const std::string& key, const char* suffix) {
  return dir + "/" + key + suffix;
}

}  // namespace

Result<std::string> file_identity(const std::string& path) {
  FIDCPP_ASSIGN_OR_RETURN(std::string line, stat_line(path));
  return path + "\t" + line;
}

Result<std::string> feature_cache_key(const std::string& settings, const std::vector<std::string>& files) {
  Sha256 h;
  const std::string head =
      std::string(kManifestMagic) + "\n" + settings + "\nfiles " + std::to_string(files.size()) + "\n";
  h.update(head.data(), head.size());
  std::map<std::string, std::string> archives;  // a zip's identity, stat'ed once
  for (const std::string& f : files) {
    std::string archive, member, id;
    if (split_zip_member_path(f, &archive, &member)) {
      auto it = archives.find(archive);
      if (it == archives.end()) {
        FIDCPP_ASSIGN_OR_RETURN(std::string line, stat_line(archive));
        it = archives.emplace(archive, line).first;
      }
      id = it->second;
    } else {
      FIDCPP_ASSIGN_OR_RETURN(id, stat_line(f));
    }
    const std::string line = f + "\t" + id + "\n";
    h.update(line.data(), line.size());
  }
  return h.finish_hex();
}

std::optional<CacheEntry> feature_cache_load(const std::string& dir, const std::string& key, int64_t dim,
                                             bool want_features, bool want_logits, std::string* why) {
  auto fail = [&](const std::string& w) -> std::optional<CacheEntry> {
    if (why) *why = w;
    return std::nullopt;
  };
  const std::string manifest_path = entry_path(dir, key, ".manifest");
  if (!file_exists(manifest_path)) return fail("missing");
  auto manifest = read_file(manifest_path, kMaxManifestBytes);
  if (!manifest.ok()) return fail(manifest.status().message());
  std::istringstream in(std::string(manifest->begin(), manifest->end()));
  std::string line;
  if (!std::getline(in, line) || line != kManifestMagic) return fail("'" + manifest_path + "': bad header");
  CacheEntry e;
  std::string mkey;
  long long mdim = -1;
  std::map<std::string, std::pair<uint64_t, std::string>> sums;  // file suffix -> (size, sha256)
  bool end_seen = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string field;
    ls >> field;
    if (field == "key") {
      ls >> mkey;
    } else if (field == "dim") {
      ls >> mdim;
    } else if (field == "count") {
      ls >> e.count;
    } else if (field == "skipped") {
      ls >> e.skipped;
    } else if (field == "file") {
      std::string name, sha;
      uint64_t size = 0;
      ls >> name >> size >> sha;
      sums[name] = {size, sha};
    } else if (field == "end") {
      end_seen = true;
    }
    if (ls.fail()) return fail("'" + manifest_path + "': malformed line '" + line + "'");
  }
  if (!end_seen || mkey != key || mdim != dim)
    return fail("'" + manifest_path + "': incomplete or mismatched");

  auto load_checked = [&](const std::string& suffix, std::vector<uint8_t>* bytes) -> std::string {
    auto it = sums.find(suffix);
    if (it == sums.end()) return "'" + manifest_path + "' lists no " + suffix;
    const std::string p = entry_path(dir, key, suffix.c_str());
    auto b = read_file(p, kMaxEntryFileBytes);
    if (!b.ok()) return b.status().message();
    if (b->size() != it->second.first || sha256_hex(b->data(), b->size()) != it->second.second)
      return "checksum mismatch in '" + p + "'";
    *bytes = std::move(b).value();
    return "";
  };
  auto to_float = [](const NpyArray& a, std::vector<float>* out) {
    out->resize(a.data.size());
    for (size_t i = 0; i < a.data.size(); ++i) (*out)[i] = static_cast<float>(a.data[i]);
  };

  std::vector<uint8_t> bytes;
  if (std::string w = load_checked(".stats.npz", &bytes); !w.empty()) return fail(w);
  {
    auto z = parse_npz(bytes.data(), bytes.size(), "cache entry " + key);
    if (!z.ok()) return fail(z.status().message());
    auto n = z->find("n"), sum = z->find("sum"), outer = z->find("sum_outer");
    if (n == z->end() || sum == z->end() || outer == z->end() || n->second.data.size() != 1 ||
        sum->second.data.size() != size_t(dim) || outer->second.data.size() != size_t(dim * dim) ||
        n->second.data[0] != double(e.count))
      return fail("cache entry " + key + ": statistics do not match the manifest");
    auto m = Moments::from_sums(dim, static_cast<int64_t>(e.count), sum->second.data, outer->second.data);
    if (!m.ok()) return fail(m.status().message());
    e.moments = std::move(m).value();
  }
  if (want_features) {
    if (std::string w = load_checked(".features.npy", &bytes); !w.empty()) return fail(w);
    auto a = parse_npy(bytes.data(), bytes.size(), "cache entry " + key + " features");
    if (!a.ok()) return fail(a.status().message());
    if (a->shape.size() != 2 || a->shape[0] != int64_t(e.count) || a->shape[1] != dim)
      return fail("cache entry " + key + ": features do not match the manifest");
    to_float(*a, &e.features);
  }
  if (want_logits) {
    if (std::string w = load_checked(".logits.npy", &bytes); !w.empty()) return fail(w);
    auto a = parse_npy(bytes.data(), bytes.size(), "cache entry " + key + " logits");
    if (!a.ok()) return fail(a.status().message());
    if (a->shape.size() != 2 || a->shape[0] != int64_t(e.count))
      return fail("cache entry " + key + ": logits do not match the manifest");
    to_float(*a, &e.logits);
  }
  return e;
}

Status feature_cache_store(const std::string& dir, const std::string& key, const Moments& moments,
                           const std::vector<float>* features, const std::vector<float>* logits,
                           int64_t logits_dim, uint64_t count, uint64_t skipped) {
  FIDCPP_RETURN_IF_ERROR(make_dirs(dir));
  const int64_t dim = moments.dim();
  std::string manifest = std::string(kManifestMagic) + "\nkey " + key + "\ndim " + std::to_string(dim) +
                         "\ncount " + std::to_string(count) + "\nskipped " + std::to_string(skipped) + "\n";
  // The stats file through the regular writer, then hashed as written.
  const std::string stats = entry_path(dir, key, ".stats.npz");
  FIDCPP_RETURN_IF_ERROR(write_moments_npz(stats, moments, Overwrite::kAllow).with_context("cache"));
  {
    auto b = read_file(stats, kMaxEntryFileBytes);
    if (!b.ok()) return b.status().with_context("cache");
    manifest +=
        "file .stats.npz " + std::to_string(b->size()) + " " + sha256_hex(b->data(), b->size()) + "\n";
  }
  auto put_matrix = [&](const std::vector<float>& m, int64_t cols, const char* suffix) -> Status {
    std::vector<double> d(m.begin(), m.end());
    NpyWriteArray a;
    a.name = "x";
    a.shape = {int64_t(m.size()) / cols, cols};
    a.dtype = NpyDtype::kF4;
    a.data = d.data();
    const std::vector<uint8_t> bytes = encode_npy(a);
    FIDCPP_RETURN_IF_ERROR(
        write_file_atomic(entry_path(dir, key, suffix), bytes.data(), bytes.size(), Overwrite::kAllow)
            .with_context("cache"));
    manifest += std::string("file ") + suffix + " " + std::to_string(bytes.size()) + " " +
                sha256_hex(bytes.data(), bytes.size()) + "\n";
    return Status();
  };
  if (features) FIDCPP_RETURN_IF_ERROR(put_matrix(*features, dim, ".features.npy"));
  if (logits) FIDCPP_RETURN_IF_ERROR(put_matrix(*logits, logits_dim, ".logits.npy"));
  manifest += "end\n";
  return write_file_atomic(entry_path(dir, key, ".manifest"), manifest.data(), manifest.size(),
                           Overwrite::kAllow)
      .with_context("cache");
}

}  // namespace fidcpp
