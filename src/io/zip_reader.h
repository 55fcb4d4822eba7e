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
  friend class ZipMemberStream;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string what_;
  ZipLimits limits_;
  std::vector<ZipEntry> entries_;
  std::map<std::string, size_t> index_;
  std::shared_ptr<const void> keepalive_;
};

// One member read front to back in pieces, so a member larger than memory (an image batch in an .npz) is
// never held whole: stored members are copied from the archive's map, deflated ones inflated as they are read
// (zlib; the minimal build inflates the whole member up front, refusing members over `max_inflate_bytes`).
// The CRC-32 is checked by finish(), once every byte has been read.
class ZipMemberStream {
 public:
  // `zip` must outlive the stream.
  static Result<ZipMemberStream> open(const ZipReader& zip, const ZipEntry& e, uint64_t max_inflate_bytes);
  ZipMemberStream(ZipMemberStream&&) noexcept;
  ZipMemberStream& operator=(ZipMemberStream&&) noexcept;
  ~ZipMemberStream();
  uint64_t left() const { return left_; }  // uncompressed bytes not yet read
  // Reads exactly n bytes (an error if the member holds fewer or its data is corrupt).
  Status read(uint8_t* dst, size_t n);
  Status skip(uint64_t n);
  // Checks that the member ends here and that its CRC-32 matches.
  Status finish();

 private:
  ZipMemberStream() = default;
  const ZipReader* zip_ = nullptr;
  const ZipEntry* entry_ = nullptr;
  const uint8_t* src_ = nullptr;  // the member's bytes in the archive (compressed when deflated)
  uint64_t src_left_ = 0;
  uint64_t left_ = 0;
  uint32_t crc_ = 0;
  struct Inflater;  // zlib state (full build) or the whole inflated member (minimal build)
  std::unique_ptr<Inflater> inflater_;
};

// True when the bytes start like a ZIP archive (local header or empty-archive end record).
bool looks_like_zip(const uint8_t* data, size_t size);

uint32_t zip_crc32(const uint8_t* data, size_t size);
// The CRC-32 of the concatenation of the bytes `crc` was computed over and `data` (zlib's crc32 convention:
// zip_crc32_update(0, d, n) == zip_crc32(d, n)).
uint32_t zip_crc32_update(uint32_t crc, const uint8_t* data, size_t size);

}  // namespace fidcpp
