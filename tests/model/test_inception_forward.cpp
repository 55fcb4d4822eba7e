// The whole Inception-v3 forward on synthetic weights: parity with torch-fidelity and pytorch-fid (reference
// features from tools/ref_model.py in FIDCPP_REF_DIR), bitwise determinism across threads and batch sizes,
// early stopping, and weight-binding errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "model/inception_forward.h"
#include "model/inception_weights.h"
#include "model/synthetic_weights.h"

namespace fidcpp {
namespace {

const std::vector<InceptionTap> kAllTaps = {InceptionTap::k64,
                                            InceptionTap::k192,
                                            InceptionTap::k768,
                                            InceptionTap::k2048,
                                            InceptionTap::kLogitsUnbiased,
                                            InceptionTap::kLogits};

// Tolerance on ||ours - ref|| / ||ref|| per image and tap, against PyTorch's float32 forward. Both sides are
// float32 with different summation orders and BN folded on our side (docs/conventions.md §1.2 "about 1e-6
// relative"); measured worst case (16 images, synthetic weights): 4.5e-7 on the logits, 3.5e-7 on pool3;
// printed by the test.
constexpr double kParityTol = 2e-6;

std::string ref_path(const std::string& name) {
  return std::string(FIDCPP_REF_DIR) + "/model/" + name;
}

template <class T>
bool read_raw(const std::string& path, size_t count, std::vector<T>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() != count * sizeof(T)) return false;
  out->resize(count);
  std::memcpy(out->data(), bytes.data(), bytes.size());
  return true;
}

struct Net {
  std::unique_ptr<Backend> backend;
  PreparedInception weights;
};

const InceptionParams& synthetic_params() {
  static const InceptionParams params = [] {
    auto r = fold_inception_params(synthetic_inception_weights(true), true);
    if (!r.ok()) ADD_FAILURE() << r.status().to_string();
    return r.ok() ? std::move(r).value() : InceptionParams{};
  }();
  return params;
}

Net make_net(int threads) {
  Net n;
  CpuBackendOptions o;
  o.threads = threads;
  auto b = create_cpu_backend(o);
  EXPECT_TRUE(b.ok()) << b.status().to_string();
  n.backend = std::move(b).value();
  auto w = prepare_inception(*n.backend, synthetic_params());
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  if (w.ok()) n.weights = std::move(w).value();
  return n;
}

std::vector<float> synthetic_inputs(int first, int count) {
  std::vector<float> x;
  for (int i = first; i < first + count; ++i) append_normalised_chw(synthetic_image_u8(i), &x);
  return x;
}

// features[t] = n x dim(taps[t])
std::vector<std::vector<float>> run_taps(Net& net, const std::vector<InceptionTap>& taps,
                                         const std::vector<float>& x, int n, int max_batch) {
  auto f = InceptionForward::create(*net.backend, net.weights, taps, max_batch);
  EXPECT_TRUE(f.ok()) << f.status().to_string();
  std::vector<std::vector<float>> out;
  std::vector<float*> ptrs;
  for (InceptionTap t : taps) out.emplace_back(size_t(n) * inception_tap_dim(t), std::nanf(""));
  for (auto& o : out) ptrs.push_back(o.data());
  if (f.ok()) {
    Status s = (*f)->run(x.data(), n, ptrs);
    EXPECT_TRUE(s.ok()) << s.to_string();
  }
  return out;
}

TEST(InceptionForward, ImageGeneratorMatchesPython) {
  std::vector<uint8_t> ref;
  const size_t per = size_t(299) * 299 * 3;
  if (!read_raw(ref_path("images_u8.bin"), per * 16, &ref))
    GTEST_SKIP() << "reference data missing: run tools/make_references.sh (tools/ref_model.py --out "
                 << FIDCPP_REF_DIR << ")";
  for (int i = 0; i < 16; ++i) {
    const std::vector<uint8_t> img = synthetic_image_u8(i);
    ASSERT_EQ(0, std::memcmp(img.data(), ref.data() + i * per, per)) << "image " << i;
  }
}

TEST(InceptionForward, MatchesTorchFidelityAndPytorchFidOnSyntheticWeights) {
  constexpr int kImages = 16;
  std::vector<std::vector<float>> tfid(kAllTaps.size());
  for (size_t t = 0; t < kAllTaps.size(); ++t)
    if (!read_raw(ref_path(std::string("tfid_") + inception_tap_name(kAllTaps[t]) + ".f32"),
                  size_t(kImages) * inception_tap_dim(kAllTaps[t]), &tfid[t]))
      GTEST_SKIP() << "reference features missing in " << FIDCPP_REF_DIR
                   << "/model: run tools/make_references.sh (tools/ref_model.py)";
  Net net = make_net(0);
  const std::vector<float> x = synthetic_inputs(0, kImages);
  const auto ours = run_taps(net, kAllTaps, x, kImages, 8);
  for (size_t t = 0; t < kAllTaps.size(); ++t) {
    const int dim = inception_tap_dim(kAllTaps[t]);
    std::vector<double> exact;  // pytorch-fid in float64, for the first four taps
    const bool have_exact =
        t < 4 && read_raw(ref_path(std::string("pfid64_") + inception_tap_name(kAllTaps[t]) + ".f64"),
                          size_t(kImages) * dim, &exact);
    double worst = 0.0, worst_ref_vs_exact = 0.0, worst_ours_vs_exact = 0.0;
    for (int i = 0; i < kImages; ++i) {
      double d2 = 0, r2 = 0, de2 = 0, re2 = 0, e2 = 0;
      for (int j = 0; j < dim; ++j) {
        const double o = ours[t][size_t(i) * dim + j], r = tfid[t][size_t(i) * dim + j];
        d2 += (o - r) * (o - r);
        r2 += r * r;
        if (have_exact) {
          const double e = exact[size_t(i) * dim + j];
          de2 += (o - e) * (o - e);
          re2 += (r - e) * (r - e);
          e2 += e * e;
        }
      }
      ASSERT_GT(r2, 0.0);
      worst = std::max(worst, std::sqrt(d2 / r2));
      if (have_exact) {
        worst_ours_vs_exact = std::max(worst_ours_vs_exact, std::sqrt(de2 / e2));
        worst_ref_vs_exact = std::max(worst_ref_vs_exact, std::sqrt(re2 / e2));
      }
    }
    std::printf("tap %-16s max rel vs torch-fidelity %.3g", inception_tap_name(kAllTaps[t]), worst);
    if (have_exact)
      std::printf(" | vs float64: ours %.3g, torch-fidelity %.3g", worst_ours_vs_exact, worst_ref_vs_exact);
    std::printf("\n");
    EXPECT_LE(worst, kParityTol) << "tap " << inception_tap_name(kAllTaps[t]);
  }
}

TEST(InceptionForward, BitwiseIdenticalForThreadsAndBatchSizes) {
  constexpr int kImages = 3;
  const std::vector<float> x = synthetic_inputs(20, kImages);
  std::vector<std::vector<float>> first;
  // (threads, max_batch): batches of 3, of 2 then 1, of 3 in room for 4, and single images. On the CPU a
  // batch's stem runs image by image (Backend::stem_per_image), a single image's as one.
  for (const auto& cfg : {std::pair<int, int>{1, 3}, {2, 3}, {4, 3}, {2, 2}, {1, 4}, {2, 1}}) {
    Net net = make_net(cfg.first);
    const auto got = run_taps(net, kAllTaps, x, kImages, cfg.second);
    if (first.empty()) {
      first = got;
      continue;
    }
    for (size_t t = 0; t < kAllTaps.size(); ++t)
      EXPECT_EQ(0, std::memcmp(first[t].data(), got[t].data(), first[t].size() * sizeof(float)))
          << "tap " << inception_tap_name(kAllTaps[t]) << " threads " << cfg.first << " max_batch "
          << cfg.second;
  }
}

TEST(InceptionForward, EarlyTapsAndTapOrderGiveTheSameValues) {
  const std::vector<float> x = synthetic_inputs(30, 2);
  Net net = make_net(0);
  const auto all = run_taps(net, kAllTaps, x, 2, 2);
  const auto only64 = run_taps(net, {InceptionTap::k64}, x, 2, 2);
  const auto only192 = run_taps(net, {InceptionTap::k192}, x, 2, 2);
  const auto reordered = run_taps(net, {InceptionTap::kLogits, InceptionTap::k768}, x, 2, 2);
  EXPECT_EQ(all[0], only64[0]);
  EXPECT_EQ(all[1], only192[0]);
  EXPECT_EQ(all[5], reordered[0]);
  EXPECT_EQ(all[2], reordered[1]);
  // logits = logits_unbiased + bias, a separate float32 add (docs/conventions.md §1.6).
  const std::vector<float> bias = synthetic_tensor("fc.bias", {kFcOut});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < kFcOut; ++j)
      ASSERT_EQ(all[5][size_t(i) * kFcOut + j], all[4][size_t(i) * kFcOut + j] + bias[j]);
}

TEST(InceptionWeights, FoldsBatchNormIncludingGamma) {
  const TensorMap m = synthetic_inception_weights(false);
  auto p = fold_inception_params(m, false);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_FALSE(p->has_fc);
  const int u = conv_unit_index("Mixed_6b.branch7x7_2");
  const FoldedConv& f = p->convs[size_t(u)];
  const std::string pre = "Mixed_6b.branch7x7_2";
  const float* w = m.find(pre + ".conv.weight")->data;
  const int64_t k = 128 * 7;
  for (int co : {0, 77, 127}) {
    const double g = m.find(pre + ".bn.weight")->data[co], b = m.find(pre + ".bn.bias")->data[co];
    const double mu = m.find(pre + ".bn.running_mean")->data[co],
                 var = m.find(pre + ".bn.running_var")->data[co];
    const double scale = g / std::sqrt(var + 0.001);
    EXPECT_NE(g, 1.0);
    EXPECT_EQ(f.bias[size_t(co)], float(b - mu * scale));
    EXPECT_EQ(f.weight[size_t(co * k + 5)], float(w[co * k + 5] * scale));
  }
}

TEST(InceptionWeights, ErrorsNameTheTensor) {
  {
    TensorMap m = synthetic_inception_weights(false);
    auto p = fold_inception_params(m, true);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.status().message().find("fc.weight"), std::string::npos) << p.status().message();
  }
  {
    TensorMap m = synthetic_inception_weights(false);
    m.tensors.erase("Mixed_7c.branch3x3dbl_3b.bn.running_mean");
    auto p = fold_inception_params(m, false);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.status().message().find("Mixed_7c.branch3x3dbl_3b.bn.running_mean"), std::string::npos);
  }
  {
    TensorMap m = synthetic_inception_weights(false);
    m.tensors["Mixed_6b.branch7x7_2.conv.weight"].shape = {128, 128, 7, 1};
    auto p = fold_inception_params(m, false);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.status().message().find("[128,128,7,1]"), std::string::npos) << p.status().message();
  }
  {
    // Logit taps without fc: refused at create time with a message naming fc.
    auto params = fold_inception_params(synthetic_inception_weights(false), false);
    ASSERT_TRUE(params.ok());
    auto be = create_cpu_backend();
    ASSERT_TRUE(be.ok());
    auto w = prepare_inception(**be, *params);
    ASSERT_TRUE(w.ok());
    auto f = InceptionForward::create(**be, *w, {InceptionTap::k2048, InceptionTap::kLogits}, 1);
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.status().message().find("fc.weight"), std::string::npos);
    EXPECT_TRUE(InceptionForward::create(**be, *w, {InceptionTap::k2048}, 1).ok());
    EXPECT_FALSE(InceptionForward::create(**be, *w, {InceptionTap::k64, InceptionTap::k64}, 1).ok());
    EXPECT_FALSE(parse_inception_tap("pool3").ok());
    EXPECT_TRUE(parse_inception_tap("logits_unbiased").ok());
  }
}

}  // namespace
}  // namespace fidcpp
