// The shared 8-bit level table of the resize kernels.
#include "preprocess/resize_source.h"

namespace fidcpp {

const float* identity_level_table() {
  static const struct Table {
    float v[256];
    Table() {
      for (int i = 0; i < 256; ++i) v[i] = static_cast<float>(i);
    }
  } table;
  return table.v;
}

}  // namespace fidcpp
