// File helpers: bounded whole-file reads, read-only memory maps, and atomic writes (temp file + rename) that
// never overwrite an existing output unless asked to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fidcpp {

// Reads a whole file; refuses files larger than max_bytes (error names the file and the limit).
Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes);

// A read-only memory map of a whole file. Empty files map to (nullptr, 0).
class MappedFile {
 public:
  static Result<MappedFile> open(const std::string& path);
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // Gives the pages holding [p, p + bytes) back to the page cache (madvise DONTNEED): the mapping is
  // read-only and private, so a later read faults them in again from the file unchanged. Lowers resident
  // memory while a large file is consumed piece by piece. Ranges outside the mapping are ignored.
  void drop_pages(const void* p, size_t bytes) const;

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

enum class Overwrite { kRefuse, kAllow };

// Writes bytes to `path` through a temporary file in the same directory, fsync and rename, so a crash or
// signal never leaves a partial file under the final name. With Overwrite::kRefuse an existing `path` is an
// error.
Status write_file_atomic(const std::string& path, const void* data, size_t size, Overwrite overwrite);

bool file_exists(const std::string& path);

// Unlinks the temporary files of the write_file_atomic calls in progress (their final names are untouched).
// Async-signal-safe: a SIGINT/SIGTERM handler calls it before _exit so an interrupted run leaves no temporary
// file behind (docs/reliability.md).
void remove_pending_temp_files();

}  // namespace fidcpp
