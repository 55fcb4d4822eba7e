// safetensors and the JSON parser under it: round trip, then damaged files, each with its precise message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "io/json.h"
#include "io/little_endian.h"
#include "io/safetensors.h"

namespace fidcpp {
namespace {

std::vector<uint8_t> make_file(const std::string& header, size_t data_bytes,
                               uint64_t declared_len = UINT64_MAX) {
  std::vector<uint8_t> b;
  put_le64(b, declared_len == UINT64_MAX ? header.size() : declared_len);
  b.insert(b.end(), header.begin(), header.end());
  for (size_t i = 0; i < data_bytes; ++i) b.push_back(uint8_t(i));
  return b;
}

Status parse_status(const std::vector<uint8_t>& b, const SafetensorsOptions& o = {}) {
  auto r = parse_safetensors(b.data(), b.size(), "t.safetensors", o);
  return r.ok() ? Status() : r.status();
}

void expect_error(const Status& s, const std::string& needle) {
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("t.safetensors"), std::string::npos) << s.message();
}

TensorMap sample_map(std::vector<float>& a, std::vector<float>& b) {
  a = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f};
  b = {42.0f};
  TensorMap m;
  m.tensors["z.last"] = HostTensor{{2, 3}, a.data(), {}};
  m.tensors["a.first"] = HostTensor{{1}, b.data(), {}};
  m.tensors["empty"] = HostTensor{{0, 4}, nullptr, {}};
  m.metadata = {{"format", "x"}, {"quote\"d", "line\nbreak"}};
  return m;
}

TEST(Safetensors, RoundTripAndLayout) {
  std::vector<float> a, b;
  TensorMap m = sample_map(a, b);
  auto bytes = encode_safetensors(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((8 + load_le64(bytes->data())) % 8, 0u) << "data region must start 8-byte aligned";
  EXPECT_EQ(*bytes, *encode_safetensors(m)) << "deterministic";
  auto r = parse_safetensors(bytes->data(), bytes->size(), "t.safetensors");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->metadata, m.metadata);
  ASSERT_EQ(r->tensors.size(), 3u);
  EXPECT_EQ(r->find("z.last")->shape, (std::vector<int64_t>{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r->find("z.last")->data[i], a[i]);
  EXPECT_EQ(r->find("a.first")->data[0], 42.0f);
  EXPECT_EQ(r->find("empty")->numel(), 0);
  // Tensors are laid out in name order: a.first, empty, z.last.
  auto h = parse_safetensors_header(bytes->data(), bytes->size(), "t.safetensors");
  ASSERT_TRUE(h.ok());
  for (const auto& e : h->entries)
    if (e.name == "z.last") {
      EXPECT_EQ(e.begin, 4u);
    }
}

TEST(Safetensors, TruncatedAnywhereFailsCleanly) {
  std::vector<float> a, b;
  auto bytes = *encode_safetensors(sample_map(a, b));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    std::vector<uint8_t> t(bytes.begin(), bytes.begin() + cut);
    EXPECT_FALSE(parse_status(t).ok()) << "cut at " << cut;
  }
  expect_error(parse_status(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 5)), "too small");
  expect_error(parse_status(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 40)), "beyond the end");
  expect_error(parse_status(std::vector<uint8_t>(bytes.begin(), bytes.end() - 4)),
               "tensor 'z.last' has data_offsets [4,28] beyond the data region of 24 bytes");
}

TEST(Safetensors, RejectsDamagedHeadersPrecisely) {
  const std::string f32 = R"("dtype":"F32")";
  expect_error(parse_status(make_file("{}", 0, uint64_t(200) << 20)), "exceeds the limit");
  expect_error(parse_status(make_file("{\"a\":", 0)), "invalid JSON at byte 5");
  expect_error(parse_status(make_file("{\"a\":{},}", 0)), "invalid JSON");
  expect_error(parse_status(make_file("[1,2]", 0)), "header is not a JSON object");
  expect_error(parse_status(make_file(R"({"__metadata__":{"k":1}})", 0)),
               "__metadata__ entry 'k' is a number");
  expect_error(parse_status(make_file(R"({"w":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}})", 4)),
               "tensor 'w' has unknown dtype 'F31'");
  expect_error(parse_status(make_file(R"({"w":{)" + f32 + R"(,"shape":[2,2],"data_offsets":[0,12]}})", 12)),
               "tensor 'w' has 12 data bytes, expected 16 for F32 [2,2]");
  expect_error(parse_status(make_file(R"({"w":{)" + f32 + R"(,"shape":[4],"data_offsets":[0,16]}})", 8)),
               "tensor 'w' has data_offsets [0,16] beyond the data region of 8 bytes");
  expect_error(parse_status(make_file(R"({"w":{)" + f32 + R"(,"shape":[1],"data_offsets":[8,4]}})", 8)),
               "begin > end");
  expect_error(parse_status(make_file(R"({"a":{)" + f32 + R"(,"shape":[2],"data_offsets":[0,8]},"b":{)" +
                                          f32 + R"(,"shape":[2],"data_offsets":[4,12]}})",
                                      12)),
               "tensors 'a' and 'b' overlap");
  expect_error(parse_status(make_file(R"({"w":{)" + f32 + R"(,"shape":[-1],"data_offsets":[0,4]}})", 4)),
               "not a non-negative integer");
  expect_error(parse_status(make_file(R"({"w":{)" + f32 + R"(,"data_offsets":[0,4]}})", 4)),
               "needs the fields dtype, shape and data_offsets");
  expect_error(parse_status(make_file(R"({"w":{)" + f32 + R"(,"shape":[1],"data_offsets":[0,4],"x":1}})", 4)),
               "unknown field \"x\"");
  expect_error(
      parse_status(make_file(R"({"w":{)" + f32 + R"(,"shape":[1],"data_offsets":[0,4]},"w":{}})", 4)),
      "duplicate key \"w\"");
  expect_error(
      parse_status(make_file(
          R"({"w":{)" + f32 + R"(,"shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})", 4)),
      "impossible size");
  const std::string i64 = R"({"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"w":{)" + f32 +
                          R"(,"shape":[1],"data_offsets":[8,12]}})";
  expect_error(parse_status(make_file(i64, 12)), "tensor 'n' has dtype I64, expected F32");
  SafetensorsOptions skip;
  skip.skip_non_f32 = true;
  auto b = make_file(i64, 12);
  auto r = parse_safetensors(b.data(), b.size(), "t.safetensors", skip);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->tensors.size(), 1u);
}

TEST(Json, StrictParserAcceptsAndRefuses) {
  auto ok = [](const std::string& s) { return parse_json(s.data(), s.size(), "j").ok(); };
  EXPECT_TRUE(ok(R"({"a":[1,-2.5e3,true,false,null,"\u00e9\ud83d\ude00\n"]})"));
  auto v = parse_json(R"({"s":"\u00e9\ud83d\ude00","n":-9007199254740993,"f":0.5})", 56, "j");
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_EQ(v->get("s")->string, "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(v->get("n")->is_integer);
  EXPECT_EQ(v->get("n")->integer, -9007199254740993LL);
  EXPECT_FALSE(v->get("f")->is_integer);
  for (const char* bad : {"", "{", "{\"a\" 1}", "[1,]", "01", "1.", "-", "\"\\x\"", "\"\\ud800\"", "tru",
                          "{} {}", "\"a\x01\"", "\"\xff\"", "\"\xc0\x80\"", "[99999999999999999999999"}) {
    EXPECT_FALSE(ok(bad)) << bad;
  }
  std::string deep(100, '[');
  EXPECT_FALSE(ok(deep + std::string(100, ']'))) << "depth limit";
  std::string out;
  append_json_string(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\u000a\\u0001\"");
  auto back = parse_json(out.data(), out.size(), "j");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->string, "a\"b\\c\n\x01");
}

}  // namespace
}  // namespace fidcpp
