// File helpers: bounded reads, atomic no-overwrite writes.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/file.h"

namespace fidcpp {
namespace {

std::string temp_path(const char* name) {
  return ::testing::TempDir() + "fidcpp_test_file_" + name;
}

TEST(File, AtomicWriteRefusesToOverwrite) {
  std::string p = temp_path("a.bin");
  std::remove(p.c_str());
  ASSERT_TRUE(write_file_atomic(p, "abc", 3, Overwrite::kRefuse).ok());
  Status s = write_file_atomic(p, "xyz", 3, Overwrite::kRefuse);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("already exists"), std::string::npos);
  auto r = read_file(p, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(r->begin(), r->end()), "abc");
  ASSERT_TRUE(write_file_atomic(p, "xyz", 3, Overwrite::kAllow).ok());
  r = read_file(p, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(r->begin(), r->end()), "xyz");
  std::remove(p.c_str());
}

TEST(File, ReadFileEnforcesLimitAndReportsMissing) {
  std::string p = temp_path("b.bin");
  std::remove(p.c_str());
  ASSERT_TRUE(write_file_atomic(p, "0123456789", 10, Overwrite::kAllow).ok());
  auto r = read_file(p, 9);
  EXPECT_EQ(r.status().code(), StatusCode::kBadInput);
  EXPECT_NE(r.status().message().find(p), std::string::npos);
  EXPECT_EQ(read_file(p + ".missing", 9).status().code(), StatusCode::kNotFound);
  auto m = MappedFile::open(p);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size(), 10u);
  EXPECT_EQ(m->data()[3], '3');
  std::remove(p.c_str());
}

}  // namespace
}  // namespace fidcpp
