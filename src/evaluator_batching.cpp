// EvaluatorCore's batching: images (host, decoded files, device memory) are preprocessed into the pending
// batch by the worker pool, which runs through the network when full; features go to the side's statistics.
#include <algorithm>

#include "backend/input_transform.h"
#include "backend_registry.h"
#include "evaluator.h"
#include "evaluator_side.h"
#include "io/image_decode.h"

namespace fidcpp {

Status EvaluatorCore::add_features(Side side, const float* rows, int64_t n, const float* logits) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); they cannot be extended");
  if (!s.moments) {
    FIDCPP_ASSIGN_OR_RETURN(Moments m, Moments::create(feature_dim_));
    s.moments = std::move(m);
  }
  FIDCPP_RETURN_IF_ERROR(s.moments->add(rows, n));
  keep_rows(side, rows, n, logits);
  return Status();
}

void EvaluatorCore::keep_rows(Side side, const float* rows, int64_t n, const float* logits) {
  SideState& s = *sides_[side_index(side)];
  if (config_.keep_features) s.features.insert(s.features.end(), rows, rows + n * feature_dim_);
  if (config_.keep_logits && logits) s.logits.insert(s.logits.end(), logits, logits + n * kFcOut);
  s.count += static_cast<uint64_t>(n);
}

Result<bool> EvaluatorCore::add_device_moments(Side side, const float* rows, int n) {
  SideState& s = *sides_[side_index(side)];
  if (!device_moments_ || s.fixed_stats) return false;  // fixed statistics: add_features says why not
  FIDCPP_RETURN_IF_ERROR(check_finite_features(rows, n, feature_dim_, "features"));
  if (!s.device_moments) {
    auto m = backend_->create_moments(feature_dim_);
    if (!m.ok() && m.status().code() == StatusCode::kUnsupported) {
      device_moments_ = false;
      return false;
    }
    FIDCPP_RETURN_IF_ERROR(m.status());
    s.device_moments = std::move(m).value();
  }
  FIDCPP_RETURN_IF_ERROR(s.device_moments->add(forward_->tap_data(0), n, feature_dim_));
  s.device_rows += n;
  return true;
}

Status EvaluatorCore::fold_device_moments(Side side) {
  SideState& s = *sides_[side_index(side)];
  if (!s.device_moments || s.device_rows == 0) return Status();
  int64_t count = 0;
  std::vector<double> sum, outer;
  FIDCPP_RETURN_IF_ERROR(s.device_moments->take(&count, &sum, &outer));
  s.device_rows = 0;
  FIDCPP_ASSIGN_OR_RETURN(Moments m, Moments::from_sums(feature_dim_, count, sum, outer));
  if (!s.moments) {
    s.moments = std::move(m);
    return Status();
  }
  return s.moments->merge(m);
}

// The batch is uploaded (on CUDA from the pinned buffer it was prepared in, while the host moves on to the
// other one) and its forward pass issued; finish_in_flight() downloads and adds its features. A synchronous
// backend (the CPU) finishes it here. An asynchronous one (CUDA) returns while the device runs it, so the
// caller decodes the next batch meanwhile (ARCHITECTURE §5: decode overlaps inference); the next batch,
// flush() and every reader of the side finish it first, so the order of the features and every number are the
// same either way.
Status EvaluatorCore::process_pending(Side side) {
  SideState& s = *sides_[side_index(side)];
  if (s.n_pending == 0) return Status();
  const int n = s.n_pending;
  s.n_pending = 0;
  if (n > forward_->max_batch())
    return internal_error("evaluator: " + std::to_string(n) +
                          " pending images exceed the network's batch of " +
                          std::to_string(forward_->max_batch()));
  // The copy is queued first (behind the forward still running, if any) and straight from pinned memory on
  // CUDA; only then does the host wait for the previous batch's features, so the device goes from that
  // forward to this copy without waiting for the host.
  FIDCPP_RETURN_IF_ERROR(backend_->upload_host(*s.pending_buffers[s.pending_index], size_t(n) * kInputFloats,
                                               forward_->input_view(n).data));
  FIDCPP_RETURN_IF_ERROR(finish_in_flight());
  FIDCPP_RETURN_IF_ERROR(forward_->forward(n));
  in_flight_n_ = n;
  in_flight_side_ = side;
  if (s.pending_buffers[1]) {  // the host fills the other buffer while the device reads this one
    s.pending_index ^= 1;
    FIDCPP_RETURN_IF_ERROR(backend_->wait_host(*s.pending_buffers[s.pending_index]));
  }
  return backend_->asynchronous() ? Status() : finish_in_flight();
}

Status EvaluatorCore::finish_in_flight() {
  if (in_flight_n_ == 0) return Status();
  const int n = in_flight_n_;
  const Side side = in_flight_side_;
  in_flight_n_ = 0;
  std::vector<float> feats(size_t(n) * feature_dim_);
  std::vector<float> logits(config_.keep_logits ? size_t(n) * kFcOut : 0);
  std::vector<float*> outs{feats.data()};
  if (config_.keep_logits) outs.push_back(logits.data());
  FIDCPP_RETURN_IF_ERROR(forward_->download_taps(n, outs));
  FIDCPP_RETURN_IF_ERROR(backend_->synchronize());
  const float* kept_logits = config_.keep_logits ? logits.data() : nullptr;
  // On a backend that keeps the sums (CUDA: dsyrk where the features are), the host only checks the
  // downloaded rows and keeps what was asked for.
  FIDCPP_ASSIGN_OR_RETURN(bool on_device, add_device_moments(side, feats.data(), n));
  if (on_device) {
    keep_rows(side, feats.data(), n, kept_logits);
  } else {
    FIDCPP_RETURN_IF_ERROR(add_features(side, feats.data(), n, kept_logits));
  }
  const SideState& s = *sides_[side_index(side)];
  if (config_.progress) config_.progress(s.count, s.expected);
  return Status();
}

Status EvaluatorCore::add_image(Side side, const RgbImageView& image) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); images cannot be added");
  FIDCPP_RETURN_IF_ERROR(ensure_network());
  FIDCPP_RETURN_IF_ERROR(preprocessors_[0].run(image, s.pending() + int64_t(s.n_pending) * kInputFloats));
  if (++s.n_pending == batch_) return process_pending(side);
  return Status();
}

Status EvaluatorCore::add_image_f32(Side side, const float* pixels, int width, int height,
                                    size_t row_stride_floats) {
  if (!pixels) return invalid_argument("pixels is null");
  if (width <= 0 || height <= 0)
    return invalid_argument("image size must be positive, got " + std::to_string(width) + "x" +
                            std::to_string(height));
  if (row_stride_floats < size_t(width) * 3)
    return invalid_argument("row stride " + std::to_string(row_stride_floats) +
                            " floats is less than width*3 = " + std::to_string(size_t(width) * 3));
  std::vector<uint8_t> rgb(size_t(width) * height * 3);
  for (int y = 0; y < height; ++y)
    FIDCPP_RETURN_IF_ERROR(float_to_uint8_torchmetrics(pixels + y * row_stride_floats, size_t(width) * 3,
                                                       rgb.data() + size_t(y) * width * 3,
                                                       "float image row " + std::to_string(y)));
  RgbImageView v;
  v.data = rgb.data();
  v.width = width;
  v.height = height;
  v.row_stride = width * 3;
  v.pixel_stride = 3;
  return add_image(side, v);
}

Status EvaluatorCore::add_images_device(Side side, const ImageBatch& images) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); images cannot be added");
  // Checked before loading the network, so the answer does not depend on the weights being present.
  if (!config_.make_backend && config_.device == DeviceKind::kCpu)
    return unsupported("device-pointer input needs the CUDA backend (this evaluator runs on the CPU)");
  if (!config_.make_backend) {
    const Status cuda = backend_available(DeviceKind::kCuda);
    if (!cuda.ok())
      return Status(cuda.code(), "device-pointer input needs the CUDA backend: " + cuda.message());
  }
  if (!images.data) return invalid_argument("device pointer is null");
  if (images.n <= 0 || images.width <= 0 || images.height <= 0)
    return invalid_argument("bad image batch: " + std::to_string(images.n) + " images of " +
                            std::to_string(images.width) + "x" + std::to_string(images.height));
  FIDCPP_RETURN_IF_ERROR(ensure_network());
  FIDCPP_RETURN_IF_ERROR(process_pending(side));  // host images added earlier keep their place in the order
  FIDCPP_RETURN_IF_ERROR(finish_in_flight());
  std::vector<float> feats, logits;
  for (int first = 0; first < images.n; first += batch_) {
    const int m = std::min(batch_, images.n - first);
    ImageBatch b = images;
    b.data = images.data + size_t(first) * images.image_stride;
    b.n = m;
    FIDCPP_RETURN_IF_ERROR(backend_->preprocess(input_transform(config_.mode), b, forward_->input_view(m)));
    FIDCPP_RETURN_IF_ERROR(forward_->forward(m));
    feats.assign(size_t(m) * feature_dim_, 0.0f);
    logits.assign(config_.keep_logits ? size_t(m) * kFcOut : 0, 0.0f);
    std::vector<float*> outs{feats.data()};
    if (config_.keep_logits) outs.push_back(logits.data());
    FIDCPP_RETURN_IF_ERROR(forward_->download_taps(m, outs));
    FIDCPP_RETURN_IF_ERROR(
        add_features(side, feats.data(), m, config_.keep_logits ? logits.data() : nullptr));
    if (config_.progress) config_.progress(s.count, s.expected);
  }
  return Status();
}

Status EvaluatorCore::add_files(Side side, const std::vector<std::string>& files) {
  SideState& s = *sides_[side_index(side)];
  if (s.fixed_stats)
    return invalid_argument(std::string("the ") + side_name(side) +
                            " side holds pytorch-fid statistics (mu, sigma only); images cannot be added");
  FIDCPP_RETURN_IF_ERROR(ensure_network());
  FIDCPP_ASSIGN_OR_RETURN(const DecodeLimits limits, decode_limits_from_env());
  s.expected += files.size();
  // Fill the batch in parallel: worker w decodes and preprocesses its share of the slots. Errors are kept per
  // slot and reported in file order, so the first bad file is named deterministically.
  size_t next = 0;
  while (next < files.size()) {
    const int free_slots = batch_ - s.n_pending;
    const size_t take = std::min<size_t>(size_t(free_slots), files.size() - next);
    std::vector<Status> errors(take);
    pool_->parallel_for(take, [&](size_t b, size_t e, int w) {
      for (size_t i = b; i < e; ++i) {
        auto img = decode_image_file(files[next + i], limits);
        if (!img.ok()) {
          errors[i] = img.status();
          continue;
        }
        RgbImageView v = img->view();
        float* dst = s.pending() + int64_t(s.n_pending + int(i)) * kInputFloats;
        errors[i] = preprocessors_[size_t(w)].run(v, dst);
        if (!errors[i].ok()) errors[i] = errors[i].with_context("image '" + files[next + i] + "'");
      }
    });
    // Compact away failed slots (skip mode) or stop at the first failure.
    int filled = s.n_pending;
    for (size_t i = 0; i < take; ++i) {
      if (!errors[i].ok()) {
        if (!config_.skip_bad_images) {
          s.n_pending = filled;
          return errors[i];
        }
        ++s.skipped;
        continue;
      }
      const int slot = s.n_pending + int(i);
      if (slot != filled)
        std::copy(s.pending() + int64_t(slot) * kInputFloats, s.pending() + int64_t(slot + 1) * kInputFloats,
                  s.pending() + int64_t(filled) * kInputFloats);
      ++filled;
    }
    s.n_pending = filled;
    next += take;
    if (s.n_pending == batch_) FIDCPP_RETURN_IF_ERROR(process_pending(side));
  }
  return Status();
}

}  // namespace fidcpp
