// ZIP reader (APPNOTE.TXT 6.3: end of central directory, ZIP64 records, central and local headers).
#include "io/zip_reader.h"

#ifndef FIDCPP_MINIMAL
#include <zlib.h>
#else
#include "io/stb_image_config.h"  // stb_image's inflate (docs/edge.md)
#endif

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "core/file.h"
#include "io/little_endian.h"

namespace fidcpp {

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kEnd64Sig = 0x06064b50;
constexpr uint32_t kEnd64LocatorSig = 0x07064b50;
constexpr size_t kEndSize = 22;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;

// Names are only looked up, never used as paths, but refusing odd ones keeps every later message printable
// and rules out archives crafted to confuse tools that do extract them.
Status check_name(const std::string& name, const std::string& what) {
  if (name.empty()) return bad_input(what + ": member with an empty name");
  for (char c : name)
    if (c == '\0' || static_cast<unsigned char>(c) < 0x20)
      return bad_input(what + ": member name contains a control character");
  if (name[0] == '/') return bad_input(what + ": member '" + name + "' has an absolute path");
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0 && end - start == 2)
      return bad_input(what + ": member '" + name + "' contains a '..' component");
    start = end + 1;
  }
  return Status();
}

Status crc_check(const ZipEntry& e, const uint8_t* p, size_t n, const std::string& what) {
  uint32_t crc = zip_crc32(p, n);
  if (crc != e.crc32)
    return bad_input(what + ": member '" + e.name + "' fails its CRC-32 check (corrupt archive)");
  return Status();
}

}  // namespace

#ifdef FIDCPP_MINIMAL
// The minimal build's CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320, as zlib's crc32), a byte at a time.
uint32_t zip_crc32_update(uint32_t crc, const uint8_t* data, size_t size) {
  static const auto table = [] {
    struct T {
      uint32_t v[256];
    } t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t.v[i] = c;
    }
    return t;
  }();
  crc ^= 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) crc = table.v[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}
#else
uint32_t zip_crc32_update(uint32_t crc32_so_far, const uint8_t* data, size_t size) {
  uLong crc = crc32_so_far;
  while (size > 0) {
    uInt n = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    crc = crc32(crc, data, n);
    data += n;
    size -= n;
  }
  return static_cast<uint32_t>(crc);
}
#endif

uint32_t zip_crc32(const uint8_t* data, size_t size) {
  return zip_crc32_update(0, data, size);
}

bool looks_like_zip(const uint8_t* data, size_t size) {
  return size >= 4 && (load_le32(data) == kLocalSig || load_le32(data) == kEndSig);
}

Result<ZipReader> ZipReader::open_file(const std::string& path, const ZipLimits& limits) {
  FIDCPP_ASSIGN_OR_RETURN(MappedFile m, MappedFile::open(path));
  auto owner = std::make_shared<MappedFile>(std::move(m));
  FIDCPP_ASSIGN_OR_RETURN(ZipReader r, open(owner->data(), owner->size(), "'" + path + "'", limits));
  r.keepalive_ = owner;
  return r;
}

Result<ZipReader> ZipReader::open(const uint8_t* data, size_t size, std::string what,
                                  const ZipLimits& limits) {
  ZipReader r;
  r.data_ = data;
  r.size_ = size;
  r.what_ = std::move(what);
  r.limits_ = limits;
  const std::string& w = r.what_;
  if (size < kEndSize)
    return bad_input(w + ": too small to be a ZIP archive (" + std::to_string(size) + " bytes)");

  // The end record sits in the last 22 + (up to 65535 comment) bytes; prefer the one whose comment ends the
  // file.
  size_t eocd = std::string::npos;
  size_t lowest = size >= kEndSize + 0xFFFF ? size - kEndSize - 0xFFFF : 0;
  for (size_t pos = size - kEndSize + 1; pos-- > lowest;) {
    if (load_le32(data + pos) != kEndSig) continue;
    if (pos + kEndSize + load_le16(data + pos + 20) == size) {
      eocd = pos;
      break;
    }
    if (eocd == std::string::npos) eocd = pos;
  }
  if (eocd == std::string::npos)
    return bad_input(w + ": not a ZIP archive (no end-of-central-directory record)");
  const uint8_t* e = data + eocd;
  if (load_le16(e + 4) != 0 || load_le16(e + 6) != 0) return unsupported(w + ": multi-disk ZIP archives");
  uint64_t count = load_le16(e + 10);
  uint64_t cd_size = load_le32(e + 12);
  uint64_t cd_offset = load_le32(e + 16);

  if (eocd >= 20 && load_le32(data + eocd - 20) == kEnd64LocatorSig) {
    uint64_t e64 = load_le64(data + eocd - 20 + 8);
    if (e64 > size || size - e64 < 56 || load_le32(data + e64) != kEnd64Sig)
      return bad_input(w + ": ZIP64 end record points outside the archive");
    const uint8_t* z = data + e64;
    count = load_le64(z + 32);
    cd_size = load_le64(z + 40);
    cd_offset = load_le64(z + 48);
  }
  if (count > limits.max_entries)
    return bad_input(w + ": " + std::to_string(count) + " members, more than the limit of " +
                     std::to_string(limits.max_entries));
  if (cd_offset > size || cd_size > size - cd_offset || count > cd_size / kCentralSize)
    return bad_input(w + ": central directory lies outside the archive");

  r.entries_.reserve(static_cast<size_t>(count));
  uint64_t pos = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (cd_end - pos < kCentralSize || load_le32(data + pos) != kCentralSig)
      return bad_input(w + ": central directory entry " + std::to_string(i) + " is truncated or corrupt");
    const uint8_t* c = data + pos;
    uint16_t flags = load_le16(c + 8);
    ZipEntry ze;
    ze.method = load_le16(c + 10);
    ze.crc32 = load_le32(c + 16);
    ze.compressed_size = load_le32(c + 20);
    ze.uncompressed_size = load_le32(c + 24);
    uint16_t name_len = load_le16(c + 28), extra_len = load_le16(c + 30), comment_len = load_le16(c + 32);
    uint16_t disk = load_le16(c + 34);
    ze.local_header_offset = load_le32(c + 42);
    if (cd_end - pos - kCentralSize < uint64_t(name_len) + extra_len + comment_len)
      return bad_input(w + ": central directory entry " + std::to_string(i) + " is truncated");
    ze.name.assign(reinterpret_cast<const char*>(c + kCentralSize), name_len);
    FIDCPP_RETURN_IF_ERROR(check_name(ze.name, w));
    // ZIP64 extended information: only the fields whose 32-bit slot is saturated are present, in this order.
    const uint8_t* x = c + kCentralSize + name_len;
    const uint8_t* x_end = x + extra_len;
    while (x_end - x >= 4) {
      uint16_t id = load_le16(x), len = load_le16(x + 2);
      if (x_end - x - 4 < len) return bad_input(w + ": member '" + ze.name + "' has a truncated extra field");
      if (id == 0x0001) {
        const uint8_t* f = x + 4;
        const uint8_t* f_end = f + len;
        auto take = [&](uint64_t& v) -> bool {
          if (f_end - f < 8) return false;
          v = load_le64(f);
          f += 8;
          return true;
        };
        if ((ze.uncompressed_size == 0xFFFFFFFFu && !take(ze.uncompressed_size)) ||
            (ze.compressed_size == 0xFFFFFFFFu && !take(ze.compressed_size)) ||
            (ze.local_header_offset == 0xFFFFFFFFu && !take(ze.local_header_offset)))
          return bad_input(w + ": member '" + ze.name + "' has a short ZIP64 extra field");
      }
      x += 4 + len;
    }
    pos += kCentralSize + name_len + extra_len + comment_len;

    if (flags & 0x0001) return unsupported(w + ": member '" + ze.name + "' is encrypted");
    if (disk != 0 && disk != 0xFFFF) return unsupported(w + ": multi-disk ZIP archives");
    if (ze.method != 0 && ze.method != 8)
      return unsupported(w + ": member '" + ze.name + "' uses compression method " +
                         std::to_string(ze.method) + " (only stored and deflate are supported)");
    if (ze.uncompressed_size > limits.max_entry_bytes)
      return bad_input(w + ": member '" + ze.name + "' is " + std::to_string(ze.uncompressed_size) +
                       " bytes uncompressed, more than the limit of " +
                       std::to_string(limits.max_entry_bytes));
    if (ze.method == 0 && ze.compressed_size != ze.uncompressed_size)
      return bad_input(w + ": stored member '" + ze.name +
                       "' has different compressed and uncompressed sizes");
    if (ze.method == 8 && ze.compressed_size < std::numeric_limits<uint64_t>::max() / limits.max_ratio &&
        ze.uncompressed_size > ze.compressed_size * limits.max_ratio + 64)
      return bad_input(w + ": member '" + ze.name + "' claims a compression ratio above " +
                       std::to_string(limits.max_ratio) + ":1 (corrupt or a zip bomb)");

    // The local header repeats the name and has its own extra field, so the data offset comes from it.
    uint64_t lho = ze.local_header_offset;
    if (lho > size || size - lho < kLocalSize || load_le32(data + lho) != kLocalSig)
      return bad_input(w + ": member '" + ze.name + "' has a missing or corrupt local header");
    const uint8_t* l = data + lho;
    uint16_t lname = load_le16(l + 26), lextra = load_le16(l + 28);
    if (size - lho - kLocalSize < uint64_t(lname) + lextra)
      return bad_input(w + ": member '" + ze.name + "' has a truncated local header");
    if (lname != name_len || std::memcmp(l + kLocalSize, ze.name.data(), name_len) != 0)
      return bad_input(w + ": member '" + ze.name +
                       "': local header name differs from the central directory");
    ze.data_offset = lho + kLocalSize + lname + lextra;
    if (ze.data_offset > size || ze.compressed_size > size - ze.data_offset)
      return bad_input(w + ": member '" + ze.name + "' extends beyond the end of the archive");

    if (!r.index_.emplace(ze.name, r.entries_.size()).second)
      return bad_input(w + ": duplicate member '" + ze.name + "'");
    r.entries_.push_back(std::move(ze));
  }
  return r;
}

const ZipEntry* ZipReader::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

Result<const uint8_t*> ZipReader::view_stored(const ZipEntry& e) const {
  if (e.method != 0) return internal_error(what_ + ": member '" + e.name + "' is compressed, cannot view it");
  const uint8_t* p = data_ + e.data_offset;
  FIDCPP_RETURN_IF_ERROR(crc_check(e, p, static_cast<size_t>(e.uncompressed_size), what_));
  return p;
}

Result<std::vector<uint8_t>> ZipReader::read(const ZipEntry& e, uint64_t max_bytes) const {
  if (e.uncompressed_size > max_bytes)
    return bad_input(what_ + ": member '" + e.name + "' is " + std::to_string(e.uncompressed_size) +
                     " bytes, more than the limit of " + std::to_string(max_bytes));
  const uint8_t* src = data_ + e.data_offset;
  if (e.method == 0) {
    FIDCPP_RETURN_IF_ERROR(crc_check(e, src, static_cast<size_t>(e.uncompressed_size), what_));
    return std::vector<uint8_t>(src, src + e.uncompressed_size);
  }
  std::vector<uint8_t> out;
  try {
    out.resize(static_cast<size_t>(e.uncompressed_size));
  } catch (const std::bad_alloc&) {
    return out_of_memory(what_ + ": cannot allocate " + std::to_string(e.uncompressed_size) + " bytes for '" +
                         e.name + "'");
  }
#ifdef FIDCPP_MINIMAL
  // stb_image's inflate counts in int. Its 2.27 decoder wants 16 bits in hand before each code, so the stream
  // gets 8 zero bytes of padding (a complete stream ends at its last block and never reads them). One more
  // byte of output room than declared tells "inflates to more" from corrupt data.
  if (e.compressed_size > uint64_t(0x7FFFFFF0) || out.size() > size_t(0x7FFFFFF0))
    return unsupported(
        what_ + ": member '" + e.name +
        "' is over 2 GiB compressed or uncompressed (the minimal build's inflate stops there)");
  std::vector<uint8_t> in;
  try {
    in.reserve(static_cast<size_t>(e.compressed_size) + 8);
    out.resize(out.size() + 1);
  } catch (const std::bad_alloc&) {
    return out_of_memory(what_ + ": cannot allocate " + std::to_string(e.compressed_size) + " bytes for '" +
                         e.name + "'");
  }
  in.assign(src, src + e.compressed_size);
  in.resize(in.size() + 8, 0);
  const int got = stbi_zlib_decode_noheader_buffer(reinterpret_cast<char*>(out.data()), int(out.size()),
                                                   reinterpret_cast<const char*>(in.data()), int(in.size()));
  const size_t want = out.size() - 1;
  const char* why = got < 0 ? stbi_failure_reason() : nullptr;
  if ((got < 0 && why && std::strcmp(why, "output buffer limit") == 0) || (got >= 0 && size_t(got) > want))
    return bad_input(what_ + ": member '" + e.name + "' inflates to more than its declared " +
                     std::to_string(e.uncompressed_size) + " bytes");
  if (got < 0) return bad_input(what_ + ": member '" + e.name + "' has corrupt or truncated deflate data");
  if (size_t(got) < want)
    return bad_input(what_ + ": member '" + e.name + "' inflates to fewer bytes than its declared " +
                     std::to_string(e.uncompressed_size));
  out.resize(want);
#else
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return internal_error("zlib inflateInit2 failed");
  size_t in_left = static_cast<size_t>(e.compressed_size), out_left = out.size();
  zs.next_in = const_cast<Bytef*>(src);
  uint8_t empty_sink = 0;  // zlib refuses a null output pointer even for an empty member
  zs.next_out = out.empty() ? &empty_sink : out.data();
  int rc = Z_OK;
  // zlib counts in 32-bit units, so huge members are fed in slices.
  while (rc == Z_OK) {
    if (zs.avail_in == 0 && in_left > 0) {
      zs.avail_in = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
      in_left -= zs.avail_in;
    }
    if (zs.avail_out == 0 && out_left > 0) {
      zs.avail_out = static_cast<uInt>(std::min<size_t>(out_left, 1u << 30));
      out_left -= zs.avail_out;
    }
    uInt before_in = zs.avail_in, before_out = zs.avail_out;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR || (rc == Z_OK && before_in == zs.avail_in && before_out == zs.avail_out)) break;
  }
  bool full = zs.avail_out == 0 && out_left == 0;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    if (full && rc != Z_DATA_ERROR)
      return bad_input(what_ + ": member '" + e.name + "' inflates to more than its declared " +
                       std::to_string(e.uncompressed_size) + " bytes");
    return bad_input(what_ + ": member '" + e.name + "' has corrupt or truncated deflate data");
  }
  if (!full)
    return bad_input(what_ + ": member '" + e.name + "' inflates to fewer bytes than its declared " +
                     std::to_string(e.uncompressed_size));
#endif
  FIDCPP_RETURN_IF_ERROR(crc_check(e, out.data(), out.size(), what_));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// ZipMemberStream

#ifndef FIDCPP_MINIMAL
struct ZipMemberStream::Inflater {
  z_stream zs{};
  bool ended = false;
  ~Inflater() { inflateEnd(&zs); }
};
#else
struct ZipMemberStream::Inflater {
  std::vector<uint8_t> bytes;  // the whole member, inflated by ZipReader::read
  size_t pos = 0;
};
#endif

ZipMemberStream::ZipMemberStream(ZipMemberStream&&) noexcept = default;
ZipMemberStream& ZipMemberStream::operator=(ZipMemberStream&&) noexcept = default;
ZipMemberStream::~ZipMemberStream() = default;

Result<ZipMemberStream> ZipMemberStream::open(const ZipReader& zip, const ZipEntry& e,
                                              uint64_t max_inflate_bytes) {
  ZipMemberStream s;
  s.zip_ = &zip;
  s.entry_ = &e;
  s.src_ = zip.data_ + e.data_offset;
  s.src_left_ = e.method == 0 ? e.uncompressed_size : e.compressed_size;
  s.left_ = e.uncompressed_size;
  if (e.method == 0) return s;
#ifndef FIDCPP_MINIMAL
  (void)max_inflate_bytes;
  s.inflater_ = std::make_unique<Inflater>();
  if (inflateInit2(&s.inflater_->zs, -MAX_WBITS) != Z_OK) return internal_error("zlib inflateInit2 failed");
#else
  if (e.uncompressed_size > max_inflate_bytes)
    return unsupported(zip.what_ + ": member '" + e.name + "' is deflated and inflates to " +
                       std::to_string(e.uncompressed_size) +
                       " bytes; the minimal build inflates a member whole " + "and reads up to " +
                       std::to_string(max_inflate_bytes) +
                       " (store it uncompressed: np.savez, not np.savez_compressed)");
  s.inflater_ = std::make_unique<Inflater>();
  FIDCPP_ASSIGN_OR_RETURN(s.inflater_->bytes, zip.read(e, max_inflate_bytes));
#endif
  return s;
}

Status ZipMemberStream::read(uint8_t* dst, size_t n) {
  const std::string& what = zip_->what_;
  if (n > left_)
    return bad_input(what + ": member '" + entry_->name + "' ends " + std::to_string(left_) +
                     " bytes short of the " + std::to_string(n) + " bytes expected next");
  if (n == 0) return Status();
  if (entry_->method == 0) {
    std::memcpy(dst, src_, n);
    src_ += n;
    src_left_ -= n;
  } else {
#ifndef FIDCPP_MINIMAL
    z_stream& zs = inflater_->zs;
    zs.next_out = dst;
    size_t out_left = n;
    while (out_left > 0) {
      if (inflater_->ended)
        return bad_input(what + ": member '" + entry_->name + "' inflates to fewer bytes than its declared " +
                         std::to_string(entry_->uncompressed_size));
      if (zs.avail_in == 0 && src_left_ > 0) {
        zs.next_in = const_cast<Bytef*>(src_);
        zs.avail_in = static_cast<uInt>(std::min<uint64_t>(src_left_, 1u << 30));
        src_ += zs.avail_in;
        src_left_ -= zs.avail_in;
      }
      zs.avail_out = static_cast<uInt>(std::min<size_t>(out_left, 1u << 30));
      const uInt before_out = zs.avail_out, before_in = zs.avail_in;
      const int rc = inflate(&zs, Z_NO_FLUSH);
      out_left -= before_out - zs.avail_out;
      if (rc == Z_STREAM_END) {
        inflater_->ended = true;
      } else if (rc != Z_OK || (before_out == zs.avail_out && before_in == zs.avail_in)) {
        return bad_input(what + ": member '" + entry_->name + "' has corrupt or truncated deflate data");
      }
    }
#else
    std::memcpy(dst, inflater_->bytes.data() + inflater_->pos, n);
    inflater_->pos += n;
#endif
  }
  crc_ = zip_crc32_update(crc_, dst, n);
  left_ -= n;
  return Status();
}

Status ZipMemberStream::skip(uint64_t n) {
  uint8_t buf[1 << 16];
  while (n > 0) {
    const size_t k = size_t(std::min<uint64_t>(n, sizeof(buf)));
    FIDCPP_RETURN_IF_ERROR(read(buf, k));
    n -= k;
  }
  return Status();
}

Status ZipMemberStream::finish() {
  const std::string& what = zip_->what_;
  if (left_ != 0)
    return bad_input(what + ": member '" + entry_->name + "' has " + std::to_string(left_) +
                     " bytes after the data read");
#ifndef FIDCPP_MINIMAL
  if (entry_->method != 0 && !inflater_->ended) {
    // The last block's end marker may follow the last byte of output.
    uint8_t extra = 0;
    z_stream& zs = inflater_->zs;
    if (zs.avail_in == 0 && src_left_ > 0) {
      zs.next_in = const_cast<Bytef*>(src_);
      zs.avail_in = static_cast<uInt>(std::min<uint64_t>(src_left_, 1u << 30));
      src_left_ -= zs.avail_in;
    }
    zs.next_out = &extra;
    zs.avail_out = 1;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_STREAM_END || zs.avail_out == 0)
      return bad_input(what + ": member '" + entry_->name + "' inflates to more than its declared " +
                       std::to_string(entry_->uncompressed_size) + " bytes, or its deflate data is corrupt");
    inflater_->ended = true;
  }
#endif
  if (crc_ != entry_->crc32)
    return bad_input(what + ": member '" + entry_->name + "' fails its CRC-32 check (corrupt archive)");
  return Status();
}

}  // namespace fidcpp
