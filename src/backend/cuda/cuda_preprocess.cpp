// DevicePreprocessor: host-built resize tables (src/preprocess/resize_*.h) uploaded to the device, and the
// launches of the matching kernels. Compiled for the GPU build and, unchanged, against cudaemu.
#include "backend/cuda/cuda_preprocess.h"

#include <algorithm>
#include <vector>

#include "preprocess/resize_aa_bilinear.h"
#include "preprocess/resize_bilinear.h"
#include "preprocess/resize_grid_sample.h"
#include "preprocess/resize_pil_bicubic.h"
#include "preprocess/resize_tf1.h"

FIDCPP_CUDA_NAMESPACE_BEGIN
namespace {

// Host staging of one plan's tables: three typed arrays; axes refer to them by offset until the upload.
struct HostTables {
  std::vector<int32_t> ints;
  std::vector<float> floats;
  std::vector<double> doubles;
  template <class T>
  static size_t append(std::vector<T>* to, const std::vector<T>& v) {
    const size_t at = to->size();
    to->insert(to->end(), v.begin(), v.end());
    return at;
  }
};

// Offsets into HostTables, turned into device pointers after the upload. npos = no array.
constexpr size_t kNone = ~size_t(0);
struct TwoTapOffsets {
  size_t lo = kNone, hi = kNone, w0 = kNone, w1 = kNone;
  int size = 0;
};
struct FilterOffsets {
  size_t start = kNone, count = kNone, weight = kNone;
  int max_taps = 0, in_size = 0, out_size = 0;
};

template <class T>
const T* at(const T* base, size_t offset) {
  return offset == kNone ? nullptr : base + offset;
}

TwoTapOffsets two_tap(HostTables* t, const std::vector<int32_t>& lo, const std::vector<int32_t>& hi,
                      const std::vector<float>* w0, const std::vector<float>& w1) {
  TwoTapOffsets o;
  o.lo = HostTables::append(&t->ints, lo);
  o.hi = HostTables::append(&t->ints, hi);
  if (w0) o.w0 = HostTables::append(&t->floats, *w0);
  o.w1 = HostTables::append(&t->floats, w1);
  o.size = static_cast<int>(lo.size());
  return o;
}

template <class Axis, class T>
FilterOffsets filter(HostTables* t, const Axis& a, std::vector<T>* weights) {
  FilterOffsets o;
  o.start = HostTables::append(&t->ints, a.start);
  o.count = HostTables::append(&t->ints, a.count);
  o.weight = HostTables::append(weights, a.weights);
  o.max_taps = a.max_taps;
  o.in_size = a.in_size;
  o.out_size = a.out_size;
  return o;
}

template <class T>
Status upload_array(DeviceBuffer<T>* dst, const std::vector<T>& v, cudaStream_t stream) {
  FIDCPP_RETURN_IF_ERROR(dst->allocate(v.size()));
  if (!v.empty())
    FIDCPP_CUDA_CHECK(
        cudaMemcpyAsync(dst->get(), v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice, stream));
  return Status();
}

}  // namespace

Status DevicePreprocessor::plan(InputTransform transform, int h, int w, int out_h, int out_w,
                                cudaStream_t stream) {
  if (planned_ && transform == transform_ && h == h_ && w == w_ && out_h == out_h_ && out_w == out_w_)
    return Status();
  planned_ = false;
  FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream));  // earlier launches may still read the old tables
  HostTables t;
  TwoTapOffsets ty, tx;
  FilterOffsets fy, fx;
  switch (transform) {
    case InputTransform::kTf1: {
      const Tf1Axis ay = make_tf1_axis(h, out_h), ax = make_tf1_axis(w, out_w);
      ty = two_tap(&t, ay.lo, ay.hi, nullptr, ay.frac);
      tx = two_tap(&t, ax.lo, ax.hi, nullptr, ax.frac);
      break;
    }
    case InputTransform::kHalfPixelBilinear: {
      const BilinearAxis ay = make_bilinear_axis(h, out_h), ax = make_bilinear_axis(w, out_w);
      ty = two_tap(&t, ay.i0, ay.i1, &ay.w0, ay.w1);
      tx = two_tap(&t, ax.i0, ax.i1, &ax.w0, ax.w1);
      break;
    }
    case InputTransform::kGridSample: {
      const GridSampleAxis ay = make_grid_sample_axis(h, out_h), ax = make_grid_sample_axis(w, out_w);
      ty = two_tap(&t, ay.lo, ay.hi, nullptr, ay.frac);
      tx = two_tap(&t, ax.lo, ax.hi, nullptr, ax.frac);
      break;
    }
    case InputTransform::kAaBilinear:
      fy = filter(&t, make_aa_axis(h, out_h), &t.floats);
      fx = filter(&t, make_aa_axis(w, out_w), &t.floats);
      break;
    case InputTransform::kPilBicubic:
      fy = filter(&t, make_pil_bicubic_axis(h, out_h), &t.doubles);
      fx = filter(&t, make_pil_bicubic_axis(w, out_w), &t.doubles);
      vertical_first_ = pil_bicubic_vertical_first(h, w, out_h, out_w);
      break;
    default:
      return invalid_argument("preprocess: unknown input transform " +
                              std::to_string(static_cast<int>(transform)));
  }
  FIDCPP_RETURN_IF_ERROR(upload_array(&ints_, t.ints, stream));
  FIDCPP_RETURN_IF_ERROR(upload_array(&floats_, t.floats, stream));
  FIDCPP_RETURN_IF_ERROR(upload_array(&doubles_, t.doubles, stream));
  FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream));  // pageable sources: t must outlive the copies
  const auto to_two = [this](const TwoTapOffsets& o) {
    TwoTapAxis a;
    a.lo = at<int32_t>(ints_.get(), o.lo);
    a.hi = at<int32_t>(ints_.get(), o.hi);
    a.w0 = at<float>(floats_.get(), o.w0);
    a.w1 = at<float>(floats_.get(), o.w1);
    a.size = o.size;
    return a;
  };
  const auto to_filter = [this](const FilterOffsets& o, auto* out, const auto* weights) {
    out->start = at<int32_t>(ints_.get(), o.start);
    out->count = at<int32_t>(ints_.get(), o.count);
    out->weight = at(weights, o.weight);
    out->max_taps = o.max_taps;
    out->in_size = o.in_size;
    out->out_size = o.out_size;
  };
  if (transform == InputTransform::kAaBilinear) {
    to_filter(fy, &f32_y_, floats_.get());
    to_filter(fx, &f32_x_, floats_.get());
  } else if (transform == InputTransform::kPilBicubic) {
    to_filter(fy, &f64_y_, doubles_.get());
    to_filter(fx, &f64_x_, doubles_.get());
  } else {
    two_y_ = to_two(ty);
    two_x_ = to_two(tx);
  }
  transform_ = transform;
  h_ = h, w_ = w, out_h_ = out_h, out_w_ = out_w;
  planned_ = true;
  return Status();
}

Status DevicePreprocessor::ensure_scratch(size_t floats, cudaStream_t stream) {
  if (scratch_.size() >= floats) return Status();
  FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream));  // an earlier pass may still use it
  return scratch_.allocate(floats);
}

Status DevicePreprocessor::run(InputTransform transform, const U8Images& src, int out_h, int out_w,
                               float* dst, cudaStream_t stream) {
  FIDCPP_RETURN_IF_ERROR(plan(transform, src.h, src.w, out_h, out_w, stream));
  const size_t planes = static_cast<size_t>(src.n) * 3;
  switch (transform) {
    case InputTransform::kTf1:
      FIDCPP_CUDA_CHECK_LAUNCH(launch_resize_tf1(src, two_y_, two_x_, dst, stream));
      break;
    case InputTransform::kHalfPixelBilinear:
      FIDCPP_CUDA_CHECK_LAUNCH(launch_resize_bilinear_halfpixel(src, two_y_, two_x_, dst, stream));
      break;
    case InputTransform::kGridSample:
      FIDCPP_CUDA_CHECK_LAUNCH(launch_resize_grid_sample(src, two_y_, two_x_, dst, stream));
      break;
    case InputTransform::kAaBilinear:
      FIDCPP_RETURN_IF_ERROR(ensure_scratch(planes * src.h * out_w, stream));
      FIDCPP_CUDA_CHECK_LAUNCH(launch_resize_aa_bilinear(src, f32_y_, f32_x_, scratch_.get(), dst, stream));
      break;
    case InputTransform::kPilBicubic:
      FIDCPP_RETURN_IF_ERROR(
          ensure_scratch(planes * std::max(size_t(src.h) * out_w, size_t(out_h) * src.w), stream));
      FIDCPP_CUDA_CHECK_LAUNCH(
          launch_resize_pil_bicubic(src, f64_y_, f64_x_, vertical_first_, scratch_.get(), dst, stream));
      break;
  }
  return Status();
}

FIDCPP_CUDA_NAMESPACE_END
