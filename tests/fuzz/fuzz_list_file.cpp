// The CLI's image list-file parser (list_image_files on a .txt) on in-memory contents. The list file is
// taken to sit in tests/data/images/, so relative lines can name real fixtures (and zip members of
// images.zip) and reach the success path.
#include <string>

#include "fuzz/fuzz_target.h"
#include "io/image_source.h"

FIDCPP_FUZZ_TARGET(list_file) {
  using namespace fidcpp;
  static const std::string kListPath = std::string(FIDCPP_SOURCE_DIR) + "/tests/data/images/fuzz_list.txt";
  Result<std::vector<std::string>> files =
      parse_image_list(std::string(reinterpret_cast<const char*>(data), size), kListPath);
  if (!files.ok()) return 0;
  fuzz::fuzz_accepted();
  FIDCPP_FUZZ_CHECK(!files->empty());
  for (const std::string& f : *files) FIDCPP_FUZZ_CHECK(!f.empty());
  return 0;
}
