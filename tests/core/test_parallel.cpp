// ThreadPool: every index processed exactly once, for any pool and problem size.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/parallel.h"

namespace fidcpp {
namespace {

TEST(ThreadPool, ParallelForCoversEachIndexOnce) {
  for (int threads : {1, 2, 3, 7}) {
    ThreadPool pool(threads);
    for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(5), size_t(1000)}) {
      std::vector<std::atomic<int>> hits(n);
      for (auto& h : hits) h = 0;
      pool.parallel_for(n, [&](size_t b, size_t e, int w) {
        EXPECT_GE(w, 0);
        EXPECT_LT(w, threads);
        for (size_t i = b; i < e; ++i) hits[i]++;
      });
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "threads=" << threads << " n=" << n;
    }
  }
}

TEST(ThreadPool, RunOnAllRunsEachWorkerOnce) {
  ThreadPool pool(4);
  std::vector<std::atomic<int>> hits(4);
  for (auto& h : hits) h = 0;
  for (int rep = 0; rep < 50; ++rep) pool.run_on_all([&](int w) { hits[w]++; });
  for (auto& h : hits) EXPECT_EQ(h.load(), 50);
}

}  // namespace
}  // namespace fidcpp
