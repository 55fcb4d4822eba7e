// A ZIP reader over a buffer that stays alive while the reader is used (a memory map or a vector): central
// directory (ZIP64 where needed), stored and deflated members, CRC-32 checked, sizes bounded before
// allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace fidcpp {

struct ZipLimits {
  uint64_t max_entries = 1 << 20;
  uint64_t max_entry_bytes = uint64_t(16) << 30;  // uncompressed size of one member
  // Deflate cannot exceed ~1032:1, so a larger declared ratio is a lie (a zip bomb or a corrupt header).
  uint64_t max_ratio = 1100;
};

struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  uint64_t data_offset = 0;  // where the member's (compressed) bytes start in the archive
};

class ZipReader {
 public:
  // `data` must outlive the reader. `what` names the archive in errors.
  static Result<ZipReader> open(const uint8_t* data, size_t size, std::string what,
                                const ZipLimits& limits = {});
  // Maps the file; the reader keeps the map alive (shared with views handed out through keepalive()).
  static Result<ZipReader> open_file(const std::string& path, const ZipLimits& limits = {});

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(const std::string& name) const;
  const std::string& what() const { return what_; }

  // The bytes of a stored member, without copying, after a CRC check.
  Result<const uint8_t*> view_stored(const ZipEntry& e) const;
  // The uncompressed bytes of any member (stored or deflated), CRC checked; refuses members above max_bytes.
  Result<std::vector<uint8_t>> read(const ZipEntry& e, uint64_t max_bytes) const;

  // Owner of the archive bytes when opened with open_file (null otherwise).
  std::shared_ptr<const void> keepalive() const { return keepalive_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string what_;
  ZipLimits limits_;
  std::vector<ZipEntry> entries_;
  std::map<std::string, size_t> index_;
  std::shared_ptr<const void> keepalive_;
};

// True when the bytes start like a ZIP archive (local header or empty-archive end record).
bool looks_like_zip(const uint8_t* data, size_t size);

uint32_t zip_crc32(const uint8_t* data, size_t size);

}  // namespace fidcpp
