// Warnings about sets too small for the covariance-based metrics (FID, MiFID, saved statistics): n samples
// give a covariance of rank at most n-1, rank-deficient when n <= D (docs/metrics-extra.md "Small samples").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fidcpp_cli {

// The warning for set `label` ("A", "B", "B2", ...) of n samples at feature dimension dim; empty when n >
// dim, or when n is 0 (unknown, e.g. statistics files without a count).
std::string small_sample_warning(const std::string& label, uint64_t n, int dim);

// The --json "warnings" array: [] or ["...", ...].
std::string json_warnings(const std::vector<std::string>& warnings);

}  // namespace fidcpp_cli
