// SHA-256 and SHA-1 against the FIPS 180 example vectors (NIST CSRC "Examples with Intermediate Values"),
// and streaming in arbitrary chunk sizes giving the one-shot digest.
#include <gtest/gtest.h>

#include <string>

#include "core/sha1.h"
#include "core/sha256.h"
#include "core/splitmix64.h"

namespace fidcpp {
namespace {

struct Vector {
  std::string msg;
  const char* sha256;
  const char* sha1;
};

std::vector<Vector> nist_vectors() {
  return {
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
       "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
       "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopq"
       "rstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
       "a49b2446a02c645bf419f995b67091253a04a259"},
      {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
       "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
  };
}

TEST(Sha, NistVectorsOneShot) {
  for (const auto& v : nist_vectors()) {
    SCOPED_TRACE(v.msg.substr(0, 20));
    EXPECT_EQ(sha256_hex(v.msg.data(), v.msg.size()), v.sha256);
    EXPECT_EQ(sha1_hex(v.msg.data(), v.msg.size()), v.sha1);
  }
}

TEST(Sha, StreamingInRandomChunksMatches) {
  SplitMix64 rng(42);
  for (const auto& v : nist_vectors()) {
    for (int trial = 0; trial < 5; ++trial) {
      Sha256 a;
      Sha1 b;
      size_t pos = 0;
      while (pos < v.msg.size()) {
        size_t n = std::min<size_t>(v.msg.size() - pos, rng.next() % 150);
        a.update(v.msg.data() + pos, n);
        b.update(v.msg.data() + pos, n);
        pos += n;
      }
      EXPECT_EQ(a.finish_hex(), v.sha256);
      EXPECT_EQ(b.finish_hex(), v.sha1);
    }
  }
}

TEST(Sha, PaddingBoundaries) {
  // Lengths around the 55/56/64-byte padding edges, checked against a second computation fed byte by byte.
  for (size_t len : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u}) {
    std::string m(len, 'x');
    Sha256 s;
    for (char c : m) s.update(&c, 1);
    EXPECT_EQ(s.finish_hex(), sha256_hex(m.data(), m.size())) << len;
  }
  // A value from Python hashlib: sha256(b'x' * 64).
  std::string m(64, 'x');
  EXPECT_EQ(sha256_hex(m.data(), m.size()),
            "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}

}  // namespace
}  // namespace fidcpp
