// The ZIP reader on an in-memory archive: the central directory, then every member read (stored members
// also viewed in place), each CRC-checked.
#include "fuzz/fuzz_target.h"
#include "io/zip_reader.h"

FIDCPP_FUZZ_TARGET(zip) {
  using namespace fidcpp;
  ZipLimits limits;
  limits.max_entries = 1 << 12;
  Result<ZipReader> zip = ZipReader::open(data, size, "fuzz", limits);
  if (!zip.ok()) return 0;
  fuzz::fuzz_accepted();
  for (const ZipEntry& e : zip->entries()) {
    FIDCPP_FUZZ_CHECK(zip->find(e.name) != nullptr);
    Result<std::vector<uint8_t>> bytes = zip->read(e, uint64_t(64) << 20);
    if (bytes.ok()) {
      FIDCPP_FUZZ_CHECK(bytes->size() == e.uncompressed_size);
      FIDCPP_FUZZ_CHECK(zip_crc32(bytes->data(), bytes->size()) == e.crc32);
    }
    if (e.method == 0) {
      Result<const uint8_t*> view = zip->view_stored(e);
      if (view.ok()) {
        FIDCPP_FUZZ_CHECK(*view >= data && e.uncompressed_size <= size_t(data + size - *view));
        FIDCPP_FUZZ_CHECK(zip_crc32(*view, e.uncompressed_size) == e.crc32);
      }
    }
  }
  return 0;
}
