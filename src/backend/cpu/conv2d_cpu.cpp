// CPU convolution as GEMM: out[co, p] = W[co, k] · col[k, p] per image, with the im2col matrix never stored:
// B blocks are packed straight from the NCHW input (implicit im2col). BN is already folded into W and the
// bias (docs/conventions.md §1.2); bias + ReLU run in the micro-kernel epilogue, writing into the output's
// channel slice.
#include <algorithm>
#include <cstring>
#include <string>

#include "backend/cpu/cpu_ops.h"

namespace fidcpp {

namespace {

constexpr int kMaxConvDim = 1 << 16;           // channels / kernel / spatial sizes we accept
constexpr int64_t kMaxWeightFloats = 1 << 28;  // 1 GiB of weights for one layer

struct ConvGeom {
  int cin, kh, kw, stride, ph, pw;
  int in_h, in_w, out_h, out_w;
};

// One horizontal run of output pixels of a column panel: same output row, consecutive x.
struct PixelRun {
  int oy, ox0, len, col;
};

// Packs rows [k0, k0 + kc) of the implicit im2col matrix for the output pixels [p0, p0 + nv) of image `img`
// as an NR-wide panel [kc][nr]; columns past nv are zero so the micro-kernel can always run full width.
void pack_b_panel(CopyRunFn copy_run, const TensorView& in, const ConvGeom& g, int img, int p0, int nv,
                  int k0, int kc, int nr, float* dst) {
  const int khw = g.kh * g.kw;
  const bool pointwise = khw == 1 && g.stride == 1 && g.ph == 0 && g.pw == 0;
  if (pointwise) {
    for (int kk = 0; kk < kc; ++kk) {
      float* d = dst + int64_t(kk) * nr;
      std::memcpy(d, in.plane(img, k0 + kk) + p0, sizeof(float) * nv);
      std::fill(d + nv, d + nr, 0.0f);
    }
    return;
  }
  PixelRun runs[64];
  int nruns = 0;
  for (int col = 0; col < nv;) {
    const int p = p0 + col;
    const int oy = p / g.out_w, ox = p % g.out_w;
    const int len = std::min(nv - col, g.out_w - ox);
    runs[nruns++] = {oy, ox, len, col};
    col += len;
  }
  for (int kk = 0; kk < kc; ++kk) {
    const int k = k0 + kk;
    const int ci = k / khw, rem = k % khw;
    const int dy = rem / g.kw, dx = rem % g.kw;
    const float* plane = in.plane(img, ci);
    float* d = dst + int64_t(kk) * nr;
    for (int r = 0; r < nruns; ++r) {
      const PixelRun& run = runs[r];
      float* dr = d + run.col;
      const int iy = run.oy * g.stride - g.ph + dy;
      if (iy < 0 || iy >= g.in_h) {
        std::fill(dr, dr + run.len, 0.0f);
        continue;
      }
      const float* src = plane + int64_t(iy) * g.in_w;
      copy_run(dr, src, run.ox0 * g.stride - g.pw + dx, run.len, g.in_w, g.stride);
    }
    std::fill(d + nv, d + nr, 0.0f);
  }
}

// The direct micro-kernel reads B straight from the input when the output grid equals the input grid (stride
// 1, "same" padding): then output pixel p's tap (dy, dx) is input pixel p + (dy - ph) * w + (dx - pw) of the
// same channel plane whenever it lies on the map, so a panel's row of B is one contiguous (masked) run.
// It pays where packing is dear and the planes are few: with kDirectMinTaps taps or more, a K block reads at
// most kGemmKc / kDirectMinTaps planes. Measured on one thread, batch 8, AVX-512 (packed -> direct GFLOP/s):
// 5x5 48->64 at 35x35 79 -> 91, 7x1 160->160 at 17x17 85 -> 93, 1x7 192->192 at 17x17 87 -> 88; but 1x3
// 384->384 at 8x8 99 -> 94 and 1x1 768->192 at 17x17 92 -> 81 (256 planes a K block: a TLB entry each).
constexpr int kDirectMinTaps = 5;

bool direct_applies(const GemmMicroKernel& kernel, const ConvGeom& g) {
  const int taps = g.kh * g.kw;
  return kernel.direct && kernel.nr <= 32 && g.stride == 1 && g.out_h == g.in_h && g.out_w == g.in_w &&
         taps >= kDirectMinTaps && taps <= kGemmDirectMaxTaps;
}

// tap_mask[t] bit j: column j < nv of the panel starting at pixel p0 reads a pixel on the map for tap t.
void direct_tap_masks(const ConvGeom& g, int p0, int nv, uint32_t* tap_mask) {
  for (int t = 0; t < g.kh * g.kw; ++t) tap_mask[t] = 0;
  for (int j = 0; j < nv; ++j) {
    const int p = p0 + j, oy = p / g.out_w, ox = p % g.out_w;
    for (int dy = 0; dy < g.kh; ++dy) {
      const int iy = oy + dy - g.ph;
      if (iy < 0 || iy >= g.in_h) continue;
      for (int dx = 0; dx < g.kw; ++dx) {
        const int ix = ox + dx - g.pw;
        if (ix >= 0 && ix < g.in_w) tap_mask[dy * g.kw + dx] |= uint32_t(1) << j;
      }
    }
  }
}

}  // namespace

ConvTaskGrid balance_conv_tasks(int64_t panels, int m_panels, int workers, int64_t max_panels_per_block) {
  // Tasks are (column block, output-channel chunk) pairs, numbered block-major, and parallel_for hands each
  // worker one contiguous run of them. Each task packs (or transforms) the B panels of its block, then runs
  // them against its chunk's A panels, so a worker's time is about the sum over its tasks of
  //   panels x (m panels + kPackCost)
  // and the grid minimises the busiest worker's sum: blocks split the panels evenly, and output channels are
  // split only where that balances the workers better than the B packing it repeats costs (e.g. one or three
  // panels on two workers). The partition never changes an element's arithmetic (k runs in the same order
  // inside every task), so results stay bitwise independent of threads and batch.
  constexpr double kPackCost = 2.0;  // packing one B panel, in A-panel products (measured: 1 to 4)
  const int64_t w = std::max(1, workers);
  const int64_t min_blocks = (panels + max_panels_per_block - 1) / max_panels_per_block;
  ConvTaskGrid best;
  if (min_blocks >= 4 * w) {  // many blocks: round their count to a multiple of the workers, no m split
    best.col_blocks = (min_blocks + w - 1) / w * w;
    if (best.col_blocks > panels) best.col_blocks = min_blocks;
    return best;
  }
  // Few blocks (small maps, batch 1): search. At most 6w blocks x 4 chunks, so O(w^2) work.
  double best_cost = -1.0;
  for (int64_t cb = min_blocks; cb <= std::min(panels, min_blocks + 2 * w); ++cb)
    for (int64_t mc = 1; mc <= std::min<int64_t>(m_panels, 4); ++mc) {
      const int64_t tasks = cb * mc, runners = std::min(w, tasks);
      double worst = 0.0;
      for (int64_t k = 0; k < runners; ++k) {
        double cost = 0.0;
        for (int64_t t = tasks * k / runners; t < tasks * (k + 1) / runners; ++t) {
          const int64_t c = t / mc, m = t % mc;
          const double p = double(panels * (c + 1) / cb - panels * c / cb);
          const double mp = double(int64_t(m_panels) * (m + 1) / mc - int64_t(m_panels) * m / mc);
          cost += p * (mp + kPackCost);
        }
        worst = std::max(worst, cost);
      }
      if (best_cost < 0.0 || worst < best_cost * (1.0 - 1e-9)) {
        best_cost = worst;
        best.col_blocks = cb;
        best.m_chunks = mc;
      }
    }
  return best;
}

Status pack_conv_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* out,
                         bool allow_winograd) {
  const auto in_range = [](int v) { return v > 0 && v <= kMaxConvDim; };
  if (!in_range(desc.cin) || !in_range(desc.cout) || !in_range(desc.kh) || !in_range(desc.kw) ||
      !in_range(desc.stride) || desc.ph < 0 || desc.pw < 0 || desc.ph >= desc.kh || desc.pw >= desc.kw)
    return invalid_argument("conv: bad geometry cin=" + std::to_string(desc.cin) +
                            " cout=" + std::to_string(desc.cout) + " kernel=" + std::to_string(desc.kh) +
                            "x" + std::to_string(desc.kw) + " stride=" + std::to_string(desc.stride) +
                            " pad=" + std::to_string(desc.ph) + "," + std::to_string(desc.pw));
  if (!desc.weight || !desc.bias) return invalid_argument("conv: weight and bias are required");
  const int64_t k = int64_t(desc.cin) * desc.kh * desc.kw;
  const int mr = kernel.mr;
  const int m_panels = (desc.cout + mr - 1) / mr;
  if (k > kMaxConvDim * 64 || k * m_panels * mr > kMaxWeightFloats)
    return invalid_argument("conv: layer too large (" + std::to_string(k) + " x " +
                            std::to_string(desc.cout) + ")");
  CpuConvWeights w;
  w.desc = desc;
  w.desc.weight = nullptr;
  w.desc.bias = nullptr;
  w.k = int(k);
  w.m_panels = m_panels;
  w.winograd_fly = allow_winograd;
  // With the input size known, one form of the weights: Winograd's transformed panels where a Winograd path
  // will run, else the direct/GEMM panels. Without it both, and the run-time size chooses.
  bool direct = true, winograd = allow_winograd, winograd36 = allow_winograd;  // F(2x2) or F(4, 7); 36 points
  if (winograd && desc.in_h > 0 && desc.in_w > 0) {
    const int oh = pooled_size(desc.in_h, desc.kh, desc.stride, desc.ph);
    const int ow = pooled_size(desc.in_w, desc.kw, desc.stride, desc.pw);
    winograd36 = winograd4_applies(desc, oh, ow) || winograd25_applies(desc, oh, ow);
    winograd = !winograd36 && (winograd_applies(desc, oh, ow) || winograd7_applies(desc, oh, ow));
    direct = !winograd && !winograd36;
  }
  if (!w.bias.resize(size_t(m_panels) * mr)) return out_of_memory("conv: cannot allocate packed weights");
  w.bias.zero();
  for (int m = 0; m < desc.cout; ++m) w.bias[m] = desc.bias[m];
  if (direct) {
    if (!w.packed_a.resize(size_t(k) * m_panels * mr))
      return out_of_memory("conv: cannot allocate packed weights");
    w.packed_a.zero();
    for (int m = 0; m < desc.cout; ++m) {
      float* panel = w.packed_a.data() + int64_t(m / mr) * k * mr;
      const float* row = desc.weight + int64_t(m) * k;
      for (int64_t kk = 0; kk < k; ++kk) panel[kk * mr + m % mr] = row[kk];
    }
  }
  if (winograd) {
    FIDCPP_RETURN_IF_ERROR(winograd_pack_weights(kernel, desc, &w));
    FIDCPP_RETURN_IF_ERROR(winograd7_pack_weights(kernel, desc, &w));
  }
  if (winograd36) FIDCPP_RETURN_IF_ERROR(winograd4_pack_weights(kernel, desc, &w));
  *out = std::move(w);
  return Status();
}

Status make_gemm_scratch(const GemmMicroKernel& kernel, int workers,
                         std::vector<AlignedBuffer<float>>* scratch) {
  scratch->clear();
  scratch->resize(size_t(workers));
  return grow_gemm_scratch(size_t(kGemmKc) * kGemmPanelsPerBlock * kernel.nr, scratch);
}

Status grow_gemm_scratch(size_t floats, std::vector<AlignedBuffer<float>>* scratch) {
  for (auto& s : *scratch)
    if (s.size() < floats && !s.resize(floats))
      return out_of_memory("cpu backend: cannot allocate " + std::to_string(floats) +
                           " floats of GEMM scratch");
  return Status();
}

namespace {

// The shape check every convolution of a layer `w` on `in` into `out` starts with.
Status check_conv_views(const CpuConvWeights& w, const TensorView& in, const TensorView& out, int* oh,
                        int* ow) {
  FIDCPP_RETURN_IF_ERROR(check_view(in, "conv input"));
  FIDCPP_RETURN_IF_ERROR(check_view(out, "conv output"));
  const ConvDesc& d = w.desc;
  *oh = pooled_size(in.h, d.kh, d.stride, d.ph);
  *ow = pooled_size(in.w, d.kw, d.stride, d.pw);
  if (in.c != d.cin || out.c != d.cout || out.n != in.n || out.h != *oh || out.w != *ow || *oh <= 0 ||
      *ow <= 0)
    return invalid_argument("conv: shape mismatch: input [" + std::to_string(in.n) + "," +
                            std::to_string(in.c) + "," + std::to_string(in.h) + "," + std::to_string(in.w) +
                            "], output [" + std::to_string(out.n) + "," + std::to_string(out.c) + "," +
                            std::to_string(out.h) + "," + std::to_string(out.w) + "], expected output [" +
                            std::to_string(in.n) + "," + std::to_string(d.cout) + "," + std::to_string(*oh) +
                            "," + std::to_string(*ow) + "] for cin=" + std::to_string(d.cin));
  return Status();
}

// One layer's share of the M dimension of a packed-path GEMM: its A panels, from panel mp0 of the stacked M
// on, and the tensor its output channels go to. A single layer is one part; sibling 1x1 layers of one input
// (conv2d_siblings_cpu) stack theirs, so the input's B panels are packed once for all of them.
struct GemmPart {
  const CpuConvWeights* w;
  TensorView out;
  int mp0;
};

// The implicit-im2col GEMM of conv2d_cpu on packed B blocks, for parts[0..nparts) stacked along M (all with
// the geometry g and k_total rows of K). Each output element sees the same micro-kernel calls in the same k
// order whether its layer runs alone or stacked, and whichever task it lands in.
void run_packed_gemm(const GemmMicroKernel& kernel, CopyRunFn copy_run, ThreadPool& pool,
                     std::vector<AlignedBuffer<float>>& scratch, const ConvGeom& g, int k_total,
                     const TensorView& in, const GemmPart* parts, int nparts, int m_panels) {
  const int mr = kernel.mr, nr = kernel.nr;
  const int hwo = g.out_h * g.out_w;
  const int panels_per_image = (hwo + nr - 1) / nr;  // panels never straddle two images
  const int64_t panels = int64_t(in.n) * panels_per_image;
  const ConvTaskGrid grid = balance_conv_tasks(panels, m_panels, pool.size(), kGemmPanelsPerBlock);
  const int64_t col_blocks = grid.col_blocks, m_chunks = grid.m_chunks;
  pool.parallel_for(size_t(col_blocks * m_chunks), [&](size_t t_begin, size_t t_end, int worker) {
    float* bpack = scratch[size_t(worker)].data();
    for (size_t t = t_begin; t < t_end; ++t) {
      const int64_t cb = int64_t(t) / m_chunks, mc = int64_t(t) % m_chunks;
      const int64_t q0 = panels * cb / col_blocks, q1 = panels * (cb + 1) / col_blocks;
      const int mp0 = int(m_panels * mc / m_chunks), mp1 = int(m_panels * (mc + 1) / m_chunks);
      for (int k0 = 0; k0 < k_total; k0 += kGemmKc) {
        const int kc = std::min(kGemmKc, k_total - k0);
        const bool last = k0 + kc == k_total;
        for (int64_t q = q0; q < q1; ++q) {
          const int img = int(q / panels_per_image), p0 = int(q % panels_per_image) * nr;
          pack_b_panel(copy_run, in, g, img, p0, std::min(nr, hwo - p0), k0, kc, nr,
                       bpack + (q - q0) * int64_t(kc) * nr);
        }
        for (int64_t q = q0; q < q1; ++q) {
          const int img = int(q / panels_per_image), p0 = int(q % panels_per_image) * nr;
          const int nv = std::min(nr, hwo - p0);
          const float* bp = bpack + (q - q0) * int64_t(kc) * nr;
          int pi = 0;
          for (int mp = mp0; mp < mp1; ++mp) {
            while (pi + 1 < nparts && parts[pi + 1].mp0 <= mp) ++pi;
            const CpuConvWeights& w = *parts[pi].w;
            const int lm = mp - parts[pi].mp0, m0 = lm * mr;
            const float* ap = w.packed_a.data() + (int64_t(lm) * k_total + k0) * mr;
            kernel.fn(kc, ap, bp, parts[pi].out.plane(img, m0) + p0, hwo, std::min(mr, w.desc.cout - m0), nv,
                      k0 > 0, last ? w.bias.data() + m0 : nullptr, w.desc.relu);
          }
        }
      }
    }
  });
}

}  // namespace

Status conv2d_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                  std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w, const TensorView& in,
                  const TensorView& out) {
  int oh = 0, ow = 0;
  FIDCPP_RETURN_IF_ERROR(check_conv_views(w, in, out, &oh, &ow));
  const ConvDesc& d = w.desc;
  if (int(scratch.size()) < pool.size())
    return internal_error("conv: GEMM scratch smaller than the thread pool");
  if (!w.packed_u36.empty() && winograd4_applies(d, oh, ow))
    return conv2d_winograd4_cpu(kernel, vk, pool, scratch, w, in, out);
  if (!w.packed_u36.empty() && winograd25_applies(d, oh, ow))
    return conv2d_winograd25_cpu(kernel, vk, pool, scratch, w, in, out);
  if (!w.packed_u.empty() && winograd_applies(d, oh, ow))
    return conv2d_winograd_cpu(kernel, vk, pool, scratch, w, in, out);
  if (!w.packed_u.empty() && winograd7_applies(d, oh, ow))
    return conv2d_winograd7_cpu(kernel, vk, pool, scratch, w, in, out);
  if (w.winograd_fly && !w.packed_a.empty() && winograd_fly_applies(d, oh, ow))
    return conv2d_winograd_fly_cpu(kernel, vk, pool, scratch, w, in, out);
  if (w.packed_a.empty())
    return invalid_argument("conv: weights prepared for a " + std::to_string(d.in_h) + "x" +
                            std::to_string(d.in_w) + " input (Winograd form only) cannot run on " +
                            std::to_string(in.h) + "x" + std::to_string(in.w));

  const ConvGeom g{d.cin, d.kh, d.kw, d.stride, d.ph, d.pw, in.h, in.w, oh, ow};
  const int k_total = w.k;
  if (!direct_applies(kernel, g)) {
    const GemmPart part{&w, out, 0};
    run_packed_gemm(kernel, vk.copy_run, pool, scratch, g, k_total, in, &part, 1, w.m_panels);
    return Status();
  }

  const int mr = kernel.mr, nr = kernel.nr;
  const int hwo = oh * ow;
  const int panels_per_image = (hwo + nr - 1) / nr;  // panels never straddle two images
  const int64_t panels = int64_t(in.n) * panels_per_image;
  const ConvTaskGrid grid = balance_conv_tasks(panels, w.m_panels, pool.size(), kGemmPanelsPerBlock);
  const int64_t col_blocks = grid.col_blocks, m_chunks = grid.m_chunks;
  const int64_t tasks = col_blocks * m_chunks;
  const int taps = g.kh * g.kw;
  int tap_off[kGemmDirectMaxTaps];
  for (int t = 0; t < taps; ++t) tap_off[t] = (t / g.kw - g.ph) * g.in_w + (t % g.kw - g.pw);
  // K blocks of whole input channels, about kGemmKc rows each, as on the packed path.
  const int cin_block = std::max(1, kGemmKc / taps);
  pool.parallel_for(size_t(tasks), [&](size_t t_begin, size_t t_end, int) {
    uint32_t tap_mask[kGemmDirectMaxTaps];
    for (size_t t = t_begin; t < t_end; ++t) {
      const int64_t cb = int64_t(t) / m_chunks, mc = int64_t(t) % m_chunks;
      const int64_t q0 = panels * cb / col_blocks, q1 = panels * (cb + 1) / col_blocks;
      const int mp0 = int(w.m_panels * mc / m_chunks), mp1 = int(w.m_panels * (mc + 1) / m_chunks);
      for (int ci0 = 0; ci0 < g.cin; ci0 += cin_block) {
        const int nci = std::min(cin_block, g.cin - ci0);
        const int k0 = ci0 * taps;
        const bool last = ci0 + nci == g.cin;
        for (int64_t q = q0; q < q1; ++q) {
          const int img = int(q / panels_per_image), p0 = int(q % panels_per_image) * nr;
          const int nv = std::min(nr, hwo - p0);
          direct_tap_masks(g, p0, nv, tap_mask);
          const float* src = in.plane(img, ci0) + p0;
          for (int mp = mp0; mp < mp1; ++mp) {
            const int m0 = mp * mr;
            const float* ap = w.packed_a.data() + (int64_t(mp) * k_total + k0) * mr;
            kernel.direct(nci, taps, ap, src, in.hw(), tap_off, tap_mask, out.plane(img, m0) + p0, hwo,
                          std::min(mr, d.cout - m0), nv, k0 > 0, last ? w.bias.data() + m0 : nullptr, d.relu);
          }
        }
      }
    }
  });
  return Status();
}

Status conv2d_siblings_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                           std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights* const* ws,
                           const TensorView* outs, int count, const TensorView& in) {
  if (count <= 0 || count > kMaxSiblings)
    return invalid_argument("conv siblings: " + std::to_string(count) + " convolutions, expected 1.." +
                            std::to_string(kMaxSiblings));
  // Stacked when every sibling is a 1x1 stride-1 convolution on the packed path (its panels are
  // there): no tap reaches outside its own pixel, so the B panels of all of them are the input's.
  bool stack = count > 1;
  GemmPart parts[kMaxSiblings];
  int m_panels = 0;
  for (int i = 0; i < count; ++i) {
    const ConvDesc& d = ws[i]->desc;
    int oh = 0, ow = 0;
    FIDCPP_RETURN_IF_ERROR(check_conv_views(*ws[i], in, outs[i], &oh, &ow));
    stack = stack && d.kh == 1 && d.kw == 1 && d.stride == 1 && d.ph == 0 && d.pw == 0 &&
            !ws[i]->packed_a.empty();
    parts[i] = GemmPart{ws[i], outs[i], m_panels};
    m_panels += ws[i]->m_panels;
  }
  if (!stack) {
    for (int i = 0; i < count; ++i)
      FIDCPP_RETURN_IF_ERROR(conv2d_cpu(kernel, vk, pool, scratch, *ws[i], in, outs[i]));
    return Status();
  }
  if (int(scratch.size()) < pool.size())
    return internal_error("conv: GEMM scratch smaller than the thread pool");
  const ConvGeom g{in.c, 1, 1, 1, 0, 0, in.h, in.w, in.h, in.w};
  run_packed_gemm(kernel, vk.copy_run, pool, scratch, g, in.c, in, parts, count, m_panels);
  return Status();
}

}  // namespace fidcpp
