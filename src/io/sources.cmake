set(FIDCPP_IO_SOURCES
  src/io/tensor_map.cpp
  src/io/zip_reader.cpp
  src/io/zip_writer.cpp
  src/io/npy.cpp
  src/io/npz_images.cpp
  src/io/json.cpp
  src/io/safetensors.cpp
  src/io/pickle_vm.cpp
  src/io/torch_archive.cpp
)
list(APPEND FIDCPP_IO_SOURCES  # image decoding and sources
  src/io/image_decode.cpp
  src/io/image_source.cpp
)
if(NOT FIDCPP_MINIMAL)  # libwebp and libtiff (the minimal build refuses both formats)
  list(APPEND FIDCPP_IO_SOURCES src/io/image_decode_webp.cpp src/io/image_decode_tiff.cpp)
endif()
if(FIDCPP_MINIMAL)  # stb_image's implementation (JPEG, PNG, inflate) in place of libjpeg, libpng and zlib
  list(APPEND FIDCPP_IO_SOURCES src/io/stb_image_impl.cpp)
  # Third-party code: its warnings are not ours to fix (-Werror stays on for every fidcpp file).
  set_source_files_properties(src/io/stb_image_impl.cpp PROPERTIES COMPILE_OPTIONS "-w")
endif()
