// Image sources: folder scanning, zip member listing and list files, in a deterministic order.
#include "io/image_source.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/file.h"
#include "io/zip_reader.h"

namespace fidcpp {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

bool ends_with_ci(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

std::string extension_list() {
  std::string s;
  for (const std::string& e : image_extensions()) s += (s.empty() ? "." : ", .") + e;
  return s;
}

Status no_images(const std::string& what) {
  return not_found(what + " contains no images (looked for " + extension_list() + ", case-insensitive)");
}

Result<std::vector<std::string>> list_folder(const std::string& path, bool recursive) {
  std::vector<std::string> files;
  std::vector<fs::path> pending{fs::path(path)};
  while (!pending.empty()) {
    const fs::path dir = pending.back();
    pending.pop_back();
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) return io_error("cannot read folder '" + dir.string() + "': " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) return io_error("cannot read folder '" + dir.string() + "': " + ec.message());
      const std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      std::error_code ec2;
      const fs::file_status st = it->symlink_status(ec2);
      if (ec2) continue;
      if (fs::is_directory(st)) {
        if (recursive) pending.push_back(it->path());
        continue;
      }
      // Regular files and symlinks to regular files.
      if (!fs::is_regular_file(it->status(ec2)) || ec2) continue;
      if (has_image_extension(name)) files.push_back(it->path().string());
    }
  }
  if (files.empty()) return no_images("folder '" + path + "'" + (recursive ? " (searched recursively)" : ""));
  std::sort(files.begin(), files.end());
  return files;
}

bool hidden_member(const std::string& name) {
  size_t start = 0;
  while (start < name.size()) {
    if (name[start] == '.') return true;
    const size_t slash = name.find('/', start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return false;
}

Result<std::vector<std::string>> list_zip(const std::string& path) {
  auto zip = ZipReader::open_file(path);
  if (!zip.ok()) return zip.status();
  std::vector<std::string> names;
  for (const ZipEntry& e : zip->entries()) {
    if (e.name.empty() || e.name.back() == '/' || hidden_member(e.name)) continue;
    if (has_image_extension(e.name)) names.push_back(e.name);
  }
  if (names.empty()) return no_images("zip archive '" + path + "'");
  std::sort(names.begin(), names.end());
  std::vector<std::string> files;
  files.reserve(names.size());
  for (const std::string& n : names) files.push_back(path + "::" + n);
  return files;
}

Result<std::vector<std::string>> list_from_file(const std::string& path) {
  auto bytes = read_file(path, uint64_t(256) << 20);
  if (!bytes.ok()) return bytes.status().with_context("list file '" + path + "'");
  return parse_image_list(std::string(bytes->begin(), bytes->end()), path);
}

}  // namespace

Result<std::vector<std::string>> parse_image_list(const std::string& text, const std::string& path) {
  const fs::path base = fs::path(path).parent_path();
  std::vector<std::string> files;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (line[0] == '#') continue;
    const fs::path p(line);
    const std::string full = p.is_absolute() || base.empty() ? line : (base / p).string();
    std::string archive, member;
    const std::string must_exist = split_zip_member_path(full, &archive, &member) ? archive : full;
    std::error_code ec;
    if (!fs::is_regular_file(must_exist, ec))
      return not_found("list file '" + path + "' line " + std::to_string(line_no) + ": '" + full +
                       "' does not exist or is not a file");
    files.push_back(full);
  }
  if (files.empty()) return not_found("list file '" + path + "' lists no files");
  return files;
}

const std::vector<std::string>& image_extensions() {
  // pytorch-fid's and clean-fid's lists (bmp, jpg, jpeg, pgm, png, ppm, tif, tiff, webp), plus gif and pnm.
  static const std::vector<std::string> kExtensions = {"png", "jpg", "jpeg", "bmp", "gif", "ppm",
                                                       "pgm", "pnm", "webp", "tif", "tiff"};
  return kExtensions;
}

bool has_image_extension(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || name.find('/', dot) != std::string::npos) return false;
  const std::string ext = lower(name.substr(dot + 1));
  const auto& exts = image_extensions();
  return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

bool split_zip_member_path(const std::string& path, std::string* archive, std::string* member) {
  const std::string l = lower(path);
  const size_t at = l.find(".zip::");
  if (at == std::string::npos) return false;
  *archive = path.substr(0, at + 4);
  *member = path.substr(at + 6);
  return true;
}

Result<std::vector<std::string>> list_image_files(const std::string& path, bool recursive) {
  if (path.empty()) return invalid_argument("image source: empty path");
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return not_found("image source '" + path + "' does not exist");
  if (fs::is_directory(st)) return list_folder(path, recursive);
  if (ends_with_ci(path, ".zip")) return list_zip(path);
  if (ends_with_ci(path, ".txt")) return list_from_file(path);
  if (has_image_extension(path)) return std::vector<std::string>{path};
  return invalid_argument("image source '" + path + "' is not a folder, a .zip, a .txt list or an image (" +
                          extension_list() + ")");
}

}  // namespace fidcpp
