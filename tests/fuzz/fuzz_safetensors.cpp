// The safetensors reader on an in-memory file: header parsing alone, then the tensor map (F32 only, and
// skipping other dtypes).
#include "fuzz/fuzz_tensors.h"
#include "io/safetensors.h"

FIDCPP_FUZZ_TARGET(safetensors) {
  using namespace fidcpp;
  SafetensorsOptions options;
  options.max_header_bytes = uint64_t(1) << 20;
  Result<SafetensorsHeader> header = parse_safetensors_header(data, size, "fuzz", options);
  if (header.ok()) {
    for (const SafetensorsEntry& e : header->entries) {
      FIDCPP_FUZZ_CHECK(e.begin <= e.end && e.end <= header->data_size);
      FIDCPP_FUZZ_CHECK(header->data_start + header->data_size <= size);
    }
  }
  for (bool skip : {false, true}) {
    options.skip_non_f32 = skip;
    Result<TensorMap> map = parse_safetensors(data, size, "fuzz", options);
    if (!map.ok()) continue;
    fuzz::fuzz_accepted();
    FIDCPP_FUZZ_CHECK(header.ok());
    fuzz::check_tensor_map(map.value());
  }
  return 0;
}
