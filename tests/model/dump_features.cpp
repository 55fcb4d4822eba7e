// fidcpp_dump_features: the whole Inception-v3 forward on the synthetic weights and images of
// synthetic_weights.h, on the CPU backend, for comparing two builds of fidcpp (tools/ci_arm64.sh: an x86-64
// build writes its features, the AArch64 build run under qemu compares its own against them).
//
//   fidcpp_dump_features [--images N] [--first I] [--threads T] [--isa ISA] [--expect-isa ISA]
//                        (--out FILE | --compare FILE [--tol REL])
//
// Features of images [I, I + N) for all six taps, concatenated tap by tap (n x dim float32 each), are written
// to FILE, or compared with FILE: per image and tap ||ours - theirs|| / ||theirs||, failing above REL
// (default 2e-6, the network's tolerance in docs/precision.md). --expect-isa fails unless the backend runs
// that micro-kernel, so a silent fallback to another one cannot pass. Exit status 0 on success, 1 on a failed
// check, 2 on usage or I/O errors.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

const std::vector<InceptionTap> kTaps = {InceptionTap::k64,
                                         InceptionTap::k192,
                                         InceptionTap::k768,
                                         InceptionTap::k2048,
                                         InceptionTap::kLogitsUnbiased,
                                         InceptionTap::kLogits};

int usage(const char* msg) {
  std::fprintf(stderr,
               "fidcpp_dump_features: %s\nusage: fidcpp_dump_features [--images N] [--first I] [--threads T] "
               "[--isa ISA] [--expect-isa ISA] (--out FILE | --compare FILE [--tol REL])\n",
               msg);
  return 2;
}

int run(int argc, char** argv) {
  int images = 2, first = 0, threads = 0;
  double tol = 2e-6;
  std::string isa, expect_isa, out_path, compare_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + a).c_str());
    const char* v = argv[++i];
    if (a == "--images")
      images = std::atoi(v);
    else if (a == "--first")
      first = std::atoi(v);
    else if (a == "--threads")
      threads = std::atoi(v);
    else if (a == "--isa")
      isa = v;
    else if (a == "--expect-isa")
      expect_isa = v;
    else if (a == "--out")
      out_path = v;
    else if (a == "--compare")
      compare_path = v;
    else if (a == "--tol")
      tol = std::atof(v);
    else
      return usage(("unknown argument " + a).c_str());
  }
  if (images <= 0 || images > 64 || first < 0 || threads < 0 || out_path.empty() == compare_path.empty())
    return usage("bad arguments");

  CpuBackendOptions o;
  o.threads = threads;
  o.isa = isa.empty() ? nullptr : isa.c_str();
  auto backend = create_cpu_backend(o);
  if (!backend.ok()) return usage(backend.status().to_string().c_str());
  // The backend's name is "cpu (<micro-kernel isa>, <n> threads)": the kernel that actually runs.
  const std::string name = (*backend)->name();
  std::printf("backend: %s\n", name.c_str());
  if (!expect_isa.empty() && name.rfind("cpu (" + expect_isa + ",", 0) != 0) {
    std::printf("FAIL: expected the %s micro-kernel, the backend runs %s\n", expect_isa.c_str(),
                name.c_str());
    return 1;
  }

  auto params = fold_inception_params(synthetic_inception_weights(true), true);
  if (!params.ok()) return usage(params.status().to_string().c_str());
  auto weights = prepare_inception(**backend, std::move(params).value());
  if (!weights.ok()) return usage(weights.status().to_string().c_str());
  auto forward = InceptionForward::create(**backend, *weights, kTaps, images);
  if (!forward.ok()) return usage(forward.status().to_string().c_str());

  std::vector<float> x;
  for (int i = first; i < first + images; ++i) append_normalised_chw(synthetic_image_u8(i), &x);
  std::vector<std::vector<float>> feats;
  std::vector<float*> ptrs;
  size_t total = 0;
  for (InceptionTap t : kTaps) {
    feats.emplace_back(size_t(images) * inception_tap_dim(t), std::nanf(""));
    total += feats.back().size();
  }
  for (auto& f : feats) ptrs.push_back(f.data());
  const Status s = (*forward)->run(x.data(), images, ptrs);
  if (!s.ok()) return usage(s.to_string().c_str());

  if (!out_path.empty()) {
    std::ofstream f(out_path, std::ios::binary);
    for (const auto& v : feats)
      f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * 4));
    if (!f) return usage(("cannot write " + out_path).c_str());
    std::printf("wrote %zu floats (%d images, %zu taps) to %s\n", total, images, kTaps.size(),
                out_path.c_str());
    return 0;
  }

  std::ifstream f(compare_path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() != total * sizeof(float))
    return usage(("cannot read " + std::to_string(total) + " floats from " + compare_path).c_str());
  bool ok = true;
  size_t offset = 0;
  for (size_t t = 0; t < kTaps.size(); ++t) {
    const int dim = inception_tap_dim(kTaps[t]);
    std::vector<float> theirs(feats[t].size());
    std::memcpy(theirs.data(), bytes.data() + offset * sizeof(float), theirs.size() * sizeof(float));
    offset += theirs.size();
    double worst = 0.0;
    size_t identical = 0, nan = 0;
    for (int i = 0; i < images; ++i) {
      double d2 = 0.0, r2 = 0.0;
      for (int j = 0; j < dim; ++j) {
        const float a = feats[t][size_t(i) * dim + j], b = theirs[size_t(i) * dim + j];
        nan += std::isnan(a) || std::isnan(b);
        identical += std::memcmp(&a, &b, sizeof(float)) == 0;
        d2 += (double(a) - b) * (double(a) - b);
        r2 += double(b) * b;
      }
      worst = std::max(worst, r2 > 0.0 ? std::sqrt(d2 / r2) : HUGE_VAL);
    }
    const bool tap_ok = nan == 0 && worst <= tol;
    ok = ok && tap_ok;
    std::printf("tap %-16s worst rel %.3g (tol %.3g), %zu of %zu values bitwise identical%s\n",
                inception_tap_name(kTaps[t]), worst, tol, identical, theirs.size(), tap_ok ? "" : "  FAIL");
  }
  std::printf("%s\n", ok ? "features match" : "FAIL: features differ beyond the tolerance");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace fidcpp

int main(int argc, char** argv) {
  return fidcpp::run(argc, argv);
}
