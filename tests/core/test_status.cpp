// Status / Result behaviour.
#include <gtest/gtest.h>

#include "core/status.h"

namespace fidcpp {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("value must be positive, got " + std::to_string(v));
  return v;
}

Status chain(int v, int* out) {
  FIDCPP_ASSIGN_OR_RETURN(*out, parse_positive(v));
  return Status();
}

TEST(Status, OkAndErrorCarryCodeAndMessage) {
  EXPECT_TRUE(Status().ok());
  Status s = bad_input("image 'a.png': truncated");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kBadInput);
  EXPECT_EQ(s.to_string(), "bad input: image 'a.png': truncated");
  EXPECT_EQ(s.with_context("folder 'x'").message(), "folder 'x': image 'a.png': truncated");
}

TEST(Status, ResultPropagatesThroughMacro) {
  int out = 0;
  EXPECT_TRUE(chain(5, &out).ok());
  EXPECT_EQ(out, 5);
  Status s = chain(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("-1"), std::string::npos);
}

TEST(Status, ResultFromOkStatusBecomesInternalError) {
  Result<int> r{Status()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace fidcpp
