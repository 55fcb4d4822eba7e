// ThreadPool: every index processed exactly once, for any pool and problem size.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
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

// Back-to-back jobs (the spinning hand-off) and jobs after idle gaps longer than the spin (the sleeping
// hand-off), with the workers' writes visible to the caller after each job: the values are not atomic, so a
// missing happens-before is a data race for ThreadSanitizer (tools/ci_tsan.sh runs this test).
TEST(ThreadPool, JobsHandOffBySpinningAndBySleeping) {
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    std::vector<long> slot(size_t(threads), 0);
    long want = 0;
    for (int rep = 0; rep < 2000; ++rep) {
      if (rep % 500 == 499) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // workers fall asleep
      pool.run_on_all([&](int w) { slot[size_t(w)] += rep; });
      want += rep;
      for (int w = 0; w < threads; ++w)
        ASSERT_EQ(slot[size_t(w)], want) << "threads " << threads << " rep " << rep;
    }
  }
}

// A pool destroyed while its workers sleep, and one destroyed while they spin, both join promptly.
TEST(ThreadPool, DestroysWhetherWorkersSpinOrSleep) {
  for (const bool sleep_first : {false, true}) {
    ThreadPool pool(3);
    std::atomic<int> n{0};
    pool.run_on_all([&](int) { n++; });
    if (sleep_first) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(n.load(), 3);
  }
}

}  // namespace
}  // namespace fidcpp
