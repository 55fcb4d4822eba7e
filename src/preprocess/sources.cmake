# Preprocessing: the modes' table and the CPU Preprocessor, and the resize axis plans and kernels that both
# backends use (the CUDA backend uploads the plans). Compiled once into fidcpp_preprocess (CMakeLists.txt).
set(FIDCPP_PREPROCESS_SOURCES
  src/preprocess/preprocess.cpp
  src/preprocess/resize_source.cpp
  src/preprocess/resize_tf1.cpp
  src/preprocess/resize_bilinear.cpp
  src/preprocess/resize_aa_bilinear.cpp
  src/preprocess/resize_pil_bicubic.cpp
  src/preprocess/resize_grid_sample.cpp
)
