// Winograd convolutions (Lavin & Gray 2015, "Fast Algorithms for Convolutional Neural Networks"):
// - F(4x4, 3x3) for the 3x3 stride-1 layers with at most kWinograd4MaxCin input channels on maps of at least
//   kWinograd4MinOut (Conv2d_2a/2b/4a and the 35 x 35 layers), points 0, +-7/10, +-3/2 and infinity
//   (winograd_matrices.h): each 4x4 output tile is Y = A^T [ U (.) V ] A, U = G g G^T, V = B^T d B (6x6), and
//   the sum over input channels is 36 independent GEMMs, one per point of the 6x6 transform domain: 36
//   multiplies per 16 outputs instead of 144.
// - F(2x2, 5x5) on the same points for the 5x5 stride-1 layers under the same bounds (Mixed_5b..5d): 36 per 4
//   outputs instead of 100.
// - F(2x2, 3x3) for the other 3x3 stride-1 layers on maps of 8 x 8 and up: 16 multiplies per 4 outputs
//   instead of 36, every transform coefficient dyadic. On maps of 9 x 9 and up (none in the network) U is
//   packed with the weights; on 8 x 8 maps (Mixed_7b/7c.branch3x3dbl_2) the layer keeps only its direct
//   panels, and each task forms U = G g G^T of an output-channel panel from them just before that panel's
//   GEMMs ("on the fly", VectorKernels::wino_filter: in double and rounded once, the bits of the packed U).
//   That costs a pass over the panel's 9 x cin x MR weights per column panel, which the direct convolution
//   reads anyway, and no memory (cpu_ops.h).
// - 1-D F(4, 7) for the "same"-padded 1x7 and 7x1 layers on maps of 12 x 12 and up (the 17 x 17 Mixed_6b..7a
//   layers): tiles of four outputs along the kernel's axis, y = A^T [ U (.) V ], U = G g, V = B^T d, 10
//   GEMMs: 10 multiplies per 4 outputs instead of 28 (points 0, +-1/2, +-1, +-3/2, +-5/2,
//   winograd_matrices.h).
// Every GEMM runs on the same packed micro-kernel as the direct convolution.
//
// Accuracy. Per layer, measured with numpy against a float64 reference (||y - ref|| / ||ref||): F(2x2, 3x3)
// is as accurate as the direct convolution (cin x cout = 32x64, 192x96, 448x384: direct 2.2e-7, 2.6e-7,
// 2.8e-7; F(2x2, 3x3) 1.5e-7, 2.2e-7, 3.0e-7), while 1-D F(2, 7) (points 0, +-1, +-2, +-1/2, inf) was about
// four times less accurate (1.0e-6 against 2.7e-7 at cin = cout = 192, 17-wide rows) and F(4x4, 3x3) five
// times. What matters is the network's features, though, and there the per-layer error is mostly swamped by
// the float32 rounding of every activation: tools/bench_cpu_runtimes.py --accuracy evaluates the real network
// on real photo crops against float64, worst per-image pool3 error: PyTorch float32 2.04e-6; fidcpp 1.78e-6
// with F(4x4, 3x3), F(2x2, 5x5) and F(2, 7), 2.93e-6 with F(4, 7) in place of F(2, 7) (1.43x PyTorch's,
// inside the budget of 2x; docs/precision.md). tools/winograd_accuracy.py measures candidate variants the
// same way before they are written (F(4, 7) on other point sets: 3.0e-6 to 5.2e-6).
//
// Determinism: every tile is computed by the same arithmetic in the same order whichever panel, task or
// thread it lands in (GEMM columns are independent and k runs in increasing order), and which path a layer
// takes depends on its geometry only, so features stay bitwise independent of batch size and threads.
#include <algorithm>
#include <cstring>
#include <string>

#include "backend/cpu/cpu_ops.h"
#include "backend/cpu/vector_kernels.h"
#include "backend/cpu/winograd_matrices.h"

namespace fidcpp {

namespace {

constexpr int kPoints = 16;   // F(2x2, 3x3): 4x4 transform domain
constexpr int kPoints4 = 36;  // F(4x4, 3x3): 6x6
constexpr int kPoints7 = 10;  // F(4, 7)

int tile_runs(const WinoGeom& g, int64_t t0, int nv, WinoTileRun* runs) {
  const int64_t per_image = int64_t(g.tiles_y) * g.tiles_x;
  int n = 0;
  for (int col = 0; col < nv;) {
    const int64_t t = t0 + col;
    const int img = int(t / per_image), rem = int(t % per_image);
    const int ty = rem / g.tiles_x, tx = rem % g.tiles_x;
    const int len = std::min(nv - col, g.tiles_x - tx);
    runs[n++] = {img, ty, tx, len, col};
    col += len;
  }
  return n;
}

size_t round16(size_t n) {
  return (n + 15) / 16 * 16;
}

// Offsets (in floats) of the parts of one worker's scratch; see WinoScratch for what each holds.
struct WinoLayout {
  size_t v_stride, m, u, total;
};

// For an algorithm of `points` transform points; fly: room for one output-channel panel's U after M.
WinoLayout wino_layout(int points, int cin, int mr, int nr, bool fly = false) {
  WinoLayout l;
  l.v_stride = round16(size_t(cin) * nr + kWinoMaxLanes);
  l.m = size_t(points) * l.v_stride;
  l.u = l.m + round16(size_t(points) * mr * nr);
  l.total = l.u + (fly ? round16(size_t(points) * cin * mr) : 0);
  return l;
}

// Carves one worker's scratch and zeroes the GEMM results, whose columns past nv are read by the output
// transforms (never stored), so those lanes hold no stale or uninitialised values.
WinoScratch carve(float* base, const WinoLayout& l) {
  WinoScratch s;
  s.v = base;
  s.v_stride = l.v_stride;
  s.m = base + l.m;
  std::fill(base + l.m, base + l.u, 0.0f);
  return s;
}

}  // namespace

namespace {

// A layer's Winograd weights: U per transform point, packed like packed_a ([points][m_panels][cin][MR]), rows
// past cout zero.
struct PackedU {
  float* base;
  int64_t per_point;
  int mr, cin;
  void put(int xi, int co, int ci, double u) const {
    base[xi * per_point + int64_t(co / mr) * cin * mr + int64_t(ci) * mr + co % mr] = float(u);
  }
};

Result<PackedU> alloc_packed_u(int points, int mr, int cin, int m_panels, AlignedBuffer<float>* u) {
  const int64_t per_point = int64_t(m_panels) * cin * mr;
  if (!u->resize(size_t(points * per_point))) return out_of_memory("conv: cannot allocate Winograd weights");
  u->zero();
  return PackedU{u->data(), per_point, mr, cin};
}

}  // namespace

bool winograd_applies(const ConvDesc& d) {
  return d.kh == 3 && d.kw == 3 && d.stride == 1 && d.ph <= 2 && d.pw <= 2 && d.cin <= kWinogradMaxCin;
}

bool winograd_applies(const ConvDesc& d, int out_h, int out_w) {
  return winograd_applies(d) && out_h >= kWinogradMinOut && out_w >= kWinogradMinOut;
}

Status winograd_pack_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* w) {
  if (!winograd_applies(desc)) return Status();
  const int cin = desc.cin;
  FIDCPP_ASSIGN_OR_RETURN(const PackedU pu,
                          alloc_packed_u(kPoints, kernel.mr, cin, w->m_panels, &w->packed_u));
  // U = G g G^T, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], formed in double and rounded once.
  static const double kG[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  for (int co = 0; co < desc.cout; ++co)
    for (int ci = 0; ci < cin; ++ci) {
      const float* g = desc.weight + (int64_t(co) * cin + ci) * 9;
      double gg[4][3];  // G g
      for (int u = 0; u < 4; ++u)
        for (int b = 0; b < 3; ++b)
          gg[u][b] = kG[u][0] * g[0 * 3 + b] + kG[u][1] * g[1 * 3 + b] + kG[u][2] * g[2 * 3 + b];
      for (int u = 0; u < 4; ++u)
        for (int v = 0; v < 4; ++v) {
          const double uv = gg[u][0] * kG[v][0] + gg[u][1] * kG[v][1] + gg[u][2] * kG[v][2];
          pu.put(u * 4 + v, co, ci, uv);
        }
    }
  return Status();
}

size_t winograd_scratch_floats(const GemmMicroKernel& kernel, int cin) {
  return std::max(wino_layout(kPoints4, std::min(cin, kWinograd4MaxCin), kernel.mr, kernel.nr).total,
                  wino_layout(kPoints, cin, kernel.mr, kernel.nr, /*fly=*/true).total);
}

namespace {

// One Winograd algorithm on one layer: its transform points, tile grid and transforms.
struct WinoPlan {
  int points;
  WinoGeom g;
  WinoInputFn input;
  WinoOutputFn output;
  WinoFilterFn filter = nullptr;  // set: U formed from w.packed_a per output-channel panel (on the fly)
};

// Tiles are numbered image by image, row-major in the tile grid, and cut into micro-kernel panels (a panel
// may straddle images); per panel: input transform, then per output-channel panel one GEMM per point over all
// input channels and the output transform.
Status run_winograd(const GemmMicroKernel& kernel, ThreadPool& pool,
                    std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                    const AlignedBuffer<float>& packed_u, const TensorView& in, const TensorView& out,
                    const WinoPlan& plan) {
  const ConvDesc& d = w.desc;
  const bool fly = plan.filter != nullptr;
  if (fly ? w.packed_a.empty() || w.k != d.cin * 9 || kernel.mr % 2 != 0 : packed_u.empty())
    return internal_error("conv: Winograd weights were not packed");
  const WinoLayout layout = wino_layout(plan.points, d.cin, kernel.mr, kernel.nr, fly);
  if (int(scratch.size()) < pool.size()) return internal_error("conv: scratch smaller than the thread pool");
  for (int i = 0; i < pool.size(); ++i)
    if (scratch[size_t(i)].size() < layout.total) return internal_error("conv: Winograd scratch too small");
  const int mr = kernel.mr, nr = kernel.nr;
  if (nr > 64 || nr % kWinoMaxLanes != 0)
    return internal_error("conv: Winograd needs a micro-kernel width that is a multiple of 16, at most 64");
  const WinoGeom& g = plan.g;
  const int64_t tiles = int64_t(in.n) * g.tiles_y * g.tiles_x;
  const int64_t panels = (tiles + nr - 1) / nr;
  const ConvTaskGrid grid = balance_conv_tasks(panels, w.m_panels, pool.size(), kGemmPanelsPerBlock);
  const int64_t per_point = int64_t(w.m_panels) * d.cin * mr;

  pool.parallel_for(size_t(grid.col_blocks * grid.m_chunks), [&](size_t t_begin, size_t t_end, int worker) {
    const WinoScratch s = carve(scratch[size_t(worker)].data(), layout);
    WinoTileRun runs[64];  // a panel has <= 64 columns, so at most 64 runs
    for (size_t t = t_begin; t < t_end; ++t) {
      const int64_t cb = int64_t(t) / grid.m_chunks, mc = int64_t(t) % grid.m_chunks;
      const int64_t q0 = panels * cb / grid.col_blocks, q1 = panels * (cb + 1) / grid.col_blocks;
      const int mp0 = int(w.m_panels * mc / grid.m_chunks), mp1 = int(w.m_panels * (mc + 1) / grid.m_chunks);
      for (int64_t q = q0; q < q1; ++q) {
        const int64_t t0 = q * nr;
        const int nv = int(std::min<int64_t>(nr, tiles - t0));
        const int nruns = tile_runs(g, t0, nv, runs);
        plan.input(in, g, runs, nruns, nv, nr, s);
        for (int mp = mp0; mp < mp1; ++mp) {
          const int m0 = mp * mr, m_valid = std::min(mr, d.cout - m0);
          const float* u;
          int64_t u_point;
          if (fly) {
            float* fu = scratch[size_t(worker)].data() + layout.u;
            const float* a = w.packed_a.data() + int64_t(mp) * w.k * mr;
            plan.filter(a, d.cin, mr, fu, mp + 1 < mp1 ? a + int64_t(w.k) * mr : nullptr);
            u = fu;
            u_point = int64_t(d.cin) * mr;
          } else {
            u = packed_u.data() + int64_t(mp) * d.cin * mr;
            u_point = per_point;
          }
          for (int xi = 0; xi < plan.points; ++xi)
            kernel.fn(d.cin, u + xi * u_point, s.v + xi * s.v_stride, s.m + int64_t(xi) * mr * nr, nr,
                      m_valid, nv, false, nullptr, false);
          plan.output(out, g, runs, nruns, nv, m0, m_valid, mr, nr, w.bias.data() + m0, d.relu, s);
        }
      }
    }
  });
  return Status();
}

// F(2x2, 3x3) on packed_u (filter null) or with U formed on the fly by `filter`.
Status run_winograd22(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                      std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                      const TensorView& in, const TensorView& out, WinoFilterFn filter) {
  const ConvDesc& d = w.desc;
  const WinoGeom g{d.cin, d.ph, d.pw, in.h, in.w, out.h, out.w, (out.h + 1) / 2, (out.w + 1) / 2};
  return run_winograd(kernel, pool, scratch, w, w.packed_u, in, out,
                      WinoPlan{kPoints, g, vk.wino_input, vk.wino_output, filter});
}

}  // namespace

Status conv2d_winograd_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                           std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                           const TensorView& in, const TensorView& out) {
  return run_winograd22(kernel, vk, pool, scratch, w, in, out, nullptr);
}

bool winograd_fly_applies(const ConvDesc& d, int out_h, int out_w) {
  return winograd_applies(d) && std::min(out_h, out_w) >= kWinogradFlyMinOut &&
         std::min(out_h, out_w) < kWinogradMinOut;
}

Status conv2d_winograd_fly_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                               std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                               const TensorView& in, const TensorView& out) {
  return run_winograd22(kernel, vk, pool, scratch, w, in, out, vk.wino_filter);
}

bool winograd7_applies(const ConvDesc& d) {
  const bool h = d.kh == 1 && d.kw == 7 && d.ph == 0 && d.pw == 3;
  const bool v = d.kh == 7 && d.kw == 1 && d.ph == 3 && d.pw == 0;
  return (h || v) && d.stride == 1 && d.cin <= kWinogradMaxCin;
}

bool winograd7_applies(const ConvDesc& d, int out_h, int out_w) {
  return winograd7_applies(d) && out_h >= kWinograd7MinOut && out_w >= kWinograd7MinOut;
}

Status winograd7_pack_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* w) {
  if (!winograd7_applies(desc)) return Status();
  const int cin = desc.cin;
  FIDCPP_ASSIGN_OR_RETURN(const PackedU pu,
                          alloc_packed_u(kPoints7, kernel.mr, cin, w->m_panels, &w->packed_u));
  // U = G g on the points of kWino47 (winograd_matrices.h), in double and rounded once.
  // tools/winograd_accuracy.py derives the same matrices and measures their error.
  const auto& gm = kWino47.g;
  static_assert(ToomCook<4, 7>::kN == kPoints7, "F(4, 7) has 10 points");
  // The 7 taps of a 1x7 or 7x1 filter are contiguous in OIHW either way.
  for (int co = 0; co < desc.cout; ++co)
    for (int ci = 0; ci < cin; ++ci) {
      const float* g = desc.weight + (int64_t(co) * cin + ci) * 7;
      for (int xi = 0; xi < kPoints7; ++xi) {
        double u = 0.0;
        for (int k = 0; k < 7; ++k) u += gm[xi][k] * g[k];
        pu.put(xi, co, ci, u);
      }
    }
  return Status();
}

Status conv2d_winograd7_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                            std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                            const TensorView& in, const TensorView& out) {
  const ConvDesc& d = w.desc;
  const bool h = d.kw == 7;
  const WinoGeom g{
      d.cin, d.ph, d.pw, in.h, in.w, out.h, out.w, h ? out.h : (out.h + 3) / 4, h ? (out.w + 3) / 4 : out.w};
  return run_winograd(kernel, pool, scratch, w, w.packed_u, in, out,
                      WinoPlan{kPoints7, g, h ? vk.wino7_input_h : vk.wino7_input_v,
                               h ? vk.wino7_output_h : vk.wino7_output_v});
}

bool winograd4_applies(const ConvDesc& d) {
  return winograd_applies(d) && d.cin <= kWinograd4MaxCin;
}

bool winograd4_applies(const ConvDesc& d, int out_h, int out_w) {
  return winograd4_applies(d) && out_h >= kWinograd4MinOut && out_w >= kWinograd4MinOut;
}

namespace {

// U = G g G^T for an R x R filter on 6 points, packed like packed_a per point: [36][m_panels][cin][MR].
template <int R>
Status pack_u36(const GemmMicroKernel& kernel, const ConvDesc& desc, const double (&kg)[6][R],
                CpuConvWeights* w) {
  const int cin = desc.cin;
  FIDCPP_ASSIGN_OR_RETURN(const PackedU pu,
                          alloc_packed_u(kPoints4, kernel.mr, cin, w->m_panels, &w->packed_u36));
  for (int co = 0; co < desc.cout; ++co)
    for (int ci = 0; ci < cin; ++ci) {
      const float* g = desc.weight + (int64_t(co) * cin + ci) * R * R;
      double gg[6][R];  // G g, in double and rounded once at the end
      for (int u = 0; u < 6; ++u)
        for (int b = 0; b < R; ++b) {
          double acc = 0.0;
          for (int a = 0; a < R; ++a) acc += kg[u][a] * g[a * R + b];
          gg[u][b] = acc;
        }
      for (int u = 0; u < 6; ++u)
        for (int v = 0; v < 6; ++v) {
          double acc = 0.0;
          for (int b = 0; b < R; ++b) acc += gg[u][b] * kg[v][b];
          pu.put(u * 6 + v, co, ci, acc);
        }
    }
  return Status();
}

}  // namespace

Status winograd4_pack_weights(const GemmMicroKernel& kernel, const ConvDesc& desc, CpuConvWeights* w) {
  if (winograd4_applies(desc)) return pack_u36<3>(kernel, desc, kWino4.g, w);
  if (winograd25_applies(desc)) return pack_u36<5>(kernel, desc, kWino25.g, w);
  return Status();
}

Status conv2d_winograd4_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                            std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                            const TensorView& in, const TensorView& out) {
  const ConvDesc& d = w.desc;
  const WinoGeom g{d.cin, d.ph, d.pw, in.h, in.w, out.h, out.w, (out.h + 3) / 4, (out.w + 3) / 4};
  return run_winograd(kernel, pool, scratch, w, w.packed_u36, in, out,
                      WinoPlan{kPoints4, g, vk.wino4_input, vk.wino4_output});
}

bool winograd25_applies(const ConvDesc& d) {
  return d.kh == 5 && d.kw == 5 && d.stride == 1 && d.ph <= 4 && d.pw <= 4 && d.cin <= kWinograd4MaxCin;
}

bool winograd25_applies(const ConvDesc& d, int out_h, int out_w) {
  return winograd25_applies(d) && out_h >= kWinograd4MinOut && out_w >= kWinograd4MinOut;
}

Status conv2d_winograd25_cpu(const GemmMicroKernel& kernel, const VectorKernels& vk, ThreadPool& pool,
                             std::vector<AlignedBuffer<float>>& scratch, const CpuConvWeights& w,
                             const TensorView& in, const TensorView& out) {
  const ConvDesc& d = w.desc;
  const WinoGeom g{d.cin, d.ph, d.pw, in.h, in.w, out.h, out.w, (out.h + 1) / 2, (out.w + 1) / 2};
  return run_winograd(kernel, pool, scratch, w, w.packed_u36, in, out,
                      WinoPlan{kPoints4, g, vk.wino25_input, vk.wino25_output});
}

}  // namespace fidcpp
