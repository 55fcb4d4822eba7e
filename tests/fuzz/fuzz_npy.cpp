// The .npy reader on an in-memory file.
#include "fuzz/fuzz_target.h"
#include "io/npy.h"

FIDCPP_FUZZ_TARGET(npy) {
  using namespace fidcpp;
  Result<NpyArray> a = parse_npy(data, size, "fuzz");
  if (!a.ok()) return 0;
  fuzz::fuzz_accepted();
  FIDCPP_FUZZ_CHECK(a->numel() >= 0 && a->data.size() == size_t(a->numel()));
  return 0;
}
