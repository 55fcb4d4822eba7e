// The FID Inception-v3 parameter table data (docs/conventions.md §1.8.2).
#include "model/inception_table.h"

#include <cstring>

namespace fidcpp {

namespace {
// prefix, in, out, kernel h, kernel w, stride, pad h, pad w
const ConvUnitSpec kUnits[kNumConvUnits] = {
    {"Conv2d_1a_3x3", 3, 32, 3, 3, 2, 0, 0},
    {"Conv2d_2a_3x3", 32, 32, 3, 3, 1, 0, 0},
    {"Conv2d_2b_3x3", 32, 64, 3, 3, 1, 1, 1},
    {"Conv2d_3b_1x1", 64, 80, 1, 1, 1, 0, 0},
    {"Conv2d_4a_3x3", 80, 192, 3, 3, 1, 0, 0},
    {"Mixed_5b.branch1x1", 192, 64, 1, 1, 1, 0, 0},
    {"Mixed_5b.branch5x5_1", 192, 48, 1, 1, 1, 0, 0},
    {"Mixed_5b.branch5x5_2", 48, 64, 5, 5, 1, 2, 2},
    {"Mixed_5b.branch3x3dbl_1", 192, 64, 1, 1, 1, 0, 0},
    {"Mixed_5b.branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
    {"Mixed_5b.branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1},
    {"Mixed_5b.branch_pool", 192, 32, 1, 1, 1, 0, 0},
    {"Mixed_5c.branch1x1", 256, 64, 1, 1, 1, 0, 0},
    {"Mixed_5c.branch5x5_1", 256, 48, 1, 1, 1, 0, 0},
    {"Mixed_5c.branch5x5_2", 48, 64, 5, 5, 1, 2, 2},
    {"Mixed_5c.branch3x3dbl_1", 256, 64, 1, 1, 1, 0, 0},
    {"Mixed_5c.branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
    {"Mixed_5c.branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1},
    {"Mixed_5c.branch_pool", 256, 64, 1, 1, 1, 0, 0},
    {"Mixed_5d.branch1x1", 288, 64, 1, 1, 1, 0, 0},
    {"Mixed_5d.branch5x5_1", 288, 48, 1, 1, 1, 0, 0},
    {"Mixed_5d.branch5x5_2", 48, 64, 5, 5, 1, 2, 2},
    {"Mixed_5d.branch3x3dbl_1", 288, 64, 1, 1, 1, 0, 0},
    {"Mixed_5d.branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
    {"Mixed_5d.branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1},
    {"Mixed_5d.branch_pool", 288, 64, 1, 1, 1, 0, 0},
    {"Mixed_6a.branch3x3", 288, 384, 3, 3, 2, 0, 0},
    {"Mixed_6a.branch3x3dbl_1", 288, 64, 1, 1, 1, 0, 0},
    {"Mixed_6a.branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1},
    {"Mixed_6a.branch3x3dbl_3", 96, 96, 3, 3, 2, 0, 0},
    {"Mixed_6b.branch1x1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6b.branch7x7_1", 768, 128, 1, 1, 1, 0, 0},
    {"Mixed_6b.branch7x7_2", 128, 128, 1, 7, 1, 0, 3},
    {"Mixed_6b.branch7x7_3", 128, 192, 7, 1, 1, 3, 0},
    {"Mixed_6b.branch7x7dbl_1", 768, 128, 1, 1, 1, 0, 0},
    {"Mixed_6b.branch7x7dbl_2", 128, 128, 7, 1, 1, 3, 0},
    {"Mixed_6b.branch7x7dbl_3", 128, 128, 1, 7, 1, 0, 3},
    {"Mixed_6b.branch7x7dbl_4", 128, 128, 7, 1, 1, 3, 0},
    {"Mixed_6b.branch7x7dbl_5", 128, 192, 1, 7, 1, 0, 3},
    {"Mixed_6b.branch_pool", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6c.branch1x1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6c.branch7x7_1", 768, 160, 1, 1, 1, 0, 0},
    {"Mixed_6c.branch7x7_2", 160, 160, 1, 7, 1, 0, 3},
    {"Mixed_6c.branch7x7_3", 160, 192, 7, 1, 1, 3, 0},
    {"Mixed_6c.branch7x7dbl_1", 768, 160, 1, 1, 1, 0, 0},
    {"Mixed_6c.branch7x7dbl_2", 160, 160, 7, 1, 1, 3, 0},
    {"Mixed_6c.branch7x7dbl_3", 160, 160, 1, 7, 1, 0, 3},
    {"Mixed_6c.branch7x7dbl_4", 160, 160, 7, 1, 1, 3, 0},
    {"Mixed_6c.branch7x7dbl_5", 160, 192, 1, 7, 1, 0, 3},
    {"Mixed_6c.branch_pool", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6d.branch1x1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6d.branch7x7_1", 768, 160, 1, 1, 1, 0, 0},
    {"Mixed_6d.branch7x7_2", 160, 160, 1, 7, 1, 0, 3},
    {"Mixed_6d.branch7x7_3", 160, 192, 7, 1, 1, 3, 0},
    {"Mixed_6d.branch7x7dbl_1", 768, 160, 1, 1, 1, 0, 0},
    {"Mixed_6d.branch7x7dbl_2", 160, 160, 7, 1, 1, 3, 0},
    {"Mixed_6d.branch7x7dbl_3", 160, 160, 1, 7, 1, 0, 3},
    {"Mixed_6d.branch7x7dbl_4", 160, 160, 7, 1, 1, 3, 0},
    {"Mixed_6d.branch7x7dbl_5", 160, 192, 1, 7, 1, 0, 3},
    {"Mixed_6d.branch_pool", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6e.branch1x1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6e.branch7x7_1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6e.branch7x7_2", 192, 192, 1, 7, 1, 0, 3},
    {"Mixed_6e.branch7x7_3", 192, 192, 7, 1, 1, 3, 0},
    {"Mixed_6e.branch7x7dbl_1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_6e.branch7x7dbl_2", 192, 192, 7, 1, 1, 3, 0},
    {"Mixed_6e.branch7x7dbl_3", 192, 192, 1, 7, 1, 0, 3},
    {"Mixed_6e.branch7x7dbl_4", 192, 192, 7, 1, 1, 3, 0},
    {"Mixed_6e.branch7x7dbl_5", 192, 192, 1, 7, 1, 0, 3},
    {"Mixed_6e.branch_pool", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_7a.branch3x3_1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_7a.branch3x3_2", 192, 320, 3, 3, 2, 0, 0},
    {"Mixed_7a.branch7x7x3_1", 768, 192, 1, 1, 1, 0, 0},
    {"Mixed_7a.branch7x7x3_2", 192, 192, 1, 7, 1, 0, 3},
    {"Mixed_7a.branch7x7x3_3", 192, 192, 7, 1, 1, 3, 0},
    {"Mixed_7a.branch7x7x3_4", 192, 192, 3, 3, 2, 0, 0},
    {"Mixed_7b.branch1x1", 1280, 320, 1, 1, 1, 0, 0},
    {"Mixed_7b.branch3x3_1", 1280, 384, 1, 1, 1, 0, 0},
    {"Mixed_7b.branch3x3_2a", 384, 384, 1, 3, 1, 0, 1},
    {"Mixed_7b.branch3x3_2b", 384, 384, 3, 1, 1, 1, 0},
    {"Mixed_7b.branch3x3dbl_1", 1280, 448, 1, 1, 1, 0, 0},
    {"Mixed_7b.branch3x3dbl_2", 448, 384, 3, 3, 1, 1, 1},
    {"Mixed_7b.branch3x3dbl_3a", 384, 384, 1, 3, 1, 0, 1},
    {"Mixed_7b.branch3x3dbl_3b", 384, 384, 3, 1, 1, 1, 0},
    {"Mixed_7b.branch_pool", 1280, 192, 1, 1, 1, 0, 0},
    {"Mixed_7c.branch1x1", 2048, 320, 1, 1, 1, 0, 0},
    {"Mixed_7c.branch3x3_1", 2048, 384, 1, 1, 1, 0, 0},
    {"Mixed_7c.branch3x3_2a", 384, 384, 1, 3, 1, 0, 1},
    {"Mixed_7c.branch3x3_2b", 384, 384, 3, 1, 1, 1, 0},
    {"Mixed_7c.branch3x3dbl_1", 2048, 448, 1, 1, 1, 0, 0},
    {"Mixed_7c.branch3x3dbl_2", 448, 384, 3, 3, 1, 1, 1},
    {"Mixed_7c.branch3x3dbl_3a", 384, 384, 1, 3, 1, 0, 1},
    {"Mixed_7c.branch3x3dbl_3b", 384, 384, 3, 1, 1, 1, 0},
    {"Mixed_7c.branch_pool", 2048, 192, 1, 1, 1, 0, 0},
};
}  // namespace

const ConvUnitSpec* conv_units() {
  return kUnits;
}

int conv_unit_input_size(int unit) {
  if (unit < 0 || unit >= kNumConvUnits) return 0;
  // The stem's maps shrink layer by layer; inside a mixed block every branch starts from the block's input.
  static const struct {
    const char* prefix;
    int size;
  } kSizes[] = {{"Conv2d_1a", 299}, {"Conv2d_2a", 149}, {"Conv2d_2b", 147}, {"Conv2d_3b", 73},
                {"Conv2d_4a", 73},  {"Mixed_5", 35},    {"Mixed_6a", 35},   {"Mixed_6", 17},
                {"Mixed_7a", 17},   {"Mixed_7", 8}};
  const std::string p = kUnits[unit].prefix;
  for (const auto& e : kSizes)
    if (p.compare(0, std::strlen(e.prefix), e.prefix) == 0) return e.size;
  return 0;
}

bool conv_unit_pools_after(int unit) {
  if (unit < 0 || unit >= kNumConvUnits) return false;
  const std::string p = kUnits[unit].prefix;
  const std::string suffix = ".branch_pool";
  return p.size() > suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         p.compare(0, 8, "Mixed_7c") != 0;  // Mixed_7c max-pools (docs/conventions.md §1.4)
}

int conv_unit_index(const std::string& prefix) {
  for (int i = 0; i < kNumConvUnits; ++i)
    if (prefix == kUnits[i].prefix) return i;
  return -1;
}

std::vector<ParamSpec> inception_param_specs(bool with_fc) {
  std::vector<ParamSpec> specs;
  specs.reserve(kNumConvUnits * 5 + 2);
  for (const ConvUnitSpec& u : kUnits) {
    const std::string p = u.prefix;
    specs.push_back({p + ".conv.weight", {u.cout, u.cin, u.kh, u.kw}});
    for (const char* bn : {".bn.weight", ".bn.bias", ".bn.running_mean", ".bn.running_var"})
      specs.push_back({p + bn, {u.cout}});
  }
  if (with_fc) {
    specs.push_back({"fc.weight", {kFcOut, kPool3Dim}});
    specs.push_back({"fc.bias", {kFcOut}});
  }
  return specs;
}

}  // namespace fidcpp
