// Image folders for the scale-out tests.
#include "mpi/scale_harness.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace fidcpp {
namespace scale_test {

std::string image_folder(const std::string& name, int scene, int n) {
  const std::string d = tmp(name);
  EXPECT_EQ(std::system(("rm -rf '" + d + "' && mkdir -p '" + d + "'").c_str()), 0);
  for (int i = 0; i < n; ++i) {
    const Frame f = render_frame(scene, i);
    char file[32];
    std::snprintf(file, sizeof file, "/img_%02d.png", i);
    EXPECT_TRUE(stbi_write_png((d + file).c_str(), f.width, f.height, 4, f.rgba.data(), int(f.row_stride)));
  }
  return d;
}

}  // namespace scale_test
}  // namespace fidcpp
