// Links fidcpp through the installed package and exercises the public API without weights: statistics files
// written through the API are read back, and a missing weights file is reported, not crashed on.
#include <cstdio>
#include <cstring>

#include "fidcpp/fidcpp.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: consumer a.npz b.npz\n");
    return 2;
  }
  try {
    fidcpp::Options o;
    o.weights_path = "/nonexistent.safetensors";
    fidcpp::Evaluator ev(o);
    ev.load_stats(FIDCPP_SIDE_REAL, argv[1]);
    ev.load_stats(FIDCPP_SIDE_GENERATED, argv[2]);
    std::printf("fid %.6f\n", ev.fid());
    unsigned char px[3 * 8 * 8] = {0};
    try {
      ev.reset(FIDCPP_SIDE_REAL);
      ev.add_image(FIDCPP_SIDE_REAL, px, 8, 8, 24);
      std::printf("error: expected a weights error\n");
      return 1;
    } catch (const fidcpp::Error& e) {
      if (e.status() != FIDCPP_STATUS_WEIGHTS) return 1;
      std::printf("weights error as expected\n");
    }
  } catch (const fidcpp::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
