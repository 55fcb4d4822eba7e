// parse_torch_checkpoint on an in-memory file (format detected from the bytes; corpus:
// tests/fuzz/corpus/torch_legacy/). Tensors are copied (no keepalive) and then read in full.
#include "fuzz/fuzz_tensors.h"
#include "io/torch_archive.h"

FIDCPP_FUZZ_TARGET(torch_legacy) {
  using namespace fidcpp;
  TorchReadOptions options;
  options.max_pickle_bytes = uint64_t(16) << 20;
  Result<TorchCheckpoint> ckpt = parse_torch_checkpoint(data, size, "fuzz", nullptr, options);
  if (!ckpt.ok()) return 0;
  fuzz::fuzz_accepted();
  fuzz::check_tensor_map(ckpt->tensors);
  return 0;
}
