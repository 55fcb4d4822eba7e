// The parameter table against the key list generated from torch-fidelity's module
// (shared/docs/inception_keys.tsv).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "model/inception_table.h"

namespace fidcpp {
namespace {

TEST(InceptionTable, MatchesKeyListFromTorchFidelity) {
  const std::string path = std::string(FIDCPP_SOURCE_DIR) + "/tests/data/inception_keys.tsv";
  std::ifstream f(path);
  ASSERT_TRUE(f.good()) << "missing " << path;
  std::map<std::string, std::string> expected;  // float tensors only
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ls(line);
    std::string key, shape, dtype;
    std::getline(ls, key, '\t');
    std::getline(ls, shape, '\t');
    std::getline(ls, dtype, '\t');
    if (dtype == "torch.float32") expected[key] = shape;
  }
  ASSERT_EQ(expected.size(), 472u);
  auto specs = inception_param_specs(true);
  ASSERT_EQ(specs.size(), 472u);
  int64_t total = 0;
  for (const auto& s : specs) {
    auto it = expected.find(s.name);
    ASSERT_NE(it, expected.end()) << s.name;
    std::string py = "(";
    for (size_t i = 0; i < s.shape.size(); ++i) py += (i ? ", " : "") + std::to_string(s.shape[i]);
    py += s.shape.size() == 1 ? ",)" : ")";
    EXPECT_EQ(py, it->second) << s.name;
    int64_t n = 1;
    for (auto d : s.shape) n *= d;
    total += n;
  }
  EXPECT_EQ(total, 23885392);  // docs/conventions.md §1.8.1
  EXPECT_EQ(conv_unit_index("Mixed_7c.branch_pool"), kNumConvUnits - 1);
  EXPECT_EQ(conv_unit_index("nope"), -1);
}

// Exactly the pool branches of the blocks that average-pool run their 1x1 before the pool (Mixed_7c
// max-pools, and max does not commute with the convolution).
TEST(InceptionTable, PoolsAfterExactlyTheAveragePoolBranches) {
  std::vector<std::string> after;
  for (int u = 0; u < kNumConvUnits; ++u)
    if (conv_unit_pools_after(u)) after.push_back(conv_units()[u].prefix);
  const std::vector<std::string> want = {
      "Mixed_5b.branch_pool", "Mixed_5c.branch_pool", "Mixed_5d.branch_pool", "Mixed_6b.branch_pool",
      "Mixed_6c.branch_pool", "Mixed_6d.branch_pool", "Mixed_6e.branch_pool", "Mixed_7b.branch_pool"};
  EXPECT_EQ(after, want);
  EXPECT_FALSE(conv_unit_pools_after(-1));
  EXPECT_FALSE(conv_unit_pools_after(kNumConvUnits));
}

}  // namespace
}  // namespace fidcpp
