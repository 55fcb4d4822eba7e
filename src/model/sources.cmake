set(FIDCPP_MODEL_SOURCES
  src/model/inception_table.cpp
  src/model/inception_weights.cpp
  src/model/inception_forward.cpp
  src/model/inception_network.cpp
)
list(APPEND FIDCPP_MODEL_SOURCES
  src/model/weights_file.cpp
  src/model/weights_convert.cpp
)
