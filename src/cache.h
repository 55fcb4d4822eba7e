// Feature / statistics cache (EvaluatorConfig::cache_dir, `fidcpp --cache DIR`): one entry per image source,
// keyed by what determines the extraction's result, so a second run over an unchanged reference set skips the
// network. An entry is <key>.stats.npz (mergeable statistics), <key>.features.npy and <key>.logits.npy when
// the run keeps them, and <key>.manifest written last, which holds each file's size and SHA-256: an entry
// whose files do not match their manifest (truncated, corrupted, half-replaced) is never trusted, it is
// recomputed and rewritten. Every file is written atomically (temp file + rename).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "metrics/moments.h"

namespace fidcpp {

// The key: SHA-256 (hex) of `settings` (everything else that changes the output: mode, tap, weights identity,
// ...) and of the image list (each file's path, size and modification time in nanoseconds; a zip member is
// identified by its archive's). Fails only when a file cannot be stat'ed.
Result<std::string> feature_cache_key(const std::string& settings, const std::vector<std::string>& files);

// path, size and mtime (ns) of a file as one line, for the settings string (e.g. the weights file).
Result<std::string> file_identity(const std::string& path);

struct CacheEntry {
  std::optional<Moments> moments;
  std::vector<float> features;  // n x dim when stored
  std::vector<float> logits;    // n x 1008 when stored
  uint64_t count = 0;
  uint64_t skipped = 0;
};

// The entry for `key`, or nullopt when there is none or it is unusable (then *why says what was wrong:
// "missing", or the failed check, e.g. a checksum mismatch naming the file).
std::optional<CacheEntry> feature_cache_load(const std::string& dir, const std::string& key, int64_t dim,
                                             bool want_features, bool want_logits, std::string* why);

// Writes (or replaces) the entry for `key`; creates `dir` (and its parents) if needed.
Status feature_cache_store(const std::string& dir, const std::string& key, const Moments& moments,
                           const std::vector<float>* features, const std::vector<float>* logits,
                           int64_t logits_dim, uint64_t count, uint64_t skipped);

}  // namespace fidcpp
