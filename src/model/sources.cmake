set(FIDCPP_MODEL_SOURCES
  src/model/inception_table.cpp
)
