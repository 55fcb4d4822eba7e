// .npy/.npz reader and writer (docs/conventions.md §8.1; numpy/lib/format.py describes the layout).
#include "io/npy.h"

#include <cmath>
#include <cstring>
#include <new>

#include "io/little_endian.h"
#include "io/zip_reader.h"
#include "io/zip_writer.h"

namespace fidcpp {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMaxHeaderBytes = 1 << 16;
// numpy pads the header so that the last axis can grow in place (GROWTH_AXIS_MAX_DIGITS in format.py).
constexpr size_t kGrowthAxisMaxDigits = 21;
constexpr size_t kArrayAlign = 64;

enum class Kind { kFloat, kSigned, kUnsigned, kBool };
struct Descr {
  Kind kind;
  int size;
  bool big_endian;
};

Result<Descr> parse_descr(const std::string& d, const std::string& what) {
  auto bad = [&]() {
    return unsupported(what + ": dtype '" + d + "' is not supported (expected e.g. '<f4', '<f8')");
  };
  if (d.size() < 3) return bad();
  char order = d[0], type = d[1];
  if (order != '<' && order != '>' && order != '|' && order != '=') return bad();
  std::string digits = d.substr(2);
  if (digits != "1" && digits != "2" && digits != "4" && digits != "8") return bad();
  Descr r{Kind::kFloat, digits[0] - '0', order == '>'};
  switch (type) {
    case 'f':
      r.kind = Kind::kFloat;
      if (r.size == 1) return bad();
      break;
    case 'i':
      r.kind = Kind::kSigned;
      break;
    case 'u':
      r.kind = Kind::kUnsigned;
      break;
    case 'b':
      r.kind = Kind::kBool;
      if (r.size != 1) return bad();
      break;
    default:
      return bad();
  }
  return r;
}

double half_to_double(uint16_t h) {
  int exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exp == 0) return sign * std::ldexp(mant, -24);
  if (exp == 31) return mant ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mant + 1024, exp - 25);
}

double load_element(const uint8_t* p, const Descr& d) {
  uint8_t b[8];
  for (int i = 0; i < d.size; ++i) b[i] = d.big_endian ? p[d.size - 1 - i] : p[i];
  uint64_t u = 0;
  for (int i = 0; i < d.size; ++i) u |= uint64_t(b[i]) << (8 * i);
  switch (d.kind) {
    case Kind::kBool:
      return u ? 1.0 : 0.0;
    case Kind::kUnsigned:
      return static_cast<double>(u);
    case Kind::kSigned: {
      int shift = 64 - 8 * d.size;
      return static_cast<double>(static_cast<int64_t>(u << shift) >> shift);
    }
    case Kind::kFloat:
      if (d.size == 2) return half_to_double(uint16_t(u));
      if (d.size == 4) {
        uint32_t v = uint32_t(u);
        float f;
        std::memcpy(&f, &v, 4);
        return f;
      } else {
        double f;
        std::memcpy(&f, &u, 8);
        return f;
      }
  }
  return 0.0;
}

// The header is a Python dict literal written by repr(); this reads exactly that subset.
class HeaderParser {
 public:
  HeaderParser(const std::string& s, const std::string& what) : s_(s), what_(what) {}

  Status parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    skip_ws();
    if (!eat('{')) return error("expected '{'");
    while (true) {
      skip_ws();
      if (eat('}')) break;
      std::string key;
      FIDCPP_RETURN_IF_ERROR(parse_string(key));
      skip_ws();
      if (!eat(':')) return error("expected ':' after '" + key + "'");
      skip_ws();
      if (key == "descr") {
        if (peek() == '[') return unsupported(what_ + ": structured dtypes are not supported");
        FIDCPP_RETURN_IF_ERROR(parse_string(descr));
        have_descr = true;
      } else if (key == "fortran_order") {
        if (s_.compare(pos_, 4, "True") == 0) {
          fortran = true;
          pos_ += 4;
        } else if (s_.compare(pos_, 5, "False") == 0) {
          fortran = false;
          pos_ += 5;
        } else {
          return error("fortran_order must be True or False");
        }
        have_fortran = true;
      } else if (key == "shape") {
        FIDCPP_RETURN_IF_ERROR(parse_shape(shape));
        have_shape = true;
      } else {
        return error("unexpected key '" + key + "'");
      }
      skip_ws();
      if (eat(',')) continue;
      skip_ws();
      if (eat('}')) break;
      return error("expected ',' or '}'");
    }
    skip_ws();
    if (pos_ != s_.size()) return error("trailing characters after the dict");
    if (!have_descr || !have_fortran || !have_shape)
      return error("missing one of 'descr', 'fortran_order', 'shape'");
    return Status();
  }

 private:
  Status error(const std::string& m) const {
    return bad_input(what_ + ": malformed .npy header (" + m + " at offset " + std::to_string(pos_) + ")");
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  Status parse_string(std::string& out) {
    char q = peek();
    if (q != '\'' && q != '"') return error("expected a quoted string");
    ++pos_;
    size_t end = s_.find(q, pos_);
    if (end == std::string::npos) return error("unterminated string");
    out = s_.substr(pos_, end - pos_);
    if (out.find('\\') != std::string::npos) return error("escapes in strings are not supported");
    pos_ = end + 1;
    return Status();
  }
  Status parse_shape(std::vector<int64_t>& shape) {
    shape.clear();
    if (!eat('(')) return error("shape must be a tuple");
    while (true) {
      skip_ws();
      if (eat(')')) return Status();
      if (peek() < '0' || peek() > '9') return error("shape entries must be non-negative integers");
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (v > (INT64_MAX - 9) / 10) return error("shape entry too large");
        v = v * 10 + (s_[pos_++] - '0');
      }
      eat('L');  // Python 2 long literal
      if (shape.size() >= 32) return error("more than 32 dimensions");
      shape.push_back(v);
      skip_ws();
      if (eat(',')) continue;
      skip_ws();
      if (eat(')')) return Status();
      return error("expected ',' or ')' in shape");
    }
  }
  const std::string& s_;
  const std::string& what_;
  size_t pos_ = 0;
};

std::string shape_repr(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace

Result<NpyArray> parse_npy(const uint8_t* data, size_t size, const std::string& what,
                           const NpyLimits& limits) {
  if (size < 10 || std::memcmp(data, kMagic, 6) != 0)
    return bad_input(what + ": not a .npy file (bad magic)");
  int major = data[6];
  size_t header_len, header_start;
  if (major == 1) {
    header_len = load_le16(data + 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return bad_input(what + ": truncated .npy header");
    header_len = load_le32(data + 8);
    header_start = 12;
  } else {
    return unsupported(what + ": .npy format version " + std::to_string(major) + "." +
                       std::to_string(data[7]));
  }
  if (header_len > kMaxHeaderBytes)
    return bad_input(what + ": .npy header of " + std::to_string(header_len) + " bytes is too long");
  if (header_len > size - header_start) return bad_input(what + ": truncated .npy header");
  std::string header(reinterpret_cast<const char*>(data + header_start), header_len);

  NpyArray a;
  bool fortran = false;
  FIDCPP_RETURN_IF_ERROR(HeaderParser(header, what).parse(a.descr, fortran, a.shape));
  FIDCPP_ASSIGN_OR_RETURN(Descr d, parse_descr(a.descr, what));

  uint64_t numel = 1;
  for (int64_t dim : a.shape) {
    if (dim != 0 && numel > limits.max_bytes / static_cast<uint64_t>(dim))
      return bad_input(what + ": array of shape " + shape_repr(a.shape) + " exceeds the size limit of " +
                       std::to_string(limits.max_bytes) + " bytes");
    numel *= static_cast<uint64_t>(dim);
  }
  uint64_t nbytes = numel * static_cast<uint64_t>(d.size);
  if (nbytes > limits.max_bytes || numel > limits.max_bytes / sizeof(double))
    return bad_input(what + ": array of shape " + shape_repr(a.shape) + " exceeds the size limit of " +
                     std::to_string(limits.max_bytes) + " bytes");
  const uint64_t have = size - header_start - header_len;
  if (have != nbytes)
    return bad_input(what + ": expected " + std::to_string(nbytes) + " data bytes for shape " +
                     shape_repr(a.shape) + " and dtype '" + a.descr + "', found " + std::to_string(have));
  try {
    a.data.resize(static_cast<size_t>(numel));
  } catch (const std::bad_alloc&) {
    return out_of_memory(what + ": cannot allocate " + std::to_string(numel) + " doubles");
  }
  const uint8_t* src = data + header_start + header_len;
  const size_t nd = a.shape.size();
  if (!fortran || nd <= 1) {
    for (uint64_t i = 0; i < numel; ++i) a.data[i] = load_element(src + i * d.size, d);
    return a;
  }
  // Column-major on disk: walk the C-order index and keep the Fortran offset in step with it.
  std::vector<uint64_t> fstride(nd);
  uint64_t s = 1;
  for (size_t k = 0; k < nd; ++k) {
    fstride[k] = s;
    s *= static_cast<uint64_t>(a.shape[k]);
  }
  std::vector<int64_t> idx(nd, 0);
  uint64_t off = 0;
  for (uint64_t i = 0; i < numel; ++i) {
    a.data[i] = load_element(src + off * d.size, d);
    for (size_t k = nd; k-- > 0;) {
      if (++idx[k] < a.shape[k]) {
        off += fstride[k];
        break;
      }
      off -= fstride[k] * static_cast<uint64_t>(a.shape[k] - 1);
      idx[k] = 0;
    }
  }
  return a;
}

Result<NpyHeader> parse_npy_header(const uint8_t* data, size_t size, const std::string& what) {
  if (size < 10 || std::memcmp(data, kMagic, 6) != 0)
    return bad_input(what + ": not a .npy array (bad magic)");
  const int major = data[6];
  if (major != 1 && major != 2 && major != 3)
    return unsupported(what + ": .npy format version " + std::to_string(major) + "." +
                       std::to_string(data[7]));
  if (major != 1 && size < 12) return bad_input(what + ": truncated .npy header");
  const size_t header_len = major == 1 ? load_le16(data + 8) : load_le32(data + 8);
  const size_t header_start = major == 1 ? 10 : 12;
  if (header_len > kMaxHeaderBytes)
    return bad_input(what + ": .npy header of " + std::to_string(header_len) + " bytes is too long");
  NpyHeader h;
  h.header_bytes = header_start + header_len;
  if (size < h.header_bytes) return h;
  std::string text(reinterpret_cast<const char*>(data + header_start), header_len);
  FIDCPP_RETURN_IF_ERROR(HeaderParser(text, what).parse(h.descr, h.fortran_order, h.shape));
  h.complete = true;
  return h;
}

Result<std::map<std::string, NpyArray>> read_npz_members(const std::string& path,
                                                         const std::vector<std::string>& names,
                                                         const NpyLimits& limits) {
  ZipLimits zl;
  zl.max_entries = static_cast<uint64_t>(limits.max_members);
  const std::string what = "'" + path + "'";
  FIDCPP_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open_file(path, zl));
  std::map<std::string, NpyArray> out;
  for (const std::string& name : names) {
    const ZipEntry* e = zip.find(name + ".npy");
    if (!e) e = zip.find(name);
    if (!e) continue;
    const std::string member_what = what + " member '" + e->name + "'";
    FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                            zip.read(*e, limits.max_bytes + kMaxHeaderBytes + 16));
    FIDCPP_ASSIGN_OR_RETURN(out[name], parse_npy(bytes.data(), bytes.size(), member_what, limits));
  }
  return out;
}

Result<NpyArray> read_npy(const std::string& path, const NpyLimits& limits) {
  FIDCPP_ASSIGN_OR_RETURN(MappedFile m, MappedFile::open(path));
  return parse_npy(m.data(), m.size(), "'" + path + "'", limits);
}

Result<std::map<std::string, NpyArray>> read_npz(const std::string& path, const NpyLimits& limits) {
  FIDCPP_ASSIGN_OR_RETURN(MappedFile m, MappedFile::open(path));
  return parse_npz(m.data(), m.size(), "'" + path + "'", limits);
}

Result<std::map<std::string, NpyArray>> parse_npz(const uint8_t* data, size_t size, const std::string& what,
                                                  const NpyLimits& limits) {
  ZipLimits zl;
  zl.max_entries = static_cast<uint64_t>(limits.max_members);
  zl.max_entry_bytes = limits.max_bytes + kMaxHeaderBytes + 16;
  FIDCPP_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open(data, size, what, zl));
  std::map<std::string, NpyArray> out;
  for (const ZipEntry& e : zip.entries()) {
    if (e.name.empty() || e.name.back() == '/') continue;  // directory entries carry no array
    std::string key = e.name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    const std::string member_what = what + " member '" + e.name + "'";
    Result<NpyArray> arr = [&]() -> Result<NpyArray> {
      if (e.method == 0) {
        FIDCPP_ASSIGN_OR_RETURN(const uint8_t* p, zip.view_stored(e));
        return parse_npy(p, static_cast<size_t>(e.uncompressed_size), member_what, limits);
      }
      FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, zip.read(e, zl.max_entry_bytes));
      return parse_npy(bytes.data(), bytes.size(), member_what, limits);
    }();
    if (!arr.ok()) return arr.status();
    out[key] = std::move(arr).value();
  }
  return out;
}

std::vector<uint8_t> encode_npy(const NpyWriteArray& a) {
  const char* descr = a.dtype == NpyDtype::kF4 ? "<f4" : a.dtype == NpyDtype::kF8 ? "<f8" : "<i8";
  const size_t item = a.dtype == NpyDtype::kF4 ? 4 : 8;
  // Byte-for-byte what numpy 2.x np.save writes for a C-order array (format.py _write_array_header).
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape_repr(a.shape) + ", }";
  if (!a.shape.empty()) header += std::string(kGrowthAxisMaxDigits - std::to_string(a.shape[0]).size(), ' ');
  size_t hlen = header.size() + 1;
  int major = 1;
  size_t prefix = 10;
  size_t pad = kArrayAlign - (prefix + hlen) % kArrayAlign;
  if (hlen + pad > 0xFFFF) {
    major = 2;
    prefix = 12;
    pad = kArrayAlign - (prefix + hlen) % kArrayAlign;
  }
  std::string head(kMagic, 6);
  head += char(major);
  head += '\0';
  const size_t field = hlen + pad;
  for (size_t i = 0; i < prefix - 8; ++i) head += char((field >> (8 * i)) & 0xFF);
  head += header;
  head.append(pad, ' ');
  head += '\n';
  const int64_t numel = a.numel();
  std::vector<uint8_t> out(head.begin(), head.end());
  out.reserve(head.size() + static_cast<size_t>(numel) * item);
  for (int64_t i = 0; i < numel; ++i) {
    double v = a.data[i];
    if (a.dtype == NpyDtype::kF4) {
      float f = static_cast<float>(v);
      uint32_t u;
      std::memcpy(&u, &f, 4);
      put_le32(out, u);
    } else if (a.dtype == NpyDtype::kF8) {
      uint64_t u;
      std::memcpy(&u, &v, 8);
      put_le64(out, u);
    } else {
      put_le64(out, static_cast<uint64_t>(static_cast<int64_t>(v)));
    }
  }
  return out;
}

int64_t NpyWriteArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

namespace {
Status check_write_array(const NpyWriteArray& a, const std::string& what) {
  for (int64_t d : a.shape)
    if (d < 0) return invalid_argument(what + ": negative dimension in shape " + shape_repr(a.shape));
  if (a.numel() > 0 && a.data == nullptr)
    return invalid_argument(what + ": array '" + a.name + "' has no data");
  if (a.dtype == NpyDtype::kI8)
    for (int64_t i = 0; i < a.numel(); ++i)
      if (!(std::fabs(a.data[i]) < 9.2e18))
        return invalid_argument(what + ": array '" + a.name + "' holds a value that does not fit int64");
  return Status();
}
}  // namespace

Status write_npy(const std::string& path, const NpyWriteArray& a, Overwrite overwrite) {
  FIDCPP_RETURN_IF_ERROR(check_write_array(a, "'" + path + "'"));
  std::vector<uint8_t> bytes = encode_npy(a);
  return write_file_atomic(path, bytes.data(), bytes.size(), overwrite);
}

Status write_npz(const std::string& path, const std::vector<NpyWriteArray>& arrays, bool compress,
                 Overwrite overwrite) {
  ZipWriter zip;
  for (const auto& a : arrays) {
    if (a.name.empty() || a.name.find('/') != std::string::npos)
      return invalid_argument("'" + path + "': array name '" + a.name +
                              "' must be non-empty and contain no '/'");
    FIDCPP_RETURN_IF_ERROR(check_write_array(a, "'" + path + "'"));
    std::vector<uint8_t> bytes = encode_npy(a);
    FIDCPP_RETURN_IF_ERROR(
        zip.add(a.name + ".npy", bytes.data(), bytes.size(), compress).with_context("'" + path + "'"));
  }
  std::vector<uint8_t> bytes = zip.finish();
  return write_file_atomic(path, bytes.data(), bytes.size(), overwrite);
}

}  // namespace fidcpp
