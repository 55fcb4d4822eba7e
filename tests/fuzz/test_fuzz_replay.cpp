// Replays every fuzz target over its seed corpus (tests/fuzz/corpus/<name>/) and the inputs of crashes found
// and fixed (tests/fuzz/regressions/<name>/), so the plain and sanitizer test runs keep them fixed. Fails on
// a crash or a violated invariant (abort), on a target without seeds, on a seed corpus that the reader never
// accepts, and on a corpus folder without a target.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace fidcpp::fuzz {

namespace {

namespace fs = std::filesystem;

std::map<std::string, TargetFn>& registry() {
  static std::map<std::string, TargetFn> r;
  return r;
}

std::vector<std::string> expected_targets() {
  std::vector<std::string> names;
  std::stringstream ss(FIDCPP_FUZZ_TARGET_LIST);
  for (std::string n; std::getline(ss, n, ',');) names.push_back(n);
  return names;
}

const fs::path kFuzzDir = fs::path(FIDCPP_SOURCE_DIR) / "tests" / "fuzz";

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Runs the target on the file's bytes in a buffer of exactly their size (so ASan sees a read one past the
// end).
void run_file(TargetFn fn, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(in) << file;
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::unique_ptr<uint8_t[]> buf(new uint8_t[std::max<size_t>(bytes.size(), 1)]);
  std::copy(bytes.begin(), bytes.end(), buf.get());
  SCOPED_TRACE(file.string());
  EXPECT_EQ(fn(buf.get(), bytes.size()), 0);
}

}  // namespace

bool register_target(const char* name, TargetFn fn) {
  registry()[name] = fn;
  return true;
}

namespace {

TEST(FuzzReplay, EveryListedTargetIsBuiltAndEveryCorpusHasATarget) {
  const std::vector<std::string> names = expected_targets();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(registry().size(), names.size());
  for (const std::string& n : names) EXPECT_TRUE(registry().count(n)) << "target " << n << " not linked in";
  for (const char* sub : {"corpus", "regressions"}) {
    std::error_code ec;
    if (!fs::is_directory(kFuzzDir / sub, ec)) continue;
    for (const auto& e : fs::directory_iterator(kFuzzDir / sub))
      EXPECT_TRUE(registry().count(e.path().filename().string()))
          << e.path() << " has no fuzz target of that name";
  }
}

class Replay : public ::testing::TestWithParam<std::string> {};

TEST_P(Replay, SeedCorpus) {
  auto it = registry().find(GetParam());
  ASSERT_NE(it, registry().end());
  const std::vector<fs::path> seeds = files_in(kFuzzDir / "corpus" / GetParam());
  ASSERT_FALSE(seeds.empty()) << "no seeds in tests/fuzz/corpus/" << GetParam();
  accepted_count() = 0;
  for (const fs::path& f : seeds) run_file(it->second, f);
#ifdef FIDCPP_MINIMAL
  // No libwebp or libtiff in the minimal build: every seed is refused ("not supported in this build").
  if (GetParam() == "decode_webp" || GetParam() == "decode_tiff") {
    EXPECT_EQ(accepted_count(), 0u) << "the minimal build decoded a " << GetParam() << " seed";
    return;
  }
#endif
  EXPECT_GT(accepted_count(), 0u) << "the reader accepts none of the " << seeds.size() << " seeds";
  std::cout << "[ replay   ] " << GetParam() << ": " << seeds.size() << " seeds, " << accepted_count()
            << " accepted results\n";
}

TEST_P(Replay, Regressions) {
  auto it = registry().find(GetParam());
  ASSERT_NE(it, registry().end());
  const std::vector<fs::path> inputs = files_in(kFuzzDir / "regressions" / GetParam());
  for (const fs::path& f : inputs) run_file(it->second, f);
  std::cout << "[ replay   ] " << GetParam() << ": " << inputs.size() << " regression inputs\n";
}

INSTANTIATE_TEST_SUITE_P(Targets, Replay, ::testing::ValuesIn(expected_targets()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace

}  // namespace fidcpp::fuzz
