// The CUDA backend's host code (src/backend/cuda/cuda_backend.cpp) running on the emulator with the CPU
// Linalg, op by op against the naive references and the CPU backend. Small-integer data makes every
// comparison exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cuda/cuda_backend_impl.h"
#include "core/splitmix64.h"
#include "emu/cudaemu_wmma.h"
#include "emu/stream_order.h"
#include "kernel_refs.h"
#include "metrics/dc.h"
#include "metrics/kid.h"
#include "metrics/prc.h"

namespace {

std::vector<float> small_ints(size_t n, uint64_t seed) {
  fidcpp::SplitMix64 r(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(static_cast<int>(r.next() % 9) - 4);
  return v;
}

struct Fixture {
  std::unique_ptr<fidcpp::Backend> be;
  Fixture() {
    auto r = fidcpp::create_emulated_cuda_backend();
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (r.ok()) be = std::move(r).value();
  }
  float* upload(fidcpp::Backend& b, std::vector<std::unique_ptr<fidcpp::BackendBuffer>>& keep,
                const std::vector<float>& v) {
    auto buf = b.allocate(v.size());
    EXPECT_TRUE(buf.ok());
    float* p = buf.value()->data();
    EXPECT_TRUE(b.upload(v.data(), v.size(), p).ok());
    keep.push_back(std::move(buf).value());
    return p;
  }
};

// Runs one conv through a backend into channel slice [c_off, c_off + cout) of a c_total buffer filled with
// NaN.
std::vector<float> run_conv(fidcpp::Backend& be, const fidcpp::ConvDesc& d, const std::vector<float>& x,
                            int n, int h, int w, int c_total, int c_off) {
  std::vector<std::unique_ptr<fidcpp::BackendBuffer>> keep;
  Fixture f;
  auto prep = be.prepare_conv(d);
  EXPECT_TRUE(prep.ok()) << prep.status().to_string();
  float* in = f.upload(be, keep, x);
  const int ho = fidcpp::pooled_size(h, d.kh, d.stride, d.ph),
            wo = fidcpp::pooled_size(w, d.kw, d.stride, d.pw);
  std::vector<float> out(size_t(n) * c_total * ho * wo, NAN);
  float* o = f.upload(be, keep, out);
  const auto vin = fidcpp::make_view(in, n, d.cin, h, w);
  const auto vout = fidcpp::make_view(o, n, c_total, ho, wo).slice(c_off, d.cout);
  const auto st = be.conv2d(*prep.value(), vin, vout);
  EXPECT_TRUE(st.ok()) << st.to_string();
  EXPECT_TRUE(be.download(o, out.size(), out.data()).ok());
  return out;
}

TEST(EmuCudaBackend, ConvMatchesReferenceAndCpuBackend) {
  Fixture f;
  ASSERT_TRUE(f.be);
  auto cpu = fidcpp::create_cpu_backend();
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  struct S {
    int cin, cout, kh, kw, stride, ph, pw, h, w;
  };
  const S shapes[] = {{3, 4, 3, 3, 2, 0, 0, 17, 13}, {5, 3, 1, 7, 1, 0, 3, 8, 9},
                      {5, 3, 7, 1, 1, 3, 0, 8, 9},   {6, 5, 1, 1, 1, 0, 0, 7, 5},
                      {2, 3, 3, 3, 1, 1, 1, 1, 1},   {3, 2, 1, 3, 1, 0, 1, 4, 4}};
  for (const auto& s : shapes) {
    const int n = 2, c_total = s.cout + 3, c_off = 2;
    const auto x = small_ints(size_t(n) * s.cin * s.h * s.w, uint64_t(s.cin * 100 + s.h));
    const auto wt = small_ints(size_t(s.cout) * s.cin * s.kh * s.kw, uint64_t(s.cout + 7));
    const auto bias = small_ints(size_t(s.cout), 99);
    fidcpp::ConvDesc d;
    d.cin = s.cin, d.cout = s.cout, d.kh = s.kh, d.kw = s.kw, d.stride = s.stride, d.ph = s.ph, d.pw = s.pw;
    d.weight = wt.data();
    d.bias = bias.data();
    const auto got = run_conv(*f.be, d, x, n, s.h, s.w, c_total, c_off);
    const auto cpu_out = run_conv(*cpu.value(), d, x, n, s.h, s.w, c_total, c_off);
    const auto conv = fidcpp::ref::conv2d_ref(x.data(), n, s.cin, s.h, s.w, wt.data(), s.cout, s.kh, s.kw,
                                              s.stride, s.stride, s.ph, s.pw);
    const int hw =
        fidcpp::pooled_size(s.h, s.kh, s.stride, s.ph) * fidcpp::pooled_size(s.w, s.kw, s.stride, s.pw);
    std::vector<float> want(size_t(n) * c_total * hw, NAN);
    fidcpp::ref::bias_relu_ref(conv.data(), size_t(s.cout) * hw, want.data() + size_t(c_off) * hw,
                               size_t(c_total) * hw, n, s.cout, hw, bias.data(), true);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::isnan(want[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << "write outside the slice at " << i;
      } else {
        EXPECT_EQ(got[i], want[i]) << "k" << s.kh << "x" << s.kw << " at " << i;
        EXPECT_EQ(got[i], cpu_out[i]) << "vs CPU backend, k" << s.kh << "x" << s.kw << " at " << i;
      }
    }
  }
}

TEST(EmuCudaBackend, PoolsMeanAndLinearMatchCpuBackend) {
  Fixture f;
  ASSERT_TRUE(f.be);
  auto cpu_r = fidcpp::create_cpu_backend();
  ASSERT_TRUE(cpu_r.ok());
  fidcpp::Backend& cpu = *cpu_r.value();
  const int n = 2, c = 6, h = 9, w = 7;
  auto x = small_ints(size_t(n) * c * h * w, 5);
  for (auto& v : x) v -= 2.5f;  // all-negative windows exist: max-pool padding must not win
  auto run = [&](fidcpp::Backend& be, int which) {
    std::vector<std::unique_ptr<fidcpp::BackendBuffer>> keep;
    float* in = f.upload(be, keep, x);
    fidcpp::PoolDesc pd;
    int ho = h, wo = w;
    if (which == 0) pd.stride = 2, pd.pad = 0, ho = 4, wo = 3;
    if (which == 1 || which == 2) pd.stride = 1, pd.pad = 1;
    if (which == 3) ho = wo = 1;
    std::vector<float> out(size_t(n) * c * ho * wo, NAN);
    float* o = f.upload(be, keep, out);
    const auto vi = fidcpp::make_view(in, n, c, h, w), vo = fidcpp::make_view(o, n, c, ho, wo);
    fidcpp::Status st;
    if (which <= 1) st = be.max_pool(pd, vi, vo);
    if (which == 2) st = be.avg_pool(pd, vi, vo);
    if (which == 3) st = be.global_mean(vi, vo);
    EXPECT_TRUE(st.ok()) << st.to_string();
    EXPECT_TRUE(be.download(o, out.size(), out.data()).ok());
    return out;
  };
  for (int which = 0; which < 4; ++which) {
    const auto a = run(*f.be, which), b = run(cpu, which);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_NEAR(a[i], b[i], 1e-6 * (1 + std::fabs(b[i]))) << which << ":" << i;
  }
  // Linear, with and without the separate bias step.
  const int in_f = 13, out_f = 7;
  const auto feat = small_ints(size_t(n) * in_f, 11), wt = small_ints(size_t(out_f) * in_f, 12),
             bias = small_ints(size_t(out_f), 13);
  for (bool add_bias : {false, true}) {
    std::vector<float> res[2];
    int idx = 0;
    for (fidcpp::Backend* be : {f.be.get(), &cpu}) {
      std::vector<std::unique_ptr<fidcpp::BackendBuffer>> keep;
      fidcpp::LinearDesc ld{in_f, out_f, wt.data(), bias.data()};
      auto prep = be->prepare_linear(ld);
      ASSERT_TRUE(prep.ok());
      float* in = f.upload(*be, keep, feat);
      std::vector<float> out(size_t(n) * out_f, NAN);
      float* o = f.upload(*be, keep, out);
      ASSERT_TRUE(be->linear(*prep.value(), fidcpp::make_view(in, n, in_f, 1, 1),
                             fidcpp::make_view(o, n, out_f, 1, 1), add_bias)
                      .ok());
      ASSERT_TRUE(be->download(o, out.size(), out.data()).ok());
      res[idx++] = out;
    }
    for (int i = 0; i < n; ++i)
      for (int o = 0; o < out_f; ++o) {
        double s = add_bias ? bias[size_t(o)] : 0;
        for (int k = 0; k < in_f; ++k) s += double(feat[size_t(i) * in_f + k]) * wt[size_t(o) * in_f + k];
        EXPECT_EQ(res[0][size_t(i) * out_f + o], float(s)) << i << "," << o;
      }
    EXPECT_EQ(res[0], res[1]);
  }
}

TEST(EmuCudaBackend, ShapeMismatchIsAStatusNotACrash) {
  Fixture f;
  ASSERT_TRUE(f.be);
  std::vector<std::unique_ptr<fidcpp::BackendBuffer>> keep;
  const auto x = small_ints(2 * 3 * 5 * 5, 1);
  float* in = f.upload(*f.be, keep, x);
  float* out = f.upload(*f.be, keep, std::vector<float>(64));
  fidcpp::PoolDesc pd;
  pd.stride = 2;
  const auto st = f.be->max_pool(pd, fidcpp::make_view(in, 2, 3, 5, 5), fidcpp::make_view(out, 2, 3, 3, 3));
  EXPECT_EQ(st.code(), fidcpp::StatusCode::kInvalidArgument);
}

}  // namespace

namespace {

// CUDA-graph recording (Backend::begin_recording / end_recording / replay) through the shim's stream capture:
// recorded ops do not run at record time, replay re-runs them on the buffers' current contents (kernels and
// the emulated GEMMs as host nodes), and equals direct execution bitwise.
TEST(EmuCudaBackend, RecordedOpsReplayLikeDirectExecution) {
  Fixture f;
  ASSERT_TRUE(f.be);
  fidcpp::Backend& be = *f.be;
  const int n = 2, cin = 3, cout = 4, h = 11, w = 9;
  const auto wt = small_ints(size_t(cout) * cin * 9, 21), bias = small_ints(size_t(cout), 22);
  fidcpp::ConvDesc d;
  d.cin = cin, d.cout = cout, d.kh = d.kw = 3, d.ph = d.pw = 1;
  d.weight = wt.data();
  d.bias = bias.data();
  auto conv = be.prepare_conv(d);
  ASSERT_TRUE(conv.ok());
  std::vector<std::unique_ptr<fidcpp::BackendBuffer>> keep;
  const auto x1 = small_ints(size_t(n) * cin * h * w, 1), x2 = small_ints(size_t(n) * cin * h * w, 2);
  float* in = f.upload(be, keep, x1);
  float* mid = f.upload(be, keep, std::vector<float>(size_t(n) * cout * h * w));
  const int ho = fidcpp::pooled_size(h, 3, 2, 0), wo = fidcpp::pooled_size(w, 3, 2, 0);
  std::vector<float> out_init(size_t(n) * cout * ho * wo, NAN);
  float* out = f.upload(be, keep, out_init);
  const auto vin = fidcpp::make_view(in, n, cin, h, w), vmid = fidcpp::make_view(mid, n, cout, h, w),
             vout = fidcpp::make_view(out, n, cout, ho, wo);
  fidcpp::PoolDesc pd;
  pd.stride = 2;
  auto ops = [&]() {
    fidcpp::Status s = be.conv2d(*conv.value(), vin, vmid);
    if (s.ok()) s = be.max_pool(pd, vmid, vout);
    return s;
  };
  auto result = [&]() {
    std::vector<float> v(out_init.size());
    EXPECT_TRUE(be.download(out, v.size(), v.data()).ok());
    return v;
  };
  ASSERT_TRUE(ops().ok());  // direct, sizes the scratch
  const auto want1 = result();
  ASSERT_TRUE(be.upload(x2.data(), x2.size(), in).ok());
  ASSERT_TRUE(ops().ok());
  const auto want2 = result();
  ASSERT_NE(want1, want2);

  ASSERT_TRUE(be.upload(x1.data(), x1.size(), in).ok());
  ASSERT_TRUE(be.begin_recording().ok());
  ASSERT_TRUE(ops().ok());
  auto id = be.end_recording();
  ASSERT_TRUE(id.ok()) << id.status().to_string();
  EXPECT_EQ(result(), want2) << "recording ran the ops";
  ASSERT_TRUE(be.replay(*id).ok());
  EXPECT_EQ(result(), want1);
  ASSERT_TRUE(be.upload(x2.data(), x2.size(), in).ok());
  ASSERT_TRUE(be.replay(*id).ok());
  EXPECT_EQ(result(), want2);

  // The convolution needs no scratch, so a new input size can be recorded at once, and the first
  // recording stays valid.
  std::vector<float> big = small_ints(size_t(n) * cin * 2 * h * w, 3);
  float* big_in = f.upload(be, keep, big);
  float* big_mid = f.upload(be, keep, std::vector<float>(size_t(n) * cout * 2 * h * w, NAN));
  const auto vbig_in = fidcpp::make_view(big_in, n, cin, 2 * h, w),
             vbig_mid = fidcpp::make_view(big_mid, n, cout, 2 * h, w);
  ASSERT_TRUE(be.begin_recording().ok());
  ASSERT_TRUE(be.conv2d(*conv.value(), vbig_in, vbig_mid).ok());
  auto big_id = be.end_recording();
  ASSERT_TRUE(big_id.ok()) << big_id.status().to_string();
  ASSERT_TRUE(be.replay(*big_id).ok());
  std::vector<float> got_big(size_t(n) * cout * 2 * h * w);
  ASSERT_TRUE(be.download(big_mid, got_big.size(), got_big.data()).ok());
  const auto conv_big =
      fidcpp::ref::conv2d_ref(big.data(), n, cin, 2 * h, w, wt.data(), cout, 3, 3, 1, 1, 1, 1);
  std::vector<float> want_big(got_big.size());
  fidcpp::ref::bias_relu_ref(conv_big.data(), size_t(cout) * 2 * h * w, want_big.data(),
                             size_t(cout) * 2 * h * w, n, cout, 2 * h * w, bias.data(), true);
  EXPECT_EQ(got_big, want_big);
  ASSERT_TRUE(be.upload(x1.data(), x1.size(), in).ok());
  ASSERT_TRUE(be.replay(*id).ok());
  EXPECT_EQ(result(), want1);
}

}  // namespace

namespace {

// Uploads go through two pinned staging buffers in chunks: several chunks, an odd tail, back-to-back uploads
// reusing both buffers, and the caller's memory reusable as soon as upload() returns.
TEST(EmuCudaBackend, StagedUploadsArriveIntact) {
  Fixture f;
  ASSERT_TRUE(f.be);
  const size_t n = (size_t(4) << 20) * 2 + 12345;  // two full 16 MiB chunks and a tail
  std::vector<float> a(n), b(n);
  for (size_t i = 0; i < n; ++i) a[i] = float(i % 1000003), b[i] = -float(i % 999);
  auto da = f.be->allocate(n), db = f.be->allocate(n);
  ASSERT_TRUE(da.ok() && db.ok());
  ASSERT_TRUE(f.be->upload(a.data(), n, da.value()->data()).ok());
  std::vector<float> a_copy = a;
  std::fill(a.begin(), a.end(), 0.0f);  // the staging copy was taken: overwriting must not matter
  ASSERT_TRUE(f.be->upload(b.data(), n, db.value()->data()).ok());
  std::vector<float> got(n);
  ASSERT_TRUE(f.be->download(da.value()->data(), n, got.data()).ok());
  EXPECT_TRUE(got == a_copy);
  ASSERT_TRUE(f.be->download(db.value()->data(), n, got.data()).ok());
  EXPECT_TRUE(got == b);
}

}  // namespace

namespace {

// Inputs prepared in the backend's host memory: pinned (so the copy needs no staging), copied intact by
// upload_host, and writable again once wait_host returns; the CPU backend's is plain memory with the same
// contract.
TEST(EmuCudaBackend, PinnedHostBuffersUploadWithoutStaging) {
  Fixture f;
  ASSERT_TRUE(f.be);
  fidcpp::Backend& be = *f.be;
  const size_t n = (size_t(5) << 20) + 3;  // larger than one 16 MiB staging chunk
  auto host = be.allocate_host(n);
  ASSERT_TRUE(host.ok()) << host.status().to_string();
  cudaPointerAttributes attr{};
  ASSERT_EQ(cudaPointerGetAttributes(&attr, (*host)->data()), cudaSuccess);
  EXPECT_EQ(attr.type, cudaMemoryTypeHost) << "not pinned";
  const auto v = small_ints(n, 17);
  std::copy(v.begin(), v.end(), (*host)->data());
  auto dev = be.allocate(n);
  ASSERT_TRUE(dev.ok());
  ASSERT_TRUE(be.upload_host(**host, n, dev.value()->data()).ok());
  ASSERT_TRUE(be.wait_host(**host).ok());
  std::fill((*host)->data(), (*host)->data() + n, -1.0f);  // must not reach the device copy
  std::vector<float> back(n);
  ASSERT_TRUE(be.download(dev.value()->data(), n, back.data()).ok());
  EXPECT_EQ(back, v);
  EXPECT_FALSE(be.upload_host(**host, n + 1, dev.value()->data()).ok())
      << "more floats than the buffer holds";

  auto cpu = fidcpp::create_cpu_backend();
  ASSERT_TRUE(cpu.ok());
  auto plain = cpu.value()->allocate_host(7);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->size(), 7u);
  EXPECT_TRUE(cpu.value()->wait_host(**plain).ok());
}

}  // namespace

namespace {

// upload_host copies on a stream of its own, so the next batch's copy can run during the current forward.
// Four batches go through two device inputs and two pinned host buffers with no synchronisation in between,
// each read by an op (global mean) right after its upload; deferred streams run them in the most hostile
// orders. Others first: a copy that did not wait for the op still reading its destination (the batch two
// before) would overwrite it first. Awaited first: an op that did not wait for its copy would read the NaN
// the inputs start with. Either: a host buffer rewritten after wait_host() returned early would be copied
// with the later batch's values.
TEST(EmuCudaBackend, CopyStreamUploadsWaitForTheirReadersAndReaders) {
  using S = cudaemu::Options::Streams;
  for (S order : {S::kDeferOthersFirst, S::kDeferAwaitedFirst, S::kImmediate}) {
    SCOPED_TRACE(fidcpp::testing::StreamOrder::name(order));
    fidcpp::testing::StreamOrder guard(order);
    Fixture f;
    ASSERT_TRUE(f.be);
    fidcpp::Backend& be = *f.be;
    const int n = 2, c = 3, h = 4, w = 4;  // 16 values a plane: the mean is exact
    const size_t count = size_t(n) * c * h * w;
    std::vector<std::unique_ptr<fidcpp::HostBuffer>> host;
    std::vector<std::unique_ptr<fidcpp::BackendBuffer>> in, out;
    for (int i = 0; i < 2; ++i) {
      auto hb = be.allocate_host(count);
      auto d = be.allocate(count);
      ASSERT_TRUE(hb.ok() && d.ok());
      host.push_back(std::move(hb).value());
      in.push_back(std::move(d).value());
      const std::vector<float> nan(count, NAN);
      ASSERT_TRUE(be.upload(nan.data(), count, in.back()->data()).ok());
    }
    // upload_host's copy is not ordered after ops issued since the previous input write (here: the NaN
    // uploads), so the caller waits for them.
    ASSERT_TRUE(be.synchronize().ok());
    std::vector<std::vector<float>> data;
    for (int k = 0; k < 4; ++k) {
      auto o = be.allocate(size_t(n) * c);
      ASSERT_TRUE(o.ok());
      out.push_back(std::move(o).value());
      data.push_back(small_ints(count, 100 + uint64_t(k)));
      fidcpp::HostBuffer& hb = *host[size_t(k % 2)];
      ASSERT_TRUE(be.wait_host(hb).ok());
      std::copy(data.back().begin(), data.back().end(), hb.data());
      float* dst = in[size_t(k % 2)]->data();
      ASSERT_TRUE(be.upload_host(hb, count, dst).ok());
      ASSERT_TRUE(be.global_mean(fidcpp::make_view(dst, n, c, h, w),
                                 fidcpp::make_view(out.back()->data(), n, c, 1, 1))
                      .ok());
    }
    for (int k = 0; k < 4; ++k) {
      std::vector<float> got(size_t(n) * c);
      ASSERT_TRUE(be.download(out[size_t(k)]->data(), got.size(), got.data()).ok());
      for (int p = 0; p < n * c; ++p) {
        double s = 0;
        for (int q = 0; q < h * w; ++q) s += data[size_t(k)][size_t(p) * h * w + size_t(q)];
        // Small integers: any summation order gives the exact sum, so the mean is the correctly rounded one.
        EXPECT_EQ(got[size_t(p)], float(s / (h * w))) << "batch " << k << " plane " << p;
      }
    }
  }
}

}  // namespace

namespace {

// The metrics' matrix products on the (emulated) device: row-major C = alpha A Bᵀ into a padded C against a
// float64 reference, the padding untouched, bad sizes refused; then KID, precision/recall and
// density/coverage through them against the CPU BLAS.
TEST(EmuCudaBackend, MatrixProductsMatchTheCpuBlas) {
  Fixture f;
  ASSERT_TRUE(f.be);
  fidcpp::MatrixProducts* mp = f.be->matrix_products();
  ASSERT_NE(mp, nullptr);
  const int64_t m = 37, n = 23, k = 50, ldc = 29;
  const auto a = small_ints(size_t(m * k), 5), b = small_ints(size_t(n * k), 6);
  std::vector<float> c(size_t(m * ldc), NAN);
  ASSERT_TRUE(mp->abt(m, n, k, -2.0f, a.data(), b.data(), c.data(), ldc).ok());
  std::vector<double> ad(a.begin(), a.end()), bd(b.begin(), b.end()), cd(size_t(m * ldc), NAN);
  ASSERT_TRUE(mp->abt(m, n, k, 0.5, ad.data(), bd.data(), cd.data(), ldc).ok());
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      const size_t at = size_t(i * ldc + j);
      if (j >= n) {
        EXPECT_TRUE(std::isnan(c[at]) && std::isnan(cd[at])) << "padding written at " << i << "," << j;
        continue;
      }
      double s = 0;
      for (int64_t p = 0; p < k; ++p) s += double(a[size_t(i * k + p)]) * b[size_t(j * k + p)];
      EXPECT_EQ(c[at], float(-2 * s)) << i << "," << j;  // small integers: exact
      EXPECT_EQ(cd[at], 0.5 * s) << i << "," << j;
    }
  }
  EXPECT_FALSE(mp->abt(m, n, k, 1.0f, a.data(), b.data(), c.data(), n - 1).ok()) << "ldc < n";
  EXPECT_FALSE(mp->abt(-1, n, k, 1.0f, a.data(), b.data(), c.data(), ldc).ok()) << "negative m";

  // Gaussian-like features, so distances and kernel values are not small integers.
  fidcpp::SplitMix64 r(77);
  auto features = [&](int64_t rows, int64_t dim, double shift) {
    std::vector<float> v(size_t(rows * dim));
    for (auto& x : v) x = float(shift + (double(r.next() >> 11) * 0x1.0p-53 - 0.5) * 2.0);
    return v;
  };
  const int64_t dim = 64, n1 = 120, n2 = 100;
  const auto gen = features(n1, dim, 0.1), real = features(n2, dim, 0.0);
  fidcpp::KidOptions ko;
  ko.subsets = 4;
  ko.subset_size = 50;
  for (auto precision : {fidcpp::KidPrecision::kFloat64, fidcpp::KidPrecision::kFloat32Numpy}) {
    ko.precision = precision;
    ko.products = nullptr;
    auto cpu = fidcpp::kernel_inception_distance(gen.data(), n1, real.data(), n2, dim, ko);
    ko.products = mp;
    auto dev = fidcpp::kernel_inception_distance(gen.data(), n1, real.data(), n2, dim, ko);
    ASSERT_TRUE(cpu.ok() && dev.ok());
    std::printf("KID (%s Gram): device %.17g, CPU BLAS %.17g\n",
                precision == fidcpp::KidPrecision::kFloat64 ? "float64" : "float32", dev->mean, cpu->mean);
    // float32 Grams: 5.3e-6 relative measured (the emulated sgemm sums in double); 10x that.
    const double tol = precision == fidcpp::KidPrecision::kFloat64 ? 1e-9 : 5e-5;
    EXPECT_NEAR(dev->mean, cpu->mean, tol * std::fabs(cpu->mean)) << int(precision);
    EXPECT_NEAR(dev->std, cpu->std, tol * std::fabs(cpu->std) + 1e-12) << int(precision);
  }
  fidcpp::PrcOptions po;
  po.products = nullptr;
  auto prc_cpu = fidcpp::precision_recall(gen.data(), n1, real.data(), n2, dim, po);
  po.products = mp;
  auto prc_dev = fidcpp::precision_recall(gen.data(), n1, real.data(), n2, dim, po);
  ASSERT_TRUE(prc_cpu.ok() && prc_dev.ok());
  EXPECT_EQ(prc_dev->precision, prc_cpu->precision);
  EXPECT_EQ(prc_dev->recall, prc_cpu->recall);
  EXPECT_GT(prc_cpu->precision, 0.0);
  EXPECT_LT(prc_cpu->precision, 1.0);
  fidcpp::DcOptions dco;
  auto dc_cpu = fidcpp::density_coverage(real.data(), n2, gen.data(), n1, dim, dco);
  dco.products = mp;
  auto dc_dev = fidcpp::density_coverage(real.data(), n2, gen.data(), n1, dim, dco);
  ASSERT_TRUE(dc_cpu.ok() && dc_dev.ok());
  EXPECT_EQ(dc_dev->density, dc_cpu->density);
  EXPECT_EQ(dc_dev->coverage, dc_cpu->coverage);
}

}  // namespace

namespace {

// The backend's TF32 opt-in reaches the convolution: bitwise the sequential-FMA convolution of TF32-rounded
// inputs under emulation (kernels/emu/cudaemu_wmma.h), and not the float32 one; the default stays float32.
TEST(EmuCudaBackend, Tf32OptInRoundsTheConvolutionInputs) {
  auto tf32_be = fidcpp::create_emulated_cuda_backend(true);
  Fixture f;
  ASSERT_TRUE(tf32_be.ok() && f.be);
  EXPECT_NE(std::string((*tf32_be)->name()).find("tf32"), std::string::npos) << (*tf32_be)->name();
  const int n = 2, cin = 5, h = 9, w = 8, cout = 7;
  fidcpp::SplitMix64 r(41);
  auto uniform = [&] { return float(double(r.next() >> 11) * 0x1.0p-53 * 2.0 - 1.0); };
  std::vector<float> x(size_t(n) * cin * h * w), wt(size_t(cout) * cin * 9), bias(static_cast<size_t>(cout));
  for (auto& v : x) v = uniform();
  for (auto& v : wt) v = uniform();
  for (auto& v : bias) v = uniform();
  fidcpp::ConvDesc d;
  d.cin = cin, d.cout = cout, d.kh = d.kw = 3, d.stride = 1, d.ph = d.pw = 1, d.weight = wt.data(),
  d.bias = bias.data();
  const auto got32 = run_conv(*f.be, d, x, n, h, w, cout, 0);
  const auto gottf = run_conv(**tf32_be, d, x, n, h, w, cout, 0);
  std::vector<float> xr(x), wr(wt), want32(got32.size()), wanttf(got32.size());
  for (auto& v : xr) v = nvcuda::wmma::__float_to_tf32(v);
  for (auto& v : wr) v = nvcuda::wmma::__float_to_tf32(v);
  fidcpp::ref::conv2d_fma_ref(x.data(), size_t(cin) * h * w, n, cin, h, w, wt.data(), bias.data(), true, cout,
                              3, 3, 1, 1, 1, want32.data(), size_t(cout) * h * w);
  fidcpp::ref::conv2d_fma_ref(xr.data(), size_t(cin) * h * w, n, cin, h, w, wr.data(), bias.data(), true,
                              cout, 3, 3, 1, 1, 1, wanttf.data(), size_t(cout) * h * w);
  EXPECT_EQ(got32, want32);
  EXPECT_EQ(gottf, wanttf);
  EXPECT_NE(gottf, want32);
}

}  // namespace
