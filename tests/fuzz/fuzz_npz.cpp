// The .npz reader (a zip of .npy members, stored or deflated) on an in-memory archive.
#include "fuzz/fuzz_target.h"
#include "io/npy.h"

FIDCPP_FUZZ_TARGET(npz) {
  using namespace fidcpp;
  NpyLimits limits;
  limits.max_bytes = uint64_t(64) << 20;
  Result<std::map<std::string, NpyArray>> z = parse_npz(data, size, "fuzz", limits);
  if (!z.ok()) return 0;
  fuzz::fuzz_accepted();
  for (const auto& [key, a] : *z) FIDCPP_FUZZ_CHECK(a.data.size() == size_t(a.numel()));
  return 0;
}
