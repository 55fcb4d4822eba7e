// Minimal ZIP writer (APPNOTE.TXT 6.3): local headers, central directory, ZIP64 records when needed.
#include "io/zip_writer.h"

#ifndef FIDCPP_MINIMAL
#include <zlib.h>
#endif

#include <algorithm>
#include <utility>

#include "io/little_endian.h"
#include "io/zip_reader.h"

namespace fidcpp {

namespace {
// 1980-01-01 00:00:00 in DOS format: a fixed stamp keeps archives byte-identical across runs.
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr uint32_t kSat32 = 0xFFFFFFFFu;

#ifndef FIDCPP_MINIMAL
Result<std::vector<uint8_t>> deflate_raw(const uint8_t* data, size_t size) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return internal_error("zlib deflateInit2 failed");
  std::vector<uint8_t> out;
  uint8_t chunk[1 << 16];
  size_t in_left = size;
  zs.next_in = const_cast<Bytef*>(data);
  int rc = Z_OK;
  do {
    if (zs.avail_in == 0 && in_left > 0) {
      zs.avail_in = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
      in_left -= zs.avail_in;
    }
    zs.next_out = chunk;
    zs.avail_out = sizeof(chunk);
    rc = deflate(&zs, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) break;
    out.insert(out.end(), chunk, chunk + (sizeof(chunk) - zs.avail_out));
  } while (rc != Z_STREAM_END);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return internal_error("zlib deflate failed");
  return out;
}
#endif
}  // namespace

Status ZipWriter::add(const std::string& name, const uint8_t* data, size_t size, bool deflate) {
  if (name.empty() || name.size() > 0xFFFF)
    return invalid_argument("zip: member name must be 1..65535 bytes");
  for (const auto& c : central_)
    if (c.name == name) return invalid_argument("zip: duplicate member '" + name + "'");
#ifdef FIDCPP_MINIMAL
  deflate = false;  // no deflate encoder in the minimal build: members are stored (docs/edge.md)
#endif
  Central c{name, uint16_t(deflate ? 8 : 0), zip_crc32(data, size), size, size, out_.size()};
  std::vector<uint8_t> packed;
#ifndef FIDCPP_MINIMAL
  if (deflate) {
    FIDCPP_ASSIGN_OR_RETURN(packed, deflate_raw(data, size));
    c.csize = packed.size();
  }
#endif
  bool z64 = force_zip64_ || c.usize >= kSat32 || c.csize >= kSat32;
  put_le32(out_, 0x04034b50);
  put_le16(out_, z64 ? 45 : 20);
  put_le16(out_, 0x0800);  // UTF-8 names
  put_le16(out_, c.method);
  put_le16(out_, kDosTime);
  put_le16(out_, kDosDate);
  put_le32(out_, c.crc);
  put_le32(out_, z64 ? kSat32 : uint32_t(c.csize));
  put_le32(out_, z64 ? kSat32 : uint32_t(c.usize));
  put_le16(out_, uint16_t(name.size()));
  put_le16(out_, z64 ? 20 : 0);
  out_.insert(out_.end(), name.begin(), name.end());
  if (z64) {
    put_le16(out_, 0x0001);
    put_le16(out_, 16);
    put_le64(out_, c.usize);
    put_le64(out_, c.csize);
  }
  if (deflate)
    out_.insert(out_.end(), packed.begin(), packed.end());
  else
    out_.insert(out_.end(), data, data + size);
  central_.push_back(std::move(c));
  return Status();
}

std::vector<uint8_t> ZipWriter::finish() {
  const uint64_t cd_offset = out_.size();
  for (const auto& c : central_) {
    bool big_u = force_zip64_ || c.usize >= kSat32, big_c = force_zip64_ || c.csize >= kSat32,
         big_o = force_zip64_ || c.offset >= kSat32;
    uint16_t extra = uint16_t((big_u || big_c || big_o) ? 4 + 8 * (big_u + big_c + big_o) : 0);
    put_le32(out_, 0x02014b50);
    put_le16(out_, (3 << 8) | 45);  // made by: Unix, spec 4.5
    put_le16(out_, extra ? 45 : 20);
    put_le16(out_, 0x0800);
    put_le16(out_, c.method);
    put_le16(out_, kDosTime);
    put_le16(out_, kDosDate);
    put_le32(out_, c.crc);
    put_le32(out_, big_c ? kSat32 : uint32_t(c.csize));
    put_le32(out_, big_u ? kSat32 : uint32_t(c.usize));
    put_le16(out_, uint16_t(c.name.size()));
    put_le16(out_, extra);
    put_le16(out_, 0);  // comment
    put_le16(out_, 0);  // disk
    put_le16(out_, 0);  // internal attributes
    put_le32(out_, 0644u << 16);
    put_le32(out_, big_o ? kSat32 : uint32_t(c.offset));
    out_.insert(out_.end(), c.name.begin(), c.name.end());
    if (extra) {
      put_le16(out_, 0x0001);
      put_le16(out_, uint16_t(extra - 4));
      if (big_u) put_le64(out_, c.usize);
      if (big_c) put_le64(out_, c.csize);
      if (big_o) put_le64(out_, c.offset);
    }
  }
  const uint64_t cd_size = out_.size() - cd_offset;
  const uint64_t n = central_.size();
  bool z64 = force_zip64_ || n >= 0xFFFF || cd_offset >= kSat32 || cd_size >= kSat32;
  if (z64) {
    const uint64_t end64 = out_.size();
    put_le32(out_, 0x06064b50);
    put_le64(out_, 44);
    put_le16(out_, (3 << 8) | 45);
    put_le16(out_, 45);
    put_le32(out_, 0);
    put_le32(out_, 0);
    put_le64(out_, n);
    put_le64(out_, n);
    put_le64(out_, cd_size);
    put_le64(out_, cd_offset);
    put_le32(out_, 0x07064b50);
    put_le32(out_, 0);
    put_le64(out_, end64);
    put_le32(out_, 1);
  }
  put_le32(out_, 0x06054b50);
  put_le16(out_, 0);
  put_le16(out_, 0);
  put_le16(out_, z64 ? 0xFFFF : uint16_t(n));
  put_le16(out_, z64 ? 0xFFFF : uint16_t(n));
  put_le32(out_, z64 ? kSat32 : uint32_t(cd_size));
  put_le32(out_, z64 ? kSat32 : uint32_t(cd_offset));
  put_le16(out_, 0);
  central_.clear();
  return std::exchange(out_, {});
}

}  // namespace fidcpp
