// Statistics files over src/io/npy: key and shape checks that name the file, the key and the expected shape.
#include "metrics/stats_file.h"

#include <cmath>
#include <map>

#include "io/npy.h"
#include "io/npz_images.h"
#include "io/tensor_map.h"

namespace fidcpp {

namespace {

NpyLimits stats_limits() {
  NpyLimits l;
  // The largest legal member is sigma or sum_outer at kMaxFeatureDim² float64 values.
  l.max_bytes = static_cast<uint64_t>(kMaxFeatureDim) * static_cast<uint64_t>(kMaxFeatureDim) * 8u;
  l.max_members = 64;
  return l;
}

Result<const NpyArray*> find_key(const std::map<std::string, NpyArray>& z, const std::string& path,
                                 const std::string& key) {
  auto it = z.find(key);
  if (it == z.end()) {
    std::string keys;
    auto contents = inspect_npz(path);  // every member's name, though only the statistics were read
    if (contents.ok())
      for (const std::string& k : contents->keys) keys += (keys.empty() ? "" : ", ") + k;
    return not_found("statistics file '" + path + "': missing key '" + key +
                     "' (has: " + (keys.empty() ? "nothing" : keys) + ")");
  }
  return &it->second;
}

Status expect_shape(const NpyArray& a, const std::vector<int64_t>& shape, const std::string& path,
                    const std::string& key) {
  if (a.shape != shape) {
    return bad_input("statistics file '" + path + "': '" + key + "' has shape " + shape_to_string(a.shape) +
                     ", expected " + shape_to_string(shape));
  }
  if (a.descr.size() < 2 || a.descr[1] != 'f') {
    if (key != "n") {
      return bad_input("statistics file '" + path + "': '" + key + "' has dtype " + a.descr +
                       ", expected a float type");
    }
  }
  return Status();
}

Result<int64_t> dim_from_mu(const NpyArray& mu, const std::string& path, const std::string& key) {
  if (mu.shape.size() != 1 || mu.shape[0] < 1 || mu.shape[0] > kMaxFeatureDim) {
    return bad_input("statistics file '" + path + "': '" + key + "' has shape " + shape_to_string(mu.shape) +
                     ", expected (D,) with 1 <= D <= " + std::to_string(kMaxFeatureDim));
  }
  return mu.shape[0];
}

}  // namespace

Status write_fid_stats_npz(const std::string& path, const GaussianStats& stats, Overwrite overwrite) {
  FIDCPP_RETURN_IF_ERROR(check_gaussian_stats(stats, "statistics"));
  std::vector<NpyWriteArray> arrays = {
      {"mu", {stats.dim}, NpyDtype::kF8, stats.mu.data()},
      {"sigma", {stats.dim, stats.dim}, NpyDtype::kF8, stats.sigma.data()},
  };
  return write_npz(path, arrays, /*compress=*/true, overwrite);
}

Status write_moments_npz(const std::string& path, const Moments& moments, Overwrite overwrite) {
  const int64_t d = moments.dim();
  const double n = static_cast<double>(moments.count());
  const std::vector<double> outer = moments.sum_outer();
  std::vector<NpyWriteArray> arrays = {
      {"n", {}, NpyDtype::kI8, &n},
      {"sum", {d}, NpyDtype::kF8, moments.sum().data()},
      {"sum_outer", {d, d}, NpyDtype::kF8, outer.data()},
  };
  GaussianStats stats;
  if (moments.count() >= 2) {
    FIDCPP_ASSIGN_OR_RETURN(stats, moments.gaussian_stats());
    arrays.push_back({"mu", {d}, NpyDtype::kF8, stats.mu.data()});
    arrays.push_back({"sigma", {d, d}, NpyDtype::kF8, stats.sigma.data()});
  }
  return write_npz(path, arrays, /*compress=*/true, overwrite);
}

Result<GaussianStats> read_fid_stats_npz(const std::string& path) {
  // Only the keys used: other members (an ADM reference batch's arr_0 of images) are never read.
  FIDCPP_ASSIGN_OR_RETURN(auto z, read_npz_members(path, {"mu", "sigma"}, stats_limits()));
  FIDCPP_ASSIGN_OR_RETURN(const NpyArray* mu, find_key(z, path, "mu"));
  FIDCPP_ASSIGN_OR_RETURN(const NpyArray* sigma, find_key(z, path, "sigma"));
  FIDCPP_ASSIGN_OR_RETURN(int64_t d, dim_from_mu(*mu, path, "mu"));
  FIDCPP_RETURN_IF_ERROR(expect_shape(*mu, {d}, path, "mu"));
  FIDCPP_RETURN_IF_ERROR(expect_shape(*sigma, {d, d}, path, "sigma"));
  GaussianStats s;
  s.dim = d;
  s.mu = mu->data;
  s.sigma = sigma->data;
  FIDCPP_RETURN_IF_ERROR(check_gaussian_stats(s, ("statistics file '" + path + "'").c_str()));
  return s;
}

Result<Moments> read_moments_npz(const std::string& path) {
  FIDCPP_ASSIGN_OR_RETURN(auto z, read_npz_members(path, {"n", "sum", "sum_outer"}, stats_limits()));
  FIDCPP_ASSIGN_OR_RETURN(const NpyArray* n, find_key(z, path, "n"));
  FIDCPP_ASSIGN_OR_RETURN(const NpyArray* sum, find_key(z, path, "sum"));
  FIDCPP_ASSIGN_OR_RETURN(const NpyArray* outer, find_key(z, path, "sum_outer"));
  FIDCPP_ASSIGN_OR_RETURN(int64_t d, dim_from_mu(*sum, path, "sum"));
  FIDCPP_RETURN_IF_ERROR(expect_shape(*n, {}, path, "n"));
  FIDCPP_RETURN_IF_ERROR(expect_shape(*outer, {d, d}, path, "sum_outer"));
  const double count = n->data.at(0);
  if (!(count >= 0.0 && count <= 9.0e15) || count != std::floor(count)) {
    return bad_input("statistics file '" + path + "': 'n' must be a non-negative integer");
  }
  Result<Moments> m = Moments::from_sums(d, static_cast<int64_t>(count), sum->data, outer->data);
  if (!m.ok()) return m.status().with_context("statistics file '" + path + "'");
  return m;
}

Result<FeatureMatrix> read_features_npy(const std::string& path) {
  FIDCPP_ASSIGN_OR_RETURN(NpyArray a, read_npy(path));
  if (a.shape.size() != 2 || a.shape[0] < 1 || a.shape[1] < 1 || a.shape[1] > kMaxFeatureDim) {
    return bad_input("features file '" + path + "': shape " + shape_to_string(a.shape) +
                     ", expected (N, D) with N >= 1 and 1 <= D <= " + std::to_string(kMaxFeatureDim));
  }
  if (a.descr.size() < 2 || a.descr[1] != 'f') {
    return bad_input("features file '" + path + "': dtype " + a.descr + ", expected float32 or float64");
  }
  FeatureMatrix f;
  f.n = a.shape[0];
  f.dim = a.shape[1];
  f.data.resize(a.data.size());
  for (size_t i = 0; i < a.data.size(); ++i) f.data[i] = static_cast<float>(a.data[i]);
  FIDCPP_RETURN_IF_ERROR(
      check_finite_features(f.data.data(), f.n, f.dim, ("features file '" + path + "'").c_str()));
  return f;
}

}  // namespace fidcpp
