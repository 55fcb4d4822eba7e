// ZIP reader/writer: round trips (stored, deflated, forced ZIP64, empty members), and archives damaged in the
// ways a reader must survive: bad CRC, truncation, bombs, unsafe or duplicate names, unknown methods.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/file.h"
#include "core/splitmix64.h"
#include "io/zip_reader.h"
#include "io/zip_writer.h"

namespace fidcpp {
namespace {

std::vector<uint8_t> random_bytes(size_t n, uint64_t seed, int alphabet = 256) {
  SplitMix64 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = uint8_t(rng.next() % alphabet);
  return v;
}

struct Member {
  std::string name;
  std::vector<uint8_t> data;
  bool deflate;
};

std::vector<Member> sample_members() {
  return {{"a/data.pkl", random_bytes(1000, 1, 4), true},
          {"a/data/0", random_bytes(4096, 2), false},
          {"empty_stored", {}, false},
          {"empty_deflated", {}, true},
          {"zeros", std::vector<uint8_t>(100000, 0), true}};
}

// The minimal build (FIDCPP_MINIMAL, no zlib) has no deflate encoder: its writer stores what it is asked to
// deflate. Its reader still inflates (stb_image's inflate), tested on archives numpy and Python wrote.
#ifdef FIDCPP_MINIMAL
constexpr bool kWriterDeflates = false;
#else
constexpr bool kWriterDeflates = true;
#endif

const std::string kIoDir = std::string(FIDCPP_TEST_DATA_DIR) + "/io/";

std::vector<uint8_t> build(const std::vector<Member>& ms, bool z64 = false) {
  ZipWriter w(z64);
  for (const auto& m : ms) EXPECT_TRUE(w.add(m.name, m.data.data(), m.data.size(), m.deflate).ok());
  return w.finish();
}

Status open_status(const std::vector<uint8_t>& z, const ZipLimits& limits = {}) {
  auto r = ZipReader::open(z.data(), z.size(), "t.zip", limits);
  if (!r.ok()) return r.status();
  for (const auto& e : r->entries()) {
    auto b = r->read(e, uint64_t(1) << 30);
    if (!b.ok()) return b.status();
  }
  return Status();
}

void expect_error(const Status& s, const std::string& needle) {
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(Zip, RoundTripStoredDeflatedAndZip64) {
  auto ms = sample_members();
  for (bool z64 : {false, true}) {
    SCOPED_TRACE(z64);
    auto z = build(ms, z64);
    auto r = ZipReader::open(z.data(), z.size(), "t.zip");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_EQ(r->entries().size(), ms.size());
    for (const auto& m : ms) {
      const ZipEntry* e = r->find(m.name);
      ASSERT_NE(e, nullptr) << m.name;
      EXPECT_EQ(e->method, m.deflate && kWriterDeflates ? 8 : 0);
      auto b = r->read(*e, 1 << 20);
      ASSERT_TRUE(b.ok()) << b.status().to_string();
      EXPECT_EQ(*b, m.data) << m.name;
      if (e->method == 0) {
        auto v = r->view_stored(*e);
        ASSERT_TRUE(v.ok());
        EXPECT_TRUE(m.data.empty() || std::equal(m.data.begin(), m.data.end(), *v));
      }
    }
    if (kWriterDeflates) {
      EXPECT_LT(r->find("zeros")->compressed_size, 1000u);
    }
  }
}

TEST(Zip, WriterIsDeterministic) {
  EXPECT_EQ(build(sample_members()), build(sample_members()));
}

TEST(Zip, DetectsCorruptionAndTruncation) {
  auto ms = sample_members();
  auto z = build(ms);
  auto r = ZipReader::open(z.data(), z.size(), "t.zip");
  ASSERT_TRUE(r.ok());
  // Flip a byte inside the stored member: CRC catches it.
  auto bad = z;
  bad[r->find("a/data/0")->data_offset + 100] ^= 1;
  expect_error(open_status(bad), "CRC-32");
  // Damage the deflate stream.
  bad = z;
  for (int i = 0; i < 16; ++i) bad[r->find("a/data.pkl")->data_offset + i] = 0xFF;
  expect_error(open_status(bad), "a/data.pkl");
  // Truncations at many offsets never crash and always fail.
  for (size_t cut = 0; cut < z.size(); cut += 97) {
    std::vector<uint8_t> t(z.begin(), z.begin() + cut);
    EXPECT_FALSE(open_status(t).ok()) << "cut at " << cut;
  }
  expect_error(open_status({1, 2, 3}), "too small");
  expect_error(open_status(std::vector<uint8_t>(100, 7)), "no end-of-central-directory");
}

// Patches a field of the central directory entry of member `name`.
void patch_central(std::vector<uint8_t>& z, const std::string& name, size_t field_offset, uint64_t value,
                   int bytes) {
  for (size_t p = 0; p + 46 < z.size(); ++p) {
    if (z[p] == 0x50 && z[p + 1] == 0x4b && z[p + 2] == 1 && z[p + 3] == 2 &&
        std::string(reinterpret_cast<char*>(&z[p + 46]), name.size()) == name) {
      for (int i = 0; i < bytes; ++i) z[p + field_offset + i] = uint8_t(value >> (8 * i));
      return;
    }
  }
  FAIL() << "no central entry for " << name;
}

TEST(Zip, RefusesBombsUnknownMethodsAndLimits) {
  auto z = build(sample_members());
  // A deflated member claiming 2 GiB: ours, or numpy's where the writer cannot deflate.
  auto bomb = kWriterDeflates ? z : read_file(kIoDir + "stats_deflated.npz", 1 << 20).value();
  patch_central(bomb, kWriterDeflates ? "zeros" : "sigma.npy", 24, 0x7FFFFFFF, 4);  // uncompressed size
  expect_error(open_status(bomb), "compression ratio");
  ZipLimits small;
  small.max_entry_bytes = 50000;
  expect_error(open_status(z, small), "'zeros' is 100000 bytes uncompressed, more than the limit");
  small = ZipLimits();
  small.max_entries = 3;
  expect_error(open_status(z, small), "5 members, more than the limit of 3");
  auto method = z;
  patch_central(method, "zeros", 10, 12, 2);  // bzip2
  expect_error(open_status(method), "compression method 12");
  auto enc = z;
  patch_central(enc, "zeros", 8, 1, 2);
  expect_error(open_status(enc), "encrypted");
  auto lie = z;
  patch_central(lie, "a/data/0", 24, 4000, 4);  // stored with csize != usize
  expect_error(open_status(lie), "different compressed and uncompressed sizes");
  auto far = z;
  patch_central(far, "zeros", 42, 0x7FFFFFF0, 4);  // local header offset
  expect_error(open_status(far), "local header");
}

TEST(Zip, RefusesUnsafeAndDuplicateNames) {
  for (const char* name : {"../evil", "a/../../evil", "/etc/passwd"}) {
    // The writer accepts them (it only writes bytes); the reader refuses.
    auto z = build({{name, {1, 2, 3}, false}});
    expect_error(open_status(z), name[0] == '/' ? "absolute path" : "'..' component");
  }
  auto z = build({{"x1", {1}, false}, {"x2", {2}, false}});
  for (size_t p = 0; p + 2 <= z.size(); ++p)
    if (z[p] == 'x' && z[p + 1] == '2') z[p + 1] = '1';
  expect_error(open_status(z), "duplicate member 'x1'");
}

// Python's zipfile reads our archives, including forced ZIP64 ones (needs FIDCPP_PYTHON).
TEST(Zip, PythonZipfileReadsOurArchives) {
  const char* py = std::getenv("FIDCPP_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "set FIDCPP_PYTHON to a Python interpreter to cross-check with zipfile";
  for (bool z64 : {false, true}) {
    auto z = build({{"hello.txt", {'h', 'i'}, false}, {"zeros", std::vector<uint8_t>(5000, 0), true}}, z64);
    std::string path = ::testing::TempDir() + "/fidcpp_zip_" + std::to_string(z64) + ".zip";
    ASSERT_TRUE(write_file_atomic(path, z.data(), z.size(), Overwrite::kAllow).ok());
    std::string cmd = std::string(py) +
                      " -c \"import zipfile,sys;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;"
                      "assert z.read('hello.txt')==b'hi';assert z.read('zeros')==bytes(5000)\" " +
                      path;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::remove(path.c_str());
  }
}

// Deflated members written by numpy (np.savez_compressed, tests/data/io) and Python's zipfile
// (tests/data/images/images.zip) inflate and pass their CRC in every build; damaged copies fail, naming the
// member, and never crash.
TEST(Zip, InflatesArchivesWrittenByPython) {
  for (const std::string& path :
       {kIoDir + "stats_deflated.npz", std::string(FIDCPP_TEST_DATA_DIR) + "/images/images.zip"}) {
    SCOPED_TRACE(path);
    auto bytes = read_file(path, 1 << 20);
    ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
    const std::vector<uint8_t> z = *bytes;
    auto r = ZipReader::open(z.data(), z.size(), "t.zip");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    size_t deflated = 0;
    for (const auto& e : r->entries()) {
      auto b = r->read(e, 1 << 20);
      ASSERT_TRUE(b.ok()) << e.name << ": " << b.status().to_string();
      EXPECT_EQ(b->size(), e.uncompressed_size);
      if (e.method != 8 || e.compressed_size < 16) continue;
      ++deflated;
      for (size_t at : {size_t(0), size_t(e.compressed_size / 2), size_t(e.compressed_size - 3)}) {
        auto bad = z;
        for (int i = 0; i < 3; ++i) bad[e.data_offset + at + size_t(i)] ^= 0x5A;
        auto rb = ZipReader::open(bad.data(), bad.size(), "t.zip");
        ASSERT_TRUE(rb.ok());
        auto got = rb->read(*rb->find(e.name), 1 << 20);
        ASSERT_FALSE(got.ok()) << e.name << " damaged at " << at;
        EXPECT_NE(got.status().message().find(e.name), std::string::npos) << got.status().message();
      }
    }
    EXPECT_GE(deflated, 1u);
  }
}

}  // namespace
}  // namespace fidcpp
