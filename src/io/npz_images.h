// Image batches in .npz files as OpenAI's guided-diffusion / ADM sample scripts write them (np.savez with
// arr_0 = N x H x W x 3 uint8, RGB), read one slice of images at a time so a 50k-image batch never sits in
// memory whole; and what an .npz holds (statistics, an image batch, or both), decided by its members.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/zip_reader.h"

namespace fidcpp {

struct NpzContents {
  std::vector<std::string> keys;   // member names without ".npy", in archive order
  bool has_fid_stats = false;      // mu and sigma
  bool has_moments = false;        // n, sum and sum_outer (our mergeable statistics)
  bool has_spatial_stats = false;  // mu_s and sigma_s (ADM reference batches: sFID statistics)
  bool has_arr_0 = false;
  bool image_batch = false;   // arr_0 is uint8 N x H x W x 3 (C order)
  std::string arr_0_problem;  // why arr_0 is not an image batch, when it is present but is not
};

// Lists the members and reads arr_0's .npy header only (a deflated arr_0 inflates just its header).
Result<NpzContents> inspect_npz(const std::string& path);

// A deflated arr_0 (np.savez_compressed) streams through zlib in the full build; the minimal build inflates
// it whole and refuses one larger than this.
constexpr uint64_t kMinimalBuildMaxInflatedBatch = uint64_t(1) << 30;

class NpzImageBatch {
 public:
  // Opens arr_0 and checks it is uint8 N x H x W x 3 in C order with N >= 1 and H, W within `max_side`.
  static Result<NpzImageBatch> open(const std::string& path, int max_side);
  NpzImageBatch(NpzImageBatch&&) noexcept;
  NpzImageBatch& operator=(NpzImageBatch&&) noexcept;
  ~NpzImageBatch();

  int64_t count() const { return n_; }
  int height() const { return h_; }
  int width() const { return w_; }
  size_t image_bytes() const { return size_t(h_) * size_t(w_) * 3; }
  int64_t next_index() const { return next_; }
  // The next k images (k * image_bytes() bytes, row-major RGB) in file order.
  Status read(int64_t k, uint8_t* out);
  Status skip(int64_t k);
  // After the last image: checks the member's end and CRC-32.
  Status finish();

 private:
  NpzImageBatch() = default;
  std::string path_;
  std::unique_ptr<ZipReader> zip_;
  std::unique_ptr<ZipMemberStream> stream_;
  int64_t n_ = 0, next_ = 0;
  int h_ = 0, w_ = 0;
};

}  // namespace fidcpp
