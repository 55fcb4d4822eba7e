// The weights file on synthetic data: the loader's checks (each failure names the tensor), the NVIDIA ->
// pytorch-fid name map against the independent Python map (tests/data/weights/default_1_names.tsv, proven
// there by a forward pass), and the `fidcpp weights` exit codes.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "cli/cmd_weights.h"
#include "core/splitmix64.h"
#include "io/safetensors.h"
#include "model/inception_table.h"
#include "model/weights_convert.h"
#include "model/weights_file.h"

namespace fidcpp {
namespace {

TensorMap synthetic_weights(bool with_fc, uint64_t seed = 1) {
  SplitMix64 rng(seed);
  TensorMap m;
  for (const auto& s : inception_param_specs(with_fc)) {
    HostTensor t;
    t.shape = s.shape;
    t.owned.resize(static_cast<size_t>(t.numel()));
    for (auto& v : t.owned) v = rng.uniform_f32() + 0.25f;
    t.data = t.owned.data();
    m.tensors.emplace(s.name, std::move(t));
  }
  m.metadata = {{"format", kWeightsFormatName},
                {"format_version", kWeightsFormatVersion},
                {"has_fc", with_fc ? "true" : "false"}};
  return m;
}

void expect_error(const Status& s, StatusCode code, const std::string& needle) {
  ASSERT_FALSE(s.ok()) << "expected an error containing: " << needle;
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(WeightsFile, ValidatesNameSetShapesValuesAndMetadata) {
  EXPECT_TRUE(validate_inception_weights(synthetic_weights(false)).ok());
  EXPECT_TRUE(validate_inception_weights(synthetic_weights(true)).ok());
  auto m = synthetic_weights(false);
  m.tensors.erase("Mixed_6b.branch7x7_2.conv.weight");
  expect_error(validate_inception_weights(m), StatusCode::kWeights,
               "missing tensor 'Mixed_6b.branch7x7_2.conv.weight'");
  m = synthetic_weights(false);
  m.tensors["Mixed_6b.extra"] = m.tensors.at("Conv2d_1a_3x3.bn.bias");
  expect_error(validate_inception_weights(m), StatusCode::kWeights, "unknown tensor 'Mixed_6b.extra'");
  m = synthetic_weights(false);
  m.tensors.at("Mixed_6b.branch7x7_2.conv.weight").shape = {128, 128, 7, 1};
  expect_error(
      validate_inception_weights(m), StatusCode::kWeights,
      "weights: tensor 'Mixed_6b.branch7x7_2.conv.weight' has shape [128,128,7,1], expected [128,128,1,7]");
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    m = synthetic_weights(false);
    m.tensors.at("Mixed_7c.branch_pool.bn.running_var").owned[17] = bad;
    expect_error(validate_inception_weights(m), StatusCode::kWeights,
                 "tensor 'Mixed_7c.branch_pool.bn.running_var' holds a non-finite value");
  }
  m = synthetic_weights(true);
  m.tensors.erase("fc.bias");
  m.metadata.erase("has_fc");
  expect_error(validate_inception_weights(m), StatusCode::kWeights, "has 'fc.weight' without 'fc.bias'");
  m = synthetic_weights(true);
  m.metadata["has_fc"] = "false";
  expect_error(validate_inception_weights(m), StatusCode::kWeights,
               "'has_fc' is 'false' but the fc tensors are present");
  m = synthetic_weights(false);
  m.metadata.erase("format");
  expect_error(validate_inception_weights(m), StatusCode::kWeights, "metadata 'format' is missing");
  m = synthetic_weights(false);
  m.metadata["format_version"] = "2";
  expect_error(validate_inception_weights(m), StatusCode::kWeights, "'format_version' is '2', expected '1'");
}

TEST(WeightsFile, LoadFromDiskAndRefuseDamagedFiles) {
  const std::string path = ::testing::TempDir() + "/fidcpp_w.safetensors";
  auto m = synthetic_weights(true);
  ASSERT_TRUE(write_safetensors(path, m, Overwrite::kAllow).ok());
  auto r = load_inception_weights(path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(weights_have_fc(*r));
  EXPECT_NE(r->keepalive, nullptr);
  const auto& w = *r->find("Mixed_5b.branch5x5_2.conv.weight");
  const auto& w0 = *m.find("Mixed_5b.branch5x5_2.conv.weight");
  for (int64_t i = 0; i < w.numel(); ++i) ASSERT_EQ(w.data[i], w0.data[i]);
  // Truncated on disk: a weights error naming the file.
  auto bytes = *encode_safetensors(m);
  ASSERT_TRUE(write_file_atomic(path, bytes.data(), bytes.size() / 2, Overwrite::kAllow).ok());
  expect_error(load_inception_weights(path).status(), StatusCode::kWeights, path);
  std::remove(path.c_str());
  expect_error(load_inception_weights(path).status(), StatusCode::kNotFound, "no such file");
}

struct NameRow {
  std::string nvidia, pytorch_fid;
  std::vector<int64_t> shape;
};

std::vector<NameRow> read_names_tsv() {
  std::ifstream f(std::string(FIDCPP_TEST_DATA_DIR) + "/weights/default_1_names.tsv");
  std::vector<NameRow> rows;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    NameRow r;
    std::string shape;
    std::getline(ls, r.nvidia, '\t');
    std::getline(ls, shape, '\t');
    std::getline(ls, r.pytorch_fid, '\t');
    std::istringstream ss(shape);
    std::string d;
    while (std::getline(ss, d, ',')) r.shape.push_back(std::stoll(d));
    rows.push_back(r);
  }
  return rows;
}

TEST(WeightsConvert, NvidiaNamesMapLikeThePythonReference) {
  auto rows = read_names_tsv();
  ASSERT_EQ(rows.size(), 376u)
      << "tests/data/weights/default_1_names.tsv (tools/make_weight_fixtures.py --source)";
  TensorMap src;
  SplitMix64 rng(7);
  for (const auto& r : rows) {
    HostTensor t;
    t.shape = r.shape;
    t.owned.resize(static_cast<size_t>(t.numel()));
    for (auto& v : t.owned) v = rng.uniform_f32();
    t.data = t.owned.data();
    src.tensors.emplace(r.nvidia, std::move(t));
  }
  WeightsNaming naming;
  auto out = map_to_inception_names(src, &naming);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(naming, WeightsNaming::kNvidia);
  EXPECT_EQ(out->tensors.size(), 470u);
  for (const auto& r : rows) {
    const HostTensor* t = out->find(r.pytorch_fid);
    ASSERT_NE(t, nullptr) << r.pytorch_fid;
    EXPECT_EQ(t->data, src.find(r.nvidia)->data) << r.nvidia << " should become " << r.pytorch_fid;
  }
  for (const auto& s : inception_param_specs(false)) {
    if (s.name.size() > 10 && s.name.compare(s.name.size() - 10, 10, ".bn.weight") == 0) {
      for (int64_t i = 0; i < s.shape[0]; ++i) ASSERT_EQ(out->find(s.name)->data[i], 1.0f) << s.name;
    }
  }
  EXPECT_EQ(nvidia_scope_for("Mixed_7b.branch3x3dbl_3b"), "mixed_9.tower_1_mixed_conv_1");
  EXPECT_EQ(nvidia_scope_for("Mixed_6a.branch3x3"), "mixed_3.conv");
  EXPECT_EQ(nvidia_scope_for("Mixed_7a.branch3x3_1"), "mixed_8.tower.conv");

  auto extra = src;
  extra.tensors["net.layers.mixed_9.tower_conv.gamma"] = src.tensors.at("net.layers.mixed_9.tower_conv.beta");
  expect_error(map_to_inception_names(extra).status(), StatusCode::kBadInput,
               "unexpected tensor 'net.layers.mixed_9.tower_conv.gamma'");
  auto missing = src;
  missing.tensors.erase("net.layers.mixed_4.tower_1.conv_3.mean");
  expect_error(map_to_inception_names(missing).status(), StatusCode::kBadInput,
               "missing tensor 'net.layers.mixed_4.tower_1.conv_3.mean'");
  auto wrong = src;
  wrong.tensors.at("net.layers.mixed_4.tower.conv_1.weight").shape = {128, 128, 7, 1};
  expect_error(
      map_to_inception_names(wrong).status(), StatusCode::kBadInput,
      "tensor 'net.layers.mixed_4.tower.conv_1.weight' (for 'Mixed_6b.branch7x7_2.conv.weight') has shape "
      "[128,128,7,1], expected [128,128,1,7]");
}

TEST(WeightsConvert, PytorchFidNamesPassThroughWithAnyPrefix) {
  auto w = synthetic_weights(true);
  TensorMap src;
  for (const auto& kv : w.tensors)
    src.tensors["module." + kv.first] = HostTensor{kv.second.shape, kv.second.data, {}};
  WeightsNaming naming;
  auto out = map_to_inception_names(src, &naming);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(naming, WeightsNaming::kPytorchFid);
  EXPECT_TRUE(weights_have_fc(*out));
  for (const auto& kv : w.tensors) EXPECT_EQ(out->find(kv.first)->data, kv.second.data) << kv.first;
  TensorMap tiny;
  tiny.tensors["conv.weight"] = HostTensor{{1}, w.tensors.begin()->second.data, {}};
  expect_error(map_to_inception_names(tiny).status(), StatusCode::kBadInput, "neither pytorch-fid names");
}

int run_cli(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return cmd_weights(static_cast<int>(argv.size()), argv.data());
}

TEST(WeightsCli, ExitCodes) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/fidcpp_cli_w.safetensors", out = dir + "/fidcpp_cli_out.safetensors";
  ASSERT_TRUE(write_safetensors(good, synthetic_weights(false), Overwrite::kAllow).ok());
  auto bad = synthetic_weights(false);
  bad.tensors.erase("fc.weight");
  bad.tensors.at("Conv2d_1a_3x3.bn.bias").shape = {31};
  const std::string badf = dir + "/fidcpp_cli_bad.safetensors";
  ASSERT_TRUE(write_safetensors(badf, bad, Overwrite::kAllow).ok());
  const std::string tiny = std::string(FIDCPP_TEST_DATA_DIR) + "/weights/tiny_zip.pth";
  EXPECT_EQ(run_cli({"weights"}), 2);
  EXPECT_EQ(run_cli({"weights", "frobnicate"}), 2);
  EXPECT_EQ(run_cli({"weights", "convert", tiny}), 2) << "missing -o";
  EXPECT_EQ(run_cli({"weights", "convert", tiny, "-o", out, "--bogus"}), 2);
  EXPECT_EQ(run_cli({"weights", "convert", tiny, "-o", out}), 3) << "not the FID Inception";
  EXPECT_EQ(run_cli({"weights", "convert", dir + "/does-not-exist.pt", "-o", out}), 3);
  EXPECT_EQ(run_cli({"weights", "inspect", good}), 0);
  EXPECT_EQ(run_cli({"weights", "inspect", dir + "/does-not-exist"}), 4);
  EXPECT_EQ(run_cli({"weights", "verify", good, "--manifest",
                     std::string(FIDCPP_SOURCE_DIR) + "/weights/MANIFEST"}),
            0);
  EXPECT_EQ(run_cli({"weights", "verify", badf}), 4);
  EXPECT_EQ(run_cli({"weights", "verify", tiny}), 4);
  EXPECT_EQ(run_cli({"weights", "fetch"}), 0);
  std::remove(good.c_str());
  std::remove(badf.c_str());
}

TEST(WeightsFile, ManifestParsesAndRejectsGarbage) {
  auto m = read_weights_manifest(std::string(FIDCPP_SOURCE_DIR) + "/weights/MANIFEST");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  bool pth = false;
  for (const auto& e : *m)
    if (e.name == "pt_inception-2015-12-05-6726825d.pth") {
      pth = true;
      EXPECT_EQ(e.bytes, 95628359u);
      EXPECT_EQ(e.sha256, "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2");
    }
  EXPECT_TRUE(pth);
  const std::string path = ::testing::TempDir() + "/fidcpp_manifest";
  std::ofstream(path) << "source x 12 abc -\n";
  expect_error(read_weights_manifest(path).status(), StatusCode::kBadInput, "line 1");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace fidcpp
