# Readers and writers (unit), the weights file on synthetic data (unit), and the real converted weights (weights).
fidcpp_test(NAME test_io LABELS unit
  SOURCES io/test_sha.cpp io/test_zip.cpp io/test_npy.cpp io/test_safetensors.cpp io/test_torch_archive.cpp)
# cmd_weights.cpp is compiled in directly so the exit codes are tested before the CLI's main wires it.
fidcpp_test(NAME test_weights LABELS unit SOURCES io/test_weights.cpp ${PROJECT_SOURCE_DIR}/src/cli/cmd_weights.cpp
  ${PROJECT_SOURCE_DIR}/src/cli/exit_codes.cpp)
fidcpp_test(NAME test_weights_real LABELS weights SOURCES io/test_weights_real.cpp)
