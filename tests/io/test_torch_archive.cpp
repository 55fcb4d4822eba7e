// PyTorch checkpoint reader against fixtures made by PyTorch itself (tools/make_weight_fixtures.py): the same
// tiny conv/BN module in legacy, zip and TorchScript form, storage views, and files that must be refused.
#include <gtest/gtest.h>

#include "core/file.h"
#include "core/splitmix64.h"
#include "io/npy.h"
#include "io/torch_archive.h"

namespace fidcpp {
namespace {

const std::string kDir = std::string(FIDCPP_TEST_DATA_DIR) + "/weights/";

void expect_matches(const TorchCheckpoint& ck, const std::string& expected_npz) {
  auto exp = read_npz(kDir + expected_npz);
  ASSERT_TRUE(exp.ok()) << exp.status().to_string();
  ASSERT_EQ(ck.tensors.tensors.size(), exp->size());
  for (const auto& [name, arr] : *exp) {
    SCOPED_TRACE(name);
    const HostTensor* t = ck.tensors.find(name);
    ASSERT_NE(t, nullptr) << "missing tensor";
    ASSERT_EQ(t->shape, arr.shape);
    for (int64_t i = 0; i < arr.numel(); ++i) ASSERT_EQ(static_cast<double>(t->data[i]), arr.data[i]) << i;
  }
}

Status read_status(const std::string& file) {
  auto r = read_torch_checkpoint(kDir + file);
  return r.ok() ? Status() : r.status();
}

void expect_error(const Status& s, const std::string& needle) {
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(TorchArchive, ReadsAllThreeFormatsValueForValue) {
  struct Case {
    const char* file;
    TorchFormat format;
  } cases[] = {{"tiny_legacy.pth", TorchFormat::kLegacy},
               {"tiny_zip.pth", TorchFormat::kZip},
               {"tiny_script.pt", TorchFormat::kTorchScript}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    auto r = read_torch_checkpoint(kDir + c.file);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->format, c.format);
    expect_matches(*r, "expected.npz");
    EXPECT_EQ(r->skipped,
              (std::vector<std::string>{"bn.num_batches_tracked", "layers.1.num_batches_tracked"}));
  }
}

TEST(TorchArchive, StorageOffsetsAndSharedStorages) {
  for (const char* f : {"views_zip.pth", "views_legacy.pth"}) {
    SCOPED_TRACE(f);
    auto r = read_torch_checkpoint(kDir + f);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    expect_matches(*r, "views_expected.npz");
  }
}

TEST(TorchArchive, RefusesWhatWeightsNeverNeed) {
  expect_error(read_status("noncontiguous.pth"), "tensor 't' is not contiguous");
  expect_error(read_status("float64.pth"), "tensor 'w64' has dtype float64");
  expect_error(read_status("malicious_zip.pth"), "refusing global 'os.system'");
  expect_error(read_status("malicious_legacy.pth"), "refusing global 'os.system'");
}

TEST(TorchArchive, CraftedPicklesFailCleanly) {
  auto run = [](const std::string& bytes) {
    PickleVm vm("t.pkl");
    auto r = vm.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    return r.ok() ? Status() : r.status();
  };
  expect_error(run("\x80\x02"
                   "cbuiltins\neval\n"
                   "."),
               "refusing global 'builtins.eval'");
  expect_error(run("\x80\x02"
                   "\x8c\x08"
                   "builtins"
                   "\x8c\x04"
                   "exec"
                   "\x93"
                   "."),
               "refusing global 'builtins.exec'");
  expect_error(run("\x80\x02"
                   "ccollections\nOrderedDict\n"
                   "i"),
               "unsupported opcode INST");
  expect_error(run("\x80\x02"
                   "X\xff\xff\xff\x7f"
                   "abc"),
               "runs past the end");
  expect_error(run("\x80\x02"
                   "h\x05."),
               "memo key 5 was never stored");
  expect_error(run("\x80\x02"
                   "}"),
               "ran out of data before STOP");
  expect_error(run("\x80\x02"
                   "."),
               "STOP with an empty stack");
  expect_error(run("\x80\x02"
                   "N"
                   "u."),
               "SETITEMS");
  expect_error(run("\x80\x02"
                   "N("
                   "."),
               "STOP with an empty stack");  // a MARK hides what lies below it
  // A deep stack of empty lists is bounded by the limits, not by memory.
  PickleLimits small;
  small.max_objects = 100;
  PickleVm vm("t.pkl", small);
  std::string many = "\x80\x02" + std::string(1000, ']') + ".";
  auto r = vm.run(reinterpret_cast<const uint8_t*>(many.data()), many.size());
  expect_error(r.ok() ? Status() : r.status(), "more than 100 objects");
  // Every truncation of a real checkpoint fails cleanly.
  auto bytes = read_file(kDir + "tiny_legacy.pth", 1 << 20);
  ASSERT_TRUE(bytes.ok());
  for (size_t cut = 0; cut < bytes->size(); cut += 7) {
    auto t = parse_torch_checkpoint(bytes->data(), cut, "cut", nullptr);
    EXPECT_FALSE(t.ok()) << "cut at " << cut;
  }
  auto zbytes = read_file(kDir + "tiny_zip.pth", 1 << 20);
  ASSERT_TRUE(zbytes.ok());
  for (size_t cut = 0; cut < zbytes->size(); cut += 61) {
    auto t = parse_torch_checkpoint(zbytes->data(), cut, "cut", nullptr);
    EXPECT_FALSE(t.ok()) << "cut at " << cut;
  }
}

// Random corruption: any outcome but a crash (or, under ASan/UBSan, an out-of-bounds access) is acceptable.
TEST(TorchArchive, RandomByteCorruptionNeverCrashes) {
  SplitMix64 rng(99);
  for (const char* f : {"tiny_legacy.pth", "tiny_zip.pth", "tiny_script.pt", "views_legacy.pth"}) {
    auto bytes = read_file(kDir + f, 1 << 20);
    ASSERT_TRUE(bytes.ok());
    for (int trial = 0; trial < 400; ++trial) {
      auto b = *bytes;
      for (int k = 0; k < 1 + trial % 4; ++k) b[rng.next() % b.size()] = rng.byte();
      auto r = parse_torch_checkpoint(b.data(), b.size(), f, nullptr);
      if (r.ok()) {
        for (const auto& kv : r->tensors.tensors)
          EXPECT_EQ(kv.second.owned.size(), size_t(kv.second.numel()));
      }
    }
  }
}

}  // namespace
}  // namespace fidcpp
