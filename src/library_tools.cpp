// The CLI's tool commands over the library (library_tools.h).
#include "library_tools.h"

#include <chrono>
#include <cmath>

#include "core/file.h"
#include "core/splitmix64.h"
#include "io/json.h"
#include "io/npy.h"
#include "metrics/fid.h"
#include "metrics/kid.h"
#include "metrics/moments.h"
#include "model/weights_convert.h"
#include "model/weights_file.h"

namespace fidcpp {

Result<std::string> weights_convert_text(const std::string& src, const std::string& dst, bool overwrite,
                                         const std::string& manifest) {
  FIDCPP_ASSIGN_OR_RETURN(
      WeightsConvertReport r,
      convert_weights(src, dst, overwrite ? Overwrite::kAllow : Overwrite::kRefuse, manifest));
  return r.text;
}

Result<std::string> weights_inspect_text(const std::string& path) {
  return inspect_weights_file(path);
}

Result<std::string> weights_verify_text(const std::string& path, const std::string& manifest) {
  FIDCPP_ASSIGN_OR_RETURN(WeightsVerifyReport r, verify_weights_file(path, manifest));
  return r.text;
}

Status write_features_npy(const std::string& path, const std::vector<float>& values, int64_t dim,
                          bool overwrite) {
  if (dim <= 0 || values.size() % size_t(dim) != 0)
    return invalid_argument("'" + path + "': " + std::to_string(values.size()) +
                            " values are not whole rows of dimension " + std::to_string(dim));
  const std::vector<double> wide(values.begin(), values.end());  // float -> double -> float is exact
  NpyWriteArray a;
  a.shape = {int64_t(values.size() / size_t(dim)), dim};
  a.dtype = NpyDtype::kF4;
  a.data = wide.data();
  return write_npy(path, a, overwrite ? Overwrite::kAllow : Overwrite::kRefuse);
}

std::string json_string_literal(const std::string& s) {
  std::string o;
  append_json_string(o, s);
  return o;
}

Result<std::vector<MetricTiming>> time_metrics(int64_t dim, int kid_subsets, int threads) {
  const auto seconds_since = [](std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  constexpr int64_t kRows = 2000;
  SplitMix64 rng(7);
  std::vector<float> fa(size_t(kRows * dim)), fb(size_t(kRows * dim));
  for (auto& v : fa) v = rng.uniform_f32();
  for (auto& v : fb) v = rng.uniform_f32() * 1.1f;
  FIDCPP_ASSIGN_OR_RETURN(Moments ma, Moments::create(dim));
  FIDCPP_ASSIGN_OR_RETURN(Moments mb, Moments::create(dim));
  FIDCPP_RETURN_IF_ERROR(ma.add(fa.data(), kRows));
  FIDCPP_RETURN_IF_ERROR(mb.add(fb.data(), kRows));
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats a, ma.gaussian_stats());
  FIDCPP_ASSIGN_OR_RETURN(GaussianStats b, mb.gaussian_stats());
  std::vector<MetricTiming> rows;
  auto t0 = std::chrono::steady_clock::now();
  FIDCPP_ASSIGN_OR_RETURN(double fid, frechet_distance(a, b));
  const double fid_s = seconds_since(t0);
  if (!std::isfinite(fid)) return internal_error("FID of random statistics is not finite");
  const std::string d = std::to_string(dim) + "-d";
  rows.push_back({"FID (" + d + " statistics)", fid_s});
  KidOptions ko;
  ko.threads = threads;
  ko.subsets = kid_subsets;
  t0 = std::chrono::steady_clock::now();
  FIDCPP_RETURN_IF_ERROR(kernel_inception_distance(fb.data(), kRows, fa.data(), kRows, dim, ko).status());
  rows.push_back({"KID (" + std::to_string(kid_subsets) + " subsets of 1000, " + d + ")", seconds_since(t0)});
  return rows;
}

}  // namespace fidcpp
