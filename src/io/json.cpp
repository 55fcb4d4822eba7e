// Strict JSON parser (RFC 8259) and string escaping.
#include "io/json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

namespace fidcpp {

namespace {

class Parser {
 public:
  Parser(const char* p, size_t n, const std::string& what, const JsonLimits& l)
      : p_(p), n_(n), what_(what), l_(l) {}

  Result<JsonValue> run() {
    JsonValue v;
    skip_ws();
    FIDCPP_RETURN_IF_ERROR(value(v, 0));
    skip_ws();
    if (i_ != n_) return error("unexpected data after the JSON value");
    return v;
  }

 private:
  Status error(const std::string& m) const {
    return bad_input(what_ + ": invalid JSON at byte " + std::to_string(i_) + ": " + m);
  }
  void skip_ws() {
    while (i_ < n_ && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r')) ++i_;
  }
  bool literal(const char* s) {
    size_t k = 0;
    while (s[k]) {
      if (i_ + k >= n_ || p_[i_ + k] != s[k]) return false;
      ++k;
    }
    i_ += k;
    return true;
  }

  Status value(JsonValue& v, int depth) {
    if (depth > l_.max_depth) return error("nesting deeper than " + std::to_string(l_.max_depth));
    if (i_ >= n_) return error("unexpected end of input");
    char c = p_[i_];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') {
      v.type = JsonValue::Type::kString;
      return string(v.string);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(v);
    if (literal("true")) {
      v.type = JsonValue::Type::kBool;
      v.boolean = true;
      return Status();
    }
    if (literal("false")) {
      v.type = JsonValue::Type::kBool;
      return Status();
    }
    if (literal("null")) {
      v.type = JsonValue::Type::kNull;
      return Status();
    }
    return error(std::string("unexpected character '") + (c >= 0x20 && c < 0x7f ? std::string(1, c) : "?") +
                 "'");
  }

  Status object(JsonValue& v, int depth) {
    v.type = JsonValue::Type::kObject;
    ++i_;
    skip_ws();
    if (i_ < n_ && p_[i_] == '}') {
      ++i_;
      return Status();
    }
    std::set<std::string> seen;
    while (true) {
      skip_ws();
      if (i_ >= n_ || p_[i_] != '"') return error("expected a string key");
      std::string key;
      FIDCPP_RETURN_IF_ERROR(string(key));
      if (!seen.insert(key).second) return error("duplicate key \"" + key + "\"");
      skip_ws();
      if (i_ >= n_ || p_[i_] != ':') return error("expected ':'");
      ++i_;
      skip_ws();
      v.object.emplace_back(std::move(key), JsonValue());
      FIDCPP_RETURN_IF_ERROR(value(v.object.back().second, depth + 1));
      skip_ws();
      if (i_ < n_ && p_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < n_ && p_[i_] == '}') {
        ++i_;
        return Status();
      }
      return error("expected ',' or '}'");
    }
  }

  Status array(JsonValue& v, int depth) {
    v.type = JsonValue::Type::kArray;
    ++i_;
    skip_ws();
    if (i_ < n_ && p_[i_] == ']') {
      ++i_;
      return Status();
    }
    while (true) {
      skip_ws();
      v.array.emplace_back();
      FIDCPP_RETURN_IF_ERROR(value(v.array.back(), depth + 1));
      skip_ws();
      if (i_ < n_ && p_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < n_ && p_[i_] == ']') {
        ++i_;
        return Status();
      }
      return error("expected ',' or ']'");
    }
  }

  static void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(uint32_t& out) {
    if (n_ - i_ < 4) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      char c = p_[i_ + k];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= uint32_t(c - 'A' + 10);
      else
        return false;
    }
    i_ += 4;
    return true;
  }

  // Validates UTF-8 as it copies, so every string handed on is well-formed.
  Status string(std::string& out) {
    ++i_;
    while (true) {
      if (i_ >= n_) return error("unterminated string");
      unsigned char c = static_cast<unsigned char>(p_[i_]);
      if (c == '"') {
        ++i_;
        return Status();
      }
      if (c < 0x20) return error("control character in string");
      if (c == '\\') {
        if (++i_ >= n_) return error("unterminated escape");
        char e = p_[i_++];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            uint32_t cp;
            if (!hex4(cp)) return error("bad \\u escape");
            if (cp >= 0xD800 && cp < 0xDC00) {
              uint32_t lo;
              if (n_ - i_ < 2 || p_[i_] != '\\' || p_[i_ + 1] != 'u') return error("unpaired surrogate");
              i_ += 2;
              if (!hex4(lo) || lo < 0xDC00 || lo >= 0xE000) return error("unpaired surrogate");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
              return error("unpaired surrogate");
            }
            put_utf8(out, cp);
            break;
          }
          default:
            return error("bad escape");
        }
        continue;
      }
      int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (len == 0 || n_ - i_ < size_t(len)) return error("invalid UTF-8");
      uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (int k = 1; k < len; ++k) {
        unsigned char d = static_cast<unsigned char>(p_[i_ + k]);
        if ((d >> 6) != 2) return error("invalid UTF-8");
        cp = (cp << 6) | (d & 0x3F);
      }
      static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
      if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return error("invalid UTF-8");
      out.append(p_ + i_, size_t(len));
      i_ += size_t(len);
    }
  }

  Status number(JsonValue& v) {
    size_t start = i_;
    bool integral = true;
    if (p_[i_] == '-') ++i_;
    if (i_ >= n_) return error("bad number");
    if (p_[i_] == '0') {
      ++i_;
    } else if (p_[i_] >= '1' && p_[i_] <= '9') {
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') ++i_;
    } else {
      return error("bad number");
    }
    if (i_ < n_ && p_[i_] == '.') {
      integral = false;
      ++i_;
      if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9') return error("bad number");
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') ++i_;
    }
    if (i_ < n_ && (p_[i_] == 'e' || p_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (i_ < n_ && (p_[i_] == '+' || p_[i_] == '-')) ++i_;
      if (i_ >= n_ || p_[i_] < '0' || p_[i_] > '9') return error("bad number");
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') ++i_;
    }
    std::string text(p_ + start, i_ - start);
    v.type = JsonValue::Type::kNumber;
    v.number = std::strtod(text.c_str(), nullptr);
    if (integral) {
      errno = 0;
      long long x = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == 0) {
        v.is_integer = true;
        v.integer = x;
      }
    }
    return Status();
  }

  const char* p_;
  size_t n_;
  const std::string& what_;
  const JsonLimits& l_;
  size_t i_ = 0;
};

}  // namespace

const JsonValue* JsonValue::get(const std::string& key) const {
  for (const auto& kv : object)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

const char* json_type_name(JsonValue::Type t) {
  switch (t) {
    case JsonValue::Type::kNull:
      return "null";
    case JsonValue::Type::kBool:
      return "boolean";
    case JsonValue::Type::kNumber:
      return "number";
    case JsonValue::Type::kString:
      return "string";
    case JsonValue::Type::kArray:
      return "array";
    case JsonValue::Type::kObject:
      return "object";
  }
  return "?";
}

Result<JsonValue> parse_json(const char* text, size_t size, const std::string& what,
                             const JsonLimits& limits) {
  return Parser(text, size, what, limits).run();
}

void append_json_string(std::string& out, const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += char(c);
    }
  }
  out += '"';
}

}  // namespace fidcpp
