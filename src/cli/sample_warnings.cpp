// Small-sample warnings of the CLI (sample_warnings.h).
#include "cli/sample_warnings.h"

#include "library_tools.h"

namespace fidcpp_cli {

std::string small_sample_warning(const std::string& label, uint64_t n, int dim) {
  if (n == 0 || n > uint64_t(dim)) return "";
  const std::string d = std::to_string(dim);
  return label + ": " + std::to_string(n) + " samples <= " + d +
         " feature dimensions, so its covariance is " + "rank-deficient (rank <= " + std::to_string(n - 1) +
         " < " + d +
         "); FID from so few samples is strongly biased, use more samples than dimensions or a smaller --tap";
}

std::string json_warnings(const std::vector<std::string>& warnings) {
  std::string out = "[";
  for (size_t i = 0; i < warnings.size(); ++i)
    out += (i ? ", " : "") + fidcpp::json_string_literal(warnings[i]);
  return out + "]";
}

}  // namespace fidcpp_cli
