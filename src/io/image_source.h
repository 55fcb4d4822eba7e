// Image sources: a folder, a .zip archive or a list file, expanded to the ordered list of images to decode.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace fidcpp {

// Extensions list_image_files picks up (compared case-insensitively): the formats decode_image_file reads.
const std::vector<std::string>& image_extensions();
bool has_image_extension(const std::string& name);

// Expands `path` into image paths, in a deterministic order:
//  - a folder: regular files with an image extension, sorted by their path bytes (std::string order, the same
//  on
//    every machine and locale). Names starting with '.' (hidden files and folders) are skipped. Sub-folders
//    are entered only when `recursive` (symlinked folders are not followed, to avoid cycles).
//  - "*.zip" (case-insensitive): its members with an image extension, sorted by member name, returned as
//    "<path>::<member>" (zip member syntax understood by decode_image_file). Folders and hidden members
//    (any path component starting with '.', e.g. "__MACOSX/._a.png" is kept out by the '.' rule only when the
//    component starts with '.') are skipped; `recursive` does not apply: every member is listed.
//  - "*.txt" (case-insensitive): a list file, one path per line, relative paths taken from the list file's
//  folder;
//    blank lines and lines starting with '#' are ignored, surrounding spaces trimmed. Order is kept as
//    written. Every listed file must exist (the error names it and its line). Listed paths may be zip
//    members.
// Errors: missing path, unreadable folder/list, a folder or archive with no images (the message names the
// extensions looked for), a listed file that does not exist.
Result<std::vector<std::string>> list_image_files(const std::string& path, bool recursive = false);

// The list-file parser behind list_image_files on the file's contents; `path` is the list file's path
// (relative entries are taken from its folder, errors name it).
Result<std::vector<std::string>> parse_image_list(const std::string& text, const std::string& path);

// Splits "archive.zip::member/name.png" at the first "::" that follows ".zip" (case-insensitive). Returns
// false (outputs untouched) for a plain path.
bool split_zip_member_path(const std::string& path, std::string* archive, std::string* member);

}  // namespace fidcpp
