// .npz inputs told apart by content: ADM/guided-diffusion sample batches (arr_0 = N x H x W x 3 uint8,
// written here by numpy as np.savez and np.savez_compressed write them) give bitwise the features of the same
// images as PNG files in a folder (written by Pillow), whole and sharded; an ADM reference batch (arr_0 + mu,
// sigma, mu_s, sigma_s) is read as its statistics; clean-fid's statistics files (np.savez_compressed(mu=,
// sigma=)) are statistics; other .npz contents are refused naming what they hold. Needs FIDCPP_PYTHON (numpy
// + Pillow); skips, saying so, without it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/file.h"
#include "io/npy.h"
#include "metrics/stats_file.h"
#include "mpi/scale_harness.h"

namespace fidcpp {
namespace {

using scale_test::CliRun;
using scale_test::common_flags;
using scale_test::run_cli;
using scale_test::tmp;

std::string q(const std::string& s) {
  return " '" + s + "'";
}

std::vector<uint8_t> bytes_of(const std::string& path) {
  auto r = read_file(path, uint64_t(1) << 30);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : std::vector<uint8_t>();
}

// The fixtures, written once per process by numpy and Pillow: 9 images of 37 x 23 (W x H).
struct Fixtures {
  std::string folder, stored, compressed, adm_ref, cleanfid_stats, wrong_dtype, no_arrays;
  bool ok = false;
  std::string why;
};

const Fixtures& fixtures() {
  static const Fixtures f = [] {
    Fixtures f;
    const char* py = std::getenv("FIDCPP_PYTHON");
    if (!py || !*py) {
      f.why = "skipped: set FIDCPP_PYTHON to a Python with numpy and Pillow to write the .npz fixtures";
      return f;
    }
    const std::string d = tmp("npz_images");
    f.folder = d + "/png";
    f.stored = d + "/samples_9x23x37x3.npz";
    f.compressed = d + "/samples_compressed.npz";
    f.adm_ref = d + "/VIRTUAL_ref.npz";
    f.cleanfid_stats = d + "/cleanfid_stats.npz";
    f.wrong_dtype = d + "/float_images.npz";
    f.no_arrays = d + "/other.npz";
    const std::string script = d + "_make.py";
    std::ofstream(script) << "import os, sys, numpy as np\n"
                             "from PIL import Image\n"
                             "d = sys.argv[1]\n"
                             "os.makedirs(d + '/png', exist_ok=True)\n"
                             "rng = np.random.default_rng(20)\n"
                             "arr = rng.integers(0, 256, size=(9, 23, 37, 3), dtype=np.uint8)\n"
                             "for i, a in enumerate(arr):\n"
                             "    Image.fromarray(a).save(d + '/png/img_%02d.png' % i)\n"
                             "np.savez(d + '/samples_9x23x37x3.npz', arr)\n"  // ADM: np.savez(out_path, arr)
                             "np.savez_compressed(d + '/samples_compressed.npz', arr)\n"
                             // clean-fid's make_custom_stats: mu = np.mean(np_feats, axis=0) of float32
                             // features (float32), sigma = np.cov(np_feats, rowvar=False) (float64)
                             "feats = rng.standard_normal((100, 64)).astype(np.float32)\n"
                             "mu = np.mean(feats, axis=0)\n"
                             "sigma = np.cov(feats, rowvar=False)\n"
                             "np.savez(d + '/VIRTUAL_ref.npz', arr, mu=mu, sigma=sigma, mu_s=mu[:8], "
                             "sigma_s=sigma[:8, :8])\n"
                             // clean-fid's fid.py: np.savez_compressed(outf, mu=mu, sigma=sigma)
                             "np.savez_compressed(d + '/cleanfid_stats.npz', mu=mu, sigma=sigma)\n"
                             "np.savez(d + '/float_images.npz', arr.astype(np.float32))\n"
                             "np.savez(d + '/other.npz', labels=np.arange(3))\n";
    const std::string cmd = std::string(py) + " '" + script + "' '" + d + "'";
    if (std::system(cmd.c_str()) != 0) {
      f.why = "skipped: '" + cmd + "' failed (numpy and Pillow needed)";
      return f;
    }
    f.ok = true;
    return f;
  }();
  return f;
}

#define NEED_FIXTURES()            \
  const Fixtures& fx = fixtures(); \
  if (!fx.ok) GTEST_SKIP() << fx.why;

std::vector<uint8_t> features_of(const std::string& input, const std::string& name,
                                 const std::string& extra = "") {
  const std::string out = tmp(name + ".npy");
  CliRun r = run_cli("features" + q(input) + " -o" + q(out) + " --force" + extra + common_flags());
  EXPECT_EQ(r.code, 0) << input << ": " << r.err;
  return bytes_of(out);
}

TEST(NpzImages, BatchFeaturesEqualThePngFolderBitwise) {
  NEED_FIXTURES();
  const std::vector<uint8_t> folder = features_of(fx.folder, "feat_folder");
  ASSERT_GT(folder.size(), 9u * 64u * 4u);  // 9 rows of 64 floats and a header
  EXPECT_EQ(features_of(fx.stored, "feat_stored"), folder) << "np.savez batch";
  EXPECT_EQ(features_of(fx.compressed, "feat_compressed"), folder) << "np.savez_compressed batch";
}

TEST(NpzImages, ShardsOfABatchAreTheFolderShards) {
  NEED_FIXTURES();
  for (const char* shard : {"1/3", "2/3", "3/3"}) {
    const std::string s = shard;
    const std::string fb = tmp("shard_b.npz"), ff = tmp("shard_f.npz");
    CliRun r =
        run_cli("stats" + q(fx.stored) + " --shard " + s + " -o" + q(fb) + " --force" + common_flags());
    ASSERT_EQ(r.code, 0) << r.err;
    r = run_cli("stats" + q(fx.folder) + " --shard " + s + " -o" + q(ff) + " --force" + common_flags());
    ASSERT_EQ(r.code, 0) << r.err;
    const Moments b = scale_test::read_moments(fb), f = scale_test::read_moments(ff);
    EXPECT_EQ(b.count(), 3) << shard;
    EXPECT_EQ(b.count(), f.count()) << shard;
    EXPECT_EQ(b.sum(), f.sum()) << shard;
    EXPECT_EQ(b.sum_outer(), f.sum_outer()) << shard;
  }
}

// The FID line of `fidcpp fid A B --json`.
std::string fid_json(const std::string& a, const std::string& b) {
  CliRun r = run_cli("fid" + q(a) + q(b) + " --json" + common_flags());
  EXPECT_EQ(r.code, 0) << r.err;
  const size_t at = r.out.find("\"frechet_inception_distance\"");
  EXPECT_NE(at, std::string::npos) << r.out;
  return at == std::string::npos ? "" : r.out.substr(at, r.out.find('\n', at) - at);
}

TEST(NpzImages, FidOfBatchEqualsFidOfFolder) {
  NEED_FIXTURES();
  const std::string a = fid_json(fx.stored, fx.folder), b = fid_json(fx.folder, fx.folder);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b) << "the batch and the folder hold the same images";
}

TEST(NpzImages, AdmReferenceBatchIsReadAsItsStatistics) {
  NEED_FIXTURES();
  // arr_0 holds images too, but mu/sigma win (ADM's evaluator compares with the reference's statistics): the
  // FID against the folder is the one of the clean-fid file holding the same mu/sigma, not the one of the
  // images of its arr_0.
  const std::string ref = fid_json(fx.adm_ref, fx.folder);
  ASSERT_FALSE(ref.empty());
  EXPECT_EQ(ref, fid_json(fx.cleanfid_stats, fx.folder));
  EXPECT_NE(ref, fid_json(fx.stored, fx.folder));
}

TEST(NpzImages, CleanFidStatisticsFileIsStatistics) {
  NEED_FIXTURES();
  auto s = read_fid_stats_npz(fx.cleanfid_stats);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->dim, 64);
  auto z = read_npz(fx.cleanfid_stats);
  ASSERT_TRUE(z.ok()) << z.status().to_string();
  EXPECT_EQ(s->mu, z->at("mu").data);
  EXPECT_EQ(s->sigma, z->at("sigma").data);
  // The ADM reference's statistics are read without reading its arr_0.
  auto adm = read_fid_stats_npz(fx.adm_ref);
  ASSERT_TRUE(adm.ok()) << adm.status().to_string();
  EXPECT_EQ(adm->mu, s->mu);
}

TEST(NpzImages, OtherContentsAreRefusedNamingWhatTheyHold) {
  NEED_FIXTURES();
  CliRun r =
      run_cli("features" + q(fx.wrong_dtype) + " -o" + q(tmp("bad.npy")) + " --force" + common_flags());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("float_images.npz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dtype '<f4'"), std::string::npos) << r.err;
  r = run_cli("features" + q(fx.no_arrays) + " -o" + q(tmp("bad.npy")) + " --force" + common_flags());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("holds labels"), std::string::npos) << r.err;
}

TEST(NpzImages, TruncatedOrCorruptBatchIsAnErrorNamingTheFile) {
  NEED_FIXTURES();
  std::vector<uint8_t> b = bytes_of(fx.stored);
  ASSERT_GT(b.size(), 4000u);
  // A flipped pixel byte: the batch reads to its end, then fails its CRC-32.
  std::vector<uint8_t> flipped = b;
  flipped[2000] ^= 0x40;
  const std::string bad = tmp("flipped.npz");
  ASSERT_TRUE(write_file_atomic(bad, flipped.data(), flipped.size(), Overwrite::kAllow).ok());
  CliRun r = run_cli("features" + q(bad) + " -o" + q(tmp("bad.npy")) + " --force" + common_flags());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("flipped.npz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CRC"), std::string::npos) << r.err;
  // Cut in half: no central directory.
  const std::string cut = tmp("cut.npz");
  ASSERT_TRUE(write_file_atomic(cut, b.data(), b.size() / 2, Overwrite::kAllow).ok());
  r = run_cli("features" + q(cut) + " -o" + q(tmp("bad.npy")) + " --force" + common_flags());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("cut.npz"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fidcpp
