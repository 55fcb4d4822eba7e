// CPU pooling, global mean and the fully connected layer (docs/conventions.md §1.5–1.6). One output plane (or
// one output row) is computed by one worker with a fixed summation order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "backend/cpu/cpu_ops.h"
#include "backend/cpu/vector_kernels.h"

namespace fidcpp {

namespace {

Status check_pool(const PoolDesc& p, const TensorView& in, const TensorView& out, const char* what) {
  FIDCPP_RETURN_IF_ERROR(check_view(in, what));
  FIDCPP_RETURN_IF_ERROR(check_view(out, what));
  if (p.kernel <= 0 || p.stride <= 0 || p.pad < 0 || p.pad >= p.kernel)
    return invalid_argument(std::string(what) + ": bad pool kernel=" + std::to_string(p.kernel) +
                            " stride=" + std::to_string(p.stride) + " pad=" + std::to_string(p.pad));
  const int oh = pooled_size(in.h, p.kernel, p.stride, p.pad),
            ow = pooled_size(in.w, p.kernel, p.stride, p.pad);
  if (oh <= 0 || ow <= 0 || out.n != in.n || out.c != in.c || out.h != oh || out.w != ow)
    return invalid_argument(std::string(what) + ": output [" + std::to_string(out.n) + "," +
                            std::to_string(out.c) + "," + std::to_string(out.h) + "," +
                            std::to_string(out.w) + "], expected [" + std::to_string(in.n) + "," +
                            std::to_string(in.c) + "," + std::to_string(oh) + "," + std::to_string(ow) + "]");
  return Status();
}

template <class PlaneFn>
void for_each_plane(ThreadPool& pool, const TensorView& in, PlaneFn fn) {
  const size_t planes = size_t(in.n) * size_t(in.c);
  pool.parallel_for(planes, [&](size_t b, size_t e, int) {
    for (size_t i = b; i < e; ++i) fn(int(i / size_t(in.c)), int(i % size_t(in.c)));
  });
}

}  // namespace

// Both pools split each output row into border columns (window clipped by the image edge; scalar, here) and
// interior columns (window fully inside), computed by the ISA's vector kernel (vector_kernels.inc), whole
// vectors of outputs at a time with the window sum / maximum in registers. Every output still sees its window
// elements in row-major order with the same operations, so the result is bitwise the one of the plain loop.
namespace {

struct ColumnRange {
  int lo, hi;  // interior output columns [lo, hi)
};

ColumnRange interior_columns(int in_w, int out_w, const PoolDesc& p) {
  const int lo = std::min(out_w, (p.pad + p.stride - 1) / p.stride);
  const int last = in_w + p.pad - p.kernel;  // xs + kernel <= in_w  <=>  ox * stride <= last
  const int hi = last < 0 ? lo : std::max(lo, std::min(out_w, last / p.stride + 1));
  return {lo, hi};
}

inline float max_step(float m, float v) {
  return (v > m || v != v) ? v : m;
}  // NaN propagates, as PyTorch

// max(0, .) over output plane (i, ch), right after the pool wrote it (PoolDesc::relu).
void relu_plane(const TensorView& out, int i, int ch) {
  float* d = out.plane(i, ch);
  for (int64_t j = 0; j < out.hw(); ++j) d[j] = d[j] > 0.0f ? d[j] : 0.0f;
}

// Strides 1 and 2, kernels up to kPoolPlaneMaxKernel, on rows of at most kPoolPlaneMaxWidth outputs run whole
// planes on the ISA's vector kernel (VectorKernels::*_pool_plane); other pools run row by row below. Both
// give the plain loop's bits.
bool run_pool_planes(ThreadPool& pool, PoolPlaneFn plane, const PoolDesc& p, const TensorView& in,
                     const TensorView& out) {
  if (!plane || (p.stride != 1 && p.stride != 2) || p.kernel > kPoolPlaneMaxKernel ||
      out.w > kPoolPlaneMaxWidth)
    return false;
  float counts[kPoolPlaneMaxWidth + kWinoMaxLanes] = {};
  for (int ox = 0; ox < out.w; ++ox) {
    const int xs = ox * p.stride - p.pad, xe = std::min(xs + p.kernel, in.w + p.pad);
    counts[ox] = float(p.count_include_pad ? xe - xs : std::min(in.w, xe) - std::max(0, xs));
  }
  for_each_plane(pool, in, [&](int i, int ch) {
    plane(in.plane(i, ch), in.h, in.w, out.plane(i, ch), out.h, out.w, p, counts);
    if (p.relu) relu_plane(out, i, ch);
  });
  return true;
}

}  // namespace

Status max_pool_cpu(ThreadPool& pool, const VectorKernels& vk, const PoolDesc& p, const TensorView& in,
                    const TensorView& out) {
  FIDCPP_RETURN_IF_ERROR(check_pool(p, in, out, "max_pool"));
  if (p.relu) return invalid_argument("max_pool: relu is an average pool's option");
  if (run_pool_planes(pool, vk.max_pool_plane, p, in, out)) return Status();
  const ColumnRange cols = interior_columns(in.w, out.w, p);
  for_each_plane(pool, in, [&](int i, int ch) {
    const float* src = in.plane(i, ch);
    float* dst = out.plane(i, ch);
    for (int oy = 0; oy < out.h; ++oy) {
      const int y0 = std::max(0, oy * p.stride - p.pad),
                y1 = std::min(in.h, oy * p.stride - p.pad + p.kernel);
      float* drow = dst + int64_t(oy) * out.w;
      auto border = [&](int ox) {
        const int x0 = std::max(0, ox * p.stride - p.pad),
                  x1 = std::min(in.w, ox * p.stride - p.pad + p.kernel);
        float m = -std::numeric_limits<float>::infinity();
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) m = max_step(m, src[int64_t(y) * in.w + x]);
        drow[ox] = m;
      };
      for (int ox = 0; ox < cols.lo; ++ox) border(ox);
      vk.max_pool_row(src + int64_t(y0) * in.w, in.w, y1 - y0, p.kernel, p.stride, p.pad, cols.lo, cols.hi,
                      in.w, 0.0f, drow);
      for (int ox = cols.hi; ox < out.w; ++ox) border(ox);
    }
  });
  return Status();
}

Status avg_pool_cpu(ThreadPool& pool, const VectorKernels& vk, const PoolDesc& p, const TensorView& in,
                    const TensorView& out) {
  FIDCPP_RETURN_IF_ERROR(check_pool(p, in, out, "avg_pool"));
  if (run_pool_planes(pool, vk.avg_pool_plane, p, in, out)) return Status();
  const ColumnRange cols = interior_columns(in.w, out.w, p);
  for_each_plane(pool, in, [&](int i, int ch) {
    const float* src = in.plane(i, ch);
    float* dst = out.plane(i, ch);
    for (int oy = 0; oy < out.h; ++oy) {
      const int ys = oy * p.stride - p.pad, ye = std::min(ys + p.kernel, in.h + p.pad);
      const int y0 = std::max(0, ys), y1 = std::min(in.h, ye);
      float* drow = dst + int64_t(oy) * out.w;
      // Float sum in row-major window order, then one division: PyTorch's CPU avg_pool2d (docs/conventions.md
      // §1.5).
      auto border = [&](int ox) {
        const int xs = ox * p.stride - p.pad, xe = std::min(xs + p.kernel, in.w + p.pad);
        const int x0 = std::max(0, xs), x1 = std::min(in.w, xe);
        float sum = 0.0f;
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) sum += src[int64_t(y) * in.w + x];
        const int count = p.count_include_pad ? (ye - ys) * (xe - xs) : (y1 - y0) * (x1 - x0);
        drow[ox] = sum / float(count);
      };
      for (int ox = 0; ox < cols.lo; ++ox) border(ox);
      // Interior windows span the full kernel width.
      const float count = float(p.count_include_pad ? (ye - ys) * p.kernel : (y1 - y0) * p.kernel);
      vk.avg_pool_row(src + int64_t(y0) * in.w, in.w, y1 - y0, p.kernel, p.stride, p.pad, cols.lo, cols.hi,
                      in.w, count, drow);
      for (int ox = cols.hi; ox < out.w; ++ox) border(ox);
    }
    if (p.relu) relu_plane(out, i, ch);
  });
  return Status();
}

Status global_mean_cpu(ThreadPool& pool, const TensorView& in, const TensorView& out) {
  FIDCPP_RETURN_IF_ERROR(check_view(in, "global_mean input"));
  FIDCPP_RETURN_IF_ERROR(check_view(out, "global_mean output"));
  if (out.n != in.n || out.c != in.c || out.h != 1 || out.w != 1)
    return invalid_argument("global_mean: output must be [" + std::to_string(in.n) + "," +
                            std::to_string(in.c) + ",1,1]");
  const int64_t hw = in.hw();
  // PyTorch reduces with a vectorised cascade sum; a double sum rounded once is within half an ulp of the
  // exact mean, which is as close as any float32 order can get.
  for_each_plane(pool, in, [&](int i, int ch) {
    const float* src = in.plane(i, ch);
    double s = 0.0;
    for (int64_t j = 0; j < hw; ++j) s += src[j];
    *out.plane(i, ch) = float(s / double(hw));
  });
  return Status();
}

Status linear_cpu(ThreadPool& pool, int in_features, int out_features, const float* weight, const float* bias,
                  const TensorView& in, const TensorView& out, bool add_bias) {
  FIDCPP_RETURN_IF_ERROR(check_view(in, "linear input"));
  FIDCPP_RETURN_IF_ERROR(check_view(out, "linear output"));
  if (in.h != 1 || in.w != 1 || out.h != 1 || out.w != 1 || in.c != in_features || out.c != out_features ||
      out.n != in.n)
    return invalid_argument("linear: expected input [n," + std::to_string(in_features) +
                            ",1,1] and output [n," + std::to_string(out_features) + ",1,1]");
  if (add_bias && !bias) return invalid_argument("linear: bias requested but the layer has none");
  const size_t rows = size_t(in.n) * size_t(out_features);
  pool.parallel_for(rows, [&](size_t b, size_t e, int) {
    for (size_t r = b; r < e; ++r) {
      const int i = int(r / size_t(out_features)), o = int(r % size_t(out_features));
      const float* x = in.plane(i, 0);  // h == w == 1: channels are contiguous
      const float* wr = weight + int64_t(o) * in_features;
      double s = 0.0;
      for (int k = 0; k < in_features; ++k) s += double(x[k]) * double(wr[k]);
      float v = float(s);
      if (add_bias)
        v = v + bias[o];  // separate float32 add, as torch-fidelity's logits (docs/conventions.md §1.6)
      *out.plane(i, o) = v;
    }
  });
  return Status();
}

}  // namespace fidcpp
