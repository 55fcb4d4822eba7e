// numpy legacy RandomState: docs/conventions.md §5.4 test vectors, MT19937's published first output, and
// numpy itself.
#include <gtest/gtest.h>

#include "metrics/numpy_random.h"
#include "metrics_ref.h"

namespace fidcpp {
namespace {

TEST(NumpyRandom, Mt19937FirstOutputForDefaultSeed) {
  // genrand_int32 after init_genrand(5489) (the reference implementation's default seed).
  NumpyRandomState rng(5489);
  EXPECT_EQ(rng.next_u32(), 3499211612u);
}

TEST(NumpyRandom, ReferenceVectors) {
  EXPECT_EQ(NumpyRandomState(2020).permutation(10), (std::vector<int64_t>{2, 4, 9, 1, 5, 7, 6, 3, 8, 0}));
  NumpyRandomState rng(2020);
  auto a = rng.choice_without_replacement(12, 5);
  auto b = rng.choice_without_replacement(12, 5);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, (std::vector<int64_t>{2, 1, 11, 4, 10}));
  EXPECT_EQ(*b, (std::vector<int64_t>{1, 6, 5, 4, 10}));
}

TEST(NumpyRandom, ChoiceLargerThanPopulationIsAnError) {
  NumpyRandomState rng(1);
  auto r = rng.choice_without_replacement(3, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(NumpyRandom, MatchesNumpyForManySizesAndSeeds) {
  METRICS_LOAD_REF_NPZ(z, "numpy_random");
  int checked = 0;
  for (const auto& kv : z) {
    if (kv.first.rfind("perm_", 0) == 0) {
      const size_t us = kv.first.find('_', 5);
      const uint32_t seed = static_cast<uint32_t>(std::stoull(kv.first.substr(5, us - 5)));
      const int64_t n = std::stoll(kv.first.substr(us + 1));
      std::vector<int64_t> p = NumpyRandomState(seed).permutation(n);
      ASSERT_EQ(static_cast<int64_t>(kv.second.data.size()), n) << kv.first;
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(p[static_cast<size_t>(i)], kv.second.data[static_cast<size_t>(i)]) << kv.first;
      ++checked;
    } else if (kv.first.rfind("choice_", 0) == 0) {
      NumpyRandomState rng(static_cast<uint32_t>(std::stoull(kv.first.substr(7))));
      std::vector<int64_t> all;
      for (auto [n, m] : {std::pair<int64_t, int64_t>{1500, 1000}, {2000, 1000}, {12, 5}}) {
        auto c = rng.choice_without_replacement(n, m);
        ASSERT_TRUE(c.ok());
        all.insert(all.end(), c->begin(), c->end());
      }
      ASSERT_EQ(all.size(), kv.second.data.size());
      for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], kv.second.data[i]) << kv.first << " at " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

}  // namespace
}  // namespace fidcpp
