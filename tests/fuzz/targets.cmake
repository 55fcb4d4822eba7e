# The libFuzzer targets: tests/fuzz/fuzz_<name>.cpp, seeds in tests/fuzz/corpus/<name>/, fixed crashes in
# tests/fuzz/regressions/<name>/. Shared by the fuzz build (fuzz.cmake) and the replay test (tests.cmake).
set(FIDCPP_FUZZ_TARGETS
  decode_jpeg decode_png decode_gif decode_bmp decode_pnm decode_webp decode_tiff
  safetensors zip pickle torch_legacy torch_zip torchscript npy npz list_file)
