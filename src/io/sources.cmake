set(FIDCPP_IO_SOURCES
  src/io/tensor_map.cpp
  src/io/zip_reader.cpp
  src/io/zip_writer.cpp
  src/io/npy.cpp
  src/io/json.cpp
  src/io/safetensors.cpp
  src/io/pickle_vm.cpp
  src/io/torch_archive.cpp
)
list(APPEND FIDCPP_IO_SOURCES  # image decoding and sources
  src/io/image_decode.cpp
  src/io/image_source.cpp
)
