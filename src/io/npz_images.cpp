// ADM-style .npz image batches (arr_0, N x H x W x 3 uint8) read a slice at a time, and .npz member triage.
#include "io/npz_images.h"

#include <algorithm>

#include "io/npy.h"
#include "io/tensor_map.h"

namespace fidcpp {

namespace {

std::string key_of(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0 ? name.substr(0, name.size() - 4)
                                                                          : name;
}

const ZipEntry* find_arr_0(const ZipReader& zip) {
  const ZipEntry* e = zip.find("arr_0.npy");
  return e ? e : zip.find("arr_0");
}

// Reads arr_0's header from the front of its stream; the stream is left at the first pixel byte.
Result<NpyHeader> read_header(ZipMemberStream* s, const std::string& what) {
  std::vector<uint8_t> head(12);
  const size_t first = size_t(std::min<uint64_t>(12, s->left()));
  FIDCPP_RETURN_IF_ERROR(s->read(head.data(), first));
  FIDCPP_ASSIGN_OR_RETURN(NpyHeader h, parse_npy_header(head.data(), first, what));
  if (h.header_bytes > first) {
    head.resize(h.header_bytes);
    FIDCPP_RETURN_IF_ERROR(s->read(head.data() + first, h.header_bytes - first));
  }
  return parse_npy_header(head.data(), head.size(), what);
}

// Empty when the header describes an image batch, else why not.
std::string batch_problem(const NpyHeader& h, int max_side) {
  const std::string got = "dtype '" + h.descr + "' and shape " + shape_to_string(h.shape);
  if (h.descr != "|u1" && h.descr != "<u1" && h.descr != ">u1" && h.descr != "=u1")
    return got + ", expected uint8 N x H x W x 3";
  if (h.shape.size() != 4 || h.shape[3] != 3) return got + ", expected uint8 N x H x W x 3";
  if (h.fortran_order) return "Fortran-ordered arr_0 (write it in C order)";
  if (h.shape[0] < 1 || h.shape[1] < 1 || h.shape[2] < 1) return got + ": no images";
  if (h.shape[1] > max_side || h.shape[2] > max_side)
    return got + ": images larger than " + std::to_string(max_side) + " pixels per side";
  return "";
}

}  // namespace

Result<NpzContents> inspect_npz(const std::string& path) {
  FIDCPP_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open_file(path));
  NpzContents c;
  for (const ZipEntry& e : zip.entries()) {
    if (e.name.empty() || e.name.back() == '/') continue;
    c.keys.push_back(key_of(e.name));
  }
  const auto has = [&](const char* k) { return std::find(c.keys.begin(), c.keys.end(), k) != c.keys.end(); };
  c.has_fid_stats = has("mu") && has("sigma");
  c.has_moments = has("n") && has("sum") && has("sum_outer");
  c.has_spatial_stats = has("mu_s") && has("sigma_s");
  const ZipEntry* e = find_arr_0(zip);
  c.has_arr_0 = e != nullptr;
  if (e) {
    FIDCPP_ASSIGN_OR_RETURN(ZipMemberStream s, ZipMemberStream::open(zip, *e, kMinimalBuildMaxInflatedBatch));
    auto h = read_header(&s, "'" + path + "' member '" + e->name + "'");
    if (!h.ok()) {
      c.arr_0_problem = h.status().message();
    } else {
      c.arr_0_problem = batch_problem(*h, 1 << 16);
      c.image_batch = c.arr_0_problem.empty();
    }
  }
  return c;
}

NpzImageBatch::NpzImageBatch(NpzImageBatch&&) noexcept = default;
NpzImageBatch& NpzImageBatch::operator=(NpzImageBatch&&) noexcept = default;
NpzImageBatch::~NpzImageBatch() = default;

Result<NpzImageBatch> NpzImageBatch::open(const std::string& path, int max_side) {
  NpzImageBatch b;
  b.path_ = path;
  FIDCPP_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open_file(path));
  b.zip_ = std::make_unique<ZipReader>(std::move(zip));
  const ZipEntry* e = find_arr_0(*b.zip_);
  if (!e) return not_found("image batch '" + path + "': no member arr_0");
  const std::string what = "image batch '" + path + "' member '" + e->name + "'";
  FIDCPP_ASSIGN_OR_RETURN(ZipMemberStream s,
                          ZipMemberStream::open(*b.zip_, *e, kMinimalBuildMaxInflatedBatch));
  b.stream_ = std::make_unique<ZipMemberStream>(std::move(s));
  FIDCPP_ASSIGN_OR_RETURN(NpyHeader h, read_header(b.stream_.get(), what));
  const std::string problem = batch_problem(h, max_side);
  if (!problem.empty()) return bad_input(what + ": " + problem);
  b.n_ = h.shape[0];
  b.h_ = int(h.shape[1]);
  b.w_ = int(h.shape[2]);
  const uint64_t per = b.image_bytes();
  if (uint64_t(b.n_) > b.stream_->left() / per || b.stream_->left() != uint64_t(b.n_) * per)
    return bad_input(what + ": holds " + std::to_string(b.stream_->left()) + " data bytes, expected " +
                     std::to_string(b.n_) + " x " + std::to_string(per) + " for shape " +
                     shape_to_string(h.shape));
  return b;
}

Status NpzImageBatch::read(int64_t k, uint8_t* out) {
  if (k < 0 || k > n_ - next_)
    return invalid_argument("image batch '" + path_ + "': reading " + std::to_string(k) + " images at " +
                            std::to_string(next_) + " of " + std::to_string(n_));
  Status st = stream_->read(out, size_t(k) * image_bytes());
  if (!st.ok()) return st.with_context("image batch '" + path_ + "'");
  next_ += k;
  return Status();
}

Status NpzImageBatch::skip(int64_t k) {
  if (k < 0 || k > n_ - next_)
    return invalid_argument("image batch '" + path_ + "': skipping " + std::to_string(k) + " images at " +
                            std::to_string(next_) + " of " + std::to_string(n_));
  Status st = stream_->skip(uint64_t(k) * image_bytes());
  if (!st.ok()) return st.with_context("image batch '" + path_ + "'");
  next_ += k;
  return Status();
}

Status NpzImageBatch::finish() {
  Status st = stream_->finish();
  return st.ok() ? st : st.with_context("image batch '" + path_ + "'");
}

}  // namespace fidcpp
