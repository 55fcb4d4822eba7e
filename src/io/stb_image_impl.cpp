// stb_image's implementation, compiled into the minimal build's library instead of linking Debian's libstb
// (so the CLI's only run-time dependencies stay libc, libstdc++, LAPACK/BLAS and pthread; docs/edge.md).
#define STB_IMAGE_IMPLEMENTATION
#include "io/stb_image_config.h"
